/* The guest's PCI host bridge: configuration mechanism #1 at 0xcf8 (address) and
 * 0xcfc-0xcff (data) (PCI Local Bus 3.0 3.2.2.3.2), and the reset control register
 * that sits inside that range at 0xcf9 (byte access; Intel ICH9 datasheet 13.7.5,
 * as QEMU's q35 decodes it).
 *
 * Bus 0 device 0 function 0 is a host bridge that identifies as q35's (Intel
 * 8086:29c0, class 06.00.00, header type 0). Other functions are a table of
 * struct vpci_dev: a 256-byte configuration space with per-byte masks of the bits
 * the guest may write and of the bits it clears by writing 1, so standard
 * registers, including BAR sizing (write all ones, read back the size mask), work
 * without device code; a device may still hook reads and writes. Functions not in
 * the table read all ones (no device). Both ways in, the ports and the ECAM
 * window below, reach functions through vdev_pcihost_cfg_read/write.
 *
 * The enhanced configuration access mechanism (PCI Express Base 4.0 7.2.2) is a
 * second device on the same struct vpcihost: a memory window at
 * VDEV_PCI_ECAM_BASE covering bus 0 only (1 MiB), described to the guest by the
 * MCFG table (acpi_build.c) and reserved in its memory map. Its offsets decode as
 * bus << 20 | device << 15 | function << 12 | register. Registers 0-255 are the
 * same bytes the ports reach; registers 256-4095 of a present function read 0
 * (a zero extended capability header at 0x100 means no extended capabilities,
 * PCIe 7.6.1) and ignore writes; every register of an absent function reads all
 * ones. An access must be 1, 2 or 4 bytes, naturally aligned (a configuration
 * request carries at most one DW, PCIe 7.2.2); any other access, 8-byte ones
 * included, reads all ones and writes nothing.
 *
 * A guest reset (0xcf9 with RST_CPU, bit 2, set) calls
 * host->power(vm, VDEV_POWER_RESET). */
#ifndef KERNEL_VDEV_PCIHOST_H
#define KERNEL_VDEV_PCIHOST_H

#include "kernel/vdev/vdev.h"

#define VDEV_PCI_ADDR_PORT     0xcf8
#define VDEV_PCI_RESET_PORT    0xcf9
#define VDEV_PCI_DATA_PORT     0xcfc
#define VDEV_PCIHOST_MAX_DEVS  32
#define VDEV_RESET_VALUE       0x06 /* what the FADT's RESET_VALUE writes: SYS_RST | RST_CPU */

/* The ECAM window: bus 0 only, 1 MiB (PCIe 7.2.2: 4 KiB per function, 32
 * devices of 8 functions per bus). Above guest RAM (at most VM_LOW_RAM_TOP, 3 GiB)
 * and just below the IOAPIC (0xfec00000); the 32-bit PCI window in the DSDT ends
 * below it. 1 MiB aligned, as an ECAM base must be aligned to its size. */
#define VDEV_PCI_ECAM_BASE     0xfeb00000ull
#define VDEV_PCI_ECAM_BUS_END  0 /* the last bus the window covers */
#define VDEV_PCI_ECAM_SIZE     ((uint64_t)(VDEV_PCI_ECAM_BUS_END + 1) << 20)

#define VPCI_BDF(bus, dev, fn) ((uint16_t)((bus) << 8 | (dev) << 3 | (fn)))

/* BAR kinds for vpci_dev_set_bar() (PCI 3.0 6.2.5.1). */
enum {
	VPCI_BAR_MEM32 = 0x0,
	VPCI_BAR_IO = 0x1,
	VPCI_BAR_MEM64 = 0x4,
	VPCI_BAR_PREFETCH = 0x8, /* or-ed with a memory kind */
};

struct vpci_dev {
	uint16_t bdf;
	uint8_t cfg[256];
	uint8_t wmask[256];   /* bits a guest write changes */
	uint8_t w1cmask[256]; /* bits a guest write of 1 clears (status registers) */
	void *opaque;	      /* for the device's hooks */
	/* Optional: answers a read instead of cfg[] (off + size <= 256). */
	uint32_t (*cfg_read)(struct vpci_dev *d, unsigned off, unsigned size);
	/* Optional: called after cfg[] took a write, e.g. to move a BAR's mapping. */
	void (*cfg_write)(struct vpci_dev *d, unsigned off, unsigned size, uint32_t val);
};

struct vpcihost {
	const struct vdev_host *host;
	uint32_t addr;	 /* CONFIG_ADDRESS */
	uint8_t rst_cnt; /* reset control register, bits 3 and 1 */
	struct vpci_dev bridge;
	struct vpci_dev *devs[VDEV_PCIHOST_MAX_DEVS];
	unsigned dev_count;
	unsigned resets; /* guest reset requests seen */
};

/* A type 0 header with the given IDs: command, status, cache line size, latency
 * timer and interrupt line behave as the specification says; class_code is
 * class << 16 | subclass << 8 | prog_if. */
void vpci_dev_init(struct vpci_dev *d, uint16_t bdf, uint16_t vendor, uint16_t device,
		   uint32_t class_code, uint8_t revision);

/* Declares BAR n (0-5) of size bytes (a power of two, at least 16 for memory and 4
 * for I/O; a 64-bit BAR takes n and n + 1). Returns 0 or -EINVAL. */
int vpci_dev_set_bar(struct vpci_dev *d, unsigned n, uint64_t size, unsigned kind);

/* The address BAR n decodes now (its low flag bits cleared; both halves of a
 * 64-bit BAR). */
uint64_t vpci_dev_bar_addr(const struct vpci_dev *d, unsigned n);

/* The default configuration-space access, through the masks. off + size <= 256. */
uint32_t vpci_dev_cfg_read(struct vpci_dev *d, unsigned off, unsigned size);
void vpci_dev_cfg_write(struct vpci_dev *d, unsigned off, unsigned size, uint32_t val);

void vdev_pcihost_init(struct vpcihost *ph, const struct vdev_host *host);

/* Adds a function. Returns 0, -EEXIST when its bdf is taken, -ENOSPC when full,
 * -EINVAL for NULL. The device is not copied. */
int vdev_pcihost_add(struct vpcihost *ph, struct vpci_dev *d);

struct vpci_dev *vdev_pcihost_find(struct vpcihost *ph, uint16_t bdf);

/* Config access to function bdf at register off; size 1, 2 or 4 and off + size
 * <= 256, else (or with no function there) reads are all ones and writes vanish. */
uint32_t vdev_pcihost_cfg_read(struct vpcihost *ph, uint16_t bdf, unsigned off, unsigned size);
void vdev_pcihost_cfg_write(struct vpcihost *ph, uint16_t bdf, unsigned off, unsigned size,
			    uint32_t val);

/* An ECAM access at offset off of the window (the decode above); what
 * vdev_pcihost_ecam_ops' MMIO handlers do. */
uint64_t vdev_pcihost_ecam_read(struct vpcihost *ph, uint64_t off, unsigned size);
void vdev_pcihost_ecam_write(struct vpcihost *ph, uint64_t off, unsigned size, uint64_t val);

extern const struct vdev_ops vdev_pcihost_ops;	    /* 0xcf8-0xcff */
extern const struct vdev_ops vdev_pcihost_ecam_ops; /* the ECAM window; dev: the same vpcihost */

#endif
