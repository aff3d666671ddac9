# -*- coding: utf-8 -*-
# Copyright: (c) 2026, llmops contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""The grafana role's filters: grafana.ini, provisioning documents, dashboard checks."""

from __future__ import absolute_import, division, print_function
__metaclass__ = type

import json
import os

import pytest

from ansible.errors import AnsibleFilterError
from ansible_collections.llmops.vllm_stack.plugins.filter.grafana import FilterModule

FILTERS = FilterModule().filters()
REPO = os.path.dirname(os.path.dirname(os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))))


def prometheus(**extra):
    base = {'name': 'Prometheus', 'uid': 'llmops-prometheus', 'url': 'http://127.0.0.1:9090',
            'time_interval': '15s', 'basic_auth_user': '', 'basic_auth_password_env': '', 'tls_ca': ''}
    base.update(extra)
    return base


def test_filters_are_registered():
    assert sorted(FILTERS) == ['grafana_dashboard_errors', 'grafana_dashboard_providers', 'grafana_dashboard_uids',
                               'grafana_datasources', 'grafana_ini', 'grafana_ini_errors',
                               'grafana_provisioning_errors']


def test_ini_is_sorted_with_grafana_booleans_and_no_empty_values():
    text = FILTERS['grafana_ini']({
        'server': {'http_port': 3000, 'http_addr': '0.0.0.0', 'root_url': '', 'cert_file': None},
        'analytics': {'reporting_enabled': False, 'check_for_updates': False},
        'auth.anonymous': {'enabled': False},
        'empty': {'only': ''},
    })
    assert text == ('[analytics]\ncheck_for_updates = false\nreporting_enabled = false\n\n'
                    '[auth.anonymous]\nenabled = false\n\n'
                    '[server]\nhttp_addr = 0.0.0.0\nhttp_port = 3000\n')


@pytest.mark.parametrize('settings, message', [
    ([], 'grafana_ini must be a mapping of section to settings, got list'),
    ({'server': 'x'}, 'grafana_ini.server must be a mapping of key to value (an ini section), got str'),
    ({'server': {'http_port': [3000]}}, 'grafana_ini.server.http_port must be a string, number or boolean, got list'),
    ({'log': {'level': 'info\n[security]'}}, 'grafana_ini.log.level must be one line'),
])
def test_ini_errors_name_the_setting(settings, message):
    assert FILTERS['grafana_ini_errors'](settings, 'grafana_ini') == [message]
    with pytest.raises(AnsibleFilterError, match='must be'):
        FILTERS['grafana_ini'](settings)


def test_prometheus_datasource_is_the_default_with_the_scrape_interval():
    doc = FILTERS['grafana_datasources']({'prometheus': prometheus(), 'alertmanager': {}, 'extra': []})
    assert doc == {'apiVersion': 1, 'datasources': [{
        'name': 'Prometheus', 'uid': 'llmops-prometheus', 'type': 'prometheus', 'access': 'proxy',
        'url': 'http://127.0.0.1:9090', 'isDefault': True, 'editable': False,
        'jsonData': {'timeInterval': '15s', 'httpMethod': 'POST'}}]}
    assert FILTERS['grafana_provisioning_errors'](doc, 'datasources') == []


def test_basic_auth_password_is_an_environment_reference_never_the_secret():
    doc = FILTERS['grafana_datasources']({
        'prometheus': prometheus(basic_auth_user='grafana', basic_auth_password_env='LLMOPS_PROMETHEUS_PASSWORD',
                                 tls_ca='-----BEGIN CERTIFICATE-----\n'),
        'alertmanager': {'uid': 'llmops-alertmanager', 'url': 'http://127.0.0.1:9093'},
        'extra': [{'name': 'Loki', 'type': 'loki', 'url': 'http://loki:3100'}]})
    prom, alertmanager, loki = doc['datasources']
    assert prom['basicAuth'] is True and prom['basicAuthUser'] == 'grafana'
    assert prom['secureJsonData'] == {'basicAuthPassword': '$LLMOPS_PROMETHEUS_PASSWORD',
                                      'tlsCACert': '-----BEGIN CERTIFICATE-----\n'}
    assert prom['jsonData']['tlsAuthWithCACert'] is True
    assert alertmanager['type'] == 'alertmanager' and alertmanager['jsonData']['implementation'] == 'prometheus'
    assert 'isDefault' not in alertmanager
    assert loki['name'] == 'Loki'
    assert FILTERS['grafana_provisioning_errors'](doc, 'datasources') == []


def test_basic_auth_user_without_password_sends_no_password_field():
    doc = FILTERS['grafana_datasources']({'prometheus': prometheus(basic_auth_user='grafana'), 'extra': []})
    assert 'secureJsonData' not in doc['datasources'][0]


