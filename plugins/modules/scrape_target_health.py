#!/usr/bin/python
# -*- coding: utf-8 -*-
# Copyright: (c) 2026, llmops contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import absolute_import, division, print_function
__metaclass__ = type

DOCUMENTATION = r'''
---
module: scrape_target_health
short_description: Wait until Prometheus scrape targets are healthy
version_added: 0.1.0
description:
  - Reads the active targets from the Prometheus HTTP API (C(/api/v1/targets)) and checks that
    the selected targets are up, optionally that they were scraped recently.
  - Re-reads the targets every O(interval) seconds until all selected targets are healthy or
    O(timeout) expires, so targets that are still C(unknown), not scraped yet, or down and
    coming back get their chance. Each attempt is exactly one HTTP request.
  - An expected instance (O(instances)) that Prometheus does not list counts as unhealthy.
  - Runs wherever Prometheus can be reached, usually the controller with C(delegate_to) or
    C(connection=local). Uses the HTTP client shipped with ansible-core, so no extra Python
    library is needed.
  - The module only reads; it never reports a change.
author:
  - llmops contributors (@llmops)
attributes:
  check_mode:
    support: full
    description: The module only reads, so it does the same in check mode.
  diff_mode:
    support: none
    description: Nothing changes, so there is nothing to diff.
options:
  url:
    description:
      - Base URL of Prometheus, including any C(--web.route-prefix), for example
        C(http://prometheus.example.com:9090). C(/api/v1/targets) is appended.
    type: str
    required: true
  jobs:
    description:
      - Select only targets whose C(job) label is one of these.
      - Every job listed here must have at least O(min_targets) targets.
      - When empty, targets of all jobs are selected.
    type: list
    elements: str
    default: []
  label_matchers:
    description:
      - Select only targets whose labels match all of these PromQL-style matchers,
        for example V(env=prod), V(env!=dev), V(instance=~"gpu-.*:8000") or V(role!~"test|dev").
      - Regular expressions are anchored at both ends, as in Prometheus. A missing label
        matches as the empty string.
    type: list
    elements: str
    default: []
  instances:
    description:
      - Instance label values that must be present and healthy, for example V(10.0.0.5:9100).
      - Only targets with one of these instances are selected. An instance that Prometheus
        does not list is reported in RV(missing) and counts as unhealthy.
    type: list
    elements: str
    default: []
  min_targets:
    description:
      - Minimum number of selected targets each job must have.
      - Applies to every job in O(jobs), so a job without any target fails. When O(jobs) is
        empty it applies to each job seen and to the whole selection, so an empty selection
        fails unless this is V(0).
    type: int
    default: 1
  include_dropped:
    description:
      - Also ask for the targets that relabelling dropped (C(state=any)) and return them in
        RV(dropped_targets). They never count towards health.
    type: bool
    default: false
  timeout:
    description:
      - Seconds to keep re-reading the targets until all selected targets are healthy.
      - V(0) reads once and reports the result.
      - A read in progress when the time is up may add up to O(request_timeout).
    type: float
    default: 60
  interval:
    description:
      - Seconds to wait between two reads.
    type: float
    default: 5
  max_scrape_age:
    description:
      - When set, a target whose C(lastScrape) is more than this many seconds old counts as
        unhealthy even if its health is C(up).
      - Compares with the clock of the host the module runs on, so keep it larger than the
        scrape interval plus any clock skew with Prometheus.
    type: float
  request_timeout:
    description:
      - Seconds to wait for one HTTP answer.
    type: float
    default: 10
  url_username:
    description:
      - Username for HTTP basic authentication. Credentials are sent with the first request.
    type: str
    aliases: [username]
  url_password:
    description:
      - Password for HTTP basic authentication.
    type: str
    aliases: [password]
  bearer_token:
    description:
      - Token sent in an C(Authorization) header as C(Bearer <token>).
      - Mutually exclusive with O(url_username).
    type: str
  headers:
    description:
      - Extra HTTP headers to send, for example a tenant header for a proxy in front of Prometheus.
      - Pass tokens in O(bearer_token) rather than here, so that they are kept out of logs.
    type: dict
    default: {}
  validate_certs:
    description:
      - Verify the server's TLS certificate. Only set to V(false) on networks you trust.
    type: bool
    default: true
  ca_path:
    description:
      - PEM file with the CA certificates used to verify the server's certificate.
    type: path
  client_cert:
    description:
      - PEM file with the client certificate for mutual TLS; may also contain the key.
    type: path
  client_key:
    description:
      - PEM file with the private key for O(client_cert).
    type: path
  use_proxy:
    description:
      - Use the proxy from the environment (C(http_proxy), C(https_proxy), C(no_proxy)).
    type: bool
    default: true
  details:
    description:
      - Which selected targets RV(targets) lists with every field.
      - V(unhealthy) lists only the targets that are not healthy, with their last error. The healthy
        ones are counted in RV(totals) and named in RV(healthy), not repeated; on a fleet of thousands
        of targets, returning each healthy one costs the controller more than the check itself.
      - V(all) lists every selected target.
    type: str
    choices: [unhealthy, all]
    default: unhealthy
notes:
  - Dropped targets have no health; they are returned for information only.
seealso:
  - name: Prometheus targets API
    description: The API this module reads.
    link: https://prometheus.io/docs/prometheus/latest/querying/api/#targets
'''

