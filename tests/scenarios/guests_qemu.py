"""The test guests (guests/, built as build/guests/NAME.elf) booted straight by
plain QEMU with `-kernel`, no Terrapin in between: the reference that each
guest itself is right, so that when one fails under Terrapin the fault is
Terrapin's. Each guest prints "== guest NAME", its checks, then "PASS" or
"FAIL: reason" and writes to isa-debug-exit (0xf4): QEMU exits with status
(value << 1) | 1, so 1 is a pass, 3 a failed check, 5 an unexpected exception
and 7 a misbehaving guest that survived its bad act.

The misbehaving guests have their own expectations here: triple ends QEMU
(-no-reboot) with status 0; unbacked survives under QEMU (which ignores the
write) and says so; svm sees #UD for each SVM instruction and then fails; spin
never ends by itself."""

import re
import time

from harness import BUILD, Failure, Machine, Skip, rel, scenario

GUEST_DIR = BUILD / "guests"
EXIT_PASS, EXIT_FAIL, EXIT_SURVIVED = 1, 3, 7
RUN_TIMEOUT = 60  # a guest's whole run; all of them take a few seconds under TCG


class KernelMachine(Machine):
    """A QEMU that boots a Multiboot1 kernel with -kernel (and -append),
    with the same serial, debug-exit and -no-reboot setup as every machine."""

    def __init__(self, name, elf, append="", machine="q35", smp=2, mem="128M"):
        # Machine wants a boot medium: hand it the ELF as the "ISO", then
        # turn -cdrom into -kernel.
        super().__init__(name, boot="bios", machine=machine, smp=smp, mem=mem, iso=elf)
        i = self.args.index("-cdrom")
        self.args[i] = "-kernel"
        if append:
            self.args += ["-append", append]


def guest_elf(name):
    elf = GUEST_DIR / (name + ".elf")
    if not elf.is_file():
        raise Skip("%s is missing (make guests)" % rel(elf))
    return elf


def boot_guest(t, name, append="", **kw):
    """Start guest `name` under QEMU (a Test-owned machine: killed at the end)."""
    elf = guest_elf(name)
    n = len(t.machines) + 1
    log = t.name if n == 1 else "%s-%d" % (t.name, n)
    m = KernelMachine(log, elf, append, **kw)
    with t.lock:
        if t.timed_out:
            raise Failure("the scenario's time limit was reached")
        t.machines.append(m)
    return m


def run_to_exit(t, m, name):
    """Wait for the banner, then for QEMU to end; returns (status, output)."""
    m.expect(r"== guest %s \(" % re.escape(name), 30, what="the guest's banner")
    status = m.wait_exit(RUN_TIMEOUT)
    return status, m.output()


def expect_pass(t, name, append="", checks=(), **kw):
    with boot_guest(t, name, append, **kw) as m:
        status, out = run_to_exit(t, m, name)
        t.check(not re.search(r"^FAIL", out, re.M), "%s printed a FAIL line" % name, out)
        t.search(r"^PASS\r?$", out, "%s printed no PASS line" % name)
        t.check(status == EXIT_PASS, "%s: QEMU exit status %d, expected %d (debug-exit 0)"
                % (name, status, EXIT_PASS), out)
        for rx in checks:
            t.search(rx, out, "%s output" % name)
        return out


def expect_fail(t, name, reason_rx, status_want, append="", checks=(), **kw):
    with boot_guest(t, name, append, **kw) as m:
        status, out = run_to_exit(t, m, name)
        t.check(not re.search(r"^PASS", out, re.M), "%s printed a PASS line" % name, out)
        t.search(r"^FAIL: %s" % reason_rx, out, "%s's FAIL line" % name)
        t.check(status == status_want, "%s: QEMU exit status %d, expected %d"
                % (name, status, status_want), out)
        for rx in checks:
            t.search(rx, out, "%s output" % name)
        return out


# ---------------------------------------------------------------- passing guests


@scenario("guest-qemu-hello", cost=3, limit=120)
def hello(t):
    expect_pass(t, "hello", "name=world", [r"^Hello from world\r?$",
                                            r"loaded by \"qemu\""])


@scenario("guest-qemu-hello-default", cost=3, limit=120)
def hello_default(t):
    expect_pass(t, "hello", "", [r"^Hello from hello\r?$", r"32-bit protected mode"])


@scenario("guest-qemu-hello64", cost=3, limit=120)
def hello64(t):
    """Long mode, loaded through the Multiboot header's address fields."""
    expect_pass(t, "hello64", "name=long", [r"^Hello from long\r?$", r"64-bit long mode"])


@scenario("guest-qemu-strio", cost=3, limit=120)
def strio(t):
    """The reference for Terrapin's string I/O emulation: QEMU's own."""
    expect_pass(t, "strio", "", [r"^strio: this line went out with rep outsb\r?$",
                                 r"^strio: rep insb read \"QEMU\"\r?$"])


