# -*- coding: utf-8 -*-
# Copyright: (c) 2026, llmops contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import absolute_import, division, print_function
__metaclass__ = type

import pytest

import base64

from ansible_collections.llmops.vllm_stack.plugins.filter.proxy import (
    FilterModule, apt_proxy_conf, proxy_authorization, proxy_env, proxy_env_public, proxy_errors)


def test_filters_are_registered():
    assert sorted(FilterModule().filters()) == [
        'apt_proxy_conf', 'proxy_authorization', 'proxy_env', 'proxy_env_local', 'proxy_env_public', 'proxy_errors',
        'redact_credentials']


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


CREDS = proxy_env({'http_proxy': 'http://ops%40corp:s3cr%3At@proxy.corp:3128',
                   'https_proxy': 'http://other:pw@proxy.corp:3129',
                   'no_proxy': 'localhost,127.0.0.1,.internal,10.0.0.0/8,mirror.lan'})


def test_public_env_keeps_the_proxies_without_credentials():
    public = proxy_env_public(CREDS)
    assert public['http_proxy'] == public['HTTP_PROXY'] == 'http://proxy.corp:3128'
    assert public['https_proxy'] == 'http://proxy.corp:3129'
    assert public['no_proxy'] == CREDS['no_proxy']
    assert 's3cr' not in repr(public) and 'pw@' not in repr(public)


def _decoded(headers):
    return base64.b64decode(headers['Proxy-Authorization'][len('Basic '):]).decode()


def test_authorization_follows_the_proxy_urllib_picks():
    # Percent-encoded user and password are decoded, as urllib does.
    assert _decoded(proxy_authorization(CREDS, 'http://releases.example/x.tar.gz')) == 'ops@corp:s3cr:t'
    assert _decoded(proxy_authorization(CREDS, 'https://releases.example/x.tar.gz')) == 'other:pw'
    # urllib has no CIDR rule: 10.1.2.3 goes through the proxy, with credentials.
    assert _decoded(proxy_authorization(CREDS, 'http://10.1.2.3:8080/x')) == 'ops@corp:s3cr:t'


@pytest.mark.parametrize('url', ['http://localhost:9090/x', 'https://repo.internal/x', 'http://mirror.lan:8080/x',
                                 'ftp://releases.example/x', 'not a url'])
def test_no_credentials_where_the_request_goes_direct(url):
    # A direct request must not carry the proxy's password to the origin.
    assert proxy_authorization(CREDS, url) == {}


def test_no_credentials_without_them_in_the_proxy():
    assert proxy_authorization(proxy_env({'https_proxy': 'http://proxy.corp:3128'}), 'https://a.example/') == {}
    assert proxy_authorization({}, 'https://a.example/') == {}


def test_apt_conf_sets_both_proxies_and_direct_hosts():
    conf = apt_proxy_conf(CREDS)
    assert 'Acquire::http::Proxy "http://ops%40corp:s3cr%3At@proxy.corp:3128";' in conf.splitlines()
    assert 'Acquire::https::Proxy "http://other:pw@proxy.corp:3129";' in conf.splitlines()
    assert 'Acquire::http::Proxy::mirror.lan "DIRECT";' in conf.splitlines()
    assert 'Acquire::https::Proxy::localhost "DIRECT";' in conf.splitlines()
    # Domains and CIDRs apt cannot match are named, not silently dropped.
    assert conf.splitlines()[-1] == '// no_proxy entries apt cannot match (exact host names only): .internal, 10.0.0.0/8'
    assert apt_proxy_conf({}) == ''


LOCAL = ['localhost', '127.0.0.1', '::1', 'vllm-1', '']


@pytest.mark.parametrize('settings', [None, {}, {'http_proxy': '', 'https_proxy': None, 'no_proxy': '.corp'}])
def test_proxy_env_local_without_a_proxy_is_empty(settings):
    assert FilterModule().filters()['proxy_env_local'](settings, LOCAL) == {}


@pytest.mark.parametrize('no_proxy', [' .corp, localhost ,,10.0.0.0/8', ['.corp', 'localhost ', '', '10.0.0.0/8'], None])
def test_proxy_env_local_adds_the_local_hosts_once_in_order(no_proxy):
    settings = {'http_proxy': 'http://u:p@proxy.corp:3128', 'https_proxy': '', 'no_proxy': no_proxy}
    env = FilterModule().filters()['proxy_env_local'](settings, LOCAL)
    configured = [] if no_proxy is None else ['.corp', 'localhost', '10.0.0.0/8']
    expected = ','.join(configured + [h for h in ['localhost', '127.0.0.1', '::1', 'vllm-1'] if h not in configured])
    assert env == {'http_proxy': 'http://u:p@proxy.corp:3128', 'HTTP_PROXY': 'http://u:p@proxy.corp:3128',
                   'no_proxy': expected, 'NO_PROXY': expected}
