# -*- coding: utf-8 -*-
# Copyright: (c) 2026, llmops contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)

"""The fleet model: which scrape targets the inventory implies.

One place turns the inventory (``hostvars``, ``groups``) and the Prometheus
job settings into the scrape targets of every built-in job. The prometheus
role writes its file_sd files from it, the verify play of ``site.yml`` checks
Prometheus against it and ``report.yml`` prints it, so no two places compute
targets differently.

Label scheme: every target carries ``instance=<inventory hostname>``; vLLM
targets also carry ``vllm_instance=<name of the vllm_instances entry>``. A
target's identity is therefore (job, instance) and, for vLLM, (job, instance,
vllm_instance).

Effective port of a host for a job, first found wins:

1. the endpoint fact the service role published when it ran on that host
   (``node_exporter_endpoint``, ``prometheus_endpoint``,
   ``alertmanager_endpoint``, ``dcgm_exporter_endpoint``, ``litellm_endpoint``:
   a dict with at least ``port`` and ``scheme``), so a port set as a role or
   play variable is seen;
2. the host's inventory variable (``node_exporter_port`` ...);
3. the role default, from ``DEFAULT_PORTS`` (a unit test keeps it equal to the
   roles' defaults).

A host that is listed for a job but unknown to ``hostvars`` cannot be asked
for anything: it is scraped under its name with the default port, and it has
no vLLM instances or GPUs. The model reports it in ``warnings``.

Pure Python, no Ansible imports: the filter plugin ``fleet`` wraps it.
"""

from __future__ import absolute_import, division, print_function
__metaclass__ = type

import re
from collections.abc import Mapping

from ansible_collections.llmops.vllm_stack.plugins.module_utils import network

# kind -> (port variable, endpoint fact, default port, role that owns both)
SERVICES = {
    'node': ('node_exporter_port', 'node_exporter_endpoint', 9100, 'node_exporter'),
    'dcgm': ('dcgm_exporter_port', 'dcgm_exporter_endpoint', 9400, 'dcgm_exporter'),
    'alertmanager': ('alertmanager_port', 'alertmanager_endpoint', 9093, 'alertmanager'),
    'prometheus': ('prometheus_port', 'prometheus_endpoint', 9090, 'prometheus'),
    'litellm': ('litellm_port', 'litellm_endpoint', 4000, 'litellm'),
}

# The LiteLLM gateway's /metrics wants a key unless its role turned that off
# (litellm_require_auth_for_metrics, default on: the series name every model,
# deployment and upstream URL behind the gateway). Without a published
# endpoint, the host's variable says; without that, the role default.
LITELLM_METRICS_AUTH_VAR = 'litellm_require_auth_for_metrics'

# Scrape settings a job's kind needs whatever the inventory: LiteLLM answers
# /metrics with a redirect to /metrics/ (Prometheus would follow it, but a
# redirect per scrape is a round trip for nothing).
KIND_SCRAPE_SETTINGS = {
    'litellm': {'metrics_path': '/metrics/'},
}

# The one table of default ports: port variable -> role default.
DEFAULT_PORTS = dict((port_var, default) for port_var, _fact, default, _role in SERVICES.values())

# Built-in jobs in the order they are written and checked.
KINDS = ('node', 'vllm', 'dcgm', 'alertmanager', 'prometheus', 'litellm')

# kind -> variable naming its job (the prometheus role's variables)
JOB_NAME_VARS = {
    'node': 'prometheus_rules_job_node',
    'vllm': 'prometheus_rules_job_vllm',
    'dcgm': 'prometheus_rules_job_dcgm',
    'alertmanager': 'prometheus_job_alertmanager',
    'prometheus': 'prometheus_job_prometheus',
    'litellm': 'prometheus_rules_job_litellm',
}

# kind -> variable listing its hosts (the prometheus role's variables)
HOST_LIST_VARS = {
    'node': 'prometheus_node_exporter_hosts',
    'vllm': 'prometheus_vllm_hosts',
    'dcgm': 'prometheus_dcgm_hosts',
    'alertmanager': 'prometheus_alertmanager_hosts',
    'prometheus': 'prometheus_self_hosts',
    'litellm': 'prometheus_litellm_hosts',
}

