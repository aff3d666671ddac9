# -*- coding: utf-8 -*-
# Copyright: (c) 2026, llmops contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""The NVIDIA decisions, on the real output formats of nvidia-smi, /proc, docker and nvidia-ctk."""

from __future__ import absolute_import, division, print_function
__metaclass__ = type

import pytest

from ansible.errors import AnsibleFilterError
from ansible_collections.llmops.vllm_stack.plugins.filter.nvidia import FilterModule
from ansible_collections.llmops.vllm_stack.plugins.module_utils import nvidia

FILTERS = FilterModule().filters()

QUERY = (
    '1, GPU-0a1b2c3d-0000-4000-8000-000000000001, NVIDIA H200, 143771, 580.95.05, 00000000:2A:00.0\n'
    '0, GPU-0a1b2c3d-0000-4000-8000-000000000000, NVIDIA H200, 143771, 580.95.05, 00000000:18:00.0\n'
)
PROC_OPEN = ('NVRM version: NVIDIA UNIX Open Kernel Module for x86_64  580.95.05  Release Build  '
             '(dvs-builder@U22-I3-AF03-09-1)  Thu Sep 18 21:22:06 UTC 2025\n'
             'GCC version:  gcc version 12.2.0 (Debian 12.2.0-14+deb12u1) \n')
PROC_PROPRIETARY = ('NVRM version: NVIDIA UNIX x86_64 Kernel Module  575.57.08  Thu Sep 18 20:46:14 UTC 2025\n'
                    'GCC version:  gcc version 12.2.0 (Debian 12.2.0-14+deb12u1) \n')
FLAVOURS = {'open': 'nvidia-kernel-open-dkms', 'proprietary': 'nvidia-kernel-dkms'}


def test_filters_are_registered():
    assert sorted(FILTERS) == sorted([
        'nvidia_gpus', 'nvidia_loaded_module', 'nvidia_installed_module', 'nvidia_driver_state',
        'nvidia_reboot_reason', 'nvidia_docker_runtimes', 'nvidia_cdi_devices', 'nvidia_gpu_access_errors'])


def test_gpu_query_sorted_by_index():
    gpus = FILTERS['nvidia_gpus'](QUERY)
    assert [gpu['index'] for gpu in gpus] == [0, 1]
    assert gpus[0] == {'index': 0, 'uuid': 'GPU-0a1b2c3d-0000-4000-8000-000000000000', 'name': 'NVIDIA H200',
                       'memory_mib': 143771, 'driver_version': '580.95.05', 'pci_bus_id': '00000000:18:00.0'}


def test_gpu_query_with_units_or_other_fields_is_an_error():
    with pytest.raises(AnsibleFilterError, match='expected the fields index,uuid'):
        FILTERS['nvidia_gpus']('0, GPU-x, NVIDIA H200\n')
    with pytest.raises(AnsibleFilterError, match='must be numbers'):
        FILTERS['nvidia_gpus']('0, GPU-x, NVIDIA H200, 143771 MiB, 580.95.05, 00000000:18:00.0\n')


def test_proc_version_flavours():
    assert nvidia.parse_proc_version(PROC_OPEN) == {'version': '580.95.05', 'flavour': 'open'}
    assert nvidia.parse_proc_version(PROC_PROPRIETARY) == {'version': '575.57.08', 'flavour': 'proprietary'}
    assert nvidia.parse_proc_version('') == {}


@pytest.mark.parametrize('version, upstream', [
    ('580.95.05-1', '580.95.05'), ('1:580.95.05-1', '580.95.05'),
    ('580.95.05-0ubuntu0.24.04.2', '580.95.05'), ('580.95.05', '580.95.05'), ('', '')])
def test_upstream_version(version, upstream):
    assert nvidia.upstream_version(version) == upstream


def test_installed_module_from_package_facts():
    packages = {'nvidia-kernel-open-dkms': [{'version': '580.95.05-1'}]}
    assert FILTERS['nvidia_installed_module'](packages, FLAVOURS) == {'version': '580.95.05', 'flavour': 'open'}
    assert FILTERS['nvidia_installed_module']({}, FLAVOURS) == {}
    canonical = {'linux-modules-nvidia-580-server-open-6.8.0-45-generic': [{'version': '6.8.0-45.45+1'}],
                 'nvidia-kernel-common-580-server': [{'version': '580.95.05-0ubuntu0.24.04.2'}]}
    flavours = {'open': 'linux-modules-nvidia-580-server-open-6.8.0-45-generic',
                'proprietary': 'linux-modules-nvidia-580-server-6.8.0-45-generic'}
    assert nvidia.installed_module(canonical, flavours, 'nvidia-kernel-common-580-server') == {
        'version': '580.95.05', 'flavour': 'open'}


