# -*- coding: utf-8 -*-
# Copyright: (c) 2026, llmops contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""The fleet report's rows and table, from the fleet model and the module's result."""

from __future__ import absolute_import, division, print_function
__metaclass__ = type

from ansible_collections.llmops.vllm_stack.plugins.module_utils import fleet, report

HOSTVARS = {
    'gpu-1': {'inventory_hostname': 'gpu-1', 'ansible_host': 'gpu-1.internal',
              'vllm_instances': [{'name': 'llama', 'model': 'm/llama', 'served_model_name': 'llama', 'port': 8000, 'gpus': []}]},
    'mon': {'inventory_hostname': 'mon', 'node_exporter_endpoint': {'port': 9100, 'scheme': 'https'}},
}
GROUPS = {'all': ['gpu-1', 'mon'], 'vllm_servers': ['gpu-1'], 'monitoring': ['mon'], 'gateway': []}


def health(job, instance, healthy, reason='', vllm_instance=None):
    labels = {'job': job, 'instance': instance}
    if vllm_instance:
        labels['vllm_instance'] = vllm_instance
    return {'job': job, 'labels': labels, 'healthy': healthy, 'reason': reason}


def test_rows_name_each_service_with_url_and_health():
    by_host = fleet.targets_by_host(HOSTVARS, GROUPS)
    # Reached from the controller: gpu-1 a container at its facts' address, mon over ssh at ansible_host.
    reached = {'gpu-1': dict(HOSTVARS['gpu-1'], ansible_connection='community.docker.docker',
                             ansible_facts={'default_ipv4': {'address': '172.18.0.2'}}),
               'mon': dict(HOSTVARS['mon'], ansible_host='fd00::3')}
    rows = report.service_rows(
        by_host,
        [health('node', 'gpu-1', True), health('vllm', 'gpu-1', False, 'connection refused', 'llama'),
         health('node', 'mon', True), health('prometheus', 'mon', True)],
        reached,
        [{'service': 'Grafana', 'host': 'mon', 'port': 3000, 'health': 'serves 5 dashboards'}])
    table = {(r['service'], r['host']): (r['url'], r['scrape health']) for r in rows}
    assert table[('vLLM llama', 'gpu-1')] == ('http://172.18.0.2:8000/v1/models', 'down: connection refused')
    assert table[('node_exporter', 'gpu-1')] == ('http://172.18.0.2:9100/metrics', 'up')
    # TLS where the service published it; IPv6 in brackets.
    assert table[('node_exporter', 'mon')] == ('https://[fd00::3]:9100/metrics', 'up')
    assert table[('Prometheus', 'mon')] == ('http://[fd00::3]:9090/', 'up')
    # A target the module did not return (not yet scraped, or its job not checked).
    assert table[('Alertmanager', 'mon')] == ('http://[fd00::3]:9093/', 'not scraped')
    assert table[('Grafana', 'mon')] == ('http://[fd00::3]:3000/', 'serves 5 dashboards')
    assert [r['host'] for r in rows] == sorted(r['host'] for r in rows)


def test_rows_fall_back_to_the_host_name():
    rows = report.service_rows({'a': [{'job': 'node', 'kind': 'node', 'target': 'a:9100', 'labels': {'instance': 'a'}}]}, [], {})
    assert rows == [{'service': 'node_exporter', 'host': 'a', 'url': 'http://a:9100/metrics', 'scrape health': 'not scraped'}]


def test_table_is_aligned():
    lines = report.format_table([{'service': 'vLLM llama', 'host': 'gpu-1', 'url': 'http://x:8000/v1/models', 'scrape health': 'up'},
                                 {'service': 'Prometheus', 'host': 'monitoring-1', 'url': 'http://y:9090/', 'scrape health': 'up'}])
    assert lines[0].split() == ['service', 'host', 'url', 'scrape', 'health']
    assert set(lines[1]) == {'-', ' '}
    assert lines[2].index('gpu-1') == lines[3].index('monitoring-1') == lines[0].index('host')
    assert lines[2].index('http://x') == lines[0].index('url')


def test_reach_address_containers_by_ip_other_hosts_as_ansible_connects():
    facts = {'ansible_facts': {'default_ipv4': {'address': '172.18.0.9'}}}
    # ssh: what Ansible connects to, never a facts address that may be internal.
    assert report.reach_address('h', dict(facts, ansible_host='10.0.0.5')) == '10.0.0.5'
    assert report.reach_address('h', facts) == 'h'
    # A container through docker exec: its name resolves on its network only.
    docker = dict(facts, ansible_connection='community.docker.docker', ansible_host='h')
    assert report.reach_address('h', docker) == '172.18.0.9'
    assert report.reach_address('h', {'ansible_connection': 'containers.podman.podman',
                                      'ansible_default_ipv4': {'address': '10.88.0.4'}}) == '10.88.0.4'
    assert report.reach_address('h', {'ansible_connection': 'community.docker.docker'}) == 'h'
    rows = report.service_rows({'h': [{'job': 'node', 'kind': 'node', 'target': 'h:9100', 'labels': {'instance': 'h'}}]}, [],
                               hostvars={'h': docker})
    assert rows[0]['url'] == 'http://172.18.0.9:9100/metrics'


CHAT_HOSTVARS = {
    'vllm-1': {'ansible_connection': 'community.docker.docker',
               'vllm_instances': [{'name': 'tiny', 'model': '/models/tiny', 'served_model_name': 'tiny-llama', 'port': 8000}]},
    'gw-1': {'ansible_connection': 'community.docker.docker', 'ansible_host': 'gw-1',
             'ansible_facts': {'default_ipv4': {'address': '172.18.0.3'}}},
}


def test_chat_example_through_the_gateway_reads_the_key_there():
    lines = report.chat_example(CHAT_HOSTVARS, {'vllm_servers': ['vllm-1'], 'gateway': ['gw-1']})
    assert lines[1] == ("KEY=$(docker exec gw-1 sh -c '. /etc/llmops-vllm-stack/containers/litellm.secret"
                        " && printf %s \"$LITELLM_MASTER_KEY\"')")
    assert lines[2].startswith('curl -sS http://172.18.0.3:4000/v1/chat/completions -H "Authorization: Bearer $KEY"')
    assert '"model": "tiny-llama"' in lines[2]


def test_chat_example_over_ssh_and_without_gateway():
    ssh = dict(CHAT_HOSTVARS, **{'gw-1': {'ansible_host': 'gw.internal', 'ansible_user': 'ops', 'litellm_port': 4443}})
    lines = report.chat_example(ssh, {'vllm_servers': ['vllm-1'], 'gateway': ['gw-1']})
    assert lines[1].startswith('KEY=$(ssh ops@gw.internal "sudo sh -c') and '\\$LITELLM_MASTER_KEY' in lines[1]
    assert 'http://gw.internal:4443/v1/chat/completions' in lines[2]
    direct = report.chat_example(CHAT_HOSTVARS, {'vllm_servers': ['vllm-1'], 'gateway': []})
    assert 'http://vllm-1:8000/v1/chat/completions' in direct[1] and 'Authorization' not in direct[1]
    assert report.chat_example({}, {'vllm_servers': []}) == []
