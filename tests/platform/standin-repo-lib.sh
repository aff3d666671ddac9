# shellcheck shell=bash
# The caller sets src, out, arch and the settings below before sourcing.
# shellcheck disable=SC2154
# Shared code of the STAND-IN package repository builders
# (tests/platform/nvidia-standin-repo.sh, tests/platform/grafana-standin-repo.sh):
# inputs hash and skip-when-unchanged, the lock, the build folder beside OUT,
# package trees built with dpkg-deb, apt-ftparchive indexes, a throwaway
# signing key made for the run (InRelease and Release.gpg) and the atomic move
# into place. Sourced, not run; the caller sets, before standin_repo_begin:
#
#   STANDIN_NAME         short name: lock, build folder and messages (nvidia-standin-repo)
#   STANDIN_WHAT         what the tree is, for messages (nvidia stand-in repository)
#   src                  the sources folder (hashed; render reads from it)
#   out                  the absolute output folder
#   MAINTAINER, DESCRIPTION_PREFIX, KEY_UID
#   STANDIN_DESCRIPTION_BODY  the lines after a package's summary (each with
#                        its leading space, newline-terminated)
#
# and calls, in order: standin_repo_begin SCRIPT [EXTRA_INPUT...] (exits 0
# when the tree is current), new_tree/render/marker/deb per package,
# standin_make_key, standin_flat_index_and_sign or standin_sign per index,
# standin_drop_key, writes its README, then standin_repo_finish.

lib_dir=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
lib_file=$lib_dir/$(basename "${BASH_SOURCE[0]}")
cache=${cache:-$(cd "$lib_dir/../.." && pwd)/.cache}

