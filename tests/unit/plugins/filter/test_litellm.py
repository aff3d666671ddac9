# -*- coding: utf-8 -*-
# Copyright: (c) 2026, llmops contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""The gateway model: the LiteLLM config the inventory implies, and its filters."""

from __future__ import absolute_import, division, print_function
__metaclass__ = type

import os

import pytest
import yaml

from ansible.errors import AnsibleFilterError
from ansible_collections.llmops.vllm_stack.plugins.filter.litellm import FilterModule
from ansible_collections.llmops.vllm_stack.plugins.module_utils import fleet, litellm

ROOT = os.path.abspath(os.path.join(os.path.dirname(__file__), '..', '..', '..', '..'))
FILTERS = FilterModule().filters()

SECRET = 'sk-upstream-secret-value'


def vllm(name, port, served='tiny', model='org/tiny', **extra):
    entry = {'name': name, 'port': port, 'model': model, 'gpus': [], 'args': {}, 'env': {}}
    if served is not None:
        entry['served_model_name'] = served
    entry.update(extra)
    return entry


def inventory(hostvars, vllm_servers=None):
    hv = dict((host, dict(variables, inventory_hostname=host)) for host, variables in hostvars.items())
    servers = sorted(hv) if vllm_servers is None else list(vllm_servers)
    return hv, {'all': sorted(hv), 'vllm_servers': servers}


def two_replicas(**host):
    return inventory({'vllm-1': dict({'vllm_instances': [vllm('a', 8000), vllm('b', 8001)]}, **host)})


def errors_of(hostvars, groups, settings=None):
    return litellm.errors(hostvars, groups, settings)


def test_filters_are_registered():
    assert sorted(FILTERS) == ['litellm_config', 'litellm_errors', 'litellm_model', 'litellm_settings_errors']


def test_model_filter_is_one_build_with_its_errors():
    hostvars, groups = two_replicas()
    model = FILTERS['litellm_model'](hostvars, groups, {})
    assert model['errors'] == []
    assert dict((k, v) for k, v in model.items() if k != 'errors') == FILTERS['litellm_config'](hostvars, groups, {})
    assert FILTERS['litellm_model'](hostvars, groups, {'litellm_num_retries': 0})['errors']


def test_two_replicas_of_one_model_form_one_group():
    hostvars, groups = two_replicas()
    model = FILTERS['litellm_config'](hostvars, groups, {})
    assert model == {
        'config': {
            'model_list': [
                {'model_name': 'tiny',
                 'litellm_params': {'model': 'hosted_vllm/tiny', 'api_base': 'http://vllm-1:8000/v1'},
                 'model_info': {'id': 'vllm-1/a'}},
                {'model_name': 'tiny',
                 'litellm_params': {'model': 'hosted_vllm/tiny', 'api_base': 'http://vllm-1:8001/v1'},
                 'model_info': {'id': 'vllm-1/b'}},
            ],
            'router_settings': {'routing_strategy': 'simple-shuffle', 'num_retries': 2, 'timeout': 600,
                                'allowed_fails': 3, 'cooldown_time': 30},
            'litellm_settings': {'callbacks': ['prometheus'], 'require_auth_for_metrics_endpoint': True,
                                 'telemetry': False},
            'general_settings': {'master_key': 'os.environ/LITELLM_MASTER_KEY'},
        },
        'env': {},
        'model_groups': {'tiny': ['vllm-1/a', 'vllm-1/b']},
        'fleet_model_groups': ['tiny'],
        'env_references': ['LITELLM_MASTER_KEY'],
    }
    # It survives the trip through YAML unchanged: what the role writes.
    assert yaml.safe_load(yaml.safe_dump(model['config'])) == model['config']


def test_settings_none_takes_the_role_defaults():
    hostvars, groups = two_replicas()
    assert litellm.config(hostvars, groups, None) == litellm.config(hostvars, groups, {})
    assert litellm.config(hostvars, groups, dict((k, None) for k in litellm.SETTING_VARS)) == \
        litellm.config(hostvars, groups)


def test_role_defaults_match_the_model():
    path = os.path.join(ROOT, 'roles', 'litellm', 'defaults', 'main.yml')
    if not os.path.exists(path):
        pytest.skip('no litellm role yet')
    with open(path) as f:
        defaults = yaml.safe_load(f) or {}
    for var, value in litellm.DEFAULT_SETTINGS.items():
        if var in defaults and var != 'litellm_vllm_hosts':
            assert defaults[var] == value, var


