"""Hostile serial input: the shell survives bytes no terminal would send."""

import random
import re

from harness import scenario
from _common import boot_to_prompt

SEED = 0x7E22A91
# NUL, the editor's own keys (Ctrl-A/C/E/U/W, BS, DEL, ESC), other C0 and C1
# controls (0x9b is an 8-bit CSI), and bytes that are not ASCII at all.
CONTROL = (b"\x00\x01\x03\x04\x05\x07\x08\x0b\x0c\x0e\x15\x17\x1a\x1b\x1c\x7f"
           b"\x80\x9b\xfe\xff")


def fuzz_bytes(rng, size):
    """Deterministic junk: raw bytes, escape-sequence fragments, control bytes,
    NUL and 0xff, printable runs, and now and then a line end. No Tab: it
    completes command names, and junk must never add up to a real command
    (reboot, poweroff, selftest) that would end the boot (Tab is tested in
    shell-line-editing)."""
    out = bytearray()
    while len(out) < size:
        kind = rng.random()
        if kind < 0.25:
            out += bytes(rng.randrange(256) for _ in range(rng.randrange(1, 24)))
        elif kind < 0.45:  # escape sequences, whole and broken
            seq = b"\x1b" + rng.choice([b"", b"[", b"O", b"[[", b"]"])
            seq += bytes(rng.choice(b"0123456789;?") for _ in range(rng.randrange(0, 8)))
            if rng.random() < 0.7:
                seq += bytes([rng.randrange(0x20, 0x7f)])
            out += seq
        elif kind < 0.6:
            out += bytes(rng.choice(CONTROL) for _ in range(rng.randrange(1, 8)))
        elif kind < 0.95:
            out += bytes(rng.randrange(0x20, 0x7f) for _ in range(rng.randrange(1, 40)))
        else:
            out += rng.choice([b"\r", b"\n", b"\r\n", b"\n\r", b"\r\r"])
    return bytes(out).replace(b"\t", b" ")


@scenario("shell-fuzz", cost=25)
def shell_fuzz(t):
    rng = random.Random(SEED)
    junk = fuzz_bytes(rng, 4096)
    t.check(b"\r" in junk and b"\x00" in junk and b"\xff" in junk and b"\x1b[" in junk,
            "the fuzz input lacks a byte class it should have")
    long_line = bytes(rng.randrange(0x21, 0x7f) for _ in range(4096))
    with t.boot(boot="bios", machine="q35", smp=2, mem="128M") as m:
        boot_to_prompt(t, m, "Multiboot2", "BIOS")
        m.cmd("help")
        m.send_raw(junk)
        m.send_raw(long_line)  # no line end: the editor must cap it, not overflow
        m.send_raw(b"\x03\r")  # Ctrl-C drops whatever is pending; CR gives a fresh prompt
        seen = m.quiet(idle=1.0, timeout=60)
        t.check(m.proc.poll() is None, "QEMU exited during the fuzz input (status %s)"
                % m.proc.poll(), seen)
        t.check(not re.search(r"FATAL|PANIC|System halted", seen), "Terrapin stopped", seen)
        out = m.cmd("help")
        t.search(r"^Commands", out, "help does not answer after the fuzz input")
        for c in ("help", "info", "mem", "uptime"):
            t.search(r"^  %s " % c, out, "help's list lacks %s after the fuzz input" % c)
        out = m.cmd("info")
        t.search(r"^boot door:\s+Multiboot2", out, "info does not answer after the fuzz input")
        t.note("%d junk bytes with %d line ends, then a %d-byte line"
               % (len(junk), junk.count(b"\r") + junk.count(b"\n"), len(long_line)))
