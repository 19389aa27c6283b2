"""Guests on AMD-V with nested paging (QEMU TCG -cpu max): every test guest
passes, several multi-vCPU VMs share the CPUs, misbehaving guests are stopped
with the right reason while the rest and the shell go on, and a destroyed VM
gives back every frame."""

import re
import time

from harness import BUILD, Failure, clean, make_iso, need_file, scenario

GOOD = [  # guest image, extra arguments
    ("hello", "cpus=1"),
    ("hello64", "cpus=1"),
    ("exitloop", "cpus=1 cmdline=\"n=2000\""),
    ("memtouch", "cpus=1"),
    ("timer", "cpus=1"),
    ("smp", "cpus=2"),
    ("platform", "cpus=2"),
    ("strio", "cpus=1"),
]


def guest(name):
    return str(need_file(BUILD / "guests" / (name + ".elf"), "make guests"))


def vm_states(t, m):
    """{name: (state, rest of the line)} from `vm list`."""
    out = m.cmd("vm list")
    rows = {}
    for line in out.splitlines()[1:]:
        f = line.split(None, 4)
        if len(f) >= 4:
            rows[f[0]] = (f[1], f[4] if len(f) > 4 else "")
    return rows, out


def wait_output(t, m, regex, timeout=120, what=None, since=0):
    """Wait, typing nothing (typed echo would interleave with guest lines),
    until the console output from offset `since` on matches regex."""
    end = time.monotonic() + timeout
    while not re.search(regex, clean(m.output())[since:], re.M):
        if time.monotonic() > end:
            raise Failure("%s: no %r after %d s\n--- output ---\n%s"
                          % (what or "waiting", regex, timeout, clean(m.output())[-3000:]))
        time.sleep(0.3)


def wait_stopped(t, m, names, timeout=120, since=0):
    """Wait for Terrapin's "vm NAME: stopped" line of every VM in names (in the
    output from offset `since`), then return the rows of `vm list`."""
    for n in names:
        wait_output(t, m, r"vm %s: stopped: " % re.escape(n), timeout, "%s did not stop" % n,
                    since)
    rows, out = vm_states(t, m)
    for n in names:
        t.check(rows.get(n, ("?",))[0] == "stopped", "vm list does not show %s stopped" % n, out)
    return rows, out


def check_passed(t, m, rows, out, names):
    for n in names:
        t.check(n in rows, "vm list does not show %s" % n, out)
        t.check("status 0:" in rows[n][1], "%s did not exit with status 0" % n, out)
        t.search(r"^%s\| PASS$" % re.escape(n), clean(m.output()), "%s printed no PASS line" % n)


@scenario("vm-guests-svm", cost=40)
def vm_guests(t):
    """Every test guest at once, each reporting PASS and exiting with status 0."""
    mods = ["%s name=%s mem=64M %s autostart" % (guest(g), g, a) for g, a in GOOD]
    iso = make_iso(t.name, modules=mods)
    with t.boot(boot="bios", machine="q35", smp=2, mem="1G", iso=iso) as m:
        m.wait_prompt()
        names = [g for g, _ in GOOD]
        rows, out = wait_stopped(t, m, names)
        check_passed(t, m, rows, out, names)
        st = m.cmd("stat exitloop")
        t.search(r"^\s+cpuid\s+(\d+)", st, "stat shows no cpuid exits for exitloop")
        t.search(r"^\s+io\s+\d+", st, "stat shows no io exits")


@scenario("vm-three-smp", cost=30)
def vm_three_smp(t):
    """Three VMs with 2 vCPUs each on a 2-CPU machine."""
    names = ["smp1", "smp2", "smp3"]
    mods = ["%s name=%s mem=32M cpus=2 autostart" % (guest("smp"), n) for n in names]
    iso = make_iso(t.name, modules=mods)
    with t.boot(boot="bios", machine="q35", smp=2, mem="512M", iso=iso) as m:
        m.wait_prompt()
        rows, out = wait_stopped(t, m, names)
        check_passed(t, m, rows, out, names)


