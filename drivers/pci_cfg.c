/* Config-space access. ECAM windows are mapped one bus (1 MiB) at a time, on
 * first use, so a 256-bus MCFG range costs page tables only for the buses that
 * exist. */
#include "drivers/pci_cfg.h"

#include "drivers/acpi.h"
#include "drivers/io.h"
#include "kernel/log.h"
#include "kernel/spinlock.h"
#include "mm/mem.h"
#include "mm/paging.h"

#define CF8_ADDR      0xcf8
#define CF8_DATA      0xcfc
#define CF8_ENABLE    0x80000000u
#define ECAM_BUS_SIZE (1u << 20)
#define ECAM_TOP      (1ULL << 46) /* what paging_map() accepts */

struct ecam {
	uint64_t base; /* address of bus 0, even when bus_start > 0 (PCI FW 3.2 4.1.2) */
	uint16_t seg;
	uint8_t bus_start, bus_end;
	uint8_t mapped[32]; /* one bit per bus */
};

static struct ecam ecams[ACPI_MAX_MCFG];
static uint32_t necam;
static spinlock_t cfg_lock;

static struct ecam *ecam_for(uint16_t seg, uint8_t bus)
{
	for (uint32_t i = 0; i < necam; i++)
		if (ecams[i].seg == seg && bus >= ecams[i].bus_start && bus <= ecams[i].bus_end)
			return &ecams[i];
	return 0;
}

bool pci_cfg_ecam(uint16_t seg)
{
	for (uint32_t i = 0; i < necam; i++)
		if (ecams[i].seg == seg)
			return true;
	return false;
}

uint32_t pci_cfg_size(uint16_t seg)
{
	return pci_cfg_ecam(seg) ? 4096 : seg ? 0 : 256;
}

/* The function's ECAM address (mapping its bus if needed), 0 if none. Called
 * with cfg_lock held. */
static uint64_t ecam_addr(struct ecam *e, uint16_t bdf, uint16_t off)
{
	uint8_t bus = PCI_BUS(bdf);
	uint64_t bus_base = e->base + ((uint64_t)bus << 20);

	if (!(e->mapped[bus / 8] & (1u << (bus % 8)))) {
		if (paging_map(bus_base, ECAM_BUS_SIZE, PAGING_MMIO))
			return 0;
		e->mapped[bus / 8] |= (uint8_t)(1u << (bus % 8));
	}
	return bus_base + ((uint64_t)(bdf & 0xff) << 12) + off;
}

/* Address for an access of `size` bytes: ECAM address, or for the legacy
 * mechanism CF8_DATA plus the byte offset (with the index written). 0: none. */
static uint64_t locate(uint16_t seg, uint16_t bdf, uint16_t off, int size, bool *io)
{
	if (off & (size - 1))
		return 0;
	struct ecam *e = ecam_for(seg, PCI_BUS(bdf));
	if (e) {
		*io = false;
		return off < 4096 ? ecam_addr(e, bdf, off) : 0;
	}
	if (seg || off >= 256 || pci_cfg_ecam(seg))
		return 0; /* segment 0 with an MCFG: a bus outside its range does not exist */
	*io = true;
	outl(CF8_ADDR, CF8_ENABLE | ((uint32_t)bdf << 8) | (off & 0xfc));
	return CF8_DATA + (off & 3);
}

static uint32_t cfg_read(uint16_t seg, uint16_t bdf, uint16_t off, int size)
{
	bool io = false;
	uint32_t v = 0xffffffffu;
	uint64_t f = spin_lock_irqsave(&cfg_lock);
	uint64_t a = locate(seg, bdf, off, size, &io);

	if (a && io)
		v = size == 4 ? inl((uint16_t)a) : size == 2 ? inw((uint16_t)a) : inb((uint16_t)a);
	else if (a)
		v = size == 4	? mmio_read32(a)
		    : size == 2 ? *(volatile uint16_t *)a
				: mmio_read8(a);
	spin_unlock_irqrestore(&cfg_lock, f);
	return size == 4 ? v : size == 2 ? (v & 0xffff) : (v & 0xff);
}