def test_rendering_is_stable_whatever_the_inventory_order():
    first = inventory({
        'vllm-2': {'vllm_instances': [vllm('z', 8000, served='big'), vllm('y', 8001)]},
        'vllm-1': {'vllm_instances': [vllm('b', 8001), vllm('a', 8000, served='big')]},
    }, vllm_servers=['vllm-2', 'vllm-1', 'vllm-2'])
    second = inventory({
        'vllm-1': {'vllm_instances': [vllm('a', 8000, served='big'), vllm('b', 8001)]},
        'vllm-2': {'vllm_instances': [vllm('y', 8001), vllm('z', 8000, served='big')]},
    }, vllm_servers=['vllm-1', 'vllm-2'])
    one = litellm.config(*first)
    assert yaml.safe_dump(one) == yaml.safe_dump(litellm.config(*second))
    assert one['model_groups'] == {'big': ['vllm-1/a', 'vllm-2/z'], 'tiny': ['vllm-1/b', 'vllm-2/y']}


@pytest.mark.parametrize('host_vars, api_base', [
    ({}, 'http://vllm-1:8000/v1'),
    ({'ansible_host': '203.0.113.7'}, 'http://203.0.113.7:8000/v1'),
    ({'ansible_host': 'fd00::11'}, 'http://[fd00::11]:8000/v1'),
    # vllm_stack_internal_network: the servers bind one address, published by the vllm role.
    ({'ansible_host': '203.0.113.7', 'vllm_endpoint': {'address': '10.40.3.21'}}, 'http://10.40.3.21:8000/v1'),
    ({'ansible_host': '203.0.113.7', 'vllm_endpoint': {'address': 'fd00:40::21'}}, 'http://[fd00:40::21]:8000/v1'),
    ({'ansible_host': '203.0.113.7', 'vllm_endpoint': {'address': '0.0.0.0'}}, 'http://203.0.113.7:8000/v1'),
])
def test_the_gateway_dials_where_prometheus_scrapes(host_vars, api_base):
    hostvars, groups = inventory({'vllm-1': dict(host_vars, vllm_instances=[vllm('a', 8000)])})
    deployment = litellm.config(hostvars, groups)['config']['model_list'][0]
    assert deployment['litellm_params']['api_base'] == api_base
    target = fleet.targets(hostvars, groups)['vllm'][0]['targets'][0]
    assert api_base == 'http://%s/v1' % target


def test_model_name_is_the_served_name_else_the_model():
    hostvars, groups = inventory({'vllm-1': {'vllm_instances': [
        vllm('a', 8000, served=None, model='meta-llama/Llama-3.1-8B-Instruct'),
        vllm('b', 8001, served=''),
    ]}})
    model_list = litellm.config(hostvars, groups)['config']['model_list']
    assert [(d['model_name'], d['litellm_params']['model']) for d in model_list] == [
        ('meta-llama/Llama-3.1-8B-Instruct', 'hosted_vllm/meta-llama/Llama-3.1-8B-Instruct'),
        ('org/tiny', 'hosted_vllm/org/tiny')]


def test_an_instance_without_a_model_name_is_an_error():
    hostvars, groups = inventory({'vllm-1': {'vllm_instances': [
        {'name': 'a', 'port': 8000}, vllm('b', 8001, served=['x']), vllm('c', 8002, served=None, model=' ')]}})
    assert errors_of(hostvars, groups) == [
        "vllm_instances of vllm-1: 'a' needs a model (or a served_model_name): it is the model name the gateway "
        "serves it under",
        "vllm_instances of vllm-1: served_model_name of 'b' must be a model name, got ['x']",
        "vllm_instances of vllm-1: model of 'c' must be a model name, got ' '",
        'the gateway would have nothing behind it: no vllm_instances entry on vllm-1 serves a model and '
        'litellm_extra_deployments is empty',
    ]


