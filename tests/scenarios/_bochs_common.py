"""What the Bochs scenarios (bochs_svm.py, bochs_vmx.py) share: the good
guests and the helpers that read `vm list` (not a scenario file: the runner
skips files whose name starts with "_")."""

import re
import time

import bochs
from _common import BANNER_RE
from harness import BUILD, clean, make_iso, need_file

# The good test guests, and their arguments for Bochs: small memory sizes,
# since Terrapin clears a guest's RAM before starting it, ~10 ms of emulated
# time per MiB here.
GOOD = [
    ("hello", "mem=16M cpus=1"),
    ("exitloop", "mem=16M cpus=1 cmdline=\"n=500\""),
    ("memtouch", "mem=32M cpus=1"),
    ("timer", "mem=16M cpus=1"),
    ("smp", "mem=16M cpus=2"),
    ("platform", "mem=16M cpus=2"),
    ("hello64", "mem=16M cpus=1"),
    ("strio", "mem=16M cpus=1"),
    ("hypercall", "mem=16M cpus=1"),
    ("chaos", "mem=16M cpus=1 cmdline=\"rounds=2\""),
    ("fpu", "mem=16M cpus=1 cmdline=\"n=300\""),
]
N_LOOPS = 500  # exitloop's n


def guest(name):
    return str(need_file(BUILD / "guests" / (name + ".elf"), "make guests"))


def vm_states(m):
    """{name: (state, rest of the line)} from `vm list`, and the output."""
    out = m.cmd("vm list")
    rows = {}
    for line in out.splitlines()[1:]:
        f = line.split(None, 4)
        if len(f) >= 4:
            rows[f[0]] = (f[1], f[4] if len(f) > 4 else "")
    return rows, out


def wait_stopped(m, names, timeout=240):
    """Poll `vm list` until every VM in names has stopped; return the rows."""
    end = time.monotonic() + timeout
    while True:
        rows, out = vm_states(m)
        if all(rows.get(n, ("?",))[0] == "stopped" for n in names):
            return rows, out
        if time.monotonic() > end:
            raise m.fail("VMs still running after %d s:\n%s" % (timeout, out))
        time.sleep(2)


def check_passed(t, m, rows, out, names):
    for n in names:
        t.check(n in rows, "vm list does not show %s" % n, out)
        t.check("status 0:" in rows[n][1], "%s did not exit with status 0" % n, out)
        t.search(r"^%s\| PASS$" % re.escape(n), clean(m.output()), "%s printed no PASS line" % n)


def boot_to_prompt(t, m):
    """The banner says Multiboot2 from GRUB on BIOS; then the prompt."""
    b = m.expect(r"%s\r?\n|(?:^|[\r\n])(grub> )" % BANNER_RE, bochs.PROMPT_TIMEOUT,
                 what="the kernel banner 'Terrapin N.N.N: door ...'")
    if b.group(5):
        raise m.fail("the boot stopped at GRUB's prompt before Terrapin started")
    t.check(b.group(2) == "Multiboot2" and b.group(4) == "BIOS",
            "banner says door %s, firmware %s; expected Multiboot2, BIOS"
            % (b.group(2), b.group(4)), b.group(0))
    m.wait_prompt()
    t.note("prompt %.1f s after Bochs started" % m.elapsed())


def several_vms(t, cpu):
    """The QEMU scenarios of vms.py the good-guest runs do not cover, on
    Bochs CPU model `cpu`: three 2-vCPU VMs at once on 2 CPUs, `console` to a guest's UART and Ctrl-] back, a stopped VM restarted
    from scratch, and `vm destroy` giving back every frame it took."""
    bochs.need_bochs(cpu)
    mods = ["%s name=s%d mem=16M cpus=2 autostart" % (guest("smp"), i) for i in range(3)]
    mods.append("%s name=echo mem=16M autostart" % guest("echo"))
    iso = make_iso(t.name, modules=mods)
    with bochs.boot(t, cpu=cpu, smp=2, mem=256, iso=iso) as m:
        boot_to_prompt(t, m)
        names = ["s0", "s1", "s2"]
        rows, out = wait_stopped(m, names)
        check_passed(t, m, rows, out, names)
        end = time.monotonic() + 120
        while not re.search(r"^echo\| echo: ready", clean(m.output()), re.M):
            if time.monotonic() > end:
                raise m.fail("echo printed no ready line")
            time.sleep(1)
        m.send_raw("console echo\r")
        m.expect(r"attached to echo's console", 60)
        m.send_raw("over Bochs\r")
        m.expect(r"echo: got over Bochs", 60)
        m.send_raw("\x1d")
        m.expect(r"back in the Terrapin shell", 60)
        m.wait_prompt()

        def free_frames():
            out = m.cmd("mem")
            return int(t.search(r"^\s+free\s+(\d+) frames", out, "mem has no free count")
                       .group(1)), out

        before, _ = free_frames()
        since = len(clean(m.output()))
        m.cmd("vm start s0")  # a restart starts from scratch
        rows, out = wait_stopped(m, ["s0"])
        t.check(clean(m.output())[since:].count("s0| PASS") == 1, "the restarted s0 did not pass",
                m.output())
        m.cmd("vm destroy s0")
        after, out = free_frames()
        t.check(after - before >= 16 * 256,
                "free frames went from %d to %d: destroying a 16 MiB VM gave back too few"
                % (before, after), out)
