# shellcheck shell=bash
# Not a stage: tests/run-tests.sh runs the *.sh files here.
# Helpers of the integration scripts, which run real services on ephemeral
# loopback ports: `source` it after setting workdir (their logs go there as
# *.log); started processes go into pids and are ended, with workdir
# removed, on exit.
: "${workdir:?set workdir before sourcing helpers.bash}"
pids=()
cleanup() {
    local pid
    for pid in "${pids[@]}"; do
        kill "$pid" 2>/dev/null || true
    done
    for pid in "${pids[@]}"; do
        wait "$pid" 2>/dev/null || true
    done
    rm -rf "$workdir"
}
trap cleanup EXIT

free_port() {
    python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])'
}

wait_http() {
    local url=$1 deadline=$((SECONDS + 20))
    while ((SECONDS < deadline)); do
        python3 -c 'import sys, urllib.request; urllib.request.urlopen(sys.argv[1], timeout=1)' "$url" 2>/dev/null && return 0
        sleep 0.2
    done
    echo "no answer from $url; logs:" >&2
    cat "$workdir"/*.log >&2
    return 1
}
