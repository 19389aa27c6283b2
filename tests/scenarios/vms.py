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


def wait_stopped(t, m, names, timeout=120):
    """Poll `vm list` until every VM in names has stopped; return the rows."""
    end = time.monotonic() + timeout
    while True:
        rows, out = vm_states(t, m)
        if all(rows.get(n, ("?",))[0] == "stopped" for n in names):
            return rows, out
        if time.monotonic() > end:
            raise Failure("VMs still running after %d s:\n%s" % (timeout, out))
        time.sleep(1)


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
        t.search(r"no VM named 'nosuch'", err, "vm start of an unknown VM")
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
        m.cmd("vm start m")  # a restart starts from scratch
        wait_stopped(t, m, ["m"])
        t.search(r"^m\| PASS$", clean(m.output()), "the restarted VM did not pass")
        m.cmd("vm destroy m")
        after, out = free_frames(t, m)
        t.check(after == before, "frames free before %d, after destroy %d" % (before, after), out)
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
