# -*- coding: utf-8 -*-
# Copyright: (c) 2026, llmops contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""The fleet model: targets, labels and expected counts from the inventory."""

from __future__ import absolute_import, division, print_function
__metaclass__ = type

import glob
import os
import time

import pytest
import yaml
from jinja2.nativetypes import NativeEnvironment

from ansible_collections.llmops.vllm_stack.plugins.module_utils import fleet

ROOT = os.path.abspath(os.path.join(os.path.dirname(__file__), '..', '..', '..', '..'))


def vllm(name, port, gpus=None, model='meta-llama/Llama-3.1-8B-Instruct'):
    return {'name': name, 'port': port, 'model': model, 'served_model_name': model.split('/')[-1], 'gpus': gpus or []}


def inventory(hostvars, vllm_servers=(), monitoring=(), extra_hosts=()):
    """(hostvars, groups) as Ansible passes them: every host has inventory_hostname."""
    hv = {}
    for host, variables in hostvars.items():
        hv[host] = dict(variables, inventory_hostname=host)
    names = sorted(set(hv) | set(vllm_servers) | set(monitoring) | set(extra_hosts))
    groups = {'all': names, 'ungrouped': [], 'vllm_servers': list(vllm_servers), 'monitoring': list(monitoring)}
    return hv, groups


def job(model, kind):
    return [j for j in model['jobs'] if j['kind'] == kind][0]


def addresses(model, kind):
    return ['%s:%d' % (t['address'], t['port']) for t in job(model, kind)['targets']]


def labels(model, kind):
    return [t['labels'] for t in job(model, kind)['targets']]


@pytest.fixture
def fleet_of_three():
    """gpu-0 serves nothing yet, gpu-1 one model, gpu-2 two; mon runs Prometheus and Alertmanager."""
    return inventory({
        'gpu-0': {'ansible_host': '10.0.0.10'},
        'gpu-1': {'ansible_host': '10.0.0.11', 'vllm_instances': [vllm('llama', 8000, gpus=[0])]},
        'gpu-2': {'ansible_host': '10.0.0.12', 'vllm_instances': [vllm('qwen', 8001, gpus=[1]), vllm('llama', 8000, gpus=[0])]},
        'mon': {'ansible_host': '10.0.0.2'},
    }, vllm_servers=['gpu-0', 'gpu-1', 'gpu-2'], monitoring=['mon'])


def test_zero_one_and_two_vllm_instances(fleet_of_three):
    model = fleet.build(*fleet_of_three)
    assert model['errors'] == [] and model['warnings'] == []
    assert addresses(model, 'vllm') == ['10.0.0.11:8000', '10.0.0.12:8000', '10.0.0.12:8001']
    assert labels(model, 'vllm') == [
        {'instance': 'gpu-1', 'vllm_instance': 'llama'},
        {'instance': 'gpu-2', 'vllm_instance': 'llama'},
        {'instance': 'gpu-2', 'vllm_instance': 'qwen'},
    ]
    assert addresses(model, 'node') == ['10.0.0.10:9100', '10.0.0.11:9100', '10.0.0.12:9100', '10.0.0.2:9100']
    assert labels(model, 'node') == [{'instance': h} for h in ['gpu-0', 'gpu-1', 'gpu-2', 'mon']]
    assert addresses(model, 'alertmanager') == ['10.0.0.2:9093']
    assert addresses(model, 'prometheus') == ['10.0.0.2:9090']


def test_every_target_identity_is_unique(fleet_of_three):
    model = fleet.build(*fleet_of_three)
    for j in model['jobs']:
        identities = [(j['name'], t['labels']['instance'], t['labels'].get('vllm_instance')) for t in j['targets']]
        assert len(identities) == len(set(identities))


def test_verify_checks_count_targets_not_hosts(fleet_of_three):
    checks = fleet.verify_checks(*fleet_of_three)
    assert checks == [
        {'job': 'node', 'kind': 'node', 'instances': ['gpu-0', 'gpu-1', 'gpu-2', 'mon'], 'min_targets': 4},
        {'job': 'vllm', 'kind': 'vllm', 'instances': ['gpu-1', 'gpu-2'], 'min_targets': 3},
        {'job': 'dcgm', 'kind': 'dcgm', 'instances': ['gpu-1', 'gpu-2'], 'min_targets': 2},
        {'job': 'alertmanager', 'kind': 'alertmanager', 'instances': ['mon'], 'min_targets': 1},
        {'job': 'prometheus', 'kind': 'prometheus', 'instances': ['mon'], 'min_targets': 1},
    ]


