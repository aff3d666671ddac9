# -*- coding: utf-8 -*-
# Copyright: (c) 2026, llmops contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""The network filters the roles' listen-address defaults call."""

from __future__ import absolute_import, division, print_function
__metaclass__ = type

import pytest

from ansible.errors import AnsibleFilterError
from ansible_collections.llmops.vllm_stack.plugins.filter.network import FilterModule

FILTERS = FilterModule().filters()


def test_filters_are_registered():
    assert sorted(FILTERS) == ['endpoint_url', 'first_ip', 'host_port', 'listen_address']


def test_listen_address_from_the_facts():
    facts = {'all_ipv4_addresses': ['192.0.2.4', '10.40.0.4']}
    assert FILTERS['listen_address'](facts, '10.40.0.0/16', '0.0.0.0', 'gpu-01') == '10.40.0.4'
    assert FILTERS['listen_address'](facts, '', '0.0.0.0', 'gpu-01') == '0.0.0.0'


def test_listen_address_failure_is_a_filter_error_naming_the_variable():
    with pytest.raises(AnsibleFilterError, match='vllm_stack_internal_network is 10.99.0.0/16, but no address of gpu-01'):
        FILTERS['listen_address']({'all_ipv4_addresses': ['192.0.2.4']}, '10.99.0.0/16', '0.0.0.0', 'gpu-01')


def test_cluster_listen_address_default_shape():
    # alertmanager_cluster_listen_address's default: the first IP, with the port.
    assert FILTERS['host_port'](FILTERS['first_ip'](['0.0.0.0', 'mon-01', '10.40.0.9']), 9094) == '10.40.0.9:9094'
    assert FILTERS['host_port'](FILTERS['first_ip'](['0.0.0.0', 'mon-01']), 9094) == ':9094'


@pytest.mark.parametrize('endpoint, url', [
    ({'scheme': 'http', 'address': '0.0.0.0', 'port': 9090}, 'http://127.0.0.1:9090'),
    ({'scheme': 'https', 'address': '', 'port': '9093'}, 'https://127.0.0.1:9093'),
    ({'scheme': 'http', 'address': '::', 'port': 9090}, 'http://127.0.0.1:9090'),
    ({'scheme': 'http', 'address': '10.40.0.4', 'port': 9090}, 'http://10.40.0.4:9090'),
    ({'scheme': 'http', 'address': 'fd00::4', 'port': 9090}, 'http://[fd00::4]:9090'),
    ({'address': 'mon-01', 'port': 3000}, 'http://mon-01:3000'),
])
def test_endpoint_url(endpoint, url):
    assert FILTERS['endpoint_url'](endpoint) == url


def test_endpoint_url_names_the_host_for_a_certificate():
    endpoint = {'scheme': 'https', 'address': '0.0.0.0', 'port': 9090}
    assert FILTERS['endpoint_url'](endpoint, 'mon-01.example.internal') == 'https://mon-01.example.internal:9090'
    assert FILTERS['endpoint_url'](dict(endpoint, address='10.40.0.4'), 'mon-01') == 'https://10.40.0.4:9090'