# The prometheus role's default job names (a unit test keeps them equal).
DEFAULT_JOB_NAMES = {
    'prometheus_rules_job_node': 'node',
    'prometheus_rules_job_vllm': 'vllm',
    'prometheus_rules_job_dcgm': 'dcgm',
    'prometheus_job_alertmanager': 'alertmanager',
    'prometheus_job_prometheus': 'prometheus',
    'prometheus_rules_job_litellm': 'litellm',
}

SETTING_VARS = tuple(sorted(set(JOB_NAME_VARS.values()) | set(HOST_LIST_VARS.values())))

VLLM_INSTANCES_VAR = 'vllm_instances'


class FleetError(ValueError):
    """The inventory implies targets that cannot exist; the message names host and field."""


def default_hosts(kind, groups, inventory_hostname=None):
    """The prometheus role's default host list of a job (a unit test keeps them equal).

    ``None`` for dcgm means: the vLLM hosts whose vllm_instances list GPUs.
    """
    groups = groups or {}
    if kind == 'node':
        return list(groups.get('all', []))
    if kind == 'vllm':
        return list(groups.get('vllm_servers', []))
    if kind == 'dcgm':
        return None
    if kind == 'alertmanager':
        return list(groups.get('monitoring', []))
    if kind == 'prometheus':
        if 'monitoring' in groups:
            return list(groups['monitoring'])
        return [inventory_hostname] if inventory_hostname else []
    if kind == 'litellm':
        return list(groups.get('gateway', []))
    raise KeyError(kind)


def is_list(value):
    """A list-like value: iterable, and not a string, bytes or a mapping."""
    return not isinstance(value, (str, bytes, Mapping)) and hasattr(value, '__iter__')


def _is_int_like(value):
    if isinstance(value, bool):
        return False
    if isinstance(value, int):
        return True
    return isinstance(value, str) and value.strip().isdigit()


def _port(value, where, errors):
    """Return value as a TCP port, or None after recording why it is not one."""
    if _is_int_like(value) and 1 <= int(value) <= 65535:
        return int(value)
    errors.append('%s must be a TCP port between 1 and 65535, got %r' % (where, value))
    return None


def address_of(host, host_vars):
    """The address Prometheus dials: ansible_host, else the name; IPv6 in brackets."""
    address = host
    if host_vars is not None and host_vars.get('ansible_host') not in (None, ''):
        address = str(host_vars.get('ansible_host')).strip()
    if ':' in address and not address.startswith('['):
        address = '[%s]' % address
    return address


def effective_endpoint(host, host_vars, kind, errors=None):
    """Return ``{port, scheme, source}`` of ``kind`` on ``host``.

    ``host_vars`` is the host's entry of hostvars, or None when hostvars lacks
    the host. Raises FleetError when ``errors`` is None and the value is bad.
    """
    port_var, fact, default, _role = SERVICES[kind]
    own_errors = [] if errors is None else errors
    endpoint = host_vars.get(fact) if host_vars is not None else None
    scheme = 'http'
    if endpoint is not None and not isinstance(endpoint, Mapping):
        own_errors.append('host %s: %s must be a dict with port and scheme, got %r' % (host, fact, endpoint))
        endpoint = None
    if endpoint is not None and endpoint.get('port') is not None:
        source = '%s.port' % fact
        value = endpoint.get('port')
        scheme = str(endpoint.get('scheme') or 'http')
    elif host_vars is not None and host_vars.get(port_var) is not None:
        source = port_var
        value = host_vars.get(port_var)
    else:
        source = 'default of %s' % port_var
        value = default
    port = _port(value, 'host %s: %s' % (host, source), own_errors)
    if errors is None and own_errors:
        raise FleetError('; '.join(own_errors))
    # A service bound to one address (vllm_stack_internal_network) is dialled there;
    # one with basic-auth users wants credentials from its scraper, the
    # gateway a bearer key.
    bearer = False
    if kind == 'litellm':
        if endpoint is not None and endpoint.get('metrics_auth') is not None:
            bearer = _truthy(endpoint.get('metrics_auth'))
        elif host_vars is not None and host_vars.get(LITELLM_METRICS_AUTH_VAR) is not None:
            bearer = _truthy(host_vars.get(LITELLM_METRICS_AUTH_VAR))
        else:
            bearer = True
    return {'port': port if port is not None else default, 'scheme': scheme, 'source': source,
            'address': _published_address(endpoint, 'address'),
            'basic_auth': bool(endpoint.get('basic_auth')) if endpoint is not None else False,
            'bearer': bearer}


