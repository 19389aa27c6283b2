/* Host tests for kernel/vdev/acpi_build.c. The tables are put in a fake guest
 * memory and read back with the hypervisor's own ACPI parser (drivers/acpi_parse.c),
 * found the way a guest finds them (the BIOS-area RSDP search); then the registers
 * they name are driven on the device models they describe: PM1a_CNT with \_S5
 * powers off, the reset register resets, the PM timer counts, the century byte is
 * the RTC's. The AML is also walked by hand, PkgLength by PkgLength. */
#include "tests/unit/check.h"

#include "drivers/acpi_parse.c"
#include "kernel/vdev/acpi_build.c"
#include "kernel/vdev/pcihost.c"
#include "kernel/vdev/pmtimer.c"
#include "kernel/vdev/rtc.c"
#include "tests/unit/vdev_fake_host.h"

/* ---- Fake guest memory: exact-size heap copies, so ASan sees over-reads ---- */

#define GMEM_SIZE 0x100000u

static uint8_t GMEM[GMEM_SIZE];
static void *allocs[512];
static unsigned nallocs;

static const void *gmap(uint64_t phys, uint64_t len, void *ctx)
{
	void *p;

	(void)ctx;
	if (len == 0 || phys >= GMEM_SIZE || len > GMEM_SIZE - phys || nallocs >= 512)
		return NULL;
	p = malloc(len);
	if (!p)
		return NULL;
	memcpy(p, GMEM + phys, len);
	allocs[nallocs++] = p;
	return p;
}

static void gmap_release(void)
{
	while (nallocs)
		free(allocs[--nallocs]);
}

static struct vdev_acpi_config CFG = {
	.base = VDEV_ACPI_RSDP_GPA, .cpus = 4, .ram_below_4g = 512u << 20, .ioapic_id = 0};
static struct acpi_info AI;

/* Builds into guest memory at cfg->base and parses it from the BIOS search. */
static int build_and_parse(const struct vdev_acpi_config *cfg, size_t *len)
{
	uint64_t rsdp;
	int err;

	memset(GMEM, 0, sizeof(GMEM));
	err = vdev_acpi_build(cfg, GMEM + cfg->base, GMEM_SIZE - cfg->base, len);
	if (err)
		return err;
	rsdp = acpi_find_rsdp_bios(gmap, NULL);
	CHECK_EQ(rsdp, cfg->base);
	err = acpi_parse(NULL, 0, rsdp, gmap, NULL, &AI);
	gmap_release();
	return err;
}

static uint32_t rd32(const uint8_t *p)
{
	return (uint32_t)p[0] | (uint32_t)p[1] << 8 | (uint32_t)p[2] << 16 | (uint32_t)p[3] << 24;
}

TEST(tables_parse)
{
	size_t len;

	CHECK_EQ(build_and_parse(&CFG, &len), 0);
	CHECK(len > 0 && len < 4096);
	CHECK_EQ(AI.revision, 2);
	CHECK_STR(AI.oem, "TRPIN ");
	CHECK_EQ(AI.root_kind, ACPI_ROOT_XSDT);
	CHECK(!AI.xsdt_rejected);
	CHECK_EQ(AI.table_count, 5); /* XSDT, FACP, DSDT, APIC, MCFG */
	CHECK(!AI.tables_truncated);
	for (uint32_t i = 0; i < AI.table_count; i++) {
		CHECK(AI.tables[i].valid);
		CHECK(!AI.tables[i].partial);
		CHECK(AI.tables[i].phys >= CFG.base &&
		      AI.tables[i].phys + AI.tables[i].len <= CFG.base + len);
	}
	CHECK(acpi_table_find(&AI, "XSDT") != NULL);
	CHECK(acpi_table_find(&AI, "FACP") != NULL);
	CHECK(acpi_table_find(&AI, "DSDT") != NULL);
	CHECK(acpi_table_find(&AI, "APIC") != NULL);
	CHECK(acpi_table_find(&AI, "MCFG") != NULL);
	CHECK_EQ(acpi_table_find(&AI, "FACP")->rev, 6);
	CHECK_EQ(acpi_table_find(&AI, "FACP")->len, 276);
	CHECK_EQ(acpi_table_find(&AI, "DSDT")->rev, 2);
}

