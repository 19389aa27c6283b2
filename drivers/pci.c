/* PCI enumeration: breadth-first from each root bus through PCI-PCI and CardBus
 * bridges (PCI-to-PCI Bridge 1.2 3.2.5.3: the secondary bus number), every
 * function of multi-function devices (header type bit 7), BARs sized by the
 * standard all-ones probe (PCI Local Bus 3.0 6.2.5.1) with decoding turned off
 * meanwhile. Firmware's bus numbering is used as it is. */
#include "drivers/pci.h"

#include <stddef.h>

#include "drivers/acpi.h"
#include "kernel/log.h"
#include "kernel/printf.h"
#include "kernel/shell.h"

static struct pci_dev devs[PCI_MAX_DEVICES];
static uint32_t ndevs;
static bool truncated;

uint32_t pci_count(void)
{
	return ndevs;
}
const struct pci_dev *pci_get(uint32_t i)
{
	return i < ndevs ? &devs[i] : NULL;
}

const struct pci_dev *pci_find(uint16_t seg, uint16_t bdf)
{
	for (uint32_t i = 0; i < ndevs; i++)
		if (devs[i].seg == seg && devs[i].bdf == bdf)
			return &devs[i];
	return NULL;
}

/* Index to continue from after `from`. */
static uint32_t next_index(const struct pci_dev *from)
{
	if (!from)
		return 0;
	if (from < devs || from >= devs + ndevs)
		return ndevs;
	return (uint32_t)(from - devs) + 1;
}

const struct pci_dev *pci_find_class(uint8_t cls, uint8_t subclass, int progif,
				     const struct pci_dev *from)
{
	for (uint32_t i = next_index(from); i < ndevs; i++)
		if (devs[i].cls == cls && devs[i].subclass == subclass &&
		    (progif < 0 || devs[i].progif == progif))
			return &devs[i];
	return NULL;
}

const struct pci_dev *pci_find_id(uint16_t vendor, uint16_t device, const struct pci_dev *from)
{
	for (uint32_t i = next_index(from); i < ndevs; i++)
		if (devs[i].vendor == vendor && devs[i].device == device)
			return &devs[i];
	return NULL;
}

static void size_bars(struct pci_dev *d)
{
	uint16_t seg = d->seg, bdf = d->bdf;
	uint16_t cmd = pci_cfg_read16(seg, bdf, PCI_COMMAND);
	/* A host bridge may be what routes memory to the CPUs: keep it decoding,
	 * as Linux does. Others stop decoding while their BARs hold the probe. */
	bool off = !(d->cls == 0x06 && d->subclass == 0x00) && (cmd & (PCI_CMD_IO | PCI_CMD_MEM));

	if (off)
		pci_cfg_write16(seg, bdf, PCI_COMMAND,
				(uint16_t)(cmd & ~(PCI_CMD_IO | PCI_CMD_MEM)));
	for (uint8_t i = 0; i < d->nbars;) {
		uint16_t reg = (uint16_t)(PCI_BAR0 + 4 * i);
		bool has_hi = i + 1 < d->nbars;
		uint32_t lo = pci_cfg_read32(seg, bdf, reg), hi = 0, probe_hi = 0;
		bool wide = has_hi && pci_bar_is_mem64(lo);

		pci_cfg_write32(seg, bdf, reg, 0xffffffffu);
		uint32_t probe_lo = pci_cfg_read32(seg, bdf, reg);
		pci_cfg_write32(seg, bdf, reg, lo);
		if (wide) {
			hi = pci_cfg_read32(seg, bdf, reg + 4);
			pci_cfg_write32(seg, bdf, reg + 4, 0xffffffffu);
			probe_hi = pci_cfg_read32(seg, bdf, reg + 4);
			pci_cfg_write32(seg, bdf, reg + 4, hi);
		}
		i = (uint8_t)(i + pci_bar_decode(lo, hi, probe_lo, probe_hi, has_hi, &d->bars[i]));
	}
	if (off)
		pci_cfg_write16(seg, bdf, PCI_COMMAND, cmd);
}

/* Record one function; returns the bus behind it when it is a bridge, else -1. */
static int add_function(uint16_t seg, uint16_t bdf, uint16_t vendor)
{
	if (ndevs == PCI_MAX_DEVICES) {
		truncated = true;
		return -1;
	}
	struct pci_dev *d = &devs[ndevs++];
	uint8_t ht = pci_cfg_read8(seg, bdf, PCI_HEADER_TYPE);

	*d = (struct pci_dev){.seg = seg, .bdf = bdf, .vendor = vendor};
	d->device = pci_cfg_read16(seg, bdf, PCI_DEVICE);
	d->revision = pci_cfg_read8(seg, bdf, PCI_REVISION);
	d->progif = pci_cfg_read8(seg, bdf, PCI_PROGIF);
	d->subclass = pci_cfg_read8(seg, bdf, PCI_SUBCLASS);
	d->cls = pci_cfg_read8(seg, bdf, PCI_CLASS);
	d->header_type = ht & 0x7f;
	d->multifunction = ht & PCI_HEADER_MULTIFN;
	d->irq_line = pci_cfg_read8(seg, bdf, PCI_IRQ_LINE);
	d->irq_pin = pci_cfg_read8(seg, bdf, PCI_IRQ_PIN);
	d->nbars = d->header_type == 0 ? 6 : d->header_type == 1 ? 2 : 0;
	size_bars(d);
	if (d->header_type != 1 && d->header_type != 2)
		return -1;
	d->sec_bus = pci_cfg_read8(seg, bdf, PCI_SECONDARY_BUS);
	d->sub_bus = pci_cfg_read8(seg, bdf, PCI_SUBORDINATE_BUS);
	return d->sec_bus;
}

