# -*- coding: utf-8 -*-
# Copyright: (c) 2026, llmops contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""Replay payloads recorded from a real Prometheus (tests/scripts/record_targets_payloads.py)
through a real HTTP server on 127.0.0.1, and drive the module as Ansible would."""

from __future__ import absolute_import, division, print_function
__metaclass__ = type

import base64
import copy
import json
import os
import shutil
import ssl
import subprocess
import threading
import time
from datetime import datetime, timedelta, timezone
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import parse_qs, urlsplit

import pytest

from ansible_collections.llmops.vllm_stack.plugins.modules import scrape_target_health
from ansible_collections.llmops.vllm_stack.tests.unit.plugins.modules.module_harness import run_module

FIXTURES = os.path.join(os.path.dirname(__file__), 'fixtures', 'scrape_target_health')


def load(name):
    with open(os.path.join(FIXTURES, 'targets_%s.json' % name)) as handle:
        return json.load(handle)


def instance_of(payload, health, job='node'):
    return [t['labels']['instance'] for t in payload['data']['activeTargets']
            if t['health'] == health and t['labels']['job'] == job][0]


def with_last_scrape(payload, stamp):
    payload = copy.deepcopy(payload)
    for target in payload['data']['activeTargets']:
        target['lastScrape'] = stamp
    return payload


def go_time(moment, offset_hours=0):
    """Format like Go's RFC 3339 with nanoseconds, as Prometheus does."""
    zone = timezone(timedelta(hours=offset_hours))
    local = moment.astimezone(zone)
    suffix = 'Z' if offset_hours == 0 else local.strftime('%z')[:3] + ':' + local.strftime('%z')[3:]
    return local.strftime('%Y-%m-%dT%H:%M:%S.') + '%06d123' % local.microsecond + suffix


class Reply:
    def __init__(self, body=None, status=200, delay=0.0, content_type='application/json'):
        self.body = json.dumps(body).encode() if isinstance(body, dict) else body
        self.status = status
        self.delay = delay
        self.content_type = content_type


class PayloadServer:
    """Answers each request with the next reply; the last one repeats."""

    def __init__(self, replies, auth=None, tls=None):
        self.replies = list(replies)
        self.auth = auth
        self.requests = []
        self.release = threading.Event()
        server = self

        class Handler(BaseHTTPRequestHandler):
            def do_GET(self):
                server.requests.append({'path': self.path, 'headers': self.headers})
                if server.auth and self.headers.get('Authorization') != server.auth:
                    return self._send(Reply(b'Unauthorized\n', status=401, content_type='text/plain'))
                index = min(len(server.requests), len(server.replies)) - 1
                self._send(server.replies[index])

            def _send(self, reply):
                if reply.delay:
                    server.release.wait(reply.delay)
                body = reply.body
                query = parse_qs(urlsplit(self.path).query)
                if reply.status == 200 and isinstance(body, bytes) and query.get('state') == ['active']:
                    # Prometheus leaves dropped targets out unless state=any.
                    try:
                        payload = json.loads(body)
                        payload['data']['droppedTargets'] = []
                        body = json.dumps(payload).encode()
                    except (ValueError, KeyError, TypeError):
                        pass
                self.send_response(reply.status)
                self.send_header('Content-Type', reply.content_type)
                self.send_header('Content-Length', str(len(body)))
                self.end_headers()
                self.wfile.write(body)

            def log_message(self, *args):
                pass

        self.httpd = ThreadingHTTPServer(('127.0.0.1', 0), Handler)
        self.httpd.daemon_threads = True
        self.scheme = 'http'
        if tls:
            context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
            context.load_cert_chain(*tls)
            self.httpd.socket = context.wrap_socket(self.httpd.socket, server_side=True)
            self.scheme = 'https'
        self.thread = threading.Thread(target=self.httpd.serve_forever, kwargs={'poll_interval': 0.05}, daemon=True)

    @property
    def url(self):
        return '%s://127.0.0.1:%d' % (self.scheme, self.httpd.server_address[1])

    def __enter__(self):
        self.thread.start()
        return self

    def __exit__(self, *exc):
        self.release.set()
        self.httpd.shutdown()
        self.httpd.server_close()


def run(args):
    """Run the module; return (result, failed). Any other exception fails the test."""
    return run_module(scrape_target_health.main, args)


def run_against(replies, **args):
    with PayloadServer(replies) as server:
        args.setdefault('timeout', 0)
        args.setdefault('interval', 0.05)
        result, failed = run(dict(url=server.url, **args))
    return result, failed, server.requests


