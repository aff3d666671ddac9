# -*- coding: utf-8 -*-
# Copyright: (c) 2026, llmops contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""Addresses from ``vllm_stack_internal_network`` (plugins/module_utils/network.py).

- ``listen_address`` (input: the host's ``ansible_facts``, then the network,
  the default and the host's name): the host's address in the network, or
  the default (``0.0.0.0``) when the network is empty. Fails naming the
  variable when the network is set and the host has no address in it.
- ``first_ip`` (input: a list of candidates): the first that is an IP address
  and not a wildcard, else ''.
- ``host_port`` (input: an address, then the port): ``address:port``, an IPv6
  address in brackets.
"""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

from ansible.errors import AnsibleFilterError
from ansible_collections.llmops.vllm_stack.plugins.module_utils import network


def listen_address(facts, internal_network, default='0.0.0.0', host='this host'):
    """The address a listener binds to: the host's address in the network, else default."""
    try:
        return network.listen_address(facts, internal_network, default, host)
    except network.NetworkError as exc:
        raise AnsibleFilterError(str(exc))


def first_ip(candidates):
    """The first candidate that is an IP address and not a wildcard, else ''."""
    return network.first_ip(candidates)


def host_port(address, port):
    """``address:port``, an IPv6 address in brackets."""
    return network.host_port(address, port)


class FilterModule(object):
    def filters(self):
        return {
            'listen_address': listen_address,
            'first_ip': first_ip,
            'host_port': host_port,
        }