static bool function_present(uint16_t seg, uint16_t bdf, uint16_t *vendor)
{
	*vendor = pci_cfg_read16(seg, bdf, PCI_VENDOR);
	return *vendor != 0xffff && *vendor != 0x0000;
}

/* Every function on every bus reachable from `root`, breadth first; each bus at
 * most once, so a bridge loop in broken firmware ends. */
static void scan_segment(uint16_t seg, uint8_t root, uint8_t first, uint8_t last)
{
	uint8_t queue[256], seen[32] = {0};
	uint32_t head = 0, tail = 0;

	queue[tail++] = root;
	seen[root / 8] |= (uint8_t)(1u << (root % 8));
	while (head < tail) {
		uint8_t bus = queue[head++];
		for (uint8_t dev = 0; dev < 32; dev++) {
			uint16_t vendor;
			if (!function_present(seg, PCI_BDF(bus, dev, 0), &vendor))
				continue;
			uint8_t nfn = pci_cfg_read8(seg, PCI_BDF(bus, dev, 0), PCI_HEADER_TYPE) &
						      PCI_HEADER_MULTIFN
					      ? 8
					      : 1;
			for (uint8_t fn = 0; fn < nfn; fn++) {
				uint16_t bdf = PCI_BDF(bus, dev, fn);
				if (fn && !function_present(seg, bdf, &vendor))
					continue;
				int sec = add_function(seg, bdf, vendor);
				if (sec <= 0 || sec < first || sec > last ||
				    (seen[sec / 8] & (1u << (sec % 8))))
					continue;
				seen[sec / 8] |= (uint8_t)(1u << (sec % 8));
				queue[tail++] = (uint8_t)sec; /* at most 256: each bus once */
			}
		}
	}
}

void pci_init(void)
{
	pci_cfg_init();
	ndevs = 0;
	truncated = false;
	bool seg0 = false;
	for (uint32_t i = 0; i < acpi.mcfg.count && i < ACPI_MAX_MCFG; i++) {
		const struct acpi_mcfg_seg *m = &acpi.mcfg.segs[i];
		if (!pci_cfg_ecam(m->segment) || m->bus_start > m->bus_end)
			continue;
		seg0 |= m->segment == 0;
		scan_segment(m->segment, m->bus_start, m->bus_start, m->bus_end);
	}
	if (!seg0 && !pci_cfg_ecam(0))
		scan_segment(0, 0, 0, 255);
	if (truncated)
		pr_warn("pci: more than %u functions; the rest are not listed\n", PCI_MAX_DEVICES);
	pr_info("pci: %u devices (config space through %s)\n", ndevs,
		pci_cfg_ecam(0) ? "ECAM" : "the 0xcf8 ports");
}

static void print_dev(const struct pci_dev *d)
{
	char seg[8] = "";

	if (d->seg)
		ksnprintf(seg, sizeof(seg), "%04x:", d->seg);
	cprintf("%s%02x:%02x.%x %04x:%04x class %02x.%02x.%02x %s", seg, PCI_BUS(d->bdf),
		PCI_DEV(d->bdf), PCI_FN(d->bdf), d->vendor, d->device, d->cls, d->subclass,
		d->progif, pci_class_name(d->cls, d->subclass, d->progif));
	if (d->header_type == 1 || d->header_type == 2)
		cprintf(" [bus %02x-%02x]", d->sec_bus, d->sub_bus);
	cprintf("\n");
	for (uint8_t i = 0; i < d->nbars; i++) {
		const struct pci_bar *b = &d->bars[i];
		if (b->type == PCI_BAR_NONE)
			continue;
		if (b->type == PCI_BAR_BAD) {
			cprintf("    BAR%u bad (a type the PCI specification does not define)\n",
				i);
			continue;
		}
		cprintf("    BAR%u %s 0x%llx size 0x%llx%s%s%s\n", i, pci_bar_type_name(b->type),
			(unsigned long long)b->addr, (unsigned long long)b->size,
			b->prefetch ? " prefetch" : "", b->below_1m ? " below-1M" : "",
			b->addr ? "" : " (unassigned)");
	}
}

static int cmd_pci(int argc, char **argv)
{
	(void)argv;
	if (argc != 1)
		return shell_usage("pci");
	for (uint32_t i = 0; i < ndevs; i++)
		print_dev(&devs[i]);
	cprintf("%u devices%s\n", ndevs, truncated ? " (list full: more exist)" : "");
	return 0;
}
SHELL_COMMAND(pci, "pci", "", "PCI devices: address, ids, class and BARs", cmd_pci);
