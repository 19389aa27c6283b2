#!/usr/bin/env python3
"""`make bench`: boot times per door and image sizes, as a Markdown table on
stdout and in build/bench.md. Nothing here asserts on timings.

For each door (BIOS GRUB, GRUB under UEFI, the native EFI application), boots
q35 -smp 2 -m 512M BENCH_RUNS times (default 3) and measures, from QEMU's start:
the first kernel line (r"Terrapin \\d"), the first shell prompt; and the
kernel's own "init done in N us". Reports min, median and mean.

CPUID exits: Terrapin on QEMU TCG q35 -cpu max -smp 1 runs the cpuidbench
guest (guests/cpuidbench.c: a baseline loop that never exits, then n rounds of
CPUID leaf 0x40000000, each loop bracketed by RDTSC):
- exits per second on the host's clock: n=BENCH_CPUID_N (default 200000), the
  time between the serial arrival of the guest's "start" line and of its
  result line;
- the hypervisor's path length per exit in deterministic units: the same
  guest, n=BENCH_ICOUNT_N (default 20000), twice, under `-icount
  shift=0,sleep=off`. There the virtual clock advances 2^0 ns per executed
  instruction and TCG's guest TSC reads that clock, so a TSC tick is one
  emulated instruction (the baseline's 5-instruction round reads 5 ticks,
  checked, not assumed). A CPUID round is 4 guest instructions plus
  everything Terrapin executes for the exit (the intercepted CPUID does not
  retire in the guest), so the path is ticks per round / ticks per instruction
  - 4, from the #VMEXIT to the next VMRUN inclusive;
- Terrapin's own `stat NAME` after the VM stops, for each run.
"""

import os
import platform
import re
import statistics
import subprocess
import sys
import time
from pathlib import Path

sys.dont_write_bytecode = True  # no __pycache__ in the source tree
sys.path.insert(0, str(Path(__file__).resolve().parent))
import harness  # noqa: E402
from harness import BUILD, Failure, Machine, Skip  # noqa: E402

RUNS = max(1, int(os.environ.get("BENCH_RUNS", "3")))
CPUID_N = max(1, int(os.environ.get("BENCH_CPUID_N", "200000")))
ICOUNT_N = max(1, int(os.environ.get("BENCH_ICOUNT_N", "20000")))
ICOUNT = ("-icount", "shift=0,sleep=off")
CB_NAME = "cb"  # the VM's name in Terrapin (its serial lines start "cb| ")
CB_BASE_INSNS = 5  # instructions in one round of cpuidbench's loops
CB_START_RE = r"cpuidbench: start: (\d+) CPUID exits"
CB_BASE_RE = (r"cpuidbench: baseline: (\d+) rounds of (\d+) instructions, (\d+) tsc, "
              r"[\d.]+ tsc per round")
CB_RESULT_RE = r"cpuidbench: (\d+) exits, (\d+) tsc, [\d.]+ tsc per exit"
KERNEL_LINE = r"Terrapin \d"
INIT_RE = r"init done in (\d+) us"


def one_boot(name, boot, **kw):
    with Machine(name, boot=boot, machine="q35", smp=2, mem="512M", **kw) as m:
        k = m.expect(KERNEL_LINE, harness.PROMPT_TIMEOUT[boot], what="the first kernel line")
        t_kernel = m.arrival(k.start())
        i = m.expect(INIT_RE, 60, what="'init done in N us'")
        p = m.wait_prompt()
        t_prompt = m.arrival(p.end() - 1)
        return t_kernel, t_prompt, int(i.group(1))


def door(label, boot, **kw):
    rows = []
    for r in range(RUNS):
        rows.append(one_boot("bench-%s-%d" % (boot, r + 1), boot, **kw))
        print("  %s run %d: kernel line %.2f s, prompt %.2f s, init %d us"
              % ((label, r + 1) + rows[-1]), file=sys.stderr, flush=True)
    return rows


def vm_stopped(m, name, timeout=120):
    """Poll `vm list` until VM `name` has stopped; returns its line."""
    end = time.monotonic() + timeout
    while True:
        out = m.cmd("vm list")
        row = re.search(r"^%s\s+(\S+).*$" % re.escape(name), out, re.M)
        if row and row.group(1) == "stopped":
            return row.group(0)
        if time.monotonic() > end:
            raise m.fail("VM %s still not stopped after %d s:\n%s" % (name, timeout, out))
        time.sleep(0.5)


def parse_stat(out):
    """{reason: count} from `stat NAME` (with "total")."""
    return {r: int(c) for r, c in re.findall(r"^\s+([a-z][a-z-]*)\s+(\d+)(?:\s+\d+/s)?$",
                                              out, re.M)}


