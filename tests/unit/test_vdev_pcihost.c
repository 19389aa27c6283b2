/* Host tests for kernel/vdev/pcihost.c: configuration mechanism #1 as Linux and
 * firmware drive it, the q35 host bridge's identity, absent functions, BAR sizing
 * on a fake device (decoded with the hypervisor's own drivers/pci_bar.c, a cross
 * check of both), the 0xcf9 reset register, and the ECAM window checked against
 * the ports (every register, every size, writes both ways), hostile accesses and a
 * fixed-seed fuzz loop. */
#include "tests/unit/check.h"

#include "drivers/pci_bar.c"
#include "kernel/vdev/pcihost.c"
#include "tests/unit/vdev_fake_host.h"

static struct vpcihost PH;

static void setup(void)
{
	fake_reset();
	vdev_pcihost_init(&PH, &FAKE_HOST);
}

static uint32_t cfg_addr(unsigned bus, unsigned dev, unsigned fn, unsigned reg)
{
	return 0x80000000u | bus << 16 | dev << 11 | fn << 8 | (reg & 0xfc);
}

/* A config read through the ports, at the port the offset's low bits pick. */
static uint32_t cfg_rd(unsigned bus, unsigned dev, unsigned fn, unsigned reg, unsigned size)
{
	io_out(&vdev_pcihost_ops, &PH, 0xcf8, 4, cfg_addr(bus, dev, fn, reg));
	return io_in(&vdev_pcihost_ops, &PH, (uint16_t)(0xcfc + (reg & 3)), size);
}

static void cfg_wr(unsigned bus, unsigned dev, unsigned fn, unsigned reg, unsigned size, uint32_t v)
{
	io_out(&vdev_pcihost_ops, &PH, 0xcf8, 4, cfg_addr(bus, dev, fn, reg));
	io_out(&vdev_pcihost_ops, &PH, (uint16_t)(0xcfc + (reg & 3)), size, v);
}

TEST(ops_table)
{
	CHECK_EQ(vdev_pcihost_ops.port_base, 0xcf8);
	CHECK_EQ(vdev_pcihost_ops.port_count, 8);
}

TEST(address_register)
{
	setup();
	/* Linux's pci_check_type1(): write 0x80000000 and read it back */
	io_out(&vdev_pcihost_ops, &PH, 0xcf8, 4, 0x80000000);
	CHECK_EQ(io_in(&vdev_pcihost_ops, &PH, 0xcf8, 4), 0x80000000);
	/* reserved bits 30:24 and 1:0 read 0 */
	io_out(&vdev_pcihost_ops, &PH, 0xcf8, 4, 0xffffffff);
	CHECK_EQ(io_in(&vdev_pcihost_ops, &PH, 0xcf8, 4), 0x80fffffc);
	/* narrow accesses to the address register do nothing; a mechanism #2
	 * probe (byte writes to 0xcf8/0xcfa, reads expecting 0) fails */
	io_out(&vdev_pcihost_ops, &PH, 0xcfb, 1, 0x00);
	io_out(&vdev_pcihost_ops, &PH, 0xcf8, 1, 0x00);
	io_out(&vdev_pcihost_ops, &PH, 0xcfa, 1, 0x00);
	io_out(&vdev_pcihost_ops, &PH, 0xcf8, 2, 0x0000);
	CHECK_EQ(io_in(&vdev_pcihost_ops, &PH, 0xcf8, 1), 0xff);
	CHECK_EQ(io_in(&vdev_pcihost_ops, &PH, 0xcfa, 1), 0xff);
	CHECK_EQ(io_in(&vdev_pcihost_ops, &PH, 0xcf8, 2), 0xffff);
	CHECK_EQ(io_in(&vdev_pcihost_ops, &PH, 0xcf8, 4), 0x80fffffc);
}

TEST(enable_bit)
{
	setup();
	io_out(&vdev_pcihost_ops, &PH, 0xcf8, 4, 0x00000000); /* 00:00.0 reg 0, disabled */
	CHECK_EQ(io_in(&vdev_pcihost_ops, &PH, 0xcfc, 4), 0xffffffff);
	CHECK_EQ(io_in(&vdev_pcihost_ops, &PH, 0xcfc, 2), 0xffff);
	io_out(&vdev_pcihost_ops, &PH, 0xcf8, 4, 0x00000004);
	io_out(&vdev_pcihost_ops, &PH, 0xcfc, 2, 0x0007); /* would set the command */
	CHECK_EQ(cfg_rd(0, 0, 0, 0x00, 4), 0x29c08086);
	CHECK_EQ(cfg_rd(0, 0, 0, 0x04, 2), 0x0000);
}

