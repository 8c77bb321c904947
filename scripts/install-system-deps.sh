#!/usr/bin/env bash
# Installs the system packages poolmem's build and tests need, and only those
# that are missing (Debian/Ubuntu, as root or with sudo). Safe to run twice.
set -euo pipefail
packages=(cmake g++ make ninja-build libgtest-dev libbenchmark-dev clang libclang-rt-dev)
# Prebuilds and their tests: old-Debian roots, the arm64 and Windows cross
# compilers, arm64 emulation.
packages+=(debootstrap g++-aarch64-linux-gnu qemu-user-static g++-mingw-w64-x86-64-posix)
missing=()
for p in "${packages[@]}"; do
  dpkg -s "$p" >/dev/null 2>&1 || missing+=("$p")
done
if [ ${#missing[@]} -eq 0 ]; then
  echo "system packages: all present"
  exit 0
fi
echo "system packages: installing ${missing[*]}"
sudo=()
[ "$(id -u)" -eq 0 ] || sudo=(sudo)
export DEBIAN_FRONTEND=noninteractive
"${sudo[@]}" apt-get update -qq
"${sudo[@]}" apt-get install -y -qq --no-install-recommends "${missing[@]}"
