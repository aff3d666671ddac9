# -*- coding: utf-8 -*-
# Copyright: (c) 2026, llmops contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)

"""The gateway model: the LiteLLM proxy config the inventory implies.

LiteLLM (the OpenAI-compatible gateway, 1.108.7) sits in front of every vLLM
instance. One place turns the inventory (``hostvars``, ``groups``) and the
litellm role's variables into its ``config.yaml``, so that the role, the
verify play and reports never compute the gateway differently, and the
gateway dials the very addresses Prometheus scrapes.

Inputs. ``settings`` maps the litellm role's variables to values; a missing
or null one takes ``DEFAULT_SETTINGS``:

- ``litellm_vllm_hosts``: the vLLM hosts behind the gateway (default:
  ``groups['vllm_servers']``);
- ``litellm_model_groups``: the model names the gateway must serve. Empty:
  whatever the fleet serves. Otherwise only those of the fleet's models (the
  vLLM deployments of other models are left out), and each must have a
  deployment, from the fleet or from ``litellm_extra_deployments``;
- ``litellm_extra_deployments``: deployments of upstreams that are not vLLM
  instances of the fleet, ``{model_name, litellm_params: {model, ...},
  model_info}``, always served. Secrets in ``litellm_params`` are written as
  ``os.environ/NAME`` references, never as values: the config is a file that
  loops, diffs and messages may show;
- ``litellm_routing_strategy`` (``ROUTING_STRATEGIES``),
  ``litellm_num_retries`` and ``litellm_allowed_fails`` (integers >= 1),
  ``litellm_timeout`` and ``litellm_cooldown_time`` (seconds, > 0): the
  router's settings;
- ``litellm_require_auth_for_metrics`` (bool): whether ``/metrics`` wants a
  key; written explicitly because LiteLLM's own default changed between
  releases (off, later on);
- ``litellm_database_url_set`` (bool): whether a database is configured.
  The URL holds a password: it reaches the gateway as the environment
  variable ``DATABASE_URL`` only, the config refers to it.

Deployments. Every entry of ``vllm_instances`` on every vLLM host is one
deployment:

- ``model_name``: the entry's ``served_model_name``, else its ``model``: the
  name clients ask for, and the model name vLLM itself answers to;
- ``litellm_params``: ``model: hosted_vllm/<that name>`` (LiteLLM's vLLM
  provider; it strips the prefix), ``api_base: http://<address>:<port>/v1``
  with the address of :func:`fleet.vllm_address` (the scrape targets' own),
  and ``api_key: os.environ/<VAR>`` when the instance has a key: its
  ``api_key``, else the host's ``vllm_api_key`` (as the vllm role decides).
  ``VAR`` is ``LITELLM_UPSTREAM_KEY_<HOST>`` for the host's key and
  ``LITELLM_UPSTREAM_KEY_<HOST>_<INSTANCE>`` for an instance's own, upper
  case, every other character ``_``; names that would collide get a suffix
  from a hash of the host (and instance) name. Without a key there is no
  ``api_key``: LiteLLM's hosted_vllm provider then sends a placeholder
  (``HOSTED_VLLM_API_KEY`` or ``fake-api-key``), which a vLLM server started
  without ``--api-key`` ignores;
- ``model_info.id``: ``<host>/<instance name>``, the deployment's stable id.
  LiteLLM labels its deployment metrics ``model_id`` with it, so they name
  the instance the way the vLLM targets' ``instance``/``vllm_instance`` do.
  An extra deployment's id is its ``model_info.id``, else
  ``litellm_extra_deployments/<index>`` (1-based).

Replicas: deployments that share a ``model_name`` form one model group, which
LiteLLM balances and fails over within. Deployments are sorted by model
name, then host and instance (the extra deployments after the fleet's, in
list order), so the rendered config only changes when the inventory does.

Config: ``model_list``, ``router_settings``, ``litellm_settings``
(``callbacks: [prometheus]``, ``require_auth_for_metrics_endpoint``,
``telemetry: false``) and ``general_settings`` (``master_key:
os.environ/LITELLM_MASTER_KEY``, and ``database_url: os.environ/DATABASE_URL``
when a database is set). ``drop_params`` stays off: hosted_vllm accepts the
OpenAI parameters, and silently dropping one a client sent would hide the
error from the client. Note that LiteLLM resolves ``os.environ/NAME`` when it
starts, and a master key reference to an unset variable leaves the gateway
without authentication: whoever starts it must set every name of
``env_references``.

Errors name the host, the instance or the entry, and the variable, never a
secret value. Pure Python, no Ansible imports: the filter plugin ``litellm``
wraps it.
"""

