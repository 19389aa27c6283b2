#!/usr/bin/env bash
# run-kvm.sh [--check] [--iso PATH] [--smp N] [--mem SIZE]
# Boots Terrapin under QEMU with KVM, the emulated CPU being the host's own
# with its virtualization extension passed through (nested virtualization):
# `-cpu host,+vmx` on Intel, `-cpu host` on AMD (KVM passes SVM through when
# kvm_amd's nested=1). The serial shell is on this terminal (Ctrl-A x quits).
# Default: build/demo.iso, 2 CPUs, 512M.
#
# It runs only where that can work, and says why not otherwise (exit 1):
# - /dev/kvm must exist and open read-write for this user;
# - the CPU must have vmx or svm in /proc/cpuinfo's flags. A /dev/kvm alone
#   proves nothing: a paravirtual KVM (kvm_pvm, as on the project's CI
#   machines) provides one without either flag and cannot run a bare-metal
#   kernel such as Terrapin;
# - kvm_intel or kvm_amd must be loaded with nested=1 (Y), else KVM hides
#   VT-x/AMD-V from its guests;
# - on Intel, Terrapin needs EPT and unrestricted guest (checked in
#   /proc/cpuinfo's "vmx flags" line where the kernel prints one).
# --check: only run the checks, print the verdict, and exit 0 if QEMU would
# start. CPUINFO and SYSFS (default /proc/cpuinfo, /sys) let the checks be
# tried against another machine's files.
set -euo pipefail

root=$(cd "$(dirname "$0")/.." && pwd)
QEMU=${QEMU:-qemu-system-x86_64}
iso=$root/build/demo.iso
smp=2
mem=512M
check=0

usage() {
	sed -n '2,22s/^# \{0,1\}//p' "$0"
	exit "${1:-0}"
}

while [ $# -gt 0 ]; do
	case "$1" in
	--check) check=1 ;;
	--iso) iso=${2:?--iso needs a path}; shift ;;
	--smp) smp=${2:?--smp needs a number}; shift ;;
	--mem) mem=${2:?--mem needs a size}; shift ;;
	-h | --help) usage 0 ;;
	*) echo "run-kvm: unknown argument '$1' (see --help)" >&2; exit 2 ;;
	esac
	shift
done

refuse() {
	echo "run-kvm: cannot run Terrapin under KVM here: $*" >&2
	echo "run-kvm: use 'make run' (QEMU TCG, AMD-V) or 'make run-bochs BOCHS_CPU=corei7_skylake_x' (VT-x) instead." >&2
	exit 1
}

# The flags of the first CPU in /proc/cpuinfo (all CPUs have the same).
cpuinfo=${CPUINFO:-/proc/cpuinfo}
sys=${SYSFS:-/sys}
[ -r "$cpuinfo" ] || refuse "$cpuinfo is not readable (not Linux?)"
flags=" $(sed -n 's/^flags[[:space:]]*:[[:space:]]*//p' "$cpuinfo" | head -n1) "
vmxflags=" $(sed -n 's/^vmx flags[[:space:]]*:[[:space:]]*//p' "$cpuinfo" | head -n1) "
vendor=$(sed -n 's/^vendor_id[[:space:]]*:[[:space:]]*//p' "$cpuinfo" | head -n1)

# /dev/kvm first: without it nothing else matters.
[ -e /dev/kvm ] || refuse "/dev/kvm does not exist (KVM is not loaded, or this is a VM without nested virtualization)"
if ! { exec 3<>/dev/kvm; } 2>/dev/null; then
	refuse "/dev/kvm exists but cannot be opened read-write by $(id -un) (join the 'kvm' group, or check its permissions: $(ls -l /dev/kvm))"
fi
exec 3>&-

case "$flags" in
*" vmx "*) ext=vmx ;;
*" svm "*) ext=svm ;;
*)
	pvm=""
	if [ -d "$sys/module/kvm_pvm" ]; then
		pvm=" /dev/kvm here is the paravirtual KVM (kvm_pvm), which runs only specially built guest kernels."
	fi
	refuse "this ${vendor:-unknown} CPU has neither 'vmx' nor 'svm' in /proc/cpuinfo, so KVM cannot give a guest VT-x or AMD-V.$pvm Terrapin needs hardware virtualization on the host (enabled in firmware, and nested virtualization if the host is itself a VM)."
	;;
esac

if [ "$ext" = vmx ]; then
	mod=kvm_intel
	cpu_arg="host,+vmx"
	# Kernels since 5.8 list the VMX features; older ones print no such line.
	if [ "$vmxflags" != "  " ]; then
		for f in ept unrestricted_guest; do
			case "$vmxflags" in
			*" $f "*) ;;
			*) refuse "the CPU's VT-x lacks '$f' (/proc/cpuinfo 'vmx flags'); Terrapin needs EPT and unrestricted guest" ;;
			esac
		done
	fi
else
	mod=kvm_amd
	cpu_arg="host"
	case "$flags" in
	*" npt "*) ;;
	*) refuse "the CPU's AMD-V lacks nested paging ('npt' in /proc/cpuinfo), which Terrapin needs" ;;
	esac
fi

param=$sys/module/$mod/parameters/nested
[ -d "$sys/module/$mod" ] || refuse "the $mod module is not loaded (modprobe $mod nested=1)"
nested=$(cat "$param" 2>/dev/null || echo "?")
case "$nested" in
1 | Y | y) ;;
*) refuse "$mod is loaded with nested=$nested, so KVM hides ${ext^^} from its guests (reload it: modprobe -r $mod; modprobe $mod nested=1)" ;;
esac
if [ "$ext" = vmx ] && [ "$(cat "$sys/module/kvm_intel/parameters/ept" 2>/dev/null || echo Y)" = N ]; then
	refuse "kvm_intel is loaded with ept=0: its guests get no EPT, which Terrapin needs"
fi

command -v "$QEMU" >/dev/null || refuse "$QEMU is not installed (scripts/deps.sh installs it)"
if [ ! -f "$iso" ]; then
	[ "$iso" = "$root/build/demo.iso" ] && refuse "$iso does not exist ('make build/demo.iso' or 'make run-kvm' builds it)"
	refuse "$iso does not exist"
fi

# shellcheck disable=SC2054 # the commas belong to QEMU options
args=("$QEMU" -accel kvm -machine q35 -cpu "$cpu_arg" -smp "$smp" -m "$mem"
	-device isa-debug-exit,iobase=0xf4,iosize=0x04 -no-reboot -display none
	-serial mon:stdio -cdrom "$iso")
if [ "$check" = 1 ]; then
	echo "run-kvm: KVM can run Terrapin here ($vendor, ${ext^^}, $mod nested=$nested): ${args[*]}"
	exit 0
fi
echo "run-kvm: ${args[*]}" >&2
echo "run-kvm: 'info' in Terrapin's shell shows the ${ext^^} features KVM passed through. Ctrl-A x quits." >&2
exec "${args[@]}"