@scenario("vm-misbehave", cost=30)
def vm_misbehave(t):
    """Bad guests are stopped with a reason; a good one and the shell carry on,
    on a single CPU even while one guest spins with interrupts off."""
    mods = ["%s name=%s mem=32M autostart" % (guest(g), g) for g in ("svm", "triple", "unbacked", "spin")]
    mods.append("%s name=good mem=16M autostart" % guest("hello"))
    mods.append("%s name=badargs mem=12Q" % guest("hello"))
    iso = make_iso(t.name, modules=mods)
    with t.boot(boot="bios", machine="q35", smp=1, mem="512M", iso=iso) as m:
        m.wait_prompt()
        rows, out = wait_stopped(t, m, ["svm", "triple", "unbacked", "good"])
        t.search(r"^svm\s+stopped.*virtualization instruction.*bytes: 0f 01 d8\)", out,
                 "svm was not stopped for executing VMRUN")
        t.search(r"^triple\s+stopped.*triple fault", out, "triple was not stopped for a triple fault")
        t.search(r"^unbacked\s+stopped.*wrote to unbacked guest-physical address 0xc0000000", out,
                 "unbacked was not stopped for its write to 0xc0000000")
        t.search(r"^vm1?\d?\s+stopped.*bad arguments: mem=12Q: not a size", out,
                 "the VM with bad arguments is not listed with the reason")
        check_passed(t, m, rows, out, ["good"])
        t.check(rows["spin"][0] == "running", "spin should still be running", out)
        # The shell answers while spin holds the only CPU's guest time.
        t.search(r"Commands", m.cmd("help"), "help did not answer while spin runs")
        m.cmd("vm stop spin")
        rows, out = vm_states(t, m)
        t.check(rows["spin"][0] == "stopped", "vm stop did not stop spin", out)
        t.search(r"^spin\s+stopped.*stopped from the shell", out)
        err = m.cmd("vm start nosuch")
        t.search(r"no such VM 'nosuch'", err, "vm start of an unknown VM")
        t.search(r"usage: vm", m.cmd("vm frobnicate x"), "vm with a bad verb")


def free_frames(t, m):
    out = m.cmd("mem")
    return int(t.search(r"^\s+free\s+(\d+) frames", out, "mem shows no free count").group(1)), out


@scenario("vm-destroy-frees", cost=20)
def vm_destroy_frees(t):
    """Start, stop, restart and destroy a VM: afterwards every frame is back."""
    iso = make_iso(t.name, modules=["%s name=m mem=64M cpus=2" % guest("smp")])
    with t.boot(boot="bios", machine="q35", smp=2, mem="512M", iso=iso) as m:
        m.wait_prompt()
        before, _ = free_frames(t, m)
        m.cmd("vm start m")
        wait_stopped(t, m, ["m"])
        during, out = free_frames(t, m)
        t.check(before - during >= 64 * 256, "a 64 MiB VM should hold >= 16384 frames", out)
        t.search(r"^\s+vm 0\s+\d+ frames", out, "mem shows no frames owned by the VM")
        since = len(clean(m.output()))
        m.cmd("vm start m")  # a restart starts from scratch
        wait_stopped(t, m, ["m"], since=since)
        t.search(r"^m\| PASS$", clean(m.output()), "the restarted VM did not pass")
        m.cmd("vm destroy m")
        after, out = free_frames(t, m)
        # Everything the runs took is back, and the VM's own record too.
        t.check(after >= before, "frames free before %d, after destroy %d" % (before, after), out)
        t.check("vm 0" not in out, "frames still owned by the destroyed VM", out)


@scenario("vm-on-idle-exit", cost=15)
def vm_on_idle_exit(t):
    """on_idle=exit: QEMU's exit status carries the guest's verdict."""
    for g, want in (("hello", 1), ("unbacked", (255 << 1 | 1) & 0xff)):
        iso = make_iso("%s-%s" % (t.name, g), cmdline="on_idle=exit",
                       modules=["%s name=%s mem=32M autostart" % (guest(g), g)])
        with t.boot(boot="bios", machine="q35", smp=2, mem="256M", iso=iso) as m:
            status = m.wait_exit(60)
            t.check(status == want, "%s: QEMU exit status %d, expected %d" % (g, status, want),
                    m.output())