TEST(madt)
{
	size_t len;

	CHECK_EQ(build_and_parse(&CFG, &len), 0);
	CHECK(AI.madt.present);
	CHECK_EQ(AI.madt.lapic_base, 0xfee00000);
	CHECK_EQ(AI.madt.flags, ACPI_MADT_PCAT_COMPAT);
	CHECK_EQ(AI.madt.cpu_count, 4);
	for (uint32_t i = 0; i < 4; i++) {
		CHECK_EQ(AI.madt.cpus[i].apic_id, i);
		CHECK_EQ(AI.madt.cpus[i].uid, i);
		CHECK(AI.madt.cpus[i].enabled);
		CHECK(!AI.madt.cpus[i].x2apic);
	}
	CHECK_EQ(AI.madt.ioapic_count, 1);
	CHECK_EQ(AI.madt.ioapics[0].id, 0);
	CHECK_EQ(AI.madt.ioapics[0].addr, 0xfec00000);
	CHECK_EQ(AI.madt.ioapics[0].gsi_base, 0);
	CHECK_EQ(AI.madt.override_count, 2);
	CHECK_EQ(AI.madt.overrides[0].bus, 0);
	CHECK_EQ(AI.madt.overrides[0].source, 0);
	CHECK_EQ(AI.madt.overrides[0].gsi, 2);
	CHECK_EQ(AI.madt.overrides[0].flags, 0x0); /* conforms to ISA: edge, high */
	CHECK_EQ(AI.madt.overrides[1].source, 9);
	CHECK_EQ(AI.madt.overrides[1].gsi, 9);
	CHECK_EQ(AI.madt.overrides[1].flags, 0xd); /* level, active high */
	CHECK_EQ(AI.madt.nmi_count, 1);
	/* the parser only counts NMI entries: check the one there by its bytes
	 * (ACPI 6.5 5.2.12.7: type 4, length 6, UID 0xff = all, flags, LINT1) */
	{
		const struct acpi_table *t = acpi_table_find(&AI, "APIC");
		const uint8_t *m = GMEM + t->phys, *e = NULL;

		for (uint32_t off = 44; off + 2 <= t->len && m[off + 1] >= 2; off += m[off + 1])
			if (m[off] == 4)
				e = m + off;
		CHECK(e != NULL);
		if (e) {
			CHECK_EQ(e[1], 6);
			CHECK_EQ(e[2], 0xff);
			CHECK_EQ(e[3] | e[4] << 8, 0);
			CHECK_EQ(e[5], 1);
		}
	}
}

TEST(madt_cpu_counts)
{
	static const uint32_t counts[] = {1, 2, 3, 16, 64, 254, 255};
	struct vdev_acpi_config c = CFG;
	size_t len;

	for (unsigned i = 0; i < sizeof(counts) / sizeof(counts[0]); i++) {
		c.cpus = counts[i];
		c.ioapic_id = 7;
		CHECK_EQ(build_and_parse(&c, &len), 0);
		CHECK_EQ(AI.madt.cpu_count, counts[i]);
		CHECK_EQ(AI.madt.cpus[counts[i] - 1].apic_id, counts[i] - 1);
		CHECK(AI.madt.cpus[counts[i] - 1].enabled);
		CHECK_EQ(AI.madt.ioapics[0].id, 7);
	}
}