def test_fleet_checks_of_the_entries_apply():
    hostvars, groups = inventory({
        'vllm-1': {'vllm_instances': [vllm('a', 8000), vllm('a', 8001), vllm('b', 'http')]},
        'vllm-2': {'vllm_instances': {'name': 'a'}},
        'vllm-3': {'vllm_instances': ['junk', vllm('a', 8000)]},
    })
    found = errors_of(hostvars, groups)
    assert 'vllm_instances of vllm-3: entry 1 must be a dict with name and port, got a str' in found
    assert "vllm_instances of vllm-1: port of 'b' must be a TCP port between 1 and 65535, got 'http'" in found
    assert ("vllm_instances of vllm-1: name 'a' is used by entries 1 and 2; vllm_instance labels must be unique "
            "on a host") in found
    assert 'vllm_instances of vllm-2 must be a list of {name, port, ...}, got a dict' in found
    assert len(found) == 4
    # The first entry of a repeated name is the one both Prometheus and the gateway see.
    hostvars['vllm-1']['vllm_instances'] = [vllm('a', 8000), vllm('a', 8001, served='other')]
    model = litellm.build(hostvars, groups)
    assert [d['litellm_params']['api_base'] for d in model['config']['model_list']] == [
        'http://vllm-1:8000/v1', 'http://vllm-3:8000/v1']


def test_upstream_keys_become_environment_references():
    hostvars, groups = inventory({
        'vllm-1': {'vllm_api_key': 'sk-host-1',
                   'vllm_instances': [vllm('a', 8000), vllm('b', 8001, api_key='sk-own-b'), vllm('c', 8002, api_key='')]},
        'vllm-2.example.com': {'vllm_api_key': 'sk-host-2', 'vllm_instances': [vllm('a', 8000)]},
        'vllm-3': {'vllm_api_key': '', 'vllm_instances': [vllm('a', 8000, api_key=None)]},
    })
    model = litellm.config(hostvars, groups)
    keys = dict((d['model_info']['id'], d['litellm_params'].get('api_key')) for d in model['config']['model_list'])
    assert keys == {
        'vllm-1/a': 'os.environ/LITELLM_UPSTREAM_KEY_VLLM_1',
        'vllm-1/b': 'os.environ/LITELLM_UPSTREAM_KEY_VLLM_1_B',
        'vllm-1/c': 'os.environ/LITELLM_UPSTREAM_KEY_VLLM_1',
        'vllm-2.example.com/a': 'os.environ/LITELLM_UPSTREAM_KEY_VLLM_2_EXAMPLE_COM',
        'vllm-3/a': None,
    }
    assert 'api_key' not in model['config']['model_list'][-1]['litellm_params']
    assert model['env'] == {'LITELLM_UPSTREAM_KEY_VLLM_1': 'sk-host-1', 'LITELLM_UPSTREAM_KEY_VLLM_1_B': 'sk-own-b',
                            'LITELLM_UPSTREAM_KEY_VLLM_2_EXAMPLE_COM': 'sk-host-2'}
    assert model['env_references'] == ['LITELLM_MASTER_KEY', 'LITELLM_UPSTREAM_KEY_VLLM_1',
                                       'LITELLM_UPSTREAM_KEY_VLLM_1_B', 'LITELLM_UPSTREAM_KEY_VLLM_2_EXAMPLE_COM']
    # No secret in the config itself.
    assert 'sk-host' not in yaml.safe_dump(model['config']) and 'sk-own' not in yaml.safe_dump(model['config'])


def test_a_key_unused_by_any_served_instance_stays_out_of_the_environment():
    hostvars, groups = inventory({'vllm-1': {'vllm_api_key': 'sk-host-1',
                                             'vllm_instances': [vllm('a', 8000, served='other'), vllm('b', 8001)]}})
    model = litellm.config(hostvars, groups, {'litellm_model_groups': ['tiny']})
    assert model['env'] == {'LITELLM_UPSTREAM_KEY_VLLM_1': 'sk-host-1'}
    assert model['model_groups'] == {'tiny': ['vllm-1/b']}


