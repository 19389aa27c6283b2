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
import bochs  # noqa: E402
import harness  # noqa: E402
from harness import BUILD, Failure, Machine, Skip  # noqa: E402

RUNS = max(1, int(os.environ.get("BENCH_RUNS", "3")))
CPUID_N = max(1, int(os.environ.get("BENCH_CPUID_N", "200000")))
ICOUNT_N = max(1, int(os.environ.get("BENCH_ICOUNT_N", "20000")))
BOCHS_N = max(1, int(os.environ.get("BENCH_BOCHS_N", "100000")))
# BENCH_ONLY=boot,tcg,ryzen,vmx (any of them): run only those parts; the
# others' rows say they were left out.
PARTS = ("boot", "tcg", "ryzen", "vmx")
ONLY = [x.strip() for x in os.environ.get("BENCH_ONLY", ",".join(PARTS)).split(",") if x.strip()]
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


def cpuidbench(label, n, extra=(), bochs_cpu=None):
    """Terrapin running cpuidbench with n rounds, on one CPU: under QEMU TCG
    (q35, -cpu max, BIOS GRUB; `extra` QEMU arguments) or, with `bochs_cpu`,
    under that Bochs CPU model (tests/bochs.py: BIOS GRUB, `clock: sync=none`).
    Returns the guest's figures, the host time of its CPUID loop and Terrapin's
    `stat` after the VM stopped."""
    elf = harness.need_file(BUILD / "guests" / "cpuidbench.elf", "make guests")
    iso = harness.make_iso(label, modules=['%s name=%s mem=32M autostart cmdline="n=%d"'
                                           % (elf, CB_NAME, n)])
    if bochs_cpu:
        # One CPU: Bochs then advances its clock by one tick per instruction.
        machine = bochs.BochsMachine(label, cpu=bochs_cpu, smp=1, mem=256, iso=iso)
        slow = 4  # Bochs boots and prints far slower than TCG
    else:
        machine = Machine(label, boot="bios", machine="q35", smp=1, mem="256M", iso=iso,
                          extra=extra)
        slow = 1
    with machine as m:
        b = m.expect(CB_BASE_RE, 120 * slow, what="cpuidbench's baseline line")
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


def log(fmt, *args):
    print("  " + fmt % args, file=sys.stderr, flush=True)


def rate(x):
    """Exit round trips per second on the host's clock, as a table cell."""
    if x["wall"] <= 0:
        return "n/a"
    r = x["n"] / x["wall"]
    return "%d /s (%.1f us each)" % (r, 1e6 / r)


def deterministic(label, runs):
    """The path-length cells from runs of cpuidbench where a TSC tick is one
    emulated instruction: {figure: cell}. Checks the tick against the
    baseline loop rather than assuming it."""
    n = runs[0]["n"]
    same = all(x["tsc"] == runs[0]["tsc"] and x["base_tsc"] == runs[0]["base_tsc"]
               for x in runs)
    tick = runs[0]["base_tsc"] / (n * CB_BASE_INSNS)  # ticks per instruction
    path = runs[0]["tsc"] / n / tick - (CB_BASE_INSNS - 1)
    log("%s: path %.2f instructions per CPUID exit (tick %.4f, %s)", label, path, tick,
        "repeatable" if same else "NOT repeatable")
    return {
        "path": "**%.1f** instructions" % path if same else
                "%.1f instructions (runs differ: %s)"
                % (path, " / ".join("%.2f" % (x["tsc"] / n / tick - 4) for x in runs)),
        "tick": "%.4f ticks per instruction (baseline %d tsc for %d x %d)"
                % (tick, runs[0]["base_tsc"], n, CB_BASE_INSNS),
        "round": "%s tsc per round, n=%d (%s)"
                 % (" / ".join("%.2f" % (x["tsc"] / n) for x in runs), n,
                    "identical in %d runs" % len(runs) if same else "NOT repeatable"),
        "stat": fmt_stat(runs[0]["stat"]),
    }


def setup_tcg():
    """SVM on QEMU TCG: exits/s without icount, path length under icount."""
    cells = {}
    r = cpuidbench("bench-cpuid-tcg", CPUID_N)
    log("SVM, QEMU TCG: %d exits in %.2f s, %.1f host tsc each; stat %s", r["n"], r["wall"],
        r["tsc"] / r["n"], fmt_stat(r["stat"]))
    cells["rate"] = rate(r) + ", n=%d" % r["n"]
    runs = [cpuidbench("bench-cpuid-icount-%d" % (i + 1), ICOUNT_N, extra=ICOUNT)
            for i in range(2)]
    cells.update(deterministic("SVM, QEMU TCG -icount", runs))
    return cells


