#!/usr/bin/env bash
# Builds the dcgm-exporter STAND-IN image (tests/images/dcgm-exporter-standin,
# a test double: no DCGM, no GPU) that the dcgm_exporter scenario runs in
# place of nvcr.io/nvidia/k8s/dcgm-exporter, and saves it as an archive the
# scenario loads through the role's archive variable, as an air-gapped host
# would. No registry is used. A run whose inputs (the image folder, this
# script, the base image's script) did not change only says so.
set -euo pipefail

here=$(cd "$(dirname "$0")" && pwd)
repo=$(cd "$here/../.." && pwd)
src=$repo/tests/images/dcgm-exporter-standin
cache=$repo/.cache
archives=$cache/images
archive_link=$archives/dcgm-exporter-standin.tar

IMAGE_REPO=${VLLM_STACK_DCGM_STANDIN_IMAGE_REPO:-llmops-vllm-stack/dcgm-exporter-standin}
BASE_IMAGE=${VLLM_STACK_BASE_IMAGE:-llmops-vllm-stack/debian12-systemd:latest}
# The dcgm-exporter release whose counters and labels the stand-in mimics
# (see tests/images/dcgm-exporter-standin/README.md).
MIMICS=4.5.3-4.8.2
image=$IMAGE_REPO:$MIMICS

inputs_hash=$(
  {
    (cd "$src" && find . -type f ! -name '*.pyc' ! -path '*/__pycache__/*' -print0 | sort -z | xargs -0 sha256sum)
    sha256sum <"$0"
    sha256sum <"$here/base-image.sh"
  } | sha256sum | cut -c1-16
)
archive=$archives/dcgm-exporter-standin-$inputs_hash.tar

mkdir -p "$cache"
exec 9>"$cache/dcgm-standin-image.lock"
flock 9

image_is_current() {
  [[ $(docker image inspect -f '{{ index .Config.Labels "org.llmops.inputs" }}' "$image" 2>/dev/null) == "$inputs_hash" ]]
}

if image_is_current && [[ -f $archive && $(readlink "$archive_link" 2>/dev/null) == "${archive##*/}" ]]; then
  echo "dcgm-exporter stand-in image $image is current (inputs $inputs_hash, archive $archive_link)"
  exit 0
fi

if ! image_is_current && [[ -f $archive ]]; then
  echo "loading $image from $archive"
  docker load -q -i "$archive" >/dev/null
fi

if ! image_is_current; then
  started=$SECONDS
  "$here/base-image.sh"
  mkdir -p "$cache/logs"
  log=$cache/logs/dcgm-standin-image-build.log
  context=$(mktemp -d /var/tmp/dcgm-standin-context.XXXXXX)
  trap 'rm -rf "$context"' EXIT
  cp -a "$src/." "$context/"
  rm -rf "$context/__pycache__"
  echo "building $image (inputs $inputs_hash; log in $log)"
  docker build --build-arg "BASE_IMAGE=$BASE_IMAGE" --label "org.llmops.inputs=$inputs_hash" \
    -t "$image" "$context" >"$log" 2>&1 \
    || { tail -30 "$log" >&2; exit 1; }
  docker image ls --format '{{.Repository}}:{{.Tag}}' "$IMAGE_REPO" \
    | grep -Fxv -e "$image" | xargs -r docker rmi >/dev/null || true
  echo "built $image in $((SECONDS - started)) s"
fi

mkdir -p "$archives"
if [[ ! -f $archive ]]; then
  docker save -o "$archive.partial" "$image"
  chmod 0644 "$archive.partial"
  mv "$archive.partial" "$archive"
  echo "saved $archive ($(du -m "$archive" | cut -f1) MiB)"
fi
find "$archives" -maxdepth 1 -name 'dcgm-exporter-standin-*.tar*' ! -name "${archive##*/}" -delete
ln -sfn "${archive##*/}" "$archive_link"
echo "dcgm-exporter stand-in image $image is ready: docker load -i $archive_link"
