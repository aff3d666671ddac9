#!/usr/bin/env bash
# Debian tools the checks need on the machine that runs them: debootstrap for
# the base image, shellcheck so ansible-test's shellcheck sanity test runs
# instead of being skipped. Installed only when missing.
set -euo pipefail
missing=()
command -v debootstrap >/dev/null 2>&1 || [[ -x /usr/sbin/debootstrap ]] || missing+=(debootstrap)
command -v shellcheck >/dev/null 2>&1 || missing+=(shellcheck)
((${#missing[@]})) || exit 0
echo "installing ${missing[*]}"
sudo_cmd=()
[[ $(id -u) -eq 0 ]] || sudo_cmd=(sudo)
"${sudo_cmd[@]}" apt-get update -qq
DEBIAN_FRONTEND=noninteractive "${sudo_cmd[@]}" apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