TEST(host_bridge_identity)
{
	static const struct {
		unsigned reg, size;
		uint32_t want;
	} t[] = {
		{0x00, 4, 0x29c08086}, {0x00, 2, 0x8086},     {0x02, 2, 0x29c0}, {0x01, 1, 0x80},
		{0x03, 1, 0x29},       {0x08, 4, 0x06000000}, {0x08, 1, 0x00},	 {0x09, 1, 0x00},
		{0x0a, 1, 0x00},       {0x0b, 1, 0x06},	      {0x0a, 2, 0x0600}, {0x0e, 1, 0x00},
		{0x2c, 4, 0x11001af4}, {0x10, 4, 0x00000000}, /* no BARs */
		{0xfc, 4, 0x00000000}, {0xff, 1, 0x00},
	};

	setup();
	for (unsigned i = 0; i < sizeof(t) / sizeof(t[0]); i++) {
		uint32_t got = cfg_rd(0, 0, 0, t[i].reg, t[i].size);
		if (got != t[i].want)
			printf("  reg 0x%02x size %u\n", t[i].reg, t[i].size);
		CHECK_EQ(got, t[i].want);
	}
	/* an access that would run past 0xcff reads as an empty bus */
	CHECK_EQ(cfg_rd(0, 0, 0, 0x03, 2), 0xffff);
	CHECK_EQ(cfg_rd(0, 0, 0, 0x01, 4), 0xffffffff);
	/* IDs are read-only; the command register takes only its defined bits */
	cfg_wr(0, 0, 0, 0x00, 4, 0);
	CHECK_EQ(cfg_rd(0, 0, 0, 0x00, 4), 0x29c08086);
	cfg_wr(0, 0, 0, 0x04, 2, 0xffff);
	CHECK_EQ(cfg_rd(0, 0, 0, 0x04, 2), 0x0547);
	cfg_wr(0, 0, 0, 0x05, 1, 0x00);
	CHECK_EQ(cfg_rd(0, 0, 0, 0x04, 2), 0x0047);
}

TEST(absent_functions)
{
	static const unsigned bdfs[][3] = {
		{0, 1, 0}, {0, 0, 1}, {1, 0, 0}, {0, 31, 7}, {255, 31, 7}};

	setup();
	for (unsigned i = 0; i < sizeof(bdfs) / sizeof(bdfs[0]); i++) {
		const unsigned *b = bdfs[i];
		cfg_wr(b[0], b[1], b[2], 0x04, 4, 0xffffffff);
		CHECK_EQ(cfg_rd(b[0], b[1], b[2], 0x00, 4), 0xffffffff);
		CHECK_EQ(cfg_rd(b[0], b[1], b[2], 0x02, 2), 0xffff);
		CHECK_EQ(cfg_rd(b[0], b[1], b[2], 0x0e, 1), 0xff);
	}
	/* and through the direct interface, hostile offsets included */
	CHECK_EQ(vdev_pcihost_cfg_read(&PH, VPCI_BDF(0, 2, 0), 0, 4), 0xffffffff);
	CHECK_EQ(vdev_pcihost_cfg_read(&PH, VPCI_BDF(0, 0, 0), 0xfe, 4), 0xffffffff);
	CHECK_EQ(vdev_pcihost_cfg_read(&PH, VPCI_BDF(0, 0, 0), 256, 1), 0xffffffff);
	CHECK_EQ(vdev_pcihost_cfg_read(&PH, VPCI_BDF(0, 0, 0), 0, 3), 0xffffffff);
	vdev_pcihost_cfg_write(&PH, VPCI_BDF(0, 0, 0), 0xffff, 4, 0);
	CHECK_EQ(cfg_rd(0, 0, 0, 0x00, 4), 0x29c08086);
}

/* ---- A fake device ---- */

static struct vpci_dev NIC;
static unsigned hook_writes;
static unsigned hook_last_off, hook_last_size;
static uint32_t hook_last_val;

static void nic_cfg_write(struct vpci_dev *d, unsigned off, unsigned size, uint32_t val)
{
	(void)d;
	hook_writes++;
	hook_last_off = off;
	hook_last_size = size;
	hook_last_val = val;
}

static void add_nic(void)
{
	vpci_dev_init(&NIC, VPCI_BDF(0, 3, 0), 0x1234, 0x5678, 0x020000, 0x01);
	CHECK_EQ(vpci_dev_set_bar(&NIC, 0, 4096, VPCI_BAR_MEM32), 0);
	CHECK_EQ(vpci_dev_set_bar(&NIC, 1, 32, VPCI_BAR_IO), 0);
	CHECK_EQ(vpci_dev_set_bar(&NIC, 2, 1 << 20, VPCI_BAR_MEM64 | VPCI_BAR_PREFETCH), 0);
	NIC.cfg_write = nic_cfg_write;
	hook_writes = 0;
	CHECK_EQ(vdev_pcihost_add(&PH, &NIC), 0);
}

