# -*- coding: utf-8 -*-
# Copyright: (c) 2026, llmops contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""Test whether a value is a listen address without port.

The service roles build ``--web.listen-address=HOST:PORT`` from a
``*_listen_address`` and a ``*_port`` variable, bracketing IPv6 addresses
themselves. A listen address is therefore a bare IPv4 or IPv6 address
(``0.0.0.0``, ``::``, ``fe80::1%eth0``) or a host name (``localhost``,
``node-1.example.com``); ``0.0.0.0:9100``, ``[::]`` and URLs are not.
"""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import ipaddress
import re

# RFC 1123 labels; underscores are tolerated, as /etc/hosts names carry them.
_LABEL = re.compile(r"^[A-Za-z0-9_]([A-Za-z0-9_-]{0,61}[A-Za-z0-9_])?$")


def _is_ip_address(value):
    try:
        ipaddress.ip_address(value)
    except ValueError:
        return False
    return True


def _is_host_name(value):
    name = value[:-1] if value.endswith(".") else value
    if not name or len(name) > 253:
        return False
    labels = name.split(".")
    # An all-numeric last label would be a malformed IPv4 address, not a name.
    if labels[-1].isdigit():
        return False
    return all(_LABEL.match(label) for label in labels)


def listen_address(value):
    """True for an IPv4/IPv6 address or a host name, without port or brackets."""
    if not isinstance(value, str) or value != value.strip():
        return False
    return _is_ip_address(value) or _is_host_name(value)


class TestModule(object):
    def tests(self):
        return {"listen_address": listen_address}
