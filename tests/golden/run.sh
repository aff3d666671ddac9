#!/usr/bin/env bash
# Golden-file tests of rendered templates: each tests/golden/render_NAME_units.yml
# playbook renders templates for fixed inputs, and the results must equal the
# files in tests/golden/NAME/. Exits non-zero on any difference.
# Usage: tests/golden/run.sh [--update]   (--update rewrites the golden files)
set -euo pipefail
cd "$(dirname "$0")/../.."
update=false
[[ ${1:-} == --update ]] && update=true
export ANSIBLE_COLLECTIONS_PATH=$PWD/.cache/collections NO_COLOR=1 ANSIBLE_NOCOLOR=1
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
status=0
for playbook in tests/golden/render_*_units.yml; do
  name=${playbook##*/render_}
  name=${name%_units.yml}
  mkdir -p "$tmp/$name"
  if ! GOLDEN_OUT=$tmp/$name ansible-playbook -i localhost, "$playbook" >"$tmp/$name.log" 2>&1; then
    cat "$tmp/$name.log" >&2
    echo "golden: $playbook failed" >&2
    exit 1
  fi
  if $update; then
    rm -rf "tests/golden/$name"
    cp -r "$tmp/$name" "tests/golden/$name"
    echo "golden: updated tests/golden/$name"
  elif diff -ru "tests/golden/$name" "$tmp/$name"; then
    echo "golden: $name matches ($(find "$tmp/$name" -type f | wc -l) files)"
  else
    echo "golden: $name differs from tests/golden/$name (tests/golden/run.sh --update after checking the diff)" >&2
    status=1
  fi
done
exit $status