/* What Linux's __pci_read_base() does: save, write all ones, read, restore. */
static uint32_t probe_bar(unsigned n)
{
	unsigned reg = 0x10 + 4 * n;
	uint32_t orig = cfg_rd(0, 3, 0, reg, 4), probe;

	cfg_wr(0, 3, 0, reg, 4, 0xffffffff);
	probe = cfg_rd(0, 3, 0, reg, 4);
	cfg_wr(0, 3, 0, reg, 4, orig);
	return probe;
}

TEST(bar_sizing)
{
	static const uint32_t want[6] = {0xfffff000, 0xffffffe1, 0xfff0000c,
					 0xffffffff, 0x00000000, 0x00000000};
	uint32_t probe[6];
	struct pci_bar bar;

	setup();
	add_nic();
	CHECK_EQ(cfg_rd(0, 3, 0, 0x00, 4), 0x56781234);
	CHECK_EQ(cfg_rd(0, 3, 0, 0x08, 4), 0x02000001);
	for (unsigned n = 0; n < 6; n++) {
		probe[n] = probe_bar(n);
		CHECK_EQ(probe[n], want[n]);
	}
	/* the hypervisor's own BAR decoder agrees on every size */
	CHECK_EQ(pci_bar_decode(0, 0, probe[0], 0, true, &bar), 1);
	CHECK_EQ(bar.type, PCI_BAR_MEM32);
	CHECK_EQ(bar.size, 4096);
	CHECK_EQ(pci_bar_decode(1, 0, probe[1], 0, true, &bar), 1);
	CHECK_EQ(bar.type, PCI_BAR_IO);
	CHECK_EQ(bar.size, 32);
	CHECK_EQ(pci_bar_decode(0xc, 0, probe[2], probe[3], true, &bar), 2);
	CHECK_EQ(bar.type, PCI_BAR_MEM64);
	CHECK(bar.prefetch);
	CHECK_EQ(bar.size, 1 << 20);
	CHECK_EQ(pci_bar_decode(0, 0, probe[4], 0, true, &bar), 1);
	CHECK_EQ(bar.type, PCI_BAR_NONE);

	/* programming addresses: the low bits below the size stay 0 */
	cfg_wr(0, 3, 0, 0x10, 4, 0xfebf0fff);
	CHECK_EQ(cfg_rd(0, 3, 0, 0x10, 4), 0xfebf0000);
	CHECK_EQ(vpci_dev_bar_addr(&NIC, 0), 0xfebf0000);
	cfg_wr(0, 3, 0, 0x14, 4, 0xc05f);
	CHECK_EQ(cfg_rd(0, 3, 0, 0x14, 4), 0xc041);
	CHECK_EQ(vpci_dev_bar_addr(&NIC, 1), 0xc040);
	cfg_wr(0, 3, 0, 0x18, 4, 0x00000000);
	cfg_wr(0, 3, 0, 0x1c, 4, 0x00000008);
	CHECK_EQ(vpci_dev_bar_addr(&NIC, 2), 0x800000000ull);
	CHECK_EQ(cfg_rd(0, 3, 0, 0x18, 4), 0x0000000c);
	/* byte writes to a BAR work lane by lane */
	cfg_wr(0, 3, 0, 0x13, 1, 0xfd);
	CHECK_EQ(vpci_dev_bar_addr(&NIC, 0), 0xfdbf0000);
	/* the device heard every write */
	CHECK_EQ(hook_last_off, 0x13);
	CHECK_EQ(hook_last_size, 1);
	CHECK_EQ(hook_last_val, 0xfd);
	CHECK(hook_writes >= 12);
}