TEST(fadt)
{
	const struct acpi_table *facp, *dsdt;
	const uint8_t *f;
	size_t len;

	CHECK_EQ(build_and_parse(&CFG, &len), 0);
	CHECK(AI.fadt.present);
	CHECK_EQ(AI.fadt.rev, 6);
	CHECK(AI.fadt.flags & ACPI_FADT_RESET_REG_SUP);
	CHECK(!(AI.fadt.flags & ACPI_FADT_TMR_VAL_EXT)); /* 24-bit PM timer */
	CHECK(!(AI.fadt.flags & ACPI_FADT_HW_REDUCED));
	CHECK_EQ(AI.fadt.sci_int, 9);
	CHECK_EQ(AI.fadt.smi_cmd, 0);
	CHECK_EQ(AI.fadt.century, 0x32);
	CHECK(AI.fadt.boot_arch_valid);
	CHECK_EQ(AI.fadt.boot_arch, ACPI_BOOT_ARCH_LEGACY_DEVICES | 0x4);
	CHECK(!AI.fadt.has_8042);
	CHECK(AI.fadt.pm_timer_present);
	CHECK(!AI.fadt.pm_timer_32bit);
	CHECK_EQ(AI.fadt.pm_timer.space, ACPI_GAS_IO);
	CHECK_EQ(AI.fadt.pm_timer.addr, VDEV_PM_TMR);
	CHECK_EQ(AI.fadt.pm_timer.width, 32);
	CHECK(AI.fadt.reset_valid);
	CHECK_EQ(AI.fadt.reset_reg.space, ACPI_GAS_IO);
	CHECK_EQ(AI.fadt.reset_reg.addr, 0xcf9);
	CHECK_EQ(AI.fadt.reset_reg.width, 8);
	CHECK_EQ(AI.fadt.reset_value, 6);
	CHECK_EQ(AI.fadt.pm1a_cnt.space, ACPI_GAS_IO);
	CHECK_EQ(AI.fadt.pm1a_cnt.addr, 0x604);
	CHECK_EQ(AI.fadt.pm1a_cnt.width, 16);
	CHECK_EQ(AI.fadt.pm1b_cnt.addr, 0);
	dsdt = acpi_table_find(&AI, "DSDT");
	CHECK_EQ(AI.fadt.dsdt, dsdt->phys);
	CHECK(AI.s5.valid);
	CHECK_EQ(AI.s5.slp_typa, VDEV_PM_S5_SLP_TYP);
	CHECK_EQ(AI.s5.slp_typb, VDEV_PM_S5_SLP_TYP);

	/* fields the parser does not keep, at their ACPI 6.5 table 5.9 offsets */
	facp = acpi_table_find(&AI, "FACP");
	f = GMEM + facp->phys;
	CHECK_EQ(rd32(f + 36), CFG.base + 192); /* FIRMWARE_CTRL: the FACS */
	CHECK_EQ(rd32(f + 40), dsdt->phys);	/* DSDT */
	CHECK_EQ(rd32(f + 132) | rd32(f + 136),
		 0);			     /* X_FIRMWARE_CTRL 0 when FIRMWARE_CTRL is set */
	CHECK_EQ(rd32(f + 140), dsdt->phys); /* X_DSDT */
	CHECK_EQ(rd32(f + 56), 0x600);	     /* PM1a_EVT_BLK */
	CHECK_EQ(f[88], 4);		     /* PM1_EVT_LEN */
	CHECK_EQ(f[89], 2);		     /* PM1_CNT_LEN */
	CHECK_EQ(f[91], 4);		     /* PM_TMR_LEN */
	CHECK_EQ(f[148], ACPI_GAS_IO);	     /* X_PM1a_EVT_BLK */
	CHECK_EQ(f[149], 32);
	CHECK_EQ(rd32(f + 152), 0x600);
	CHECK_EQ(f[131], 0); /* minor version: ACPI 6.0 */
	/* the FACS: 64 bytes, 64-byte aligned, no checksum */
	CHECK_EQ((CFG.base + 192) % 64, 0);
	CHECK(memcmp(GMEM + CFG.base + 192, "FACS", 4) == 0);
	CHECK_EQ(rd32(GMEM + CFG.base + 192 + 4), 64);
	CHECK_EQ(GMEM[CFG.base + 192 + 32], 2); /* version */
}

/* The entries of a root table (RSDT: 4-byte, XSDT: 8-byte pointers) as read from
 * guest memory; returns how many, or -1 when the header is not the expected one. */
static int root_entries(uint64_t phys, const char *sig, unsigned width, uint64_t *out,
			unsigned cap)
{
	const uint8_t *h = GMEM + phys;
	uint32_t len = rd32(h + 4);
	unsigned n;

	if (memcmp(h, sig, 4) != 0 || len < 36 || (len - 36) % width || phys + len > GMEM_SIZE ||
	    acpi_sum(h, len) != 0)
		return -1;
	n = (len - 36) / width;
	for (unsigned i = 0; i < n && i < cap; i++) {
		out[i] = rd32(h + 36 + width * i);
		if (width == 8)
			out[i] |= (uint64_t)rd32(h + 40 + width * i) << 32;
	}
	return (int)n;
}