def test_colliding_environment_names_get_a_hash_suffix():
    # Host "gpu-1" with its host key and host "gpu" with instance "1" of its own key both sanitise to GPU_1.
    hostvars, groups = inventory({
        'gpu-1': {'vllm_api_key': 'sk-a', 'vllm_instances': [vllm('x', 8000)]},
        'gpu': {'vllm_instances': [vllm('1', 8000, api_key='sk-b')]},
    })
    model = litellm.config(hostvars, groups)
    names = sorted(model['env'])
    assert len(names) == 2 and all(n.startswith('LITELLM_UPSTREAM_KEY_GPU_1_') for n in names)
    assert all(len(n) == len('LITELLM_UPSTREAM_KEY_GPU_1_') + 8 for n in names)
    by_id = dict((d['model_info']['id'], d['litellm_params']['api_key'][len('os.environ/'):])
                 for d in model['config']['model_list'])
    assert model['env'][by_id['gpu-1/x']] == 'sk-a' and model['env'][by_id['gpu/1']] == 'sk-b'
    assert litellm.config(hostvars, groups) == model


class VaultValue(object):
    """Stands in for a vault-encrypted value: no str, but str() gives the plaintext."""

    def __str__(self):
        return 'sk-from-vault'


def test_a_key_that_is_no_str_but_text_is_used():
    hostvars, groups = two_replicas(vllm_api_key=VaultValue())
    assert litellm.config(hostvars, groups)['env'] == {'LITELLM_UPSTREAM_KEY_VLLM_1': 'sk-from-vault'}


def test_bad_keys_are_named_never_shown():
    hostvars, groups = inventory({
        'vllm-1': {'vllm_instances': [vllm('a', 8000, api_key=['sk-list']), vllm('b', 8001, api_key=SECRET + '\n'),
                                      vllm('c', 8002, api_key=12345)]},
        'vllm-2': {'vllm_api_key': SECRET + '\r\n', 'vllm_instances': [vllm('a', 8000, served='x')]},
        'vllm-3': {'vllm_api_key': {'key': SECRET},
                   'vllm_instances': [vllm('a', 8000, served='y'), vllm('b', 8001, served='y', api_key='sk-ok')]},
    })
    model = litellm.build(hostvars, groups)
    assert model['errors'] == [
        "vllm_instances of vllm-1: api_key of 'a' must be a string, got a list",
        "vllm_instances of vllm-1: api_key of 'b' must be one line",
        "vllm_instances of vllm-1: api_key of 'c' must be a string, got a int",
        'host vllm-2: vllm_api_key must be one line',
        'host vllm-3: vllm_api_key must be a string, got a dict',
    ]
    # An instance whose key is bad is left out; its own key still serves one that has it.
    assert [d['model_info']['id'] for d in model['config']['model_list']] == ['vllm-3/b']
    assert SECRET not in repr(model['errors'])
    with pytest.raises(litellm.LitellmError) as raised:
        litellm.config(hostvars, groups)
    assert SECRET not in str(raised.value)


def test_vllm_hosts_default_to_the_vllm_servers_group():
    hostvars, groups = inventory({'vllm-1': {'vllm_instances': [vllm('a', 8000)]},
                                  'vllm-2': {'vllm_instances': [vllm('a', 8000)]}}, vllm_servers=['vllm-2'])
    assert litellm.config(hostvars, groups)['model_groups'] == {'tiny': ['vllm-2/a']}
    chosen = litellm.config(hostvars, groups, {'litellm_vllm_hosts': ['vllm-1', 'vllm-1']})
    assert chosen['model_groups'] == {'tiny': ['vllm-1/a']}
    # No vllm_servers group at all: no hosts.
    assert errors_of(hostvars, {'all': ['vllm-1', 'vllm-2']}) == [
        'the gateway would have nothing behind it: no vllm_instances entry on any host (litellm_vllm_hosts is '
        'empty) serves a model and litellm_extra_deployments is empty']


@pytest.mark.parametrize('hosts, message', [
    ('vllm-1', "litellm_vllm_hosts must be a list of inventory host names, got 'vllm-1'"),
    ({'vllm-1': {}}, "litellm_vllm_hosts must be a list of inventory host names, got {'vllm-1': {}}"),
    (['vllm-1', ''], "litellm_vllm_hosts must list inventory host names, got ['']"),
    (['vllm-1', 7], 'litellm_vllm_hosts must list inventory host names, got [7]'),
])
def test_bad_vllm_host_lists(hosts, message):
    hostvars, groups = two_replicas()
    assert errors_of(hostvars, groups, {'litellm_vllm_hosts': hosts})[0] == message


