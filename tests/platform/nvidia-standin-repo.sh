#!/usr/bin/env bash
# Builds the NVIDIA STAND-IN package repositories: local, signed, flat APT
# repositories laid out like NVIDIA's CUDA repository for Debian 12 and its
# libnvidia-container repository, holding packages with NVIDIA's real names,
# versions and dependency shapes whose contents are shell-script test doubles
# (tests/images/nvidia-standin, see its README.md). No NVIDIA software, driver
# or GPU is involved. The packages are made with dpkg-deb from generated
# trees, indexed with apt-ftparchive and signed with a throwaway key that is
# made for the run and thrown away after signing.
#
#   tests/platform/nvidia-standin-repo.sh [OUT]   (OUT: .cache/nvidia-standin-repo)
#
# A run whose inputs (the sources folder, this script, `uname -r`) did not
# change and whose tree is complete only says so. The tree is built aside
# and moved into place whole.
set -euo pipefail

here=$(cd "$(dirname "$0")" && pwd)
repo=$(cd "$here/../.." && pwd)
src=$repo/tests/images/nvidia-standin
cache=$repo/.cache
out=${1:-$cache/nvidia-standin-repo}
[[ $out == /* ]] || out=$PWD/$out

# The releases the stand-ins carry the names and versions of.
DRIVER_VERSIONS=(580.95.05 575.57.08)
TOOLKIT_VERSIONS=(1.18.0 1.17.8)
MOKUTIL_VERSION=0.6.0-2~standin1
HEADERS_VERSION=1~standin1
MAINTAINER='llmops.vllm_stack tests <tests@llmops.invalid>'
DESCRIPTION_PREFIX='STAND-IN for llmops.vllm_stack tests: '
KEY_UID='llmops.vllm_stack test stand-in repository <tests@llmops.invalid>'
# Paths under OUT, as under https://developer.download.nvidia.com/ and
# https://nvidia.github.io/.
CUDA_DIR=compute/cuda/repos/debian12/x86_64
TOOLKIT_DIR=libnvidia-container/stable/deb/amd64

kernel_release=$(uname -r)
arch=$(dpkg --print-architecture)
if [[ $arch != amd64 ]]; then
  echo "nvidia-standin-repo: the stand-in repositories mirror NVIDIA's x86_64/amd64 ones; this machine is $arch" >&2
  exit 1
fi
multiarch=x86_64-linux-gnu

inputs_hash=$(
  {
    (cd "$src" && find . -type f ! -name '*.pyc' ! -path '*/__pycache__/*' -print0 | sort -z | xargs -0 sha256sum)
    sha256sum <"$0"
    printf '%s\n' "$kernel_release" | sha256sum
  } | sha256sum | cut -c1-16
)

mkdir -p "$cache"
exec 9>"$cache/nvidia-standin-repo.lock"
flock 9

# Current: same inputs, every file the last build wrote still there unchanged,
# and its signing key valid for at least another day (apt refuses a
# repository signed by an expired key).
tree_is_current() {
  [[ -f $out/.inputs && $(<"$out/.inputs") == "$inputs_hash" ]] || return 1
  [[ -f $out/.manifest && -f $out/.key-expires ]] || return 1
  (cd "$out" && sha256sum --quiet --strict -c .manifest >/dev/null 2>&1) || return 1
  (($(<"$out/.key-expires") > $(date +%s) + 86400))
}

if tree_is_current; then
  echo "nvidia stand-in repository $out is current (inputs $inputs_hash)"
  exit 0
fi

"$here/host-tools.sh" --require platform

umask 022
mkdir -p "$(dirname "$out")"
work=$(mktemp -d "$(dirname "$out")/.nvidia-standin-repo.build.XXXXXX")
# gpg's agent socket lives in GNUPGHOME: keep its path short.
export GNUPGHOME
GNUPGHOME=$(mktemp -d /tmp/nvidia-standin-gnupg.XXXXXX)
cleanup() {
  gpgconf --kill gpg-agent >/dev/null 2>&1 || true
  rm -rf "$GNUPGHOME" "$work"
}
trap cleanup EXIT

new=$work/repo
trees=$work/trees
mkdir -p "$new/$CUDA_DIR" "$new/$TOOLKIT_DIR" "$trees"
chmod 0755 "$new"

# render SRC DEST MODE [KEY=VALUE...]: copies a source file, replacing each
# @KEY@ with VALUE; fails on a placeholder left over.
render() {
  local from=$src/$1 to=$2 mode=$3 pair
  shift 3
  local -a sed_args=()
  for pair in "$@"; do
    sed_args+=(-e "s|@${pair%%=*}@|${pair#*=}|g")
  done
  mkdir -p "$(dirname "$to")"
  if ((${#sed_args[@]})); then sed "${sed_args[@]}" "$from" >"$to"; else cp "$from" "$to"; fi
  if grep -qE '@[A-Z_]+@' "$to"; then
    echo "nvidia-standin-repo: placeholder left in $to (from $from): $(grep -oE '@[A-Z_]+@' "$to" | sort -u | tr '\n' ' ')" >&2
    exit 1
  fi
  chmod "$mode" "$to"
}

# marker FILE TEXT: a plain text file standing in for a real one.
marker() {
  mkdir -p "$(dirname "$1")"
  printf '%s\n' "$2" >"$1"
  chmod 0644 "$1"
}

# new_tree NAME VERSION: a fresh package tree in $tree.
new_tree() {
  tree=$trees/$1_$2
  mkdir -p "$tree/DEBIAN"
}

# deb REPO_DIR NAME VERSION ARCH SUMMARY [FIELD: VALUE...]: writes
# DEBIAN/control for $tree and builds the package into REPO_DIR.
deb() {
  local dir=$1 name=$2 version=$3 package_arch=$4 summary=$5 field size
  shift 5
  size=$(du -sk --exclude=DEBIAN "$tree" | cut -f1)
  {
    printf 'Package: %s\nVersion: %s\nArchitecture: %s\nMaintainer: %s\n' "$name" "$version" "$package_arch" "$MAINTAINER"
    printf 'Installed-Size: %s\nSection: misc\nPriority: optional\n' "$size"
    for field in "$@"; do printf '%s\n' "$field"; done
    printf 'Description: %s%s\n' "$DESCRIPTION_PREFIX" "$summary"
    printf ' Not NVIDIA software: a test double built by tests/platform/nvidia-standin-repo.sh\n'
    printf ' of the llmops.vllm_stack collection. Same name, version and dependencies\n'
    printf ' as the real package; its files are shell scripts and text markers.\n'
  } >"$tree/DEBIAN/control"
  dpkg-deb --root-owner-group --build "$tree" "$new/$dir/${name}_${version}_${package_arch}.deb" >/dev/null
}

# ---- CUDA repository: driver packages per driver version -----------------
for V in "${DRIVER_VERSIONS[@]}"; do
  B=${V%%.*}
  D=$V-1

  for flavour in open proprietary; do
    if [[ $flavour == open ]]; then name=nvidia-kernel-open-dkms other=nvidia-kernel-dkms; else name=nvidia-kernel-dkms other=nvidia-kernel-open-dkms; fi
    new_tree "$name" "$D"
    marker "$tree/usr/src/nvidia-$V/README" \
      "STAND-IN for llmops.vllm_stack tests: marks the $flavour NVIDIA kernel module sources $V of $name (no sources here)."
    render driver/kernel-module.postinst "$tree/DEBIAN/postinst" 0755 "PACKAGE=$name" "VERSION=$V" "FLAVOUR=$flavour"
    render driver/kernel-module.postrm "$tree/DEBIAN/postrm" 0755 "PACKAGE=$name" "VERSION=$V" "FLAVOUR=$flavour"
    deb "$CUDA_DIR" "$name" "$D" "$arch" "NVIDIA $flavour kernel module $V (DKMS)" \
      "Depends: linux-headers-$kernel_release" "Conflicts: $other"
  done

  new_tree nvidia-driver-cuda "$D"
  render driver/nvidia-smi "$tree/usr/bin/nvidia-smi" 0755 "VERSION=$V"
  render driver/nvidia-standin-load-module "$tree/usr/sbin/nvidia-standin-load-module" 0755
  deb "$CUDA_DIR" nvidia-driver-cuda "$D" "$arch" "NVIDIA driver $V CUDA userspace (nvidia-smi)" \
    "Depends: nvidia-kernel-open-dkms (= $D) | nvidia-kernel-dkms (= $D), nvidia-persistenced (= $D)"

  new_tree nvidia-persistenced "$D"
  render driver/nvidia-persistenced "$tree/usr/bin/nvidia-persistenced" 0755 "VERSION=$V"
  render driver/nvidia-persistenced.service "$tree/lib/systemd/system/nvidia-persistenced.service" 0644 "VERSION=$V"
  deb "$CUDA_DIR" nvidia-persistenced "$D" "$arch" "NVIDIA persistence daemon $V"

  new_tree nvidia-open "$D"
  deb "$CUDA_DIR" nvidia-open "$D" "$arch" "NVIDIA driver $V with the open kernel module (metapackage)" \
    "Depends: nvidia-driver-cuda (= $D), nvidia-kernel-open-dkms (= $D)"

  new_tree cuda-drivers "$D"
  deb "$CUDA_DIR" cuda-drivers "$D" "$arch" "NVIDIA driver $V with the proprietary kernel module (metapackage)" \
    "Depends: nvidia-driver-cuda (= $D), nvidia-kernel-dkms (= $D)"

  new_tree "nvidia-driver-pinning-$B" "$D"
  render driver/nvidia-driver-pinning.pref "$tree/etc/apt/preferences.d/nvidia-driver-pinning-$B" 0644 "BRANCH=$B"
  deb "$CUDA_DIR" "nvidia-driver-pinning-$B" "$D" all "pins the NVIDIA driver packages to branch $B"

  new_tree nvidia-fabricmanager "$D"
  render driver/nv-fabricmanager "$tree/usr/bin/nv-fabricmanager" 0755 "VERSION=$V"
  render driver/nvidia-fabricmanager.service "$tree/lib/systemd/system/nvidia-fabricmanager.service" 0644 "VERSION=$V"
  render driver/fabricmanager.cfg "$tree/usr/share/nvidia/nvswitch/fabricmanager.cfg" 0644 "VERSION=$V"
  deb "$CUDA_DIR" nvidia-fabricmanager "$D" "$arch" "NVIDIA fabric manager $V"
done

new_tree "linux-headers-$kernel_release" "$HEADERS_VERSION"
marker "$tree/usr/src/linux-headers-$kernel_release/README" \
  "STAND-IN for llmops.vllm_stack tests: stands in for Debian's kernel headers of $kernel_release (no headers here)."
deb "$CUDA_DIR" "linux-headers-$kernel_release" "$HEADERS_VERSION" "$arch" "Linux kernel headers for $kernel_release"

new_tree mokutil "$MOKUTIL_VERSION"
render driver/mokutil "$tree/usr/bin/mokutil" 0755
deb "$CUDA_DIR" mokutil "$MOKUTIL_VERSION" "$arch" "tool to query Secure Boot and enrolled machine owner keys"

# ---- libnvidia-container repository: toolkit packages per version --------
for T in "${TOOLKIT_VERSIONS[@]}"; do
  D=$T-1

  new_tree libnvidia-container1 "$D"
  marker "$tree/usr/lib/$multiarch/libnvidia-container.so.$T" \
    "STAND-IN for llmops.vllm_stack tests: marks libnvidia-container $T (not a library)."
  deb "$TOOLKIT_DIR" libnvidia-container1 "$D" "$arch" "NVIDIA container runtime library $T"

  new_tree libnvidia-container-tools "$D"
  render toolkit/nvidia-container-cli "$tree/usr/bin/nvidia-container-cli" 0755 "VERSION=$T"
  deb "$TOOLKIT_DIR" libnvidia-container-tools "$D" "$arch" "NVIDIA container runtime library $T (command-line tools)" \
    "Depends: libnvidia-container1 (= $D)"

  new_tree nvidia-container-toolkit-base "$D"
  render toolkit/nvidia-ctk "$tree/usr/bin/nvidia-ctk" 0755 "VERSION=$T"
  render toolkit/nvidia-container-runtime "$tree/usr/bin/nvidia-container-runtime" 0755 "VERSION=$T"
  if dpkg --compare-versions "$T" ge 1.18; then
    render toolkit/nvidia-cdi-refresh.service "$tree/lib/systemd/system/nvidia-cdi-refresh.service" 0644 "VERSION=$T"
    render toolkit/nvidia-cdi-refresh.path "$tree/lib/systemd/system/nvidia-cdi-refresh.path" 0644 "VERSION=$T"
  fi
  deb "$TOOLKIT_DIR" nvidia-container-toolkit-base "$D" "$arch" "NVIDIA Container Toolkit $T base (nvidia-ctk, runtime)"

  new_tree nvidia-container-toolkit "$D"
  render toolkit/nvidia-container-runtime-hook "$tree/usr/bin/nvidia-container-runtime-hook" 0755 "VERSION=$T"
  deb "$TOOLKIT_DIR" nvidia-container-toolkit "$D" "$arch" "NVIDIA Container Toolkit $T" \
    "Depends: nvidia-container-toolkit-base (= $D), libnvidia-container-tools (= $D)"
done

# ---- the throwaway key, the indexes and their signatures ------------------
gpg --batch --quiet --passphrase '' --quick-gen-key "$KEY_UID" ed25519 sign 2d 2>/dev/null
fingerprint=$(gpg --batch --quiet --no-auto-check-trustdb --with-colons --list-secret-keys | awk -F: '$1 == "fpr" {print $10; exit}')
key_expires=$(gpg --batch --quiet --no-auto-check-trustdb --with-colons --list-keys "$fingerprint" | awk -F: '$1 == "pub" {print $7; exit}')
gpg --batch --armor --export "$fingerprint" >"$work/key.asc"

# index_and_sign DIR LABEL: Packages, Packages.gz, Release, InRelease, Release.gpg.
index_and_sign() {
  local dir=$new/$1 label=$2
  (cd "$dir" && apt-ftparchive packages . >"$work/Packages")
  mv "$work/Packages" "$dir/Packages"
  gzip -9n -c "$dir/Packages" >"$dir/Packages.gz"
  (cd "$dir" && apt-ftparchive \
    -o APT::FTPArchive::Release::Origin="NVIDIA stand-in" \
    -o APT::FTPArchive::Release::Label="$label" \
    -o APT::FTPArchive::Release::Architectures="$arch" \
    -o APT::FTPArchive::Release::Description="${DESCRIPTION_PREFIX}not NVIDIA's repository" \
    release . >"$work/Release")
  mv "$work/Release" "$dir/Release"
  gpg --batch --yes --local-user "$fingerprint" --clearsign -o "$dir/InRelease" "$dir/Release"
  gpg --batch --yes --local-user "$fingerprint" -abs -o "$dir/Release.gpg" "$dir/Release"
}
index_and_sign "$CUDA_DIR" "NVIDIA CUDA stand-in"
index_and_sign "$TOOLKIT_DIR" "libnvidia-container stand-in"

# The public key where NVIDIA publishes its real ones.
install -m 0644 "$work/key.asc" "$new/$CUDA_DIR/3bf863cc.pub"
install -m 0644 "$work/key.asc" "$new/libnvidia-container/gpgkey"
# The private key goes with GNUPGHOME now, not at exit.
gpgconf --kill gpg-agent >/dev/null 2>&1 || true
rm -rf "$GNUPGHOME"

cat >"$new/README.txt" <<EOF
STAND-IN for llmops.vllm_stack tests: this is NOT an NVIDIA repository.

Two flat APT repositories (Suites: /) laid out like NVIDIA's, holding
packages with NVIDIA's real names, versions and dependencies whose contents
are shell-script test doubles. No NVIDIA software, driver or GPU is here.
Built by tests/platform/nvidia-standin-repo.sh from tests/images/nvidia-standin
(inputs $inputs_hash); see tests/images/nvidia-standin/README.md.

  $CUDA_DIR/   like https://developer.download.nvidia.com/$CUDA_DIR/
      key: $CUDA_DIR/3bf863cc.pub
  $TOOLKIT_DIR/   like https://nvidia.github.io/$TOOLKIT_DIR/
      key: libnvidia-container/gpgkey

Both are signed by one throwaway ed25519 key ("$KEY_UID",
fingerprint $fingerprint), made for this build and deleted after signing;
it expires $(date -u -d "@$key_expires" '+%Y-%m-%d %H:%M UTC').
EOF

printf '%s\n' "$key_expires" >"$new/.key-expires"
printf '%s\n' "$inputs_hash" >"$new/.inputs"
(cd "$new" && find . -type f -printf '%P\0' | sort -z | xargs -0 sha256sum) >"$work/manifest"
mv "$work/manifest" "$new/.manifest"

# Into place: the old tree aside, the new one in, the old one deleted.
if [[ -e $out ]]; then
  mv "$out" "$work/old"
fi
mv "$new" "$out"
rm -rf "$work/old"
echo "built nvidia stand-in repository $out (inputs $inputs_hash)"