TEST(mcfg)
{
	const struct acpi_table *t;
	const uint8_t *m, *rsdp;
	uint64_t ptrs[8];
	size_t len;
	int n, hits;

	CHECK_EQ(build_and_parse(&CFG, &len), 0);
	t = acpi_table_find(&AI, "MCFG");
	CHECK(t != NULL);
	if (!t)
		return;
	/* PCI Firmware 3.2 table 4-3: header, 8 reserved bytes, one 16-byte
	 * allocation; revision 1; the checksum sums the table to zero */
	CHECK(t->valid);
	CHECK(!t->partial);
	CHECK_EQ(t->rev, 1);
	CHECK_EQ(t->len, 36 + 8 + 16);
	CHECK_STR(t->oem, "TRPIN ");
	m = GMEM + t->phys;
	CHECK_EQ(acpi_sum(m, t->len), 0);
	for (unsigned i = 36; i < 44; i++)
		CHECK_EQ(m[i], 0);
	/* the allocation, by its bytes: base, segment, start and end bus, reserved */
	CHECK_EQ(rd32(m + 44), 0xfeb00000);
	CHECK_EQ(rd32(m + 48), 0);
	CHECK_EQ(m[52] | m[53] << 8, 0);
	CHECK_EQ(m[54], 0);
	CHECK_EQ(m[55], 0);
	CHECK_EQ(rd32(m + 56), 0);
	/* and as the parser reads it */
	CHECK_EQ(AI.mcfg.count, 1);
	CHECK(!AI.mcfg.truncated);
	CHECK_EQ(AI.mcfg.segs[0].base, VDEV_PCI_ECAM_BASE);
	CHECK_EQ(AI.mcfg.segs[0].segment, 0);
	CHECK_EQ(AI.mcfg.segs[0].bus_start, 0);
	CHECK_EQ(AI.mcfg.segs[0].bus_end, VDEV_PCI_ECAM_BUS_END);
	/* it describes exactly the window the device model decodes */
	CHECK_EQ(vdev_pcihost_ecam_ops.mmio_base, AI.mcfg.segs[0].base);
	CHECK_EQ(vdev_pcihost_ecam_ops.mmio_size,
		 (uint64_t)(AI.mcfg.segs[0].bus_end - AI.mcfg.segs[0].bus_start + 1) << 20);
	/* the window lies above the largest low RAM (3 GiB) and below the IOAPIC */
	CHECK(VDEV_PCI_ECAM_BASE >= 3ull << 30);
	CHECK(VDEV_PCI_ECAM_BASE + VDEV_PCI_ECAM_SIZE <= 0xfec00000);

	/* listed once in the XSDT and once in the RSDT */
	rsdp = GMEM + CFG.base;
	n = root_entries(rd32(rsdp + 24) | (uint64_t)rd32(rsdp + 28) << 32, "XSDT", 8, ptrs, 8);
	CHECK_EQ(n, 3);
	hits = 0;
	for (int i = 0; i < n && i < 8; i++)
		hits += ptrs[i] == t->phys;
	CHECK_EQ(hits, 1);
	n = root_entries(rd32(rsdp + 16), "RSDT", 4, ptrs, 8);
	CHECK_EQ(n, 3);
	hits = 0;
	for (int i = 0; i < n && i < 8; i++)
		hits += ptrs[i] == t->phys;
	CHECK_EQ(hits, 1);

	/* the checksum covers the allocation: a changed base is refused */
	GMEM[t->phys + 46] ^= 0x10;
	CHECK_EQ(acpi_parse(NULL, 0, CFG.base, gmap, NULL, &AI), 0);
	gmap_release();
	CHECK(acpi_table_find(&AI, "MCFG") == NULL); /* finds valid tables only */
	hits = 0;
	for (uint32_t i = 0; i < AI.table_count; i++)
		hits += memcmp(AI.tables[i].sig, "MCFG", 4) == 0 && !AI.tables[i].valid;
	CHECK_EQ(hits, 1);
	CHECK_EQ(AI.mcfg.count, 0);
}