def test_a_vllm_host_unknown_to_the_inventory_is_an_error():
    hostvars, groups = two_replicas()
    found = errors_of(hostvars, groups, {'litellm_vllm_hosts': ['vllm-1', 'vllm-9']})
    assert found == ['litellm_vllm_hosts: host vllm-9 is not in the inventory (hostvars)']
    assert errors_of(None, groups)[0] == 'litellm_vllm_hosts: host vllm-1 is not in the inventory (hostvars)'


def test_a_host_without_instances_adds_nothing():
    hostvars, groups = inventory({'vllm-1': {'vllm_instances': [vllm('a', 8000)]}, 'vllm-2': {},
                                  'vllm-3': {'vllm_instances': []}})
    assert litellm.config(hostvars, groups)['model_groups'] == {'tiny': ['vllm-1/a']}


EXTRA = {'model_name': 'gpt-4o', 'litellm_params': {'model': 'openai/gpt-4o', 'api_key': 'os.environ/OPENAI_API_KEY'}}


def test_model_groups_limit_the_fleet_and_keep_the_extra_deployments():
    hostvars, groups = inventory({'vllm-1': {'vllm_instances': [vllm('a', 8000), vllm('b', 8001, served='big')]}})
    model = litellm.config(hostvars, groups, {'litellm_model_groups': ['tiny', 'gpt-4o', 'tiny'],
                                              'litellm_extra_deployments': [EXTRA]})
    assert model['model_groups'] == {'gpt-4o': ['litellm_extra_deployments/1'], 'tiny': ['vllm-1/a']}
    # The verify play's chat goes to the fleet's groups only, never to a paid upstream.
    assert model['fleet_model_groups'] == ['tiny']
    assert model['config']['model_list'][0] == {
        'model_name': 'gpt-4o', 'litellm_params': {'model': 'openai/gpt-4o', 'api_key': 'os.environ/OPENAI_API_KEY'},
        'model_info': {'id': 'litellm_extra_deployments/1'}}
    assert model['env'] == {}
    assert model['env_references'] == ['LITELLM_MASTER_KEY', 'OPENAI_API_KEY']
    # Empty: everything the fleet serves.
    assert sorted(litellm.config(hostvars, groups, {'litellm_model_groups': []})['model_groups']) == ['big', 'tiny']


def test_a_model_group_without_deployment_is_an_error():
    hostvars, groups = inventory({'vllm-1': {'vllm_instances': [vllm('a', 8000)]},
                                  'vllm-2': {'vllm_instances': [vllm('a', 8000)]}})
    assert errors_of(hostvars, groups, {'litellm_model_groups': ['tiny', 'llama']}) == [
        "litellm_model_groups: model group 'llama' has no deployment: no vllm_instances entry on vllm-1, vllm-2 "
        "serves it and litellm_extra_deployments has none"]
    assert errors_of(hostvars, groups, {'litellm_model_groups': ['tiny'], 'litellm_vllm_hosts': []}) == [
        "litellm_model_groups: model group 'tiny' has no deployment: no vllm_instances entry on any host "
        "(litellm_vllm_hosts is empty) serves it and litellm_extra_deployments has none"]


@pytest.mark.parametrize('value, message', [
    ('tiny', "litellm_model_groups must be a list of model names, got 'tiny'"),
    (['tiny', ''], "litellm_model_groups must list model names (the model_name clients ask for), got ['']"),
    ([None, 3], 'litellm_model_groups must list model names (the model_name clients ask for), got [None, 3]'),
])
def test_bad_model_group_lists(value, message):
    hostvars, groups = two_replicas()
    assert errors_of(hostvars, groups, {'litellm_model_groups': value}) == [message]


def test_extra_deployments_pass_through_in_order_after_the_fleet():
    hostvars, groups = two_replicas()
    extras = [
        {'model_name': 'tiny', 'litellm_params': {'model': 'openai/tiny', 'api_base': 'https://api.example.com/v1',
                                                  'api_key': 'os.environ/EXAMPLE_KEY', 'rpm': 60},
         'model_info': {'id': 'example-tiny', 'mode': 'chat'}},
        {'model_name': 'tiny', 'litellm_params': {'model': 'openai/tiny', 'api_base': 'https://api.example.org/v1'},
         'model_info': {}},
        {'model_name': 'claude', 'litellm_params': {'model': 'anthropic/claude', 'api_key': ''}},
    ]
    model = litellm.config(hostvars, groups, {'litellm_extra_deployments': extras})
    assert model['model_groups'] == {
        'claude': ['litellm_extra_deployments/3'],
        'tiny': ['vllm-1/a', 'vllm-1/b', 'example-tiny', 'litellm_extra_deployments/2']}
    assert model['config']['model_list'][3] == {
        'model_name': 'tiny', 'litellm_params': extras[0]['litellm_params'],
        'model_info': {'id': 'example-tiny', 'mode': 'chat'}}
    assert model['env_references'] == ['EXAMPLE_KEY', 'LITELLM_MASTER_KEY']
    # The caller's lists are not changed.
    assert extras[1]['model_info'] == {} and 'model_info' not in extras[2]