def test_healthy_payload_passes_with_one_request():
    result, failed, requests = run_against([Reply(load('healthy'))], details='all')
    assert not failed, result['msg']
    assert result['changed'] is False
    assert result['attempts'] == 1
    assert len(requests) == 1
    assert requests[0]['path'] == '/api/v1/targets?state=active'
    assert result['totals'] == {'total': 2, 'healthy': 2, 'unhealthy': 0, 'missing': 0, 'dropped': 0}
    assert result['unhealthy'] == [] and result['missing'] == []
    assert 'dropped_targets' not in result
    assert len(result['targets']) == 2
    for target in result['targets']:
        for key in ('job', 'instance', 'health', 'lastError', 'lastScrape', 'lastScrapeDuration',
                    'scrapeUrl', 'labels'):
            assert key in target
        assert target['health'] == 'up' and target['healthy'] is True


def test_by_default_only_unhealthy_targets_are_listed_in_full():
    payload = load('down')
    dead, live = instance_of(payload, 'down'), instance_of(payload, 'up')
    result, failed, dummy = run_against([Reply(payload)], jobs=['node'])
    assert failed
    # The healthy one is named and counted, not repeated.
    assert result['healthy'] == [live] and result['totals']['healthy'] == 1
    assert [t['instance'] for t in result['targets']] == [dead]
    assert result['targets'][0]['lastError'] and result['targets'][0]['scrapeUrl']
    result, failed, dummy = run_against([Reply(load('healthy'))])
    assert not failed and result['targets'] == [] and result['totals']['healthy'] == 2


def test_down_target_fails_naming_it_with_last_error():
    payload = load('down')
    dead, live = instance_of(payload, 'down'), instance_of(payload, 'up')
    result, failed, dummy = run_against([Reply(payload)], jobs=['node'])
    assert failed
    assert result['unhealthy'] == [dead]
    assert result['healthy'] == [live]
    # The target's other labels are part of its name.
    assert 'node/%s{env="test"} down' % dead in result['msg']
    assert 'connection refused' in result['msg']
    down = [t for t in result['targets'] if t['instance'] == dead][0]
    assert down['lastError'] in result['msg']
    assert result['changed'] is False


def test_two_servers_on_one_host_are_named_apart():
    # Two vLLM servers on one host share job and instance: the message must
    # say which one is down.
    payload = copy.deepcopy(load('down'))
    for target, name in zip(payload['data']['activeTargets'][:2], ('alpha', 'beta')):
        target['labels'] = {'job': 'vllm', 'instance': 'gpu-1', 'vllm_instance': name}
    down = [t for t in payload['data']['activeTargets'] if t['health'] == 'down'][0]
    result, failed, dummy = run_against([Reply(payload)], jobs=['vllm'])
    assert failed
    assert 'vllm/gpu-1{vllm_instance="%s"} down' % down['labels']['vllm_instance'] in result['msg']
    other = 'beta' if down['labels']['vllm_instance'] == 'alpha' else 'alpha'
    assert 'vllm_instance="%s"' % other not in result['msg']


def test_unknown_targets_fail_when_not_waiting():
    result, failed, dummy = run_against([Reply(load('unknown'))])
    assert failed
    assert result['totals']['unhealthy'] == 3
    assert 'unknown' in result['msg']


def test_waits_through_unknown_and_down_until_healthy():
    replies = [Reply(load('unknown')), Reply(load('down')), Reply(load('healthy'))]
    result, failed, requests = run_against(replies, timeout=10, interval=0.05)
    assert not failed, result['msg']
    assert result['attempts'] == 3
    assert len(requests) == 3
    assert result['totals']['healthy'] == 2


def test_times_out_while_target_stays_down():
    payload = load('down')
    started = time.monotonic()
    # Generous against the interval: on a loaded 2-core machine one round
    # trip can take a few hundred milliseconds, and the test asks for retries,
    # not for their speed.
    result, failed, requests = run_against([Reply(payload)], timeout=2.0, interval=0.1)
    assert failed
    assert time.monotonic() - started < 15
    assert result['attempts'] == len(requests) >= 3
    assert instance_of(payload, 'down') in result['msg']
    assert '%d attempts' % result['attempts'] in result['msg']


