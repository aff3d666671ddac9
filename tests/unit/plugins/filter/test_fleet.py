# -*- coding: utf-8 -*-
# Copyright: (c) 2026, llmops contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""The fleet filters: what the prometheus role, site.yml and report.yml call."""

from __future__ import absolute_import, division, print_function
__metaclass__ = type

import pytest
import yaml

from ansible.errors import AnsibleFilterError
from ansible_collections.llmops.vllm_stack.plugins.filter.fleet import (
    FilterModule,
    fleet_errors,
    fleet_host_targets,
    fleet_port,
    fleet_targets,
    fleet_targets_by_host,
    fleet_verify_checks,
)

HOSTVARS = {
    'gpu-1': {'inventory_hostname': 'gpu-1', 'ansible_host': 'fd00::11', 'node_exporter_endpoint': {'port': 9110, 'scheme': 'http'},
              'vllm_instances': [{'name': 'llama', 'port': 8000, 'gpus': [0]}, {'name': 'qwen', 'port': 8001, 'gpus': [1]}]},
    'mon': {'inventory_hostname': 'mon', 'prometheus_port': 9091, 'prometheus_rules_job_node': 'host'},
}
GROUPS = {'all': ['gpu-1', 'mon'], 'vllm_servers': ['gpu-1'], 'monitoring': ['mon']}


def test_filters_are_registered():
    assert sorted(FilterModule().filters()) == [
        'fleet_alertmanager_peers', 'fleet_errors', 'fleet_gpu_holders', 'fleet_host_targets', 'fleet_job_auth',
        'fleet_job_http_settings', 'fleet_port',
        'fleet_targets', 'fleet_targets_by_host', 'fleet_verify_checks',
        'vllm_arg_errors', 'vllm_gpu_errors', 'vllm_public_instances']


def test_gpu_errors_filter_names_the_host():
    instances = [{'name': 'a', 'gpus': [0]}, {'name': 'b', 'gpus': [0]}]
    assert FilterModule().filters()['vllm_gpu_errors'](instances, 'gpu-1') == [
        "vllm_instances of gpu-1: GPU 0 is in the gpus of both 'a' and 'b'; an instance needs GPUs of its own"]


def test_targets_are_file_sd_yaml():
    targets = fleet_targets(HOSTVARS, GROUPS, HOSTVARS['mon'])
    # Settings read from a host's vars: the job name set for the monitoring host counts.
    assert list(targets) == ['host', 'vllm', 'dcgm', 'alertmanager', 'prometheus', 'litellm']
    # No gateway group: the litellm job has no targets.
    assert targets['litellm'] == []
    assert yaml.safe_load(yaml.safe_dump(targets['vllm'])) == [
        {'targets': ['[fd00::11]:8000'], 'labels': {'instance': 'gpu-1', 'vllm_instance': 'llama'}},
        {'targets': ['[fd00::11]:8001'], 'labels': {'instance': 'gpu-1', 'vllm_instance': 'qwen'}},
    ]
    assert targets['host'][0] == {'targets': ['[fd00::11]:9110'], 'labels': {'instance': 'gpu-1'}}
    assert targets['prometheus'] == [{'targets': ['mon:9091'], 'labels': {'instance': 'mon'}}]


def test_verify_checks_for_chosen_kinds():
    checks = fleet_verify_checks(HOSTVARS, GROUPS, HOSTVARS['mon'], ['node', 'vllm'])
    assert checks == [
        {'job': 'host', 'kind': 'node', 'instances': ['gpu-1', 'mon'], 'min_targets': 2},
        {'job': 'vllm', 'kind': 'vllm', 'instances': ['gpu-1'], 'min_targets': 2},
    ]


def test_host_targets():
    assert [t['target'] for t in fleet_host_targets(HOSTVARS, GROUPS, {}, 'mon')] == ['mon:9100', 'mon:9093', 'mon:9091']
    assert fleet_host_targets(HOSTVARS, GROUPS, {}, 'nowhere') == []
    by_host = fleet_targets_by_host(HOSTVARS, GROUPS, {})
    assert sorted(by_host) == ['gpu-1', 'mon']
    assert [(t['job'], t['labels'].get('vllm_instance')) for t in by_host['gpu-1']] == [
        ('node', None), ('vllm', 'llama'), ('vllm', 'qwen'), ('dcgm', None)]


def test_errors_are_a_list_and_the_other_filters_fail_with_them():
    hostvars = dict(HOSTVARS, **{'gpu-2': {'vllm_instances': [{'name': 'a', 'port': 8000}, {'name': 'b', 'port': 8000}]}})
    groups = dict(GROUPS, vllm_servers=['gpu-1', 'gpu-2'])
    assert fleet_errors(HOSTVARS, GROUPS, {}) == []
    assert fleet_errors(hostvars, groups, {}) == [
        "vllm_instances of gpu-2: port 8000 is used by 'a' and 'b'; each instance needs its own port"]
    with pytest.raises(AnsibleFilterError, match='vllm_instances of gpu-2: port 8000'):
        fleet_targets(hostvars, groups, {})
    with pytest.raises(AnsibleFilterError, match='vllm_instances of gpu-2: port 8000'):
        fleet_verify_checks(hostvars, groups, {})


def test_port_of_one_host():
    assert fleet_port(HOSTVARS['mon'], 'prometheus') == 9091
    assert fleet_port(HOSTVARS['mon'], 'alertmanager') == 9093
    assert fleet_port(HOSTVARS['gpu-1'], 'node') == 9110
    with pytest.raises(AnsibleFilterError, match='unknown kind'):
        fleet_port(HOSTVARS['mon'], 'vllm')
    with pytest.raises(AnsibleFilterError, match='host mon: prometheus_port must be a TCP port'):
        fleet_port({'prometheus_port': 0}, 'prometheus', 'mon')


