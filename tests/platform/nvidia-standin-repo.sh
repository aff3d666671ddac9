#!/usr/bin/env bash
# Builds the NVIDIA STAND-IN package repositories: local, signed, flat APT
# repositories laid out like NVIDIA's CUDA repository for Debian 12 and its
# libnvidia-container repository, holding packages with NVIDIA's real names,
# versions and dependency shapes whose contents are shell-script test doubles
# (tests/images/nvidia-standin, see its README.md). No NVIDIA software, driver
# or GPU is involved. The packages are made with dpkg-deb from generated
# trees, indexed with apt-ftparchive and signed with a throwaway key that is
# made for the run and thrown away after signing (tests/platform/standin-repo-lib.sh).
#
#   tests/platform/nvidia-standin-repo.sh [OUT]   (OUT: .cache/nvidia-standin-repo)
#
# A run whose inputs (the sources folder, this script, the library, `uname -r`) did not
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

STANDIN_NAME=nvidia-standin-repo
STANDIN_WHAT='nvidia stand-in repository'
STANDIN_DESCRIPTION_BODY=' Not NVIDIA software: a test double built by tests/platform/nvidia-standin-repo.sh
 of the llmops.vllm_stack collection. Same name, version and dependencies
 as the real package; its files are shell scripts and text markers.
'
# shellcheck source=tests/platform/standin-repo-lib.sh
. "$here/standin-repo-lib.sh"

# Skips the build when the sources folder, this script, the library and
# `uname -r` are unchanged and the tree is complete.
standin_repo_begin "$0" "$kernel_release"
mkdir -p "$new/$CUDA_DIR" "$new/$TOOLKIT_DIR"

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
standin_make_key
standin_flat_index_and_sign "$CUDA_DIR" "NVIDIA stand-in" "NVIDIA CUDA stand-in" "${DESCRIPTION_PREFIX}not NVIDIA's repository"
standin_flat_index_and_sign "$TOOLKIT_DIR" "NVIDIA stand-in" "libnvidia-container stand-in" "${DESCRIPTION_PREFIX}not NVIDIA's repository"

# The public key where NVIDIA publishes its real ones.
install -m 0644 "$work/key.asc" "$new/$CUDA_DIR/3bf863cc.pub"
install -m 0644 "$work/key.asc" "$new/libnvidia-container/gpgkey"
standin_drop_key

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

standin_repo_finish
