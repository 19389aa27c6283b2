"""Deliberate faults (`selftest fault ...`): Terrapin stops with a readable
report: what happened, the registers, and a symbolized backtrace."""

import re
import subprocess
import time

from harness import BUILD, scenario
from _common import boot_to_prompt


def symbols():
    """name -> address from build/terrapin.elf (empty if nm or the ELF is missing)."""
    try:
        out = subprocess.run(["nm", str(BUILD / "terrapin.elf")], stdout=subprocess.PIPE,
                             stderr=subprocess.DEVNULL, text=True, timeout=30).stdout
    except OSError:
        return {}
    syms = {}
    for line in out.splitlines():
        parts = line.split()
        if len(parts) == 3:
            syms[parts[2]] = int(parts[0], 16)
    return syms


def fault(t, arg, exc_re, func, callers=("cmd_selftest", "shell_run", "kernel_main")):
    """Run `selftest fault ARG`; check the report (the backtrace starts in `func`
    and names every function in `callers`); return (report, registers, symbols)."""
    with t.boot(boot="bios", machine="q35", smp=2, mem="256M") as m:
        boot_to_prompt(t, m, "Multiboot2", "BIOS")
        m.send_raw(("selftest fault %s" % arg).strip() + "\r")
        m.expect(r"FATAL", 30, what="the FATAL report")
        start = m.pos - len("FATAL")
        m.expect(r"System halted", 30, what="'System halted' after the report")
        report = m.output()[start:m.pos].replace("\r\n", "\n")
        t.search(exc_re, report.splitlines()[0], "the first line does not name the exception")
        # Registers: every general-purpose register and the control registers.
        pairs = re.findall(r"\b(R[A-Z0-9]{1,2}\s?|CR[0234]|RFLAGS)=([0-9a-fA-F]{16})\b", report)
        regs = dict((k.strip(), int(v, 16)) for k, v in pairs)
        for r in ("RAX", "RBX", "RCX", "RDX", "RSI", "RDI", "RBP", "RSP", "R8", "R9", "R10",
                  "R11", "R12", "R13", "R14", "R15", "RFLAGS", "CR0", "CR2", "CR3", "CR4"):
            t.check(r in regs, "the register dump has no %s" % r, report)
        rip = t.search(r"^RIP: 0x([0-9a-f]{16}) (\w+)\+0x[0-9a-f]+", report, "no RIP line")
        t.check(rip.group(2) == func, "RIP is in %s, expected %s" % (rip.group(2), func), report)
        bt = report[report.index("Backtrace"):] if "Backtrace" in report else ""
        t.check(bt, "no Backtrace", report)
        frames = re.findall(r"^\s+0x[0-9a-f]{16} (\w+)\+0x[0-9a-f]+", bt, re.M)
        t.check(frames[:1] == [func], "the backtrace does not start in %s" % func, report)
        for f in callers:
            t.check(f in frames, "the backtrace does not name %s" % f, report)
        # The report says where the code is: the symbol offset must match the ELF.
        syms = symbols()
        if func in syms:
            t.check(0 <= int(rip.group(1), 16) - syms[func] < 0x100,
                    "RIP 0x%s is not inside %s at 0x%x" % (rip.group(1), func, syms[func]), report)
        # The machine stays halted: no reset (which -no-reboot turns into an exit).
        time.sleep(0.5)
        t.check(m.proc.poll() is None, "QEMU exited after the fault (status %s): "
                "a triple fault instead of a halt?" % m.proc.poll(), report)
        return report, regs, syms


@scenario("fault-pf", cost=6)
def fault_pf(t):
    """A read of an unmapped address (0x8): #PF with CR2 = 0x8."""
    report, regs, _ = fault(t, "", r"exception 14 \(#PF page fault\)", "fault_pf")
    t.search(r"page fault", report, "the report does not say 'page fault'")
    t.check(regs["CR2"] == 0x8, "CR2 = 0x%x, expected 0x8" % regs["CR2"], report)
    err = int(t.search(r"error code 0x([0-9a-f]+)", report, "no error code").group(1), 16)
    t.check(err & 1 == 0 and err & 2 == 0, "error code 0x%x: expected a read of a not-present "
            "page (P=0, W=0)" % err, report)


# fault_ud and fault_wp fault on their first instruction, before they push a
# frame: a frame-pointer unwinder then skips their caller (cmd_selftest), so
# only the frames below it are required.
FRAMELESS_CALLERS = ("shell_run", "kernel_main")


@scenario("fault-ud", cost=6)
def fault_ud(t):
    fault(t, "ud", r"exception 6 \(#UD", "fault_ud", FRAMELESS_CALLERS)


@scenario("fault-de", cost=6)
def fault_de(t):
    fault(t, "de", r"exception 0 \(#DE", "fault_de")


@scenario("fault-wp", cost=6)
def fault_wp(t):
    """A write to the kernel's own code: code is mapped read-only, so #PF with
    P=1 W=1 at the address of fault_ud."""
    report, regs, syms = fault(t, "wp", r"exception 14 \(#PF", "fault_wp", FRAMELESS_CALLERS)
    err = int(t.search(r"error code 0x([0-9a-f]+)", report, "no error code").group(1), 16)
    t.check(err & 3 == 3, "error code 0x%x: expected a write to a present page (P=1, W=1)"
            % err, report)
    if "fault_ud" in syms:
        t.check(regs["CR2"] == syms["fault_ud"],
                "CR2 = 0x%x, expected fault_ud's address 0x%x" % (regs["CR2"], syms["fault_ud"]),
                report)


@scenario("fault-panic", cost=6)
def fault_panic(t):
    with t.boot(boot="bios", machine="q35", smp=2, mem="256M") as m:
        boot_to_prompt(t, m, "Multiboot2", "BIOS")
        m.send_raw("selftest fault panic\r")
        m.expect(r"selftest: panic on request", 30, what="the panic message")
        m.expect(r"System halted", 30, what="'System halted' after the panic")
        report = m.output()
        t.search(r"Backtrace", report, "the panic shows no backtrace")
        t.search(r"^\s+0x[0-9a-f]{16} cmd_selftest\+0x", report, "the backtrace lacks cmd_selftest")
        time.sleep(0.5)
        t.check(m.proc.poll() is None, "QEMU exited after the panic", report)
