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
- ``endpoint_url`` (input: an endpoint a role published, ``{scheme, address,
  port}``, then the name to use for a wildcard or empty address, loopback by
  default): the URL a process on that host reaches it under. For HTTPS pass
  the host's name: its certificate names the host, not 127.0.0.1.
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


def endpoint_url(endpoint, wildcard_host='127.0.0.1'):
    """``scheme://address:port`` of a published endpoint; wildcard_host for a wildcard address."""
    address = str(endpoint.get('address') or '')
    if address in ('', '0.0.0.0', '::'):
        address = wildcard_host or '127.0.0.1'
    return '%s://%s' % (endpoint.get('scheme') or 'http', network.host_port(address, int(endpoint['port'])))


class FilterModule(object):
    def filters(self):
        return {
            'listen_address': listen_address,
            'first_ip': first_ip,
            'host_port': host_port,
            'endpoint_url': endpoint_url,
        }
