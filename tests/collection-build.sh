#!/usr/bin/env bash
# The collection as users get it: `ansible-galaxy collection build`, the
# tarball checked (no test platform, stand-ins, caches or secrets), installed
# into a temporary collections path, and the installed copy (not this
# checkout) used: site.yml's syntax check with each shipped inventory, the
# module's documentation, a filter. Prints the tarball's size.
# Usage: tests/collection-build.sh [--install-into DIR]
#   --install-into DIR: after the checks, the tarball is installed into DIR
#   (a collections path, emptied first) and kept there: the site scenario
#   runs the main job from it.
set -euo pipefail
cd "$(dirname "$0")/.."
install_into=''
if [[ ${1:-} == --install-into ]]; then install_into=${2:?usage: $0 [--install-into DIR]}; fi
work=$(mktemp -d /var/tmp/llmops-collection.XXXXXX)
trap 'rm -rf "$work"' EXIT

ansible-galaxy collection build --output-path "$work" . >/dev/null
tarball=$(ls "$work"/llmops-vllm_stack-*.tar.gz)
listing=$(tar -tzf "$tarball")
echo "built $(basename "$tarball"): $(du -k "$tarball" | cut -f1) KiB, $(wc -l <<<"$listing") entries"

# Nothing of the test platform, no caches, no keys.
forbidden=$(grep <<<"$listing" -E '^(molecule|tests/platform|tests/images|\.cache|\.venv|\.ansible|\.ci)(/|$)|\.(pem|key|tar\.gz)$|(^|/)vault-password' || true)
if [[ -n $forbidden ]]; then
  echo "the tarball holds files users must not get:"; echo "$forbidden"; exit 1
fi
for wanted in MANIFEST.json README.md meta/runtime.yml playbooks/site.yml plugins/modules/scrape_target_health.py \
              roles/grafana/tasks/main.yml dashboards/vllm.json; do
  grep -qx "$wanted" <<<"$listing" || { echo "the tarball lacks $wanted"; exit 1; }
done

# Installed the way users install it; only that copy on the collections path.
# The environment overrides ansible.cfg's path, which holds this checkout.
export ANSIBLE_COLLECTIONS_PATH=$work/collections
ansible-galaxy collection install --offline -p "$work/collections" "$tarball" >/dev/null
installed=$work/collections/ansible_collections/llmops/vllm_stack
[[ -d $installed && ! -L $installed ]] || { echo "no installed copy at $installed"; exit 1; }
for inventory in inventories/*/; do
  ansible-playbook -i "$inventory" llmops.vllm_stack.site --syntax-check >/dev/null
done
ansible-doc -t module llmops.vllm_stack.scrape_target_health >/dev/null
ansible localhost -m ansible.builtin.debug -a "msg={{ {'scheme': 'http', 'address': '0.0.0.0', 'port': 3000} | llmops.vllm_stack.endpoint_url }}" 2>/dev/null \
  | grep -q 'http://127.0.0.1:3000' || { echo "the installed collection's filters do not load"; exit 1; }
# The playbook that ran is the installed one.
resolved=$(ansible-playbook -i inventories/demo llmops.vllm_stack.site --list-tasks -vvv 2>/dev/null | grep -o "$installed/playbooks/site.yml" | head -1 || true)
[[ -n $resolved ]] || { echo "llmops.vllm_stack.site did not resolve to the installed copy"; exit 1; }
echo "installed into $work/collections and used from there: site.yml syntax (every inventory), module docs, filters"
if [[ -n $install_into ]]; then
  rm -rf "$install_into" && mkdir -p "$install_into"
  ANSIBLE_COLLECTIONS_PATH=$install_into ansible-galaxy collection install --offline -p "$install_into" "$tarball" >/dev/null
  echo "installed $(basename "$tarball") into $install_into"
fi
