# Copyright: (c) 2026, llmops contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""Benchmark llmops.vllm_stack.scrape_target_health on a 1,000-target payload.

Serves one /api/v1/targets answer with 1,000 healthy targets (built from the
recorded fixture) from 127.0.0.1, then times `ansible-playbook` runs of the
module against runs of a bare ansible.builtin.ping playbook. The difference is
what the module itself costs.

Usage: python3 tests/scripts/bench_scrape_target_health.py [--runs N] [--targets N]
"""

from __future__ import annotations

import argparse
import copy
import json
import os
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
FIXTURE = os.path.join(ROOT, 'tests', 'unit', 'plugins', 'modules', 'fixtures', 'scrape_target_health',
                       'targets_healthy.json')
PLAY = '''---
- name: Benchmark
  hosts: localhost
  connection: local
  gather_facts: false
  vars:
    ansible_python_interpreter: "{{ ansible_playbook_python }}"
  tasks:
%s
'''
PING_TASK = '''    - name: Ping
      ansible.builtin.ping:
'''
MODULE_TASK = '''    - name: Check %(count)d targets
      llmops.vllm_stack.scrape_target_health:
        url: %(url)s
        jobs: [node]
        min_targets: %(count)d
        timeout: 0
'''


def big_payload(count):
    with open(FIXTURE) as handle:
        payload = json.load(handle)
    template = [t for t in payload['data']['activeTargets'] if t['labels']['job'] == 'node'][0]
    targets = []
    for number in range(count):
        target = copy.deepcopy(template)
        address = '10.%d.%d.%d:9100' % (number // 65536, number // 256 % 256, number % 256)
        target['labels']['instance'] = target['discoveredLabels']['__address__'] = address
        target['scrapeUrl'] = target['globalUrl'] = 'http://%s/metrics' % address
        targets.append(target)
    payload['data'] = {'activeTargets': targets, 'droppedTargets': []}
    return json.dumps(payload).encode()


def serve(body):
    served = []

    class Handler(BaseHTTPRequestHandler):
        def do_GET(self):
            served.append(self.path)
            self.send_response(200)
            self.send_header('Content-Type', 'application/json')
            self.send_header('Content-Length', str(len(body)))
            self.end_headers()
            self.wfile.write(body)

        def log_message(self, *args):
            pass

    server = ThreadingHTTPServer(('127.0.0.1', 0), Handler)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    return server, served


def time_playbooks(playbooks, env, runs):
    """Time each playbook `runs` times, alternating so that load from other
    processes on the machine hits both alike."""
    times = dict((playbook, []) for playbook in playbooks)
    # The first round is a warm-up that fills caches and writes .pyc files.
    for run in range(runs + 1):
        for playbook in playbooks:
            command = [os.path.join(ROOT, '.venv', 'bin', 'ansible-playbook'), '-i', 'localhost,', playbook]
            started = time.perf_counter()
            done = subprocess.run(command, env=env, capture_output=True, text=True, check=False)
            if done.returncode != 0:
                sys.exit('%s failed:\n%s%s' % (playbook, done.stdout, done.stderr))
            if run:
                times[playbook].append(time.perf_counter() - started)
    return times


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument('--runs', type=int, default=5)
    parser.add_argument('--targets', type=int, default=1000)
    args = parser.parse_args()

    body = big_payload(args.targets)
    server, served = serve(body)
    url = 'http://127.0.0.1:%d' % server.server_address[1]

    link = os.path.join(ROOT, '.cache', 'collections', 'ansible_collections', 'llmops', 'vllm_stack')
    if not os.path.exists(link):
        os.makedirs(os.path.dirname(link), exist_ok=True)
        os.symlink(ROOT, link)
    with tempfile.TemporaryDirectory() as tmp:
        # An empty config keeps both runs free of the repository's settings.
        config = os.path.join(tmp, 'ansible.cfg')
        with open(config, 'w') as handle:
            handle.write('[defaults]\n')
        env = dict(os.environ, ANSIBLE_COLLECTIONS_PATH=os.path.join(ROOT, '.cache', 'collections'),
                   ANSIBLE_CONFIG=config, ANSIBLE_RETRY_FILES_ENABLED='false')
        ping = os.path.join(tmp, 'ping.yml')
        module = os.path.join(tmp, 'module.yml')
        with open(ping, 'w') as handle:
            handle.write(PLAY % PING_TASK)
        with open(module, 'w') as handle:
            handle.write(PLAY % (MODULE_TASK % {'count': args.targets, 'url': url}))
        times = time_playbooks([ping, module], env, args.runs)
        ping_times, module_times = times[ping], times[module]
    server.shutdown()

    ping_median, module_median = statistics.median(ping_times), statistics.median(module_times)
    print('payload: %d targets, %.0f KiB, %d requests served (%d runs + 1 warm-up)'
          % (args.targets, len(body) / 1024.0, len(served), args.runs))
    for name, times in (('ansible.builtin.ping', ping_times), ('scrape_target_health', module_times)):
        print('%-22s median %.2fs  min %.2fs  max %.2fs' % (name, statistics.median(times), min(times), max(times)))
    print('module overhead over ping: %+.2fs median (%.2fx)'
          % (module_median - ping_median, module_median / ping_median))


if __name__ == '__main__':
    main()
