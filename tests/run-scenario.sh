#!/usr/bin/env bash
# Runs one molecule scenario the way every role is proven here:
#   converge, idempotence (zero changes), a check-mode run with --diff on the
#   converged host (zero changes), verify, then a negative verify: the
#   scenario's main services (listed in molecule/<scenario>/main-services as
#   "instance unit" lines) are stopped and verify must fail, then they are
#   started again. Then the scenario's side effect, where it has one.
# Usage: tests/run-scenario.sh SCENARIO
set -euo pipefail
scenario=${1:?usage: $0 SCENARIO}
cd "$(dirname "$0")/.."
export NO_COLOR=1 PY_COLORS=0 ANSIBLE_NOCOLOR=1
log_dir=.cache/logs
mkdir -p "$log_dir"
log=$log_dir/molecule-$scenario.log
: >"$log"
start=$(date +%s)

# Each step says when it began, in seconds since the scenario started.
step() { echo "[$scenario] +$(( $(date +%s) - start ))s $*"; }
run() { "$@" >>"$log" 2>&1 || { echo "[$scenario] FAILED: $*; last lines of $log:"; tail -60 "$log"; return 1; }; }

# Every host line of the last PLAY RECAP must show changed=0 and failed=0.
recap_is_clean() {
  awk '/PLAY RECAP/ {recap=1; bad=0; hosts=0; next}
       recap && /ok=/ {hosts++; if ($0 !~ /changed=0 / || $0 !~ /failed=0 /) bad++}
       END {exit !(recap && hosts > 0 && bad == 0)}' "$1"
}

trap 'molecule destroy -s "$scenario" >>"$log" 2>&1 || true' EXIT

# The images (and the stand-in package repository) a scenario runs, built on first use (each script holds a lock
# and only says so when its image is current): make test builds no image up
# front, so on a fresh machine the first vLLM scenario builds the vLLM image
# while the static checks run beside it.
image_scripts=()
grep -rqs 'vllm-cpu' "molecule/$scenario" && image_scripts+=(tests/platform/vllm-image.sh)
grep -rqs 'dcgm-exporter-standin' "molecule/$scenario" && image_scripts+=(tests/platform/dcgm-standin-image.sh)
grep -rqs 'llmops-vllm-stack/litellm' "molecule/$scenario" && image_scripts+=(tests/platform/litellm-image.sh)
grep -rqs 'nvidia-standin-repo' "molecule/$scenario" && image_scripts+=(tests/platform/nvidia-standin-repo.sh)
grep -rqs 'grafana-standin-repo' "molecule/$scenario" && image_scripts+=(tests/platform/grafana-standin-repo.sh)
for script in "${image_scripts[@]}"; do
  images_start=$(date +%s)
  run "$script"
  step "$(tail -1 "$log") ($(( $(date +%s) - images_start ))s)"
done

step "converge"
run molecule destroy -s "$scenario"
run molecule create -s "$scenario"
run molecule converge -s "$scenario"
step "idempotence"
run molecule idempotence -s "$scenario"

step "check mode with --diff must report zero changes"
check_log=$log_dir/molecule-$scenario-check.log
molecule converge -s "$scenario" -- --check --diff >"$check_log" 2>&1 || { tail -60 "$check_log"; exit 1; }
if ! recap_is_clean "$check_log"; then
  echo "[$scenario] FAILED: check mode reported changes or failures:"
  grep -E '^(changed|fatal)|PLAY RECAP' -A3 "$check_log" | tail -40
  exit 1
fi

step "verify"
run molecule verify -s "$scenario"

services_file=molecule/$scenario/main-services
if [[ -s $services_file ]]; then
  step "negative verify: stopping $(awk '{print $2 "@" $1}' "$services_file" | paste -sd' ')"
  while read -r instance unit; do docker exec "$instance" systemctl stop "$unit"; done <"$services_file"
  if molecule verify -s "$scenario" >>"$log" 2>&1; then
    echo "[$scenario] FAILED: verify passed with the main services stopped"
    exit 1
  fi
  while read -r instance unit; do docker exec "$instance" systemctl start "$unit"; done <"$services_file"
else
  echo "[$scenario] FAILED: $services_file lists no main service for the negative verify"
  exit 1
fi

# A scenario's operator changes after the proofs above (molecule/site: the
# rolling update under load and an instance's removal).
if [[ -f molecule/$scenario/side_effect.yml ]]; then
  step "side effect: molecule/$scenario/side_effect.yml"
  run molecule side-effect -s "$scenario"
fi

run molecule destroy -s "$scenario"
trap - EXIT
step "passed in $(( $(date +%s) - start ))s"
