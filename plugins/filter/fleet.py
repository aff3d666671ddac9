# -*- coding: utf-8 -*-
# Copyright: (c) 2026, llmops contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""Filters over the fleet model (plugins/module_utils/fleet.py).

Each takes ``hostvars`` as input, then ``groups`` and the settings: a mapping
of the prometheus role's job and host-list variables (``prometheus_rules_job_*``,
``prometheus_job_*``, ``prometheus_*_hosts``); a missing or null entry takes
the role default, so ``hostvars[inventory_hostname]`` works as settings where
the role's defaults are not loaded (the verify play).

- ``fleet_targets``: job name -> file_sd target groups.
- ``fleet_job_auth``: job name -> ``{basic_auth, bearer, https, kind}``, what its targets ask of the scraper.
- ``fleet_job_http_settings`` (input: fleet_job_auth's answer): the basic_auth,
  authorization, tls_config and metrics_path the fleet adds to each job, and the errors.
- ``fleet_verify_checks``: ``[{job, kind, instances, min_targets}]`` per job with targets.
- ``fleet_errors``: what makes the targets impossible, naming host and field ([] when fine).
- ``fleet_targets_by_host``: host -> its targets, for reports (one model for all hosts).
- ``fleet_host_targets``: the targets of one host.
- ``fleet_gpu_holders``: ``[{instance, gpu, vllm_instance, model_name}]``, the GPUs vLLM instances hold.
- ``fleet_port`` (input: one host's hostvars entry): the effective port of a kind.
- ``vllm_gpu_errors`` (input: one host's vllm_instances): GPU indices repeated or
  shared between instances, parallel sizes that differ from the GPU count.
- ``vllm_arg_errors``: engine args the role sets itself, carries as secrets or refuses.
- ``vllm_public_instances``: the instances without secrets, for loops and messages.
- ``fleet_alertmanager_peers`` (input: hostvars, then the cluster's hosts and
  this host): ``address:port`` of the other Alertmanagers.
"""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

from ansible.errors import AnsibleFilterError
from ansible_collections.llmops.vllm_stack.plugins.module_utils import fleet


def _call(function, *args):
    try:
        return function(*args)
    except fleet.FleetError as exc:
        raise AnsibleFilterError(str(exc))


def fleet_targets(hostvars, groups, settings=None):
    """Job name -> file_sd target groups of every built-in job."""
    return _call(fleet.targets, hostvars, groups, settings)


def fleet_job_auth(hostvars, groups, settings=None):
    """Job name -> whether its targets want basic auth and serve TLS."""
    return _call(fleet.job_auth, hostvars, groups, settings)


def fleet_job_http_settings(auth, operator_settings, username, password_file, ca_file, bearer_file=''):
    """``{settings: {job: {basic_auth, tls_config}}, errors: [...]}`` from the fleet's credentials."""
    return fleet.job_http_settings(auth, operator_settings, username, password_file, ca_file, bearer_file)


def fleet_verify_checks(hostvars, groups, settings=None, kinds=None):
    """The targets the verify play expects, per job that has any."""
    return _call(fleet.verify_checks, hostvars, groups, settings, kinds)


def fleet_errors(hostvars, groups, settings=None):
    """The fleet model's errors, each naming the host and the field; [] when there are none."""
    return fleet.build(hostvars, groups, settings)['errors']


def fleet_targets_by_host(hostvars, groups, settings=None):
    """Host -> the targets Prometheus scrapes there."""
    return _call(fleet.targets_by_host, hostvars, groups, settings)


def fleet_host_targets(hostvars, groups, settings, host):
    """The targets Prometheus scrapes on one host."""
    return _call(fleet.host_targets, hostvars, groups, settings, host)


def fleet_port(host_vars, kind, host='this host'):
    """Effective port of ``kind`` (node, dcgm, alertmanager, prometheus) from one host's variables."""
    if kind not in fleet.SERVICES:
        raise AnsibleFilterError('fleet_port: unknown kind %r; expected one of %s' % (kind, ', '.join(sorted(fleet.SERVICES))))
    return _call(fleet.effective_port, host, host_vars, kind)


def vllm_gpu_errors(instances, host='this host'):
    """What is wrong with the GPUs of one host's vllm_instances ([] when fine)."""
    return fleet.gpu_errors(instances, host)


def vllm_arg_errors(instances, reserved, refused, host='this host'):
    """Refused or reserved engine args of one host's vllm_instances ([] when fine)."""
    return fleet.engine_arg_errors(instances, reserved, refused, host)


def vllm_public_instances(instances, secret_keys, secret_args):
    """The instances without secret fields, secret-bearing arg values hidden."""
    return fleet.public_instances(instances, secret_keys, secret_args)


def fleet_gpu_holders(hostvars, groups, settings=None):
    """``[{instance, gpu, vllm_instance, model_name}]``: which vLLM instance holds each GPU."""
    return _call(fleet.gpu_holders, hostvars, groups, settings)


def fleet_alertmanager_peers(hostvars, hosts, me):
    """``address:port`` of the cluster peers of ``me`` among ``hosts``."""
    return _call(fleet.alertmanager_peers, hostvars, hosts, me)


class FilterModule(object):
    def filters(self):
        return {
            'fleet_targets': fleet_targets,
            'fleet_job_auth': fleet_job_auth,
            'fleet_job_http_settings': fleet_job_http_settings,
            'fleet_verify_checks': fleet_verify_checks,
            'fleet_errors': fleet_errors,
            'fleet_host_targets': fleet_host_targets,
            'fleet_targets_by_host': fleet_targets_by_host,
            'fleet_port': fleet_port,
            'vllm_gpu_errors': vllm_gpu_errors,
            'vllm_arg_errors': vllm_arg_errors,
            'vllm_public_instances': vllm_public_instances,
            'fleet_alertmanager_peers': fleet_alertmanager_peers,
            'fleet_gpu_holders': fleet_gpu_holders,
        }