def _truthy(value):
    """A boolean as Ansible writes it: true/false, yes/no, on/off, 1/0 (strings too)."""
    if isinstance(value, str):
        return value.strip().lower() in ('true', 'yes', 'on', '1')
    return bool(value)


def effective_port(host, host_vars, kind):
    """The port of ``kind`` on ``host`` (fact, else inventory variable, else default)."""
    return effective_endpoint(host, host_vars, kind)['port']


def vllm_entries(host, host_vars, errors):
    """The host's vllm_instances as [(name, port)], sorted by name; records bad entries."""
    if host_vars is None:
        return []
    entries = host_vars.get(VLLM_INSTANCES_VAR)
    if entries is None:
        return []
    where = '%s of %s' % (VLLM_INSTANCES_VAR, host)
    if not is_list(entries):
        # The type only: an entry may carry an API key.
        errors.append('%s must be a list of {name, port, ...}, got a %s' % (where, type(entries).__name__))
        return []
    found = []
    by_name = {}
    by_port = {}
    for index, entry in enumerate(entries, 1):
        if not isinstance(entry, Mapping):
            errors.append('%s: entry %d must be a dict with name and port, got a %s' % (where, index, type(entry).__name__))
            continue
        name = entry.get('name')
        if not isinstance(name, str) or not name.strip():
            errors.append('%s: entry %d needs a name (it becomes the vllm_instance label), got %r' % (where, index, name))
            continue
        port = _port(entry.get('port'), '%s: port of %r' % (where, name), errors)
        if name in by_name:
            errors.append('%s: name %r is used by entries %d and %d; vllm_instance labels must be unique on a host'
                          % (where, name, by_name[name], index))
            continue
        by_name[name] = index
        if port is None:
            continue
        if port in by_port:
            errors.append('%s: port %d is used by %r and %r; each instance needs its own port'
                          % (where, port, by_port[port], name))
            continue
        by_port[port] = name
        found.append((name, port))
    return sorted(found)


def _engine_arg(args, name):
    """The value of an engine arg given as ``name`` or with underscores, else None."""
    if not isinstance(args, Mapping):
        return None
    for key, value in args.items():
        if str(key).replace('_', '-') == name:
            return value
    return None


def gpu_errors(instances, host='this host'):
    """What is wrong with the GPU assignment of one host's vllm_instances ([] when fine).

    Each message names the host, the instance and the field: an index listed
    twice in one instance, one index held by two instances (two engines would
    share its memory), and a tensor-parallel-size x pipeline-parallel-size
    that differs from the instance's GPU count (vLLM would use fewer GPUs than
    it holds, or fail at start).
    """
    errors = []
    where = '%s of %s' % (VLLM_INSTANCES_VAR, host)
    if not isinstance(instances, (list, tuple)):
        return errors
    holder = {}
    for entry in instances:
        if not isinstance(entry, Mapping):
            continue
        name = entry.get('name')
        gpus = entry.get('gpus') or []
        if not isinstance(gpus, (list, tuple)):
            errors.append('%s: gpus of %r must be a list of GPU indices, got %r' % (where, name, gpus))
            continue
        indices = [str(gpu) for gpu in gpus]
        repeated = sorted(set(i for i in indices if indices.count(i) > 1))
        if repeated:
            errors.append('%s: gpus of %r list GPU %s more than once' % (where, name, ', '.join(repeated)))
        for index in sorted(set(indices)):
            if index in holder:
                errors.append('%s: GPU %s is in the gpus of both %r and %r; an instance needs GPUs of its own'
                              % (where, index, holder[index], name))
            else:
                holder[index] = name
        if not indices:
            continue
        sizes = []
        for arg in ('tensor-parallel-size', 'pipeline-parallel-size'):
            value = _engine_arg(entry.get('args'), arg)
            if value is None:
                sizes.append(1)
            elif _is_int_like(value) and int(value) >= 1:
                sizes.append(int(value))
            else:
                errors.append('%s: args.%s of %r must be a positive integer, got %r' % (where, arg, name, value))
                sizes = None
                break
        if sizes and sizes[0] * sizes[1] != len(set(indices)):
            errors.append('%s: %r has %d GPUs (gpus %s) but tensor-parallel-size %d x pipeline-parallel-size %d = %d;'
                          ' set args.tensor-parallel-size to the GPU count'
                          % (where, name, len(set(indices)), ', '.join(indices), sizes[0], sizes[1], sizes[0] * sizes[1]))
    return errors


