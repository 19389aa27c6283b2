/* PCI configuration space: ECAM (PCI Express memory-mapped, from the ACPI MCFG)
 * where the firmware lists it, else the legacy 0xCF8/0xCFC mechanism (PCI Local
 * Bus 3.0 3.2.2.3.2), which reaches segment 0 and the first 256 bytes only.
 * A function is named by segment and bdf = bus << 8 | device << 3 | function. */
#ifndef DRIVERS_PCI_CFG_H
#define DRIVERS_PCI_CFG_H

#include <stdbool.h>
#include <stdint.h>

#define PCI_BDF(bus, dev, fn) ((uint16_t)(((bus) << 8) | ((dev) << 3) | (fn)))
#define PCI_BUS(bdf)	      ((uint8_t)((bdf) >> 8))
#define PCI_DEV(bdf)	      ((uint8_t)(((bdf) >> 3) & 0x1f))
#define PCI_FN(bdf)	      ((uint8_t)((bdf)&7))

/* Standard header registers (PCI Local Bus 3.0 6.1). */
#define PCI_VENDOR	    0x00
#define PCI_DEVICE	    0x02
#define PCI_COMMAND	    0x04
#define PCI_STATUS	    0x06
#define PCI_REVISION	    0x08
#define PCI_PROGIF	    0x09
#define PCI_SUBCLASS	    0x0a
#define PCI_CLASS	    0x0b
#define PCI_HEADER_TYPE	    0x0e
#define PCI_BAR0	    0x10
#define PCI_SECONDARY_BUS   0x19 /* type 1 and 2 headers */
#define PCI_SUBORDINATE_BUS 0x1a
#define PCI_CAP_PTR	    0x34
#define PCI_IRQ_LINE	    0x3c
#define PCI_IRQ_PIN	    0x3d
#define PCI_CMD_IO	    (1u << 0)
#define PCI_CMD_MEM	    (1u << 1)
#define PCI_CMD_MASTER	    (1u << 2)
#define PCI_HEADER_MULTIFN  0x80

/* Choose the access method from the ACPI MCFG; call after acpi_init(). */
void pci_cfg_init(void);
/* Whether segment `seg` is reached through ECAM, and its config-space size. */
bool pci_cfg_ecam(uint16_t seg);
uint32_t pci_cfg_size(uint16_t seg);

/* Reads of a function that does not exist, an offset past the config space or
 * a misaligned offset return all ones; such writes are dropped. */
uint32_t pci_cfg_read32(uint16_t seg, uint16_t bdf, uint16_t off);
uint16_t pci_cfg_read16(uint16_t seg, uint16_t bdf, uint16_t off);
uint8_t pci_cfg_read8(uint16_t seg, uint16_t bdf, uint16_t off);
void pci_cfg_write32(uint16_t seg, uint16_t bdf, uint16_t off, uint32_t v);
void pci_cfg_write16(uint16_t seg, uint16_t bdf, uint16_t off, uint16_t v);
void pci_cfg_write8(uint16_t seg, uint16_t bdf, uint16_t off, uint8_t v);

#endif