from __future__ import absolute_import, division, print_function
__metaclass__ = type

import hashlib
import math
import re
from collections.abc import Mapping

from ansible_collections.llmops.vllm_stack.plugins.module_utils import fleet

# The strategies the role offers (LiteLLM knows more; these need no extra
# settings such as costs or thresholds).
ROUTING_STRATEGIES = ('simple-shuffle', 'least-busy', 'usage-based-routing-v2', 'latency-based-routing')

# The litellm role's defaults (litellm_vllm_hosts: groups['vllm_servers']).
DEFAULT_SETTINGS = {
    'litellm_vllm_hosts': None,
    'litellm_model_groups': [],
    'litellm_extra_deployments': [],
    'litellm_routing_strategy': 'simple-shuffle',
    'litellm_num_retries': 2,
    'litellm_timeout': 600,
    'litellm_allowed_fails': 3,
    'litellm_cooldown_time': 30,
    'litellm_require_auth_for_metrics': True,
    'litellm_database_url_set': False,
}

SETTING_VARS = tuple(sorted(DEFAULT_SETTINGS))

HOSTS_VAR = 'litellm_vllm_hosts'
GROUPS_VAR = 'litellm_model_groups'
EXTRA_VAR = 'litellm_extra_deployments'

PROVIDER = 'hosted_vllm'
ENV_PREFIX = 'os.environ/'
UPSTREAM_KEY_PREFIX = 'LITELLM_UPSTREAM_KEY_'
MASTER_KEY_ENV = 'LITELLM_MASTER_KEY'
DATABASE_URL_ENV = 'DATABASE_URL'

# litellm_params of an extra deployment that hold secrets: only as
# os.environ/NAME references.
SECRET_PARAMS = ('api_key', 'aws_access_key_id', 'aws_secret_access_key', 'aws_session_token',
                 'azure_ad_token', 'client_secret')

EXTRA_KEYS = ('model_name', 'litellm_params', 'model_info')

_ENV_NAME = re.compile(r'^[A-Za-z_][A-Za-z0-9_]*$')
_TRUE = ('true', 'yes', 'on', '1')
_FALSE = ('false', 'no', 'off', '0')


class LitellmError(ValueError):
    """The inventory implies no valid gateway config; the message names host, entry and variable."""


def _setting(settings, name):
    value = settings.get(name) if settings is not None else None
    return DEFAULT_SETTINGS[name] if value is None else value


def _positive_int(value, var, errors):
    if fleet._is_int_like(value) and int(value) >= 1:
        return int(value)
    errors.append('%s must be a whole number of at least 1, got %r' % (var, value))
    return None


def _positive_number(value, var, errors):
    """Seconds: an int or float above 0 (a numeric string counts), kept an int when whole."""
    if fleet._is_int_like(value) and int(value) > 0:
        return int(value)
    number = None
    if isinstance(value, float):
        number = value
    elif isinstance(value, str):
        try:
            number = float(value.strip())
        except ValueError:
            number = None
    if number is not None and math.isfinite(number) and number > 0:
        return number
    errors.append('%s must be a number of seconds above 0, got %r' % (var, value))
    return None


def _bool(value, var, errors):
    if isinstance(value, bool):
        return value
    if isinstance(value, str) and value.strip().lower() in _TRUE + _FALSE:
        return value.strip().lower() in _TRUE
    errors.append('%s must be true or false, got %r' % (var, value))
    return None


def _text(value):
    """A secret as text, or None when it is no string (a vault value arrives as a str subclass)."""
    if isinstance(value, (bool, int, float, Mapping, list, tuple, bytes)):
        return None
    return value if isinstance(value, str) else str(value)


def _router_settings(settings, errors):
    strategy = _setting(settings, 'litellm_routing_strategy')
    if strategy not in ROUTING_STRATEGIES:
        errors.append('litellm_routing_strategy must be one of %s, got %r' % (', '.join(ROUTING_STRATEGIES), strategy))
    return {
        'routing_strategy': strategy,
        'num_retries': _positive_int(_setting(settings, 'litellm_num_retries'), 'litellm_num_retries', errors),
        'timeout': _positive_number(_setting(settings, 'litellm_timeout'), 'litellm_timeout', errors),
        'allowed_fails': _positive_int(_setting(settings, 'litellm_allowed_fails'), 'litellm_allowed_fails', errors),
        'cooldown_time': _positive_number(_setting(settings, 'litellm_cooldown_time'), 'litellm_cooldown_time',
                                          errors),
    }


