# -*- coding: utf-8 -*-
# Copyright: (c) 2026, llmops contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import absolute_import, division, print_function
__metaclass__ = type

from ansible_collections.llmops.vllm_stack.plugins.filter.alertmanager import FilterModule, alertmanager_config_errors

RECEIVERS = [{'name': 'oncall', 'webhook_configs': [{'url': 'http://hook.internal/secret-token'}]},
             {'name': 'chat', 'slack_configs': [{'api_url_file': '/etc/alertmanager/secrets/slack'}]}]


def test_filter_is_registered():
    assert sorted(FilterModule().filters()) == ['alertmanager_config_errors']


def test_good_tree():
    nested = {'matchers': ['severity="ticket"'], 'receiver': 'chat', 'routes': [{'matchers': ['team="ml"']}]}
    route = {'receiver': 'oncall', 'routes': [nested]}
    assert alertmanager_config_errors(route, RECEIVERS) == []


def test_nested_route_to_a_missing_receiver_names_its_place():
    route = {'receiver': 'oncall', 'routes': [{'receiver': 'chat'}, {'routes': [{'receiver': 'nobody'}]}]}
    assert alertmanager_config_errors(route, RECEIVERS) == [
        "alertmanager_route.routes[1].routes[0].receiver 'nobody' is not the name of one of alertmanager_receivers "
        "(chat, oncall)"]


def test_unknown_receiver_type_and_duplicates_never_print_values():
    receivers = RECEIVERS + [{'name': 'oncall', 'pagerdooty_configs': [{'routing_key': 'pd-secret'}]}]
    errors = alertmanager_config_errors({'receiver': 'oncall'}, receivers)
    assert errors[0] == 'alertmanager_receivers[2] (oncall): the name is used by another receiver'
    assert errors[1].startswith('alertmanager_receivers[2] (oncall): unknown receiver type(s) pagerdooty_configs;')
    assert 'pd-secret' not in ' '.join(errors) and 'secret-token' not in ' '.join(errors)


def test_missing_default_receiver_and_bad_shapes():
    errors = alertmanager_config_errors({'routes': 'x'}, [{'webhook_configs': []}, {'name': 'a', 'email_configs': {}}])
    assert errors == ['alertmanager_receivers[0] needs a name',
                      'alertmanager_receivers[1] (a): email_configs must be a list of mappings',
                      'alertmanager_route needs a receiver (the default for every alert)',
                      'alertmanager_route.routes must be a list of routes']