static void cfg_write(uint16_t seg, uint16_t bdf, uint16_t off, int size, uint32_t v)
{
	bool io = false;
	uint64_t f = spin_lock_irqsave(&cfg_lock);
	uint64_t a = locate(seg, bdf, off, size, &io);

	if (a && io) {
		if (size == 4)
			outl((uint16_t)a, v);
		else if (size == 2)
			outw((uint16_t)a, (uint16_t)v);
		else
			outb((uint16_t)a, (uint8_t)v);
	} else if (a) {
		if (size == 4)
			mmio_write32(a, v);
		else if (size == 2)
			*(volatile uint16_t *)a = (uint16_t)v;
		else
			mmio_write8(a, (uint8_t)v);
	}
	spin_unlock_irqrestore(&cfg_lock, f);
}

uint32_t pci_cfg_read32(uint16_t seg, uint16_t bdf, uint16_t off)
{
	return cfg_read(seg, bdf, off, 4);
}
uint16_t pci_cfg_read16(uint16_t seg, uint16_t bdf, uint16_t off)
{
	return (uint16_t)cfg_read(seg, bdf, off, 2);
}
uint8_t pci_cfg_read8(uint16_t seg, uint16_t bdf, uint16_t off)
{
	return (uint8_t)cfg_read(seg, bdf, off, 1);
}
void pci_cfg_write32(uint16_t seg, uint16_t bdf, uint16_t off, uint32_t v)
{
	cfg_write(seg, bdf, off, 4, v);
}
void pci_cfg_write16(uint16_t seg, uint16_t bdf, uint16_t off, uint16_t v)
{
	cfg_write(seg, bdf, off, 2, v);
}
void pci_cfg_write8(uint16_t seg, uint16_t bdf, uint16_t off, uint8_t v)
{
	cfg_write(seg, bdf, off, 1, v);
}


void pci_cfg_init(void)
{
	necam = 0;
	for (uint32_t i = 0; i < acpi.mcfg.count && i < ACPI_MAX_MCFG; i++) {
		const struct acpi_mcfg_seg *m = &acpi.mcfg.segs[i];
		/* Each bus needs its own 1 MiB window inside the physical address space. */
		if (!m->base || (m->base & (ECAM_BUS_SIZE - 1)) || m->bus_start > m->bus_end ||
		    m->base >= ECAM_TOP ||
		    m->base + ((uint64_t)m->bus_end + 1) * ECAM_BUS_SIZE > ECAM_TOP ||
		    mem_overlaps_ram(m->base + ((uint64_t)m->bus_start << 20),
				 ((uint64_t)m->bus_end - m->bus_start + 1) * ECAM_BUS_SIZE)) {
			pr_warn("pci: MCFG entry %u (segment %u, base 0x%llx, buses %u-%u) is "
				"unusable\n",
				i, m->segment, (unsigned long long)m->base, m->bus_start,
				m->bus_end);
			continue;
		}
		ecams[necam++] = (struct ecam){.base = m->base,
					       .seg = m->segment,
					       .bus_start = m->bus_start,
					       .bus_end = m->bus_end};
	}
	/* Cross-check segment 0 against the legacy ports: firmware has been known to
	 * list an ECAM window the chipset does not decode. */
	if (!ecam_for(0, 0))
		return;
	uint32_t via_ecam = pci_cfg_read32(0, 0, PCI_VENDOR);
	uint64_t f = spin_lock_irqsave(&cfg_lock);
	outl(CF8_ADDR, CF8_ENABLE);
	uint32_t via_ports = inl(CF8_DATA);
	spin_unlock_irqrestore(&cfg_lock, f);
	if (via_ecam != 0xffffffffu || via_ports == 0xffffffffu)
		return;
	pr_warn("pci: the MCFG window for segment 0 reads nothing; using the legacy ports\n");
	uint32_t kept = 0;
	for (uint32_t i = 0; i < necam; i++)
		if (ecams[i].seg != 0)
			ecams[kept++] = ecams[i];
	necam = kept;
}
