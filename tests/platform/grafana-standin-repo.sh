#!/usr/bin/env bash
# Builds the Grafana STAND-IN package repository: a local, signed APT
# repository laid out like https://apt.grafana.com (suite stable, component
# main, the key at gpg.key), holding a package named grafana, with Grafana's
# versions, dependencies and file layout, whose program is a python3 test
# double (tests/images/grafana-standin, see its README.md). No Grafana
# software is involved. The packages are made with dpkg-deb from generated
# trees, indexed with apt-ftparchive and signed with a throwaway key that is
# made for the run and thrown away after signing (tests/platform/standin-repo-lib.sh).
#
#   tests/platform/grafana-standin-repo.sh [OUT]   (OUT: .cache/grafana-standin-repo)
#
# A run whose inputs (the sources folder, this script, the library) did not
# change and whose tree is complete only says so. The tree is built aside
# and moved into place whole.
set -euo pipefail

here=$(cd "$(dirname "$0")" && pwd)
repo=$(cd "$here/../.." && pwd)
src=$repo/tests/images/grafana-standin
cache=$repo/.cache
out=${1:-$cache/grafana-standin-repo}
[[ $out == /* ]] || out=$PWD/$out

# The releases the stand-in carries the names and versions of.
GRAFANA_VERSIONS=(12.3.0 12.2.1)
# The real package's Depends (all in Debian 12), then what the stand-in
# program needs (stand-in only).
DEPENDS='adduser, libfontconfig1, musl, python3, python3-yaml'
MAINTAINER='llmops.vllm_stack tests <tests@llmops.invalid>'
DESCRIPTION_PREFIX='STAND-IN for llmops.vllm_stack tests: '
KEY_UID='llmops.vllm_stack test stand-in repository <tests@llmops.invalid>'
# Paths under OUT, as under https://apt.grafana.com/.
SUITE=stable
COMPONENT=main
POOL_DIR=pool/main/g/grafana

arch=$(dpkg --print-architecture)
if [[ $arch != amd64 ]]; then
  echo "grafana-standin-repo: the stand-in repository mirrors apt.grafana.com's amd64 packages; this machine is $arch" >&2
  exit 1
fi

STANDIN_NAME=grafana-standin-repo
STANDIN_WHAT='grafana stand-in repository'
# shellcheck disable=SC2034 # read by deb() in the library
STANDIN_DESCRIPTION_BODY=' Not Grafana: a test double built by tests/platform/grafana-standin-repo.sh
 of the llmops.vllm_stack collection. Same name, version, dependencies, unit,
 configuration files and maintainer scripts as the real package; its program
 is a python3 stand-in serving a small part of the Grafana HTTP API.
'
# shellcheck source=tests/platform/standin-repo-lib.sh
. "$here/standin-repo-lib.sh"

standin_repo_begin "$0"

# ---- the grafana package per version --------------------------------------
for V in "${GRAFANA_VERSIONS[@]}"; do
  new_tree grafana "$V"
  mkdir -p "$tree/usr/share/grafana/bin"
  {
    printf '#!/usr/bin/python3\n'
    sed "s|@VERSION@|$V|g" "$src/grafana_standin.py"
  } >"$tree/usr/share/grafana/bin/grafana"
  chmod 0755 "$tree/usr/share/grafana/bin/grafana"
  render package/grafana-server "$tree/usr/sbin/grafana-server" 0755
  render package/grafana-cli "$tree/usr/sbin/grafana-cli" 0755
  render package/grafana.ini "$tree/etc/grafana/grafana.ini" 0640
  render package/grafana-server.default "$tree/etc/default/grafana-server" 0644
  render package/grafana-server.service "$tree/lib/systemd/system/grafana-server.service" 0644 "VERSION=$V"
  for d in datasources dashboards plugins alerting; do
    install -d -m 0755 "$tree/etc/grafana/provisioning/$d"
  done
  marker "$tree/usr/share/grafana/README.STAND-IN" \
    "STAND-IN for llmops.vllm_stack tests: stands in for Grafana $V (bin/grafana is a python3 test double; no web UI, no plugins)."
  render package/postinst "$tree/DEBIAN/postinst" 0755
  printf '%s\n' /etc/default/grafana-server /etc/grafana/grafana.ini >"$tree/DEBIAN/conffiles"
  deb "$POOL_DIR" grafana "$V" "$arch" "Grafana $V (feature rich metrics dashboard and graph editor)" \
    "Depends: $DEPENDS" "Homepage: https://grafana.com"
done

# ---- the throwaway key, the indexes and their signatures ------------------
standin_make_key
dist=dists/$SUITE
binary=$dist/$COMPONENT/binary-$arch
standin_packages . pool "$binary"
standin_release "$dist" \
  -o APT::FTPArchive::Release::Origin="Grafana stand-in" \
  -o APT::FTPArchive::Release::Label="Grafana stand-in" \
  -o APT::FTPArchive::Release::Suite="$SUITE" \
  -o APT::FTPArchive::Release::Codename="$SUITE" \
  -o APT::FTPArchive::Release::Components="$COMPONENT" \
  -o APT::FTPArchive::Release::Architectures="$arch" \
  -o APT::FTPArchive::Release::Description="${DESCRIPTION_PREFIX}not Grafana's repository"
standin_sign "$dist"

# The public key where Grafana publishes its real one.
install -m 0644 "$work/key.asc" "$new/gpg.key"
standin_drop_key

cat >"$new/README.txt" <<EOF
STAND-IN for llmops.vllm_stack tests: this is NOT Grafana's repository.

An APT repository laid out like https://apt.grafana.com (suite $SUITE,
component $COMPONENT), holding a package named grafana with Grafana's
versions (${GRAFANA_VERSIONS[*]}), dependencies and file layout whose
program is a python3 test double. No Grafana software is here.
Built by tests/platform/grafana-standin-repo.sh from tests/images/grafana-standin
(inputs $inputs_hash); see tests/images/grafana-standin/README.md.

  deb [signed-by=/etc/apt/keyrings/grafana.asc] URL $SUITE $COMPONENT
      key: gpg.key

Signed by a throwaway ed25519 key ("$KEY_UID",
fingerprint $fingerprint), made for this build and deleted after signing;
it expires $(date -u -d "@$key_expires" '+%Y-%m-%d %H:%M UTC').
EOF

standin_repo_finish
