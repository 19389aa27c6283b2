/* Host tests for kernel/vdev/pcihost.c: configuration mechanism #1 as Linux and
 * firmware drive it, the q35 host bridge's identity, absent functions, BAR sizing
 * on a fake device (decoded with the hypervisor's own drivers/pci_bar.c, a cross
 * check of both), and the 0xcf9 reset register. */
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
	return CHECK_DONE();
}
