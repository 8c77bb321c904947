#!/usr/bin/env bash
# Makes (once) and prints the path of an old-userland Debian root, used as a
# compiler sysroot for the Linux prebuilds and as a chroot to test them in.
#   scripts/prebuild-root.sh <suite> <amd64|arm64>
# Roots live outside the clone, in ${POOLMEM_ROOTS:-$XDG_CACHE_HOME/poolmem-sysroots}
# (default ~/.cache/poolmem-sysroots), and are reused when complete. An amd64
# root is a full minbase chroot; a foreign-arch root is only unpacked (no qemu
# needed), which is all a sysroot needs. Needs root and Debian's debootstrap.
set -euo pipefail
suite=${1:?usage: prebuild-root.sh <suite> <amd64|arm64>}
arch=${2:?usage: prebuild-root.sh <suite> <amd64|arm64>}
cache=${POOLMEM_ROOTS:-${XDG_CACHE_HOME:-$HOME/.cache}/poolmem-sysroots}
root="$cache/$suite-$arch"
mirror=${POOLMEM_DEBIAN_MIRROR:-http://deb.debian.org/debian}
# The packages a sysroot needs on top of minbase: C headers and crt files.
dev_packages=(libc6-dev linux-libc-dev)

if [ -f "$root/.poolmem-ready" ]; then
  echo "$root"
  exit 0
fi

if ! command -v debootstrap >/dev/null; then
  echo "prebuild-root: installing debootstrap" >&2
  export DEBIAN_FRONTEND=noninteractive
  apt-get update -qq >&2
  apt-get install -y -qq --no-install-recommends debootstrap >&2
fi

mkdir -p "$cache"
work="$root.partial"
rm -rf "$work"
include=$(IFS=,; echo "${dev_packages[*]}")
host_arch=$(dpkg --print-architecture)
echo "prebuild-root: debootstrap $suite $arch into $root (a few minutes, once)" >&2
if [ "$arch" = "$host_arch" ]; then
  debootstrap --variant=minbase --arch="$arch" --include="$include" "$suite" "$work" "$mirror" >&2
else
  # First stage only: downloads and unpacks the required set; packages given
  # with --include are downloaded but not unpacked, so unpack them by hand
  # (keeping the merged-/usr symlinks /lib -> usr/lib as they are).
  debootstrap --variant=minbase --foreign --arch="$arch" --include="$include" "$suite" "$work" "$mirror" >&2
  for p in "${dev_packages[@]}"; do
    for deb in "$work"/var/cache/apt/archives/"${p}"_*.deb; do
      [ -e "$deb" ] && dpkg-deb --fsys-tarfile "$deb" | tar -x --keep-directory-symlink -C "$work"
    done
  done
fi
# As a sysroot, absolute symlinks (lib64/ld-linux-x86-64.so.2 -> /lib/...)
# would point into this machine: make the library ones relative.
# (An arm64 root has no usr/lib64: find on a missing folder fails the pipeline.)
for dir in "$work/usr/lib" "$work/usr/lib64"; do
  [ -d "$dir" ] || continue
  find "$dir" -type l -lname '/*' | while read -r link; do
    ln -sfr "$work$(readlink "$link")" "$link"
  done
done
touch "$work/.poolmem-ready"
mv "$work" "$root"
echo "$root"