TEST(rsdt_fallback)
{
	size_t len;
	uint64_t xsdt;

	CHECK_EQ(build_and_parse(&CFG, &len), 0);
	xsdt = AI.root_phys;
	/* a guest that only knows ACPI 1.0 (or a broken XSDT) gets the same tables */
	memset(GMEM, 0, sizeof(GMEM));
	CHECK_EQ(vdev_acpi_build(&CFG, GMEM + CFG.base, GMEM_SIZE - CFG.base, &len), 0);
	GMEM[xsdt] = 'Y';
	CHECK_EQ(acpi_parse(NULL, 0, CFG.base, gmap, NULL, &AI), 0);
	gmap_release();
	CHECK(AI.xsdt_rejected);
	CHECK_EQ(AI.root_kind, ACPI_ROOT_RSDT);
	CHECK(AI.madt.present);
	CHECK_EQ(AI.madt.cpu_count, 4);
	CHECK(AI.fadt.present);
	CHECK(AI.s5.valid);
	CHECK_EQ(AI.mcfg.count, 1);
	CHECK_EQ(AI.mcfg.segs[0].base, VDEV_PCI_ECAM_BASE);
	/* and the ACPI 1.0 part of the RSDP has its own checksum */
	CHECK_EQ(acpi_sum(GMEM + CFG.base, 20), 0);
	CHECK_EQ(acpi_sum(GMEM + CFG.base, 36), 0);
}

TEST(devices_answer_where_the_tables_say)
{
	struct vpm pm;
	struct vpcihost ph;
	struct vrtc rtc;
	struct vdev_rtc_config rc = {
		.start_unix = 1709251198, .ram_below_4g = 512u << 20, .cpus = 4};
	size_t len;
	uint16_t cnt_port;

	CHECK_EQ(build_and_parse(&CFG, &len), 0);
	fake_reset();
	vdev_pm_init(&pm, &FAKE_HOST);
	vdev_pcihost_init(&ph, &FAKE_HOST);
	vdev_rtc_init(&rtc, &FAKE_HOST, &rc);

	/* PM timer: 1 s of guest time is 3579545 counts */
	FV.now = 1000000000;
	CHECK(AI.fadt.pm_timer.addr >= vdev_pm_ops.port_base &&
	      AI.fadt.pm_timer.addr + 4 <= vdev_pm_ops.port_base + vdev_pm_ops.port_count);
	CHECK_EQ(vdev_pm_ops.io_read(&pm, (uint16_t)AI.fadt.pm_timer.addr, 4), 3579545);

	/* the century byte is the RTC's (2024: BCD 0x20) */
	vdev_rtc_ops.io_write(&rtc, 0x70, 1, AI.fadt.century);
	CHECK_EQ(vdev_rtc_ops.io_read(&rtc, 0x71, 1), 0x20);

	/* ACPICA's S5 entry: SLP_TYPa into PM1a_CNT, then SLP_EN */
	cnt_port = (uint16_t)AI.fadt.pm1a_cnt.addr;
	vdev_pm_ops.io_write(&pm, cnt_port, 2, (uint32_t)AI.s5.slp_typa << 10 | VDEV_PM1_SCI_EN);
	CHECK_EQ(FV.powers, 0);
	vdev_pm_ops.io_write(&pm, cnt_port, 2,
			     (uint32_t)AI.s5.slp_typa << 10 | VDEV_PM1_SCI_EN | VDEV_PM1_SLP_EN);
	CHECK_EQ(FV.powers, 1);
	CHECK_EQ(FV.power_req, VDEV_POWER_OFF);
	CHECK(pm.powered_off);

	/* the FADT reset register resets */
	CHECK_EQ(AI.fadt.reset_reg.width, 8);
	vdev_pcihost_ops.io_write(&ph, (uint16_t)AI.fadt.reset_reg.addr, 1, AI.fadt.reset_value);
	CHECK_EQ(FV.powers, 2);
	CHECK_EQ(FV.power_req, VDEV_POWER_RESET);
	CHECK_EQ(ph.resets, 1);

	/* the MCFG's base reaches the host bridge through the ECAM window: its
	 * IDs, and the end of its extended space */
	CHECK_EQ(AI.mcfg.count, 1);
	{
		uint64_t off = AI.mcfg.segs[0].base - vdev_pcihost_ecam_ops.mmio_base;

		CHECK_EQ(vdev_pcihost_ecam_ops.mmio_read(&ph, off, 4), 0x29c08086);
		CHECK_EQ(vdev_pcihost_ecam_ops.mmio_read(&ph, off + 0x100, 4), 0);
		CHECK_EQ(vdev_pcihost_ecam_ops.mmio_read(&ph, off + (1u << 15), 4), 0xffffffff);
	}
}

