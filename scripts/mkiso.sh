#!/usr/bin/env bash
# mkiso.sh -o OUT.iso [-k terrapin.elf] [-c "command line"] [-m "PATH ARGS"]...
# Makes a GRUB rescue ISO (boots on BIOS and UEFI) that starts Terrapin with the
# given command line and one module2 line per -m (a guest image and its arguments).
set -euo pipefail

usage() {
	cat <<USAGE
usage: $0 -o OUT.iso [-k KERNEL.elf] [-c "terrapin command line"] [-m "PATH ARGS"]...
  -o OUT.iso   the ISO to write
  -k KERNEL    Terrapin's Multiboot2 ELF (default: build/terrapin.elf)
  -c CMDLINE   Terrapin's command line (e.g. "console=com1,115200 loglevel=info")
  -m "PATH ARGS"  a module: a file and its argument string (repeatable),
               e.g. -m "build/guests/hello.elf name=hello mem=32M autostart"
USAGE
}

out="" kernel="build/terrapin.elf" cmdline="" mods=()
while getopts "o:k:c:m:h" opt; do
	case $opt in
	o) out=$OPTARG ;;
	k) kernel=$OPTARG ;;
	c) cmdline=$OPTARG ;;
	m) mods+=("$OPTARG") ;;
	h) usage; exit 0 ;;
	*) usage >&2; exit 2 ;;
	esac
done
[ -n "$out" ] || { usage >&2; exit 2; }
[ -f "$kernel" ] || { echo "mkiso: kernel '$kernel' not found" >&2; exit 1; }
case $cmdline in *$'\n'*) echo "mkiso: the command line may not contain newlines" >&2; exit 1 ;; esac

# GRUB's script parser gives quotes, '$', ';', braces and backslashes a meaning.
# Hand it each string as one single-quoted word, which it takes literally; GRUB
# then re-quotes the word for the kernel and Terrapin's Multiboot2 door undoes
# that (boot/mb2_parse.c), so Terrapin sees the string exactly as given here.
grub_word() {
	[ -n "$1" ] || return 0
	printf "'%s'" "$(printf '%s' "$1" | sed "s/'/'\\\\''/g")"
}

dir=$(mktemp -d)
trap 'rm -rf "$dir"' EXIT
mkdir -p "$dir/boot/grub" "$dir/guests"
cp "$kernel" "$dir/boot/terrapin.elf"

entry="	multiboot2 /boot/terrapin.elf $(grub_word "$cmdline")"
i=0
for m in "${mods[@]}"; do
	path=${m%% *}
	args=""
	[ "$path" != "$m" ] && args=${m#* }
	[ -f "$path" ] || { echo "mkiso: module '$path' not found" >&2; exit 1; }
	case $args in *$'\n'*) echo "mkiso: module arguments may not contain newlines" >&2; exit 1 ;; esac
	name="$i-$(basename "$path")"
	cp "$path" "$dir/guests/$name"
	# GRUB passes everything after the path as the module's string.
	entry+=$'\n'"	module2 /guests/$name $(grub_word "$args")"
	i=$((i + 1))
done

cat > "$dir/boot/grub/grub.cfg" <<CFG
serial --unit=0 --speed=115200
terminal_input serial console
terminal_output serial console
set timeout=0
set default=0
menuentry "Terrapin" {
$entry
	boot
}
CFG

mkdir -p "$(dirname "$out")"
# The log goes outside the tree being packed (xorriso checks file sizes).
log=$(mktemp)
trap 'rm -rf "$dir" "$log"' EXIT
grub-mkrescue -o "$out" "$dir" >/dev/null 2>"$log" || { cat "$log" >&2; exit 1; }
