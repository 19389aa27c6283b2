"""Checks shared by several scenarios (not a scenario file: the runner skips
files whose name starts with "_")."""

import re
import time

from harness import PROMPT_TIMEOUT, Skip, clean, has_command  # noqa: F401 (re-exported)

# Commands every build has had since the boot skeleton.
BASE_COMMANDS = ("help", "info", "log", "mem", "selftest", "uptime")
# Commands the platform work adds (the issue that asked for these tests).
PLATFORM_COMMANDS = ("acpi", "cpus", "pci", "poweroff", "reboot")

# The first kernel line on the console: "[    0.000000] Terrapin 0.1.0: door ..."
BANNER_RE = r"Terrapin (\d+\.\d+\.\d+\S*): door (\S+), loader \"([^\"]*)\", firmware (\S+)"


def boot_to_prompt(t, m, door, firmware):
    """Wait for the banner and the first prompt; check the banner's door and
    firmware. Returns the boot text before the prompt (cleaned)."""
    # Also stop early when the firmware or GRUB gives up and opens its own prompt.
    b = m.expect(r"%s\r?\n|(?:^|[\r\n])(grub> |Shell> )" % BANNER_RE, PROMPT_TIMEOUT[m.boot],
                 what="the kernel banner 'Terrapin N.N.N: door ...'")
    if b.group(5):
        raise m.fail("the boot stopped at %s's prompt %r before Terrapin started"
                      % ("GRUB" if "grub" in b.group(5) else "the UEFI shell", b.group(5)))
    t.check(b.group(2) == door, "banner says door %s, expected %s" % (b.group(2), door),
            b.group(0))
    t.check(b.group(4) == firmware,
            "banner says firmware %s, expected %s" % (b.group(4), firmware), b.group(0))
    start = b.start()
    p = m.wait_prompt()
    return clean(m.output()[start:p.start()])


def check_info(t, m, door, firmware, cmdline=None):
    """`info` names the door and firmware (and the command line if given)."""
    out = m.cmd("info")
    t.search(r"^Terrapin \d+\.\d+\.\d+", out, "info has no version line")
    d = t.search(r"^boot door:\s+(\S+) \(loader \"[^\"]*\", firmware (\S+)\)", out,
                 "info has no 'boot door' line")
    t.check(d.group(1) == door, "info says door %r, expected %r" % (d.group(1), door), out)
    t.check(d.group(2) == firmware,
            "info says firmware %r, expected %r" % (d.group(2), firmware), out)
    c = t.search(r"^command line:\s+\"(.*)\"$", out, "info has no 'command line' line")
    if cmdline is not None:
        t.check(c.group(1) == cmdline,
                "info shows command line %r, expected %r" % (c.group(1), cmdline), out)
    return out


def info_memory_mib(t, out):
    mm = t.search(r"^memory:\s+(\d+) MiB usable, (\d+) MiB free", out, "info has no memory line")
    return int(mm.group(1)), int(mm.group(2))


def mem_totals(t, m):
    """`mem`: (total KiB, free KiB), checked for consistency."""
    out = m.cmd("mem")
    tot = t.search(r"^\s*total\s+(\d+) frames\s+(\d+) KiB", out, "mem shows no total")
    free = t.search(r"^\s*free\s+(\d+) frames\s+(\d+) KiB", out, "mem shows no free count")
    tf, tk, ff, fk = (int(x) for x in tot.groups() + free.groups())
    t.check(tk == tf * 4 and fk == ff * 4, "mem: frames and KiB disagree (4 KiB frames)", out)
    t.check(0 < ff <= tf, "mem: free (%d) must be positive and at most total (%d)" % (ff, tf), out)
    # Frames by owner add up to the total.
    owners = re.findall(r"^\s*(\w[\w-]*)\s+(\d+) frames\s+\d+ KiB", out, re.M)
    by_owner = sum(int(n) for name, n in owners if name != "total")
    t.check(by_owner == tf, "mem: frames by owner add up to %d, total says %d" % (by_owner, tf),
            out)
    return tk, fk, out


def check_memory_size(t, m, lo_mib, hi_mib):
    """`info` and `mem` agree that usable memory is within [lo_mib, hi_mib]."""
    out = m.cmd("info")
    usable, free = info_memory_mib(t, out)
    t.check(lo_mib <= usable <= hi_mib,
            "info: %d MiB usable, expected %d..%d MiB" % (usable, lo_mib, hi_mib), out)
    t.check(free <= usable, "info: more free (%d) than usable (%d)" % (free, usable), out)
    tk, fk, mout = mem_totals(t, m)
    t.check(lo_mib * 1024 <= tk <= hi_mib * 1024,
            "mem: %d KiB total, expected %d..%d MiB" % (tk, lo_mib, hi_mib), mout)
    return usable, tk


def check_help(t, m, commands=BASE_COMMANDS):
    """`help` lists every command with a description; `help mem` describes mem
    the same way; a wrong name is an error."""
    out = m.cmd("help")
    t.search(r"^Commands", out, "help has no header")
    listed = dict(re.findall(r"^  (\S+)\s+(\S.*)$", out, re.M))
    for c in commands:
        t.check(c in listed, "help does not list %r" % c, out)
    one = m.cmd("help mem")
    t.search(r"^mem\b", one, "'help mem' does not start with the command")
    t.check(listed["mem"] in one, "'help mem' does not show mem's description %r"
            % listed["mem"], one)
    bad = m.cmd("help nosuchcmd")
    t.search(r"no command 'nosuchcmd'", bad, "'help nosuchcmd' is not an error")
    return listed


def check_unknown(t, m):
    out = m.cmd("frobnicate --now")
    t.search(r"unknown command 'frobnicate'", out, "an unknown command is not reported")


