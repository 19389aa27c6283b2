#!/usr/bin/env bash
# Installs the Debian packages Terrapin needs to build, run and test.
# Called by the Makefile whenever a needed tool is missing; safe to run again.
set -euo pipefail

PKGS=(gcc make binutils libc6-dev python3 grub-common grub-pc-bin grub-efi-amd64-bin
      xorriso mtools gnu-efi qemu-system-x86 ovmf bochs bochs-term bochsbios vgabios xz-utils)

missing=()
for p in "${PKGS[@]}"; do
	dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done
[ ${#missing[@]} -eq 0 ] && exit 0

echo "deps: installing ${missing[*]}" >&2
SUDO=""
[ "$(id -u)" -eq 0 ] || SUDO="sudo"
export DEBIAN_FRONTEND=noninteractive
$SUDO apt-get update -qq
$SUDO apt-get install -y -qq --no-install-recommends "${missing[@]}" >&2
