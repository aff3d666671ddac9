# -*- coding: utf-8 -*-
# Copyright: (c) 2026, llmops contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import absolute_import, division, print_function
__metaclass__ = type

import pytest

from ansible_collections.llmops.vllm_stack.plugins.filter.alertmanager import (
    FilterModule, alertmanager_config_errors, alertmanager_receivers_direct)

RECEIVERS = [{'name': 'oncall', 'webhook_configs': [{'url': 'http://hook.internal/secret-token'}]},
             {'name': 'chat', 'slack_configs': [{'api_url_file': '/etc/alertmanager/secrets/slack'}]}]


def test_filter_is_registered():
    assert sorted(FilterModule().filters()) == ['alertmanager_config_errors', 'alertmanager_receivers_direct']


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


def _hook(url, **extra):
    return [{'name': 'r', 'webhook_configs': [dict({'url': url}, **extra)]}]


@pytest.mark.parametrize('url,no_proxy', [
    ('http://127.0.0.1:9099/alerts', ''),
    ('http://localhost:9099/alerts', ''),
    ('http://[::1]:9099/alerts', ''),
    ('http://site-mon:9099/alerts', 'localhost,site-mon'),
    ('https://hooks.corp.example/x', '.corp.example'),
    ('https://hooks.corp.example/x', 'corp.example'),
    ('https://corp.example/x', 'corp.example'),
    ('https://hooks.corp.example/x', '*.corp.example'),
    ('http://10.1.2.3:8060/send', '10.0.0.0/8'),
    ('http://10.1.2.3:8060/send', '10.1.2.3'),
    ('http://bridge.internal:8060/send', 'bridge.internal:8060'),
    ('https://anything.example/x', '*'),
])
def test_receivers_that_go_direct_get_an_empty_http_config(url, no_proxy):
    result = alertmanager_receivers_direct(_hook(url), no_proxy)
    assert result[0]['webhook_configs'][0] == {'url': url, 'http_config': {}}


@pytest.mark.parametrize('url,no_proxy', [
    ('https://hooks.slack.com/services/x', 'localhost,127.0.0.1,.corp.example'),
    ('https://corp.example/x', '.corp.example'),
    ('https://notcorp.example/x', 'corp.example'),
    ('http://11.1.2.3:8060/send', '10.0.0.0/8'),
    ('http://bridge.internal:9000/send', 'bridge.internal:8060'),
])
def test_receivers_outside_no_proxy_keep_the_global_proxy(url, no_proxy):
    assert alertmanager_receivers_direct(_hook(url), no_proxy) == _hook(url)


def test_own_http_config_files_and_other_keys_are_left_alone():
    receivers = _hook('http://127.0.0.1:1/x', http_config={'follow_redirects': False}) + [
        {'name': 'chat', 'slack_configs': [{'api_url_file': '/etc/alertmanager/secrets/slack'},
                                           {'api_url': 'http://127.0.0.1:2/slack', 'channel': '#ops'}]},
        {'name': 'blackhole'}]
    result = alertmanager_receivers_direct(receivers, '')
    assert result[0] == receivers[0]
    assert result[1]['slack_configs'] == [{'api_url_file': '/etc/alertmanager/secrets/slack'},
                                          {'api_url': 'http://127.0.0.1:2/slack', 'channel': '#ops', 'http_config': {}}]
    assert result[2] == {'name': 'blackhole'}
    assert receivers[1]['slack_configs'][1] == {'api_url': 'http://127.0.0.1:2/slack', 'channel': '#ops'}
