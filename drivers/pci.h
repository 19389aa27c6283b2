/* The PCI devices found at boot: every function on every bus reachable from the
 * root buses through bridges, with its ids, class and sized BARs. Config-space
 * access itself is drivers/pci_cfg.h. */
#ifndef DRIVERS_PCI_H
#define DRIVERS_PCI_H

#include <stdbool.h>
#include <stdint.h>

#include "drivers/pci_bar.h"
#include "drivers/pci_cfg.h"

#define PCI_MAX_DEVICES 256
#define PCI_MAX_BARS	6

struct pci_dev {
	uint16_t seg;
	uint16_t bdf;
	uint16_t vendor, device;
	uint8_t cls, subclass, progif, revision;
	uint8_t header_type; /* 0 device, 1 PCI-PCI bridge, 2 CardBus bridge */
	bool multifunction;
	uint8_t sec_bus, sub_bus; /* bridges: the bus range behind them */
	uint8_t irq_pin, irq_line;
	uint8_t nbars;			   /* BAR registers in this header type: 6, 2 or 0 */
	struct pci_bar bars[PCI_MAX_BARS]; /* by register; PCI_BAR_NONE for the
					    * upper half of a 64-bit BAR */
};

/* Scan every bus (after acpi_init()) and log "pci: N devices". */
void pci_init(void);

uint32_t pci_count(void);
const struct pci_dev *pci_get(uint32_t i);
/* The function at seg/bdf, or NULL. */
const struct pci_dev *pci_find(uint16_t seg, uint16_t bdf);
/* The next function after `from` (NULL: the first) with this class and subclass,
 * and prog-if unless progif < 0; NULL when there is none. */
const struct pci_dev *pci_find_class(uint8_t cls, uint8_t subclass, int progif,
				     const struct pci_dev *from);
/* The next function after `from` (NULL: the first) with these ids, or NULL. */
const struct pci_dev *pci_find_id(uint16_t vendor, uint16_t device, const struct pci_dev *from);

#endif
