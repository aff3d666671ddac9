#!/usr/bin/env bash
# Every check of `make test`, stage by stage. Stages keep going after a failure
# so one run reports everything; the exit status is non-zero if any failed.
# Usage: tests/run-tests.sh [lint|sanity|units|golden|promtool|integration|molecule|full|SCENARIO ...]
# (no argument: full, every stage, the static ones beside the first scenarios)
# MOLECULE_SCENARIOS="a b" limits the molecule stage.
set -uo pipefail
cd "$(dirname "$0")/.." || exit 1

passed=0
failed=0
failures=()
timings=()

stage() {
  local name=$1; shift
  local start=$SECONDS
  echo "=== $name"
  if "$@"; then
    passed=$((passed + 1))
  else
    failed=$((failed + 1))
    failures+=("$name")
  fi
  timings+=("$(printf '%-32s %4ss' "$name" $((SECONDS - start)))")
}

lint() {
  stage yamllint yamllint --strict .
  stage ansible-lint ansible-lint --profile production
  stage changelog-fragments antsibull-changelog lint
  stage argument-specs .venv/bin/python tests/scripts/check_argument_specs.py
  stage role-docs-current .venv/bin/python docs/role_docs.py --check
  stage host-tools-declared tests/platform/host-tools.sh --lint
  local inventory
  for inventory in inventories/*/; do
    inventory=${inventory%/}
    stage "inventory ${inventory#inventories/}" inventory_check "$inventory"
  done
  stage collection-build tests/collection-build.sh
}

# Every shipped inventory must parse and carry site.yml through a syntax check.
inventory_check() {
  ansible-inventory -i "$1" --graph >/dev/null && ansible-playbook -i "$1" site.yml --syntax-check >/dev/null
}

sanity() { stage ansible-test-sanity sanity_with_tools; }
# ansible-test runs shellcheck and skips that test when it is missing:
# require it so a machine without it fails instead of passing less.
sanity_with_tools() { tests/platform/host-tools.sh --require sanity && tests/ansible-test.sh sanity; }

units() {
  stage ansible-test-units tests/ansible-test.sh units
  stage script-tests .venv/bin/python -m pytest -q tests/scripts
}

golden() { stage golden-units tests/golden/run.sh; }

promtool() {
  [[ -x tests/promtool/run.sh ]] && stage promtool-rules tests/promtool/run.sh
  return 0
}

# Scripts that run real services on loopback (Prometheus, exporters) around a plugin.
integration() {
  local script
  for script in tests/integration/*.sh; do stage "integration $(basename "$script" .sh)" "$script"; done
}

# Scenarios run in two lanes side by side, never two vLLM scenarios at once
# (their molecule.yml names the vLLM CPU image; each needs GiBs of RAM and
# both cores while it warms up): vLLM scenarios all go to the first lane, the
# others are spread longest first onto the lane that ends earlier, by the
# minutes a scenario took in a lane beside another on a 2-core machine
# (scenario_minutes; 5 for a new one). MOLECULE_LANES=1 runs everything in one lane.
scenario_minutes() {
  case $1 in
    vllm) echo 8 ;; litellm) echo 10 ;; site) echo 29 ;; prometheus) echo 8 ;; alertmanager) echo 4 ;; node_exporter_binary) echo 9 ;; dcgm_exporter) echo 9 ;;
    container_engine) echo 2 ;; node_exporter) echo 3 ;; grafana) echo 7 ;; nvidia_driver) echo 3 ;; nvidia_container_toolkit) echo 5 ;;
    *) echo 5 ;;
  esac
}

# The checks that need no scenario host, in the order they report. In a full
# run (no arguments) they run at the head of the second lane, beside the
# first vLLM scenario, instead of before every scenario: the vLLM servers
# spend minutes loading and warming up, which leaves a core to them.
static_stages() { lint; sanity; units; golden; promtool; integration; }
STATIC_MINUTES=4
# Building the vLLM CPU image on a fresh machine, wheels and archive included.
VLLM_IMAGE_MINUTES=5

# Runs static_stages in the background lane; its output and its counters go
# to files that molecule_stage merges in when both lanes are done.
run_static() {
  local results=$1
  (
    # shellcheck disable=SC2030 # counted in this subshell, merged from the state file
    passed=0 failed=0 failures=() timings=()
    static_stages >"$results/static.out" 2>&1
    declare -p passed failed failures timings | sed 's/^declare -[a-zA-Z-]* /static_/' >"$results/static.state"
  )
  echo "[lane] static checks finished"
}

molecule_stage() {
  local with_static=${1:-}
  local scenarios=${MOLECULE_SCENARIOS:-$(find molecule -mindepth 2 -maxdepth 2 -name molecule.yml -printf '%h\n' | sed 's|^molecule/||' | sort)}
  local -a vllm_lane=() other_lane=() rest=()
  local s first=0 second=0
  [[ $with_static == with-static ]] && second=$STATIC_MINUTES
  # The first vLLM scenario builds the vLLM image where the machine has none
  # (tests/run-scenario.sh): minutes of that lane. Planning only, so the tag
  # alone decides; the build script checks its inputs.
  local vllm_image_minutes=0
  docker image inspect llmops-vllm-stack/vllm-cpu:0.32.0 >/dev/null 2>&1 || vllm_image_minutes=$VLLM_IMAGE_MINUTES
  for s in $scenarios; do
    if grep -q 'vllm-cpu' "molecule/$s/molecule.yml"; then
      vllm_lane+=("$s"); first=$((first + $(scenario_minutes "$s") + vllm_image_minutes)); vllm_image_minutes=0
    else
      rest+=("$(scenario_minutes "$s") $s")
    fi
  done
  if [[ ${MOLECULE_LANES:-2} == 1 ]] || ((${#vllm_lane[@]} + ${#rest[@]} < 2)); then
    [[ $with_static == with-static ]] && static_stages
    for s in $scenarios; do stage "molecule $s" tests/run-scenario.sh "$s"; done
    return
  fi
  local minutes
  while read -r minutes s; do
    [[ -n $s ]] || continue
    if ((first <= second)); then vllm_lane+=("$s"); first=$((first + minutes)); else other_lane+=("$s"); second=$((second + minutes)); fi
  done < <(printf '%s\n' "${rest[@]}" | sort -k1,1nr -k2)
  local results=.cache/logs/lanes
  rm -rf "$results" && mkdir -p "$results"
  local static_note=''
  [[ $with_static == with-static ]] && static_note='static checks, then '
  echo "=== molecule in two lanes: [${vllm_lane[*]}] beside [${static_note}${other_lane[*]}]"
  run_lane "$results" "${vllm_lane[@]}" &
  local vllm_pid=$!
  { [[ $with_static != with-static ]] || run_static "$results"; run_lane "$results" "${other_lane[@]}"; } &
  local other_pid=$!
  wait "$vllm_pid" "$other_pid"
  # shellcheck disable=SC2031 # the static lane's counters come from its state file
  if [[ $with_static == with-static ]]; then
    cat "$results/static.out"
    local static_passed=0 static_failed=1 static_failures=('static checks (no result)') static_timings=()
    # shellcheck disable=SC1091
    [[ -f $results/static.state ]] && source "$results/static.state"
    passed=$((passed + static_passed)); failed=$((failed + static_failed))
    failures+=("${static_failures[@]}"); timings+=("${static_timings[@]}")
  fi
  # Report in a stable order, each scenario's output in one piece.
  for s in $scenarios; do
    echo "=== molecule $s"
    cat "$results/$s.out"
    if [[ $(cat "$results/$s.rc" 2>/dev/null) == 0 ]]; then
      passed=$((passed + 1))
    else
      failed=$((failed + 1))
      failures+=("molecule $s")
    fi
    timings+=("$(printf '%-32s %4ss' "molecule $s" "$(cat "$results/$s.time" 2>/dev/null || echo '?')")")
  done
}

run_lane() {
  local results=$1 s start rc
  shift
  for s in "$@"; do
    start=$SECONDS
    tests/run-scenario.sh "$s" >"$results/$s.out" 2>&1
    rc=$?
    echo "$rc" >"$results/$s.rc"
    echo $((SECONDS - start)) >"$results/$s.time"
    echo "[lane] molecule $s finished: rc=$rc in $((SECONDS - start))s"
  done
}

if (($# == 0)); then set -- full; fi
for what in "$@"; do
  case $what in
    lint|sanity|units|golden|promtool|integration) $what ;;
    molecule) molecule_stage ;;
    full) molecule_stage with-static ;;
    *) MOLECULE_SCENARIOS=$what molecule_stage ;;
  esac
done

echo
echo "=== summary"
printf '%s\n' "${timings[@]}"
((failed)) && printf 'failed: %s\n' "${failures[@]}"
echo "checks: $passed passed, $failed failed"
((failed == 0))
