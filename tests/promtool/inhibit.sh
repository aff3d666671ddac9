#!/usr/bin/env bash
# Copyright: (c) 2026, llmops contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
#
# Tests the alertmanager role's inhibit rules and Watchdog route on a real
# Alertmanager: renders alertmanager.yml with the role defaults plus a webhook
# receiver (render_alertmanager.yml), then
#   - amtool config routes test: Watchdog reaches the watchdog receiver only,
#     other alerts the default receiver;
#   - runs prometheus-alertmanager on a loopback port, posts alerts through
#     the v2 API and asserts from /api/v2/alerts which ones are inhibited.
# Called by tests/promtool/run.sh. Usage: bash tests/promtool/inhibit.sh
set -euo pipefail

here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
repo=$(cd "$here/../.." && pwd)
ansible_playbook=${ANSIBLE_PLAYBOOK:-$repo/.venv/bin/ansible-playbook}

"$repo/tests/platform/host-tools.sh" --require promtool

work=$(mktemp -d)
am_pid=
cleanup() {
    if [[ -n $am_pid ]]; then
        kill "$am_pid" 2>/dev/null || true
        wait "$am_pid" 2>/dev/null || true
    fi
    rm -rf "$work"
}
trap cleanup EXIT

ANSIBLE_LOCALHOST_WARNING=false ANSIBLE_INVENTORY_UNPARSED_WARNING=false \
    "$ansible_playbook" -i localhost, "$here/render_alertmanager.yml" \
    -e "inhibit_render_dir=$work" >"$work/render.log" || { cat "$work/render.log" >&2; exit 1; }
config=$work/alertmanager.yml
amtool check-config "$config" >/dev/null

echo "== amtool config routes test"
# amtool warns on stderr that --config.file overrides --alertmanager.url.
route_of() {
    amtool config routes test --config.file="$config" "$@" 2>"$work/amtool.err" || { cat "$work/amtool.err" >&2; return 1; }
}
expect_route() {
    local want=$1 got
    shift
    got=$(route_of "$@")
    if [[ $got != "$want" ]]; then
        echo "FAIL: $* routed to '$got', expected '$want'" >&2
        exit 1
    fi
    echo "ok: $* -> $got"
}
expect_route watchdog alertname=Watchdog severity=none component=monitoring
expect_route default alertname=HostDown severity=critical instance=gpu-01
expect_route default alertname=WatchdogLike severity=none