def test_stale_last_scrape_is_unhealthy():
    stale = go_time(datetime.now(timezone.utc) - timedelta(minutes=10))
    result, failed, dummy = run_against([Reply(with_last_scrape(load('healthy'), stale))], max_scrape_age=60)
    assert failed
    assert result['totals']['unhealthy'] == 2
    assert 'stale' in result['msg'] and 'max_scrape_age' in result['msg']
    assert all(t['health'] == 'up' and not t['healthy'] for t in result['targets'])


@pytest.mark.parametrize('offset_hours', [0, 2, -5])
def test_fresh_last_scrape_passes_in_any_time_zone(offset_hours):
    fresh = go_time(datetime.now(timezone.utc) - timedelta(seconds=2), offset_hours)
    result, failed, dummy = run_against([Reply(with_last_scrape(load('healthy'), fresh))], max_scrape_age=60)
    assert not failed, result['msg']


def test_recorded_timestamps_are_judged_against_the_clock():
    payload = load('healthy')
    result, failed, dummy = run_against([Reply(payload)], max_scrape_age=1e9)
    assert not failed, result['msg']


def test_missing_expected_instance_counts_as_unhealthy():
    payload = load('healthy')
    live = instance_of(payload, 'up')
    result, failed, dummy = run_against([Reply(payload)], instances=[live, '127.0.0.1:1'])
    assert failed
    assert result['missing'] == ['127.0.0.1:1']
    assert '127.0.0.1:1' in result['unhealthy']
    assert result['healthy'] == [live]
    assert result['totals'] == {'total': 2, 'healthy': 1, 'unhealthy': 1, 'missing': 1, 'dropped': 0}
    assert '127.0.0.1:1 missing' in result['msg']


def test_expected_instances_select_only_those_targets():
    payload = load('down')
    live = instance_of(payload, 'up')
    result, failed, dummy = run_against([Reply(payload)], instances=[live], details='all')
    assert not failed, result['msg']
    assert [t['instance'] for t in result['targets']] == [live]


def test_label_matchers_select_targets():
    payload = load('down')
    dead = instance_of(payload, 'down')
    result, failed, dummy = run_against([Reply(payload)],
                                        label_matchers=['env="test"', 'instance!~"%s"' % dead.replace('.', r'\.')])
    assert not failed, result['msg']
    assert result['healthy'] == [instance_of(payload, 'up')]

    result, failed, dummy = run_against([Reply(payload)], label_matchers=['job=~prom.*'], details='all')
    assert not failed, result['msg']
    assert [t['job'] for t in result['targets']] == ['prometheus']

    result, failed, dummy = run_against([Reply(payload)], label_matchers=['env=test'])
    assert failed
    assert result['unhealthy'] == [dead]


def test_matchers_that_select_nothing_fail():
    result, failed, dummy = run_against([Reply(load('healthy'))], label_matchers=['env=prod'])
    assert failed
    assert '0 targets selected' in result['msg']


def test_invalid_label_matcher_is_a_clear_failure():
    result, failed, requests = run_against([Reply(load('healthy'))], label_matchers=['env=~"("'])
    assert failed
    assert 'invalid regex' in result['msg']
    assert requests == []


def test_min_targets_per_job():
    result, failed, dummy = run_against([Reply(load('healthy'))], jobs=['node'], min_targets=2)
    assert failed
    assert 'job node has 1 targets, min_targets is 2' in result['msg']
    assert result['jobs']['node'] == {'targets': 1, 'healthy': 1, 'min_targets_met': False}

    result, failed, dummy = run_against([Reply(load('healthy'))], jobs=['node', 'vllm'])
    assert failed
    assert 'job vllm has 0 targets' in result['msg']


def test_http_500_is_retried_then_reported():
    error = {'status': 'error', 'errorType': 'internal', 'error': 'tsdb not ready'}
    # A generous timeout: on a loaded machine 0.3 s left room for one request only.
    result, failed, requests = run_against([Reply(error, status=500)], timeout=2, interval=0.1)
    assert failed
    assert len(requests) >= 2
    assert 'HTTP 500' in result['msg'] and 'tsdb not ready' in result['msg']
    assert result['status'] == 500


def test_http_500_then_recovery():
    result, failed, requests = run_against([Reply(b'oops', status=500), Reply(load('healthy'))],
                                           timeout=10, interval=0.05)
    assert not failed, result['msg']
    assert result['attempts'] == 2