def test_verify_checks_of_chosen_kinds_and_jobs_without_targets_left_out():
    hostvars, groups = inventory({'mon': {}}, monitoring=['mon'])
    checks = fleet.verify_checks(hostvars, groups, {}, ['node', 'vllm', 'dcgm'])
    assert [c['job'] for c in checks] == ['node']
    with pytest.raises(fleet.FleetError, match='unknown job kind'):
        fleet.verify_checks(hostvars, groups, {}, ['grafana'])


def test_replicas_of_one_model_on_two_hosts_are_two_targets():
    hostvars, groups = inventory({
        'gpu-a': {'vllm_instances': [vllm('llama-8b', 8000, gpus=[0, 1])]},
        'gpu-b': {'vllm_instances': [vllm('llama-8b', 8000, gpus=[0, 1])]},
    }, vllm_servers=['gpu-a', 'gpu-b'])
    targets = fleet.targets(hostvars, groups)
    assert targets['vllm'] == [
        {'targets': ['gpu-a:8000'], 'labels': {'instance': 'gpu-a', 'vllm_instance': 'llama-8b'}},
        {'targets': ['gpu-b:8000'], 'labels': {'instance': 'gpu-b', 'vllm_instance': 'llama-8b'}},
    ]
    assert fleet.verify_checks(hostvars, groups, None, ['vllm'])[0]['min_targets'] == 2


@pytest.mark.parametrize('ansible_host, expected', [
    ('2001:db8::11', '[2001:db8::11]:9100'),
    ('[2001:db8::11]', '[2001:db8::11]:9100'),
    ('::1', '[::1]:9100'),
    ('gpu-1.example.internal', 'gpu-1.example.internal:9100'),
    ('', 'gpu-1:9100'),
])
def test_address_from_ansible_host(ansible_host, expected):
    hostvars, groups = inventory({'gpu-1': {'ansible_host': ansible_host, 'vllm_instances': [vllm('a', 8000)]}},
                                 vllm_servers=['gpu-1'])
    targets = fleet.targets(hostvars, groups)
    assert targets['node'] == [{'targets': [expected], 'labels': {'instance': 'gpu-1'}}]
    assert targets['vllm'][0]['targets'] == [expected.rsplit(':', 1)[0] + ':8000']


def test_port_from_group_vars_is_used_everywhere():
    # group_vars reach hostvars; a string from an inventory still counts.
    hostvars, groups = inventory({
        'gpu-1': {'node_exporter_port': 9110},
        'mon': {'node_exporter_port': '9110', 'prometheus_port': 9091, 'alertmanager_port': 9193},
    }, vllm_servers=['gpu-1'], monitoring=['mon'])
    model = fleet.build(hostvars, groups)
    assert addresses(model, 'node') == ['gpu-1:9110', 'mon:9110']
    assert addresses(model, 'prometheus') == ['mon:9091']
    assert addresses(model, 'alertmanager') == ['mon:9193']


def test_port_only_in_published_fact_wins_over_inventory_and_default():
    hostvars, groups = inventory({
        'gpu-1': {'node_exporter_port': 9110, 'node_exporter_endpoint': {'port': 9120, 'scheme': 'https'}},
        'gpu-2': {'node_exporter_endpoint': {'port': 9130, 'scheme': 'http'}},
        'mon': {'alertmanager_endpoint': {'port': 9193}},
    }, vllm_servers=['gpu-1', 'gpu-2'], monitoring=['mon'])
    model = fleet.build(hostvars, groups)
    assert addresses(model, 'node') == ['gpu-1:9120', 'gpu-2:9130', 'mon:9100']
    assert [t['scheme'] for t in job(model, 'node')['targets']] == ['https', 'http', 'http']
    assert addresses(model, 'alertmanager') == ['mon:9193']
    assert fleet.effective_endpoint('gpu-1', hostvars['gpu-1'], 'node')['source'] == 'node_exporter_endpoint.port'
    # The TLS host is scraped over https, the others keep Prometheus' default.
    assert [g['labels'] for g in fleet.file_sd(job(model, 'node'))] == [
        {'instance': 'gpu-1', '__scheme__': 'https'}, {'instance': 'gpu-2'}, {'instance': 'mon'}]
    assert fleet.effective_endpoint('mon', hostvars['mon'], 'node')['source'] == 'default of node_exporter_port'


