# -*- coding: utf-8 -*-
# Copyright: (c) 2026, llmops contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""Checks of the alertmanager role's routing settings, before anything is written.

``alertmanager_config_errors(route, receivers)``: what is wrong with
``alertmanager_route`` and ``alertmanager_receivers``, each message naming the
variable and the place inside it (``alertmanager_route.routes[1].receiver``),
never a value that could be a secret (URLs, keys). ``[]`` when fine. amtool
checks the rendered file again before it replaces the old one; this names
the variable where amtool would name a line of a generated file.

``alertmanager_receivers_direct(receivers, no_proxy)``: the receivers with
``http_config: {}`` added to each integration whose URL no_proxy (or
loopback) exempts from the proxy and that has no http_config of its own.
Alertmanager 0.25 (Debian 12's) has one proxy for every receiver without an
http_config (the global ``proxy_url``) and knows neither ``no_proxy`` nor
``proxy_from_environment`` there, so a webhook on this host or inside the
fleet would otherwise be sent to the corporate proxy.
"""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import ipaddress
from collections.abc import Mapping
from urllib.parse import urlsplit

from ansible.errors import AnsibleFilterError

# Receiver integrations of Alertmanager 0.25 to 0.28 (config.Receiver).
RECEIVER_KEYS = frozenset((
    'email_configs', 'pagerduty_configs', 'slack_configs', 'webhook_configs', 'opsgenie_configs',
    'wechat_configs', 'pushover_configs', 'victorops_configs', 'sns_configs', 'telegram_configs',
    'discord_configs', 'webex_configs', 'msteams_configs', 'msteamsv2_configs', 'jira_configs',
    'rocketchat_configs',
))


def _route_errors(route, where, names, errors):
    if not isinstance(route, Mapping):
        errors.append('%s must be a mapping (a route)' % where)
        return
    receiver = route.get('receiver')
    if receiver is not None and receiver not in names:
        errors.append('%s.receiver %r is not the name of one of alertmanager_receivers (%s)'
                      % (where, receiver, ', '.join(sorted(names)) or 'none'))
    children = route.get('routes')
    if children is None:
        return
    if not isinstance(children, list):
        errors.append('%s.routes must be a list of routes' % where)
        return
    for index, child in enumerate(children):
        _route_errors(child, '%s.routes[%d]' % (where, index), names, errors)


def alertmanager_config_errors(route, receivers):
    """Problems of the route tree and the receivers, each naming where it is."""
    errors = []
    names = set()
    if not isinstance(receivers, list):
        raise AnsibleFilterError('alertmanager_config_errors: alertmanager_receivers must be a list, got %s'
                                 % type(receivers).__name__)
    for index, receiver in enumerate(receivers):
        where = 'alertmanager_receivers[%d]' % index
        if not isinstance(receiver, Mapping) or not isinstance(receiver.get('name'), str) or not receiver.get('name'):
            errors.append('%s needs a name' % where)
            continue
        where = '%s (%s)' % (where, receiver['name'])
        if receiver['name'] in names:
            errors.append('%s: the name is used by another receiver' % where)
        names.add(receiver['name'])
        unknown = sorted(set(receiver) - RECEIVER_KEYS - set(['name']))
        if unknown:
            errors.append('%s: unknown receiver type(s) %s; Alertmanager knows %s'
                          % (where, ', '.join(unknown), ', '.join(sorted(RECEIVER_KEYS))))
        for key in sorted(set(receiver) & RECEIVER_KEYS):
            if not isinstance(receiver[key], list) or not all(isinstance(c, Mapping) for c in receiver[key]):
                errors.append('%s: %s must be a list of mappings' % (where, key))
    if not isinstance(route, Mapping) or not route.get('receiver'):
        errors.append('alertmanager_route needs a receiver (the default for every alert)')
    _route_errors(route, 'alertmanager_route', names, errors)
    return errors


# Keys of an integration that hold the URL it posts to (webhook, Slack,
# Discord, Teams, Rocket.Chat, ...).
URL_KEYS = ('url', 'api_url', 'webhook_url')


def _bypasses_proxy(host, port, no_proxy):
    """Whether Go's net/http (golang.org/x/net/http/httpproxy) sends to host:port without the proxy."""
    host = host.lower().strip('[]')
    if host == 'localhost':
        return True
    try:
        address = ipaddress.ip_address(host)
    except ValueError:
        address = None
    if address is not None and address.is_loopback:
        return True
    for entry in [e.strip().lower() for e in str(no_proxy or '').split(',') if e.strip()]:
        if entry == '*':
            return True
        if '/' in entry:
            try:
                if address is not None and address in ipaddress.ip_network(entry, strict=False):
                    return True
            except ValueError:
                pass
            continue
        entry_host, entry_port = entry, ''
        if entry.count(':') == 1 or entry.startswith('['):
            entry_host, _sep, entry_port = entry.rpartition(':')
            entry_host = entry_host.strip('[]')
        if entry_port and entry_port != port:
            continue
        if address is not None:
            try:
                if address == ipaddress.ip_address(entry_host):
                    return True
            except ValueError:
                pass
            continue
        if entry_host.startswith('*.'):
            entry_host = entry_host[1:]
        if entry_host.startswith('.'):
            if host.endswith(entry_host):
                return True
        elif host == entry_host or host.endswith('.' + entry_host):
            return True
    return False


def alertmanager_receivers_direct(receivers, no_proxy=''):
    """``receivers`` with ``http_config: {}`` on each integration whose URL goes direct by no_proxy."""
    if not isinstance(receivers, list):
        raise AnsibleFilterError('alertmanager_receivers_direct: receivers must be a list, got %s'
                                 % type(receivers).__name__)
    result = []
    for receiver in receivers:
        if not isinstance(receiver, Mapping):
            result.append(receiver)
            continue
        receiver = dict(receiver)
        for key in sorted(set(receiver) & RECEIVER_KEYS):
            if not isinstance(receiver[key], list):
                continue
            configs = []
            for config in receiver[key]:
                url = next((config.get(k) for k in URL_KEYS if isinstance(config, Mapping) and isinstance(config.get(k), str)), None)
                if url is not None and 'http_config' not in config:
                    parts = urlsplit(url)
                    scheme = parts.scheme.lower()
                    try:
                        port = str(parts.port or {'http': 80, 'https': 443}.get(scheme, ''))
                    except ValueError:
                        port = ''
                    if parts.hostname and _bypasses_proxy(parts.hostname, port, no_proxy):
                        config = dict(config, http_config={})
                configs.append(config)
            receiver[key] = configs
        result.append(receiver)
    return result


class FilterModule(object):
    def filters(self):
        return {'alertmanager_config_errors': alertmanager_config_errors,
                'alertmanager_receivers_direct': alertmanager_receivers_direct}
