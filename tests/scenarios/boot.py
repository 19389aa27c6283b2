"""The boot doors: BIOS GRUB on q35 and pc, GRUB under UEFI, the native EFI
application; each boot also checks the basic shell commands."""

import re
import shutil

from harness import BUILD, make_esp, need_file, rel, scenario, work_dir
from _common import (PLATFORM_COMMANDS, PCI_PC, PCI_Q35, boot_to_prompt, check_acpi, check_help,
                     check_info, check_log, check_memory_size, check_pci, check_unknown,
                     check_uptime, online_cpus, poweroff)

# The ACPI tables QEMU gives every machine (FACP is the FADT's signature).
ACPI_BASE = ("RSDP", "FACP", "DSDT", "APIC")


def shell_tour(t, m, door, firmware, machine, boot_text, mem_lo, mem_hi, smp=2):
    """One boot, every basic command."""
    check_info(t, m, door, firmware, cmdline="")
    listed = check_help(t, m)
    check_unknown(t, m)
    check_memory_size(t, m, mem_lo, mem_hi)
    check_log(t, m, boot_text)
    if "acpi" in listed:
        check_acpi(t, m, ACPI_BASE + (("MCFG",) if machine == "q35" else ()))
    if "pci" in listed:
        check_pci(t, m, PCI_Q35 if machine == "q35" else PCI_PC)
    if "cpus" in listed:
        online_cpus(t, m, smp)
    check_uptime(t, m)
    # Last, so that a missing command does not hide the other checks.
    missing = [c for c in PLATFORM_COMMANDS if c not in listed]
    t.check(not missing, "help does not list: %s" % ", ".join(missing))
    return listed


@scenario("bios-q35", cost=15)
def bios_q35(t):
    with t.boot(boot="bios", machine="q35", smp=2, mem="512M") as m:
        text = boot_to_prompt(t, m, "Multiboot2", "BIOS")
        shell_tour(t, m, "Multiboot2", "BIOS", "q35", text, 480, 512)


@scenario("bios-pc", cost=15)
def bios_pc(t):
    with t.boot(boot="bios", machine="pc", smp=2, mem="512M") as m:
        text = boot_to_prompt(t, m, "Multiboot2", "BIOS")
        shell_tour(t, m, "Multiboot2", "BIOS", "pc", text, 480, 512)


@scenario("uefi-q35", cost=45)
def uefi_q35(t):
    """The same ISO under OVMF: GRUB's EFI build hands over through Multiboot2."""
    with t.boot(boot="uefi", machine="q35", smp=2, mem="512M") as m:
        text = boot_to_prompt(t, m, "Multiboot2", "UEFI")
        # OVMF keeps some RAM for itself: less usable than under SeaBIOS.
        listed = shell_tour(t, m, "Multiboot2", "UEFI", "q35", text, 400, 512)
        # ACPI S5 with the tables OVMF gives (RSDP only through the boot loader).
        if "poweroff" in listed:
            poweroff(t, m)


@scenario("efi-q35", cost=45)
def efi_q35(t):
    """The native EFI application from a FAT ESP, with a command line in its
    terrapin.cfg that the kernel must show; 4 CPUs started from under OVMF."""
    cmdline = "loglevel=debug console=com1,115200"
    esp = make_esp(t.name, cmdline=cmdline)
    with t.boot(boot="efi", machine="q35", smp=4, mem="512M", esp=esp) as m:
        m.expect(r"Terrapin EFI loader", 180, what="the EFI loader's greeting")
        text = boot_to_prompt(t, m, "UEFI", "UEFI")
        t.search(r"command line: \"%s\"" % re.escape(cmdline), text,
                 "the boot log does not show the ESP's command line")
        out = check_info(t, m, "UEFI", "UEFI", cmdline=cmdline)
        t.search(r"loader \"Terrapin EFI loader", out, "info does not name the EFI loader")
        listed = check_help(t, m)
        check_memory_size(t, m, 400, 512)
        check_log(t, m, text)
        if "acpi" in listed:
            check_acpi(t, m, ACPI_BASE + ("MCFG",))
        if "cpus" in listed:
            online_cpus(t, m, 4)
        check_uptime(t, m)
        if "poweroff" in listed:
            poweroff(t, m)


@scenario("efi-q35-fatdir", cost=40)
def efi_q35_fatdir(t):
    """The native EFI door from a host directory (QEMU's fat:rw: drive): the
    loader finds its terrapin.cfg without mkesp.sh's image layout."""
    efi = need_file(BUILD / "terrapin.efi", "make %s" % rel(BUILD / "terrapin.efi"))
    cmdline = "loglevel=info from=fatdir"
    d = work_dir() / (t.name + ".esp")
    shutil.rmtree(d, ignore_errors=True)
    (d / "EFI" / "BOOT").mkdir(parents=True)
    shutil.copyfile(efi, d / "EFI" / "BOOT" / "BOOTX64.EFI")
    (d / "EFI" / "BOOT" / "terrapin.cfg").write_text("# written by tests/scenarios/boot.py\n"
                                                     "cmdline %s\n" % cmdline)
    with t.boot(boot="efi", machine="q35", smp=2, mem="256M", esp_dir=d) as m:
        boot_to_prompt(t, m, "UEFI", "UEFI")
        check_info(t, m, "UEFI", "UEFI", cmdline=cmdline)
