#!/usr/bin/env bash
# Usage: ksyms.sh [ELF] > ksyms.S
# Emits the kernel's function symbol table (sorted by address) for backtraces.
# Without an ELF it emits an empty table, for the first link.
set -euo pipefail
{
	if [ $# -ge 1 ]; then
		nm -n --defined-only "$1" | awk '$2 ~ /^[tTwW]$/ { print $1, $3 }'
	fi
} | awk '
BEGIN { n = 0 }
{ addr[n] = $1; name[n] = $2; n++ }
END {
	print "\t.section .ksyms, \"a\""
	print "\t.balign 8"
	print "\t.global ksyms_count, ksyms, ksyms_strings"
	print "ksyms_count:\n\t.quad " n
	print "ksyms:"
	off = 0
	for (i = 0; i < n; i++) {
		printf "\t.quad 0x%s\n\t.long %d, 0\n", addr[i], off
		off += length(name[i]) + 1
	}
	print "ksyms_strings:"
	for (i = 0; i < n; i++)
		printf "\t.asciz \"%s\"\n", name[i]
}'