TEST(status_and_hooks)
{
	setup();
	add_nic();
	/* the device reports a received master abort and a capability list */
	NIC.cfg[0x06] = 0x10;
	NIC.cfg[0x07] = 0x20;
	cfg_wr(0, 3, 0, 0x06, 2, 0xffff & ~0x2000);
	CHECK_EQ(cfg_rd(0, 3, 0, 0x06, 2), 0x2010); /* 0 bits leave it; RO bits stay */
	cfg_wr(0, 3, 0, 0x06, 2, 0x2000);
	CHECK_EQ(cfg_rd(0, 3, 0, 0x06, 2), 0x0010); /* write 1 to clear */
	/* a dword write to command+status does both */
	NIC.cfg[0x07] = 0x20;
	cfg_wr(0, 3, 0, 0x04, 4, 0x20000006);
	CHECK_EQ(cfg_rd(0, 3, 0, 0x04, 4), 0x00100006);
	/* interrupt line, cache line, latency are plain registers */
	cfg_wr(0, 3, 0, 0x3c, 1, 11);
	CHECK_EQ(cfg_rd(0, 3, 0, 0x3c, 1), 11);
	cfg_wr(0, 3, 0, 0x3d, 1, 4); /* interrupt pin is read-only */
	CHECK_EQ(cfg_rd(0, 3, 0, 0x3d, 1), 0);
	/* lookup by bdf */
	CHECK_EQ(vdev_pcihost_find(&PH, VPCI_BDF(0, 3, 0)), &NIC);
	CHECK(vdev_pcihost_find(&PH, VPCI_BDF(0, 4, 0)) == NULL);
}

static uint32_t magic_read(struct vpci_dev *d, unsigned off, unsigned size)
{
	(void)d;
	return 0xabc00000u | off << 4 | size;
}

TEST(read_hook_and_table)
{
	static struct vpci_dev more[VDEV_PCIHOST_MAX_DEVS];
	struct vpci_dev dup;

	setup();
	add_nic();
	NIC.cfg_read = magic_read;
	CHECK_EQ(cfg_rd(0, 3, 0, 0x42, 2), 0xabc00422);
	NIC.cfg_read = NULL;
	vpci_dev_init(&dup, VPCI_BDF(0, 3, 0), 1, 2, 0, 0);
	CHECK_EQ(vdev_pcihost_add(&PH, &dup), -EEXIST);
	dup.bdf = 0;
	CHECK_EQ(vdev_pcihost_add(&PH, &dup), -EEXIST); /* the host bridge's */
	CHECK_EQ(vdev_pcihost_add(&PH, NULL), -EINVAL);
	for (unsigned i = 0; i < VDEV_PCIHOST_MAX_DEVS; i++) {
		vpci_dev_init(&more[i], VPCI_BDF(1, i, 0), 0x1af4, (uint16_t)i, 0, 0);
		CHECK_EQ(vdev_pcihost_add(&PH, &more[i]),
			 i < VDEV_PCIHOST_MAX_DEVS - 1 ? 0 : -ENOSPC);
	}
	CHECK_EQ(cfg_rd(1, 7, 0, 0x00, 4), 0x00071af4);
}

TEST(set_bar_errors)
{
	struct vpci_dev d;

	vpci_dev_init(&d, 0, 1, 2, 0, 0);
	CHECK_EQ(vpci_dev_set_bar(&d, 6, 4096, VPCI_BAR_MEM32), -EINVAL);
	CHECK_EQ(vpci_dev_set_bar(&d, 0, 3000, VPCI_BAR_MEM32), -EINVAL);
	CHECK_EQ(vpci_dev_set_bar(&d, 0, 0, VPCI_BAR_MEM32), -EINVAL);
	CHECK_EQ(vpci_dev_set_bar(&d, 0, 8, VPCI_BAR_MEM32), -EINVAL);
	CHECK_EQ(vpci_dev_set_bar(&d, 0, 512, VPCI_BAR_IO), -EINVAL);
	CHECK_EQ(vpci_dev_set_bar(&d, 0, 2, VPCI_BAR_IO), -EINVAL);
	CHECK_EQ(vpci_dev_set_bar(&d, 5, 4096, VPCI_BAR_MEM64), -EINVAL);
	CHECK_EQ(vpci_dev_set_bar(&d, 0, 4ull << 30, VPCI_BAR_MEM32), -EINVAL);
	CHECK_EQ(vpci_dev_set_bar(&d, 0, 16, VPCI_BAR_IO | VPCI_BAR_PREFETCH), -EINVAL);
	CHECK_EQ(vpci_dev_set_bar(&d, 0, 2ull << 30, VPCI_BAR_MEM32), 0);
	CHECK_EQ(vpci_dev_set_bar(&d, 4, 16ull << 30, VPCI_BAR_MEM64), 0);
	CHECK_EQ(vpci_dev_cfg_read(&d, 0x10, 4), 0);
	vpci_dev_cfg_write(&d, 0x10, 4, 0xffffffff);
	CHECK_EQ(vpci_dev_cfg_read(&d, 0x10, 4), 0x80000000);
	vpci_dev_cfg_write(&d, 0x20, 4, 0xffffffff);
	vpci_dev_cfg_write(&d, 0x24, 4, 0xffffffff);
	CHECK_EQ(vpci_dev_cfg_read(&d, 0x20, 4), 0x00000004);
	CHECK_EQ(vpci_dev_cfg_read(&d, 0x24, 4), 0xfffffffc);
}

