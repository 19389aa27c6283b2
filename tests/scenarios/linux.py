"""Debian's stock Linux kernel, unmodified, as a Terrapin guest (QEMU TCG
-cpu max, AMD-V with nested paging): it boots with ACPI to a busybox shell with
1 and with 2 vCPUs; the test types commands into it through `console` and
reads the answers; the kernel log is free of errors Terrapin would cause;
`poweroff` in the guest ends the VM; a test guest runs beside it.

The kernel and initramfs come from `make linux-guest` (guests/linux/build.sh)."""

import re
import time

from harness import BUILD, clean, make_iso, need_file, scenario

# What the kernel must not say about its (virtual) machine.
BAD = r"BUG|WARNING|ACPI Error|Call Trace|ACPI BIOS Error"
SHELL_READY = r"^linux\| Enter 'help' for a list of built-in commands"


def linux_modules(args, form="vmlinuz"):
    """The kernel (`vmlinuz`, the bzImage, or `vmlinux`, uncompressed) and the
    initrd as two modules."""
    kernel = need_file(BUILD / "linux" / form, "make linux-guest")
    initrd = need_file(BUILD / "linux" / "initramfs.cpio.gz", "make linux-guest")
    return ["%s name=linux %s autostart cmdline=\"console=ttyS0\"" % (kernel, args),
            "%s initrd-of=linux" % initrd]


def wait_for(m, regex, timeout, what):
    """Wait (typing nothing) until the whole output matches regex."""
    end = time.monotonic() + timeout
    while not re.search(regex, clean(m.output()), re.M):
        if time.monotonic() > end or m.proc.poll() is not None:
            raise m.fail("%s: no %r after %d s" % (what, regex, timeout))
        time.sleep(0.3)


def guest_sh(m, line, regex, timeout=60):
    """Type a line into the attached guest shell; return the match of regex in
    what follows."""
    m.send_raw(line + "\r")
    return m.expect(regex, timeout, what="the answer to %r" % line)


def boot_linux(t, m, cpus):
    """From Terrapin's prompt to the guest's shell; returns the seconds it took."""
    m.wait_prompt()
    start = time.monotonic()
    wait_for(m, SHELL_READY, 300, "Linux did not reach its shell")
    took = time.monotonic() - start
    out = clean(m.output())
    t.search(r"^linux\| Terrapin Linux guest: Linux \S+, %d CPU\(s\)" % cpus, out,
             "the guest's /init banner is missing or counts the wrong CPUs")
    t.check("Kernel panic" not in out, "the guest kernel panicked", out)
    m.quiet(1.0, 10)
    m.send_raw("console linux\r")
    m.expect(r"attached to linux's console")
    guest_sh(m, "", r"/ # ")
    return took


def check_linux(t, m, cpus, end="poweroff"):
    """The guest's CPUs, log, tmpfs; then `end` (poweroff or reboot) must stop
    the VM with the matching reason."""
    n = guest_sh(m, "grep -c ^processor /proc/cpuinfo", r"^(\d+)\s*$")
    t.check(int(n.group(1)) == cpus, "/proc/cpuinfo shows %s CPUs, not %d" % (n.group(1), cpus))
    h = guest_sh(m, "grep -c '^flags.* hypervisor' /proc/cpuinfo", r"^(\d+)\s*$")
    t.check(int(h.group(1)) == cpus, "not every CPU has the hypervisor flag")
    # The offending lines first (for the log), then their count.
    guest_sh(m, "dmesg | grep -E '%s'; echo bad=$(dmesg | grep -cE '%s')" % (BAD, BAD),
             r"^bad=\d+")
    text = clean(m.output())
    bad = re.findall(r"^bad=(\d+)", text, re.M)[-1]
    t.check(bad == "0", "the kernel log has %s error lines" % bad, text)
    acpi = guest_sh(m, "dmesg | grep -c 'ACPI: Interpreter enabled'", r"^(\d+)\s*$")
    t.check(acpi.group(1) == "1", "Linux did not enable its ACPI interpreter")
    guest_sh(m, "echo terrapin-$((6 * 7)) > /tmp/f && cat /tmp/f", r"^terrapin-42\s*$")
    guest_sh(m, "mount | grep -c ' /tmp type tmpfs'", r"^1\s*$")
    guest_sh(m, end, r"back in the Terrapin shell", 120)
    m.wait_prompt()
    rows = m.cmd("vm list")
    why = {"poweroff": r"powered off \(ACPI S5\)", "reboot": r"the guest reset the machine"}[end]
    t.search(r"^linux\s+stopped.*%s" % why, rows, "vm list does not show linux stopped by %s" % end)


@scenario("linux-2cpu", cost=120, limit=600)
def linux_2cpu(t):
    """Linux with 2 vCPUs and 256 MiB: shell, CPUs, clean log, tmpfs, poweroff."""
    iso = make_iso(t.name, modules=linux_modules("mem=256M cpus=2"))
    with t.boot(boot="bios", machine="q35", smp=2, mem="1G", iso=iso) as m:
        took = boot_linux(t, m, 2)
        t.note("Terrapin prompt to the Linux shell: %.1f s" % took)
        check_linux(t, m, 2)
        st = m.cmd("stat linux")
        t.note("stat: " + " ".join(st.split()))


@scenario("linux-1cpu-beside", cost=120, limit=600)
def linux_1cpu_beside(t):
    """Linux, uncompressed (vmlinux, the ELF the bzImage holds), with 1 vCPU
    and 2 GiB beside test guests that pass while it boots; the guest's
    `reboot` ends its VM as a reset."""
    hello = need_file(BUILD / "guests" / "hello.elf", "make guests")
    timer = need_file(BUILD / "guests" / "timer.elf", "make guests")
    mods = linux_modules("mem=2G cpus=1", "vmlinux") + [
        "%s name=hello mem=16M autostart" % hello,
        "%s name=timer mem=16M autostart" % timer,
    ]
    iso = make_iso(t.name, modules=mods)
    with t.boot(boot="bios", machine="q35", smp=2, mem="3G", iso=iso) as m:
        boot_linux(t, m, 1)
        mem = guest_sh(m, "awk '/MemTotal/ { print int($2 / 1024) \" MiB\" }' /proc/meminfo",
                       r"^(\d+) MiB")
        t.check(1900 <= int(mem.group(1)) <= 2048, "Linux sees %s MiB of 2 GiB" % mem.group(1))
        out = clean(m.output())
        for g in ("hello", "timer"):
            t.search(r"^%s\| PASS$" % g, out, "%s did not pass beside Linux" % g)
        check_linux(t, m, 1, end="reboot")