def setup_bochs(cpu, tag):
    """A backend on a Bochs model: two runs with n=BOCHS_N give the exits/s
    (host clock) and the path length (emulated instructions)."""
    why = bochs.unavailable(cpu)
    if why:
        raise Skip(why)
    runs = [cpuidbench("bench-cpuid-%s-%d" % (tag, i + 1), BOCHS_N, bochs_cpu=cpu)
            for i in range(2)]
    for x in runs:
        log("%s, Bochs %s: %d exits in %.2f s, %d tsc, baseline %d tsc; stat %s", tag.upper(),
            cpu, x["n"], x["wall"], x["tsc"], x["base_tsc"], fmt_stat(x["stat"]))
    cells = deterministic("%s, Bochs %s" % (tag.upper(), cpu), runs)
    cells["rate"] = " / ".join(rate(x) for x in runs) + ", n=%d" % BOCHS_N
    return cells


# (column heading, how to measure); setup functions return {row key: cell}.
SETUPS = [("SVM: QEMU TCG, `-cpu max`", "tcg", setup_tcg),
          ("SVM: Bochs `ryzen`", "ryzen", lambda: setup_bochs("ryzen", "svm")),
          ("VMX: Bochs `corei7_skylake_x`", "vmx",
           lambda: setup_bochs("corei7_skylake_x", "vmx"))]
ROWS = [("rate", "CPUID exit round trips per second (host clock)",
         "cpuidbench: host monotonic clock between the serial arrival of the guest's line "
         "before its CPUID loop and the one after it; wall-clock bound, so it measures the "
         "emulator as much as Terrapin"),
        ("path", "hypervisor path length per CPUID exit",
         "TSC ticks per CPUID round / ticks per instruction - %d guest instructions: what "
         "the CPU executes outside the guest per exit, VM exit to the next VM entry "
         "inclusive, plus the loop's share of the few other exits below; "
         "TCG under `-icount shift=0,sleep=off`, Bochs with `clock: sync=none` and one CPU: "
         "there a TSC tick is one emulated instruction" % (CB_BASE_INSNS - 1)),
        ("round", "TSC per CPUID round, deterministic runs",
         "the loop with CPUID 0x40000000 in place of one mov; two runs each"),
        ("tick", "TSC tick, deterministic runs",
         "the baseline loop (mov/xor/mov/sub/jnz) never exits: its ticks per instruction "
         "calibrate the tick (the few extra are LFENCE/RDTSC around the loop)"),
        ("stat", "exits seen by `stat` (first deterministic run)",
         "`stat %s` after the VM stopped: its whole life (warm-up %d CPUIDs, both loops, "
         "serial output)" % (CB_NAME, 1000))]


def cpuid_section():
    """The "CPUID exits" table: a column per backend and emulator; returns
    (lines, failed)."""
    cols = []
    failed = False
    for head, part, fn in SETUPS:
        try:
            if part not in ONLY:
                raise Skip("left out (BENCH_ONLY=%s)" % ",".join(ONLY))
            cols.append(fn())
        except Skip as e:
            cols.append({"rate": "skipped: %s" % e})
        except Failure as e:
            failed = True
            cols.append({"rate": "failed: %s" % str(e).splitlines()[0]})
            print(str(e), file=sys.stderr)
    lines = ["| figure | %s | how measured |" % " | ".join(h for h, _, _ in SETUPS),
             "|---|%s---|" % ("---|" * len(SETUPS))]
    for key, figure, how in ROWS:
        lines.append("| %s | %s | %s |" % (figure, " | ".join(c.get(key, "") for c in cols),
                                           how))
    return lines, failed


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
    bad = [x for x in ONLY if x not in PARTS]
    if bad:
        print("bench.py: BENCH_ONLY: unknown part(s) %s; the parts are %s"
              % (", ".join(bad), ", ".join(PARTS)), file=sys.stderr)
        return 2
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
            if "boot" not in ONLY:
                raise Skip("left out (BENCH_ONLY=%s)" % ",".join(ONLY))
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
              "Terrapin with one CPU, BIOS GRUB, running build/guests/cpuidbench.elf (one "
              "vCPU, 32 MiB): on QEMU TCG (q35, -m 256M) and on Bochs (256 MiB, "
              "`clock: sync=none`), the same terrapin.elf picking SVM or VMX. Figures "
              "in **bold** are repeatable to the instruction.", ""]
    rows, bad = cpuid_section()
    lines += rows
    failed = failed or bad

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