def _vllm_hosts(settings, groups, errors):
    value = settings.get(HOSTS_VAR) if settings is not None else None
    if value is None:
        return sorted(set((groups or {}).get('vllm_servers', [])))
    return sorted(set(fleet.host_names(HOSTS_VAR, value, errors)))


def _model_groups(settings, errors):
    value = _setting(settings, GROUPS_VAR)
    if not fleet.is_list(value):
        errors.append('%s must be a list of model names, got %r' % (GROUPS_VAR, value))
        return []
    names = list(value)
    bad = [n for n in names if not isinstance(n, str) or not n.strip()]
    if bad:
        errors.append('%s must list model names (the model_name clients ask for), got %r' % (GROUPS_VAR, bad))
        return []
    unique = []
    for name in names:
        if name not in unique:
            unique.append(name)
    return unique


def _env_name(text):
    return UPSTREAM_KEY_PREFIX + re.sub(r'[^A-Z0-9]', '_', text.upper())


def _name_of(entry, where, errors):
    """The model name of a vllm_instances entry: served_model_name, else model."""
    name = entry.get('name')
    for field in ('served_model_name', 'model'):
        value = entry.get(field)
        if value in (None, ''):
            continue
        if isinstance(value, str) and value.strip():
            return value
        errors.append('%s: %s of %r must be a model name, got %r' % (where, field, name, value))
        return None
    errors.append('%s: %r needs a model (or a served_model_name): it is the model name the gateway serves it under'
                  % (where, name))
    return None


def _key(value, where, errors):
    """``(True, key)``, ``(True, None)`` without a key, ``(False, None)`` after recording why it is no key."""
    if value in (None, ''):
        return True, None
    key = _text(value)
    # The type or the shape only: never the value.
    if key is None:
        errors.append('%s must be a string, got a %s' % (where, type(value).__name__))
        return False, None
    if '\n' in key or '\r' in key:
        errors.append('%s must be one line' % where)
        return False, None
    return True, key


def _fleet_deployments(hostvars, hosts, errors):
    """The deployments of the vLLM instances on ``hosts``, and the key of each upstream key source."""
    deployments = []
    keys = {}
    for host in hosts:
        host_vars = hostvars[host] if hostvars is not None and host in hostvars else None
        if host_vars is None:
            errors.append('%s: host %s is not in the inventory (hostvars)' % (HOSTS_VAR, host))
            continue
        where = '%s of %s' % (fleet.VLLM_INSTANCES_VAR, host)
        valid = fleet.vllm_entries(host, host_vars, errors)
        if not valid:
            continue
        entries = {}
        for entry in host_vars.get(fleet.VLLM_INSTANCES_VAR):
            if isinstance(entry, Mapping):
                entries.setdefault(entry.get('name'), entry)
        address = fleet.vllm_address(host, host_vars)
        host_ok, host_key = _key(host_vars.get('vllm_api_key'), 'host %s: vllm_api_key' % host, errors)
        for instance, port in valid:
            entry = entries[instance]
            model_name = _name_of(entry, where, errors)
            # The instance's api_key, else the host's vllm_api_key, as the vllm role decides.
            ok, own_key = _key(entry.get('api_key'), '%s: api_key of %r' % (where, instance), errors)
            if model_name is None or not ok:
                continue
            key = None
            if own_key is not None:
                key = ('%s/%s' % (host, instance), own_key)
            elif host_key is not None:
                key = (host, host_key)
            elif not host_ok:
                continue
            if key is not None:
                keys[key[0]] = key[1]
            deployments.append({
                'sort': (model_name, 0, host, instance, 0),
                'label': 'vllm_instances entry %r of %s' % (instance, host),
                'key_source': key[0] if key is not None else None,
                'deployment': {
                    'model_name': model_name,
                    'litellm_params': {'model': '%s/%s' % (PROVIDER, model_name),
                                       'api_base': 'http://%s:%d/v1' % (address, port)},
                    'model_info': {'id': '%s/%s' % (host, instance)},
                },
            })
    return deployments, keys


def _env_reference(value):
    """The variable name of an ``os.environ/NAME`` reference, else None."""
    if isinstance(value, str) and value.startswith(ENV_PREFIX) and _ENV_NAME.match(value[len(ENV_PREFIX):]):
        return value[len(ENV_PREFIX):]
    return None