# standin_repo_begin SCRIPT [EXTRA_INPUT...]: inputs_hash over the sources
# folder, SCRIPT, this library and the extra strings; takes the lock; exits
# when the tree is current; else makes $work (beside OUT), $new (the tree
# being built), $trees and a short-lived GNUPGHOME, all removed at exit.
standin_repo_begin() {
  local script=$1
  shift
  inputs_hash=$(
    {
      (cd "$src" && find . -type f ! -name '*.pyc' ! -path '*/__pycache__/*' -print0 | sort -z | xargs -0 sha256sum)
      sha256sum <"$script"
      sha256sum <"$lib_file"
      if (($#)); then printf '%s\n' "$@" | sha256sum; fi
    } | sha256sum | cut -c1-16
  )

  mkdir -p "$cache"
  exec 9>"$cache/$STANDIN_NAME.lock"
  flock 9

  if standin_tree_is_current; then
    echo "$STANDIN_WHAT $out is current (inputs $inputs_hash)"
    exit 0
  fi

  "$lib_dir/host-tools.sh" --require platform

  umask 022
  mkdir -p "$(dirname "$out")"
  work=$(mktemp -d "$(dirname "$out")/.$STANDIN_NAME.build.XXXXXX")
  # gpg's agent socket lives in GNUPGHOME: keep its path short.
  export GNUPGHOME
  GNUPGHOME=$(mktemp -d "/tmp/${STANDIN_NAME%-repo}-gnupg.XXXXXX")
  trap standin_cleanup EXIT

  new=$work/repo
  trees=$work/trees
  mkdir -p "$new" "$trees"
  chmod 0755 "$new"
}

standin_cleanup() {
  gpgconf --kill gpg-agent >/dev/null 2>&1 || true
  rm -rf "$GNUPGHOME" "$work"
}

# Current: same inputs, every file the last build wrote still there unchanged,
# and its signing key valid for at least another day (apt refuses a
# repository signed by an expired key).
standin_tree_is_current() {
  [[ -f $out/.inputs && $(<"$out/.inputs") == "$inputs_hash" ]] || return 1
  [[ -f $out/.manifest && -f $out/.key-expires ]] || return 1
  (cd "$out" && sha256sum --quiet --strict -c .manifest >/dev/null 2>&1) || return 1
  (($(<"$out/.key-expires") > $(date +%s) + 86400))
}

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
    echo "$STANDIN_NAME: placeholder left in $to (from $from): $(grep -oE '@[A-Z_]+@' "$to" | sort -u | tr '\n' ' ')" >&2
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
# DEBIAN/control for $tree and builds the package into $new/REPO_DIR.
deb() {
  local dir=$1 name=$2 version=$3 package_arch=$4 summary=$5 field size
  shift 5
  size=$(du -sk --exclude=DEBIAN "$tree" | cut -f1)
  {
    printf 'Package: %s\nVersion: %s\nArchitecture: %s\nMaintainer: %s\n' "$name" "$version" "$package_arch" "$MAINTAINER"
    printf 'Installed-Size: %s\nSection: misc\nPriority: optional\n' "$size"
    for field in "$@"; do printf '%s\n' "$field"; done
    printf 'Description: %s%s\n' "$DESCRIPTION_PREFIX" "$summary"
    printf '%s' "$STANDIN_DESCRIPTION_BODY"
  } >"$tree/DEBIAN/control"
  mkdir -p "$new/$dir"
  dpkg-deb --root-owner-group --build "$tree" "$new/$dir/${name}_${version}_${package_arch}.deb" >/dev/null
}

# standin_make_key: the throwaway ed25519 signing key (2 days) in GNUPGHOME;
# sets fingerprint and key_expires, writes the armored public key to
# $work/key.asc.
standin_make_key() {
  gpg --batch --quiet --passphrase '' --quick-gen-key "$KEY_UID" ed25519 sign 2d 2>/dev/null
  fingerprint=$(gpg --batch --quiet --no-auto-check-trustdb --with-colons --list-secret-keys | awk -F: '$1 == "fpr" {print $10; exit}')
  key_expires=$(gpg --batch --quiet --no-auto-check-trustdb --with-colons --list-keys "$fingerprint" | awk -F: '$1 == "pub" {print $7; exit}')
  gpg --batch --armor --export "$fingerprint" >"$work/key.asc"
}

# standin_sign DIR: InRelease and Release.gpg for $new/DIR/Release.
standin_sign() {
  local dir=$new/$1
  gpg --batch --yes --local-user "$fingerprint" --clearsign -o "$dir/InRelease" "$dir/Release"
  gpg --batch --yes --local-user "$fingerprint" -abs -o "$dir/Release.gpg" "$dir/Release"
}

# standin_release DIR [apt-ftparchive -o OPTION...]: $new/DIR/Release over
# the files under DIR.
standin_release() {
  local dir=$new/$1
  shift
  (cd "$dir" && apt-ftparchive "$@" release . >"$work/Release")
  mv "$work/Release" "$dir/Release"
}

# Packages and Packages.gz in OUT (under the new tree) for the .debs found
# under SCAN, a path relative to ROOT (under the new tree), the paths in the
# index relative to ROOT: a flat repository indexes itself (ROOT = OUT,
# SCAN = .), a suite indexes pool/ from the top into dists/.../binary-ARCH.
standin_packages() {
  local root=$new/$1 scan=$2 out=$new/$3
  mkdir -p "$out"
  (cd "$root" && apt-ftparchive packages "$scan" >"$work/Packages")
  mv "$work/Packages" "$out/Packages"
  gzip -9n -c "$out/Packages" >"$out/Packages.gz"
}

# standin_flat_index_and_sign DIR ORIGIN LABEL DESCRIPTION: a flat
# repository (Suites: /) in $new/DIR: Packages, Packages.gz, Release,
# InRelease, Release.gpg.
standin_flat_index_and_sign() {
  standin_packages "$1" . "$1"
  standin_release "$1" \
    -o APT::FTPArchive::Release::Origin="$2" \
    -o APT::FTPArchive::Release::Label="$3" \
    -o APT::FTPArchive::Release::Architectures="$arch" \
    -o APT::FTPArchive::Release::Description="$4"
  standin_sign "$1"
}

# standin_drop_key: the private key goes with GNUPGHOME now, not at exit.
standin_drop_key() {
  gpgconf --kill gpg-agent >/dev/null 2>&1 || true
  rm -rf "$GNUPGHOME"
}

# standin_repo_finish: .key-expires, .inputs, .manifest; the old tree
# aside, the new one in, the old one deleted.
standin_repo_finish() {
  printf '%s\n' "$key_expires" >"$new/.key-expires"
  printf '%s\n' "$inputs_hash" >"$new/.inputs"
  (cd "$new" && find . -type f -printf '%P\0' | sort -z | xargs -0 sha256sum) >"$work/manifest"
  mv "$work/manifest" "$new/.manifest"

  if [[ -e $out ]]; then
    mv "$out" "$work/old"
  fi
  mv "$new" "$out"
  rm -rf "$work/old"
  echo "built $STANDIN_WHAT $out (inputs $inputs_hash)"
}
