/* Local APIC (SDM 3A chapter 11, xAPIC MMIO mode) and IOAPIC (82093AA data
 * sheet: IOREGSEL at +0, IOWIN at +0x10; redirection entries at 0x10 + 2n). */
#include "guests/lib/guest.h"
#include "guests/lib/x86.h"

#define APIC_BASE_ENABLE (1u << 11)
#define SVR_ENABLE	 (1u << 8)
#define LVT_EXTINT	 (7u << 8)
#define LVT_NMI		 (4u << 8)
#define IOAPIC_REDTBL(n) (0x10 + 2 * (n))
#define RTE_POLARITY_LOW (1u << 13)
#define RTE_LEVEL	 (1u << 15)
#define RTE_MASKED	 (1u << 16)

static uintptr_t lapic;

uintptr_t lapic_base(void)
{
	uint64_t v = rdmsr(MSR_APIC_BASE);

	if (!(v & APIC_BASE_ENABLE))
		return 0;
	return (uintptr_t)(v & 0xfffff000u);
}

static uintptr_t lapic_addr(void)
{
	if (!lapic)
		lapic = lapic_base();
	if (!lapic)
		guest_fail("the local APIC is disabled in IA32_APIC_BASE");
	return lapic;
}

uint32_t lapic_read(unsigned reg)
{
	return mmio_read32(lapic_addr() + reg);
}

void lapic_write(unsigned reg, uint32_t v)
{
	mmio_write32(lapic_addr() + reg, v);
}

void lapic_enable(void)
{
	lapic_write(LAPIC_SVR, SVR_ENABLE | LAPIC_SPURIOUS_VECTOR);
	lapic_write(LAPIC_TPR, 0);
	lapic_write(LAPIC_LVT_LINT0, LVT_EXTINT);
	lapic_write(LAPIC_LVT_LINT1, LVT_NMI);
}

void lapic_eoi(void)
{
	lapic_write(LAPIC_EOI, 0);
}

unsigned lapic_id(void)
{
	return lapic_read(LAPIC_ID) >> 24;
}

bool lapic_ipi(unsigned dest, uint32_t lo)
{
	struct guest_deadline d;

	lapic_write(LAPIC_ICR_HI, dest << 24);
	lapic_write(LAPIC_ICR_LO, lo);
	deadline_start(&d);
	while (lapic_read(LAPIC_ICR_LO) & LAPIC_ICR_PENDING) {
		if (deadline_passed(&d))
			return false;
		pause();
	}
	return true;
}

uint32_t ioapic_read(uintptr_t base, unsigned reg)
{
	mmio_write32(base, reg);
	return mmio_read32(base + 0x10);
}

void ioapic_write(uintptr_t base, unsigned reg, uint32_t v)
{
	mmio_write32(base, reg);
	mmio_write32(base + 0x10, v);
}

void ioapic_route(uintptr_t base, unsigned gsi, unsigned vec, unsigned dest, uint16_t mps_flags,
		  bool masked)
{
	uint32_t lo = vec & 0xff; /* fixed delivery, physical destination */

	/* ACPI 5.2.12.5: polarity in bits 1:0 (3 = active low), trigger in bits
	 * 3:2 (3 = level); 0 "conforms to the bus": ISA is active high, edge. */
	if ((mps_flags & 3) == 3)
		lo |= RTE_POLARITY_LOW;
	if (((mps_flags >> 2) & 3) == 3)
		lo |= RTE_LEVEL;
	if (masked)
		lo |= RTE_MASKED;
	ioapic_write(base, IOAPIC_REDTBL(gsi) + 1, dest << 24);
	ioapic_write(base, IOAPIC_REDTBL(gsi), lo);
}