@pytest.mark.parametrize('extra, message', [
    ('gpt-4o', 'litellm_extra_deployments must be a list of {model_name, litellm_params}, got a str'),
    ({'model_name': 'x'}, 'litellm_extra_deployments must be a list of {model_name, litellm_params}, got a dict'),
    (['gpt-4o'], 'litellm_extra_deployments: entry 1 must be a dict with model_name and litellm_params, got a str'),
    ([{'litellm_params': {'model': 'openai/x'}}],
     'litellm_extra_deployments: entry 1 needs a model_name (the model group it serves), got None'),
    ([{'model_name': ' ', 'litellm_params': {'model': 'openai/x'}}],
     "litellm_extra_deployments: entry 1 needs a model_name (the model group it serves), got ' '"),
    ([{'model_name': 'x'}],
     'litellm_extra_deployments: entry 1 (x) needs litellm_params, a dict with at least model (provider/model)'),
    ([{'model_name': 'x', 'litellm_params': 'openai/x'}],
     'litellm_extra_deployments: entry 1 (x) needs litellm_params, a dict with at least model (provider/model)'),
    ([{'model_name': 'x', 'litellm_params': {'api_base': 'https://api.example.com'}}],
     'litellm_extra_deployments: entry 1 (x) needs litellm_params.model (provider/model, for example openai/gpt-4o),'
     ' got None'),
    ([{'model_name': 'x', 'litellm_params': {'model': 'openai/x'}, 'model_info': 'x'}],
     'litellm_extra_deployments: entry 1 (x): model_info must be a dict, got a str'),
    ([{'model_name': 'x', 'litellm_params': {'model': 'openai/x'}, 'model_info': {'id': 3}}],
     'litellm_extra_deployments: entry 1 (x): model_info.id must be a string, got 3'),
    ([{'model_name': 'x', 'litellm_params': {'model': 'openai/x'}, 'tpm': 10, 'id': 'y'}],
     'litellm_extra_deployments: entry 1 (x): unknown key(s) id, tpm; a deployment has model_name, litellm_params, '
     'model_info'),
])
def test_bad_extra_deployments(extra, message):
    hostvars, groups = two_replicas()
    assert errors_of(hostvars, groups, {'litellm_extra_deployments': extra})[0] == message


@pytest.mark.parametrize('param, value', [
    ('api_key', SECRET),
    ('api_key', 'os.environ/'),
    ('api_key', 'os.environ/NOT A NAME'),
    ('api_key', 12345),
    ('aws_secret_access_key', SECRET),
    ('client_secret', SECRET),
])
def test_a_literal_secret_in_an_extra_deployment_is_refused(param, value):
    hostvars, groups = two_replicas()
    extra = {'model_name': 'x', 'litellm_params': {'model': 'openai/x', param: value}}
    model = litellm.build(hostvars, groups, {'litellm_extra_deployments': [extra]})
    assert model['errors'] == [
        "litellm_extra_deployments: entry 1 (x): litellm_params.%s must be an os.environ/NAME reference, not a value: "
        "the secret goes in the gateway's environment, never in its config" % param]
    assert 'x' not in model['model_groups']
    assert SECRET not in repr(model)


