"""The litellm role's config checker (roles/litellm/files/litellm_config_check.py),
run as the role runs it, on configs the gateway model writes and on broken ones."""

import copy
import json
import os
import subprocess
import sys

import pytest

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
CHECKER = os.path.join(ROOT, 'roles', 'litellm', 'files', 'litellm_config_check.py')

GOOD = {
    'model_list': [
        {'model_name': 'tiny', 'litellm_params': {'model': 'hosted_vllm/tiny', 'api_base': 'http://vllm-1:8101/v1',
                                                  'api_key': 'os.environ/LITELLM_UPSTREAM_KEY_VLLM_1'},
         'model_info': {'id': 'vllm-1/alpha'}},
        {'model_name': 'tiny', 'litellm_params': {'model': 'hosted_vllm/tiny', 'api_base': 'http://vllm-2:8101/v1'},
         'model_info': {'id': 'vllm-2/alpha'}},
    ],
    'router_settings': {'routing_strategy': 'simple-shuffle', 'num_retries': 2, 'timeout': 600,
                        'allowed_fails': 3, 'cooldown_time': 30},
    'litellm_settings': {'callbacks': ['prometheus'], 'require_auth_for_metrics_endpoint': True, 'telemetry': False},
    'general_settings': {'master_key': 'os.environ/LITELLM_MASTER_KEY'},
}


def check(tmp_path, config, raw=None):
    path = tmp_path / 'config.json'
    path.write_text(raw if raw is not None else json.dumps(config))
    return subprocess.run([sys.executable, CHECKER, str(path)], capture_output=True, text=True, timeout=30, check=False)


def test_a_config_of_two_replicas_passes(tmp_path):
    result = check(tmp_path, GOOD)
    assert (result.returncode, result.stderr) == (0, '')


def broken(change):
    config = copy.deepcopy(GOOD)
    change(config)
    return config


@pytest.mark.parametrize('change, message', [
    (lambda c: c.update(model_list=[]), 'model_list is missing or empty'),
    (lambda c: c['model_list'][1].pop('model_name'), 'entry 2 has no model_name'),
    (lambda c: c['model_list'][0]['litellm_params'].pop('model'), 'entry 1 (tiny) has no litellm_params.model'),
    (lambda c: c['model_list'][1]['litellm_params'].update(api_base='http://vllm-1:8101/v1'),
     'entry 2 (tiny) has the api_base of entry 1'),
    (lambda c: c['model_list'][0]['litellm_params'].update(api_key='sk-literal'),
     'litellm_params.api_key must be an os.environ/NAME reference'),
    (lambda c: c['general_settings'].update(master_key='sk-literal'), 'general_settings.master_key must be'),
    (lambda c: c['general_settings'].pop('master_key'), 'without authentication'),
    (lambda c: c['general_settings'].update(database_url='postgresql://u:p@db/x'), 'general_settings.database_url'),
    (lambda c: c['router_settings'].update(num_retries=-1), 'num_retries must be an integer >= 0'),
    (lambda c: c['router_settings'].update(allowed_fails=0), 'allowed_fails must be an integer >= 1'),
    (lambda c: c['router_settings'].update(timeout=0), 'timeout must be a positive number'),
    (lambda c: c['router_settings'].update(cooldown_time='30'), 'cooldown_time must be a positive number'),
])
def test_each_problem_is_named_and_fails(tmp_path, change, message):
    result = check(tmp_path, broken(change))
    assert result.returncode == 1
    assert message in result.stderr


def test_a_file_that_does_not_parse_fails(tmp_path):
    result = check(tmp_path, None, raw='model_list: [\n')
    assert result.returncode == 1
    assert 'config.json' in result.stderr


def test_no_secret_value_is_echoed(tmp_path):
    result = check(tmp_path, broken(lambda c: c['model_list'][0]['litellm_params'].update(api_key='sk-CANARY')))
    assert 'sk-CANARY' not in result.stderr + result.stdout