echo "== inhibition on a running Alertmanager"
port=$(python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
prometheus-alertmanager --config.file="$config" --storage.path="$work/data" \
    --web.listen-address="127.0.0.1:$port" --cluster.listen-address= >"$work/alertmanager.log" 2>&1 &
am_pid=$!

python3 - "http://127.0.0.1:$port" <<'EOF' || { cat "$work/alertmanager.log" >&2; exit 1; }
import json
import sys
import time
import urllib.request

url = sys.argv[1]

# (labels, expected: True = inhibited). instance = inventory hostname.
ALERTS = [
    # HostDown on host-x mutes every other alert of host-x, not of host-y.
    ({"alertname": "HostDown", "instance": "host-x", "job": "node", "severity": "critical",
      "component": "host"}, False),
    ({"alertname": "HostDiskSpaceLow", "instance": "host-x", "job": "node", "severity": "warning",
      "component": "host", "mountpoint": "/"}, True),
    ({"alertname": "TargetDown", "instance": "host-x", "job": "prometheus", "severity": "critical",
      "component": "monitoring"}, True),
    ({"alertname": "HostDiskSpaceLow", "instance": "host-y", "job": "node", "severity": "warning",
      "component": "host", "mountpoint": "/"}, False),
    # VllmTargetDown of (host-y, a) mutes the other vLLM alerts of a, not of b.
    ({"alertname": "VllmTargetDown", "instance": "host-y", "vllm_instance": "a", "job": "vllm",
      "severity": "critical", "component": "vllm"}, False),
    ({"alertname": "VllmMetricsAbsent", "instance": "host-y", "vllm_instance": "a", "job": "vllm",
      "severity": "warning", "component": "vllm"}, True),
    ({"alertname": "VllmMetricsAbsent", "instance": "host-y", "vllm_instance": "b", "job": "vllm",
      "severity": "warning", "component": "vllm"}, False),
    # A down dcgm-exporter of host-z mutes the GPU alerts of host-z only.
    ({"alertname": "TargetDown", "instance": "host-z", "job": "dcgm", "severity": "critical",
      "component": "monitoring"}, False),
    ({"alertname": "GpuCountBelowExpected", "instance": "host-z", "job": "dcgm", "severity": "critical",
      "component": "gpu"}, True),
    ({"alertname": "GpuTemperatureHigh", "instance": "host-z", "job": "dcgm", "gpu": "0",
      "severity": "warning", "component": "gpu"}, True),
    ({"alertname": "GpuTemperatureHigh", "instance": "host-y", "job": "dcgm", "gpu": "0",
      "severity": "warning", "component": "gpu"}, False),
    # A critical alert mutes the warning of the same alertname, instance and gpu.
    ({"alertname": "GpuXidError", "instance": "host-w", "job": "dcgm", "gpu": "1", "xid_class": "hardware",
      "severity": "critical", "component": "gpu"}, False),
    ({"alertname": "GpuXidError", "instance": "host-w", "job": "dcgm", "gpu": "1", "xid_class": "application",
      "severity": "warning", "component": "gpu"}, True),
    ({"alertname": "GpuXidError", "instance": "host-w", "job": "dcgm", "gpu": "2", "xid_class": "application",
      "severity": "warning", "component": "gpu"}, False),
    ({"alertname": "HostMemoryPressure", "instance": "host-w", "job": "node", "severity": "warning",
      "component": "host"}, False),
    # Watchdog is never inhibited (severity none).
    ({"alertname": "Watchdog", "severity": "none", "component": "monitoring"}, False),
]


def call(path, body=None):
    data = None if body is None else json.dumps(body).encode()
    request = urllib.request.Request(url + path, data=data, headers={"Content-Type": "application/json"})
    with urllib.request.urlopen(request, timeout=5) as response:
        raw = response.read()
    return json.loads(raw) if raw else None


deadline = time.time() + 20
while True:
    try:
        urllib.request.urlopen(url + "/-/ready", timeout=1)
        break
    except OSError:
        if time.time() > deadline:
            raise
        time.sleep(0.2)

call("/api/v2/alerts", [{"labels": labels, "annotations": {"summary": "inhibit test"}} for labels, _ in ALERTS])


def key(labels):
    return tuple(sorted(labels.items()))


expected = {key(labels): inhibited for labels, inhibited in ALERTS}
# The inhibitor sees new source alerts asynchronously: poll until stable.
deadline = time.time() + 15
while True:
    got = {key(a["labels"]): a["status"] for a in call("/api/v2/alerts")}
    wrong = [k for k, inhibited in expected.items()
             if k not in got or bool(got[k]["inhibitedBy"]) != inhibited]
    if not wrong or time.time() > deadline:
        break
    time.sleep(0.5)

for labels, inhibited in ALERTS:
    status = got.get(key(labels))
    mark = "FAIL" if key(labels) in wrong else "ok"
    state = status["state"] if status else "absent"
    print("%-4s %-22s %-7s %-14s expect %-10s got %s" % (
        mark, labels["alertname"], labels.get("instance", "-"),
        ",".join("%s=%s" % i for i in sorted(labels.items()) if i[0] in ("vllm_instance", "gpu", "job")),
        "inhibited" if inhibited else "active", state))
if wrong:
    sys.exit("inhibition: %d alert(s) not as expected" % len(wrong))
EOF
echo "inhibit: Watchdog route and inhibit rules behave as documented"
