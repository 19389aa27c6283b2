#!/usr/bin/env bash
# build.sh OUTDIR — the Linux guest: Debian's stock kernel, unmodified, and a
# busybox initramfs. Writes OUTDIR/vmlinuz (the bzImage), OUTDIR/vmlinux (the
# same kernel uncompressed: the ELF the bzImage decompresses to, which boots
# without the kernel's own XZ decompression, much faster under emulation) and
# OUTDIR/initramfs.cpio.gz.
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

# The payload (boot.rst: payload_offset at 0x248 and payload_length at 0x24c,
# from the protected-mode code at (setup_sects + 1) * 512) is the XZ-packed
# vmlinux; busybox's unxz lacks the x86 BCJ filter the kernel uses, xz has it.
python3 - "$out/vmlinuz" "$out/payload.xz" <<'PY'
import struct, sys
img = open(sys.argv[1], "rb").read()
sects = img[0x1f1] or 4
off, length = struct.unpack_from("<II", img, 0x248)
start = (sects + 1) * 512 + off
if img[start:start + 6] != b"\xfd7zXZ\x00":
    sys.exit("linux guest: the bzImage's payload is not XZ")
open(sys.argv[2], "wb").write(img[start:start + length])
PY
xz -dc --single-stream "$out/payload.xz" > "$out/vmlinux.elf"
rm -f "$out/payload.xz"
# Repacked without what a loader does not read: only the PT_LOAD program
# headers, no section headers, and each segment's trailing zeros (the .bss and
# .brk the kernel's link leaves in the file, ~24 MiB) turned into memsz beyond
# filesz, which a loader zeroes. The kernel's bytes are unchanged.
python3 - "$out/vmlinux.elf" "$out/vmlinux.tmp" <<'PY'
import struct, sys
d = open(sys.argv[1], "rb").read()
if d[:4] != b"\x7fELF" or d[4] != 2:
    sys.exit("linux guest: the payload is not an ELF64 vmlinux")
phoff, = struct.unpack_from("<Q", d, 32)
phentsize, phnum = struct.unpack_from("<HH", d, 54)
loads = []
for i in range(phnum):
    ph = list(struct.unpack_from("<IIQQQQQQ", d, phoff + i * phentsize))
    if ph[0] == 1:
        ph[5] = len(d[ph[2]:ph[2] + ph[5]].rstrip(b"\0"))
        loads.append(ph)
out = bytearray(d[:64])
struct.pack_into("<QQ", out, 32, 64, 0)              # e_phoff, e_shoff
struct.pack_into("<HHHH", out, 54, 56, len(loads), 0, 0)  # phentsize, phnum, shentsize, shnum
struct.pack_into("<H", out, 62, 0)                   # e_shstrndx
body, at = bytearray(), 64 + 56 * len(loads)
at = (at + 4095) & ~4095
for ph in loads:
    seg = d[ph[2]:ph[2] + ph[5]]
    pad = (-(at + len(body))) % 4096
    body += b"\0" * pad
    ph[2] = at + len(body)
    body += seg
    out += struct.pack("<IIQQQQQQ", *ph)
out += b"\0" * (at - len(out))
open(sys.argv[2], "wb").write(out + body)
PY
rm -f "$out/vmlinux.elf"
mv "$out/vmlinux.tmp" "$out/vmlinux"
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
echo "linux guest: $(basename "$kernel") ($(stat -c %s "$out/vmlinuz") bytes; uncompressed" \
	"$(stat -c %s "$out/vmlinux")), initramfs $(stat -c %s "$out/initramfs.cpio.gz") bytes" >&2