def check_log(t, m, boot_text):
    """`log` repeats the kernel lines printed during boot."""
    out = m.cmd("log")
    boot_lines = [ln.strip() for ln in boot_text.splitlines() if re.match(r"^\[\s*\d+\.\d+\]", ln)]
    t.check(len(boot_lines) >= 2, "fewer than 2 timestamped kernel lines during boot", boot_text)
    t.search(BANNER_RE, out, "log does not hold the banner")
    t.search(r"init done in \d+ us", out, "log does not hold 'init done'")
    logged = [ln.strip() for ln in out.splitlines()]
    if len(logged) >= 250:
        boot_lines = boot_lines[-50:]  # the ring (256 lines) may have dropped the oldest
    for ln in boot_lines:
        # The ring keeps lines up to 160 bytes: compare what fits.
        t.check(any(l.startswith(ln[:150]) for l in logged), "log lacks the boot line %r" % ln,
                out)
    bad = m.cmd("log level loud")
    t.search(r"unknown level 'loud'", bad, "'log level loud' is not an error")
    return out


def uptime_us(t, m):
    out = m.cmd("uptime")
    u = t.search(r"^up (\d+)\.(\d{3}) s \((\d+)h (\d{2})m (\d{2})s\)", out, "uptime output")
    return int(u.group(1)) * 1000000 + int(u.group(2)) * 1000


def check_uptime(t, m):
    """uptime answers and moves forward."""
    a = uptime_us(t, m)
    time.sleep(1.0)
    b = uptime_us(t, m)
    t.check(b > a, "uptime did not advance over 1 s of wall time (%d us then %d us)" % (a, b))


# PCI functions every machine has: (vendor, device) -> what it is.
PCI_Q35 = {("8086", "29c0"): "Q35 host bridge", ("8086", "2918"): "ICH9 LPC/ISA bridge",
           ("8086", "2922"): "ICH9 AHCI"}
PCI_PC = {("8086", "1237"): "i440FX host bridge", ("8086", "7000"): "PIIX3 ISA bridge",
          ("8086", "7010"): "PIIX3 IDE"}


def check_pci(t, m, expected):
    """`pci` lists the machine's standard functions as vendor:device."""
    out = m.cmd("pci")
    low = out.lower()
    for (ven, dev), what in expected.items():
        t.check(re.search(r"\b%s:%s\b" % (ven, dev), low) or
                re.search(r"\b0x%s\b.*\b0x%s\b" % (ven, dev), low),
                "pci does not list %s (%s:%s)" % (what, ven, dev), out)
    return out


def acpi_tables(t, m):
    """`acpi`: (the signatures of the tables it lists, its output). A table row
    starts with the signature (summary lines such as "DMAR: ..." have a colon)."""
    out = m.cmd("acpi")
    sigs = set(re.findall(r"^\s*([A-Z0-9]{4})\b(?!:)", out, re.M))
    return sigs, out


def check_acpi(t, m, tables, absent=()):
    """`acpi` lists the given table signatures, and none of `absent`."""
    sigs, out = acpi_tables(t, m)
    for sig in tables:
        t.check(sig in sigs, "acpi does not list the %s table" % sig, out)
    for sig in absent:
        t.check(sig not in sigs, "acpi lists a %s table this machine does not have" % sig, out)
    return out


def online_cpus(t, m, n):
    """`cpus` shows n CPUs, all online; `info` agrees."""
    out = m.cmd("cpus")
    # One row per CPU whose state says online ("offline" does not match), and
    # a summary "N of M CPUs online".
    rows = [ln for ln in out.splitlines() if re.search(r"\bonline\b", ln, re.I)
            and not re.search(r"\d+ of \d+", ln)]
    t.check(len(rows) == n, "cpus: %d rows say online, expected %d" % (len(rows), n), out)
    summary = re.search(r"(\d+) of (\d+) CPUs? online", out)
    t.check(summary, "cpus: no 'N of M CPUs online' summary", out)
    t.check(int(summary.group(1)) == n and int(summary.group(2)) == n,
            "cpus: '%s', expected %d of %d online" % (summary.group(0), n, n), out)
    t.check(not re.search(r"\b(offline|failed|dead|stuck|timeout)\b", out, re.I),
            "cpus: some CPU is not online", out)
    info = m.cmd("info")
    c = t.search(r"^cpus:\s+(\d+) online of (\d+)", info, "info has no cpus line")
    t.check(int(c.group(1)) == n and int(c.group(2)) == n,
            "info: %s online of %s CPUs, expected %d of %d" % (c.group(1), c.group(2), n, n),
            info)
    return out


def power(t, m, command, expect_re, bad_re):
    """Type `command`; QEMU must exit by itself with status 0 (ACPI S5 or a
    reset under -no-reboot), after printing `expect_re` and never `bad_re`."""
    if not has_command(m, command):
        raise Skip("no '%s' command in this build (help does not list it)" % command)
    start = m.pos
    m.send_raw(command + "\r")
    status = m.wait_exit(60)
    out = m.output()[start:]
    if expect_re:
        t.search(expect_re, out, "%s did not say what it does" % command)
    t.check(not re.search(bad_re, out), "%s: the output shows %r" % (command, bad_re), out)
    t.check(status == 0, "%s: QEMU exited with status %d, expected 0" % (command, status), out)
    return out


def poweroff(t, m):
    return power(t, m, "poweroff", r"poweroff: entering ACPI S5",
                 r"halting instead|FATAL|PANIC|not available")


def reboot(t, m):
    # The ACPI reset register (q35's FADT has one) or the 8042; never the
    # last-resort triple fault. (The reset can be too quick for any message.)
    return power(t, m, "reboot", None, r"triple fault|FATAL|PANIC")