@scenario("vm-hypercall-console", cost=20)
def vm_hypercall_console(t):
    """The hypercall ABI and CPUID leaves from a guest; `console NAME` carries
    typed input to a guest's UART and Ctrl-] comes back; `vcpu regs` and `gpa`
    inspect a live VM."""
    iso = make_iso(t.name, modules=[
        "%s name=hc mem=16M autostart" % guest("hypercall"),
        "%s name=echo mem=16M autostart" % guest("echo"),
    ])
    with t.boot(boot="bios", machine="q35", smp=2, mem="256M", iso=iso) as m:
        m.wait_prompt()
        rows, out = wait_stopped(t, m, ["hc"])
        t.check("status 0:" in rows["hc"][1], "hc did not leave through the exit hypercall", out)
        text = clean(m.output())
        t.search(r"^hc\| hypercall: this line came through HC_CONSOLE_WRITE$", text,
                 "the console-write hypercall's line is missing")
        t.search(r"^hc\| hypercall: RDMSR of VM_CR raised #GP 1 time", text)
        t.search(r"^hc\| PASS$", text)
        wait_output(t, m, r"^echo\| echo: ready$", 60, "echo did not start")
        regs = m.cmd("vcpu regs echo")
        t.search(r"^rip [0-9a-f]{16}\s+rflags", regs, "vcpu regs shows no rip")
        t.search(r"^cs\s+sel 0008 base 0000000000000000 limit ffffffff", regs,
                 "vcpu regs shows the wrong CS for a Multiboot guest")
        t.search(r"usage: vcpu", m.cmd("vcpu regs"), "vcpu regs without a VM")
        t.search(r"not a vCPU of echo", m.cmd("vcpu regs echo 5"))
        walk = m.cmd("gpa echo 0x100000")
        t.search(r"-> host 0x[0-9a-f]+, (4|2048) KiB page, rwx", walk, "gpa does not translate RAM")
        t.search(r"not mapped \(device MMIO: emulated\)", m.cmd("gpa echo 0xfec00000"),
                 "gpa does not show the IOAPIC as emulated MMIO")
        t.search(r"not mapped", m.cmd("gpa echo 0xc0000000"))
        m.send_raw("console echo\r")
        m.expect(r"attached to echo's console")
        m.send_raw("hello there\r")
        m.expect(r"echo: got hello there")
        m.send_raw("\x1d")
        m.expect(r"back in the Terrapin shell")
        m.wait_prompt()
        rows, out = vm_states(t, m)
        t.check(rows["echo"][0] == "running", "echo should still run after detaching", out)
        m.send_raw("console echo\r")
        m.expect(r"attached to echo's console")
        m.send_raw("quit\r")
        m.expect(r"echo: got quit")
        m.send_raw("\x1d")
        m.wait_prompt()
        rows, out = wait_stopped(t, m, ["echo"])
        t.check("status 0:" in rows["echo"][1], "echo did not pass after quit", out)


@scenario("vm-guest-power", cost=10)
def vm_guest_power(t):
    """A guest's ACPI S5 and chipset reset end its VM with that reason."""
    iso = make_iso(t.name, modules=[
        "%s name=off mem=16M autostart" % guest("power"),
        "%s name=rst mem=16M autostart cmdline=\"how=reset\"" % guest("power"),
    ])
    with t.boot(boot="bios", machine="q35", smp=2, mem="256M", iso=iso) as m:
        m.wait_prompt()
        rows, out = wait_stopped(t, m, ["off", "rst"])
        t.search(r"^off\s+stopped.*powered off \(ACPI S5\)", out, "S5 did not power the VM off")
        t.search(r"^rst\s+stopped.*the guest reset the machine", out, "0xcf9 did not reset the VM")
        t.check("survived" not in clean(m.output()), "a power request returned to the guest",
                m.output())


@scenario("vm-chaos", cost=40)
def vm_chaos(t):
    """Hostile guests (random ports, APIC/IOAPIC registers, MSRs, CPUID leaves,
    three seeds) neither crash Terrapin nor disturb a well-behaved guest."""
    names = ["chaos1", "chaos2", "chaos3"]
    mods = ["%s name=%s mem=16M autostart cmdline=\"seed=%d\"" % (guest("chaos"), n, i + 1)
            for i, n in enumerate(names)]
    mods.append("%s name=ok mem=16M autostart" % guest("hello"))
    iso = make_iso(t.name, modules=mods)
    with t.boot(boot="bios", machine="q35", smp=2, mem="512M", iso=iso) as m:
        m.wait_prompt()
        rows, out = wait_stopped(t, m, names + ["ok"], timeout=240)
        check_passed(t, m, rows, out, names + ["ok"])
        text = clean(m.output())
        t.check("FATAL" not in text and "PANIC" not in text, "Terrapin faulted", text)
        for n in names:
            t.search(r"^%s\| chaos: 8 rounds done: [1-9]\d* #GP" % n, text,
                     "%s did not report its rounds" % n)
        t.search(r"^\s+mmio\s+[1-9]", m.cmd("stat chaos1"), "chaos1 made no MMIO exits")
        t.search(r"Commands", m.cmd("help"), "the shell stopped answering")


@scenario("vm-fpu-shared-cpu", cost=15)
def vm_fpu_shared_cpu(t):
    """Two guests on one host CPU fill their SSE/AVX registers with different
    patterns and check them across host ticks and exits: each keeps its own
    registers and its own XCR0 (XSETBV, with #GP for forbidden values)."""
    iso = make_iso(t.name, modules=[
        "%s name=f1 mem=16M autostart cmdline=\"seed=1\"" % guest("fpu"),
        "%s name=f2 mem=16M autostart cmdline=\"seed=2\"" % guest("fpu"),
    ])
    with t.boot(boot="bios", machine="q35", smp=1, mem="256M", iso=iso) as m:
        m.wait_prompt()
        rows, out = wait_stopped(t, m, ["f1", "f2"])
        check_passed(t, m, rows, out, ["f1", "f2"])
        text = clean(m.output())
        t.search(r"^f1\| fpu: XCR0 = 0x[37], forbidden values raise #GP", text)
        t.search(r"^f2\| fpu: 2000 rounds of [xy]mm0-15 kept", text)