@pytest.mark.parametrize('body', [b'<html>not json</html>', b'[]', b'{"status": "success", "data": []}'])
def test_invalid_json_is_a_clear_failure(body):
    result, failed, dummy = run_against([Reply(body)])
    assert failed
    assert 'invalid JSON' in result['msg'] or 'unexpected answer' in result['msg']


def test_prometheus_error_status_is_reported():
    result, failed, dummy = run_against([Reply({'status': 'error', 'error': 'bad state'})])
    assert failed
    assert 'bad state' in result['msg']


def test_basic_auth_sent_with_the_first_request():
    expected = 'Basic ' + base64.b64encode(b'monitor:s3cret').decode()
    with PayloadServer([Reply(load('healthy'))], auth=expected) as server:
        result, failed = run(dict(url=server.url, url_username='monitor', url_password='s3cret', timeout=0))
    assert not failed, result['msg']
    assert len(server.requests) == 1


def test_401_fails_at_once_without_waiting():
    with PayloadServer([Reply(load('healthy'))], auth='Basic nope') as server:
        started = time.monotonic()
        result, failed = run(dict(url=server.url, username='monitor', password='wrong', timeout=30))
    assert failed
    assert time.monotonic() - started < 10
    assert result['attempts'] == 1
    assert result['status'] == 401
    assert 'HTTP 401' in result['msg']


def test_bearer_token_and_custom_headers():
    with PayloadServer([Reply(load('healthy'))], auth='Bearer t0ken') as server:
        result, failed = run(dict(url=server.url + '/', bearer_token='t0ken', headers={'X-Scope-OrgID': 'llmops'},
                                  timeout=0))
    assert not failed, result['msg']
    assert server.requests[0]['headers']['X-Scope-OrgID'] == 'llmops'


def test_bearer_token_and_username_are_exclusive():
    result, failed, requests = run_against([Reply(load('healthy'))], bearer_token='t', url_username='u',
                                           url_password='p')
    assert failed
    assert 'mutually exclusive' in result['msg']
    assert requests == []


def test_request_timeout_is_a_clear_failure():
    result, failed, dummy = run_against([Reply(load('healthy'), delay=5)], request_timeout=0.3)
    assert failed
    assert 'timed out' in result['msg']


def test_connection_refused_is_a_clear_failure():
    with PayloadServer([]) as server:
        url = server.url
    result, failed = run(dict(url=url, timeout=0))
    assert failed
    assert 'cannot read' in result['msg']
    assert result['targets'] == []


def test_include_dropped_asks_for_any_state():
    result, failed, requests = run_against([Reply(load('healthy'))], include_dropped=True)
    assert not failed, result['msg']
    assert requests[0]['path'] == '/api/v1/targets?state=any'
    assert result['totals']['dropped'] == 1
    assert result['dropped_targets'][0]['drop'] == 'yes'


def test_check_mode_reads_and_reports_the_same():
    result, failed, requests = run_against([Reply(load('healthy'))], _ansible_check_mode=True)
    assert not failed, result['msg']
    assert result['changed'] is False
    assert len(requests) == 1


def test_invalid_timing_options_fail_before_reading():
    result, failed, requests = run_against([Reply(load('healthy'))], interval=0)
    assert failed
    assert 'interval' in result['msg']
    assert requests == []


@pytest.fixture(scope='module')
def tls_files(tmp_path_factory):
    if shutil.which('openssl') is None:
        pytest.skip('openssl is needed to make a test certificate')
    path = tmp_path_factory.mktemp('tls')
    cert, key = str(path / 'cert.pem'), str(path / 'key.pem')
    subprocess.run(['openssl', 'req', '-x509', '-newkey', 'rsa:2048', '-nodes', '-days', '1',
                    '-subj', '/CN=127.0.0.1', '-addext', 'subjectAltName=IP:127.0.0.1',
                    '-keyout', key, '-out', cert], check=True, capture_output=True)
    return cert, key


def test_tls_verified_with_ca_path(tls_files):
    with PayloadServer([Reply(load('healthy'))], tls=tls_files) as server:
        result, failed = run(dict(url=server.url, ca_path=tls_files[0], timeout=0, use_proxy=False))
    assert not failed, result['msg']


def test_tls_unknown_ca_is_a_clear_failure(tls_files):
    with PayloadServer([Reply(load('healthy'))], tls=tls_files) as server:
        result, failed = run(dict(url=server.url, timeout=0))
        assert failed
        assert 'certificate' in result['msg'].lower()

        result, failed = run(dict(url=server.url, timeout=0, validate_certs=False))
        assert not failed, result['msg']