def engine_arg_errors(instances, reserved, refused, host='this host'):
    """What is wrong with the engine args of one host's vllm_instances ([] when fine).

    ``reserved`` maps arg names the role sets itself (or that carry secrets)
    to the reason; ``refused`` maps arg names refused when set to anything but
    false/null to the reason. Arg names count with dashes or underscores.
    Messages name the host, the instance and the arg, never a value: a refused
    arg may be a token.
    """
    errors = []
    where = '%s of %s' % (VLLM_INSTANCES_VAR, host)
    for entry in instances if isinstance(instances, (list, tuple)) else []:
        if not isinstance(entry, Mapping):
            continue
        name = entry.get('name')
        args = entry.get('args') or {}
        if not isinstance(args, Mapping):
            errors.append('%s: args of %r must be a mapping of engine arg names to values' % (where, name))
            continue
        for key, value in args.items():
            arg = str(key).replace('_', '-')
            if not re.match(r'^[a-z0-9][a-z0-9-]*$', arg):
                errors.append('%s: args of %r: %r is not an engine arg name (write max-model-len, without'
                              ' dashes in front)' % (where, name, str(key)))
            elif arg in (reserved or {}):
                errors.append('%s: args.%s of %r is refused: it comes from %s' % (where, arg, name, reserved[arg]))
            elif arg in (refused or {}) and value is not False and value is not None:
                errors.append('%s: args.%s of %r is refused: %s. Remove it from args.'
                              % (where, arg, name, refused[arg]))
    return errors


def public_instances(instances, secret_keys, secret_args):
    """vllm_instances without their secret fields, and with the values of
    secret-bearing args hidden: what loops and messages may show."""
    public = []
    for entry in instances if isinstance(instances, (list, tuple)) else []:
        if not isinstance(entry, Mapping):
            public.append(entry)
            continue
        entry = dict((key, value) for key, value in entry.items() if key not in secret_keys)
        args = entry.get('args')
        if isinstance(args, Mapping):
            entry['args'] = dict((key, '<hidden>' if str(key).replace('_', '-') in secret_args else value)
                                 for key, value in args.items())
        public.append(entry)
    return public


def _gpus_listed(host_vars):
    entries = host_vars.get(VLLM_INSTANCES_VAR) if host_vars is not None else None
    if entries is None or isinstance(entries, (str, bytes, Mapping)):
        return False
    for entry in entries:
        if isinstance(entry, Mapping) and entry.get('gpus'):
            return True
    return False


def _settings_value(settings, name):
    if settings is None:
        return None
    return settings.get(name)


def host_names(var, value, errors):
    """``value`` of the variable ``var`` as a list of inventory host names;
    [] after recording why it is not one."""
    if not is_list(value):
        errors.append('%s must be a list of inventory host names, got %r' % (var, value))
        return []
    hosts = list(value)
    bad = [h for h in hosts if not isinstance(h, str) or not h]
    if bad:
        errors.append('%s must list inventory host names, got %r' % (var, bad))
        return []
    return hosts


def _host_list(kind, settings, groups, errors):
    var = HOST_LIST_VARS[kind]
    value = _settings_value(settings, var)
    if value is None:
        return default_hosts(kind, groups, _settings_value(settings, 'inventory_hostname'))
    return host_names(var, value, errors)


def _job_names(settings, errors):
    names = {}
    for kind in KINDS:
        var = JOB_NAME_VARS[kind]
        value = _settings_value(settings, var)
        if value is None:
            value = DEFAULT_JOB_NAMES[var]
        if not isinstance(value, str) or not value.strip():
            errors.append('%s must be a non-empty job name, got %r' % (var, value))
            value = DEFAULT_JOB_NAMES[var]
        names[kind] = value
    seen = {}
    for kind in KINDS:
        if names[kind] in seen:
            errors.append('%s and %s both name the job %r; every job needs its own name'
                          % (JOB_NAME_VARS[seen[names[kind]]], JOB_NAME_VARS[kind], names[kind]))
        else:
            seen[names[kind]] = kind
    return names


