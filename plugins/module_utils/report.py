# -*- coding: utf-8 -*-
# Copyright: (c) 2026, llmops contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""The fleet report (playbooks/report.yml, printed by ``make demo``): one row
per service, with the host it runs on, a URL a person can open from the
controller and its scrape health as Prometheus sees it.

Inputs are the fleet model's ``targets_by_host`` (what Prometheus scrapes on
each host), the targets the scrape_target_health module returned (its
``targets``: job, labels, healthy, reason), and hostvars, for the address
the controller reaches each host at.
"""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

from ansible_collections.llmops.vllm_stack.plugins.module_utils import fleet, network

# What a person opens for each kind of service: the API or UI, not /metrics,
# where there is one. The UIs at their root: its redirect finds the UI
# upstream's release and Debian's package (classic UI) each ship.
PATHS = {
    'vllm': '/v1/models',
    'litellm': '/v1/models',
    'prometheus': '/',
    'alertmanager': '/',
    'node': '/metrics',
    'dcgm': '/metrics',
}
NAMES = {
    'vllm': 'vLLM',
    'litellm': 'LiteLLM gateway',
    'prometheus': 'Prometheus',
    'alertmanager': 'Alertmanager',
    'node': 'node_exporter',
    'dcgm': 'dcgm-exporter',
}
COLUMNS = ('service', 'host', 'url', 'scrape health')


def _url(scheme, address, port, path):
    return '%s://%s%s' % (scheme, network.host_port(address, port), path)


def _health(target, health_index):
    found = health_index.get((target['job'], target['labels'].get('instance'), target['labels'].get('vllm_instance')))
    if found is None:
        return 'not scraped'
    if found.get('healthy'):
        return 'up'
    return 'down: %s' % (found.get('reason') or found.get('lastError') or found.get('health') or 'unknown')


def _scheme(hostvars, host, kind):
    """The scheme the service published (its role's endpoint fact), else http."""
    if kind not in fleet.SERVICES or host not in (hostvars or {}):
        return 'http'
    return fleet.effective_endpoint(host, hostvars[host], kind, [])['scheme']


def _default_ipv4(host_vars):
    facts = host_vars.get('ansible_facts') or {}
    return (facts.get('default_ipv4') or host_vars.get('ansible_default_ipv4') or {}).get('address')


def reach_address(host, host_vars):
    """Where the controller reaches ``host``.

    A container reached through docker or podman exec (the demo's hosts):
    its default IPv4 address from facts, on its container network, as its
    name resolves only there. Any other host: ``ansible_host``, else its
    name (what Ansible itself connects to), else the facts' address.
    """
    host_vars = host_vars or {}
    connection = str(host_vars.get('ansible_connection') or '')
    if connection.endswith(('docker', 'podman')) and _default_ipv4(host_vars):
        return str(_default_ipv4(host_vars))
    if host_vars.get('ansible_host') not in (None, ''):
        return str(host_vars['ansible_host'])
    return str(host or _default_ipv4(host_vars))


def service_rows(targets_by_host, health_targets, hostvars=None, extra_rows=None):
    """Rows ``{service, host, url, scrape health}``, host by host.

    ``hostvars``: for the address the controller reaches each listed host at
    (``reach_address``) and the scheme each host's service published.
    ``extra_rows``: services Prometheus does not scrape (Grafana), as
    ``{service, host, port, scheme, path, health}``.
    """
    hostvars = hostvars or {}
    health_index = {}
    for target in health_targets or []:
        labels = target.get('labels') or {}
        health_index[(target.get('job'), labels.get('instance'), labels.get('vllm_instance'))] = target
    rows = []
    for host in sorted(set(targets_by_host or {}) | set(r['host'] for r in extra_rows or [])):
        address = reach_address(host, hostvars.get(host))
        for target in (targets_by_host or {}).get(host, []):
            kind = target['kind']
            port = target['target'].rsplit(':', 1)[1]
            scheme = _scheme(hostvars, host, kind)
            name = NAMES.get(kind, kind)
            if target['labels'].get('vllm_instance'):
                name = '%s %s' % (name, target['labels']['vllm_instance'])
            rows.append({'service': name, 'host': host, 'url': _url(scheme, address, port, PATHS.get(kind, '/')),
                         'scrape health': _health(target, health_index)})
        for extra in extra_rows or []:
            if extra['host'] == host:
                rows.append({'service': extra['service'], 'host': host,
                             'url': _url(extra.get('scheme', 'http'), address, extra['port'], extra.get('path', '/')),
                             'scrape health': extra.get('health', 'not scraped')})
    return rows


def format_table(rows, columns=COLUMNS):
    """The rows as aligned text lines, a header and a rule first."""
    widths = [max([len(column)] + [len(str(row.get(column, ''))) for row in rows]) for column in columns]
    line = '  '.join('%-*s' % (width, column) for width, column in zip(widths, columns)).rstrip()
    lines = [line, '  '.join('-' * width for width in widths)]
    for row in rows:
        lines.append('  '.join('%-*s' % (width, row.get(column, '')) for width, column in zip(widths, columns)).rstrip())
    return lines


def _remote_reader(host, host_vars, address, command):
    """A shell line that runs ``command`` as root on ``host`` from the controller."""
    connection = str((host_vars or {}).get('ansible_connection') or 'ssh')
    if connection.endswith('docker'):
        return "docker exec %s sh -c '%s'" % ((host_vars or {}).get('ansible_host') or host, command)
    if connection == 'local':
        return "sudo sh -c '%s'" % command
    user = (host_vars or {}).get('ansible_user')
    return "ssh %s%s \"sudo sh -c '%s'\"" % (('%s@' % user) if user else '', address, command.replace('"', '\\"').replace('$', '\\$'))


def chat_example(hostvars, groups, secret_file='/etc/llmops-vllm-stack/containers/litellm.secret'):
    """Lines a person pastes to send a first chat completion: through the
    first gateway (its master key read from its 0600 secret file, never
    printed), else straight to the first vLLM instance. [] without any model."""
    hostvars = hostvars or {}
    groups = groups or {}
    instances = [(host, instance) for host in groups.get('vllm_servers') or []
                 for instance in (hostvars.get(host) or {}).get('vllm_instances') or []]
    if not instances:
        return []
    server, instance = instances[0]
    model = instance.get('served_model_name') or instance.get('model')
    body = '{"model": "%s", "messages": [{"role": "user", "content": "Say hello"}], "max_tokens": 16}' % model
    gateways = groups.get('gateway') or []
    if gateways:
        gateway = gateways[0]
        host_vars = hostvars.get(gateway) or {}
        address = reach_address(gateway, host_vars)
        port = host_vars.get('litellm_port') or 4000
        read_key = _remote_reader(gateway, host_vars, address, '. %s && printf %%s "$LITELLM_MASTER_KEY"' % secret_file)
        return [
            '# Through the gateway on %s; its master key stays in %s (0600) there:' % (gateway, secret_file),
            'KEY=$(%s)' % read_key,
            "curl -sS %s -H \"Authorization: Bearer $KEY\" -H 'Content-Type: application/json' -d '%s'"
            % (_url('http', address, port, '/v1/chat/completions'), body),
        ]
    address = reach_address(server, hostvars.get(server))
    return [
        '# Straight to vLLM instance %s on %s (no gateway in this inventory):' % (instance.get('name'), server),
        "curl -sS %s -H 'Content-Type: application/json' -d '%s'"
        % (_url('http', address, instance.get('port'), '/v1/chat/completions'), body),
    ]
