#!/usr/bin/env bash
# Every check of `make test`, stage by stage. Stages keep going after a failure
# so one run reports everything; the exit status is non-zero if any failed.
# Usage: tests/run-tests.sh [lint|sanity|units|golden|promtool|integration|molecule|SCENARIO ...]
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
  stage host-tools-declared tests/platform/host-tools.sh --lint
  local inventory
  for inventory in inventories/*/; do
    inventory=${inventory%/}
    stage "inventory ${inventory#inventories/}" inventory_check "$inventory"
  done
}

# Every shipped inventory must parse and carry site.yml through a syntax check.
inventory_check() {
  ansible-inventory -i "$1" --graph >/dev/null && ansible-playbook -i "$1" site.yml --syntax-check >/dev/null
}

sanity() { stage ansible-test-sanity sanity_with_tools; }
# shellcheck runs inside ansible-test, which skips its test when it is missing:
# require it so a machine without it fails instead of passing less.
sanity_with_tools() { tests/platform/host-tools.sh --require sanity && tests/ansible-test.sh sanity; }

units() { stage ansible-test-units tests/ansible-test.sh units; }

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

molecule_stage() {
  local scenarios=${MOLECULE_SCENARIOS:-$(find molecule -mindepth 2 -maxdepth 2 -name molecule.yml -printf '%h\n' | sed 's|^molecule/||' | sort)}
  for s in $scenarios; do stage "molecule $s" tests/run-scenario.sh "$s"; done
}

if (($# == 0)); then set -- lint sanity units golden promtool integration molecule; fi
for what in "$@"; do
  case $what in
    lint|sanity|units|golden|promtool|integration) $what ;;
    molecule) molecule_stage ;;
    *) MOLECULE_SCENARIOS=$what molecule_stage ;;
  esac
done

echo
echo "=== summary"
printf '%s\n' "${timings[@]}"
((failed)) && printf 'failed: %s\n' "${failures[@]}"
echo "checks: $passed passed, $failed failed"
((failed == 0))