EXAMPLES = r'''
- name: Wait until every node exporter is scraped successfully
  llmops.vllm_stack.scrape_target_health:
    url: http://127.0.0.1:9090
    jobs:
      - node
    timeout: 120
  delegate_to: localhost

- name: Check that each vLLM server is scraped, and recently
  llmops.vllm_stack.scrape_target_health:
    url: https://prometheus.example.com
    jobs:
      - vllm
    instances: "{{ groups['vllm_servers'] | map('regex_replace', '$', ':8000') | list }}"
    max_scrape_age: 60
    ca_path: /etc/ssl/certs/internal-ca.pem
    url_username: monitor
    url_password: "{{ vault_prometheus_password }}"
  delegate_to: localhost

- name: Select by labels through a proxy that wants a bearer token
  llmops.vllm_stack.scrape_target_health:
    url: https://monitoring.example.com/prometheus
    label_matchers:
      - env=prod
      - instance=~"gpu-.*"
    bearer_token: "{{ vault_prometheus_token }}"
    headers:
      X-Scope-OrgID: llmops
    use_proxy: false
    timeout: 0
  register: scrape
  delegate_to: localhost

- name: Show the targets that are not healthy yet
  ansible.builtin.debug:
    var: scrape.unhealthy
'''

RETURN = r'''
msg:
  description: Summary of the result; on failure it names each unhealthy or missing target with its last error.
  returned: always
  type: str
  sample: "All 2 selected targets are healthy (1 attempt)"
targets:
  description:
    - The selected targets from the last successful read that are not healthy, or every selected
      target with O(details=all).
  returned: always
  type: list
  elements: dict
  contains:
    job:
      description: Value of the C(job) label.
      type: str
      sample: node
    instance:
      description: Value of the C(instance) label.
      type: str
      sample: "10.0.0.5:9100"
    health:
      description: Health reported by Prometheus, V(up), V(down) or V(unknown).
      type: str
      sample: up
    lastError:
      description: Error of the last scrape, empty when it succeeded.
      type: str
      sample: 'Get "http://10.0.0.6:9100/metrics": dial tcp 10.0.0.6:9100: connect: connection refused'
    lastScrape:
      description: Time of the last scrape as reported by Prometheus (RFC 3339).
      type: str
      sample: "2026-01-10T12:00:00.123456789Z"
    lastScrapeDuration:
      description: Duration of the last scrape in seconds.
      type: float
      sample: 0.0123
    scrapeUrl:
      description: URL Prometheus scrapes.
      type: str
      sample: "http://10.0.0.5:9100/metrics"
    labels:
      description: Target labels after relabelling.
      type: dict
      sample: {"instance": "10.0.0.5:9100", "job": "node"}
    healthy:
      description: Whether the module counts this target as healthy.
      type: bool
      sample: true
    reason:
      description: Why the target is not healthy, empty when it is.
      type: str
      sample: "stale: last scrape 312.0s ago, max_scrape_age is 60.0s"
healthy:
  description: Instances of the healthy selected targets.
  returned: always
  type: list
  elements: str
  sample: ["10.0.0.5:9100"]
unhealthy:
  description: Instances of the selected targets that are not healthy, followed by the missing ones.
  returned: always
  type: list
  elements: str
  sample: ["10.0.0.6:9100"]
missing:
  description: Instances from O(instances) that Prometheus does not list.
  returned: always
  type: list
  elements: str
  sample: []
totals:
  description: Counts over the selection; RV(totals.total) is RV(totals.healthy) plus RV(totals.unhealthy).
  returned: always
  type: dict
  contains:
    total:
      description: Selected targets plus missing instances.
      type: int
      sample: 2
    healthy:
      description: Healthy targets.
      type: int
      sample: 1
    unhealthy:
      description: Unhealthy targets, missing ones included.
      type: int
      sample: 1
    missing:
      description: Missing instances.
      type: int
      sample: 0
    dropped:
      description: Dropped targets, always V(0) unless O(include_dropped=true).
      type: int
      sample: 0
jobs:
  description: Per job, the number of selected and healthy targets and whether O(min_targets) is met.
  returned: always
  type: dict
  sample: {"node": {"targets": 2, "healthy": 1, "min_targets_met": true}}
dropped_targets:
  description: Labels of the targets that relabelling dropped, as C(discoveredLabels).
  returned: when O(include_dropped=true)
  type: list
  elements: dict
  sample: [{"__address__": "10.0.0.7:9100", "job": "node"}]
attempts:
  description: Number of reads.
  returned: always
  type: int
  sample: 3
elapsed:
  description: Seconds spent, waiting included.
  returned: always
  type: float
  sample: 10.02
status:
  description: HTTP status of the last read, when it failed with an HTTP error.
  returned: on failure with an HTTP error
  type: int
  sample: 401
api_url:
  description: The URL that was read.
  returned: always
  type: str
  sample: "http://127.0.0.1:9090/api/v1/targets?state=active"
'''

