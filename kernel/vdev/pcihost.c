/* PCI host bridge and configuration-space model. "PCI" references are the PCI
 * Local Bus Specification 3.0, "PCIe" ones the PCI Express Base Specification 4.0. */
#include "kernel/vdev/pcihost.h"

#include "kernel/errno.h"
#include "kernel/kstring.h"

/* Type 0 header offsets (PCI 6.1) */
#define CFG_VENDOR	0x00
#define CFG_DEVICE	0x02
#define CFG_COMMAND	0x04
#define CFG_STATUS	0x06
#define CFG_REVISION	0x08
#define CFG_CLASS	0x09 /* prog-if, subclass, class */
#define CFG_CACHE_LINE	0x0c
#define CFG_LATENCY	0x0d
#define CFG_HEADER_TYPE 0x0e
#define CFG_BAR0	0x10
#define CFG_SUBSYS_VEN	0x2c
#define CFG_SUBSYS_ID	0x2e
#define CFG_INT_LINE	0x3c

/* Command bits a conventional function implements (PCI 6.2.2): I/O, memory, bus
 * master, parity error response, SERR#, interrupt disable. */
#define CMD_WRITABLE 0x0547
/* Status bits that are RW1C (PCI 6.2.3): master data parity error, signaled target
 * abort, received target/master abort, signaled system error, detected parity. */
#define STATUS_W1C 0xf900

#define ADDR_ENABLE 0x80000000u
/* CONFIG_ADDRESS: enable, bus, device, function, register (bits 7:2). Bits 30:24
 * are reserved and bits 1:0 read as 0 (PCI 3.2.2.3.2). */
#define ADDR_MASK 0x80fffffcu

/* ICH9 RST_CNT (0xcf9): bit 3 FULL_RST and bit 1 SYS_RST are kept; writing bit 2
 * (RST_CPU) resets. */
#define RST_CPU	 0x04
#define RST_KEEP 0x0a

/* q35's host bridge (QEMU hw/pci-host/q35.c) and the subsystem IDs QEMU gives
 * every device. */
#define BRIDGE_VENDOR	0x8086
#define BRIDGE_DEVICE	0x29c0
#define BRIDGE_CLASS	0x060000
#define QEMU_SUBSYS_VEN 0x1af4
#define QEMU_SUBSYS_ID	0x1100

static void put16(uint8_t *p, uint16_t v)
{
	p[0] = (uint8_t)v;
	p[1] = (uint8_t)(v >> 8);
}

static void put32(uint8_t *p, uint32_t v)
{
	for (unsigned i = 0; i < 4; i++)
		p[i] = (uint8_t)(v >> (8 * i));
}

static uint32_t get32(const uint8_t *p)
{
	return (uint32_t)p[0] | (uint32_t)p[1] << 8 | (uint32_t)p[2] << 16 | (uint32_t)p[3] << 24;
}

static bool cfg_access_ok(unsigned off, unsigned size)
{
	return (size == 1 || size == 2 || size == 4) && off < 256 && off + size <= 256;
}

void vpci_dev_init(struct vpci_dev *d, uint16_t bdf, uint16_t vendor, uint16_t device,
		   uint32_t class_code, uint8_t revision)
{
	memset(d, 0, sizeof(*d));
	d->bdf = bdf;
	put16(d->cfg + CFG_VENDOR, vendor);
	put16(d->cfg + CFG_DEVICE, device);
	d->cfg[CFG_REVISION] = revision;
	d->cfg[CFG_CLASS] = (uint8_t)class_code;
	d->cfg[CFG_CLASS + 1] = (uint8_t)(class_code >> 8);
	d->cfg[CFG_CLASS + 2] = (uint8_t)(class_code >> 16);
	d->cfg[CFG_HEADER_TYPE] = 0x00;
	put16(d->cfg + CFG_SUBSYS_VEN, QEMU_SUBSYS_VEN);
	put16(d->cfg + CFG_SUBSYS_ID, QEMU_SUBSYS_ID);
	put16(d->wmask + CFG_COMMAND, CMD_WRITABLE);
	put16(d->w1cmask + CFG_STATUS, STATUS_W1C);
	d->wmask[CFG_CACHE_LINE] = 0xff;
	d->wmask[CFG_LATENCY] = 0xff;
	d->wmask[CFG_INT_LINE] = 0xff;
}

static bool is_pow2(uint64_t v)
{
	return v && !(v & (v - 1));
}