TEST(bad_configs)
{
	static uint8_t buf[8192];
	struct vdev_acpi_config c;
	size_t len = 1234;

	c = CFG;
	c.cpus = 0;
	CHECK_EQ(vdev_acpi_build(&c, buf, sizeof(buf), &len), -EINVAL);
	CHECK_EQ(len, 0);
	c.cpus = 256;
	CHECK_EQ(vdev_acpi_build(&c, buf, sizeof(buf), &len), -EINVAL);
	c = CFG;
	c.base = 0xe0008;
	CHECK_EQ(vdev_acpi_build(&c, buf, sizeof(buf), &len), -EINVAL);
	c.base = 0x100000000ull - 512; /* the blob would cross 4 GiB */
	CHECK_EQ(vdev_acpi_build(&c, buf, sizeof(buf), &len), -EINVAL);
	c.base = 0xffffffffffffff00ull;
	CHECK_EQ(vdev_acpi_build(&c, buf, sizeof(buf), &len), -EINVAL);
	c = CFG;
	c.ram_below_4g = 0xfec00000;
	CHECK_EQ(vdev_acpi_build(&c, buf, sizeof(buf), &len), -EINVAL);
	c.ram_below_4g = 0xfeb00000; /* no room left below the ECAM window */
	CHECK_EQ(vdev_acpi_build(&c, buf, sizeof(buf), &len), -EINVAL);
	c.ram_below_4g = 0xfea00001; /* rounds up to 1 MiB: the ECAM base */
	CHECK_EQ(vdev_acpi_build(&c, buf, sizeof(buf), &len), -EINVAL);
	c.ram_below_4g = 0xfea00000; /* a 1 MiB window is still a window */
	CHECK_EQ(vdev_acpi_build(&c, buf, sizeof(buf), &len), 0);
	CHECK_EQ(vdev_acpi_build(NULL, buf, sizeof(buf), &len), -EINVAL);
	/* placed anywhere 16-byte aligned below 4 GiB is fine */
	c = CFG;
	c.base = 0x7ff00010;
	CHECK_EQ(vdev_acpi_build(&c, buf, sizeof(buf), &len), 0);
}

TEST(buffer_too_small)
{
	size_t need, len;
	uint8_t *ref;

	CHECK_EQ(vdev_acpi_build(&CFG, NULL, 0, &need), -ENOSPC);
	CHECK(need > 0);
	ref = malloc(need);
	CHECK_EQ(vdev_acpi_build(&CFG, ref, need, &len), 0);
	CHECK_EQ(len, need);
	/* every shorter buffer is refused without a write past its end (ASan) */
	for (size_t cap = 0; cap < need; cap++) {
		uint8_t *b = malloc(cap ? cap : 1);
		len = 0;
		CHECK_EQ(vdev_acpi_build(&CFG, b, cap, &len), -ENOSPC);
		CHECK_EQ(len, need);
		free(b);
	}
	/* the build is deterministic */
	{
		uint8_t *again = malloc(need);
		CHECK_EQ(vdev_acpi_build(&CFG, again, need, &len), 0);
		CHECK(memcmp(ref, again, need) == 0);
		free(again);
	}
	free(ref);
}

/* ---- AML encoding ---- */

TEST(eisa_ids)
{
	CHECK_EQ(eisa_id("PNP0A03"), 0x030ad041); /* the well-known encodings */
	CHECK_EQ(eisa_id("PNP0501"), 0x0105d041);
	CHECK_EQ(eisa_id("PNP0C0F"), 0x0f0cd041);
}

