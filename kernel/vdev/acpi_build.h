/* The ACPI tables a guest finds (ACPI 6.5 chapter 5): RSDP (revision 2), RSDT and
 * XSDT, FADT (revision 6), FACS, DSDT, MADT and MCFG (PCI Firmware 3.2 4.1.2),
 * built into one blob that the core
 * copies to guest RAM at cfg->base, RSDP first (0xE0000 is where the BIOS-area
 * search of ACPI 6.5 5.2.5.1 finds it).
 *
 * The tables describe the devices in kernel/vdev: the PM registers and 24-bit PM
 * timer at VDEV_PM_BASE (pmtimer.h) with SCI on IRQ 9, the reset register at
 * 0xcf9 (pcihost.h), the RTC century byte, COM1, the PCI host bridge with its
 * ECAM window (VDEV_PCI_ECAM_BASE, buses 0..VDEV_PCI_ECAM_BUS_END: the MCFG's one
 * allocation, PCI0's bus range, and a PNP0C02 motherboard resource so the window
 * is reserved), one IOAPIC at 0xfec00000 with GSI base 0 and local APICs
 * 0..cpus-1. The DSDT's \_S5 carries VDEV_PM_S5_SLP_TYP. Pure: no allocation, no
 * hardware. The core must also mark the ECAM window reserved in the guest's
 * memory map (Linux uses an MCFG region only if E820 reserves it). */
#ifndef KERNEL_VDEV_ACPI_BUILD_H
#define KERNEL_VDEV_ACPI_BUILD_H

#include <stddef.h>
#include <stdint.h>

#define VDEV_ACPI_RSDP_GPA     0xe0000 /* the suggested base */
#define VDEV_ACPI_MAX_CPUS     255     /* xAPIC IDs 0..254 (0xff is broadcast) */
#define VDEV_ACPI_LAPIC_ADDR   0xfee00000u
#define VDEV_ACPI_IOAPIC_ADDR  0xfec00000u
/* The 32-bit PCI window ends below the ECAM window (VDEV_PCI_ECAM_BASE), which
 * sits below the IOAPIC. */
#define VDEV_ACPI_PCI_MMIO_END 0xfeb00000u

struct vdev_acpi_config {
	uint64_t base;	       /* guest-physical address of the blob; 16-byte aligned,
				* the whole blob below 4 GiB (the RSDT holds 32-bit pointers) */
	uint32_t cpus;	       /* 1..VDEV_ACPI_MAX_CPUS, APIC IDs and ACPI UIDs 0..cpus-1 */
	uint64_t ram_below_4g; /* the PCI memory window starts at this, rounded up to 1 MiB */
	uint8_t ioapic_id;     /* QEMU uses 0; the IOAPIC model must report the same */
};

/* Builds the tables into buf. *len is set to the blob's size, also when buf is too
 * small (so a call with cap 0 asks for the size). Returns 0, -ENOSPC when cap is
 * too small (buf then holds nothing usable), -EINVAL for a bad cfg. */
int vdev_acpi_build(const struct vdev_acpi_config *cfg, void *buf, size_t cap, size_t *len);

#endif