def test_host_missing_from_hostvars_gets_its_name_and_the_default_port():
    # The host list names a host the inventory does not know (or hostvars of a
    # play that does not cover it): nothing can be asked of it.
    hostvars, groups = inventory({'mon': {}}, monitoring=['mon'])
    settings = {'prometheus_node_exporter_hosts': ['mon', 'legacy-1'], 'prometheus_vllm_hosts': ['legacy-1']}
    model = fleet.build(hostvars, groups, settings)
    assert model['errors'] == []
    assert addresses(model, 'node') == ['legacy-1:9100', 'mon:9100']
    assert job(model, 'vllm')['targets'] == []
    assert job(model, 'dcgm')['targets'] == []
    assert model['warnings'] == [
        'host legacy-1 is not in the inventory (hostvars): scraped as legacy-1 with default ports, without vLLM instances']


def test_hosts_listed_twice_are_one_target():
    hostvars, groups = inventory({'a': {}, 'b': {}})
    targets = fleet.targets(hostvars, groups, {'prometheus_node_exporter_hosts': ['b', 'a', 'b']})
    assert [g['labels']['instance'] for g in targets['node']] == ['a', 'b']


def test_duplicate_port_names_host_and_field():
    hostvars, groups = inventory({'gpu-1': {'vllm_instances': [vllm('a', 8000), vllm('b', 8000)]}}, vllm_servers=['gpu-1'])
    errors = fleet.build(hostvars, groups)['errors']
    assert errors == ["vllm_instances of gpu-1: port 8000 is used by 'a' and 'b'; each instance needs its own port"]
    with pytest.raises(fleet.FleetError, match='vllm_instances of gpu-1: port 8000'):
        fleet.targets(hostvars, groups)
    with pytest.raises(fleet.FleetError, match='vllm_instances of gpu-1'):
        fleet.verify_checks(hostvars, groups)


def test_duplicate_name_names_host_and_field():
    hostvars, groups = inventory({'gpu-1': {'vllm_instances': [vllm('a', 8000), vllm('a', 8001)]}}, vllm_servers=['gpu-1'])
    errors = fleet.build(hostvars, groups)['errors']
    assert errors == ["vllm_instances of gpu-1: name 'a' is used by entries 1 and 2; vllm_instance labels must be unique on a host"]


@pytest.mark.parametrize('instances, message', [
    ('llama', 'vllm_instances of gpu-1 must be a list'),
    ({'name': 'a', 'port': 8000}, 'vllm_instances of gpu-1 must be a list'),
    (['llama'], 'vllm_instances of gpu-1: entry 1 must be a dict'),
    ([{'port': 8000}], 'vllm_instances of gpu-1: entry 1 needs a name'),
    ([{'name': 'a'}], "vllm_instances of gpu-1: port of 'a' must be a TCP port between 1 and 65535, got None"),
    ([{'name': 'a', 'port': 70000}], "port of 'a' must be a TCP port"),
    ([{'name': 'a', 'port': 'http'}], "port of 'a' must be a TCP port"),
    ([{'name': 'a', 'port': True}], "port of 'a' must be a TCP port"),
])
def test_bad_vllm_instances_name_host_and_field(instances, message):
    hostvars, groups = inventory({'gpu-1': {'vllm_instances': instances}}, vllm_servers=['gpu-1'])
    errors = fleet.build(hostvars, groups)['errors']
    assert len(errors) == 1 and message in errors[0], errors