TEST(reset_register)
{
	setup();
	CHECK_EQ(io_in(&vdev_pcihost_ops, &PH, 0xcf9, 1), 0x00);
	io_out(&vdev_pcihost_ops, &PH, 0xcf9, 1, 0x02); /* SYS_RST alone: armed, no reset */
	CHECK_EQ(FV.exits, 0);
	CHECK_EQ(io_in(&vdev_pcihost_ops, &PH, 0xcf9, 1), 0x02);
	io_out(&vdev_pcihost_ops, &PH, 0xcf9, 1, 0xf1); /* only bits 3 and 1 stick */
	CHECK_EQ(io_in(&vdev_pcihost_ops, &PH, 0xcf9, 1), 0x00);
	/* the address register's bytes are not the reset register */
	io_out(&vdev_pcihost_ops, &PH, 0xcf8, 4, 0x00000600);
	io_out(&vdev_pcihost_ops, &PH, 0xcf8, 2, 0x0606);
	/* the reset register is a byte register: a word access is not it */
	io_out(&vdev_pcihost_ops, &PH, 0xcf9, 2, 0x0606);
	CHECK_EQ(FV.exits, 0);
	io_out(&vdev_pcihost_ops, &PH, 0xcf9, 1, VDEV_RESET_VALUE);
	CHECK_EQ(FV.powers, 1);
	CHECK_EQ(FV.power_req, VDEV_POWER_RESET);
	CHECK_EQ(FV.exits, 0);
	CHECK_EQ(PH.resets, 1);
	vdev_pcihost_ops.reset(&PH);
	CHECK_EQ(io_in(&vdev_pcihost_ops, &PH, 0xcf8, 4), 0);
}

/* ---- The ECAM window ---- */

/* PCIe 7.2.2 table 7-1: bus 20+, device 19:15, function 14:12, register 11:0. */
static uint64_t ecam_off(unsigned bus, unsigned dev, unsigned fn, unsigned reg)
{
	return (uint64_t)bus << 20 | dev << 15 | fn << 12 | reg;
}

static uint64_t ecam_rd(uint64_t off, unsigned size)
{
	return vdev_pcihost_ecam_ops.mmio_read(&PH, off, size);
}

static void ecam_wr(uint64_t off, unsigned size, uint64_t v)
{
	vdev_pcihost_ecam_ops.mmio_write(&PH, off, size, v);
}

TEST(ecam_ops_table)
{
	CHECK_STR(vdev_pcihost_ecam_ops.name, "pci-ecam");
	CHECK_EQ(vdev_pcihost_ecam_ops.mmio_base, 0xfeb00000);
	CHECK_EQ(vdev_pcihost_ecam_ops.mmio_size, 1u << 20); /* bus 0: 32 x 8 x 4 KiB */
	CHECK_EQ(vdev_pcihost_ecam_ops.port_count, 0);
	CHECK(vdev_pcihost_ecam_ops.mmio_read != NULL);
	CHECK(vdev_pcihost_ecam_ops.mmio_write != NULL);
	/* above the largest low RAM (3 GiB), below the IOAPIC and the LAPIC, and
	 * aligned to its size */
	CHECK(VDEV_PCI_ECAM_BASE >= 3ull << 30);
	CHECK(VDEV_PCI_ECAM_BASE + VDEV_PCI_ECAM_SIZE <= 0xfec00000);
	CHECK_EQ(VDEV_PCI_ECAM_BASE % VDEV_PCI_ECAM_SIZE, 0);
}

TEST(ecam_bridge_identity)
{
	static const struct {
		unsigned reg, size;
		uint32_t want;
	} t[] = {
		{0x00, 4, 0x29c08086}, {0x00, 2, 0x8086}, {0x02, 2, 0x29c0},
		{0x00, 1, 0x86},       {0x01, 1, 0x80},	  {0x03, 1, 0x29},
		{0x08, 4, 0x06000000}, {0x0b, 1, 0x06},	  {0x0a, 2, 0x0600},
		{0x0e, 1, 0x00},       {0x2c, 4, 0x11001af4}, {0x2e, 2, 0x1100},
		{0x10, 4, 0x00000000}, {0xfc, 4, 0x00000000}, {0xff, 1, 0x00},
	};

	setup();
	for (unsigned i = 0; i < sizeof(t) / sizeof(t[0]); i++) {
		uint64_t got = ecam_rd(ecam_off(0, 0, 0, t[i].reg), t[i].size);
		if (got != t[i].want)
			printf("  reg 0x%02x size %u\n", t[i].reg, t[i].size);
		CHECK_EQ(got, t[i].want);
	}
}