int vpci_dev_set_bar(struct vpci_dev *d, unsigned n, uint64_t size, unsigned kind)
{
	unsigned off = CFG_BAR0 + 4 * n;
	uint64_t mask;

	if (n > 5 || !is_pow2(size))
		return -EINVAL;
	if (kind == VPCI_BAR_IO) {
		if (size < 4 || size > 256) /* PCI 6.2.5.1: I/O BARs are 256 bytes at most */
			return -EINVAL;
		put32(d->cfg + off, VPCI_BAR_IO);
		put32(d->wmask + off, (uint32_t) ~(size - 1) & ~3u);
		return 0;
	}
	if ((kind & ~(unsigned)(VPCI_BAR_MEM64 | VPCI_BAR_PREFETCH)) || size < 16)
		return -EINVAL;
	mask = ~(size - 1);
	if (kind & VPCI_BAR_MEM64) {
		if (n == 5)
			return -EINVAL;
		put32(d->cfg + off + 4, 0);
		put32(d->wmask + off + 4, (uint32_t)(mask >> 32));
	} else if (size > (1ull << 31)) {
		return -EINVAL;
	}
	/* The type and prefetch bits are read-only; the address bits below the
	 * size are hardwired to 0, so writing all ones reads back ~(size - 1). */
	put32(d->cfg + off, kind);
	put32(d->wmask + off, (uint32_t)mask & ~0xfu);
	return 0;
}

uint64_t vpci_dev_bar_addr(const struct vpci_dev *d, unsigned n)
{
	uint32_t lo;

	if (n > 5)
		return 0;
	lo = get32(d->cfg + CFG_BAR0 + 4 * n);
	if (lo & VPCI_BAR_IO)
		return lo & ~3u;
	if ((lo & 0x6) == VPCI_BAR_MEM64 && n < 5)
		return ((uint64_t)get32(d->cfg + CFG_BAR0 + 4 * n + 4) << 32) | (lo & ~0xfu);
	return lo & ~0xfu;
}

uint32_t vpci_dev_cfg_read(struct vpci_dev *d, unsigned off, unsigned size)
{
	uint32_t v = 0;

	if (!cfg_access_ok(off, size))
		return 0xffffffffu;
	for (unsigned i = 0; i < size; i++)
		v |= (uint32_t)d->cfg[off + i] << (8 * i);
	return v;
}

void vpci_dev_cfg_write(struct vpci_dev *d, unsigned off, unsigned size, uint32_t val)
{
	if (!cfg_access_ok(off, size))
		return;
	for (unsigned i = 0; i < size; i++) {
		uint8_t b = (uint8_t)(val >> (8 * i)), w = d->wmask[off + i];
		uint8_t c = (uint8_t)((d->cfg[off + i] & ~w) | (b & w));

		d->cfg[off + i] = (uint8_t)(c & ~(b & d->w1cmask[off + i]));
	}
}

struct vpci_dev *vdev_pcihost_find(struct vpcihost *ph, uint16_t bdf)
{
	if (bdf == ph->bridge.bdf)
		return &ph->bridge;
	for (unsigned i = 0; i < ph->dev_count; i++)
		if (ph->devs[i]->bdf == bdf)
			return ph->devs[i];
	return NULL;
}

int vdev_pcihost_add(struct vpcihost *ph, struct vpci_dev *d)
{
	if (!d)
		return -EINVAL;
	if (vdev_pcihost_find(ph, d->bdf))
		return -EEXIST;
	if (ph->dev_count >= VDEV_PCIHOST_MAX_DEVS)
		return -ENOSPC;
	ph->devs[ph->dev_count++] = d;
	return 0;
}

uint32_t vdev_pcihost_cfg_read(struct vpcihost *ph, uint16_t bdf, unsigned off, unsigned size)
{
	struct vpci_dev *d = vdev_pcihost_find(ph, bdf);

	if (!cfg_access_ok(off, size))
		return 0xffffffffu;
	/* No function: the master aborts and the host bridge returns all ones. */
	if (!d)
		return size == 4 ? 0xffffffffu : (1u << (8 * size)) - 1;
	if (d->cfg_read)
		return d->cfg_read(d, off, size);
	return vpci_dev_cfg_read(d, off, size);
}

void vdev_pcihost_cfg_write(struct vpcihost *ph, uint16_t bdf, unsigned off, unsigned size,
			    uint32_t val)
{
	struct vpci_dev *d = vdev_pcihost_find(ph, bdf);

	if (!d || !cfg_access_ok(off, size))
		return;
	vpci_dev_cfg_write(d, off, size, val);
	if (d->cfg_write)
		d->cfg_write(d, off, size, val);
}

static void pcihost_guest_reset(struct vpcihost *ph)
{
	ph->resets++;
	if (ph->host->power)
		ph->host->power(ph->host->vm, VDEV_POWER_RESET);
}

static uint32_t all_ones(unsigned size)
{
	return size >= 4 ? 0xffffffffu : (1u << (8 * size)) - 1;
}

static uint32_t pcihost_io_read(void *dev, uint16_t port, unsigned size)
{
	struct vpcihost *ph = dev;

	if (port == VDEV_PCI_ADDR_PORT && size == 4)
		return ph->addr;
	if (port == VDEV_PCI_RESET_PORT && size == 1)
		return ph->rst_cnt;
	if (port >= VDEV_PCI_DATA_PORT && port + size <= VDEV_PCI_DATA_PORT + 4u) {
		/* The data window: the register the address names, plus the port's
		 * offset in the window, so byte and word accesses reach any byte. */
		if (!(ph->addr & ADDR_ENABLE))
			return all_ones(size);
		return vdev_pcihost_cfg_read(ph, (uint16_t)(ph->addr >> 8),
					     (ph->addr & 0xfc) + (port - VDEV_PCI_DATA_PORT), size);
	}
	return all_ones(size);
}

