# Copyright: (c) 2026, llmops contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""Record /api/v1/targets payloads from a real Prometheus for the unit tests.

Runs Debian's prometheus and prometheus-node-exporter binaries on 127.0.0.1
with ephemeral ports and a temporary data dir, and writes:

  targets_unknown.json  right after start, before the first scrape
  targets_down.json     one node exporter up, one address with nothing
                        listening (down, with lastError)
  targets_healthy.json  after the dead address left file_sd: all up

Every payload is read with state=any, so it also holds a dropped target.
Needs: apt-get install -y --no-install-recommends prometheus prometheus-node-exporter

Usage: python3 tests/scripts/record_targets_payloads.py [OUTPUT_DIR]
"""

from __future__ import annotations

import json
import os
import shutil
import socket
import subprocess
import sys
import tempfile
import time
import urllib.request

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
DEFAULT_OUT = os.path.join(ROOT, 'tests', 'unit', 'plugins', 'modules', 'fixtures', 'scrape_target_health')
# Long enough that the first read after start sees targets still "unknown",
# short enough that recording takes well under a minute.
SCRAPE_INTERVAL = 10


def free_port():
    with socket.socket() as sock:
        sock.bind(('127.0.0.1', 0))
        return sock.getsockname()[1]


def get_json(url):
    with urllib.request.urlopen(url, timeout=5) as response:
        return json.load(response)


def wait_for(what, check, timeout):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        try:
            value = check()
        except OSError:
            value = None
        if value:
            return value
        time.sleep(0.2)
    raise SystemExit('timed out waiting for %s' % what)


def write_sd(path, instances, dropped):
    groups = [{'targets': instances, 'labels': {'env': 'test'}},
              {'targets': [dropped], 'labels': {'env': 'test', 'drop': 'yes'}}]
    tmp = path + '.tmp'
    with open(tmp, 'w') as handle:
        json.dump(groups, handle)
    # Atomic rename so file_sd never reads a half-written file.
    os.rename(tmp, path)


def anonymise(payload):
    # Prometheus puts the recording machine's hostname into globalUrl.
    text = json.dumps(payload, indent=2, sort_keys=True)
    return text.replace(socket.gethostname(), 'recorder-host') + '\n'


def record_once(workdir, out_dir):
    prom_port, live_port, dead_port, dropped_port = (free_port() for dummy in range(4))
    live, dead = '127.0.0.1:%d' % live_port, '127.0.0.1:%d' % dead_port
    sd_file = os.path.join(workdir, 'node.json')
    write_sd(sd_file, [live, dead], '127.0.0.1:%d' % dropped_port)
    config = {
        'global': {'scrape_interval': '%ds' % SCRAPE_INTERVAL, 'scrape_timeout': '2s'},
        'scrape_configs': [
            {'job_name': 'prometheus', 'static_configs': [{'targets': ['127.0.0.1:%d' % prom_port]}]},
            {'job_name': 'node',
             'file_sd_configs': [{'files': [sd_file], 'refresh_interval': '1s'}],
             'relabel_configs': [{'source_labels': ['drop'], 'regex': 'yes', 'action': 'drop'}]},
        ],
    }
    config_file = os.path.join(workdir, 'prometheus.yml')
    with open(config_file, 'w') as handle:
        json.dump(config, handle)  # JSON is YAML; no PyYAML needed

    api = 'http://127.0.0.1:%d' % prom_port
    targets_url = api + '/api/v1/targets?state=any'
    logs = open(os.path.join(workdir, 'processes.log'), 'w')
    procs = [
        subprocess.Popen(['prometheus-node-exporter', '--web.listen-address=' + live,
                          '--collector.disable-defaults', '--collector.loadavg'], stdout=logs, stderr=logs),
        subprocess.Popen(['prometheus', '--config.file=' + config_file,
                          '--storage.tsdb.path=' + os.path.join(workdir, 'data'),
                          '--web.listen-address=127.0.0.1:%d' % prom_port], stdout=logs, stderr=logs),
    ]
    try:
        wait_for('Prometheus to be ready',
                 lambda: urllib.request.urlopen(api + '/-/ready', timeout=2).status == 200, 30)

        def discovered():
            payload = get_json(targets_url)
            return payload if len(payload['data']['activeTargets']) == 3 else None
        # Service discovery fills the list a moment after /-/ready.
        unknown = wait_for('service discovery', discovered, 10)
        if any(t['health'] != 'unknown' for t in unknown['data']['activeTargets']):
            return False

        def all_scraped():
            payload = get_json(targets_url)
            targets = payload['data']['activeTargets']
            return payload if len(targets) == 3 and all(t['health'] != 'unknown' for t in targets) else None
        down = wait_for('the first scrapes', all_scraped, 3 * SCRAPE_INTERVAL)
        if not any(t['health'] == 'down' and t['lastError'] for t in down['data']['activeTargets']):
            raise SystemExit('the dead target did not turn down with a lastError')

        write_sd(sd_file, [live], '127.0.0.1:%d' % dropped_port)

        def all_up():
            payload = get_json(targets_url)
            targets = payload['data']['activeTargets']
            return payload if len(targets) == 2 and all(t['health'] == 'up' for t in targets) else None
        healthy = wait_for('the dead target to leave', all_up, 3 * SCRAPE_INTERVAL)
    finally:
        for proc in procs:
            proc.terminate()
        for proc in procs:
            try:
                proc.wait(timeout=10)
            except subprocess.TimeoutExpired:
                proc.kill()
                proc.wait()
        logs.close()

    os.makedirs(out_dir, exist_ok=True)
    for name, payload in (('unknown', unknown), ('down', down), ('healthy', healthy)):
        path = os.path.join(out_dir, 'targets_%s.json' % name)
        with open(path, 'w') as handle:
            handle.write(anonymise(payload))
        print('wrote %s' % path)
    return True


def main():
    out_dir = os.path.abspath(sys.argv[1]) if len(sys.argv) > 1 else DEFAULT_OUT
    for binary in ('prometheus', 'prometheus-node-exporter'):
        if shutil.which(binary) is None:
            raise SystemExit('%s not found: apt-get install -y --no-install-recommends '
                             'prometheus prometheus-node-exporter' % binary)
    for attempt in range(3):
        workdir = tempfile.mkdtemp(prefix='record-targets-')
        try:
            if record_once(workdir, out_dir):
                return
        finally:
            shutil.rmtree(workdir, ignore_errors=True)
        print('attempt %d: targets were scraped before the first read, retrying' % (attempt + 1))
    raise SystemExit('could not catch the targets in state unknown')


if __name__ == '__main__':
    main()