def test_two_deployments_dialling_one_server_for_one_group_are_an_error():
    # Two inventory names for one machine: the same server, counted twice.
    hostvars, groups = inventory({
        'vllm-1': {'ansible_host': '10.0.0.1', 'vllm_instances': [vllm('a', 8000)]},
        'vllm-1-alias': {'ansible_host': '10.0.0.1', 'vllm_instances': [vllm('b', 8000), vllm('c', 8001, served='x')]},
    })
    extras = [{'model_name': 'x', 'litellm_params': {'model': 'hosted_vllm/x', 'api_base': 'http://10.0.0.1:8001/v1/'}},
              {'model_name': 'y', 'litellm_params': {'model': 'hosted_vllm/x', 'api_base': 'http://10.0.0.1:8001/v1'}}]
    assert errors_of(hostvars, groups, {'litellm_extra_deployments': extras}) == [
        "model group 'tiny': vllm_instances entry 'a' of vllm-1 and vllm_instances entry 'b' of vllm-1-alias all dial "
        "http://10.0.0.1:8000/v1; LiteLLM would count one server as 2 replicas",
        "model group 'x': vllm_instances entry 'c' of vllm-1-alias and litellm_extra_deployments entry 1 all dial "
        "http://10.0.0.1:8001/v1; LiteLLM would count one server as 2 replicas",
    ]


def test_deployment_ids_must_be_unique():
    hostvars, groups = two_replicas()
    extras = [{'model_name': 'x', 'litellm_params': {'model': 'openai/x'}, 'model_info': {'id': 'vllm-1/a'}},
              {'model_name': 'y', 'litellm_params': {'model': 'openai/y'}, 'model_info': {'id': 'same'}},
              {'model_name': 'z', 'litellm_params': {'model': 'openai/z'}, 'model_info': {'id': 'same'}}]
    assert errors_of(hostvars, groups, {'litellm_extra_deployments': extras}) == [
        "deployment id 'same' (model_info.id) is used by litellm_extra_deployments entry 2 and "
        "litellm_extra_deployments entry 3; each deployment needs its own",
        "deployment id 'vllm-1/a' (model_info.id) is used by vllm_instances entry 'a' of vllm-1 and "
        "litellm_extra_deployments entry 1; each deployment needs its own",
    ]


def test_only_extra_deployments_is_a_gateway():
    hostvars, groups = inventory({'vllm-1': {}})
    model = litellm.config(hostvars, groups, {'litellm_extra_deployments': [EXTRA]})
    assert model['model_groups'] == {'gpt-4o': ['litellm_extra_deployments/1']}


def test_router_settings_are_checked_and_kept():
    hostvars, groups = two_replicas()
    for strategy in litellm.ROUTING_STRATEGIES:
        settings = {'litellm_routing_strategy': strategy, 'litellm_num_retries': '4', 'litellm_timeout': 12.5,
                    'litellm_allowed_fails': 1, 'litellm_cooldown_time': '0.5'}
        assert litellm.config(hostvars, groups, settings)['config']['router_settings'] == {
            'routing_strategy': strategy, 'num_retries': 4, 'timeout': 12.5, 'allowed_fails': 1, 'cooldown_time': 0.5}
    assert litellm.config(hostvars, groups, {'litellm_timeout': ' 30 '})['config']['router_settings']['timeout'] == 30


@pytest.mark.parametrize('var, value, message', [
    ('litellm_routing_strategy', 'round-robin',
     "litellm_routing_strategy must be one of simple-shuffle, least-busy, usage-based-routing-v2, "
     "latency-based-routing, got 'round-robin'"),
    ('litellm_num_retries', 0, 'litellm_num_retries must be a whole number of at least 1, got 0'),
    ('litellm_num_retries', -1, 'litellm_num_retries must be a whole number of at least 1, got -1'),
    ('litellm_num_retries', 1.5, 'litellm_num_retries must be a whole number of at least 1, got 1.5'),
    ('litellm_num_retries', True, 'litellm_num_retries must be a whole number of at least 1, got True'),
    ('litellm_allowed_fails', '0', "litellm_allowed_fails must be a whole number of at least 1, got '0'"),
    ('litellm_timeout', 0, 'litellm_timeout must be a number of seconds above 0, got 0'),
    ('litellm_timeout', -2.5, 'litellm_timeout must be a number of seconds above 0, got -2.5'),
    ('litellm_timeout', 'soon', "litellm_timeout must be a number of seconds above 0, got 'soon'"),
    ('litellm_timeout', float('inf'), 'litellm_timeout must be a number of seconds above 0, got inf'),
    ('litellm_timeout', False, 'litellm_timeout must be a number of seconds above 0, got False'),
    ('litellm_cooldown_time', 'nan', "litellm_cooldown_time must be a number of seconds above 0, got 'nan'"),
    ('litellm_cooldown_time', [60], 'litellm_cooldown_time must be a number of seconds above 0, got [60]'),
    ('litellm_require_auth_for_metrics', 'maybe', "litellm_require_auth_for_metrics must be true or false, got 'maybe'"),
    ('litellm_database_url_set', 1, 'litellm_database_url_set must be true or false, got 1'),
])
def test_bad_settings(var, value, message):
    hostvars, groups = two_replicas()
    assert errors_of(hostvars, groups, {var: value}) == [message]
    with pytest.raises(AnsibleFilterError, match='^%s$' % message.replace('[', r'\[').replace(']', r'\]')
                       .replace('(', r'\(').replace(')', r'\)').replace('.', r'\.')):
        FILTERS['litellm_config'](hostvars, groups, {var: value})


