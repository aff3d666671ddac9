# -*- coding: utf-8 -*-
# Copyright: (c) 2026, llmops contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)

"""Read and judge Prometheus' /api/v1/targets without third-party libraries."""

from __future__ import absolute_import, division, print_function
__metaclass__ = type

import datetime
import json
import re
import time
from http.client import HTTPException
from urllib.error import HTTPError
from urllib.parse import urlencode

from ansible.module_utils.common.text.converters import to_text
from ansible.module_utils.urls import ConnectionError as UrlsConnectionError
from ansible.module_utils.urls import Request

TARGETS_PATH = '/api/v1/targets'

_MATCHER_RE = re.compile(r'^\s*([a-zA-Z_][a-zA-Z0-9_]*)\s*(=~|!~|!=|=)\s*(.*?)\s*$')
_TIMESTAMP_RE = re.compile(
    r'^(\d{4})-(\d{2})-(\d{2})T(\d{2}):(\d{2}):(\d{2})(?:\.(\d+))?(Z|[+-]\d{2}:\d{2})$')
_EPOCH = datetime.datetime(1970, 1, 1, tzinfo=datetime.timezone.utc)


class TargetsError(Exception):
    """A read that gave no usable answer.

    ``retry`` tells whether waiting could help: a server that is starting or
    overloaded may answer later, wrong credentials or a wrong URL will not.
    """

    def __init__(self, msg, retry=True, status=None):
        super(TargetsError, self).__init__(msg)
        self.retry = retry
        self.status = status


def parse_matcher(text):
    """Parse a PromQL-style label matcher such as ``env=~"prod|staging"``."""
    match = _MATCHER_RE.match(text)
    if not match:
        raise ValueError('invalid label matcher %r, expected NAME=VALUE, NAME!=VALUE, NAME=~REGEX or NAME!~REGEX' % text)
    name, op, value = match.groups()
    if len(value) >= 2 and value[0] == value[-1] and value[0] in '"\'':
        value = value[1:-1]
    if op in ('=~', '!~'):
        try:
            # Prometheus anchors matcher regexes at both ends.
            value = re.compile('^(?:%s)$' % value)
        except re.error as exc:
            raise ValueError('invalid regex in label matcher %r: %s' % (text, exc))
    return name, op, value


def labels_match(labels, matchers):
    for name, op, value in matchers:
        # As in PromQL, a missing label matches like an empty one.
        actual = labels.get(name, '')
        if op == '=' and actual != value:
            return False
        if op == '!=' and actual == value:
            return False
        if op == '=~' and not value.match(actual):
            return False
        if op == '!~' and value.match(actual):
            return False
    return True


def parse_timestamp(text):
    """Return seconds since the epoch for Prometheus' RFC 3339 time, None if never scraped.

    Done by hand because Prometheus writes nanoseconds, which
    ``datetime.strptime`` and older ``fromisoformat`` reject.
    """
    match = _TIMESTAMP_RE.match(text or '')
    if not match:
        return None
    year, month, day, hour, minute, second, fraction, zone = match.groups()
    # Go's zero time (0001-01-01T00:00:00Z) means "not scraped yet".
    if int(year) <= 1:
        return None
    offset = datetime.timedelta(0)
    if zone != 'Z':
        sign = -1 if zone[0] == '-' else 1
        offset = sign * datetime.timedelta(hours=int(zone[1:3]), minutes=int(zone[4:6]))
    stamp = datetime.datetime(int(year), int(month), int(day), int(hour), int(minute), int(second),
                              tzinfo=datetime.timezone.utc) - offset
    seconds = (stamp - _EPOCH).total_seconds()
    if fraction:
        seconds += float('0.' + fraction)
    return seconds


def targets_url(base_url, include_dropped):
    query = urlencode({'state': 'any' if include_dropped else 'active'})
    return '%s%s?%s' % (base_url.rstrip('/'), TARGETS_PATH, query)


def build_request(params):
    headers = dict(params.get('headers') or {})
    headers.setdefault('Accept', 'application/json')
    if params.get('bearer_token'):
        headers['Authorization'] = 'Bearer %s' % params['bearer_token']
    return Request(
        headers=headers,
        use_proxy=params['use_proxy'],
        timeout=params['request_timeout'],
        validate_certs=params['validate_certs'],
        ca_path=params.get('ca_path'),
        client_cert=params.get('client_cert'),
        client_key=params.get('client_key'),
        url_username=params.get('url_username'),
        url_password=params.get('url_password'),
        # Sending credentials up front keeps it to one request per attempt
        # instead of waiting for a 401 challenge first.
        force_basic_auth=bool(params.get('url_username')),
        # Targets must never depend on a ~/.netrc of whoever runs the play.
        use_netrc=False,
    )


def _error_detail(body):
    """Prometheus explains errors in a JSON body; fall back to the raw text."""
    text = to_text(body or b'', errors='surrogate_or_strict').strip()
    try:
        return to_text(json.loads(text).get('error') or text)
    except (ValueError, AttributeError):
        return text[:200]


