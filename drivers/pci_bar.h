/* PCI BAR decoding and class names (PCI Local Bus 3.0 6.2.5.1; PCI Code and ID
 * Assignment 1.12). Pure: compiled on the host for tests (tests/unit/test_pci.c);
 * drivers/pci.c does the config-space accesses. */
#ifndef DRIVERS_PCI_BAR_H
#define DRIVERS_PCI_BAR_H

#include <stdbool.h>
#include <stdint.h>

enum pci_bar_type {
	PCI_BAR_NONE = 0, /* not implemented (or the upper half of a 64-bit BAR) */
	PCI_BAR_IO = 1,
	PCI_BAR_MEM32 = 2,
	PCI_BAR_MEM64 = 3,
	PCI_BAR_BAD = 4, /* a value the specification does not allow */
};

struct pci_bar {
	uint64_t addr; /* as the firmware assigned it (0: unassigned) */
	uint64_t size;
	uint8_t type; /* enum pci_bar_type */
	bool prefetch;
	bool below_1m; /* memory type 01b: a PCI 2.x "below 1 MiB" BAR */
};

/* Whether the BAR value `lo` says it is the lower half of a 64-bit memory BAR. */
bool pci_bar_is_mem64(uint32_t lo);

/* Decode one BAR from its original value and what reads back after writing all
 * ones (the sizing probe). For a 64-bit BAR, hi/probe_hi are the next register's
 * value and probe and has_hi says that register exists (it is not past the last
 * BAR). Returns the BAR registers used (1, or 2 for a 64-bit BAR). The size is the
 * lowest address bit that can be set, so a probe with holes in its mask still
 * gives the size the device decodes. */
int pci_bar_decode(uint32_t lo, uint32_t hi, uint32_t probe_lo, uint32_t probe_hi, bool has_hi,
		   struct pci_bar *out);

const char *pci_bar_type_name(uint8_t type);

/* Name of a class code: the most specific match among class/subclass/prog-if,
 * else the base class's name, else "unknown class". Never NULL. */
const char *pci_class_name(uint8_t cls, uint8_t subclass, uint8_t progif);

#endif
