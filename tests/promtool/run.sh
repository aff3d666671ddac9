#!/usr/bin/env bash
# Renders the prometheus role's rule templates and runs promtool on them:
#   promtool check rules <rendered file>   for every rules file
#   promtool test rules  <test file>       for every tests/promtool/*.test.yml
# Usage: bash tests/promtool/run.sh    (exit status != 0 on any failure)
set -euo pipefail

here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
repo="$(cd "${here}/../.." && pwd)"
ansible_playbook="${ANSIBLE_PLAYBOOK:-${repo}/.venv/bin/ansible-playbook}"

"${repo}/tests/platform/host-tools.sh" --require promtool
promtool --version 2>&1 | head -n 1

work="$(mktemp -d)"
trap 'rm -rf "${work}"' EXIT

# Render with the role defaults + tests/promtool/vars.yml into ${work}.
ANSIBLE_LOCALHOST_WARNING=false ANSIBLE_INVENTORY_UNPARSED_WARNING=false \
  "${ansible_playbook}" -i localhost, "${here}/render.yml" \
  -e "promtool_render_dir=${work}"

# The tests name their rule files relative to themselves, so they run from
# the render directory.
cp "${here}"/*.test.yml "${work}/"

rc=0
for f in "${work}"/*.rules.yml; do
  echo "== promtool check rules $(basename "${f}")"
  promtool check rules "${f}" || rc=1
done
for t in "${work}"/*.test.yml; do
  echo "== promtool test rules $(basename "${t}")"
  (cd "${work}" && promtool test rules "$(basename "${t}")") || rc=1
done

echo "== alertmanager inhibit rules and Watchdog route (inhibit.sh)"
bash "${here}/inhibit.sh" || rc=1

if [ "${rc}" -ne 0 ]; then
  echo "promtool: FAILED" >&2
else
  echo "promtool: all rule checks and tests passed"
fi
exit "${rc}"