@scenario("guest-qemu-exitloop", cost=4, limit=120)
def exitloop(t):
    out = expect_pass(t, "exitloop", "n=2000",
                      [r"exitloop: CPU vendor \"\w{12}\"",
                       r"exitloop: 2000 iterations done, \d+ cycles each"])
    t.note(re.search(r"exitloop: 2000 iterations done.*", out).group(0).strip())


@scenario("guest-qemu-exitloop-badarg", cost=3, limit=120)
def exitloop_badarg(t):
    """A malformed argument is a clear failure, not a silent default."""
    expect_fail(t, "exitloop", r"n=12x: not a number", EXIT_FAIL, "n=12x")


@scenario("guest-qemu-memtouch", cost=5, limit=180)
def memtouch(t):
    out = expect_pass(t, "memtouch", "",
                      [r"memtouch: pattern 2 \(complement\): \d+ KiB verified",
                       r"memtouch: touched 12\d MiB"])
    t.note(re.search(r"memtouch: touched.*", out).group(0).strip())


@scenario("guest-qemu-memtouch-limit", cost=3, limit=120)
def memtouch_limit(t):
    expect_pass(t, "memtouch", "bytes=4M", [r"memtouch: touched 4 MiB in 1 regions"])


@scenario("guest-qemu-timer", cost=4, limit=120)
def timer(t):
    expect_pass(t, "timer", "", [r"timer: pit-pic: \d+ interrupts, HLT woke 3 times",
                                 r"timer: lapic: \d+ interrupts",
                                 r"timer: pit-ioapic: \d+ interrupts at GSI 2\b",
                                 r"timer: rtc-ioapic: \d+ interrupts at GSI 8\b",
                                 r"timer: 4 sources delivered interrupts"])


@scenario("guest-qemu-timer-pc", cost=4, limit=120)
def timer_pc(t):
    expect_pass(t, "timer", "", [r"timer: 4 sources delivered interrupts"], machine="pc")


@scenario("guest-qemu-smp", cost=4, limit=120)
def smp(t):
    expect_pass(t, "smp", "", [r"smp: BSP APIC ID 0, starting APIC ID 1",
                               r"smp: the AP ran \(counter 1\) and its IPI arrived"])


@scenario("guest-qemu-smp-1cpu", cost=3, limit=120)
def smp_1cpu(t):
    """With one CPU the guest says what it needs instead of hanging."""
    expect_fail(t, "smp", r".*give the VM 2 vCPUs", EXIT_FAIL, smp=1)


@scenario("guest-qemu-platform", cost=4, limit=120)
def platform(t):
    expect_pass(t, "platform", "", [r"platform: fw_cfg: 2 CPUs, RAM 0x8000000 \(128 MiB\)",
                                    r"platform: PM timer at port 0x[0-9a-f]+",
                                    r"platform: PCI 00:00\.0 is 8086:29c0"])


@scenario("guest-qemu-platform-pc", cost=4, limit=120)
def platform_pc(t):
    expect_pass(t, "platform", "", [r"platform: fw_cfg: 4 CPUs, RAM 0x10000000",
                                    r"platform: PCI 00:00\.0 is 8086:1237"],
                machine="pc", smp=4, mem="256M")


# ---------------------------------------------------------------- misbehaving guests


@scenario("guest-qemu-triple", cost=3, limit=120)
def triple(t):
    """A triple fault resets the machine; with -no-reboot QEMU exits with 0."""
    with boot_guest(t, "triple") as m:
        status, out = run_to_exit(t, m, "triple")
        t.search(r"triple: loading a null IDT and executing INT3", out, "triple's announcement")
        t.check(not re.search(r"^(PASS|FAIL)", out, re.M),
                "triple printed a verdict: it survived the triple fault", out)
        t.check(status == 0, "triple: QEMU exit status %d, expected 0 (shutdown)" % status, out)


@scenario("guest-qemu-unbacked", cost=3, limit=120)
def unbacked(t):
    """Plain QEMU drops the write: the guest survives and says so (Terrapin
    instead stops the VM at the nested page fault)."""
    expect_fail(t, "unbacked", r"survived", EXIT_SURVIVED, "",
                [r"unbacked: touched unbacked memory at 0xc0000000"])


@scenario("guest-qemu-svm", cost=3, limit=120)
def svm(t):
    out = expect_fail(t, "svm", r"survived", EXIT_SURVIVED, "", [r"svm: 5 of 5 raised #UD"])
    t.check(len(re.findall(r"svm: #UD at 0x", out)) == 5, "svm: expected 5 #UD reports", out)


@scenario("guest-qemu-spin", cost=6, limit=120)
def spin(t):
    """Interrupts off and a tight loop: still running seconds later."""
    with boot_guest(t, "spin") as m:
        m.expect(r"spin: interrupts off, spinning forever", 30, what="spin's announcement")
        time.sleep(3)
        out = m.output()
        t.check(m.proc.poll() is None,
                "spin: QEMU exited (status %s) but the guest should spin forever"
                % m.proc.returncode, out)
        t.check(not re.search(r"^(PASS|FAIL)", out, re.M), "spin printed a verdict", out)
