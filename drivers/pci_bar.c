/* BAR decoding (PCI Local Bus 3.0 6.2.5.1) and the class-code table (PCI Code and
 * ID Assignment Specification 1.12, chapter 1). */
#include "drivers/pci_bar.h"

#include <stddef.h>

#define BAR_IO		 0x1u
#define BAR_IO_MASK	 0xfffffffcu
#define BAR_MEM_MASK	 0xfffffff0u
#define BAR_MEM_TYPE(v)	 (((v) >> 1) & 3u)
#define BAR_MEM_PREFETCH 0x8u
enum { MEM_TYPE_32 = 0, MEM_TYPE_1M = 1, MEM_TYPE_64 = 2 };

bool pci_bar_is_mem64(uint32_t lo)
{
	return !(lo & BAR_IO) && BAR_MEM_TYPE(lo) == MEM_TYPE_64;
}

/* The lowest set bit of a mask: the size the decoder ignores below. */
static uint64_t lowest_bit(uint64_t mask)
{
	return mask & (~mask + 1);
}

int pci_bar_decode(uint32_t lo, uint32_t hi, uint32_t probe_lo, uint32_t probe_hi, bool has_hi,
		   struct pci_bar *out)
{
	*out = (struct pci_bar){0};
	if (lo & BAR_IO) {
		/* Bits 31:16 may be hardwired to 0 on a 16-bit decoder; the size is in
		 * the low bits either way. */
		uint32_t mask = probe_lo & BAR_IO_MASK;
		if (!mask)
			return 1;
		out->type = PCI_BAR_IO;
		out->addr = lo & BAR_IO_MASK;
		out->size = lowest_bit(mask);
		return 1;
	}
	out->prefetch = lo & BAR_MEM_PREFETCH;
	switch (BAR_MEM_TYPE(lo)) {
	case MEM_TYPE_32:
	case MEM_TYPE_1M: {
		uint32_t mask = probe_lo & BAR_MEM_MASK;
		if (!mask) {
			out->prefetch = false;
			return 1;
		}
		out->type = PCI_BAR_MEM32;
		out->below_1m = BAR_MEM_TYPE(lo) == MEM_TYPE_1M;
		out->addr = lo & BAR_MEM_MASK;
		out->size = lowest_bit(mask);
		return 1;
	}
	case MEM_TYPE_64: {
		if (!has_hi) {
			/* The last BAR cannot hold a 64-bit address. */
			out->type = PCI_BAR_BAD;
			out->prefetch = false;
			return 1;
		}
		uint64_t mask = ((uint64_t)probe_hi << 32) | (probe_lo & BAR_MEM_MASK);
		if (!mask) {
			out->prefetch = false;
			return 2;
		}
		out->type = PCI_BAR_MEM64;
		out->addr = ((uint64_t)hi << 32) | (lo & BAR_MEM_MASK);
		out->size = lowest_bit(mask);
		return 2;
	}
	default: /* type 11b is reserved */
		out->type = PCI_BAR_BAD;
		out->prefetch = false;
		return 1;
	}
}

const char *pci_bar_type_name(uint8_t type)
{
	switch (type) {
	case PCI_BAR_NONE: return "none";
	case PCI_BAR_IO: return "io";
	case PCI_BAR_MEM32: return "mem32";
	case PCI_BAR_MEM64: return "mem64";
	default: return "bad";
	}
}

#define ANY 0x100 /* any subclass or prog-if */

static const struct {
	uint16_t cls, sub, progif;
	const char *name;
} class_names[] = {
	{0x00, 0x00, ANY, "Non-VGA unclassified device"},
	{0x00, 0x01, ANY, "VGA compatible unclassified device"},
	{0x00, ANY, ANY, "Unclassified device"},
	{0x01, 0x00, ANY, "SCSI storage controller"},
	{0x01, 0x01, ANY, "IDE interface"},
	{0x01, 0x02, ANY, "Floppy disk controller"},
	{0x01, 0x04, ANY, "RAID bus controller"},
	{0x01, 0x05, ANY, "ATA controller"},
	{0x01, 0x06, ANY, "SATA controller"},
	{0x01, 0x07, ANY, "Serial Attached SCSI controller"},
	{0x01, 0x08, 0x02, "NVMe controller"},
	{0x01, 0x08, ANY, "Non-Volatile memory controller"},
	{0x01, ANY, ANY, "Mass storage controller"},
	{0x02, 0x00, ANY, "Ethernet controller"},
	{0x02, ANY, ANY, "Network controller"},
	{0x03, 0x00, ANY, "VGA compatible controller"},
	{0x03, 0x01, ANY, "XGA compatible controller"},
	{0x03, 0x02, ANY, "3D controller"},
	{0x03, ANY, ANY, "Display controller"},
	{0x04, 0x01, ANY, "Multimedia audio controller"},
	{0x04, 0x03, ANY, "Audio device"},
	{0x04, ANY, ANY, "Multimedia controller"},
	{0x05, 0x00, ANY, "RAM memory"},
	{0x05, ANY, ANY, "Memory controller"},
	{0x06, 0x00, ANY, "Host bridge"},
	{0x06, 0x01, ANY, "ISA bridge"},
	{0x06, 0x04, ANY, "PCI bridge"},
	{0x06, 0x07, ANY, "CardBus bridge"},
	{0x06, ANY, ANY, "Bridge"},
	{0x07, 0x00, ANY, "Serial controller"},
	{0x07, 0x01, ANY, "Parallel controller"},
	{0x07, ANY, ANY, "Communication controller"},
	{0x08, 0x00, ANY, "PIC"},
	{0x08, 0x01, ANY, "DMA controller"},
	{0x08, 0x02, ANY, "Timer"},
	{0x08, 0x03, ANY, "RTC"},
	{0x08, 0x05, ANY, "SD Host controller"},
	{0x08, 0x06, ANY, "IOMMU"},
	{0x08, ANY, ANY, "System peripheral"},
	{0x09, ANY, ANY, "Input device controller"},
	{0x0a, ANY, ANY, "Docking station"},
	{0x0b, ANY, ANY, "Processor"},
	{0x0c, 0x03, 0x00, "USB controller (UHCI)"},
	{0x0c, 0x03, 0x10, "USB controller (OHCI)"},
	{0x0c, 0x03, 0x20, "USB controller (EHCI)"},
	{0x0c, 0x03, 0x30, "USB controller (xHCI)"},
	{0x0c, 0x03, ANY, "USB controller"},
	{0x0c, 0x05, ANY, "SMBus"},
	{0x0c, ANY, ANY, "Serial bus controller"},
	{0x0d, ANY, ANY, "Wireless controller"},
	{0x0e, ANY, ANY, "Intelligent controller"},
	{0x0f, ANY, ANY, "Satellite communications controller"},
	{0x10, ANY, ANY, "Encryption controller"},
	{0x11, ANY, ANY, "Signal processing controller"},
	{0x12, ANY, ANY, "Processing accelerator"},
	{0x13, ANY, ANY, "Non-essential instrumentation"},
	{0xff, ANY, ANY, "Unassigned class"},
};

const char *pci_class_name(uint8_t cls, uint8_t subclass, uint8_t progif)
{
	/* The table lists the specific entries of a class before its catch-all. */
	for (size_t i = 0; i < sizeof(class_names) / sizeof(class_names[0]); i++) {
		if (class_names[i].cls != cls)
			continue;
		if (class_names[i].sub != ANY && class_names[i].sub != subclass)
			continue;
		if (class_names[i].progif != ANY && class_names[i].progif != progif)
			continue;
		return class_names[i].name;
	}
	return "unknown class";
}