def test_driver_state_done_only_with_every_gpu_on_the_branch_and_flavour():
    state = FILTERS['nvidia_driver_state'](2, 0, QUERY, PROC_OPEN, '580', 'open')
    assert state['done'] and len(state['gpus']) == 2
    assert not nvidia.driver_state(2, None, '', '', '580', 'open')['done']
    assert nvidia.driver_state(2, 9, 'NVIDIA-SMI has failed', '', 580, 'open')['reason'] == 'nvidia-smi failed (rc 9)'
    assert 'lists 2 of the 3' in nvidia.driver_state(3, 0, QUERY, PROC_OPEN, '580', 'open')['reason']
    assert 'branch 575 is wanted' in nvidia.driver_state(2, 0, QUERY, PROC_OPEN, '575', 'open')['reason']
    assert 'proprietary are wanted' in nvidia.driver_state(2, 0, QUERY, PROC_OPEN, '580', 'proprietary')['reason']


def test_reboot_reason():
    installed = {'version': '580.95.05', 'flavour': 'open'}
    assert FILTERS['nvidia_reboot_reason']({}, installed).startswith('no NVIDIA kernel module is loaded')
    assert FILTERS['nvidia_reboot_reason']({'version': '580.95.05', 'flavour': 'open'}, installed) == ''
    assert 'loaded module is proprietary 580.95.05' in nvidia.reboot_reason(
        {'version': '580.95.05', 'flavour': 'proprietary'}, installed)
    assert nvidia.reboot_reason({'version': '575.57.08', 'flavour': 'open'}, {}) == ''


def test_docker_runtimes_and_cdi_devices():
    assert FILTERS['nvidia_docker_runtimes'](
        '{"io.containerd.runc.v2":{"path":"runc"},"nvidia":{"path":"nvidia-container-runtime"},"runc":{"path":"runc"}}'
    ) == ['io.containerd.runc.v2', 'nvidia', 'runc']
    with pytest.raises(AnsibleFilterError, match='expected the JSON'):
        FILTERS['nvidia_docker_runtimes']('Cannot connect to the Docker daemon')
    listing = 'INFO[0000] Found 3 CDI devices\nnvidia.com/gpu=0\nnvidia.com/gpu=GPU-0a1b\nnvidia.com/gpu=all\n'
    assert FILTERS['nvidia_cdi_devices'](listing) == ['nvidia.com/gpu=0', 'nvidia.com/gpu=GPU-0a1b', 'nvidia.com/gpu=all']


def test_gpu_access_errors_name_instance_and_gpu():
    gpus = nvidia.parse_gpu_query(QUERY)
    instances = [{'name': 'chat', 'gpus': [0]}, {'name': 'embed', 'gpus': [3]}, {'name': 'cpu', 'gpus': []}]
    errors = FILTERS['nvidia_gpu_access_errors'](instances, gpus, 'gpus', ['nvidia', 'runc'], [], 'gpu-01')
    assert errors == ["vllm_instances on gpu-01: 'embed' asks for GPU 3, but nvidia-smi lists GPUs 0-1"]
    errors = nvidia.gpu_access_errors(instances[:1], gpus, 'gpus', ['runc'], [], 'gpu-01')
    assert errors == ["vllm_instances on gpu-01: 'chat' asks for GPU 0, but docker has no 'nvidia' runtime"
                      " (docker info lists runc); run the nvidia_container_toolkit role"]
    errors = nvidia.gpu_access_errors(instances[:1], gpus, 'cdi', [], ['nvidia.com/gpu=1', 'nvidia.com/gpu=all'], 'gpu-01')
    assert errors == ["vllm_instances on gpu-01: 'chat' asks for GPU 0, but the CDI spec has no device nvidia.com/gpu=0"
                      " (nvidia-ctk cdi list); run the nvidia_container_toolkit role"]
    assert nvidia.gpu_access_errors(instances[:1], [], 'cdi', [], [], 'cpu-01') == [
        "vllm_instances on cpu-01: 'chat' asks for GPU 0, but nvidia-smi lists no GPU"]
    assert nvidia.gpu_access_errors(instances[:1], gpus, 'cdi', [], ['nvidia.com/gpu=0'], 'gpu-01') == []