/* Every register of function (0, dev, fn), at every size and alignment, reads the
 * same through ECAM as through 0xcf8/0xcfc. */
static unsigned ecam_port_mismatches(unsigned dev, unsigned fn)
{
	static const unsigned sizes[] = {1, 2, 4};
	unsigned bad = 0;

	for (unsigned s = 0; s < 3; s++)
		for (unsigned reg = 0; reg < 256; reg += sizes[s]) {
			uint64_t e = ecam_rd(ecam_off(0, dev, fn, reg), sizes[s]);
			uint32_t p = cfg_rd(0, dev, fn, reg, sizes[s]);
			if (e != p) {
				printf("  %02x.%u reg 0x%02x size %u: ecam 0x%llx ports 0x%x\n", dev,
				       fn, reg, sizes[s], (unsigned long long)e, p);
				bad++;
			}
		}
	return bad;
}

TEST(ecam_equals_ports)
{
	setup();
	CHECK_EQ(ecam_port_mismatches(0, 0), 0);
	add_nic();
	CHECK_EQ(ecam_rd(ecam_off(0, 3, 0, 0), 4), 0x56781234);
	CHECK_EQ(ecam_port_mismatches(3, 0), 0);
	CHECK_EQ(ecam_port_mismatches(0, 0), 0);
	CHECK_EQ(ecam_port_mismatches(3, 1), 0); /* absent: all ones both ways */
	CHECK_EQ(ecam_port_mismatches(31, 7), 0);
	/* a read hook answers ECAM reads too */
	NIC.cfg_read = magic_read;
	CHECK_EQ(ecam_rd(ecam_off(0, 3, 0, 0x42), 2), 0xabc00422);
	CHECK_EQ(ecam_port_mismatches(3, 0), 0);
	NIC.cfg_read = NULL;
}

TEST(ecam_writes_both_ways)
{
	setup();
	add_nic();
	/* ECAM write, port read: the bridge's command register, by dword and byte */
	ecam_wr(ecam_off(0, 0, 0, 0x04), 2, 0xffff);
	CHECK_EQ(cfg_rd(0, 0, 0, 0x04, 2), 0x0547);
	ecam_wr(ecam_off(0, 0, 0, 0x05), 1, 0x00);
	CHECK_EQ(cfg_rd(0, 0, 0, 0x04, 2), 0x0047);
	ecam_wr(ecam_off(0, 0, 0, 0x00), 4, 0); /* IDs stay read-only */
	CHECK_EQ(cfg_rd(0, 0, 0, 0x00, 4), 0x29c08086);
	/* port write, ECAM read */
	cfg_wr(0, 3, 0, 0x3c, 1, 10);
	CHECK_EQ(ecam_rd(ecam_off(0, 3, 0, 0x3c), 1), 10);
	cfg_wr(0, 0, 0, 0x04, 2, 0x0006);
	CHECK_EQ(ecam_rd(ecam_off(0, 0, 0, 0x04), 4), 0x00000006);
	/* BAR sizing through ECAM alone, the way Linux does it with MMCONFIG */
	ecam_wr(ecam_off(0, 3, 0, 0x10), 4, 0xffffffff);
	CHECK_EQ(ecam_rd(ecam_off(0, 3, 0, 0x10), 4), 0xfffff000);
	ecam_wr(ecam_off(0, 3, 0, 0x10), 4, 0xfe000000);
	CHECK_EQ(vpci_dev_bar_addr(&NIC, 0), 0xfe000000);
	CHECK_EQ(cfg_rd(0, 3, 0, 0x10, 4), 0xfe000000);
	/* byte lanes: a byte write at 0x13 is register 0x13, and the device's
	 * hook sees it as such */
	hook_writes = 0;
	ecam_wr(ecam_off(0, 3, 0, 0x13), 1, 0xfd);
	CHECK_EQ(vpci_dev_bar_addr(&NIC, 0), 0xfd000000);
	CHECK_EQ(hook_writes, 1);
	CHECK_EQ(hook_last_off, 0x13);
	CHECK_EQ(hook_last_size, 1);
	CHECK_EQ(hook_last_val, 0xfd);
	/* only the low bytes of the value count */
	ecam_wr(ecam_off(0, 3, 0, 0x3c), 1, 0x1234567890abcd07ull);
	CHECK_EQ(cfg_rd(0, 3, 0, 0x3c, 1), 7);
	/* a reset through the port device shows through ECAM */
	vdev_pcihost_ops.reset(&PH);
	CHECK_EQ(ecam_rd(ecam_off(0, 0, 0, 0x04), 2), 0);
}

