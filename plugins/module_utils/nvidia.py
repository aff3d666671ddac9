# -*- coding: utf-8 -*-
# Copyright: (c) 2026, llmops contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""What the NVIDIA driver and container toolkit roles read from a GPU host.

Pure functions over command outputs and file contents, so the decisions
(is the driver done, does the host need a reboot, may a vLLM instance have
these GPUs) are unit-tested with the real formats:

* ``nvidia-smi --query-gpu=index,uuid,name,memory.total,driver_version,pci.bus_id
  --format=csv,noheader,nounits``: one GPU per line, fields joined by ``", "``;
* ``/proc/driver/nvidia/version``: ``NVRM version: NVIDIA UNIX Open Kernel
  Module for x86_64  580.95.05  Release Build ...`` for the open modules,
  ``NVRM version: NVIDIA UNIX x86_64 Kernel Module  580.95.05  ...`` for the
  proprietary ones;
* ``docker info --format '{{json .Runtimes}}'``: a JSON object keyed by runtime;
* ``nvidia-ctk cdi list``: one ``nvidia.com/gpu=<name>`` per line.
"""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import json
import re

GPU_QUERY_FIELDS = ('index', 'uuid', 'name', 'memory.total', 'driver_version', 'pci.bus_id')
GPU_QUERY = ','.join(GPU_QUERY_FIELDS)

_VERSION = re.compile(r'\b(\d+\.\d+(?:\.\d+)?)\b')


class NvidiaError(Exception):
    pass


def parse_gpu_query(stdout):
    """GPUs from the CSV of ``nvidia-smi --query-gpu=GPU_QUERY --format=csv,noheader,nounits``."""
    gpus = []
    for line in (stdout or '').splitlines():
        if not line.strip():
            continue
        fields = [field.strip() for field in line.split(', ')]
        if len(fields) != len(GPU_QUERY_FIELDS):
            raise NvidiaError('nvidia-smi --query-gpu printed %r, expected the fields %s' % (line, GPU_QUERY))
        index, uuid, name, memory, version, bus_id = fields
        try:
            gpus.append({
                'index': int(index),
                'uuid': uuid,
                'name': name,
                'memory_mib': int(float(memory)),
                'driver_version': version,
                'pci_bus_id': bus_id,
            })
        except ValueError:
            raise NvidiaError('nvidia-smi --query-gpu printed %r: index and memory.total must be numbers' % line)
    return sorted(gpus, key=lambda gpu: gpu['index'])


def parse_proc_version(text):
    """The loaded kernel module from /proc/driver/nvidia/version: {version, flavour}, or {} when none is loaded."""
    for line in (text or '').splitlines():
        if not line.startswith('NVRM version:'):
            continue
        match = _VERSION.search(line.split('Kernel Module', 1)[-1])
        if not match:
            break
        return {'version': match.group(1), 'flavour': 'open' if 'Open Kernel Module' in line else 'proprietary'}
    return {}


def upstream_version(version):
    """580.95.05 from a package version: 1:580.95.05-1, 580.95.05-0ubuntu0.24.04.2, 580.95.05."""
    version = str(version or '')
    if ':' in version:
        version = version.split(':', 1)[1]
    match = _VERSION.match(version)
    return match.group(1) if match else ''


def branch_of(version):
    return str(version).split('.', 1)[0] if version else ''


def installed_module(packages, flavour_packages, version_package=''):
    """The kernel module the packages installed: {version, flavour}, or {}.

    packages: ansible's package_facts (name -> list of {version, ...});
    flavour_packages: {'open': package, 'proprietary': package}, the package
    that holds each flavour's module; version_package: the package whose
    version is the driver's, when the module package's is not (Canonical's
    precompiled modules carry the kernel's version).
    """
    packages = packages or {}
    for flavour in ('open', 'proprietary'):
        name = (flavour_packages or {}).get(flavour)
        if name and packages.get(name):
            source = packages.get(version_package) if version_package else packages[name]
            version = upstream_version((source or [{}])[0].get('version'))
            return {'version': version, 'flavour': flavour} if version else {}
    return {}


def driver_state(pci_gpus, smi_rc, smi_stdout, proc_text, branch, flavour):
    """Whether the wanted driver already runs: {done, reason, gpus, loaded}.

    Done means nvidia-smi answers, lists every NVIDIA GPU on the PCI bus, all
    on the wanted branch, and the loaded module is the wanted flavour.
    """
    loaded = parse_proc_version(proc_text)
    gpus = []
    if smi_rc == 0:
        try:
            gpus = parse_gpu_query(smi_stdout)
        except NvidiaError as exc:
            return {'done': False, 'reason': str(exc), 'gpus': [], 'loaded': loaded}
    branch = str(branch)
    if smi_rc is None or smi_rc != 0:
        reason = 'nvidia-smi is not installed' if smi_rc is None else 'nvidia-smi failed (rc %s)' % smi_rc
    elif len(gpus) != int(pci_gpus):
        reason = 'nvidia-smi lists %d of the %d NVIDIA GPUs on the PCI bus' % (len(gpus), int(pci_gpus))
    elif any(branch_of(gpu['driver_version']) != branch for gpu in gpus):
        reason = 'driver %s runs, branch %s is wanted' % (gpus[0]['driver_version'], branch)
    elif loaded and loaded['flavour'] != flavour:
        reason = 'the %s kernel modules are loaded, %s are wanted' % (loaded['flavour'], flavour)
    else:
        return {'done': True, 'reason': 'driver %s runs with %d GPUs' % (gpus[0]['driver_version'] if gpus else '-', len(gpus)),
                'gpus': gpus, 'loaded': loaded}
    return {'done': False, 'reason': reason, 'gpus': gpus, 'loaded': loaded}


def reboot_reason(loaded, installed):
    """Why the host must boot to load the installed module, or '' when it runs it already."""
    if not installed:
        return ''
    if not loaded:
        return 'no NVIDIA kernel module is loaded, %s %s is installed' % (installed['flavour'], installed['version'])
    if (loaded['version'], loaded['flavour']) != (installed['version'], installed['flavour']):
        return 'the loaded module is %s %s, the installed one %s %s' % (
            loaded['flavour'], loaded['version'], installed['flavour'], installed['version'])
    return ''


def docker_runtimes(stdout):
    """The runtime names from ``docker info --format '{{json .Runtimes}}'``."""
    try:
        runtimes = json.loads(stdout or '{}')
    except ValueError:
        raise NvidiaError('docker info printed %r, expected the JSON of its runtimes' % (stdout,))
    return sorted(runtimes) if isinstance(runtimes, dict) else []


def cdi_devices(stdout):
    """The device names from ``nvidia-ctk cdi list`` (kind=name lines)."""
    return sorted(line.strip() for line in (stdout or '').splitlines() if re.match(r'^[\w.-]+/[\w.-]+=\S+$', line.strip()))


def gpu_access_errors(instances, gpus, access, runtimes=None, devices=None, host='this host', cdi_kind='nvidia.com/gpu'):
    """Why the vLLM instances of a host cannot get their GPUs, one message per instance and GPU.

    instances: vllm_instances (name, gpus); gpus: the host's GPUs as
    parse_gpu_query returns them (the nvidia_driver role's facts); access:
    'gpus' (docker's --gpus, needs the nvidia runtime) or 'cdi';
    runtimes: docker's runtime names; devices: the CDI device names known.
    """
    errors = []
    where = 'vllm_instances on %s' % host
    indices = set(gpu['index'] for gpu in gpus or [])
    count = len(indices)
    for entry in instances or []:
        name = entry.get('name', '?')
        wanted = [str(gpu) for gpu in entry.get('gpus') or []]
        if not wanted:
            continue
        if access == 'gpus' and 'nvidia' not in (runtimes or []):
            errors.append("%s: %r asks for GPU %s, but docker has no 'nvidia' runtime (docker info lists %s);"
                          ' run the nvidia_container_toolkit role' % (where, name, ', '.join(wanted), ', '.join(runtimes or []) or 'none'))
            continue
        for gpu in wanted:
            if not gpu.isdigit() or int(gpu) not in indices:
                errors.append('%s: %r asks for GPU %s, but nvidia-smi lists %s' % (
                    where, name, gpu, ('GPUs 0-%d' % (count - 1)) if count else 'no GPU'))
            elif access == 'cdi' and '%s=%s' % (cdi_kind, gpu) not in (devices or []):
                errors.append('%s: %r asks for GPU %s, but the CDI spec has no device %s=%s (nvidia-ctk cdi list);'
                              ' run the nvidia_container_toolkit role' % (where, name, gpu, cdi_kind, gpu))
    return errors
