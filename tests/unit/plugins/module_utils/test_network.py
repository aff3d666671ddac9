# -*- coding: utf-8 -*-
# Copyright: (c) 2026, llmops contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""vllm_stack_internal_network: the address listeners bind to, from the host's facts."""

from __future__ import absolute_import, division, print_function
__metaclass__ = type

import pytest

from ansible_collections.llmops.vllm_stack.plugins.module_utils import network

# The shape of ansible_facts on a host with a public, an internal and a docker address.
FACTS = {
    'default_ipv4': {'address': '203.0.113.7', 'interface': 'eno1'},
    'all_ipv4_addresses': ['203.0.113.7', '10.40.3.21', '172.17.0.1'],
    'all_ipv6_addresses': ['fe80::1%eno1', 'fd00:40::21'],
}


def test_empty_network_keeps_the_wildcard_without_facts():
    assert network.internal_address({}, '') is None
    assert network.listen_address({}, '') == '0.0.0.0'
    assert network.listen_address(None, None, default='') == ''


@pytest.mark.parametrize('cidr, expected', [
    ('10.40.0.0/16', '10.40.3.21'),
    ('10.40.3.21/32', '10.40.3.21'),
    ('10.40.1.1/16', '10.40.3.21'),  # host bits set: still the network
    ('203.0.113.0/24', '203.0.113.7'),
    ('fd00:40::/64', 'fd00:40::21'),
])
def test_the_address_in_the_network(cidr, expected):
    assert network.listen_address(FACTS, cidr) == expected


def test_the_default_route_wins_when_two_addresses_are_in_the_network():
    facts = dict(FACTS, default_ipv4={'address': '10.40.9.9'}, all_ipv4_addresses=['10.40.3.21', '10.40.9.9'])
    assert network.internal_address(facts, '10.40.0.0/16') == '10.40.9.9'


def test_no_address_in_the_network_names_the_variable_the_host_and_its_addresses():
    with pytest.raises(network.NetworkError) as exc:
        network.listen_address(FACTS, '192.168.0.0/16', host='gpu-01')
    message = str(exc.value)
    assert 'vllm_stack_internal_network is 192.168.0.0/16' in message
    assert 'gpu-01' in message and '10.40.3.21' in message


def test_missing_facts_say_to_gather_them():
    with pytest.raises(network.NetworkError, match='gather facts'):
        network.listen_address({}, '10.40.0.0/16', host='gpu-01')


@pytest.mark.parametrize('bad', ['10.40.0.0/33', 'internal', 42, ['10.0.0.0/8']])
def test_a_bad_network_names_the_variable(bad):
    with pytest.raises(network.NetworkError, match='vllm_stack_internal_network must be a network in CIDR'):
        network.listen_address(FACTS, bad)


def test_first_ip_skips_wildcards_and_names():
    assert network.first_ip(['0.0.0.0', 'mon-01.example.internal', '', None, '10.40.0.5', '10.0.0.1']) == '10.40.0.5'
    assert network.first_ip(['::', '[fd00::5]']) == 'fd00::5'
    assert network.first_ip(['0.0.0.0', 'mon-01']) == ''


def test_host_port_brackets_ipv6():
    assert network.host_port('10.40.0.5', 9094) == '10.40.0.5:9094'
    assert network.host_port('fd00::5', 9094) == '[fd00::5]:9094'
    assert network.host_port('[fd00::5]', 9094) == '[fd00::5]:9094'
    assert network.host_port('mon-01', 9094) == 'mon-01:9094'