@pytest.mark.parametrize('variables, message', [
    ({'node_exporter_port': 0}, 'host gpu-1: node_exporter_port must be a TCP port between 1 and 65535, got 0'),
    ({'node_exporter_port': 'nine'}, "host gpu-1: node_exporter_port must be a TCP port"),
    ({'node_exporter_endpoint': {'port': 99999}}, 'host gpu-1: node_exporter_endpoint.port must be a TCP port'),
    ({'node_exporter_endpoint': 9100}, 'host gpu-1: node_exporter_endpoint must be a dict'),
])
def test_bad_ports_name_host_and_field(variables, message):
    hostvars, groups = inventory({'gpu-1': variables})
    errors = fleet.build(hostvars, groups)['errors']
    assert errors and message in errors[0], errors
    with pytest.raises(fleet.FleetError, match='host gpu-1'):
        fleet.effective_port('gpu-1', hostvars['gpu-1'], 'node')


@pytest.mark.parametrize('settings, message', [
    ({'prometheus_rules_job_vllm': 'node'}, "prometheus_rules_job_node and prometheus_rules_job_vllm both name the job 'node'"),
    ({'prometheus_job_prometheus': ''}, 'prometheus_job_prometheus must be a non-empty job name'),
    ({'prometheus_vllm_hosts': 'gpu-1'}, 'prometheus_vllm_hosts must be a list of inventory host names'),
    ({'prometheus_self_hosts': [None]}, 'prometheus_self_hosts must list inventory host names'),
])
def test_bad_settings_name_the_variable(settings, message):
    hostvars, groups = inventory({'gpu-1': {}}, vllm_servers=['gpu-1'])
    errors = fleet.build(hostvars, groups, settings)['errors']
    assert errors and message in errors[0], errors


def test_dcgm_hosts_default_to_vllm_hosts_with_gpus(fleet_of_three):
    hostvars, groups = fleet_of_three
    hostvars['gpu-1']['dcgm_exporter_port'] = 9401
    model = fleet.build(hostvars, groups)
    assert addresses(model, 'dcgm') == ['10.0.0.11:9401', '10.0.0.12:9400']
    assert labels(model, 'dcgm') == [{'instance': 'gpu-1'}, {'instance': 'gpu-2'}]


def test_dcgm_hosts_chosen_explicitly(fleet_of_three):
    model = fleet.build(fleet_of_three[0], fleet_of_three[1], {'prometheus_dcgm_hosts': ['gpu-0']})
    assert addresses(model, 'dcgm') == ['10.0.0.10:9400']


def test_cpu_only_vllm_hosts_have_no_dcgm_target():
    hostvars, groups = inventory({'cpu-1': {'vllm_instances': [vllm('tiny', 8000, gpus=[])]}}, vllm_servers=['cpu-1'])
    model = fleet.build(hostvars, groups)
    assert job(model, 'dcgm')['targets'] == [] and len(job(model, 'vllm')['targets']) == 1


def test_job_names_follow_the_settings(fleet_of_three):
    settings = {'prometheus_rules_job_node': 'host', 'prometheus_rules_job_vllm': 'llm', 'prometheus_rules_job_dcgm': None}
    targets = fleet.targets(fleet_of_three[0], fleet_of_three[1], settings)
    assert list(targets) == ['host', 'llm', 'dcgm', 'alertmanager', 'prometheus', 'litellm']


def test_self_hosts_without_a_monitoring_group_fall_back_to_the_current_host():
    hostvars = {'solo': {'inventory_hostname': 'solo'}}
    groups = {'all': ['solo'], 'ungrouped': ['solo']}
    targets = fleet.targets(hostvars, groups, {'inventory_hostname': 'solo'})
    assert targets['prometheus'] == [{'targets': ['solo:9090'], 'labels': {'instance': 'solo'}}]
    assert targets['alertmanager'] == [] and targets['vllm'] == []


def test_host_targets_lists_every_job_of_one_host(fleet_of_three):
    found = fleet.host_targets(fleet_of_three[0], fleet_of_three[1], {}, 'gpu-2')
    assert [(t['job'], t['target']) for t in found] == [
        ('node', '10.0.0.12:9100'), ('vllm', '10.0.0.12:8000'), ('vllm', '10.0.0.12:8001'), ('dcgm', '10.0.0.12:9400')]


