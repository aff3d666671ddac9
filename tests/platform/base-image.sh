#!/usr/bin/env bash
# Builds the Debian 12 systemd image every molecule scenario and the demo run on.
# No registry is reachable on the build machines, so the image is made from
# debootstrap and imported locally. It is rebuilt only when missing or when this
# script (its only input besides the Debian archive) changes.
set -euo pipefail

IMAGE=${VLLM_STACK_BASE_IMAGE:-llmops-vllm-stack/debian12-systemd:latest}
MIRROR=${DEBIAN_MIRROR:-http://deb.debian.org/debian}
SECURITY_MIRROR=${DEBIAN_SECURITY_MIRROR:-http://deb.debian.org/debian-security}
# Enough for Ansible (python3, apt bindings), systemd as PID 1, and the checks
# the verify steps run (ss, ps, curl).
PACKAGES=systemd,systemd-sysv,dbus,python3,python3-apt,ca-certificates,curl,iproute2,procps,gnupg

inputs_hash=$(sha256sum <"$0" | cut -c1-16)
if [[ $(docker image inspect -f '{{ index .Config.Labels "org.llmops.inputs" }}' "$IMAGE" 2>/dev/null) == "$inputs_hash" ]]; then
  echo "base image $IMAGE is current"
  exit 0
fi

"$(dirname "$0")/host-tools.sh" --require platform
workdir=$(mktemp -d /var/tmp/vllm-stack-rootfs.XXXXXX)
trap 'rm -rf "$workdir"' EXIT
rootfs=$workdir/rootfs

echo "debootstrap bookworm into $rootfs (a few minutes)"
debootstrap --variant=minbase --include="$PACKAGES" bookworm "$rootfs" "$MIRROR" >"$workdir/debootstrap.log" 2>&1 \
  || { tail -30 "$workdir/debootstrap.log"; exit 1; }

cat >"$rootfs/etc/apt/sources.list" <<EOF
deb $MIRROR bookworm main
deb $MIRROR bookworm-updates main
deb $SECURITY_MIRROR bookworm-security main
EOF
# Keep images small and installs quiet, the way a provisioned server is.
cat >"$rootfs/etc/apt/apt.conf.d/90vllm-stack" <<'EOF'
APT::Install-Recommends "false";
APT::Install-Suggests "false";
EOF
# Units that make no sense in a container and slow down or break boot.
for unit in systemd-udevd.service systemd-udevd-control.socket systemd-udevd-kernel.socket \
            systemd-modules-load.service sys-kernel-config.mount getty.target \
            systemd-remount-fs.service systemd-firstboot.service; do
  ln -sf /dev/null "$rootfs/etc/systemd/system/$unit"
done
: >"$rootfs/etc/machine-id"
# Fresh package lists for the sources above, so roles' apt cache_valid_time
# sees lists that match them.
cp /etc/resolv.conf "$rootfs/etc/resolv.conf"
chroot "$rootfs" apt-get update -qq
rm -f "$rootfs/etc/resolv.conf"
rm -rf "$rootfs"/var/cache/apt/archives/*.deb

base_tag="${IMAGE%:*}:rootfs"
tar -C "$rootfs" -c . | docker import - "$base_tag" >/dev/null
# docker import cannot set STOPSIGNAL, so a one-line build adds what systemd needs.
docker build -q -t "$IMAGE" --label "org.llmops.inputs=$inputs_hash" - >"$workdir/build.log" 2>&1 <<EOF || { cat "$workdir/build.log"; exit 1; }
FROM $base_tag
ENV container=docker
STOPSIGNAL SIGRTMIN+3
CMD ["/sbin/init"]
EOF
docker rmi "$base_tag" >/dev/null
echo "built $IMAGE"
