#!/usr/bin/env python3
"""`make bench`: boot times per door and image sizes, as a Markdown table on
stdout and in build/bench.md. Nothing here asserts on timings.

For each door (BIOS GRUB, GRUB under UEFI, the native EFI application), boots
q35 -smp 2 -m 512M BENCH_RUNS times (default 3) and measures, from QEMU's start:
the first kernel line (r"Terrapin \\d"), the first shell prompt; and the
kernel's own "init done in N us". Reports min, median and mean.
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
