#!/usr/bin/env bash
# Copyright: (c) 2026, llmops contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
#
# Run ansible-test on a fresh copy of the collection.
#
# ansible-test insists on running from .../ansible_collections/NAMESPACE/NAME
# and resolves symlinks, so a link to this checkout does not work: copy the
# files git knows about (tracked plus untracked-not-ignored) instead.
#
# Usage: tests/ansible-test.sh sanity|units [ansible-test options...]
#   tests/ansible-test.sh sanity
#   tests/ansible-test.sh sanity --test validate-modules plugins/modules/
#   tests/ansible-test.sh units tests/unit/plugins/modules/test_scrape_target_health.py
# Environment: ANSIBLE_TEST_PYTHON (default 3.11), ANSIBLE_TEST (default .venv/bin/ansible-test).
set -euo pipefail

usage() {
    echo "usage: $0 sanity|units [ansible-test options...]" >&2
    exit 2
}

[[ $# -ge 1 ]] || usage
command=$1
shift
case $command in
    sanity | units) ;;
    *) usage ;;
esac

root=$(git -C "$(dirname "${BASH_SOURCE[0]}")" rev-parse --show-toplevel)
dest=$root/.cache/ansible-test/ansible_collections/llmops/vllm_stack
python_version=${ANSIBLE_TEST_PYTHON:-3.11}
ansible_test=${ANSIBLE_TEST:-$root/.venv/bin/ansible-test}
[[ -x $ansible_test ]] || ansible_test=$(command -v ansible-test) || {
    echo "ansible-test not found: create .venv or set ANSIBLE_TEST" >&2
    exit 1
}

# ansible-test --venv bootstraps pip with a get-pip script from
# ci-files.testing.ansible.com, which locked-down machines cannot reach. Give it
# a stand-in that installs the same pip from a wheel taken from PyPI.
ensure_pip_bootstrap() {
    local python version cache stub wheel_dir
    python=$(dirname "$ansible_test")/python
    [[ -x $python ]] || return 0
    version=$("$python" -c '
import re, ansible_test._internal.python_requirements as r
print(re.search(r"pip=.([0-9.]+).", open(r.__file__).read()).group(1))') || return 0
    cache=$HOME/.ansible/test/cache
    stub=$cache/get_pip_${version//./_}.py
    [[ -e $stub ]] && return 0
    wheel_dir=$cache/pip-wheels
    mkdir -p "$wheel_dir"
    "$python" -m pip download -q --disable-pip-version-check --no-deps \
        --only-binary=:all: -d "$wheel_dir" "pip==$version"
    cat >"$stub.tmp" <<END
# Stand-in for get-pip.py, written by tests/ansible-test.sh.
import glob, sys
wheel_dir = '$wheel_dir'
sys.path.insert(0, glob.glob(wheel_dir + '/pip-$version-*.whl')[0])
from pip._internal.cli.main import main
args = [a for a in sys.argv[1:] if a not in ('--no-setuptools', '--no-wheel')]
sys.exit(main(['install', '--find-links', wheel_dir] + args))
END
    mv "$stub.tmp" "$stub"
}
ensure_pip_bootstrap

rm -rf "$dest"
mkdir -p "$dest"

cd "$root"
files=()
while IFS= read -r -d '' file; do
    case $file in
        .venv/* | .cache/*) continue ;; # in case .gitignore misses them
    esac
    # Tracked files deleted in the work tree are still listed by -c.
    [[ -e $file || -L $file ]] && files+=("$file")
done < <(git ls-files -z -co --exclude-standard)
printf '%s\0' "${files[@]}" | xargs -0 cp --parents -P -t "$dest"

cd "$dest"
# With a .git here ansible-test takes its file list from git; without one it
# would walk the tree itself. A throwaway repo keeps the list identical to the
# copy and ansible-test's git-based change detection working.
git init -q
# ansible-test also lists untracked files, and it writes its own venvs and
# results under tests/output/; those must not become part of what it tests.
echo /tests/output/ >>.git/info/exclude
git add -A
git -c user.name=ansible-test -c user.email=ansible-test@localhost commit -q -m snapshot --no-gpg-sign

exec "$ansible_test" "$command" --venv --python "$python_version" --color no "$@"
