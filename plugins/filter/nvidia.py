# -*- coding: utf-8 -*-
# Copyright: (c) 2026, llmops contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""NVIDIA driver and container toolkit decisions (plugins/module_utils/nvidia.py).

- ``nvidia_gpus`` (input: nvidia-smi's --query-gpu CSV): the GPUs, as
  ``[{index, uuid, name, memory_mib, driver_version, pci_bus_id}]``.
- ``nvidia_loaded_module`` (input: /proc/driver/nvidia/version): ``{version, flavour}`` or ``{}``.
- ``nvidia_installed_module`` (input: package_facts' packages, then
  ``{open: package, proprietary: package}`` and the package carrying the
  driver version): ``{version, flavour}`` or ``{}``.
- ``nvidia_driver_state`` (input: the PCI GPU count, then nvidia-smi's rc (none
  when absent) and output, the proc file, the branch and the flavour):
  ``{done, reason, gpus, loaded}``.
- ``nvidia_reboot_reason`` (input: loaded, then installed module): why a boot is needed, or ''.
- ``nvidia_docker_runtimes`` / ``nvidia_cdi_devices``: names from docker info's
  runtimes JSON and from ``nvidia-ctk cdi list``.
- ``nvidia_gpu_access_errors`` (input: vllm_instances, then the GPUs, the
  access mode, docker's runtimes, the CDI devices and the host): one message per
  instance and GPU that cannot reach its container.
"""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

from ansible.errors import AnsibleFilterError
from ansible_collections.llmops.vllm_stack.plugins.module_utils import nvidia


def _wrap(function):
    def wrapped(*args, **kwargs):
        try:
            return function(*args, **kwargs)
        except nvidia.NvidiaError as exc:
            raise AnsibleFilterError(str(exc))
    wrapped.__name__ = function.__name__
    wrapped.__doc__ = function.__doc__
    return wrapped


class FilterModule(object):
    def filters(self):
        return {
            'nvidia_gpus': _wrap(nvidia.parse_gpu_query),
            'nvidia_loaded_module': _wrap(nvidia.parse_proc_version),
            'nvidia_installed_module': _wrap(nvidia.installed_module),
            'nvidia_driver_state': _wrap(nvidia.driver_state),
            'nvidia_reboot_reason': _wrap(nvidia.reboot_reason),
            'nvidia_docker_runtimes': _wrap(nvidia.docker_runtimes),
            'nvidia_cdi_devices': _wrap(nvidia.cdi_devices),
            'nvidia_gpu_access_errors': _wrap(nvidia.gpu_access_errors),
        }