TEST(ecam_extended_space)
{
	static const unsigned regs[] = {0x100, 0x102, 0x103, 0x104, 0x1fc, 0x800, 0xffc, 0xfff};
	static const unsigned sizes[] = {1, 2, 4};

	setup();
	add_nic();
	for (unsigned f = 0; f < 2; f++) {
		unsigned dev = f ? 3 : 0;

		for (unsigned i = 0; i < sizeof(regs) / sizeof(regs[0]); i++)
			for (unsigned s = 0; s < 3; s++) {
				if (regs[i] % sizes[s])
					continue;
				CHECK_EQ(ecam_rd(ecam_off(0, dev, 0, regs[i]), sizes[s]), 0);
			}
		/* writes there vanish: nothing aliases onto the first 256 bytes */
		hook_writes = 0;
		ecam_wr(ecam_off(0, dev, 0, 0x100), 4, 0xffffffff);
		ecam_wr(ecam_off(0, dev, 0, 0x104), 2, 0xffff); /* 0x04 + 0x100: command */
		ecam_wr(ecam_off(0, dev, 0, 0x13c), 1, 0x55);	/* 0x3c + 0x100 */
		ecam_wr(ecam_off(0, dev, 0, 0xffc), 4, 0x12345678);
		CHECK_EQ(ecam_rd(ecam_off(0, dev, 0, 0x100), 4), 0);
		CHECK_EQ(ecam_rd(ecam_off(0, dev, 0, 0xffc), 4), 0);
		CHECK_EQ(cfg_rd(0, dev, 0, 0x04, 2), 0);
		CHECK_EQ(cfg_rd(0, dev, 0, 0x3c, 1), 0);
		CHECK_EQ(hook_writes, 0);
	}
	/* Linux's pci_ext_cfg_is_aliased(): extended space must not mirror the
	 * header, or Linux would cut the function to 256 bytes */
	CHECK(ecam_rd(ecam_off(0, 0, 0, 0x100), 4) != ecam_rd(ecam_off(0, 0, 0, 0x000), 4));
}

TEST(ecam_missing_functions)
{
	static const unsigned fns[][2] = {{0, 1}, {0, 7}, {1, 0}, {2, 0}, {3, 1}, {31, 7}};
	static const unsigned regs[] = {0x00, 0x0e, 0xfc, 0x100, 0x800, 0xffc};

	setup();
	add_nic();
	for (unsigned i = 0; i < sizeof(fns) / sizeof(fns[0]); i++)
		for (unsigned r = 0; r < sizeof(regs) / sizeof(regs[0]); r++) {
			uint64_t off = ecam_off(0, fns[i][0], fns[i][1], regs[r]);

			ecam_wr(off, 4, 0);
			CHECK_EQ(ecam_rd(off, 4), 0xffffffff);
			CHECK_EQ(ecam_rd(off + 2, 2), 0xffff);
			CHECK_EQ(ecam_rd(off + 3, 1), 0xff);
		}
	/* the present ones are untouched by those writes */
	CHECK_EQ(ecam_rd(ecam_off(0, 0, 0, 0), 4), 0x29c08086);
	CHECK_EQ(ecam_rd(ecam_off(0, 3, 0, 0), 4), 0x56781234);
	CHECK_EQ(hook_writes, 0);
}

TEST(ecam_hostile_accesses)
{
	static const struct {
		uint64_t off;
		unsigned size;
	} bad[] = {
		/* misaligned: would straddle registers */
		{0x01, 2}, {0x03, 2}, {0x01, 4}, {0x02, 4}, {0x03, 4}, {0xfff, 2}, {0xffe, 4},
		/* wider than a configuration request (one DW), aligned or not */
		{0x00, 8}, {0x04, 8}, {0xff8, 8},
		/* sizes no instruction makes */
		{0x00, 3}, {0x00, 16}, {0x00, 6},
		/* outside the window: bus 1 and beyond, and absurd offsets */
		{1u << 20, 4}, {(1u << 20) + 4, 1}, {0xffffffffull, 1}, {1ull << 63, 4},
		{~0ull, 1}, {~3ull, 4},
	};

	setup();
	add_nic();
	ecam_wr(ecam_off(0, 0, 0, 0x04), 2, 0x0006);
	for (unsigned i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		unsigned sz = bad[i].size;
		uint64_t ones = sz >= 8 ? ~0ull : (1ull << (8 * sz)) - 1;

		if (ecam_rd(bad[i].off, sz) != ones)
			printf("  off 0x%llx size %u\n", (unsigned long long)bad[i].off, sz);
		CHECK_EQ(ecam_rd(bad[i].off, sz), ones);
		ecam_wr(bad[i].off, sz, 0);
		ecam_wr(bad[i].off + ecam_off(0, 3, 0, 0), sz, 0);
	}
	/* none of those writes landed */
	CHECK_EQ(ecam_rd(ecam_off(0, 0, 0, 0x04), 2), 0x0006);
	CHECK_EQ(ecam_rd(ecam_off(0, 0, 0, 0x00), 4), 0x29c08086);
	CHECK_EQ(hook_writes, 0);
	/* a size-0 read is harmless too */
	CHECK_EQ(ecam_rd(0, 0), 0);
	/* the last register of the window is still a register */
	CHECK_EQ(ecam_rd(ecam_off(0, 31, 7, 0xffc), 4), 0xffffffff);
	CHECK_EQ(ecam_rd((1u << 20) - 1, 1), 0xff);
}

