#!/usr/bin/env bash
# Makes a FAT EFI system partition image that boots Terrapin's native UEFI door:
#   \EFI\BOOT\BOOTX64.EFI    terrapin.efi
#   \EFI\BOOT\terrapin.cfg   the command line and module lines (format: boot/efi.c)
#   \guests\NAME             each module file
# Needs mtools (mformat, mmd, mcopy); no root, no loop devices.
set -euo pipefail

prog=mkesp
usage() {
	cat <<'EOF'
usage: scripts/mkesp.sh -o OUT.img [-c "COMMAND LINE"] [-m "FILE ARGS..."]... [-e EFI]

  -o OUT.img   the image to write (replaced if it exists)
  -c TEXT      Terrapin's command line (the terrapin.cfg "cmdline" line)
  -m "FILE ARGS..."
               a boot module: FILE (on this machine) is copied to \guests\BASENAME
               and terrapin.cfg gets "module /guests/BASENAME ARGS..."; repeatable,
               up to 16, loaded in this order
  -e EFI       the loader to install as \EFI\BOOT\BOOTX64.EFI
               (default: build/terrapin.efi)
  -h           this help

The image is plain FAT (no partition table), at least 16 MiB, sized from its
contents; OVMF boots it as a disk: -drive file=OUT.img,format=raw
Example:
  scripts/mkesp.sh -o build/esp.img -c "loglevel=debug" \
      -m "build/guests/hello.elf name=hello mem=32M autostart"
EOF
}

die() {
	echo "$prog: $*" >&2
	exit 1
}

out="" cmdline="" efi="build/terrapin.efi"
mods=()
while getopts ":o:c:m:e:h" opt; do
	case $opt in
	o) out=$OPTARG ;;
	c) cmdline=$OPTARG ;;
	m) mods+=("$OPTARG") ;;
	e) efi=$OPTARG ;;
	h) usage; exit 0 ;;
	:) echo "$prog: -$OPTARG needs an argument" >&2; usage >&2; exit 2 ;;
	*) echo "$prog: unknown option -$OPTARG" >&2; usage >&2; exit 2 ;;
	esac
done
shift $((OPTIND - 1))
if [ $# -gt 0 ]; then
	echo "$prog: unexpected argument: $1" >&2
	usage >&2
	exit 2
fi
[ -n "$out" ] || { echo "$prog: -o OUT.img is required" >&2; usage >&2; exit 2; }

for tool in mformat mmd mcopy; do
	command -v "$tool" >/dev/null || die "$tool not found: install mtools (scripts/deps.sh)"
done
[ -f "$efi" ] || die "$efi not found (build it with: make efi)"

# The limits of terrapin.cfg and boot_info (kernel/boot_info.h, boot/efi_cfg.h).
CMDLINE_MAX=511
MODARGS_MAX=255
MAX_MODULES=16

# '#' starts a comment in terrapin.cfg and a line break ends a directive.
check_text() { # what text
	case $2 in
	*'#'* | *$'\n'* | *$'\r'*) die "$1 may not contain '#' or a line break: $2" ;;
	esac
}

trim() { # text -> stdout without leading/trailing blanks
	local s=$1
	s=${s#"${s%%[![:space:]]*}"}
	s=${s%"${s##*[![:space:]]}"}
	printf '%s' "$s"
}

cmdline=$(trim "$cmdline")
check_text "the command line" "$cmdline"
[ ${#cmdline} -le $CMDLINE_MAX ] || die "the command line is longer than $CMDLINE_MAX bytes"

files=() names=() args=()
for m in "${mods[@]}"; do
	m=$(trim "$m")
	[ -n "$m" ] || continue
	file=${m%%[[:space:]]*}
	arg=$(trim "${m:${#file}}")
	name=$(basename -- "$file")
	[ -e "$file" ] || die "module file not found: $file"
	[ -f "$file" ] || die "module is not a regular file: $file"
	[ -r "$file" ] || die "module file is not readable: $file"
	case $name in
	*[!A-Za-z0-9._+-]*) die "module file name must use only A-Z a-z 0-9 . _ + -: $name" ;;
	esac
	check_text "the arguments of $file" "$arg"
	[ ${#arg} -le $MODARGS_MAX ] || die "the arguments of $file are longer than $MODARGS_MAX bytes"
	for n in "${names[@]}"; do
		[ "${n,,}" != "${name,,}" ] || die "two modules named $name (FAT names ignore case)"
	done
	files+=("$file") names+=("$name") args+=("$arg")
done
[ ${#files[@]} -le $MAX_MODULES ] || die "more than $MAX_MODULES modules"

tmpdir=$(mktemp -d)
img="$out.tmp.$$"
trap 'rm -rf "$tmpdir"; rm -f "$img"' EXIT

cfg="$tmpdir/terrapin.cfg"
{
	echo "# terrapin.cfg: written by scripts/mkesp.sh"
	[ -z "$cmdline" ] || echo "cmdline $cmdline"
	for i in "${!files[@]}"; do
		if [ -n "${args[$i]}" ]; then
			echo "module /guests/${names[$i]} ${args[$i]}"
		else
			echo "module /guests/${names[$i]}"
		fi
	done
} >"$cfg"

# Size: contents plus 1/8 and 4 MiB for FAT tables, directories and cluster
# rounding; at least 16 MiB; whole MiB.
bytes=$(stat -c %s -- "$efi" "$cfg" "${files[@]}" | awk '{ s += $1 } END { print s }')
mib=$(((bytes + bytes / 8) / 1048576 + 4))
[ $mib -ge 16 ] || mib=16

mkdir -p -- "$(dirname -- "$out")"
rm -f "$img"
truncate -s "${mib}M" "$img"
export MTOOLS_SKIP_CHECK=1
mformat -i "$img" -T $((mib * 2048)) -h 64 -s 32 -v TERRAPIN :: ||
	die "mformat failed on $img"
mmd -i "$img" ::/EFI ::/EFI/BOOT
mcopy -i "$img" -- "$efi" ::/EFI/BOOT/BOOTX64.EFI
mcopy -i "$img" -- "$cfg" ::/EFI/BOOT/terrapin.cfg
if [ ${#files[@]} -gt 0 ]; then
	mmd -i "$img" ::/guests
	for i in "${!files[@]}"; do
		mcopy -i "$img" -- "${files[$i]}" "::/guests/${names[$i]}"
	done
fi
mv -f -- "$img" "$out"
trap 'rm -rf "$tmpdir"' EXIT
echo "$prog: wrote $out (${mib} MiB, ${#files[@]} module(s))"