static void pcihost_io_write(void *dev, uint16_t port, unsigned size, uint32_t val)
{
	struct vpcihost *ph = dev;

	if (port == VDEV_PCI_ADDR_PORT && size == 4) {
		ph->addr = val & ADDR_MASK;
		return;
	}
	if (port == VDEV_PCI_RESET_PORT && size == 1) {
		if (val & RST_CPU) {
			pcihost_guest_reset(ph);
			return;
		}
		ph->rst_cnt = (uint8_t)(val & RST_KEEP);
		return;
	}
	if (port >= VDEV_PCI_DATA_PORT && port + size <= VDEV_PCI_DATA_PORT + 4u &&
	    (ph->addr & ADDR_ENABLE))
		vdev_pcihost_cfg_write(ph, (uint16_t)(ph->addr >> 8),
				       (ph->addr & 0xfc) + (port - VDEV_PCI_DATA_PORT), size, val);
	/* Narrow accesses to 0xcf8-0xcfb other than the reset register are ignored,
	 * as on Intel host bridges (that is how a configuration mechanism #2 probe
	 * fails). */
}

static void pcihost_reset(void *dev)
{
	struct vpcihost *ph = dev;

	ph->addr = 0;
	ph->rst_cnt = 0;
	put16(ph->bridge.cfg + CFG_COMMAND, 0);
	put16(ph->bridge.cfg + CFG_STATUS, 0);
}

void vdev_pcihost_init(struct vpcihost *ph, const struct vdev_host *host)
{
	memset(ph, 0, sizeof(*ph));
	ph->host = host;
	vpci_dev_init(&ph->bridge, VPCI_BDF(0, 0, 0), BRIDGE_VENDOR, BRIDGE_DEVICE, BRIDGE_CLASS,
		      0);
	pcihost_reset(ph);
}

const struct vdev_ops vdev_pcihost_ops = {
	.name = "pci-host",
	.port_base = VDEV_PCI_ADDR_PORT,
	.port_count = 8,
	.io_read = pcihost_io_read,
	.io_write = pcihost_io_write,
	.reset = pcihost_reset,
};

/* ---- The ECAM window (PCI Express Base 4.0 7.2.2) ---- */

/* Offset bits of an ECAM address (PCIe table 7-1): bus from bit 20, device
 * 19:15, function 14:12, register 11:0. */
#define ECAM_BUS_SHIFT 20
#define ECAM_FN_SHIFT  12 /* device and function together: the devfn */
#define ECAM_REG_MASK  0xfffu

static uint64_t all_ones64(unsigned size)
{
	return size >= 8 ? ~0ull : (1ull << (8 * size)) - 1;
}

/* The function and register an access reaches, or false when the access is not
 * one the window answers: outside it, not 1, 2 or 4 bytes, or not naturally
 * aligned (which also keeps it inside one function's 4 KiB). */
static bool ecam_decode(uint64_t off, unsigned size, uint16_t *bdf, unsigned *reg)
{
	if (off >= VDEV_PCI_ECAM_SIZE || (size != 1 && size != 2 && size != 4) ||
	    (off & (size - 1)))
		return false;
	*bdf = (uint16_t)(off >> ECAM_FN_SHIFT);
	*reg = (unsigned)(off & ECAM_REG_MASK);
	return true;
}

uint64_t vdev_pcihost_ecam_read(struct vpcihost *ph, uint64_t off, unsigned size)
{
	uint16_t bdf;
	unsigned reg;

	if (!ecam_decode(off, size, &bdf, &reg))
		return all_ones64(size);
	if (reg < 256)
		return vdev_pcihost_cfg_read(ph, bdf, reg, size);
	/* Extended space: no extended capabilities, so a present function's
	 * header at 0x100 is zero (PCIe 7.6.1), and so is the rest. */
	return vdev_pcihost_find(ph, bdf) ? 0 : all_ones64(size);
}

void vdev_pcihost_ecam_write(struct vpcihost *ph, uint64_t off, unsigned size, uint64_t val)
{
	uint16_t bdf;
	unsigned reg;

	if (!ecam_decode(off, size, &bdf, &reg) || reg >= 256)
		return;
	vdev_pcihost_cfg_write(ph, bdf, reg, size, (uint32_t)val);
}

static uint64_t pcihost_ecam_mmio_read(void *dev, uint64_t offset, unsigned size)
{
	return vdev_pcihost_ecam_read(dev, offset, size);
}

static void pcihost_ecam_mmio_write(void *dev, uint64_t offset, unsigned size, uint64_t val)
{
	vdev_pcihost_ecam_write(dev, offset, size, val);
}

/* No state of its own: vdev_pcihost_ops' reset covers the shared vpcihost. */
const struct vdev_ops vdev_pcihost_ecam_ops = {
	.name = "pci-ecam",
	.mmio_base = VDEV_PCI_ECAM_BASE,
	.mmio_size = VDEV_PCI_ECAM_SIZE,
	.mmio_read = pcihost_ecam_mmio_read,
	.mmio_write = pcihost_ecam_mmio_write,
};
