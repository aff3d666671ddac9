# -*- coding: utf-8 -*-
# Copyright: (c) 2026, llmops contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""Checks a LiteLLM proxy config written by the litellm role before it replaces the old one.

Usage: python3 litellm-config-check CONFIG.json

The role writes the config as JSON (LiteLLM's YAML loader reads it as it
is), so this needs nothing but Python's standard library on the host. It
checks what would make the gateway start wrong or leak a secret:

- the file parses, and model_list is a non-empty list of deployments;
- every deployment has a model_name and litellm_params.model;
- no two deployments share model_name and api_base (LiteLLM would balance
  over one server twice);
- keys (api_key and the like, master_key, database_url) are os.environ/NAME
  references, never values: the config is not a secret file;
- the router's num_retries and allowed_fails are integers >= 0 and 1,
  timeout and cooldown_time positive numbers.

Exit status 0 when fine, 1 with one line per problem on stderr.
"""

from __future__ import absolute_import, division, print_function

import json
import sys

SECRET_PARAMS = ('api_key', 'aws_access_key_id', 'aws_secret_access_key', 'aws_session_token',
                 'azure_ad_token', 'client_secret')
ENV_PREFIX = 'os.environ/'


def _is_reference(value):
    return isinstance(value, str) and value.startswith(ENV_PREFIX) and len(value) > len(ENV_PREFIX)


def _number(value):
    return isinstance(value, (int, float)) and not isinstance(value, bool)


def problems(config):
    found = []
    if not isinstance(config, dict):
        return ['the config is not a mapping']
    models = config.get('model_list')
    if not isinstance(models, list) or not models:
        return ['model_list is missing or empty: the gateway would serve nothing']
    seen = {}
    for index, entry in enumerate(models, 1):
        where = 'model_list entry %d' % index
        if not isinstance(entry, dict):
            found.append('%s is not a mapping' % where)
            continue
        name = entry.get('model_name')
        params = entry.get('litellm_params')
        if not isinstance(name, str) or not name:
            found.append('%s has no model_name' % where)
        if not isinstance(params, dict) or not isinstance(params.get('model'), str) or not params.get('model'):
            found.append('%s (%s) has no litellm_params.model' % (where, name))
            continue
        for key in SECRET_PARAMS:
            if key in params and not _is_reference(params[key]):
                found.append('%s (%s): litellm_params.%s must be an os.environ/NAME reference, not a value'
                             % (where, name, key))
        pair = (name, params.get('api_base'))
        if params.get('api_base') and pair in seen:
            found.append('%s (%s) has the api_base of entry %d: one server, listed twice' % (where, name, seen[pair]))
        seen.setdefault(pair, index)
    general = config.get('general_settings') or {}
    for key in ('master_key', 'database_url'):
        if key in general and not _is_reference(general[key]):
            found.append('general_settings.%s must be an os.environ/NAME reference, not a value' % key)
    if not _is_reference(general.get('master_key')):
        found.append('general_settings.master_key is missing: the gateway would answer without authentication')
    router = config.get('router_settings') or {}
    for key, low in (('num_retries', 0), ('allowed_fails', 1)):
        if key in router and not (isinstance(router[key], int) and not isinstance(router[key], bool)
                                  and router[key] >= low):
            found.append('router_settings.%s must be an integer >= %d' % (key, low))
    for key in ('timeout', 'cooldown_time'):
        if key in router and not (_number(router[key]) and router[key] > 0):
            found.append('router_settings.%s must be a positive number' % key)
    return found


def main(argv):
    if len(argv) != 2:
        sys.stderr.write('usage: litellm-config-check CONFIG.json\n')
        return 2
    try:
        with open(argv[1]) as handle:
            config = json.load(handle)
    except (OSError, ValueError) as exc:
        sys.stderr.write('%s: %s\n' % (argv[1], exc))
        return 1
    found = problems(config)
    for line in found:
        sys.stderr.write('%s: %s\n' % (argv[1], line))
    return 1 if found else 0


if __name__ == '__main__':
    sys.exit(main(sys.argv))
