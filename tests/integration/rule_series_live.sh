#!/usr/bin/env bash
# Copyright: (c) 2026, llmops contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
#
# Live test of tests/scripts/rule_series.py (every input series of every
# shipped rule exists) against a real Prometheus loaded with the role's
# rendered rules, scraping itself, a node exporter and an Alertmanager under
# the role's job names and instance labels. The vLLM, LiteLLM and dcgm jobs
# do not run here (the litellm molecule scenario proves the vLLM and LiteLLM
# halves), so:
#   1. restricted to the node, prometheus and alertmanager jobs, the checker
#      must find every series and exit 0 (the vllm, litellm and dcgm
#      selectors are skipped);
#   2. unrestricted, it must exit 1 and report as missing only selectors of
#      the vllm and litellm jobs (dcgm ones are allowlisted by
#      rule_series_allowlist.json).
#
# Needs Debian's prometheus, prometheus-node-exporter and
# prometheus-alertmanager, declared for the integration stage in
# tests/platform/host-tools.txt. Everything listens on 127.0.0.1 with
# ephemeral ports; nothing is left behind.
#
# Usage: tests/integration/rule_series_live.sh
set -euo pipefail

root=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
venv_bin=$root/.venv/bin
checker=$root/tests/scripts/rule_series.py
# Short so that every series exists within seconds.
scrape_interval=2s

"$root/tests/platform/host-tools.sh" --require integration

workdir=$(mktemp -d /tmp/rule-series-live.XXXXXX)
# shellcheck source=tests/integration/helpers.bash
source "$root/tests/integration/helpers.bash"

prometheus=127.0.0.1:$(free_port)
exporter=127.0.0.1:$(free_port)
alertmanager=127.0.0.1:$(free_port)

# The rules exactly as the role renders them (role defaults + the promtool
# test inventory data).
ANSIBLE_LOCALHOST_WARNING=false ANSIBLE_INVENTORY_UNPARSED_WARNING=false \
    "$venv_bin/ansible-playbook" -i localhost, "$root/tests/promtool/render.yml" \
    -e "promtool_render_dir=$workdir" >"$workdir/render.log"

# --collector.systemd as the node_exporter role runs it.
prometheus-node-exporter --web.listen-address="$exporter" --collector.systemd >"$workdir/exporter.log" 2>&1 &
pids+=($!)
cat >"$workdir/alertmanager.yml" <<'EOF'
route:
  receiver: default
receivers:
  - name: default
EOF
prometheus-alertmanager --config.file="$workdir/alertmanager.yml" --storage.path="$workdir/am-data" \
    --web.listen-address="$alertmanager" --cluster.listen-address= >"$workdir/alertmanager.log" 2>&1 &
pids+=($!)
wait_http "http://$exporter/metrics"
wait_http "http://$alertmanager/-/ready"

# instance = inventory hostname on every job, as the role's relabeling sets it.
cat >"$workdir/prometheus.yml" <<EOF
global:
  scrape_interval: $scrape_interval
  scrape_timeout: 1s
  evaluation_interval: $scrape_interval
rule_files:
  - $workdir/*.rules.yml
scrape_configs:
  - job_name: prometheus
    static_configs:
      - targets: ['$prometheus']
        labels: {instance: monitor-01}
  - job_name: alertmanager
    static_configs:
      - targets: ['$alertmanager']
        labels: {instance: monitor-01}
  - job_name: node
    static_configs:
      - targets: ['$exporter']
        labels: {instance: node-01}
EOF
prometheus --config.file="$workdir/prometheus.yml" --storage.tsdb.path="$workdir/data" \
    --web.listen-address="$prometheus" >"$workdir/prometheus.log" 2>&1 &
pids+=($!)
wait_http "http://$prometheus/-/ready"

# Series appear after the first scrape and rule evaluation; wait until all
# three targets are up, then a few more intervals.
deadline=$((SECONDS + 60))
until python3 - "http://$prometheus" <<'EOF'
import json, sys, urllib.request
url = sys.argv[1] + "/api/v1/query?query=count(up%3D%3D1)"
result = json.load(urllib.request.urlopen(url, timeout=2))["data"]["result"]
sys.exit(0 if result and result[0]["value"][1] == "3" else 1)
EOF
do
    if ((SECONDS > deadline)); then
        echo "targets not up within 60s; logs:" >&2
        cat "$workdir"/*.log >&2
        exit 1
    fi
    sleep 1
done
sleep 6

# This machine's PID 1 is not systemd (see /work/shared/PLATFORM.md), so the
# systemd collector has no series here; on a systemd host it does.
allow=()
if [[ ! -d /run/systemd/system ]]; then
    cat >"$workdir/local-allowlist.json" <<'EOF'
{"allow": [{"metric": "node_systemd_unit_state",
            "reason": "this build machine does not run systemd as PID 1: node_exporter's systemd collector has no data"}]}
EOF
    allow=(--allowlist "$workdir/local-allowlist.json")
fi

echo "== node, prometheus and alertmanager jobs: every series must exist"
python3 "$checker" --url "http://$prometheus" --only-jobs node,prometheus,alertmanager "${allow[@]}" \
    | tee "$workdir/only-jobs.out"
grep -q 'node_filesystem_avail_bytes.*ok:' "$workdir/only-jobs.out"
grep -q 'alertmanager_notifications_failed_total.*ok:' "$workdir/only-jobs.out"
grep -q 'prometheus_rule_evaluation_failures_total.*ok:' "$workdir/only-jobs.out"
grep -q 'DCGM_FI_DEV_GPU_TEMP.*skipped' "$workdir/only-jobs.out"
grep -q 'litellm_deployment_state{job="litellm"}.*skipped' "$workdir/only-jobs.out"

echo "== all jobs: the vLLM and LiteLLM series must be reported missing, nothing else"
rc=0
python3 "$checker" --url "http://$prometheus" "${allow[@]}" >"$workdir/all.out" || rc=$?
cat "$workdir/all.out"
if ((rc != 1)); then
    echo "FAIL: expected exit status 1 (vLLM and LiteLLM series missing), got $rc" >&2
    exit 1
fi
grep -q 'vllm:num_requests_running{job="vllm"}  ->  MISSING: no series' "$workdir/all.out"
grep -q 'up{job="litellm"}  ->  MISSING: no series' "$workdir/all.out"
grep -q 'litellm_deployment_state{job="litellm"}  ->  MISSING: no series' "$workdir/all.out"
grep -q 'DCGM_FI_DEV_GPU_TEMP{job="dcgm"}  ->  allowlisted' "$workdir/all.out"
if grep MISSING "$workdir/all.out" | grep -v -e 'job="vllm"' -e 'job="litellm"'; then
    echo "FAIL: series missing outside the vllm and litellm jobs (above)" >&2
    exit 1
fi

echo "PASS: rule_series live test"
