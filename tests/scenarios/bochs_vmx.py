"""Intel VT-x under Bochs's `corei7_skylake_x` model: VMX with EPT, VPID and
unrestricted guest, which QEMU's TCG lacks. The same terrapin.elf as on
AMD-V: Terrapin boots and picks VT-x, the good test guests pass, misbehaving
ones are stopped with the right reasons, a guest spinning with interrupts off
is preempted by the host timer (external-interrupt exiting) so the shell
answers, and ACPI S5 ends Bochs (the same checks as bochs_svm.py on `ryzen`).

Bochs starts through tests/bochs.py; a missing Bochs, ROM or CPU model makes
these scenarios skip, saying which."""

import re
import time

import bochs
from _bochs_common import (GOOD, N_LOOPS, boot_to_prompt, check_passed, guest, several_vms,
                           vm_states, wait_stopped)
from _common import online_cpus
from harness import BUILD, clean, make_iso, need_file, scenario

CPU = "corei7_skylake_x"


@scenario("bochs-vmx-boot", cost=40, limit=400)
def bochs_vmx_boot(t):
    """Terrapin boots in Bochs corei7_skylake_x with 2 CPUs, sees VT-x with
    EPT, VPID and unrestricted guest, picks it, and `poweroff` (ACPI S5) ends
    Bochs."""
    bochs.need_bochs(CPU)
    with bochs.boot(t, cpu=CPU, smp=2, mem=256) as m:
        boot_to_prompt(t, m)
        t.search(r"virt: Intel VT-x with ept", m.output(), "Terrapin did not pick VT-x with EPT")
        t.check(not re.search(r"vmx: .*(lacks|failed|locked)|could not enable", m.output()),
                "VT-x bring-up reported a problem", m.output())
        out = m.cmd("info")
        t.search(r"^cpu:\s+GenuineIntel", out, "info does not show an Intel CPU")
        a = t.search(r"^VT-x:\s+(.*)$", out, "info has no VT-x line")
        t.check(a.group(1).startswith("yes;"), "info: VT-x is not usable under Bochs " + CPU, out)
        for what in ("EPT yes", "VPID yes", "unrestricted guest yes", "VMCS shadowing yes"):
            t.search(r"\b%s\b" % what, a.group(1), "info: VT-x line lacks '%s'" % what)
        t.search(r"^AMD-V:\s+no\b", out, "info claims AMD-V on an Intel model")
        online_cpus(t, m, 2)
        start = m.pos
        m.send_raw("poweroff\r")
        m.wait_exit(120)
        said = m.output()[start:]
        t.search(r"poweroff: entering ACPI S5", said, "poweroff did not say it enters S5")
        t.check(not re.search(r"halting instead|FATAL|PANIC|not available", said),
                "poweroff reported a problem", said)
        t.search(r"ACPI control: soft power off", m.bochs_log(),
                 "Bochs ended, but not through ACPI S5 (no 'soft power off' in its log)")


@scenario("bochs-vmx-guests", cost=60, limit=500)
def bochs_vmx_guests(t):
    """The good test guests, started together on 2 CPUs, all pass under VT-x:
    real mode (the APs' SIPI), 32-bit and 64-bit guests, EPT, port and string
    I/O, MSRs, MMIO, timers, SMP and hypercalls (VMCALL)."""
    bochs.need_bochs(CPU)
    names = [g for g, _ in GOOD]
    mods = ["%s name=%s %s autostart" % (guest(g), g, a) for g, a in GOOD]
    iso = make_iso(t.name, modules=mods)
    with bochs.boot(t, cpu=CPU, smp=2, mem=256, iso=iso) as m:
        boot_to_prompt(t, m)
        t0 = time.monotonic()
        rows, out = wait_stopped(m, names)
        t.note("every guest stopped %.1f s after the prompt" % (time.monotonic() - t0))
        check_passed(t, m, rows, out, names)
        t.check(not re.search(r"refused|VM-instruction error", out),
                "a VM entry failed", out)
        st = m.cmd("stat exitloop")
        # Per iteration: CPUID twice, IN and OUT, RDMSR and WRMSR of
        # IA32_APIC_BASE, each with its length from the VM-exit
        # instruction-length field.
        for reason, least in (("cpuid", 2 * N_LOOPS), ("io", 2 * N_LOOPS),
                              ("msr-read", N_LOOPS), ("msr-write", N_LOOPS)):
            c = t.search(r"^\s+%s\s+(\d+)" % reason, st,
                         "stat shows no %s exits for exitloop" % reason)
            t.check(int(c.group(1)) >= least,
                    "stat: %s %s exits for exitloop, expected at least %d"
                    % (c.group(1), reason, least), st)