@pytest.mark.parametrize('extra, message', [
    ([{'type': 'loki', 'url': 'http://l:3100'}], 'v[1] needs a name'),
    ([{'name': 'X', 'url': 'http://x'}], 'v[1] (X) needs a type'),
    ([{'name': 'X', 'type': 'prometheus', 'url': 'prometheus:9090'}],
     "v[1] (X): url must be an http(s) URL, got 'prometheus:9090'"),
    ([{'name': 'X', 'type': 'loki', 'url': 'http://l', 'jsonData': []}], 'v[1] (X): jsonData must be a mapping'),
    ([{'name': 'Prometheus', 'type': 'loki', 'url': 'http://l'}], "v: two entries have the name 'Prometheus'"),
    ([{'name': 'X', 'uid': 'llmops-prometheus', 'type': 'loki', 'url': 'http://l'}],
     "v: two entries have the uid 'llmops-prometheus'"),
    ([{'name': 'X', 'type': 'loki', 'url': 'http://l', 'isDefault': True}],
     'v: only one datasource may be the default, got Prometheus, X'),
    (['loki'], 'v[1] must be a mapping'),
])
def test_provisioning_errors_of_extra_datasources(extra, message):
    doc = FILTERS['grafana_datasources']({'prometheus': prometheus(), 'extra': extra})
    assert FILTERS['grafana_provisioning_errors'](doc, 'datasources', 'v') == [message]


def test_provisioning_errors_of_the_document_shape():
    assert FILTERS['grafana_provisioning_errors']([], 'datasources', 'v') == ['v: a provisioning file must be a mapping']
    assert FILTERS['grafana_provisioning_errors']({'apiVersion': 2, 'datasources': {}}, 'datasources', 'v') == [
        'v: apiVersion must be 1, got 2', 'v: datasources must be a list']


def test_dashboard_providers_are_read_only_file_providers():
    doc = FILTERS['grafana_dashboard_providers']([
        {'name': 'llmops', 'folder': 'LLMOps', 'folder_uid': 'llmops', 'path': '/var/lib/grafana/dashboards/llmops'},
        {'name': 'local', 'folder': 'Local', 'folder_uid': '', 'path': '/var/lib/grafana/dashboards/local'}])
    assert doc['apiVersion'] == 1
    shipped, local = doc['providers']
    assert shipped == {'name': 'llmops', 'type': 'file', 'folder': 'LLMOps', 'folderUid': 'llmops',
                       'disableDeletion': True, 'allowUiUpdates': False, 'updateIntervalSeconds': 30,
                       'options': {'path': '/var/lib/grafana/dashboards/llmops'}}
    assert 'folderUid' not in local
    assert FILTERS['grafana_provisioning_errors'](doc, 'dashboards') == []


def test_dashboard_provider_errors():
    doc = {'apiVersion': 1, 'providers': [{'name': 'a', 'type': 'sql', 'options': {'path': 'rel'}}, {'name': 'a'}]}
    assert FILTERS['grafana_provisioning_errors'](doc, 'dashboards', 'v') == [
        "v[0]: only file providers are supported, got 'sql'",
        'v[0] (a): options.path must be an absolute path',
        'v[1] (a): options.path must be an absolute path',
        "v: two entries have the name 'a'"]


def dash(uid, title='T'):
    return json.dumps({'uid': uid, 'title': title, 'panels': []})


def test_dashboard_uids_sorted():
    assert FILTERS['grafana_dashboard_uids']({'/d/b.json': dash('llmops-b'), '/d/a.json': dash('llmops-a')}) == [
        'llmops-a', 'llmops-b']


def test_dashboard_errors_name_each_file():
    texts = {'/l/broken.json': '{', '/l/list.json': '[]', '/l/untitled.json': dash('u1', ''),
             '/l/nouid.json': json.dumps({'title': 'No uid'}), '/l/long.json': dash('x' * 41),
             '/l/a.json': dash('same'), '/l/b.json': dash('same')}
    errors = FILTERS['grafana_dashboard_errors'](texts, 'v')
    assert errors[0].startswith('v: /l/broken.json is not JSON (')
    assert errors[1:] == [
        'v: /l/list.json is not a dashboard (a JSON object)',
        "v: /l/long.json: uid '%s' must be 1 to 40 letters, digits, - or _" % ('x' * 41),
        'v: /l/nouid.json has no uid (give each dashboard a fixed uid so links to it keep working)',
        'v: /l/untitled.json has no title',
        "v: uid 'same' is used by /l/a.json, /l/b.json (Grafana keeps only one)"]
    with pytest.raises(AnsibleFilterError, match='is not JSON'):
        FILTERS['grafana_dashboard_uids'](texts)


def test_the_shipped_dashboards_pass():
    folder = os.path.join(REPO, 'dashboards')
    texts = {}
    for name in sorted(os.listdir(folder)):
        if name.endswith('.json'):
            with open(os.path.join(folder, name)) as f:
                texts[name] = f.read()
    assert len(texts) >= 5
    assert FILTERS['grafana_dashboard_errors'](texts) == []
    assert all(uid.startswith('llmops-') for uid in FILTERS['grafana_dashboard_uids'](texts))
