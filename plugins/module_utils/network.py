# -*- coding: utf-8 -*-
# Copyright: (c) 2026, llmops contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)

"""Which address of a host is its internal one, and what its listeners bind to.

``vllm_stack_internal_network`` (a CIDR, empty by default) is the one setting
that moves every listener of the collection off the wildcard address: each
role's listen address defaults to the host's address in that network, read
from its facts. Empty, listeners bind every interface as before.

Pure Python, no Ansible imports: the filter plugin ``network`` wraps it.
"""

from __future__ import absolute_import, division, print_function
__metaclass__ = type

import ipaddress
from collections.abc import Mapping

WILDCARDS = ('', '0.0.0.0', '::', '[::]')


class NetworkError(ValueError):
    """The setting or the facts cannot give an address; the message names the variable."""


def parse_network(network, var='vllm_stack_internal_network'):
    """Return an ip_network for ``network``, None when it is empty."""
    if network in (None, ''):
        return None
    if not isinstance(network, str):
        raise NetworkError('%s must be a network in CIDR notation such as 10.40.0.0/16, got %r' % (var, network))
    try:
        return ipaddress.ip_network(network.strip(), strict=False)
    except ValueError:
        raise NetworkError('%s must be a network in CIDR notation such as 10.40.0.0/16, got %r' % (var, network))


def _addresses(facts):
    """Every address in the facts, default route's first, without duplicates."""
    found = []
    if not isinstance(facts, Mapping):
        return found
    for family in ('default_ipv4', 'default_ipv6'):
        entry = facts.get(family)
        if isinstance(entry, Mapping) and entry.get('address'):
            found.append(str(entry['address']))
    for key in ('all_ipv4_addresses', 'all_ipv6_addresses'):
        values = facts.get(key)
        if isinstance(values, (list, tuple)):
            found.extend(str(v) for v in values)
    unique = []
    for address in found:
        if address not in unique:
            unique.append(address)
    return unique


def internal_address(facts, network, host='this host', var='vllm_stack_internal_network'):
    """The host's address in ``network`` (default route's first); None when ``network`` is empty.

    Raises NetworkError naming the variable and the host when the facts hold
    no address in the network (or no addresses at all: facts not gathered).
    """
    net = parse_network(network, var)
    if net is None:
        return None
    addresses = _addresses(facts)
    if not addresses:
        raise NetworkError('%s is %s, but %s has no network facts to find its address in it: gather facts '
                           '(gather_facts: true, or ansible.builtin.setup with gather_subset network)'
                           % (var, network, host))
    for address in addresses:
        try:
            ip = ipaddress.ip_address(address.split('%')[0])
        except ValueError:
            continue
        if ip.version == net.version and ip in net:
            return str(ip)
    raise NetworkError('%s is %s, but no address of %s is in it (it has %s)'
                       % (var, network, host, ', '.join(addresses)))


def listen_address(facts, network, default='0.0.0.0', host='this host'):
    """What a listener binds to: the internal address, else ``default``."""
    address = internal_address(facts, network, host)
    return default if address is None else address


def is_wildcard(address):
    return address is None or str(address).strip() in WILDCARDS


def first_ip(candidates):
    """The first candidate that is an IP address and not a wildcard, else ''."""
    for candidate in candidates or []:
        if candidate is None or is_wildcard(candidate):
            continue
        text = str(candidate).strip().strip('[]')
        try:
            ipaddress.ip_address(text)
        except ValueError:
            continue
        return text
    return ''


def bracketed(address):
    """The address as it goes before ``:port``: an IPv6 address in brackets."""
    text = str(address).strip()
    if ':' in text and not text.startswith('['):
        text = '[%s]' % text
    return text


def host_port(address, port):
    """``address:port``, with brackets around an IPv6 address."""
    return '%s:%s' % (bracketed(address), port)
