#!/usr/bin/env bash
# The host packages every stage needs, from the one list in host-tools.txt.
#   host-tools.sh                 install the packages whose binary is missing
#                                 (exactly the list; --no-install-recommends);
#                                 this is what `make setup` runs
#   host-tools.sh --require STAGE fail, naming this setup step, when a binary
#                                 that STAGE declares is missing
#   host-tools.sh --lint          fail when a test script checks or installs
#                                 host binaries on its own, or requires a stage
#                                 the list does not declare
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
repo=$(cd "$here/../.." && pwd)
list=$here/host-tools.txt

# stage binary package, comments and blank lines dropped.
entries() { sed -e 's/#.*//' -e '/^[[:space:]]*$/d' "$list"; }

have() { command -v "$1" >/dev/null 2>&1 || [[ -x /usr/sbin/$1 || -x /sbin/$1 ]]; }

install_missing() {
  local stage binary package
  local -a missing=()
  while read -r stage binary package; do
    have "$binary" && continue
    [[ " ${missing[*]} " == *" $package "* ]] || missing+=("$package")
  done < <(entries)
  ((${#missing[@]})) || return 0
  echo "installing host packages: ${missing[*]}"
  local -a as_root=()
  [[ $(id -u) -eq 0 ]] || as_root=(sudo)
  # Always refresh the lists first: a cleaned image can have a recent cache
  # file and no lists at all.
  "${as_root[@]}" apt-get update -qq
  # Debian's packages start their daemons on install (prometheus on :9090,
  # the exporter on :9100); the stages start their own on loopback and need
  # none in the background, so policy-rc.d forbids starts during the install.
  local policy=/usr/sbin/policy-rc.d
  if [[ ! -e $policy ]]; then
    printf '#!/bin/sh\nexit 101\n' | "${as_root[@]}" tee "$policy" >/dev/null
    "${as_root[@]}" chmod 0755 "$policy"
    trap '"${as_root[@]}" rm -f "$policy"' EXIT
  fi
  DEBIAN_FRONTEND=noninteractive "${as_root[@]}" apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
  # The list is the contract: every binary it names must exist now.
  require all
}

require() {
  local wanted=$1 stage binary package found=false
  local -a absent=()
  while read -r stage binary package; do
    [[ $wanted == all || $stage == "$wanted" ]] || continue
    found=true
    have "$binary" || absent+=("$binary (Debian package $package)")
  done < <(entries)
  $found || { echo "host-tools: stage '$wanted' declares no binaries in ${list#"$repo"/}" >&2; return 1; }
  ((${#absent[@]})) || return 0
  printf 'host-tools: stage %s needs %s, missing here.\n' "$wanted" "${absent[*]}" >&2
  printf 'It is installed by the setup step tests/platform/host-tools.sh (run by "make setup", which "make test" and "make demo" run first) from %s.\n' "${list#"$repo"/}" >&2
  return 1
}

lint() {
  local status=0 file stage
  # Stages named by --require must be declared.
  while IFS=: read -r file stage; do
    stage=${stage#--require }
    if ! entries | awk -v s="$stage" '$1 == s {found=1} END {exit !found}'; then
      echo "host-tools lint: $file requires stage '$stage', which ${list#"$repo"/} does not declare" >&2
      status=1
    fi
  done < <(cd "$repo" && git grep -oE -- '--require [a-z_-]+' -- 'tests/*.sh' ':!tests/platform/host-tools.sh' | sort -u)
  # Host installs happen here only; other scripts declare and require.
  if (cd "$repo" && git grep -nE 'apt(-get)? +install' -- 'tests/*.sh' 'Makefile' '.ci/*' ':!tests/platform/host-tools.sh'); then
    echo "host-tools lint: the lines above install host packages outside tests/platform/host-tools.sh; declare them in ${list#"$repo"/}" >&2
    status=1
  fi
  return $status
}

case ${1:-install} in
  install) install_missing ;;
  --require) require "${2:?usage: $0 --require STAGE}" ;;
  --lint) lint ;;
  *) echo "usage: $0 [--require STAGE | --lint]" >&2; exit 2 ;;
esac
