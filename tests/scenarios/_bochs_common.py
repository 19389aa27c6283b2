"""What the Bochs scenarios (bochs_svm.py, bochs_vmx.py) share: the good
guests and the helpers that read `vm list` (not a scenario file: the runner
skips files whose name starts with "_")."""

import re
import time

import bochs
from _common import BANNER_RE
from harness import BUILD, clean, need_file

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