def _host_vars(hostvars, host):
    if hostvars is not None and host in hostvars:
        return hostvars[host]
    return None


def build(hostvars, groups, settings=None):
    """Return the fleet model.

    ``{'jobs': [{'kind', 'name', 'targets': [...]}], 'errors': [...], 'warnings': [...]}``;
    each target is ``{'host', 'address', 'port', 'scheme', 'labels'}``, sorted
    by host and vLLM instance name. ``settings`` maps the prometheus role's
    variables (SETTING_VARS) to values; a missing or null one takes the role
    default. ``inventory_hostname`` in settings is the host the default of
    prometheus_self_hosts falls back to without a monitoring group.
    """
    errors = []
    warnings = []
    names = _job_names(settings, errors)
    cache = {}
    unknown = set()

    def host_vars(host):
        if host not in cache:
            cache[host] = _host_vars(hostvars, host)
            if cache[host] is None:
                unknown.add(host)
        return cache[host]

    host_lists = {}
    for kind in KINDS:
        host_lists[kind] = _host_list(kind, settings, groups, errors)
    if host_lists['dcgm'] is None:
        host_lists['dcgm'] = [h for h in host_lists['vllm'] if _gpus_listed(host_vars(h))]

    jobs = []
    gpu_holders = []
    for host in sorted(set(host_lists['dcgm'])):
        gpu_holders.extend(_gpu_holders(host, host_vars(host)))
    for kind in KINDS:
        targets = []
        for host in sorted(set(host_lists[kind])):
            hv = host_vars(host)
            address = address_of(host, hv)
            if kind == 'vllm':
                address = vllm_address(host, hv)
                for name, port in vllm_entries(host, hv, errors):
                    targets.append({
                        'host': host, 'address': address, 'port': port, 'scheme': 'http', 'basic_auth': False,
                        'bearer': False, 'labels': {'instance': host, 'vllm_instance': name},
                    })
            else:
                endpoint = effective_endpoint(host, hv, kind, errors)
                targets.append({
                    'host': host, 'address': endpoint['address'] or address, 'port': endpoint['port'],
                    'scheme': endpoint['scheme'], 'basic_auth': endpoint['basic_auth'],
                    'bearer': endpoint['bearer'], 'labels': {'instance': host},
                })
        jobs.append({'kind': kind, 'name': names[kind], 'targets': targets})
    for host in sorted(unknown):
        warnings.append('host %s is not in the inventory (hostvars): scraped as %s with default ports, without vLLM '
                        'instances' % (host, address_of(host, None)))
    return {'jobs': jobs, 'gpu_holders': gpu_holders, 'errors': errors, 'warnings': warnings}


def _gpu_holders(host, host_vars):
    """One ``{instance, gpu, vllm_instance, model_name}`` per GPU a vLLM instance of ``host`` lists.

    ``gpu`` is the index as dcgm-exporter's ``gpu`` label has it, and
    ``model_name`` what vLLM labels its series with (served_model_name,
    else model), so dashboards can join GPU series to the server on them.
    """
    # The vllm job's pass records the entries' errors; recording them here
    # too would name each one twice.
    names = set(name for name, _port in vllm_entries(host, host_vars, []))
    holders = []
    for entry in (host_vars or {}).get(VLLM_INSTANCES_VAR) or []:
        if not isinstance(entry, Mapping) or entry.get('name') not in names or not is_list(entry.get('gpus')):
            continue
        model_name = entry.get('served_model_name') or entry.get('model') or ''
        for gpu in entry['gpus']:
            holders.append({'instance': host, 'gpu': str(gpu), 'vllm_instance': entry['name'], 'model_name': str(model_name)})
    return sorted(holders, key=lambda holder: (_index_order(holder['gpu']), holder['vllm_instance']))


def _index_order(index):
    """GPU 2 before GPU 10."""
    return (0, int(index), '') if index.isdigit() else (1, 0, index)


def gpu_holders(hostvars, groups, settings=None):
    """The GPUs of the dcgm-exporter hosts that vLLM instances hold, sorted by host and GPU."""
    return _checked(build(hostvars, groups, settings))['gpu_holders']