def cpuidbench(label, n, extra=()):
    """Terrapin (QEMU TCG, q35, -cpu max, -smp 1, BIOS GRUB) running cpuidbench
    with n rounds; `extra` QEMU arguments. Returns the guest's figures, the host
    time of its CPUID loop and Terrapin's `stat` after the VM stopped."""
    elf = harness.need_file(BUILD / "guests" / "cpuidbench.elf", "make guests")
    iso = harness.make_iso(label, modules=['%s name=%s mem=32M autostart cmdline="n=%d"'
                                           % (elf, CB_NAME, n)])
    with Machine(label, boot="bios", machine="q35", smp=1, mem="256M", iso=iso,
                 extra=extra) as m:
        b = m.expect(CB_BASE_RE, 120, what="cpuidbench's baseline line")
        s = m.expect(CB_START_RE, 60, what="cpuidbench's start line")
        # Each line leaves the guest as a whole just before (start) and after
        # (result) the loop: time them by their last bytes.
        t0 = m.arrival(s.end() - 1)
        r = m.expect(CB_RESULT_RE, 60 + n / 2000, what="cpuidbench's result line")
        t1 = m.arrival(r.end() - 1)
        m.expect(r"^%s\| PASS" % CB_NAME, 30, what="cpuidbench's PASS")
        m.quiet(idle=1.0)
        state = vm_stopped(m, CB_NAME)
        if "status 0" not in state:
            raise m.fail("cpuidbench did not end with status 0: %s" % state)
        stat = parse_stat(m.cmd("stat %s" % CB_NAME))
    if int(b.group(2)) != CB_BASE_INSNS:
        raise Failure("cpuidbench's baseline has %s instructions a round, bench.py expects %d"
                      % (b.group(2), CB_BASE_INSNS))
    return {"n": int(r.group(1)), "tsc": int(r.group(2)), "base_tsc": int(b.group(3)),
            "wall": t1 - t0, "stat": stat}


def fmt_stat(stat):
    parts = ["%s %d" % (k, v) for k, v in sorted(stat.items(), key=lambda kv: -kv[1])
             if k != "total"]
    return "total %d (%s)" % (stat.get("total", 0), ", ".join(parts))


def cpuid_section():
    """The "CPUID exits" rows: (figure, value, how measured)."""
    rows = []
    r = cpuidbench("bench-cpuid-tcg", CPUID_N)
    print("  CPUID, TCG: %d exits in %.2f s, %d tsc; stat %s"
          % (r["n"], r["wall"], r["tsc"], fmt_stat(r["stat"])), file=sys.stderr, flush=True)
    rate = r["n"] / r["wall"] if r["wall"] > 0 else float("nan")
    rows.append(("CPUID exit round trips per second (QEMU TCG)",
                 "%d /s (%.1f us each)" % (rate, 1e6 / rate),
                 "cpuidbench n=%d: host monotonic clock between the serial arrival of the guest's "
                 "line before its CPUID loop and the one after it" % r["n"]))
    rows.append(("TSC per CPUID exit (QEMU TCG)",
                 "%.1f host TSC ticks (baseline %.2f per round)"
                 % (r["tsc"] / r["n"], r["base_tsc"] / r["n"]),
                 "guest RDTSC delta / n; without icount TCG's guest TSC is the host's TSC, so "
                 "wall-clock bound"))
    rows.append(("exits seen by `stat` (TCG run)", fmt_stat(r["stat"]),
                 "`stat %s` after the VM stopped: its whole life (warm-up %d CPUIDs, the "
                 "loop, serial output)" % (CB_NAME, 1000)))

    runs = []
    for i in range(2):
        x = cpuidbench("bench-cpuid-icount-%d" % (i + 1), ICOUNT_N, extra=ICOUNT)
        print("  CPUID, icount run %d: %d exits, %d tsc, baseline %d tsc, %.2f s wall; stat %s"
              % (i + 1, x["n"], x["tsc"], x["base_tsc"], x["wall"], fmt_stat(x["stat"])),
              file=sys.stderr, flush=True)
        runs.append(x)
    n = runs[0]["n"]
    same = all(x["tsc"] == runs[0]["tsc"] and x["base_tsc"] == runs[0]["base_tsc"]
               for x in runs)
    tick = runs[0]["base_tsc"] / (n * CB_BASE_INSNS)  # ticks per instruction
    per_exit = runs[0]["tsc"] / n
    path = per_exit / tick - (CB_BASE_INSNS - 1)
    rows.append(("TSC tick under `-icount shift=0`",
                 "%.4f ticks per instruction" % tick,
                 "baseline: %d rounds of %d non-exiting instructions read %d ticks (the extra "
                 "ticks are the LFENCE/RDTSC around the loop); so 1 tick = 1 emulated "
                 "instruction (= 1 ns of virtual time)" % (n, CB_BASE_INSNS, runs[0]["base_tsc"])))
    rows.append(("baseline under icount", "%.2f ticks per round" % (runs[0]["base_tsc"] / n),
                 "cpuidbench n=%d, loop of mov/xor/mov/sub/jnz" % n))
    rows.append(("TSC per CPUID exit under icount",
                 "%s ticks per round (%s)" % (" / ".join("%.2f" % (x["tsc"] / n) for x in runs),
                                              "identical in %d runs" % len(runs) if same
                                              else "NOT repeatable"),
                 "the same loop with CPUID 0x40000000 in place of one mov; `-icount "
                 "shift=0,sleep=off`, %d runs: %s tsc"
                 % (len(runs), " / ".join(str(x["tsc"]) for x in runs))))
    rows.append(("hypervisor path length per CPUID exit",
                 "%.2f instructions" % path,
                 "ticks per CPUID round / ticks per instruction - %d guest instructions: "
                 "what the CPU executes outside the guest per exit, #VMEXIT to the next VMRUN "
                 "inclusive, plus the loop's share of the other exits below"
                 % (CB_BASE_INSNS - 1)))
    rows.append(("exits seen by `stat` (icount runs)",
                 " / ".join(fmt_stat(x["stat"]) for x in runs),
                 "`stat %s` after the VM stopped, each icount run" % CB_NAME))
    return rows


