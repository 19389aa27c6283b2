"""`poweroff` and `reboot` end QEMU by themselves (with -no-reboot a reset
ends QEMU too)."""

import re

from harness import scenario
from _common import boot_to_prompt, poweroff, reboot


@scenario("poweroff-q35", cost=6)
def poweroff_q35(t):
    with t.boot(boot="bios", machine="q35", smp=2, mem="256M") as m:
        boot_to_prompt(t, m, "Multiboot2", "BIOS")
        poweroff(t, m)


@scenario("reboot-q35", cost=6)
def reboot_q35(t):
    with t.boot(boot="bios", machine="q35", smp=2, mem="256M") as m:
        boot_to_prompt(t, m, "Multiboot2", "BIOS")
        out = reboot(t, m)
        t.check(not re.search(r"no ACPI reset register|keyboard controller", out),
                "q35's FADT has a reset register, but reboot did not use it", out)


@scenario("poweroff-pc", cost=6)
def poweroff_pc(t):
    """The pc machine (PIIX4 PM) has its PM1 control block elsewhere."""
    with t.boot(boot="bios", machine="pc", smp=2, mem="256M") as m:
        boot_to_prompt(t, m, "Multiboot2", "BIOS")
        poweroff(t, m)


@scenario("reboot-pc", cost=6)
def reboot_pc(t):
    with t.boot(boot="bios", machine="pc", smp=2, mem="256M") as m:
        boot_to_prompt(t, m, "Multiboot2", "BIOS")
        out = reboot(t, m)
        # pc's FADT (revision 1) has no reset register: the 8042 resets it.
        t.search(r"keyboard controller", out, "reboot on pc did not fall back to the 8042")