TEST(pkg_length_encoding)
{
	static const struct {
		size_t body;
		uint8_t n, b0, b1, b2;
	} t[] = {
		{0, 1, 0x01, 0, 0},	 {62, 1, 0x3f, 0, 0},	   {63, 2, 0x41, 0x04, 0},
		{200, 2, 0x4a, 0x0c, 0}, {4093, 2, 0x4f, 0xff, 0}, {4094, 3, 0x81, 0x00, 0x01},
	};
	static uint8_t buf[8192];

	for (unsigned i = 0; i < sizeof(t) / sizeof(t[0]); i++) {
		struct aml a = {.p = buf, .cap = sizeof(buf)};
		size_t at;

		aml_u8(&a, 0xee);
		at = aml_open(&a);
		for (size_t j = 0; j < t[i].body; j++)
			aml_u8(&a, (uint8_t)(j ^ 0x5a));
		aml_close(&a, at);
		aml_u8(&a, 0xdd); /* what follows the package */
		CHECK(!a.overflow);
		CHECK_EQ(a.len, 1 + t[i].n + t[i].body + 1);
		CHECK_EQ(buf[0], 0xee);
		CHECK_EQ(buf[1], t[i].b0);
		if (t[i].n > 1)
			CHECK_EQ(buf[2], t[i].b1);
		if (t[i].n > 2)
			CHECK_EQ(buf[3], t[i].b2);
		if (t[i].body) {
			CHECK_EQ(buf[1 + t[i].n], 0x5a); /* the body moved intact */
			CHECK_EQ(buf[t[i].n + t[i].body], (uint8_t)((t[i].body - 1) ^ 0x5a));
		}
		CHECK_EQ(buf[a.len - 1], 0xdd);
		/* and the parser's decoder reads the same length back */
		{
			uint32_t pl;
			CHECK_EQ(aml_pkg_length(buf + 1, a.len - 1, &pl), t[i].n);
			CHECK_EQ(pl, t[i].n + t[i].body);
		}
	}
	/* an AML buffer that fills up reports it instead of writing past its end */
	{
		uint8_t small[4];
		struct aml a = {.p = small, .cap = sizeof(small)};
		size_t at = aml_open(&a);

		for (int j = 0; j < 10; j++)
			aml_u8(&a, 1);
		aml_close(&a, at);
		CHECK(a.overflow);
	}
}

/* A PkgLength-walking reader for the DSDT we build: checks every package's length
 * nests exactly and returns the _CRS buffer of the named device. */
static size_t pkg(const uint8_t *p, size_t left, uint32_t *len)
{
	return aml_pkg_length(p, left, len);
}

static const uint8_t *find_crs(const uint8_t *dev, size_t dev_len, size_t *crs_len)
{
	for (size_t i = 0; i + 8 < dev_len; i++) {
		if (dev[i] == 0x08 && memcmp(dev + i + 1, "_CRS", 4) == 0 && dev[i + 5] == 0x11) {
			uint32_t pl, n;
			size_t k = pkg(dev + i + 6, dev_len - i - 6, &pl);
			const uint8_t *q = dev + i + 6 + k;
			/* BufferSize: a ByteConst here */
			if (q[0] != 0x0a)
				return NULL;
			n = q[1];
			if (pl != k + 2 + n)
				return NULL;
			*crs_len = n;
			return q + 2;
		}
	}
	return NULL;
}

