"""Memory sizes: what Terrapin reports matches what QEMU was given."""

import re

from harness import scenario
from _common import boot_to_prompt, check_memory_size


@scenario("mem-128M", cost=6)
def mem_128m(t):
    with t.boot(boot="bios", machine="q35", smp=1, mem="128M") as m:
        boot_to_prompt(t, m, "Multiboot2", "BIOS")
        check_memory_size(t, m, 100, 128)


@scenario("mem-4G", cost=10)
def mem_4g(t):
    """q35 puts 2 GiB below 4 GiB and the rest above: both parts must count."""
    with t.boot(boot="bios", machine="q35", smp=2, mem="4G") as m:
        boot_to_prompt(t, m, "Multiboot2", "BIOS")
        check_memory_size(t, m, 3500, 4096)
        out = m.cmd("mem map")
        high = [r for r in re.findall(r"0x([0-9a-f]{16})-0x([0-9a-f]{16}) usable", out)
                if int(r[0], 16) >= 1 << 32]
        t.check(high, "mem map shows no usable range above 4 GiB", out)


@scenario("uefi-mem-4G", cost=30)
def uefi_mem_4g(t):
    """Under OVMF the memory map is fragmented and PCI windows move: the total
    must still come out right."""
    with t.boot(boot="uefi", machine="q35", smp=2, mem="4G") as m:
        boot_to_prompt(t, m, "Multiboot2", "UEFI")
        check_memory_size(t, m, 3500, 4096)
