# -*- coding: utf-8 -*-
# Copyright: (c) 2026, llmops contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""The exporter-toolkit web config every Prometheus-family role writes through common."""

from __future__ import absolute_import, division, print_function
__metaclass__ = type

import pytest

from ansible.errors import AnsibleFilterError
from ansible_collections.llmops.vllm_stack.plugins.filter.web_config import FilterModule, web_config, web_config_errors

CERT = '-----BEGIN CERTIFICATE-----\nMIIB\n-----END CERTIFICATE-----\n'
KEY = '-----BEGIN PRIVATE KEY-----\nMIIE\n-----END PRIVATE KEY-----\n'
EC_KEY = '-----BEGIN EC PRIVATE KEY-----\nMHc\n-----END EC PRIVATE KEY-----\n'
# bcrypt of "molecule-secret" (the node_exporter_binary scenario's user).
HASH = '$2b$10$jx9vnrVBw64CY1cGWxn.8OqEx5HCleBdAuIxCLkDgPx4OppQR9tKO'


def test_filters_are_registered():
    assert sorted(FilterModule().filters()) == ['web_config', 'web_config_errors']


def test_nothing_set_is_no_web_config():
    settings = {'tls_cert': '', 'tls_key': '', 'basic_auth_users': {}}
    assert web_config_errors(settings, 'node_exporter_') == []
    assert web_config(settings, '/etc/x/tls.crt', '/etc/x/tls.key') == {}


def test_content_goes_next_to_the_web_config():
    settings = {'tls_cert': CERT, 'tls_key': EC_KEY, 'basic_auth_users': {'prometheus': HASH}}
    assert web_config(settings, '/etc/alertmanager/tls.crt', '/etc/alertmanager/tls.key') == {
        'tls_server_config': {'cert_file': '/etc/alertmanager/tls.crt', 'key_file': '/etc/alertmanager/tls.key'},
        'basic_auth_users': {'prometheus': HASH},
    }


def test_files_on_the_host_are_named_as_they_are():
    settings = {'tls_cert_file': '/etc/pki/prom.crt', 'tls_key_file': '/etc/pki/prom.key', 'basic_auth_users': {}}
    assert web_config(settings, 'unused', 'unused') == {
        'tls_server_config': {'cert_file': '/etc/pki/prom.crt', 'key_file': '/etc/pki/prom.key'}}


def test_basic_auth_alone():
    assert web_config({'basic_auth_users': {'b': HASH, 'a': HASH}}, 'c', 'k') == {'basic_auth_users': {'a': HASH, 'b': HASH}}


@pytest.mark.parametrize('settings, message', [
    ({'tls_cert': CERT, 'tls_key': ''}, 'alertmanager_web_tls_cert and alertmanager_web_tls_key must be given together'),
    ({'tls_cert': 'not a cert', 'tls_key': KEY}, 'alertmanager_web_tls_cert must be a PEM certificate'),
    ({'tls_cert': CERT, 'tls_key': CERT}, 'alertmanager_web_tls_key must be a PEM private key'),
    ({'tls_cert_file': '/a.crt', 'tls_key_file': ''}, 'alertmanager_web_tls_cert_file and alertmanager_web_tls_key_file'),
    ({'tls_cert_file': 'a.crt', 'tls_key_file': '/a.key'}, 'alertmanager_web_tls_cert_file must be an absolute path'),
    ({'tls_cert': CERT, 'tls_key': KEY, 'tls_cert_file': '/a.crt', 'tls_key_file': '/a.key'}, 'are exclusive'),
    ({'basic_auth_users': ['prometheus']}, 'alertmanager_web_basic_auth_users must map user names'),
    ({'basic_auth_users': {'a:b': HASH}}, "user 'a:b' needs a name without ':'"),
    ({'tls_cert': 42}, 'alertmanager_web_tls_cert must be a string'),
])
def test_bad_settings_name_the_variable(settings, message):
    errors = web_config_errors(settings, 'alertmanager_web_')
    assert any(message in error for error in errors), errors


def test_a_clear_text_password_is_refused_and_never_shown():
    errors = web_config_errors({'basic_auth_users': {'prometheus': 'hunter2-CANARY'}}, 'node_exporter_')
    assert len(errors) == 1
    assert "node_exporter_basic_auth_users: user 'prometheus' needs a bcrypt hash" in errors[0]
    assert 'CANARY' not in errors[0]


def test_web_config_refuses_what_the_check_refuses():
    with pytest.raises(AnsibleFilterError, match='must be given together'):
        web_config({'tls_cert': CERT}, 'c', 'k')
    with pytest.raises(AnsibleFilterError, match='unknown setting'):
        web_config_errors({'tls_certificate': CERT}, 'x_')