@scenario("bochs-vmx-misbehave", cost=40, limit=400)
def bochs_vmx_misbehave(t):
    """triple and unbacked are stopped with their reasons, vmx is stopped at
    its first VMX instruction (VMXON: a VM exit in VMX non-root operation)
    with the same reason and wording as a guest's VMRUN on AMD-V, naming the
    instruction's bytes; svm's SVM instructions raise #UD in the guest as on
    any Intel CPU (so it never passes), a guest's ACPI S5 powers only it off,
    and a good guest still passes."""
    bochs.need_bochs(CPU)
    bad = ("svm", "vmx", "triple", "unbacked")
    mods = ["%s name=%s mem=16M autostart" % (guest(g), g) for g in bad]
    mods.append("%s name=good mem=16M autostart" % guest("hello"))
    mods.append("%s name=off mem=16M autostart" % guest("power"))
    iso = make_iso(t.name, modules=mods)
    with bochs.boot(t, cpu=CPU, smp=1, mem=128, iso=iso) as m:
        boot_to_prompt(t, m)
        rows, out = wait_stopped(m, list(bad) + ["good", "off"])
        t.search(r"^off\s+stopped.*powered off \(ACPI S5\)", out, "S5 did not power the VM off")
        t.search(r"^triple\s+stopped.*triple fault", out,
                 "triple was not stopped for a triple fault")
        t.search(r"^unbacked\s+stopped.*wrote to unbacked guest-physical address 0xc0000000",
                 out, "unbacked was not stopped for its write to 0xc0000000")
        t.search(r"^svm\| svm: #UD at", clean(m.output()),
                 "svm's VMRUN did not raise #UD in the guest")
        t.check("status 0:" not in rows["svm"][1], "svm passed on an Intel CPU", out)
        t.search(r"^vmx\s+stopped.*executed a virtualization instruction \(nested "
                 r"virtualization is not enabled\) at rip 0x[0-9a-f]+ \(bytes: f3 0f c7 30\)",
                 out, "vmx was not stopped for executing VMXON (bytes f3 0f c7 30)")
        t.check(not re.search(r"^vmx\| vmx: #UD", clean(m.output()), re.M),
                "vmx's VMXON raised #UD in the guest instead of exiting", out)
        check_passed(t, m, rows, out, ["good"])
        t.search(r"Commands", m.cmd("help"), "the shell does not answer after the bad guests")
        if m.continues:
            t.note("Bochs's debugger stopped %d time(s) (the triple fault); continued"
                   % m.continues)


@scenario("bochs-vmx-spin", cost=50, limit=400)
def bochs_vmx_spin(t):
    """A guest spinning with interrupts off does not take the CPU from the
    shell or from a good guest: the host's timer interrupt ends its slice
    through external-interrupt exiting, whatever the guest's RFLAGS.IF."""
    bochs.need_bochs(CPU)
    mods = ["%s name=spin mem=16M autostart" % guest("spin"),
            "%s name=good mem=16M autostart" % guest("hello")]
    iso = make_iso(t.name, modules=mods)
    with bochs.boot(t, cpu=CPU, smp=1, mem=128, iso=iso) as m:
        boot_to_prompt(t, m)
        m.expect(r"spin: interrupts off, spinning forever", 120, what="spin to start spinning")
        m.send_raw("help\r")
        m.expect(r"^Commands", 30, what="help's answer while spin runs")
        m.wait_prompt()
        rows, out = wait_stopped(m, ["good"])
        check_passed(t, m, rows, out, ["good"])
        t.check(rows["spin"][0] == "running", "spin should still be running", out)
        regs = m.cmd("vcpu regs spin")
        t.search(r"^rip [0-9a-f]{16}\s+rflags [0-9a-f]{16}", regs, "vcpu regs shows no RIP")
        m.cmd("vm stop spin")
        rows, out = vm_states(m)
        t.check(rows["spin"][0] == "stopped", "vm stop did not stop spin", out)
        t.search(r"^spin\s+stopped.*stopped from the shell", out, "spin's reason")