def fetch_targets(request, url):
    """One GET of the targets API; returns its ``data`` object or raises TargetsError."""
    try:
        response = request.open('GET', url)
        body = response.read()
    except HTTPError as exc:
        try:
            detail = _error_detail(exc.read())
        except Exception:  # the error body is only a nicety
            detail = ''
        # 5xx and 429 come from a server that may recover; other client errors
        # (wrong credentials, wrong path) will fail the same way next time.
        retry = exc.code >= 500 or exc.code == 429
        msg = 'HTTP %s %s from %s' % (exc.code, exc.reason, url)
        if detail:
            msg += ': %s' % detail
        raise TargetsError(msg, retry=retry, status=exc.code)
    except (UrlsConnectionError, HTTPException, OSError, ValueError) as exc:
        # OSError covers refused connections, socket timeouts and TLS errors.
        raise TargetsError('cannot read %s: %s' % (url, to_text(exc) or type(exc).__name__))

    try:
        payload = json.loads(to_text(body, errors='surrogate_or_strict'))
    except (ValueError, UnicodeError) as exc:
        raise TargetsError('invalid JSON from %s: %s' % (url, exc))
    if not isinstance(payload, dict):
        raise TargetsError('unexpected answer from %s: not a JSON object' % url)
    if payload.get('status') != 'success':
        raise TargetsError('Prometheus returned status %r from %s: %s'
                           % (payload.get('status'), url, payload.get('error', '')))
    data = payload.get('data')
    if not isinstance(data, dict) or not isinstance(data.get('activeTargets', []), list):
        raise TargetsError('unexpected answer from %s: no data.activeTargets list' % url)
    return data


def target_name(target):
    """``job/instance``, plus the target's other labels when it has any.

    Two vLLM servers on one host share job and instance and differ in
    ``vllm_instance``: the name must tell them apart.
    """
    extra = sorted((k, v) for k, v in (target.get('labels') or {}).items()
                   if k not in ('job', 'instance') and not k.startswith('__'))
    name = '%s/%s' % (target['job'], target['instance'])
    if extra:
        name += '{%s}' % ','.join('%s="%s"' % kv for kv in extra)
    return name


def _target_result(raw, now, max_scrape_age):
    labels = raw.get('labels') or {}
    result = {
        'job': labels.get('job', raw.get('scrapePool', '')),
        'instance': labels.get('instance', ''),
        'health': raw.get('health', 'unknown'),
        'lastError': raw.get('lastError', ''),
        'lastScrape': raw.get('lastScrape', ''),
        'lastScrapeDuration': raw.get('lastScrapeDuration'),
        'scrapeUrl': raw.get('scrapeUrl', ''),
        'labels': labels,
        'healthy': False,
        'reason': '',
    }
    if result['health'] != 'up':
        result['reason'] = result['health']
        if result['lastError']:
            result['reason'] += ': %s' % result['lastError']
        return result
    if max_scrape_age is not None:
        scraped = parse_timestamp(result['lastScrape'])
        if scraped is None:
            result['reason'] = 'stale: no usable lastScrape %r' % result['lastScrape']
            return result
        # Clock skew between this host and Prometheus can make the age negative.
        age = now - scraped
        if age > max_scrape_age:
            result['reason'] = 'stale: last scrape %.1fs ago, max_scrape_age is %ss' % (age, max_scrape_age)
            return result
    result['healthy'] = True
    return result


def evaluate(data, jobs=None, matchers=None, instances=None, min_targets=1, max_scrape_age=None, now=None):
    """Select targets from one API answer and judge them.

    Returns a dict whose ``ok`` is True when every selected target is healthy,
    every expected instance is present and every job has ``min_targets``.
    """
    if now is None:
        now = time.time()
    jobs = list(jobs or [])
    instances = list(instances or [])
    selected = []
    for raw in data.get('activeTargets') or []:
        if not isinstance(raw, dict):
            continue
        labels = raw.get('labels') or {}
        job = labels.get('job', raw.get('scrapePool', ''))
        if jobs and job not in jobs:
            continue
        if matchers and not labels_match(labels, matchers):
            continue
        if instances and labels.get('instance', '') not in instances:
            continue
        selected.append(_target_result(raw, now, max_scrape_age))

    found = set(t['instance'] for t in selected)
    missing = [i for i in instances if i not in found]

    per_job = {}
    for job in jobs:
        per_job[job] = {'targets': 0, 'healthy': 0, 'min_targets_met': False}
    for target in selected:
        counts = per_job.setdefault(target['job'], {'targets': 0, 'healthy': 0, 'min_targets_met': False})
        counts['targets'] += 1
        counts['healthy'] += int(target['healthy'])
    for counts in per_job.values():
        counts['min_targets_met'] = counts['targets'] >= min_targets

    problems = ['%s %s' % (target_name(t), t['reason']) for t in selected if not t['healthy']]
    problems.extend('%s missing: no active target has this instance' % i for i in missing)
    problems.extend("job %s has %d targets, min_targets is %d" % (job, counts['targets'], min_targets)
                    for job, counts in sorted(per_job.items()) if not counts['min_targets_met'])
    # Without a job list a job that has no targets is invisible, so an empty
    # selection would pass vacuously; min_targets then applies to the whole.
    if not jobs and len(selected) < min_targets:
        problems.append('%d targets selected, min_targets is %d' % (len(selected), min_targets))

    healthy = [t['instance'] for t in selected if t['healthy']]
    unhealthy = [t['instance'] for t in selected if not t['healthy']] + missing
    result = {
        'ok': not problems,
        'problems': problems,
        'targets': selected,
        'healthy': healthy,
        'unhealthy': unhealthy,
        'missing': missing,
        'jobs': per_job,
        'totals': {
            'total': len(selected) + len(missing),
            'healthy': len(healthy),
            'unhealthy': len(unhealthy),
            'missing': len(missing),
        },
    }
    return result