/* xorshift64: deterministic, seeded. */
static uint64_t fuzz_state;

static uint64_t fuzz_next(void)
{
	fuzz_state ^= fuzz_state << 13;
	fuzz_state ^= fuzz_state >> 7;
	fuzz_state ^= fuzz_state << 17;
	return fuzz_state;
}

TEST(ecam_fuzz)
{
	static const unsigned sizes[] = {1, 2, 4, 1, 2, 4, 8, 0, 3, 16};
	unsigned agree = 0;

	setup();
	add_nic();
	fuzz_state = 0x9e3779b97f4a7c15ull;
	for (unsigned i = 0; i < 200000; i++) {
		uint64_t r = fuzz_next(), off;
		unsigned size = sizes[r % 10];

		/* mostly the two present functions, their headers half the time;
		 * sometimes anywhere in or out of the window */
		unsigned reg = (unsigned)(r >> 16) & ((r >> 40) & 1 ? 0xfff : 0xff);

		switch ((r >> 8) % 4) {
		case 0:
			off = ecam_off(0, 0, 0, reg);
			break;
		case 1:
			off = ecam_off(0, 3, 0, reg);
			break;
		case 2:
			off = (r >> 16) & ((1u << 20) - 1);
			break;
		default:
			off = fuzz_next();
			break;
		}
		if ((r >> 4) & 1) {
			uint64_t v = ecam_rd(off, size);
			uint64_t ones = size >= 8 ? ~0ull : (1ull << (8 * size)) - 1;

			CHECK(v <= ones);
			/* a well-formed header access agrees with the ports */
			if (off < (1u << 20) && (size == 1 || size == 2 || size == 4) &&
			    !(off % size) && (off & 0xfff) < 256) {
				unsigned dev = (unsigned)(off >> 15) & 31, fn = (unsigned)(off >> 12) & 7;
				CHECK_EQ(v, cfg_rd(0, dev, fn, (unsigned)off & 0xff, size));
				agree++;
			}
		} else {
			ecam_wr(off, size, fuzz_next());
		}
	}
	CHECK(agree > 10000);
	/* whatever was written, read-only identity stays, absent stays absent,
	 * and ECAM and the ports still agree on every register */
	CHECK_EQ(ecam_rd(ecam_off(0, 0, 0, 0), 4), 0x29c08086);
	CHECK_EQ(ecam_rd(ecam_off(0, 3, 0, 0), 4), 0x56781234);
	CHECK_EQ(ecam_rd(ecam_off(0, 0, 0, 0x0e), 1), 0x00);
	CHECK_EQ(ecam_rd(ecam_off(0, 0, 0, 0x100), 4), 0);
	CHECK_EQ(ecam_rd(ecam_off(0, 5, 0, 0), 4), 0xffffffff);
	CHECK_EQ(ecam_port_mismatches(0, 0), 0);
	CHECK_EQ(ecam_port_mismatches(3, 0), 0);
	CHECK_EQ(FV.powers, 0); /* ECAM never reaches the reset register */
}

int main(void)
{
	RUN(ops_table);
	RUN(address_register);
	RUN(enable_bit);
	RUN(host_bridge_identity);
	RUN(absent_functions);
	RUN(bar_sizing);
	RUN(status_and_hooks);
	RUN(read_hook_and_table);
	RUN(set_bar_errors);
	RUN(reset_register);
	RUN(ecam_ops_table);
	RUN(ecam_bridge_identity);
	RUN(ecam_equals_ports);
	RUN(ecam_writes_both_ways);
	RUN(ecam_extended_space);
	RUN(ecam_missing_functions);
	RUN(ecam_hostile_accesses);
	RUN(ecam_fuzz);
	return CHECK_DONE();
}