# What Debian's kernel must not say about its (virtual) machine; "unchecked MSR
# access" is an MSR the CPUID promised but Terrapin does not handle.
LINUX_BAD = r"BUG|WARNING|ACPI Error|ACPI BIOS Error|Call Trace|unchecked MSR access|Kernel panic"
# Said of the CPU model, not of Terrapin: with the speculation-control MSRs
# hidden, an Intel model without eIBRS has only retpolines against RETBleed.
LINUX_NOT_OURS = r"RETBleed: WARNING"


@scenario("bochs-vmx-vms", cost=60, limit=500)
def bochs_vmx_vms(t):
    """Several multi-vCPU VMs, `console`, restart and destroy on VT-x."""
    several_vms(t, CPU)


@scenario("bochs-vmx-linux", cost=150, limit=600)
def bochs_vmx_linux(t):
    """Debian's stock kernel, in its uncompressed form (vmlinux: the kernel's
    own XZ decompression would be most of the boot here), and the busybox
    initramfs (`make linux-guest`) boot under VT-x (Bochs corei7_skylake_x,
    1 vCPU, 256 MiB,
    console=ttyS0) to the guest's shell with its /init banner; the kernel
    log is free of errors Terrapin would cause (MSRs an Intel kernel reads,
    XSAVE sizes, warnings, traces); `poweroff` in the guest ends the VM."""
    bochs.need_bochs(CPU)
    kernel = need_file(BUILD / "linux" / "vmlinux", "make linux-guest")
    initrd = need_file(BUILD / "linux" / "initramfs.cpio.gz", "make linux-guest")
    iso = make_iso(t.name, modules=[
        "%s name=linux mem=256M cpus=1 autostart cmdline=\"console=ttyS0\"" % kernel,
        "%s initrd-of=linux" % initrd])
    with bochs.boot(t, cpu=CPU, smp=1, mem=512, iso=iso) as m:
        boot_to_prompt(t, m)
        t0 = time.monotonic()
        m.expect(r"^linux\| Enter 'help' for a list of built-in commands", 420,
                 what="the Linux guest's shell")
        t.note("Linux reached its shell %.1f s after Terrapin's prompt" % (time.monotonic() - t0))
        out = clean(m.output())
        t.search(r"^linux\| Terrapin Linux guest: Linux \S+, 1 CPU\(s\)", out,
                 "the guest's /init banner is missing or counts the wrong CPUs")
        bad = [ln for ln in out.splitlines() if ln.startswith("linux|")
               and re.search(LINUX_BAD, ln) and not re.search(LINUX_NOT_OURS, ln)]
        t.check(not bad, "the kernel log has %d error lines" % len(bad), "\n".join(bad[:30]))
        m.quiet(1.0, 20)
        m.send_raw("console linux\r")
        m.expect(r"attached to linux's console", 60)
        m.send_raw("\r")
        m.expect(r"/ # ", 60, what="the guest's shell prompt")
        m.send_raw("poweroff\r")
        m.expect(r"back in the Terrapin shell", 240, what="the VM to end after poweroff")
        m.wait_prompt()
        rows = m.cmd("vm list")
        t.search(r"^linux\s+stopped.*powered off \(ACPI S5\)", rows,
                 "vm list does not show linux powered off")