def _published_address(endpoint, key):
    """``endpoint[key]`` as it goes before ``:port`` when it is one address; None for a wildcard or nothing."""
    if isinstance(endpoint, Mapping) and not network.is_wildcard(endpoint.get(key)):
        return network.bracketed(endpoint.get(key))
    return None


def _vllm_address(host_vars):
    """The address the vllm role published for the host's servers (``vllm_endpoint.address``), or None."""
    return _published_address(host_vars.get('vllm_endpoint') if host_vars is not None else None, 'address')


def vllm_address(host, host_vars):
    """The address Prometheus and the LiteLLM gateway dial the host's vLLM servers at.

    The listen address the vllm role published (``vllm_endpoint.address``)
    when it is one address, else ``ansible_host``, else the inventory name;
    IPv6 in brackets. One function, so the scrape targets and the gateway's
    ``api_base`` never disagree.
    """
    return _vllm_address(host_vars) or address_of(host, host_vars)


ALERTMANAGER_CLUSTER_PORT = 9094


def alertmanager_peers(hostvars, hosts, me):
    """``address:port`` of every Alertmanager of ``hosts`` but ``me``, sorted: its cluster peers.

    A peer's address, first found: the cluster address its role published
    (``alertmanager_endpoint.cluster_address``); its address in its
    ``vllm_stack_internal_network``, from its facts; ``ansible_host``; its
    name. Its port: ``alertmanager_cluster_port``, else 9094. One host, or
    none: no peers, and the cluster stays off.
    """
    if not is_list(hosts):
        raise FleetError('alertmanager_cluster_hosts must be a list of inventory host names, got %r' % (hosts,))
    peers = []
    for host in sorted(set(hosts)):
        if host == me:
            continue
        hv = _host_vars(hostvars, host)
        address = None
        port = ALERTMANAGER_CLUSTER_PORT
        if hv is not None:
            address = _published_address(hv.get('alertmanager_endpoint'), 'cluster_address')
            if address is None and hv.get('vllm_stack_internal_network') and hv.get('ansible_facts'):
                try:
                    address = network.internal_address(hv.get('ansible_facts'), hv.get('vllm_stack_internal_network'),
                                                       host)
                except network.NetworkError as exc:
                    raise FleetError(str(exc))
            if hv.get('alertmanager_cluster_port') is not None:
                errors = []
                port = _port(hv.get('alertmanager_cluster_port'), 'host %s: alertmanager_cluster_port' % host, errors)
                if errors:
                    raise FleetError('; '.join(errors))
        if address is None:
            address = address_of(host, hv).strip('[]')
        peers.append(network.host_port(address, port))
    return peers


def _checked(model):
    if model['errors']:
        raise FleetError('; '.join(model['errors']))
    return model


def file_sd(job):
    """Prometheus file_sd target groups of one job of the model: one group per target.

    A target whose service published ``scheme: https`` (an exporter with a
    TLS web config) carries ``__scheme__``: the scheme is per target, so one
    job can scrape hosts with and without TLS while the fleet moves to it.
    Prometheus drops the label after relabelling; it is no part of the
    target's identity.
    """
    groups = []
    for target in job['targets']:
        labels = dict(target['labels'])
        if target['scheme'] != 'http':
            labels['__scheme__'] = target['scheme']
        groups.append({
            'targets': ['%s:%d' % (target['address'], target['port'])],
            'labels': labels,
        })
    return groups


def targets(hostvars, groups, settings=None):
    """Job name -> file_sd target groups, for every built-in job (in KINDS order)."""
    model = _checked(build(hostvars, groups, settings))
    result = {}
    for job in model['jobs']:
        result[job['name']] = file_sd(job)
    return result


def job_auth(hostvars, groups, settings=None):
    """Job name -> what its targets ask of the scraper: ``{'basic_auth', 'bearer', 'https', 'kind'}``.

    From the published endpoints: ``basic_auth`` when any target's service
    has basic-auth users (Prometheus then sends the fleet's scrape
    credentials to the whole job; a service without users ignores them),
    ``https`` when any target serves TLS (the job then trusts the fleet's
    CA), ``bearer`` when a gateway's /metrics wants its key. Credentials are
    per job in Prometheus, schemes per target.
    """
    model = _checked(build(hostvars, groups, settings))
    result = {}
    for job in model['jobs']:
        result[job['name']] = {
            'basic_auth': any(t['basic_auth'] for t in job['targets']),
            'bearer': any(t.get('bearer') for t in job['targets']),
            'https': any(t['scheme'] == 'https' for t in job['targets']),
            'kind': job['kind'],
        }
    return result