def test_alertmanager_peers_filter_names_the_variable():
    peers = FilterModule().filters()['fleet_alertmanager_peers']
    assert peers(HOSTVARS, ['mon', 'gpu-1'], 'mon') == ['[fd00::11]:9094']
    with pytest.raises(AnsibleFilterError, match='alertmanager_cluster_hosts must be a list'):
        peers(HOSTVARS, 'mon', 'mon')


# The LiteLLM gateway: hosts of the gateway group, its published port, and a
# bearer key for /metrics unless the gateway turned that off.
GATEWAY_GROUPS = dict(GROUPS, gateway=['gw-1', 'gw-2', 'gw-3'])
GATEWAY_HOSTVARS = dict(HOSTVARS, **{
    'gw-1': {'litellm_endpoint': {'port': 4100, 'scheme': 'http', 'address': '10.0.0.5', 'metrics_auth': True}},
    'gw-2': {'litellm_require_auth_for_metrics': 'false'},
    'gw-3': {'litellm_port': 4001},
})


def test_gateway_hosts_are_the_litellm_job():
    targets = fleet_targets(GATEWAY_HOSTVARS, GATEWAY_GROUPS, {})
    assert targets['litellm'] == [
        {'targets': ['10.0.0.5:4100'], 'labels': {'instance': 'gw-1'}},
        {'targets': ['gw-2:4000'], 'labels': {'instance': 'gw-2'}},
        {'targets': ['gw-3:4001'], 'labels': {'instance': 'gw-3'}},
    ]
    assert fleet_port(GATEWAY_HOSTVARS['gw-3'], 'litellm') == 4001


def test_gateway_metrics_want_the_key_unless_turned_off():
    auth = FilterModule().filters()['fleet_job_auth']
    hosts = {'gw-2': GATEWAY_HOSTVARS['gw-2']}
    assert auth(hosts, {'gateway': ['gw-2']}, {})['litellm']['bearer'] is False
    # Published endpoint, then the host's variable, then the role default (on).
    assert auth({'gw-2': {'litellm_require_auth_for_metrics': False,
                          'litellm_endpoint': {'port': 4000, 'metrics_auth': True}}},
                {'gateway': ['gw-2']}, {})['litellm']['bearer'] is True
    assert auth({'gw-3': {}}, {'gateway': ['gw-3']}, {})['litellm'] == {
        'basic_auth': False, 'bearer': True, 'https': False, 'kind': 'litellm'}


def test_gateway_job_gets_the_key_file_and_its_metrics_path():
    filters = FilterModule().filters()
    auth = filters['fleet_job_auth'](GATEWAY_HOSTVARS, GATEWAY_GROUPS, {})
    result = filters['fleet_job_http_settings'](auth, {}, '', '', '', '/etc/prometheus/secrets/litellm_master_key')
    assert result['errors'] == []
    assert result['settings']['litellm'] == {
        'metrics_path': '/metrics/',
        'authorization': {'type': 'Bearer', 'credentials_file': '/etc/prometheus/secrets/litellm_master_key'}}
    # No other job gets either.
    assert 'vllm' not in result['settings']


def test_gateway_job_without_a_key_is_an_error_naming_the_variables():
    filters = FilterModule().filters()
    auth = filters['fleet_job_auth'](GATEWAY_HOSTVARS, GATEWAY_GROUPS, {})
    result = filters['fleet_job_http_settings'](auth, {}, '', '', '')
    assert len(result['errors']) == 1
    assert 'job litellm' in result['errors'][0]
    assert 'prometheus_litellm_metrics_secret' in result['errors'][0]
    assert 'litellm_require_auth_for_metrics' in result['errors'][0]
    # The operator's own authorization wins, and needs no secret of ours.
    own = {'litellm': {'authorization': {'credentials_file': '/srv/key'}}}
    result = filters['fleet_job_http_settings'](auth, own, '', '', '')
    assert result['errors'] == []
    assert result['settings']['litellm'] == {'metrics_path': '/metrics/'}


def test_gateway_job_without_metrics_auth_needs_no_key():
    filters = FilterModule().filters()
    hosts = {'gw-2': GATEWAY_HOSTVARS['gw-2']}
    auth = filters['fleet_job_auth'](hosts, {'gateway': ['gw-2']}, {})
    result = filters['fleet_job_http_settings'](auth, {}, '', '', '')
    assert result == {'settings': {'litellm': {'metrics_path': '/metrics/'}}, 'errors': []}


def test_gateway_verify_checks():
    checks = fleet_verify_checks(GATEWAY_HOSTVARS, GATEWAY_GROUPS, {}, ['litellm'])
    assert checks == [{'job': 'litellm', 'kind': 'litellm', 'instances': ['gw-1', 'gw-2', 'gw-3'], 'min_targets': 3}]


def test_gpu_holders_filter():
    # The instances of gpu-1 name no model: the label is empty, not missing.
    assert FilterModule().filters()['fleet_gpu_holders'](HOSTVARS, GROUPS) == [
        {'instance': 'gpu-1', 'gpu': '0', 'vllm_instance': 'llama', 'model_name': ''},
        {'instance': 'gpu-1', 'gpu': '1', 'vllm_instance': 'qwen', 'model_name': ''},
    ]
