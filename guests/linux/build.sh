#!/usr/bin/env bash
# build.sh OUTDIR — the Linux guest: Debian's stock kernel, unmodified, and a
# busybox initramfs. Writes OUTDIR/vmlinuz and OUTDIR/initramfs.cpio.gz.
#
# Both come from Debian's archive as .deb files fetched with `apt-get download`
# and unpacked in OUTDIR/pkgs (nothing is installed on the machine, nothing is
# committed). The initramfs holds busybox-static, its applet links, /init
# (guests/linux/init) and an inittab that gives ttyS0 a shell.
set -euo pipefail

out=${1:?usage: $0 OUTDIR}
mkdir -p "$out" && out=$(cd "$out" && pwd)
here=$(cd "$(dirname "$0")" && pwd)
pkgs=$out/pkgs
mkdir -p "$pkgs"

# The kernel package linux-image-amd64 points at today (e.g. linux-image-6.1.0-56-amd64).
kpkg=$(apt-cache depends linux-image-amd64 2>/dev/null | awk '/Depends: linux-image-/ { print $2; exit }')
if [ -z "$kpkg" ]; then
	echo "linux guest: refreshing the package lists" >&2
	apt-get update -qq
	kpkg=$(apt-cache depends linux-image-amd64 | awk '/Depends: linux-image-/ { print $2; exit }')
fi
[ -n "$kpkg" ] || { echo "linux guest: Debian has no linux-image-amd64 here" >&2; exit 1; }

fetch() { # PACKAGE: download and unpack it once
	local p=$1
	[ -f "$pkgs/$p.done" ] && return 0
	echo "  FETCH   $p" >&2
	(cd "$pkgs" && rm -f "${p}"_*.deb && apt-get download -q "$p" >/dev/null 2>&1) ||
		{ apt-get update -qq && (cd "$pkgs" && apt-get download -q "$p" >/dev/null); }
	dpkg-deb -x "$pkgs/${p}"_*.deb "$pkgs/root"
	touch "$pkgs/$p.done"
}
fetch "$kpkg"
fetch busybox-static

kernel=$(ls "$pkgs"/root/boot/vmlinuz-* | sort | tail -1)
cp "$kernel" "$out/vmlinuz"
busybox=$pkgs/root/bin/busybox

# The initramfs tree.
rootfs=$out/rootfs
rm -rf "$rootfs"
mkdir -p "$rootfs"/{bin,sbin,etc,proc,sys,dev,tmp,root,usr/bin,usr/sbin}
cp "$busybox" "$rootfs/bin/busybox"
for app in $("$busybox" --list-full); do
	[ "$app" = bin/busybox ] || ln -sf /bin/busybox "$rootfs/$app"
done
install -m 0755 "$here/init" "$rootfs/init"
install -m 0644 "$here/inittab" "$rootfs/etc/inittab"
# Extra files for later guests (e.g. kernel modules): OUTDIR/extra/ is copied in.
[ -d "$out/extra" ] && cp -a "$out/extra/." "$rootfs/"

(cd "$rootfs" && find . -mindepth 1 | LC_ALL=C sort | "$busybox" cpio -o -H newc 2>/dev/null) |
	gzip -9n > "$out/initramfs.cpio.gz.tmp"
mv "$out/initramfs.cpio.gz.tmp" "$out/initramfs.cpio.gz"
echo "linux guest: $(basename "$kernel") ($(stat -c %s "$out/vmlinuz") bytes)," \
	"initramfs $(stat -c %s "$out/initramfs.cpio.gz") bytes" >&2