@pytest.mark.parametrize('value, expected', [(False, False), (True, True), ('false', False), (' Yes ', True),
                                             ('off', False), ('1', True)])
def test_metrics_auth_is_written_explicitly(value, expected):
    hostvars, groups = two_replicas()
    config = litellm.config(hostvars, groups, {'litellm_require_auth_for_metrics': value})['config']
    assert config['litellm_settings']['require_auth_for_metrics_endpoint'] is expected


def test_a_database_is_referred_to_never_written():
    hostvars, groups = two_replicas()
    model = litellm.config(hostvars, groups, {'litellm_database_url_set': 'true'})
    assert model['config']['general_settings'] == {'master_key': 'os.environ/LITELLM_MASTER_KEY',
                                                   'database_url': 'os.environ/DATABASE_URL'}
    assert model['env_references'] == ['DATABASE_URL', 'LITELLM_MASTER_KEY']
    assert 'database_url' not in litellm.config(hostvars, groups, {'litellm_database_url_set': False})[
        'config']['general_settings']


def test_errors_are_joined_into_one_exception():
    hostvars, groups = two_replicas()
    settings = {'litellm_num_retries': 0, 'litellm_model_groups': ['nope']}
    with pytest.raises(litellm.LitellmError) as raised:
        litellm.config(hostvars, groups, settings)
    assert str(raised.value) == '; '.join(litellm.errors(hostvars, groups, settings))
    assert FILTERS['litellm_errors'](hostvars, groups, settings) == litellm.errors(hostvars, groups, settings)
    assert len(litellm.errors(hostvars, groups, settings)) == 2
    assert FILTERS['litellm_errors'](hostvars, groups) == []


@pytest.mark.parametrize('master_key, database_url, expected', [
    ('sk-1234', None, []),
    ('sk-1234', '', []),
    ('sk-1234', 'postgresql://litellm:pw@db:5432/litellm', []),
    ('sk-1234', 'postgres://litellm:pw@db/litellm', []),
    (VaultValue(), None, []),
    ('', None, ['master']),
    (None, None, ['master']),
    ('sk-', None, ['master']),
    ('1234', None, ['master']),
    ('SK-1234', None, ['master']),
    (1234, None, ['master']),
    ('sk-1234\n', None, ['one line']),
    ('sk-1234 ', None, ['one line']),
    ('sk-1234', 'mysql://litellm:pw@db/litellm', ['database']),
    ('sk-1234', 'db:5432', ['database']),
    ('sk-1234', ['postgresql://x'], ['database']),
    ('sk-1234', 'postgresql://litellm:pw@db/litellm\n', ['database line']),
    ('nope', 'sqlite:///x.db', ['master', 'database']),
])
def test_settings_errors(master_key, database_url, expected):
    messages = {
        'master': 'litellm_master_key must start with sk- (the form LiteLLM documents for its master key; LiteLLM '
                  'refuses keys without it wherever it expects one of its own keys)',
        'one line': 'litellm_master_key must be one line, without spaces around it',
        'database': 'litellm_database_url must be a PostgreSQL URL (postgresql://user:password@host:5432/db)',
        'database line': 'litellm_database_url must be one line',
    }
    found = FILTERS['litellm_settings_errors'](master_key, database_url)
    assert found == [messages[e] for e in expected]
    assert FILTERS['litellm_settings_errors']('sk-1') == []
    # Never the values themselves.
    for message in found:
        assert 'pw@' not in message and '1234' not in message and 'sqlite' not in message