TEST(dsdt_structure)
{
	const struct acpi_table *t;
	const uint8_t *aml, *end, *p, *crs;
	uint32_t scope_len, dev_len;
	size_t len, k, crs_len;
	static const uint8_t s5[] = {0x08, '_', 'S', '5', '_', 0x12, 0x06, 0x04, 0, 0, 0, 0};
	static const uint8_t com1_crs[] = {0x47, 0x01, 0xf8, 0x03, 0xf8, 0x03, 0x00,
					   0x08, 0x22, 0x10, 0x00, 0x79, 0x00};
	/* I/O 0x70-0x71, alignment 1, length 2; IRQ 8 */
	static const uint8_t rtc_crs[] = {0x47, 0x01, 0x70, 0x00, 0x70, 0x00, 0x01,
					  0x02, 0x22, 0x00, 0x01, 0x79, 0x00};
	/* Memory32Fixed(ReadWrite, 0xfeb00000, 1 MiB): the ECAM window */
	static const uint8_t mres_crs[] = {0x86, 0x09, 0x00, 0x01, 0x00, 0x00, 0xb0,
					   0xfe, 0x00, 0x00, 0x10, 0x00, 0x79, 0x00};
	/* Name(_HID, EISAID("PNP0C02")) */
	static const uint8_t mres_hid[] = {0x08, '_', 'H', 'I', 'D', 0x0c, 0x41, 0xd0, 0x0c, 0x02};

	CHECK_EQ(build_and_parse(&CFG, &len), 0);
	t = acpi_table_find(&AI, "DSDT");
	aml = GMEM + t->phys + 36;
	end = GMEM + t->phys + t->len;
	CHECK(memcmp(aml, s5, sizeof(s5)) == 0);
	p = aml + sizeof(s5);
	/* Scope(\_SB_) runs exactly to the end of the table */
	CHECK_EQ(p[0], 0x10);
	k = pkg(p + 1, (size_t)(end - p - 1), &scope_len);
	CHECK(k > 0);
	CHECK_EQ(scope_len, (size_t)(end - p - 1));
	CHECK(memcmp(p + 1 + k, "\\_SB_", 5) == 0);
	p += 1 + k + 5;
	/* Device(PCI0), Device(COM1), Device(RTC_) and Device(MRES), back to
	 * back, filling the scope */
	for (int d = 0; d < 4; d++) {
		static const char *const names[] = { "PCI0", "COM1", "RTC_", "MRES" };
		const char *name = names[d];

		CHECK_EQ(p[0], 0x5b);
		CHECK_EQ(p[1], 0x82);
		k = pkg(p + 2, (size_t)(end - p - 2), &dev_len);
		CHECK(k > 0 && dev_len <= (size_t)(end - p - 2));
		CHECK(memcmp(p + 2 + k, name, 4) == 0);
		crs = find_crs(p + 2, dev_len, &crs_len);
		CHECK(crs != NULL);
		if (crs && d == 1) {
			CHECK_EQ(crs_len, sizeof(com1_crs));
			CHECK(memcmp(crs, com1_crs, sizeof(com1_crs)) == 0);
		}
		if (crs && d == 2) {
			CHECK_EQ(crs_len, sizeof(rtc_crs));
			CHECK(memcmp(crs, rtc_crs, sizeof(rtc_crs)) == 0);
		}
		if (crs && d == 3) {
			CHECK_EQ(crs_len, sizeof(mres_crs));
			CHECK(memcmp(crs, mres_crs, sizeof(mres_crs)) == 0);
			CHECK(dev_len > k + 4 + sizeof(mres_hid) &&
			      memcmp(p + 2 + k + 4, mres_hid, sizeof(mres_hid)) == 0);
		}
		if (crs && d == 0) {
			/* word bus 0-0 (what the MCFG covers), IO 0xcf8/8, word IO
			 * 0-0xcf7, 0xd00-0xffff, dword memory from 512 MiB to below
			 * the ECAM window, end tag */
			CHECK_EQ(crs_len, 16 + 8 + 16 + 16 + 26 + 2);
			CHECK_EQ(crs[0], 0x88);
			CHECK_EQ(crs[3], 2);
			CHECK_EQ(crs[8] | crs[9] << 8, 0x00);
			CHECK_EQ(crs[10] | crs[11] << 8, 0x00);
			CHECK_EQ(crs[14] | crs[15] << 8, 0x1);
			CHECK_EQ(crs[16], 0x47);
			CHECK_EQ(crs[18] | crs[19] << 8, 0xcf8);
			CHECK_EQ(crs[24], 0x88);
			CHECK_EQ(crs[27], 1);
			CHECK_EQ(crs[34] | crs[35] << 8, 0x0cf7);
			CHECK_EQ(crs[38] | crs[39] << 8, 0x0cf8); /* length */
			CHECK_EQ(crs[40 + 8] | crs[40 + 9] << 8, 0x0d00);
			CHECK_EQ(crs[40 + 10] | crs[40 + 11] << 8, 0xffff);
			CHECK_EQ(crs[56], 0x87);
			CHECK_EQ(rd32(crs + 56 + 10), 512u << 20);
			CHECK_EQ(rd32(crs + 56 + 14), 0xfeafffff);
			CHECK_EQ(rd32(crs + 56 + 22), 0xfeb00000 - (512u << 20));
			/* the window and the ECAM window do not overlap */
			CHECK(rd32(crs + 56 + 14) < VDEV_PCI_ECAM_BASE);
			CHECK_EQ(crs[82], 0x79);
		}
		p += 2 + dev_len;
	}
	CHECK(p == end);
}

int main(void)
{
	RUN(tables_parse);
	RUN(madt);
	RUN(madt_cpu_counts);
	RUN(fadt);
	RUN(mcfg);
	RUN(rsdt_fallback);
	RUN(devices_answer_where_the_tables_say);
	RUN(bad_configs);
	RUN(buffer_too_small);
	RUN(eisa_ids);
	RUN(pkg_length_encoding);
	RUN(dsdt_structure);
	return CHECK_DONE();
}
