#!/usr/bin/env bash
# Copyright: (c) 2026, llmops contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
#
# Live test of llmops.vllm_stack.scrape_target_health against a real
# Prometheus: one node exporter up, one stopped on purpose. The module must
# report the stopped one with its lastError, then turn green once the stopped
# exporter is started again while the module waits.
#
# Needs Debian's prometheus and prometheus-node-exporter, declared for the
# integration stage in tests/platform/host-tools.txt and installed by setup.
# Everything listens on 127.0.0.1 with ephemeral ports; nothing is left behind.
#
# Usage: tests/integration/scrape_target_health_live.sh
set -euo pipefail

root=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
venv_bin=$root/.venv/bin
playbook=$root/tests/integration/scrape_target_health_live.yml
# Short so the whole run takes seconds, not minutes.
scrape_interval=2s
restart_after=5

"$root/tests/platform/host-tools.sh" --require integration

workdir=$(mktemp -d /tmp/scrape-target-health-live.XXXXXX)
# shellcheck source=tests/integration/helpers.bash
source "$root/tests/integration/helpers.bash"

start_exporter() {
    prometheus-node-exporter --web.listen-address="$1" --collector.disable-defaults --collector.loadavg \
        >>"$workdir/exporter-$1.log" 2>&1 &
    pids+=($!)
}

prometheus_port=$(free_port)
live=127.0.0.1:$(free_port)
stopped=127.0.0.1:$(free_port)

start_exporter "$live"
wait_http "http://$live/metrics"
# Started and stopped again, so Prometheus scrapes an address that really had
# an exporter and now refuses connections.
start_exporter "$stopped"
wait_http "http://$stopped/metrics"
kill "${pids[-1]}"
wait "${pids[-1]}" 2>/dev/null || true

cat >"$workdir/prometheus.yml" <<EOF
global:
  scrape_interval: $scrape_interval
  scrape_timeout: 1s
scrape_configs:
  - job_name: node
    static_configs:
      - targets: ['$live', '$stopped']
EOF
prometheus --config.file="$workdir/prometheus.yml" --storage.tsdb.path="$workdir/data" \
    --web.listen-address="127.0.0.1:$prometheus_port" >"$workdir/prometheus.log" 2>&1 &
pids+=($!)
wait_http "http://127.0.0.1:$prometheus_port/-/ready"

if [[ ! -e $root/.cache/collections/ansible_collections/llmops/vllm_stack ]]; then
    mkdir -p "$root/.cache/collections/ansible_collections/llmops"
    ln -sfn "$root" "$root/.cache/collections/ansible_collections/llmops/vllm_stack"
fi
export ANSIBLE_COLLECTIONS_PATH=$root/.cache/collections
export ANSIBLE_STDOUT_CALLBACK=default ANSIBLE_CALLBACK_RESULT_FORMAT=yaml ANSIBLE_RETRY_FILES_ENABLED=false

run_playbook() {
    "$venv_bin/ansible-playbook" -i localhost, "$playbook" \
        -e prometheus_url="http://127.0.0.1:$prometheus_port" \
        -e live_instance="$live" -e stopped_instance="$stopped" "$@"
}

echo "== one target stopped: expect it unhealthy with its lastError"
run_playbook --tags stopped

echo "== restarting $stopped in ${restart_after}s while the module waits"
(
    # Sleep in the background so that cleanup's kill also ends the sleep.
    sleep "$restart_after" &
    sleeper=$!
    trap 'kill "$sleeper"; exit 0' TERM
    wait "$sleeper"
    exec prometheus-node-exporter --web.listen-address="$stopped" --collector.disable-defaults \
        --collector.loadavg >>"$workdir/exporter-$stopped.log" 2>&1
) &
pids+=($!)
run_playbook --tags recovery

echo "PASS: scrape_target_health live test"
