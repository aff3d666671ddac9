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
"""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

from collections.abc import Mapping

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


class FilterModule(object):
    def filters(self):
        return {'alertmanager_config_errors': alertmanager_config_errors}