def job_http_settings(auth, operator_settings, username, password_file, ca_file, bearer_file=''):
    """Job name -> the scrape settings the fleet's credentials add to it, and the errors.

    ``auth`` is :func:`job_auth`'s answer, ``operator_settings`` the
    operator's per-job settings (``prometheus_scrape_job_settings``), which
    win: a job they give ``basic_auth``/``authorization`` or ``tls_config``
    gets none of ours. A job whose targets want basic auth gets
    ``basic_auth`` with ``username`` and ``password_file``; one with an https
    target and a CA file gets ``tls_config.ca_file``; one whose targets want
    a bearer key (the LiteLLM gateway) ``authorization.credentials_file:
    bearer_file``. A job's kind may add settings of its own
    (``KIND_SCRAPE_SETTINGS``). Returns ``{'settings': {job: {...}},
    'errors': [...]}``; an error names the job and the variable when
    credentials are wanted and given nowhere.
    """
    result = {}
    errors = []
    operator_settings = operator_settings or {}
    for job in sorted(auth):
        own = operator_settings.get(job) or {}
        added = dict(KIND_SCRAPE_SETTINGS.get(auth[job].get('kind'), {}))
        credentials = 'basic_auth' in own or 'authorization' in own or 'oauth2' in own
        if auth[job].get('bearer') and not credentials:
            if bearer_file:
                added['authorization'] = {'type': 'Bearer', 'credentials_file': bearer_file}
            else:
                errors.append('job %s: the gateway\'s /metrics wants its master key (%s is on), but '
                              'prometheus_secrets has no entry named by prometheus_litellm_metrics_secret and '
                              'prometheus_scrape_job_settings.%s no authorization' % (job, LITELLM_METRICS_AUTH_VAR, job))
        elif auth[job].get('basic_auth') and not credentials:
            if username:
                added['basic_auth'] = {'username': username, 'password_file': password_file}
            else:
                errors.append('job %s: its targets have basic-auth users, but prometheus_scrape_basic_auth '
                              '(default: vllm_stack_scrape_auth) has no username and '
                              'prometheus_scrape_job_settings.%s no basic_auth' % (job, job))
        if auth[job].get('https') and ca_file and 'tls_config' not in own:
            added['tls_config'] = {'ca_file': ca_file}
        if added:
            result[job] = added
    return {'settings': result, 'errors': errors}


def verify_checks(hostvars, groups, settings=None, kinds=None):
    """What the verify play expects: one ``{job, kind, instances, min_targets}`` per job with targets.

    ``kinds`` limits the jobs (default: all). ``instances`` are the distinct
    ``instance`` labels, ``min_targets`` the number of targets.
    """
    model = _checked(build(hostvars, groups, settings))
    wanted = KINDS if kinds is None else kinds
    unknown = [k for k in wanted if k not in KINDS]
    if unknown:
        raise FleetError('unknown job kind(s) %s; expected some of %s' % (', '.join(map(str, unknown)), ', '.join(KINDS)))
    checks = []
    for job in model['jobs']:
        if job['kind'] not in wanted or not job['targets']:
            continue
        instances = sorted(set(t['labels']['instance'] for t in job['targets']))
        checks.append({'job': job['name'], 'kind': job['kind'], 'instances': instances,
                       'min_targets': len(job['targets'])})
    return checks


def targets_by_host(hostvars, groups, settings=None):
    """Host -> every target on it, ``{job, kind, target, labels}``, for reports."""
    model = _checked(build(hostvars, groups, settings))
    found = {}
    for job in model['jobs']:
        for target in job['targets']:
            found.setdefault(target['host'], []).append({
                'job': job['name'], 'kind': job['kind'],
                'target': '%s:%d' % (target['address'], target['port']),
                'labels': dict(target['labels'])})
    return found


def host_targets(hostvars, groups, settings, host):
    """Every target of ``host``: ``{job, kind, target, labels}``, for reports."""
    return targets_by_host(hostvars, groups, settings).get(host, [])
