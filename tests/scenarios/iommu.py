"""IOMMUs on q35: the firmware tables that describe them are found."""

import re

from harness import Skip, scenario
from _common import boot_to_prompt, check_acpi, has_command


@scenario("iommu-intel", cost=8)
def iommu_intel(t):
    with t.boot(boot="bios", machine="q35", smp=2, mem="256M",
                devices=["intel-iommu"]) as m:
        boot_to_prompt(t, m, "Multiboot2", "BIOS")
        if not has_command(m, "acpi"):
            raise Skip("no 'acpi' command in this build (help does not list it)")
        out = check_acpi(t, m, ("DMAR",), absent=("IVRS",))
        t.search(r"DRHD.*0xfed90000", out, "acpi does not show the DMA remapping unit at "
                 "0xfed90000 (QEMU's intel-iommu)")


@scenario("iommu-amd", cost=8)
def iommu_amd(t):
    with t.boot(boot="bios", machine="q35", smp=2, mem="256M", devices=["amd-iommu"]) as m:
        boot_to_prompt(t, m, "Multiboot2", "BIOS")
        if not has_command(m, "acpi"):
            raise Skip("no 'acpi' command in this build (help does not list it)")
        check_acpi(t, m, ("IVRS",), absent=("DMAR",))
        if has_command(m, "pci"):
            # QEMU's AMD IOMMU is itself a PCI function: AMD's vendor id, class
            # 08.06 (IOMMU). Its device id differs between QEMU versions.
            out = m.cmd("pci")
            t.search(r"\b1022:[0-9a-f]{4}\b.*(\b08\.06\b|IOMMU)", out,
                     "pci does not list the AMD IOMMU (vendor 1022, class 08.06)", re.M | re.I)