import time

from ansible.module_utils.basic import AnsibleModule
from ansible_collections.llmops.vllm_stack.plugins.module_utils.prometheus_targets import (
    TargetsError,
    build_request,
    evaluate,
    fetch_targets,
    parse_matcher,
    targets_url,
)


def _plural(count, word):
    return '%d %s%s' % (count, word, '' if count == 1 else 's')


def main():
    module = AnsibleModule(
        argument_spec=dict(
            url=dict(type='str', required=True),
            jobs=dict(type='list', elements='str', default=[]),
            label_matchers=dict(type='list', elements='str', default=[]),
            instances=dict(type='list', elements='str', default=[]),
            min_targets=dict(type='int', default=1),
            include_dropped=dict(type='bool', default=False),
            timeout=dict(type='float', default=60),
            interval=dict(type='float', default=5),
            max_scrape_age=dict(type='float'),
            request_timeout=dict(type='float', default=10),
            url_username=dict(type='str', aliases=['username']),
            url_password=dict(type='str', aliases=['password'], no_log=True),
            bearer_token=dict(type='str', no_log=True),
            headers=dict(type='dict', default={}),
            validate_certs=dict(type='bool', default=True),
            ca_path=dict(type='path'),
            client_cert=dict(type='path'),
            client_key=dict(type='path'),
            use_proxy=dict(type='bool', default=True),
            details=dict(type='str', choices=['unhealthy', 'all'], default='unhealthy'),
        ),
        mutually_exclusive=[('bearer_token', 'url_username')],
        required_by={'client_key': 'client_cert'},
        supports_check_mode=True,
    )
    params = module.params

    for name in ('timeout', 'min_targets'):
        if params[name] < 0:
            module.fail_json(msg='%s must not be negative, got %s' % (name, params[name]))
    for name in ('interval', 'request_timeout', 'max_scrape_age'):
        if params[name] is not None and params[name] <= 0:
            module.fail_json(msg='%s must be positive, got %s' % (name, params[name]))
    try:
        matchers = [parse_matcher(m) for m in params['label_matchers']]
    except ValueError as exc:
        module.fail_json(msg=str(exc))

    url = targets_url(params['url'], params['include_dropped'])
    request = build_request(params)
    # Until a read succeeds there is nothing to report on, not even missing instances.
    outcome = evaluate({}, min_targets=0)
    dropped = []
    error = None
    attempts = 0
    start = time.monotonic()
    deadline = start + params['timeout']
    while True:
        attempts += 1
        try:
            data = fetch_targets(request, url)
        except TargetsError as exc:
            error = exc
            if not exc.retry:
                break
        else:
            error = None
            outcome = evaluate(data, jobs=params['jobs'], matchers=matchers, instances=params['instances'],
                               min_targets=params['min_targets'], max_scrape_age=params['max_scrape_age'])
            dropped = [t.get('discoveredLabels', {}) for t in data.get('droppedTargets') or []
                       if isinstance(t, dict)]
            if outcome['ok']:
                break
        remaining = deadline - time.monotonic()
        if remaining <= 0:
            break
        time.sleep(min(params['interval'], remaining))

    result = dict(
        changed=False,
        api_url=url,
        attempts=attempts,
        elapsed=round(time.monotonic() - start, 3),
        targets=(outcome['targets'] if params['details'] == 'all'
                 else [t for t in outcome['targets'] if not t['healthy']]),
        healthy=outcome['healthy'],
        unhealthy=outcome['unhealthy'],
        missing=outcome['missing'],
        jobs=outcome['jobs'],
        totals=dict(outcome['totals'], dropped=len(dropped)),
    )
    if params['include_dropped']:
        result['dropped_targets'] = dropped
    tries = _plural(attempts, 'attempt')

    if error is not None:
        if error.status is not None:
            result['status'] = error.status
        module.fail_json(msg='%s (%s in %.1fs)' % (error, tries, result['elapsed']), **result)
    if not outcome['ok']:
        module.fail_json(msg='Targets not healthy (%s in %.1fs): %s'
                         % (tries, result['elapsed'], '; '.join(outcome['problems'])), **result)
    module.exit_json(msg='All %s are healthy (%s)' % (_plural(outcome['totals']['total'], 'selected target'), tries),
                     **result)


if __name__ == '__main__':
    main()
