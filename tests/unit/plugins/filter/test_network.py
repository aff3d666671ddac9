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
    assert sorted(FILTERS) == ['first_ip', 'host_port', 'listen_address']


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
