#!/usr/bin/env bash
# `make demo`: starts the demo hosts of inventories/demo as local systemd
# containers, runs site.yml against them, then prints what runs where.
# `demo.sh down` removes them.
set -euo pipefail
cd "$(dirname "$0")/../.."

IMAGE=${VLLM_STACK_BASE_IMAGE:-llmops-vllm-stack/debian12-systemd:latest}
NETWORK=llmops-demo
hosts=$(ansible-inventory -i inventories/demo --list | python3 -c 'import json,sys; print(" ".join(json.load(sys.stdin)["_meta"]["hostvars"]))')

down() {
  for h in $hosts; do docker rm -f -v "$h" >/dev/null 2>&1 || true; done
  docker network rm "$NETWORK" >/dev/null 2>&1 || true
}

up() {
  docker network inspect "$NETWORK" >/dev/null 2>&1 || docker network create "$NETWORK" >/dev/null
  for h in $hosts; do
    if [[ $(docker inspect -f '{{.State.Running}}' "$h" 2>/dev/null) != true ]]; then
      docker rm -f "$h" >/dev/null 2>&1 || true
      # Same shape as the molecule instances: privileged systemd containers,
      # with a volume for the inner docker's overlay2 and the local images.
      docker run -d --name "$h" --hostname "$h" --network "$NETWORK" \
        --privileged --cgroupns=host -v /sys/fs/cgroup:/sys/fs/cgroup:rw \
        -v /var/lib/docker -v "$PWD/.cache/images:/srv/images:ro" \
        --tmpfs /run --tmpfs /tmp "$IMAGE" >/dev/null
      echo "started demo host $h"
    fi
  done
  for h in $hosts; do
    until docker exec "$h" systemctl is-system-running --wait >/dev/null 2>&1 \
      || [[ $(docker exec "$h" systemctl is-system-running 2>/dev/null) == degraded ]]; do sleep 1; done
  done
  ansible-playbook -i inventories/demo site.yml
  ansible-playbook -i inventories/demo llmops.vllm_stack.report
  echo "demo hosts are running; remove them with: make demo-down"
}

case ${1:-up} in
  up) up ;;
  down) down ;;
  *) echo "usage: $0 up|down" >&2; exit 2 ;;
esac