def _extra_deployments(settings, errors):
    value = _setting(settings, EXTRA_VAR)
    if not fleet.is_list(value):
        # The type only: an entry may carry a key.
        errors.append('%s must be a list of {model_name, litellm_params}, got a %s' % (EXTRA_VAR, type(value).__name__))
        return []
    deployments = []
    for index, entry in enumerate(value, 1):
        where = '%s: entry %d' % (EXTRA_VAR, index)
        if not isinstance(entry, Mapping):
            errors.append('%s must be a dict with model_name and litellm_params, got a %s'
                          % (where, type(entry).__name__))
            continue
        model_name = entry.get('model_name')
        if not isinstance(model_name, str) or not model_name.strip():
            errors.append('%s needs a model_name (the model group it serves), got %r' % (where, model_name))
            model_name = None
        else:
            where = '%s (%s)' % (where, model_name)
        unknown = sorted(str(k) for k in entry if k not in EXTRA_KEYS)
        if unknown:
            errors.append('%s: unknown key(s) %s; a deployment has %s' % (where, ', '.join(unknown), ', '.join(EXTRA_KEYS)))
        params = entry.get('litellm_params')
        if not isinstance(params, Mapping):
            errors.append('%s needs litellm_params, a dict with at least model (provider/model)' % where)
            continue
        model = params.get('model')
        if not isinstance(model, str) or not model.strip():
            errors.append('%s needs litellm_params.model (provider/model, for example openai/gpt-4o), got %r'
                          % (where, model))
        bad_secret = False
        for param in SECRET_PARAMS:
            secret = params.get(param)
            if secret in (None, '') or _env_reference(secret) is not None:
                continue
            bad_secret = True
            errors.append('%s: litellm_params.%s must be an os.environ/NAME reference, not a value: the secret '
                          'goes in the gateway\'s environment, never in its config' % (where, param))
        model_info = entry.get('model_info')
        if model_info is not None and not isinstance(model_info, Mapping):
            errors.append('%s: model_info must be a dict, got a %s' % (where, type(model_info).__name__))
            continue
        model_info = dict(model_info or {})
        if model_info.get('id') in (None, ''):
            model_info['id'] = '%s/%d' % (EXTRA_VAR, index)
        elif not isinstance(model_info['id'], str):
            errors.append('%s: model_info.id must be a string, got %r' % (where, model_info['id']))
            continue
        if model_name is None or bad_secret:
            continue
        deployments.append({
            'sort': (model_name, 1, '', '', index),
            'label': '%s entry %d' % (EXTRA_VAR, index),
            'key_source': None,
            'deployment': {'model_name': model_name, 'litellm_params': dict(params), 'model_info': model_info},
        })
    return deployments


def _env_names(sources):
    """Upstream key source -> environment variable name, collision-free."""
    names = {}
    for source in sources:
        names[source] = _env_name(source.replace('/', '_'))
    taken = {}
    for source, name in names.items():
        taken.setdefault(name, []).append(source)
    for name, holders in taken.items():
        if len(holders) > 1:
            for source in holders:
                names[source] = '%s_%s' % (name, hashlib.sha256(source.encode('utf-8')).hexdigest()[:8].upper())
    return names


def _duplicates(deployments, errors):
    by_base = {}
    by_id = {}
    for item in deployments:
        deployment = item['deployment']
        base = deployment['litellm_params'].get('api_base')
        if isinstance(base, str) and base:
            by_base.setdefault((deployment['model_name'], base.rstrip('/')), []).append(item['label'])
        by_id.setdefault(deployment['model_info']['id'], []).append(item['label'])
    for (model_name, base), labels in sorted(by_base.items()):
        if len(labels) > 1:
            errors.append('model group %r: %s all dial %s; LiteLLM would count one server as %d replicas'
                          % (model_name, ' and '.join(labels), base, len(labels)))
    for deployment_id, labels in sorted(by_id.items()):
        if len(labels) > 1:
            errors.append('deployment id %r (model_info.id) is used by %s; each deployment needs its own'
                          % (deployment_id, ' and '.join(labels)))


def _hosts_text(hosts):
    return 'on %s' % ', '.join(hosts) if hosts else 'on any host (%s is empty)' % HOSTS_VAR


