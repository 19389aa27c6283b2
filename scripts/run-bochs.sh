#!/usr/bin/env bash
# run-bochs.sh [--cpu ryzen|corei7_skylake_x] [--iso PATH] [--smp N] [--mem MiB]
# Boots Terrapin in Bochs with its serial shell on this terminal (Ctrl-A x quits).
# Bochs's CPU models give what QEMU's TCG lacks: ryzen has AMD-V with NPT and
# next-RIP save, corei7_skylake_x has VT-x with EPT. Defaults: ryzen, 2 CPUs,
# 256 MiB, build/terrapin.iso. Bochs's log and configuration: build/run-bochs/.
# The work is done by tests/bochs.py (it also drives Bochs for the tests).
set -euo pipefail

root=$(cd "$(dirname "$0")/.." && pwd)
exec "${PYTHON:-python3}" "$root/tests/bochs.py" "$@"