def test_scale_1000_hosts_with_two_instances_each():
    hostvars, groups = inventory(
        dict(('gpu-%04d' % i, {'ansible_host': '10.%d.%d.%d' % (i // 65536, i // 256 % 256, i % 256),
                               'vllm_instances': [vllm('llama', 8000, gpus=[0]), vllm('qwen', 8001, gpus=[1])]})
             for i in range(1000)),
        vllm_servers=['gpu-%04d' % i for i in range(1000)], monitoring=['gpu-0000'])
    start = time.time()
    targets = fleet.targets(hostvars, groups)
    checks = fleet.verify_checks(hostvars, groups)
    elapsed = time.time() - start
    print('fleet model: 1000 hosts x 2 vLLM instances, targets and verify checks in %.3f s' % elapsed)
    assert len(targets['vllm']) == 2000 and len(targets['node']) == 1000 and len(targets['dcgm']) == 1000
    assert [c['min_targets'] for c in checks if c['job'] == 'vllm'] == [2000]
    assert elapsed < 5


# --- the tables in fleet.py equal the roles' defaults -------------------------

def role_defaults(role):
    """The merged defaults of a role (defaults/main.yml or defaults/main/*.yml)."""
    base = os.path.join(ROOT, 'roles', role, 'defaults')
    files = sorted(glob.glob(os.path.join(base, 'main', '*.yml'))) or [os.path.join(base, 'main.yml')]
    merged = {}
    for path in files:
        with open(path) as handle:
            merged.update(yaml.safe_load(handle) or {})
    return merged


@pytest.mark.parametrize('port_var', sorted(fleet.DEFAULT_PORTS))
def test_default_ports_equal_the_role_defaults(port_var):
    role = [s[3] for s in fleet.SERVICES.values() if s[0] == port_var][0]
    if not os.path.isdir(os.path.join(ROOT, 'roles', role)):
        pytest.skip('role %s does not exist yet; %s keeps its upstream default' % (role, port_var))
    assert role_defaults(role)[port_var] == fleet.DEFAULT_PORTS[port_var]


def test_default_job_names_equal_the_prometheus_role_defaults():
    defaults = role_defaults('prometheus')
    assert dict((k, defaults[k]) for k in fleet.DEFAULT_JOB_NAMES) == fleet.DEFAULT_JOB_NAMES


@pytest.mark.parametrize('groups', [
    {'all': ['a', 'b', 'm', 'g'], 'vllm_servers': ['a', 'b'], 'monitoring': ['m'], 'gateway': ['g']},
    {'all': ['a'], 'ungrouped': ['a']},
    {'all': ['a', 'm'], 'vllm_servers': [], 'monitoring': []},
])
def test_default_host_lists_equal_the_prometheus_role_defaults(groups):
    # Rendered as Ansible would, so a rewritten expression with the same meaning still passes.
    defaults = role_defaults('prometheus')
    env = NativeEnvironment()
    for kind, var in fleet.HOST_LIST_VARS.items():
        value = defaults[var]
        if isinstance(value, str):
            value = env.from_string(value).render(groups=groups, inventory_hostname='a')
        assert value == fleet.default_hosts(kind, groups, 'a'), var


# GPU assignment of one host's instances (vllm role, before any unit change).
def _instance(name, gpus, **args):
    return {'name': name, 'model': 'm', 'port': 8000, 'gpus': gpus, 'args': args}


def test_gpu_assignments_that_hold():
    assert fleet.gpu_errors([], 'h') == []
    assert fleet.gpu_errors([_instance('cpu', [])], 'h') == []
    assert fleet.gpu_errors([_instance('a', [0]), _instance('b', [1, 2], tensor_parallel_size=2)], 'h') == []
    assert fleet.gpu_errors([_instance('a', [0, 1, 2, 3], **{'tensor-parallel-size': '2', 'pipeline-parallel-size': 2})], 'h') == []


@pytest.mark.parametrize('instances, words', [
    ([_instance('a', [0, 0])], ["vllm_instances of gpu-01", "'a'", 'GPU 0 more than once']),
    ([_instance('a', [0]), _instance('b', [0])], ["GPU 0 is in the gpus of both 'a' and 'b'"]),
    ([_instance('a', [0, 1])], ["'a' has 2 GPUs", 'tensor-parallel-size 1', 'args.tensor-parallel-size']),
    ([_instance('a', [0], tensor_parallel_size=2)], ["'a' has 1 GPUs", 'tensor-parallel-size 2']),
    ([_instance('a', [0], tensor_parallel_size='two')], ["args.tensor-parallel-size of 'a' must be a positive integer"]),
    ([_instance('a', '0,1')], ["gpus of 'a' must be a list"]),
])
def test_gpu_assignments_refused_naming_host_instance_and_field(instances, words):
    errors = fleet.gpu_errors(instances, 'gpu-01')
    assert len(errors) == 1, errors
    for word in words:
        assert word in errors[0]


RESERVED = {'port': "the instance's port", 'hf-token': "the instance's hf_token"}
REFUSED = {'disable-log-stats': 'it stops the metrics'}


def test_engine_args_that_hold():
    instances = [{'name': 'a', 'args': {'max_model_len': 4096, 'disable-log-stats': False}}, {'name': 'b'}]
    assert fleet.engine_arg_errors(instances, RESERVED, REFUSED, 'h') == []


@pytest.mark.parametrize('args, words', [
    ({'--max-model-len': 1}, ["'--max-model-len' is not an engine arg name"]),
    ({'hf_token': 'hf_CanarySecret'}, ["args.hf-token of 'a' is refused: it comes from the instance's hf_token"]),
    ({'port': 9000}, ["args.port of 'a'"]),
    ({'disable_log_stats': True}, ["args.disable-log-stats of 'a' is refused: it stops the metrics"]),
    ('--port 1', ["args of 'a' must be a mapping"]),
])
def test_engine_args_refused_by_name_never_by_value(args, words):
    errors = fleet.engine_arg_errors([{'name': 'a', 'args': args}], RESERVED, REFUSED, 'gpu-01')
    assert len(errors) == 1, errors
    assert errors[0].startswith('vllm_instances of gpu-01: ')
    assert 'CanarySecret' not in errors[0]
    for word in words:
        assert word in errors[0]


def test_public_instances_hide_secrets():
    instances = [{'name': 'a', 'hf_token': 'hf_x', 'api_key': 'sk-x', 'args': {'hf_token': 'hf_y', 'dtype': 'bf16'}}]
    assert fleet.public_instances(instances, ['hf_token', 'api_key'], ['hf-token', 'api-key']) == [
        {'name': 'a', 'args': {'hf_token': '<hidden>', 'dtype': 'bf16'}}]
    assert instances[0]['args']['hf_token'] == 'hf_y'


def test_published_listen_address_is_where_prometheus_dials():
    # vllm_stack_internal_network: the services bind one address, which may
    # differ from ansible_host (the management network Ansible uses).
    hostvars, groups = inventory({
        'gpu-1': {'ansible_host': '203.0.113.7', 'vllm_instances': [vllm('a', 8000)],
                  'node_exporter_endpoint': {'port': 9100, 'scheme': 'http', 'address': '10.40.3.21'},
                  'vllm_endpoint': {'address': '10.40.3.21'}},
        'mon': {'ansible_host': '203.0.113.9',
                'prometheus_endpoint': {'port': 9090, 'scheme': 'http', 'address': '0.0.0.0'},
                'alertmanager_endpoint': {'port': 9093, 'scheme': 'http', 'address': 'fd00:40::9'}},
    }, vllm_servers=['gpu-1'], monitoring=['mon'])
    model = fleet.build(hostvars, groups)
    assert addresses(model, 'node') == ['10.40.3.21:9100', '203.0.113.9:9100']
    assert addresses(model, 'vllm') == ['10.40.3.21:8000']
    assert addresses(model, 'prometheus') == ['203.0.113.9:9090']  # a wildcard: ansible_host
    assert addresses(model, 'alertmanager') == ['[fd00:40::9]:9093']


def test_alertmanager_peers_are_the_other_cluster_hosts():
    hostvars, groups = inventory({
        'mon-1': {'ansible_host': '10.40.0.1'},
        'mon-2': {'alertmanager_cluster_port': 9194},
        'mon-3': {'alertmanager_endpoint': {'port': 9093, 'cluster_address': '10.40.0.3'}},
        'mon-4': {'vllm_stack_internal_network': '10.40.0.0/16',
                  'ansible_facts': {'all_ipv4_addresses': ['192.0.2.4', '10.40.0.4']}},
    }, monitoring=['mon-1', 'mon-2', 'mon-3', 'mon-4'])
    hosts = groups['monitoring']
    assert fleet.alertmanager_peers(hostvars, hosts, 'mon-1') == ['mon-2:9194', '10.40.0.3:9094', '10.40.0.4:9094']
    assert fleet.alertmanager_peers(hostvars, hosts, 'mon-2')[0] == '10.40.0.1:9094'
    # One host, or a host list without this host's peers: the cluster stays off.
    assert fleet.alertmanager_peers(hostvars, ['mon-1'], 'mon-1') == []
    assert fleet.alertmanager_peers(hostvars, [], 'mon-1') == []


@pytest.mark.parametrize('hosts, variables, message', [
    ('mon-1,mon-2', {}, 'alertmanager_cluster_hosts must be a list'),
    (['mon-1', 'mon-2'], {'alertmanager_cluster_port': 'gossip'}, 'host mon-2: alertmanager_cluster_port must be a TCP port'),
    (['mon-1', 'mon-2'], {'vllm_stack_internal_network': '10.40.0.0/16', 'ansible_facts': {'all_ipv4_addresses': ['192.0.2.2']}},
     'no address of mon-2 is in it'),
])
def test_bad_cluster_settings_name_the_variable(hosts, variables, message):
    hostvars, _groups = inventory({'mon-1': {}, 'mon-2': variables}, monitoring=['mon-1', 'mon-2'])
    with pytest.raises(fleet.FleetError, match=message):
        fleet.alertmanager_peers(hostvars, hosts, 'mon-1')


def test_job_auth_follows_the_published_endpoints():
    # One host of the node job has basic auth and TLS: the whole job gets the
    # scrape credentials and the CA; a job without either asks for nothing.
    hostvars, groups = inventory({
        'gpu-1': {'node_exporter_endpoint': {'port': 9100, 'scheme': 'https', 'basic_auth': True}},
        'gpu-2': {'node_exporter_endpoint': {'port': 9100, 'scheme': 'http'}},
        'mon': {'alertmanager_endpoint': {'port': 9093, 'scheme': 'https', 'basic_auth': False},
                'prometheus_endpoint': {'port': 9090, 'scheme': 'http', 'basic_auth': True}},
    }, vllm_servers=['gpu-1', 'gpu-2'], monitoring=['mon'])
    auth = fleet.job_auth(hostvars, groups)
    assert auth['node'] == {'basic_auth': True, 'bearer': False, 'https': True, 'kind': 'node'}
    assert auth['alertmanager'] == {'basic_auth': False, 'bearer': False, 'https': True, 'kind': 'alertmanager'}
    assert auth['prometheus'] == {'basic_auth': True, 'bearer': False, 'https': False, 'kind': 'prometheus'}
    assert auth['vllm'] == {'basic_auth': False, 'bearer': False, 'https': False, 'kind': 'vllm'}
    assert auth['dcgm'] == {'basic_auth': False, 'bearer': False, 'https': False, 'kind': 'dcgm'}
    # No gateway group: a litellm job without targets asks for nothing.
    assert auth['litellm'] == {'basic_auth': False, 'bearer': False, 'https': False, 'kind': 'litellm'}


def test_job_auth_without_published_endpoints_asks_for_nothing():
    # The inventory alone says nothing about auth: a --tags run that skipped
    # the exporters' roles keeps the operator's job settings only.
    hostvars, groups = inventory({'gpu-1': {'node_exporter_port': 9110}, 'mon': {}},
                                 vllm_servers=['gpu-1'], monitoring=['mon'])
    assert set(v['basic_auth'] for v in fleet.job_auth(hostvars, groups).values()) == {False}


def test_job_http_settings_add_credentials_and_ca_where_the_targets_want_them():
    auth = {'node': {'basic_auth': True, 'https': True}, 'vllm': {'basic_auth': False, 'https': False},
            'alertmanager': {'basic_auth': False, 'https': True}, 'prometheus': {'basic_auth': True, 'https': False}}
    got = fleet.job_http_settings(auth, {}, 'prometheus', '/s/pw', '/s/ca.crt')
    assert got['errors'] == []
    assert got['settings'] == {
        'node': {'basic_auth': {'username': 'prometheus', 'password_file': '/s/pw'}, 'tls_config': {'ca_file': '/s/ca.crt'}},
        'alertmanager': {'tls_config': {'ca_file': '/s/ca.crt'}},
        'prometheus': {'basic_auth': {'username': 'prometheus', 'password_file': '/s/pw'}},
    }
    # No CA given: https jobs keep the system trust store.
    without_ca = fleet.job_http_settings(auth, {}, 'prometheus', '/s/pw', '')['settings']
    assert 'alertmanager' not in without_ca
    assert 'tls_config' not in without_ca['node']


def test_job_http_settings_leave_what_the_operator_set_and_name_missing_credentials():
    auth = {'node': {'basic_auth': True, 'https': True}, 'prometheus': {'basic_auth': True, 'https': False}}
    operator = {'node': {'authorization': {'credentials_file': '/x'}, 'tls_config': {'insecure_skip_verify': True}}}
    got = fleet.job_http_settings(auth, operator, '', '/s/pw', '/s/ca.crt')
    assert got['settings'] == {}
    assert got['errors'] == [
        'job prometheus: its targets have basic-auth users, but prometheus_scrape_basic_auth (default: '
        'vllm_stack_scrape_auth) has no username and prometheus_scrape_job_settings.prometheus no basic_auth']


def test_gpu_holders_name_the_instance_and_model_of_each_gpu():
    hv, groups = inventory({
        'gpu-1': {'vllm_instances': [vllm('big', 8000, gpus=[10, 2]), vllm('small', 8001, gpus=[3], model='Qwen/Qwen3-8B')]},
        'gpu-2': {'vllm_instances': [dict(vllm('raw', 8000, gpus=[0]), served_model_name='')]},
        'cpu-1': {'vllm_instances': [vllm('cpu', 8000)]},
    }, vllm_servers=['gpu-1', 'gpu-2', 'cpu-1'], monitoring=['mon'])
    assert fleet.gpu_holders(hv, groups) == [
        {'instance': 'gpu-1', 'gpu': '2', 'vllm_instance': 'big', 'model_name': 'Llama-3.1-8B-Instruct'},
        {'instance': 'gpu-1', 'gpu': '3', 'vllm_instance': 'small', 'model_name': 'Qwen3-8B'},
        {'instance': 'gpu-1', 'gpu': '10', 'vllm_instance': 'big', 'model_name': 'Llama-3.1-8B-Instruct'},
        # No served_model_name: vLLM labels its series with the model.
        {'instance': 'gpu-2', 'gpu': '0', 'vllm_instance': 'raw', 'model_name': 'meta-llama/Llama-3.1-8B-Instruct'},
    ]


def test_gpu_holders_only_for_the_dcgm_hosts():
    hv, groups = inventory({'gpu-1': {'vllm_instances': [vllm('big', 8000, gpus=[0])]}},
                           vllm_servers=['gpu-1'], monitoring=['mon'])
    assert fleet.gpu_holders(hv, groups, {'prometheus_dcgm_hosts': []}) == []


def test_gpu_holders_fail_on_the_fleets_errors():
    hv, groups = inventory({'gpu-1': {'vllm_instances': [vllm('a', 8000, gpus=[0]), vllm('b', 8000, gpus=[1])]}},
                           vllm_servers=['gpu-1'], monitoring=['mon'])
    with pytest.raises(fleet.FleetError, match='port 8000 is used by'):
        fleet.gpu_holders(hv, groups)


def test_gpu_holders_name_each_error_once():
    hv, groups = inventory({'gpu-1': {'vllm_instances': [vllm('a', 8000, gpus=[0]), vllm('b', 8000, gpus=[1])]}},
                           vllm_servers=['gpu-1'], monitoring=['mon'])
    errors = fleet.build(hv, groups)['errors']
    assert len([error for error in errors if 'port 8000 is used by' in error]) == 1, errors