def fmt_s(values):
    return "%.2f / %.2f / %.2f s" % (min(values), statistics.median(values),
                                     statistics.mean(values))


def fmt_us(values):
    return "%d / %d / %d us" % (min(values), statistics.median(values), statistics.mean(values))


def file_size(path):
    p = Path(path)
    if not p.is_file():
        return "not built"
    return "%d (%.1f KiB)" % (p.stat().st_size, p.stat().st_size / 1024)


def elf_sections(path):
    try:
        out = subprocess.run(["size", str(path)], stdout=subprocess.PIPE, text=True,
                             stderr=subprocess.DEVNULL, timeout=30).stdout.splitlines()
        text, data, bss = (int(x) for x in out[1].split()[:3])
        return text, data, bss
    except (OSError, IndexError, ValueError):
        return None


def main():
    lines = ["# Terrapin benchmark", ""]
    qemu = subprocess.run([harness.QEMU, "--version"], stdout=subprocess.PIPE, text=True)
    lines.append("%s; host %s, %d CPUs; %s; %d runs per door; QEMU TCG, q35, -cpu max, -smp 2, "
                 "-m 512M. Times from QEMU's start: min / median / mean."
                 % (qemu.stdout.splitlines()[0], platform.node(), os.cpu_count(),
                    time.strftime("%Y-%m-%d %H:%M"), RUNS))
    lines += ["", "## Boot time", "",
              "| door | first kernel line | shell prompt | kernel init (its own clock) |",
              "|---|---|---|---|"]
    doors = [("BIOS, GRUB (Multiboot2)", "bios", {}),
             ("UEFI, GRUB (Multiboot2)", "uefi", {}),
             ("UEFI, native EFI app", "efi", None)]
    failed = False
    for label, boot, kw in doors:
        try:
            if kw is None:
                kw = {"esp": harness.make_esp("bench-esp")}
            rows = door(label, boot, **kw)
            lines.append("| %s | %s | %s | %s |" % (label, fmt_s([r[0] for r in rows]),
                                                   fmt_s([r[1] for r in rows]),
                                                   fmt_us([r[2] for r in rows])))
        except Skip as e:
            lines.append("| %s | skipped: %s | | |" % (label, e))
        except Failure as e:
            failed = True
            lines.append("| %s | failed: %s | | |" % (label, str(e).splitlines()[0]))
            print(str(e), file=sys.stderr)

    lines += ["", "## CPUID exits", "",
              "Terrapin on QEMU TCG, q35, -cpu max, -smp 1, -m 256M, BIOS GRUB; guest "
              "build/guests/cpuidbench.elf, one vCPU, 32 MiB.", "",
              "| figure | value | how measured |", "|---|---|---|"]
    try:
        for row in cpuid_section():
            lines.append("| %s | %s | %s |" % row)
    except Skip as e:
        lines.append("| CPUID exits | skipped: %s | |" % e)
    except Failure as e:
        failed = True
        lines.append("| CPUID exits | failed: %s | |" % str(e).splitlines()[0])
        print(str(e), file=sys.stderr)

    lines += ["", "## Images", "", "| file | bytes |", "|---|---|"]
    for f in ("terrapin.elf", "terrapin.iso", "terrapin.efi"):
        lines.append("| build/%s | %s |" % (f, file_size(BUILD / f)))
    sec = elf_sections(BUILD / "terrapin.elf")
    if sec:
        lines += ["", "| terrapin.elf | text | data | bss |", "|---|---|---|---|",
                  "| bytes | %d | %d | %d |" % sec]
    text = "\n".join(lines) + "\n"
    print(text)
    BUILD.mkdir(parents=True, exist_ok=True)
    (BUILD / "bench.md").write_text(text)
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
