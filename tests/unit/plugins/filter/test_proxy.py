# -*- coding: utf-8 -*-
# Copyright: (c) 2026, llmops contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import absolute_import, division, print_function
__metaclass__ = type

import pytest

from ansible_collections.llmops.vllm_stack.plugins.filter.proxy import FilterModule, proxy_env, proxy_errors


def test_filters_are_registered():
    assert sorted(FilterModule().filters()) == ['proxy_env', 'proxy_errors']


@pytest.mark.parametrize('settings', [
    None, {}, {'http_proxy': '', 'https_proxy': None, 'no_proxy': ''},
    {'http_proxy': 'http://proxy.corp:3128', 'https_proxy': 'http://user:p%40ss@10.0.0.1:8080/',
     'no_proxy': 'localhost,127.0.0.1,.corp,10.0.0.0/8'},
    {'https_proxy': 'socks5h://[fd00::1]:1080', 'no_proxy': ['localhost', '.svc']},
])
def test_good_proxy_settings(settings):
    assert proxy_errors(settings, 'vllm_proxy') == []


@pytest.mark.parametrize('settings, words', [
    ({'http_proxy': 'proxy.corp:3128'}, ['vllm_proxy.http_proxy', 'proxy.corp:3128', 'not a proxy URL']),
    ({'https_proxy': 'ftp://proxy.corp:21'}, ['vllm_proxy.https_proxy', "scheme 'ftp'"]),
    ({'https_proxy': 'http://proxy.corp:70000'}, ['vllm_proxy.https_proxy', 'port 70000']),
    ({'http_proxy': 'http://proxy.corp:3128/path'}, ['vllm_proxy.http_proxy', 'no path']),
    ({'htps_proxy': 'http://proxy.corp:3128'}, ['vllm_proxy: unknown key(s) htps_proxy']),
    ({'no_proxy': 'localhost, bad host'}, ['vllm_proxy.no_proxy', "'bad host'"]),
    ({'no_proxy': {'a': 1}}, ['vllm_proxy.no_proxy must be']),
    ('http://proxy.corp:3128', ['vllm_proxy must be a dict', 'got a str']),
    ({'http_proxy': 3128}, ['vllm_proxy.http_proxy must be a URL string']),
])
def test_bad_proxy_settings_name_the_field(settings, words):
    errors = proxy_errors(settings, 'vllm_proxy')
    assert len(errors) == 1, errors
    for word in words:
        assert word in errors[0]


def test_messages_never_carry_the_password():
    errors = proxy_errors({'http_proxy': 'htp://svc:Canary-Secret-42@proxy.corp:3128',
                           'https_proxy': 'http://svc:Canary-Secret-42@proxy.corp:99999'}, 'vllm_stack_proxy')
    assert len(errors) == 2
    assert all('Canary-Secret-42' not in error and '***@proxy.corp' in error for error in errors)


def test_proxy_env_sets_both_spellings():
    assert proxy_env({'http_proxy': 'http://p:3128', 'no_proxy': ['a', 'b']}) == {
        'http_proxy': 'http://p:3128', 'HTTP_PROXY': 'http://p:3128', 'no_proxy': 'a,b', 'NO_PROXY': 'a,b'}