def build(hostvars, groups, settings=None):
    """Return the gateway model: ``{'config', 'env', 'model_groups', 'fleet_model_groups', 'env_references', 'errors'}``.

    See the module docstring. ``config`` is the dict to dump as LiteLLM's
    config.yaml, ``env`` maps each upstream key's variable to the key (the
    secrets, for the gateway's environment), ``model_groups`` each model name
    to its deployment ids, ``fleet_model_groups`` the names with a vLLM
    deployment of the fleet (what the verify play may send a chat to without
    paying an outside upstream), ``env_references`` every variable the config
    refers to (sorted), ``errors`` what makes the config impossible.
    """
    errors = []
    router = _router_settings(settings, errors)
    require_auth = _bool(_setting(settings, 'litellm_require_auth_for_metrics'), 'litellm_require_auth_for_metrics',
                         errors)
    database = _bool(_setting(settings, 'litellm_database_url_set'), 'litellm_database_url_set', errors)
    hosts = _vllm_hosts(settings, groups, errors)
    wanted = _model_groups(settings, errors)

    fleet_deployments, keys = _fleet_deployments(hostvars, hosts, errors)
    if wanted:
        fleet_deployments = [d for d in fleet_deployments if d['deployment']['model_name'] in wanted]
    deployments = sorted(fleet_deployments + _extra_deployments(settings, errors), key=lambda d: d['sort'])
    _duplicates(deployments, errors)

    served = set(d['deployment']['model_name'] for d in deployments)
    for name in wanted:
        if name not in served:
            errors.append('%s: model group %r has no deployment: no vllm_instances entry %s serves it and %s has none'
                          % (GROUPS_VAR, name, _hosts_text(hosts), EXTRA_VAR))
    if not wanted and not deployments:
        errors.append('the gateway would have nothing behind it: no vllm_instances entry %s serves a model and %s is '
                      'empty' % (_hosts_text(hosts), EXTRA_VAR))

    used = set(d['key_source'] for d in deployments if d['key_source'] is not None)
    names = _env_names(sorted(used))
    env = {}
    references = set([MASTER_KEY_ENV])
    model_list = []
    model_groups = {}
    for item in deployments:
        deployment = item['deployment']
        if item['key_source'] is not None:
            name = names[item['key_source']]
            deployment['litellm_params']['api_key'] = ENV_PREFIX + name
            env[name] = keys[item['key_source']]
        for value in deployment['litellm_params'].values():
            if _env_reference(value) is not None:
                references.add(_env_reference(value))
        model_list.append(deployment)
        model_groups.setdefault(deployment['model_name'], []).append(deployment['model_info']['id'])

    general = {'master_key': ENV_PREFIX + MASTER_KEY_ENV}
    if database:
        general['database_url'] = ENV_PREFIX + DATABASE_URL_ENV
        references.add(DATABASE_URL_ENV)
    config = {
        'model_list': model_list,
        'router_settings': router,
        'litellm_settings': {
            'callbacks': ['prometheus'],
            'require_auth_for_metrics_endpoint': require_auth,
            'telemetry': False,
        },
        'general_settings': general,
    }
    return {'config': config, 'env': env, 'model_groups': model_groups,
            'fleet_model_groups': sorted(set(d['deployment']['model_name'] for d in fleet_deployments)),
            'env_references': sorted(references), 'errors': errors}


def errors(hostvars, groups, settings=None):
    """What makes the gateway config impossible, each naming host, entry and variable; [] when fine."""
    return build(hostvars, groups, settings)['errors']


def config(hostvars, groups, settings=None):
    """``{'config', 'env', 'model_groups', 'fleet_model_groups', 'env_references'}``; raises LitellmError with every error."""
    model = build(hostvars, groups, settings)
    if model['errors']:
        raise LitellmError('; '.join(model['errors']))
    del model['errors']
    return model


def settings_errors(master_key, database_url=None):
    """What is wrong with the gateway's secrets ([] when fine); never shows them.

    The master key must start with ``sk-``: the form LiteLLM documents for
    it, and the prefix LiteLLM requires of every key it checks as a virtual
    key. The database URL, when set, must be a PostgreSQL URL (LiteLLM's
    database is PostgreSQL, through Prisma).
    """
    found = []
    key = _text(master_key) if master_key not in (None, '') else None
    if key is None or not key.startswith('sk-') or len(key) <= len('sk-'):
        found.append('litellm_master_key must start with sk- (the form LiteLLM documents for its master key; '
                     'LiteLLM refuses keys without it wherever it expects one of its own keys)')
    elif '\n' in key or '\r' in key or key != key.strip():
        found.append('litellm_master_key must be one line, without spaces around it')
    if database_url not in (None, ''):
        url = _text(database_url)
        if url is None or not (url.startswith('postgresql://') or url.startswith('postgres://')):
            found.append('litellm_database_url must be a PostgreSQL URL (postgresql://user:password@host:5432/db)')
        elif '\n' in url or '\r' in url:
            found.append('litellm_database_url must be one line')
    return found
