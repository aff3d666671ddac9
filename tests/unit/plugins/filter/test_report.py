# -*- coding: utf-8 -*-
# Copyright: (c) 2026, llmops contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""The fleet_service_table filter: the report's table from hostvars and the module's targets."""

from __future__ import absolute_import, division, print_function
__metaclass__ = type

import re

import pytest
from ansible.errors import AnsibleFilterError

from ansible_collections.llmops.vllm_stack.plugins.filter.report import FilterModule, fleet_service_table

HOSTVARS = {
    'vllm-1': {'inventory_hostname': 'vllm-1', 'ansible_connection': 'community.docker.docker',
               'ansible_facts': {'default_ipv4': {'address': '172.18.0.2'}},
               'vllm_instances': [{'name': 'tiny', 'model': '/models/tiny', 'served_model_name': 'tiny', 'port': 8000}]},
    'mon-1': {'inventory_hostname': 'mon-1', 'ansible_host': '127.0.0.1'},
}
GROUPS = {'all': ['mon-1', 'vllm-1'], 'vllm_servers': ['vllm-1'], 'monitoring': ['mon-1'], 'gateway': []}


def test_table_of_the_fleet():
    lines = fleet_service_table(HOSTVARS, GROUPS, {}, [
        {'job': 'vllm', 'labels': {'instance': 'vllm-1', 'vllm_instance': 'tiny'}, 'healthy': True, 'reason': ''},
        {'job': 'node', 'labels': {'instance': 'vllm-1'}, 'healthy': False, 'reason': 'connection refused'},
    ], [{'service': 'Grafana', 'host': 'mon-1', 'port': 3000, 'health': 'not a scrape target'}])
    assert lines[0].split()[:3] == ['service', 'host', 'url']
    body = '\n'.join(lines)
    assert re.search(r'vLLM tiny +vllm-1 +http://172\.18\.0\.2:8000/v1/models +up$', body, re.M)
    assert 'http://127.0.0.1:3000/' in body and 'http://127.0.0.1:9090/' in body
    assert re.search(r'http://172\.18\.0\.2:9100/metrics +down: connection refused$', body, re.M)
    assert re.search(r'http://127\.0\.0\.1:9100/metrics +not scraped$', body, re.M)


def test_bad_fleet_names_the_field():
    bad = dict(HOSTVARS, **{'vllm-1': dict(HOSTVARS['vllm-1'], vllm_instances=[{'name': 'x', 'port': 'eighty'}])})
    with pytest.raises(AnsibleFilterError, match='vllm-1'):
        fleet_service_table(bad, GROUPS, {}, [])


def test_registered():
    assert 'fleet_service_table' in FilterModule().filters()
