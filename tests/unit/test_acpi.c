/* Host tests for drivers/acpi_parse.c: synthetic ACPI tables in a fake physical
 * memory. The map callback hands out an exact-size heap copy of each range asked
 * for, so AddressSanitizer catches any read past what the parser mapped. Table
 * fields are written at the spec's byte offsets (not through the parser's structs),
 * so a wrong struct layout fails here. */
#include "tests/unit/check.h"

#include "drivers/acpi_parse.c"

#include <stdint.h>

/* ---- Fake physical memory ---- */

#define MEM_SIZE 0x200000u
#define RSDP_AT 0xf0000u
#define XSDT_AT 0x100000u
#define RSDT_AT 0x100800u
#define MADT_AT 0x101000u
#define FADT_AT 0x102000u
#define DSDT_AT 0x103000u
#define MCFG_AT 0x104000u
#define HPET_AT 0x105000u
#define DMAR_AT 0x106000u
#define IVRS_AT 0x107000u
#define SPARE_AT 0x108000u
#define SPARE2_AT 0x109000u

struct fake {
	uint8_t mem[MEM_SIZE];
	uint64_t limit; /* map() refuses anything past this */
	void *allocs[4096];
	unsigned nallocs;
	unsigned calls;
};

static struct fake F;

static const void *fake_map(uint64_t phys, uint64_t len, void *ctx)
{
	struct fake *f = ctx;
	void *p;

	f->calls++;
	if (len == 0 || phys >= f->limit || len > f->limit - phys)
		return NULL;
	if (f->nallocs >= sizeof(f->allocs) / sizeof(f->allocs[0]))
		return NULL;
	p = malloc(len);
	if (!p)
		return NULL;
	memcpy(p, f->mem + phys, len);
	f->allocs[f->nallocs++] = p;
	return p;
}

static void fake_release(void)
{
	while (F.nallocs)
		free(F.allocs[--F.nallocs]);
}

static void fake_init(void)
{
	fake_release();
	memset(F.mem, 0, sizeof(F.mem));
	F.limit = MEM_SIZE;
	F.calls = 0;
}

static void w8(uint64_t a, uint8_t v)
{
	F.mem[a] = v;
}

static void w16(uint64_t a, uint16_t v)
{
	w8(a, (uint8_t)v);
	w8(a + 1, (uint8_t)(v >> 8));
}

static void w32(uint64_t a, uint32_t v)
{
	w16(a, (uint16_t)v);
	w16(a + 2, (uint16_t)(v >> 16));
}

static void w64(uint64_t a, uint64_t v)
{
	w32(a, (uint32_t)v);
	w32(a + 4, (uint32_t)(v >> 32));
}

static uint32_t r32(uint64_t a)
{
	return (uint32_t)F.mem[a] | (uint32_t)F.mem[a + 1] << 8 | (uint32_t)F.mem[a + 2] << 16 |
	       (uint32_t)F.mem[a + 3] << 24;
}

static uint8_t sum_at(uint64_t a, uint32_t n)
{
	uint8_t s = 0;
	for (uint32_t i = 0; i < n; i++)
		s = (uint8_t)(s + F.mem[a + i]);
	return s;
}

/* Sets the header checksum (byte 9) so the table sums to zero. */
static void table_fix(uint64_t a)
{
	uint32_t len = r32(a + 4);

	if (len > MEM_SIZE - a)
		len = (uint32_t)(MEM_SIZE - a);
	F.mem[a + 9] = 0;
	F.mem[a + 9] = (uint8_t)(0x100 - sum_at(a, len));
}

static void table_hdr(uint64_t a, const char *sig, uint32_t len, uint8_t rev)
{
	memcpy(F.mem + a, sig, 4);
	w32(a + 4, len);
	w8(a + 8, rev);
	memcpy(F.mem + a + 10, "TRPNOE", 6);
	memcpy(F.mem + a + 16, "TESTTBL ", 8);
	w32(a + 24, 1);
	memcpy(F.mem + a + 28, "TEST", 4);
	w32(a + 32, 1);
}

/* A table: header, body, fixed checksum. */
static void make_table(uint64_t a, const char *sig, uint8_t rev, const void *body, uint32_t n)
{
	memcpy(F.mem + a + 36, body, n);
	table_hdr(a, sig, 36 + n, rev);
	table_fix(a);
}

/* A little byte builder for table bodies. */
struct buf {
	uint8_t b[8192];
	uint32_t n;
};

static void b8(struct buf *b, uint8_t v)
{
	b->b[b->n++] = v;
}

static void b16(struct buf *b, uint16_t v)
{
	b8(b, (uint8_t)v);
	b8(b, (uint8_t)(v >> 8));
}

static void b32(struct buf *b, uint32_t v)
{
	b16(b, (uint16_t)v);
	b16(b, (uint16_t)(v >> 16));
}

static void b64(struct buf *b, uint64_t v)
{
	b32(b, (uint32_t)v);
	b32(b, (uint32_t)(v >> 32));
}

static void bbytes(struct buf *b, const void *p, uint32_t n)
{
	memcpy(b->b + b->n, p, n);
	b->n += n;
}

static void rsdp_fix(uint64_t a)
{
	F.mem[a + 8] = 0;
	F.mem[a + 8] = (uint8_t)(0x100 - sum_at(a, 20));
	F.mem[a + 32] = 0;
	if (F.mem[a + 15] >= 2)
		F.mem[a + 32] = (uint8_t)(0x100 - sum_at(a, 36));
}

static void make_rsdp(uint64_t a, uint8_t rev, uint32_t rsdt, uint64_t xsdt)
{
	memset(F.mem + a, 0, 36);
	memcpy(F.mem + a, "RSD PTR ", 8);
	memcpy(F.mem + a + 9, "TRPNOE", 6);
	w8(a + 15, rev);
	w32(a + 16, rsdt);
	if (rev >= 2) {
		w32(a + 20, 36);
		w64(a + 24, xsdt);
	}
	rsdp_fix(a);
}

static void make_xsdt(uint64_t a, const uint64_t *addrs, unsigned n)
{
	struct buf b = { .n = 0 };
	for (unsigned i = 0; i < n; i++)
		b64(&b, addrs[i]);
	make_table(a, "XSDT", 1, b.b, b.n);
}

static void make_rsdt(uint64_t a, const uint32_t *addrs, unsigned n)
{
	struct buf b = { .n = 0 };
	for (unsigned i = 0; i < n; i++)
		b32(&b, addrs[i]);
	make_table(a, "RSDT", 1, b.b, b.n);
}

static void madt_lapic(struct buf *b, uint8_t uid, uint8_t id, uint32_t flags)
{
	b8(b, 0);
	b8(b, 8);
	b8(b, uid);
	b8(b, id);
	b32(b, flags);
}

static void madt_x2apic(struct buf *b, uint32_t id, uint32_t uid, uint32_t flags)
{
	b8(b, 9);
	b8(b, 16);
	b16(b, 0);
	b32(b, id);
	b32(b, flags);
	b32(b, uid);
}

static void madt_ioapic(struct buf *b, uint8_t id, uint32_t addr, uint32_t gsi)
{
	b8(b, 1);
	b8(b, 12);
	b8(b, id);
	b8(b, 0);
	b32(b, addr);
	b32(b, gsi);
}

static void madt_iso(struct buf *b, uint8_t src, uint32_t gsi, uint16_t flags)
{
	b8(b, 2);
	b8(b, 10);
	b8(b, 0);
	b8(b, src);
	b32(b, gsi);
	b16(b, flags);
}

static void madt_start(struct buf *b, uint32_t lapic, uint32_t flags)
{
	b->n = 0;
	b32(b, lapic);
	b32(b, flags);
}

/* The standard MADT: 4 LAPIC entries (2 enabled, 1 online-capable, 1 off), an
 * x2APIC CPU, an x2APIC duplicate of CPU 1, 2 IOAPICs, 2 overrides, 2 NMIs. */
static void make_std_madt(uint64_t a)
{
	struct buf b;

	madt_start(&b, 0xfee00000, 1);
	madt_lapic(&b, 0, 0, 1);
	madt_lapic(&b, 1, 1, 1);
	madt_lapic(&b, 2, 2, 2);
	madt_lapic(&b, 3, 3, 0);
	madt_x2apic(&b, 0x100, 4, 1);
	madt_x2apic(&b, 1, 1, 1);
	madt_ioapic(&b, 0, 0xfec00000, 0);
	madt_ioapic(&b, 1, 0xfec01000, 24);
	madt_iso(&b, 0, 2, 0);
	madt_iso(&b, 9, 9, 0x000d);
	/* LAPIC NMI: all CPUs, LINT1 */
	b8(&b, 4);
	b8(&b, 6);
	b8(&b, 0xff);
	b16(&b, 5);
	b8(&b, 1);
	/* x2APIC NMI */
	b8(&b, 10);
	b8(&b, 12);
	b16(&b, 0);
	b32(&b, 0xffffffff);
	b8(&b, 1);
	b8(&b, 0);
	b16(&b, 0);
	/* an unknown type (GIC CPU interface) is skipped by its length */
	b8(&b, 0x0b);
	b8(&b, 8);
	b32(&b, 0);
	b16(&b, 0);
	make_table(a, "APIC", 5, b.b, b.n);
}

/* A FADT of len bytes. All 276 bytes of fields are written whatever len says, so a
 * short FADT has tempting values just past its end that must not be used. */
static void make_fadt(uint64_t a, uint32_t len, uint8_t rev, uint32_t flags)
{
	memset(F.mem + a, 0, 276);
	w32(a + 40, DSDT_AT);
	w16(a + 46, 9);
	w32(a + 48, 0xb2);
	w8(a + 52, 0xf1);
	w8(a + 53, 0xf0);
	w32(a + 64, 0x604);
	w32(a + 68, 0);
	w32(a + 76, 0x608);
	w8(a + 89, 2);
	w8(a + 91, 4);
	w8(a + 108, 0x32);
	w16(a + 109, 0x0002); /* 8042 */
	w32(a + 112, flags);
	/* RESET_REG: system I/O, 8 bits at 0xcf9, value 6 */
	w8(a + 116, 1);
	w8(a + 117, 8);
	w8(a + 119, 1);
	w64(a + 120, 0xcf9);
	w8(a + 128, 6);
	w64(a + 140, DSDT_AT);
	/* X_PM1a_CNT_BLK */
	w8(a + 172, 1);
	w8(a + 173, 16);
	w8(a + 175, 2);
	w64(a + 172 + 4, 0x604);
	/* X_PM_TMR_BLK */
	w8(a + 208, 1);
	w8(a + 209, 32);
	w8(a + 211, 3);
	w64(a + 208 + 4, 0x608);
	table_hdr(a, "FACP", len, rev);
	table_fix(a);
}

/* Name(_S5_, Package(0x04){0x05, 0x05, Zero, Zero}) in a small scope. */
static const uint8_t aml_s5_byteconst[] = {
	0x10, 0x05, '_', 'S', 'B', '_',                         /* Scope(_SB_) {} */
	0x08, '_', 'S', '5', '_', 0x12, 0x08, 0x04, 0x0a, 0x05, /* Name(_S5_, Package ... */
	0x0a, 0x05, 0x00, 0x00,
};

static void make_dsdt(uint64_t a, const uint8_t *aml, uint32_t n)
{
	make_table(a, "DSDT", 2, aml, n);
}

static void make_mcfg(uint64_t a)
{
	struct buf b = { .n = 0 };

	b64(&b, 0);
	b64(&b, 0xb0000000); /* segment 0, buses 0..255 */
	b16(&b, 0);
	b8(&b, 0);
	b8(&b, 255);
	b32(&b, 0);
	b64(&b, 0xc0000000); /* segment 1, buses 0x10..0x1f */
	b16(&b, 1);
	b8(&b, 0x10);
	b8(&b, 0x1f);
	b32(&b, 0);
	make_table(a, "MCFG", 1, b.b, b.n);
}

static void make_hpet(uint64_t a, uint32_t block_id)
{
	struct buf b = { .n = 0 };

	b32(&b, block_id);
	b8(&b, 0); /* memory space */
	b8(&b, 64);
	b8(&b, 0);
	b8(&b, 0);
	b64(&b, 0xfed00000);
	b8(&b, 0);
	b16(&b, 0x80);
	b8(&b, 0);
	make_table(a, "HPET", 1, b.b, b.n);
}

static void make_dmar(uint64_t a)
{
	struct buf b = { .n = 0 };

	b8(&b, 38); /* HAW 39 bits */
	b8(&b, 1);  /* INTR_REMAP */
	for (int i = 0; i < 10; i++)
		b8(&b, 0);
	/* DRHD, 24 bytes: a device scope of 8 bytes follows the 16-byte body */
	b16(&b, 0);
	b16(&b, 24);
	b8(&b, 0);
	b8(&b, 0);
	b16(&b, 0);
	b64(&b, 0xfed90000);
	b8(&b, 1);
	b8(&b, 8);
	b16(&b, 0);
	b8(&b, 0);
	b8(&b, 0);
	b8(&b, 2);
	b8(&b, 0);
	/* RMRR, 24 bytes */
	b16(&b, 1);
	b16(&b, 24);
	b16(&b, 0);
	b16(&b, 0);
	b64(&b, 0x000e0000);
	b64(&b, 0x000fffff);
	/* DRHD with INCLUDE_PCI_ALL on segment 0 */
	b16(&b, 0);
	b16(&b, 16);
	b8(&b, 1);
	b8(&b, 0);
	b16(&b, 0);
	b64(&b, 0xfed91000);
	make_table(a, "DMAR", 1, b.b, b.n);
}

static void ivhd(struct buf *b, uint8_t type, uint16_t len, uint64_t base)
{
	b8(b, type);
	b8(b, 0xb0);
	b16(b, len);
	b16(b, 0x0010); /* 00:02.0 */
	b16(b, 0x40);
	b64(b, base);
	b16(b, 0);
	b16(b, 0);
	b32(b, 0);
	for (uint16_t i = 24; i < len; i++)
		b8(b, 0);
}

static void make_ivrs(uint64_t a)
{
	struct buf b = { .n = 0 };

	b32(&b, 0x00203040);
	b64(&b, 0);
	ivhd(&b, 0x10, 28, 0xfed80000);
	ivhd(&b, 0x11, 40, 0xfed80000);
	/* IVMD, 32 bytes */
	b8(&b, 0x20);
	b8(&b, 0);
	b16(&b, 32);
	for (int i = 0; i < 28; i++)
		b8(&b, 0);
	make_table(a, "IVRS", 2, b.b, b.n);
}

/* The whole standard platform: RSDP v2, XSDT with everything, RSDT with MADT and
 * FADT only (so a test can tell which root was used). */
static void build_std(void)
{
	uint64_t x[] = { MADT_AT, FADT_AT, MCFG_AT, HPET_AT, DMAR_AT, IVRS_AT };
	uint32_t r[] = { MADT_AT, FADT_AT };

	fake_init();
	make_std_madt(MADT_AT);
	make_fadt(FADT_AT, 276, 6, ACPI_FADT_RESET_REG_SUP | ACPI_FADT_TMR_VAL_EXT);
	make_dsdt(DSDT_AT, aml_s5_byteconst, sizeof(aml_s5_byteconst));
	make_mcfg(MCFG_AT);
	make_hpet(HPET_AT, 0x8086a201);
	make_dmar(DMAR_AT);
	make_ivrs(IVRS_AT);
	make_xsdt(XSDT_AT, x, 6);
	make_rsdt(RSDT_AT, r, 2);
	make_rsdp(RSDP_AT, 2, RSDT_AT, XSDT_AT);
}

static struct acpi_info AI;

/* Parses from the RSDP's address, then frees every mapping. */
static int parse_at(uint64_t rsdp)
{
	int r = acpi_parse(NULL, 0, rsdp, fake_map, &F, &AI);
	fake_release();
	return r;
}

static const struct acpi_table *listed(uint64_t phys)
{
	for (uint32_t i = 0; i < AI.table_count; i++)
		if (AI.tables[i].phys == phys)
			return &AI.tables[i];
	return NULL;
}

static const char *why(const struct acpi_table *t)
{
	return t && t->why ? t->why : "(none)";
}

/* ---- RSDP and root tables ---- */

TEST(rsdp_v1_rsdt)
{
	uint32_t r[] = { MADT_AT, FADT_AT };

	build_std();
	make_rsdt(RSDT_AT, r, 2);
	make_rsdp(RSDP_AT, 0, RSDT_AT, 0);
	CHECK_EQ(parse_at(RSDP_AT), 0);
	CHECK_EQ(AI.revision, 0);
	CHECK_STR(AI.oem, "TRPNOE");
	CHECK_EQ(AI.root_kind, ACPI_ROOT_RSDT);
	CHECK_EQ(AI.root_phys, RSDT_AT);
	CHECK_EQ(AI.table_count, 4); /* RSDT, APIC, FACP, DSDT */
	CHECK_STR(AI.tables[0].sig, "RSDT");
	CHECK_STR(AI.tables[1].sig, "APIC");
	CHECK_STR(AI.tables[2].sig, "FACP");
	CHECK_STR(AI.tables[3].sig, "DSDT");
	for (uint32_t i = 0; i < AI.table_count; i++) {
		CHECK(AI.tables[i].valid);
		CHECK(AI.tables[i].why == NULL);
		CHECK_STR(AI.tables[i].oem, "TRPNOE");
	}
	CHECK_EQ(AI.tables[1].phys, MADT_AT);
	CHECK_EQ(AI.tables[1].rev, 5);
	CHECK(AI.madt.present);
	CHECK(AI.fadt.present);
	CHECK(!AI.hpet.present); /* only in the XSDT */
	CHECK(!AI.dmar.present);
}

TEST(rsdp_v2_prefers_xsdt)
{
	build_std();
	CHECK_EQ(parse_at(RSDP_AT), 0);
	CHECK_EQ(AI.revision, 2);
	CHECK_EQ(AI.rsdp_phys, RSDP_AT);
	CHECK_EQ(AI.root_kind, ACPI_ROOT_XSDT);
	CHECK_EQ(AI.root_phys, XSDT_AT);
	CHECK(!AI.xsdt_rejected);
	CHECK_EQ(AI.table_count, 8); /* XSDT + 6 + DSDT */
	CHECK_STR(AI.tables[0].sig, "XSDT");
	CHECK(AI.madt.present && AI.fadt.present && AI.hpet.present);
	CHECK(AI.dmar.present && AI.ivrs.present);
	CHECK_EQ(AI.mcfg.count, 2);
	CHECK(listed(RSDT_AT) == NULL); /* the RSDT is not walked when the XSDT is good */
}

TEST(rsdp_from_copy)
{
	uint8_t copy[36];

	build_std();
	memcpy(copy, F.mem + RSDP_AT, 36);
	/* The copy is what counts: the RSDP in memory may be gone. */
	memset(F.mem + RSDP_AT, 0, 36);
	CHECK_EQ(acpi_parse(copy, sizeof(copy), 0, fake_map, &F, &AI), 0);
	fake_release();
	CHECK_EQ(AI.root_kind, ACPI_ROOT_XSDT);
	CHECK_EQ(AI.rsdp_phys, 0);
	/* A v1 copy of 20 bytes is enough for revision 0. */
	make_rsdp(RSDP_AT, 0, RSDT_AT, 0);
	memcpy(copy, F.mem + RSDP_AT, 20);
	CHECK_EQ(acpi_parse(copy, 20, 0, fake_map, &F, &AI), 0);
	fake_release();
	CHECK_EQ(AI.root_kind, ACPI_ROOT_RSDT);
	/* A v2 RSDP cut to 20 bytes, with no address to read the rest: refused. */
	make_rsdp(RSDP_AT, 2, RSDT_AT, XSDT_AT);
	memcpy(copy, F.mem + RSDP_AT, 20);
	CHECK(acpi_parse(copy, 20, 0, fake_map, &F, &AI) < 0);
	fake_release();
	/* ... but with its address the rest is read from memory. */
	CHECK_EQ(acpi_parse(copy, 20, RSDP_AT, fake_map, &F, &AI), 0);
	fake_release();
	CHECK_EQ(AI.root_kind, ACPI_ROOT_XSDT);
}

TEST(rsdp_rejected)
{
	static const struct {
		const char *name;
		uint32_t off; /* byte to damage */
		uint8_t val;
		bool refix; /* fix both checksums after the damage */
		int want;
	} cases[] = {
		{ "v1 checksum", 8, 0x55, false, -EINVAL },
		{ "signature", 0, 'X', true, -EINVAL },
		{ "oem byte, no fix", 10, 'Q', false, -EINVAL },
		{ "extended checksum", 32, 0x77, false, -EINVAL },
		{ "xsdt byte, no fix", 25, 0x12, false, -EINVAL },
		{ "length below 36", 20, 20, true, -EINVAL },
		{ "length 8 KiB", 21, 0x20, true, -EINVAL },
		{ "oem byte, fixed", 10, 'Q', true, 0 },
	};

	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		int r;

		build_std();
		F.mem[RSDP_AT + cases[i].off] = cases[i].val;
		if (cases[i].refix)
			rsdp_fix(RSDP_AT);
		r = parse_at(RSDP_AT);
		if (r != cases[i].want)
			printf("  case %s\n", cases[i].name);
		CHECK_EQ(r, cases[i].want);
		if (cases[i].want)
			CHECK_EQ(AI.table_count, 0);
	}
	/* Unmapped RSDP, no RSDP at all. */
	build_std();
	CHECK_EQ(parse_at(MEM_SIZE + 0x1000), -EFAULT);
	CHECK_EQ(parse_at(0), -ENOENT);
	CHECK_EQ(acpi_parse(NULL, 0, RSDP_AT, NULL, NULL, &AI), -EFAULT);
	/* A copy too short for even the v1 part. */
	CHECK_EQ(acpi_parse(F.mem + RSDP_AT, 19, 0, fake_map, &F, &AI), -EINVAL);
	fake_release();
}

TEST(xsdt_bad_falls_back_to_rsdt)
{
	build_std();
	F.mem[XSDT_AT + 40] ^= 0x01; /* damage an entry, not the checksum */
	CHECK_EQ(parse_at(RSDP_AT), 0);
	CHECK(AI.xsdt_rejected);
	CHECK_EQ(AI.root_kind, ACPI_ROOT_RSDT);
	CHECK_STR(AI.tables[0].sig, "XSDT");
	CHECK(!AI.tables[0].valid);
	CHECK_STR(why(&AI.tables[0]), "bad checksum");
	CHECK_STR(AI.tables[1].sig, "RSDT");
	CHECK(AI.tables[1].valid);
	CHECK(AI.madt.present);
	CHECK(!AI.hpet.present);

	/* Both roots bad: nothing is trusted. */
	F.mem[RSDT_AT + 36] ^= 0x01;
	CHECK_EQ(parse_at(RSDP_AT), -ENOENT);
	CHECK_EQ(AI.table_count, 2);
	CHECK(!AI.tables[0].valid && !AI.tables[1].valid);
	CHECK(!AI.madt.present && !AI.fadt.present);

	/* An XSDT address that holds another table. */
	build_std();
	make_rsdp(RSDP_AT, 2, RSDT_AT, MADT_AT);
	CHECK_EQ(parse_at(RSDP_AT), 0);
	CHECK_STR(AI.tables[0].sig, "APIC");
	CHECK_STR(why(&AI.tables[0]), "wrong signature");
	CHECK_EQ(AI.root_kind, ACPI_ROOT_RSDT);
}

TEST(root_partial_entry)
{
	uint64_t x[] = { MADT_AT, FADT_AT };

	build_std();
	make_xsdt(XSDT_AT, x, 2);
	/* 4 stray bytes after the 2 entries */
	w32(XSDT_AT + 52, 0xdeadbeef);
	table_hdr(XSDT_AT, "XSDT", 56, 1);
	table_fix(XSDT_AT);
	CHECK_EQ(parse_at(RSDP_AT), 0);
	CHECK(AI.tables[0].valid);
	CHECK(AI.tables[0].partial);
	CHECK_STR(why(&AI.tables[0]), "partial entry");
	CHECK_EQ(AI.table_count, 4);
}

/* ---- Table validation ---- */

TEST(bad_table_listed_not_parsed)
{
	build_std();
	F.mem[MADT_AT + 50] ^= 0x40; /* a LAPIC entry's byte: checksum now wrong */
	CHECK_EQ(parse_at(RSDP_AT), 0);
	const struct acpi_table *t = listed(MADT_AT);
	CHECK(t != NULL);
	CHECK(t && !t->valid);
	CHECK_STR(why(t), "bad checksum");
	CHECK(t && strcmp(t->sig, "APIC") == 0);
	CHECK(!AI.madt.present);
	CHECK_EQ(AI.madt.cpu_count, 0);
	CHECK(acpi_table_find(&AI, "APIC") == NULL);
	/* the others are still parsed */
	CHECK(AI.fadt.present);
	CHECK(AI.hpet.present);
	CHECK(AI.s5.valid);
	CHECK(acpi_table_find(&AI, "HPET") == listed(HPET_AT));
}

TEST(table_refusals)
{
	static const struct {
		const char *name;
		uint32_t len;      /* header length to write; 0: leave */
		uint64_t at;       /* where the XSDT's extra entry points */
		uint64_t limit;    /* mappable memory */
		const char *why;
	} cases[] = {
		{ "runs past mappable", 0x2000, SPARE_AT, SPARE_AT + 0x1000, "truncated" },
		{ "header past mappable", 0, SPARE_AT, SPARE_AT + 20, "unmapped" },
		{ "beyond memory", 0, MEM_SIZE + 0x10000, MEM_SIZE, "unmapped" },
		{ "null entry", 0, 0, MEM_SIZE, "null address" },
		{ "length below header", 20, SPARE_AT, MEM_SIZE, "bad length" },
		{ "length 0", 0xffffffff, SPARE_AT, MEM_SIZE, "bad length" },
		{ "length 32 MiB", 32u << 20, SPARE_AT, MEM_SIZE, "too large" },
		{ "address wraps", 0, ~0ull - 8, MEM_SIZE, "unmapped" },
	};

	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		uint64_t x[] = { MADT_AT, cases[i].at, FADT_AT };
		const struct acpi_table *t;

		build_std();
		make_xsdt(XSDT_AT, x, 3);
		make_table(SPARE_AT, "SSDT", 2, "\x10\x00", 2);
		if (cases[i].len == 0xffffffff)
			table_hdr(SPARE_AT, "SSDT", 0, 2);
		else if (cases[i].len)
			table_hdr(SPARE_AT, "SSDT", cases[i].len, 2);
		table_fix(SPARE_AT);
		F.limit = cases[i].limit;
		CHECK_EQ(parse_at(RSDP_AT), 0);
		CHECK_EQ(AI.table_count, 5);
		t = &AI.tables[2];
		CHECK_EQ(t->phys, cases[i].at);
		CHECK(!t->valid);
		if (strcmp(why(t), cases[i].why) != 0)
			printf("  case %s: %s\n", cases[i].name, why(t));
		CHECK_STR(why(t), cases[i].why);
		/* the tables around it are fine */
		CHECK(AI.madt.present);
		CHECK(AI.fadt.present);
	}
}

TEST(unprintable_signature)
{
	uint64_t x[] = { SPARE_AT };

	build_std();
	make_table(SPARE_AT, "A\x01\xff" "B", 1, "xy", 2);
	memcpy(F.mem + SPARE_AT + 10, "O\nE\x7f" "M!", 6);
	table_fix(SPARE_AT);
	make_xsdt(XSDT_AT, x, 1);
	CHECK_EQ(parse_at(RSDP_AT), 0);
	CHECK_STR(AI.tables[1].sig, "A??B");
	CHECK_STR(AI.tables[1].oem, "O?E?M!");
	CHECK(AI.tables[1].valid);
}

TEST(duplicate_tables)
{
	uint64_t x[] = { MADT_AT, SPARE_AT, FADT_AT };
	struct buf b;

	build_std();
	madt_start(&b, 0xfee00000, 0);
	madt_lapic(&b, 7, 7, 1);
	make_table(SPARE_AT, "APIC", 5, b.b, b.n);
	make_xsdt(XSDT_AT, x, 3);
	CHECK_EQ(parse_at(RSDP_AT), 0);
	CHECK_STR(why(listed(SPARE_AT)), "duplicate, ignored");
	CHECK(listed(SPARE_AT)->valid);
	CHECK(listed(MADT_AT)->why == NULL);
	CHECK_EQ(AI.madt.cpu_count, 5); /* from the first MADT only */
	CHECK_EQ(AI.madt.cpus[0].apic_id, 0);
}

TEST(table_count_capped)
{
	static uint64_t x[100];

	build_std();
	/* 100 small SSDTs, then the MADT at the end (past the cap on walked entries). */
	for (unsigned i = 0; i < 99; i++) {
		x[i] = SPARE_AT + i * 64;
		make_table(x[i], "SSDT", 2, "\x10\x00", 2);
	}
	x[99] = MADT_AT;
	make_xsdt(XSDT_AT, x, 100);
	CHECK_EQ(parse_at(RSDP_AT), 0);
	CHECK_EQ(AI.table_count, ACPI_MAX_TABLES);
	CHECK(AI.tables_truncated);
	CHECK(!AI.madt.present); /* entry 100 of 100 is not walked */
	for (uint32_t i = 1; i < AI.table_count; i++)
		CHECK(AI.tables[i].valid);

	/* 63 SSDTs then the FADT: the FADT is parsed though it cannot be listed, and
	 * the DSDT it names is still searched for \_S5. */
	for (unsigned i = 0; i < 63; i++)
		x[i] = SPARE_AT + i * 64;
	x[63] = FADT_AT;
	make_xsdt(XSDT_AT, x, 64);
	CHECK_EQ(parse_at(RSDP_AT), 0);
	CHECK_EQ(AI.table_count, ACPI_MAX_TABLES);
	CHECK(AI.tables_truncated);
	CHECK(AI.fadt.present);
	CHECK(AI.s5.valid);
}

/* ---- MADT ---- */

TEST(madt_entries)
{
	static const struct {
		uint32_t apic_id, uid;
		bool enabled, online_capable, x2apic;
	} want[] = {
		{ 0, 0, true, false, false },    { 1, 1, true, false, false },
		{ 2, 2, false, true, false },    { 3, 3, false, false, false },
		{ 0x100, 4, true, false, true },
	};

	build_std();
	CHECK_EQ(parse_at(RSDP_AT), 0);
	CHECK(AI.madt.present);
	CHECK(!listed(MADT_AT)->partial);
	CHECK_EQ(AI.madt.lapic_base, 0xfee00000);
	CHECK_EQ(AI.madt.flags, ACPI_MADT_PCAT_COMPAT);
	CHECK_EQ(AI.madt.cpu_count, 5); /* the x2APIC copy of APIC ID 1 is dropped */
	for (size_t i = 0; i < 5; i++) {
		CHECK_EQ(AI.madt.cpus[i].apic_id, want[i].apic_id);
		CHECK_EQ(AI.madt.cpus[i].uid, want[i].uid);
		CHECK_EQ(AI.madt.cpus[i].enabled, want[i].enabled);
		CHECK_EQ(AI.madt.cpus[i].online_capable, want[i].online_capable);
		CHECK_EQ(AI.madt.cpus[i].x2apic, want[i].x2apic);
	}
	CHECK_EQ(AI.madt.ioapic_count, 2);
	CHECK_EQ(AI.madt.ioapics[0].id, 0);
	CHECK_EQ(AI.madt.ioapics[0].addr, 0xfec00000);
	CHECK_EQ(AI.madt.ioapics[0].gsi_base, 0);
	CHECK_EQ(AI.madt.ioapics[1].id, 1);
	CHECK_EQ(AI.madt.ioapics[1].addr, 0xfec01000);
	CHECK_EQ(AI.madt.ioapics[1].gsi_base, 24);
	CHECK_EQ(AI.madt.override_count, 2);
	CHECK_EQ(AI.madt.overrides[0].bus, 0);
	CHECK_EQ(AI.madt.overrides[0].source, 0);
	CHECK_EQ(AI.madt.overrides[0].gsi, 2);
	CHECK_EQ(AI.madt.overrides[0].flags, 0);
	CHECK_EQ(AI.madt.overrides[1].source, 9);
	CHECK_EQ(AI.madt.overrides[1].gsi, 9);
	CHECK_EQ(AI.madt.overrides[1].flags, 0x000d);
	CHECK_EQ(AI.madt.nmi_count, 2);
	CHECK(!AI.madt.cpus_truncated && !AI.madt.ioapics_truncated);
}

TEST(madt_lapic_override)
{
	struct buf b;

	build_std();
	madt_start(&b, 0xfee00000, 0);
	madt_lapic(&b, 0, 0, 1);
	b8(&b, 5); /* 64-bit LAPIC address override */
	b8(&b, 12);
	b16(&b, 0);
	b64(&b, 0x1fee00000ull);
	make_table(MADT_AT, "APIC", 5, b.b, b.n);
	CHECK_EQ(parse_at(RSDP_AT), 0);
	CHECK_EQ(AI.madt.lapic_base, 0x1fee00000ull);
	CHECK_EQ(AI.madt.flags, 0);
}

TEST(madt_malformed_entries)
{
	static const struct {
		const char *name;
		uint8_t tail[8]; /* bytes after two good LAPIC entries */
		uint32_t tail_len;
		const char *why;
		uint32_t cpus;  /* CPUs parsed */
	} cases[] = {
		{ "zero length", { 0, 0, 0, 9, 1, 0, 0, 0 }, 8, "bad entry length", 2 },
		{ "length 1", { 0, 1, 0, 9 }, 4, "bad entry length", 2 },
		{ "runs past end", { 0, 8, 0, 9, 1, 0 }, 6, "bad entry length", 2 },
		{ "one byte left", { 0 }, 1, "bad entry length", 2 },
		{ "short LAPIC", { 0, 4, 5, 5, 0, 8, 6, 6 }, 8, "short entry", 2 },
		{ "short then good", { 0, 2, 4, 6, 0xff, 5, 0, 1 }, 8, "short entry", 2 },
	};

	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		struct buf b;
		const struct acpi_table *t;

		build_std();
		madt_start(&b, 0xfee00000, 1);
		madt_lapic(&b, 0, 0, 1);
		madt_lapic(&b, 1, 1, 1);
		bbytes(&b, cases[i].tail, cases[i].tail_len);
		make_table(MADT_AT, "APIC", 5, b.b, b.n);
		CHECK_EQ(parse_at(RSDP_AT), 0);
		t = listed(MADT_AT);
		CHECK(t && t->valid && t->partial);
		if (strcmp(why(t), cases[i].why) != 0)
			printf("  case %s: %s\n", cases[i].name, why(t));
		CHECK_STR(why(t), cases[i].why);
		CHECK(AI.madt.present);
		CHECK_EQ(AI.madt.cpu_count, cases[i].cpus);
		CHECK_EQ(AI.madt.cpus[1].apic_id, 1);
	}

	/* The "short then good" tail: a 2-byte type-0 entry, then a 6-byte LAPIC NMI:
	 * the walk goes on past a short entry whose length is sane. */
	CHECK_EQ(AI.madt.nmi_count, 1);

	/* A MADT shorter than its fixed part. */
	build_std();
	make_table(MADT_AT, "APIC", 5, "\0\0\xe0\xfe", 4);
	CHECK_EQ(parse_at(RSDP_AT), 0);
	CHECK(!AI.madt.present);
	CHECK_STR(why(listed(MADT_AT)), "too short");
}

TEST(madt_caps)
{
	struct buf b;

	build_std();
	madt_start(&b, 0xfee00000, 0);
	for (uint32_t i = 0; i < 300; i++)
		madt_x2apic(&b, i, i, 1);
	for (uint32_t i = 0; i < 20; i++)
		madt_ioapic(&b, (uint8_t)i, 0xfec00000 + i * 0x1000, i * 24);
	for (uint32_t i = 0; i < 40; i++)
		madt_iso(&b, (uint8_t)i, i, 0);
	make_table(MADT_AT, "APIC", 5, b.b, b.n);
	CHECK_EQ(parse_at(RSDP_AT), 0);
	CHECK_EQ(AI.madt.cpu_count, ACPI_MAX_CPUS);
	CHECK(AI.madt.cpus_truncated);
	CHECK_EQ(AI.madt.cpus[ACPI_MAX_CPUS - 1].apic_id, ACPI_MAX_CPUS - 1);
	CHECK_EQ(AI.madt.ioapic_count, ACPI_MAX_IOAPICS);
	CHECK(AI.madt.ioapics_truncated);
	CHECK_EQ(AI.madt.override_count, ACPI_MAX_OVERRIDES);
	CHECK(AI.madt.overrides_truncated);
}

/* ---- FADT ---- */

TEST(fadt_full)
{
	build_std();
	/* X_ fields that differ from the legacy ones: the X_ ones win. */
	w64(FADT_AT + 140, DSDT_AT);
	w32(FADT_AT + 40, 0x12345678);
	w64(FADT_AT + 208 + 4, 0x1808);
	w64(FADT_AT + 172 + 4, 0x1804);
	table_fix(FADT_AT);
	CHECK_EQ(parse_at(RSDP_AT), 0);
	CHECK(AI.fadt.present);
	CHECK_EQ(AI.fadt.rev, 6);
	CHECK_EQ(AI.fadt.dsdt, DSDT_AT);
	CHECK_EQ(AI.fadt.sci_int, 9);
	CHECK_EQ(AI.fadt.smi_cmd, 0xb2);
	CHECK_EQ(AI.fadt.acpi_enable, 0xf1);
	CHECK_EQ(AI.fadt.acpi_disable, 0xf0);
	CHECK_EQ(AI.fadt.century, 0x32);
	CHECK(AI.fadt.boot_arch_valid);
	CHECK_EQ(AI.fadt.boot_arch, ACPI_BOOT_ARCH_8042);
	CHECK(AI.fadt.has_8042);
	CHECK(AI.fadt.pm_timer_present);
	CHECK(AI.fadt.pm_timer_32bit);
	CHECK_EQ(AI.fadt.pm_timer.space, ACPI_GAS_IO);
	CHECK_EQ(AI.fadt.pm_timer.addr, 0x1808);
	CHECK(AI.fadt.reset_valid);
	CHECK_EQ(AI.fadt.reset_reg.space, ACPI_GAS_IO);
	CHECK_EQ(AI.fadt.reset_reg.width, 8);
	CHECK_EQ(AI.fadt.reset_reg.addr, 0xcf9);
	CHECK_EQ(AI.fadt.reset_value, 6);
	CHECK_EQ(AI.fadt.pm1a_cnt.space, ACPI_GAS_IO);
	CHECK_EQ(AI.fadt.pm1a_cnt.addr, 0x1804);
	CHECK_EQ(AI.fadt.pm1b_cnt.addr, 0);
	CHECK(AI.s5.valid);
	CHECK_EQ(AI.s5.slp_typa, 5);
	CHECK_EQ(AI.s5.slp_typb, 5);
	CHECK(listed(DSDT_AT) && listed(DSDT_AT)->valid);
}

TEST(fadt_legacy_fallbacks)
{
	/* X_ fields zero: the 32-bit ones are used. */
	build_std();
	memset(F.mem + FADT_AT + 140, 0, 276 - 140);
	w32(FADT_AT + 68, 0x1004); /* PM1b */
	w16(FADT_AT + 109, 0);     /* no 8042 */
	table_fix(FADT_AT);
	CHECK_EQ(parse_at(RSDP_AT), 0);
	CHECK_EQ(AI.fadt.dsdt, DSDT_AT);
	CHECK(AI.fadt.pm_timer_present);
	CHECK_EQ(AI.fadt.pm_timer.space, ACPI_GAS_IO);
	CHECK_EQ(AI.fadt.pm_timer.addr, 0x608);
	CHECK_EQ(AI.fadt.pm_timer.width, 32);
	CHECK_EQ(AI.fadt.pm1a_cnt.addr, 0x604);
	CHECK_EQ(AI.fadt.pm1a_cnt.width, 16);
	CHECK_EQ(AI.fadt.pm1b_cnt.addr, 0x1004);
	CHECK(!AI.fadt.has_8042);
	CHECK(AI.s5.valid);

	/* PM_TMR_LEN 0: no timer; TMR_VAL_EXT then means nothing. */
	w8(FADT_AT + 91, 0);
	table_fix(FADT_AT);
	CHECK_EQ(parse_at(RSDP_AT), 0);
	CHECK(!AI.fadt.pm_timer_present);
	CHECK(!AI.fadt.pm_timer_32bit);

	/* RESET_REG_SUP clear: the register is not trusted even though it is filled. */
	build_std();
	make_fadt(FADT_AT, 276, 6, ACPI_FADT_TMR_VAL_EXT);
	CHECK_EQ(parse_at(RSDP_AT), 0);
	CHECK(!AI.fadt.reset_valid);
	/* A reset register in an unknown address space is not usable either. */
	make_fadt(FADT_AT, 276, 6, ACPI_FADT_RESET_REG_SUP);
	w8(FADT_AT + 116, 0x7f);
	table_fix(FADT_AT);
	CHECK_EQ(parse_at(RSDP_AT), 0);
	CHECK(!AI.fadt.reset_valid);
	CHECK(!AI.fadt.pm_timer_32bit);
}

TEST(fadt_v1_short)
{
	/* An ACPI 1.0 FADT: 116 bytes; the flags claim a reset register, and the bytes
	 * just past the table hold one, but it is not part of this table. */
	build_std();
	make_fadt(FADT_AT, ACPI_FADT_V1_LEN, 1, ACPI_FADT_RESET_REG_SUP | ACPI_FADT_TMR_VAL_EXT);
	w32(FADT_AT + 40, DSDT_AT);
	w64(FADT_AT + 140, 0x5555000); /* X_DSDT past the end: not used */
	table_fix(FADT_AT);
	CHECK_EQ(parse_at(RSDP_AT), 0);
	CHECK(AI.fadt.present);
	CHECK_EQ(AI.fadt.rev, 1);
	CHECK(!AI.fadt.reset_valid);
	CHECK_EQ(AI.fadt.dsdt, DSDT_AT);
	CHECK(AI.fadt.pm_timer_present);
	CHECK_EQ(AI.fadt.pm_timer.space, ACPI_GAS_IO);
	CHECK_EQ(AI.fadt.pm_timer.addr, 0x608);
	CHECK(AI.fadt.pm_timer_32bit);
	CHECK_EQ(AI.fadt.pm1a_cnt.addr, 0x604);
	CHECK(!AI.fadt.boot_arch_valid);
	CHECK(AI.fadt.has_8042); /* assumed on ACPI 1.0 */
	CHECK(AI.s5.valid);

	/* Even shorter (only the header and the DSDT pointer): nothing past it is read. */
	make_fadt(FADT_AT, 44, 1, ACPI_FADT_RESET_REG_SUP);
	CHECK_EQ(parse_at(RSDP_AT), 0);
	CHECK(AI.fadt.present);
	CHECK_EQ(AI.fadt.dsdt, DSDT_AT);
	CHECK(!AI.fadt.pm_timer_present);
	CHECK_EQ(AI.fadt.pm1a_cnt.addr, 0);
	CHECK_EQ(AI.fadt.sci_int, 0);
	CHECK(!AI.fadt.reset_valid);

	/* A revision 3 FADT of 129 bytes: reset register yes, X_ fields no. */
	make_fadt(FADT_AT, 129, 3, ACPI_FADT_RESET_REG_SUP);
	CHECK_EQ(parse_at(RSDP_AT), 0);
	CHECK(AI.fadt.reset_valid);
	CHECK_EQ(AI.fadt.reset_reg.addr, 0xcf9);
	CHECK(AI.fadt.boot_arch_valid);
	/* 128 bytes: RESET_VALUE is cut off. */
	make_fadt(FADT_AT, 128, 3, ACPI_FADT_RESET_REG_SUP);
	CHECK_EQ(parse_at(RSDP_AT), 0);
	CHECK(!AI.fadt.reset_valid);
}

/* ---- \_S5 ---- */

TEST(s5_encodings)
{
	static const struct {
		const char *name;
		uint8_t aml[32];
		uint32_t len;
		int ret;
		uint8_t a, b;
	} cases[] = {
		{ "ByteConst", { 8, '_', 'S', '5', '_', 0x12, 8, 4, 0x0a, 5, 0x0a, 6, 0, 0 }, 14, 0, 5, 6 },
		{ "ZeroOp", { 8, '_', 'S', '5', '_', 0x12, 6, 4, 0, 0, 0, 0 }, 12, 0, 0, 0 },
		{ "OneOp", { 8, '_', 'S', '5', '_', 0x12, 4, 2, 1, 1 }, 10, 0, 1, 1 },
		{ "root prefix", { 8, '\\', '_', 'S', '5', '_', 0x12, 6, 4, 1, 0, 0, 0 }, 13, 0, 1, 0 },
		{ "WordConst", { 8, '_', 'S', '5', '_', 0x12, 8, 2, 0x0b, 7, 0, 0x0c, 3, 0, 0, 0 },
		  16, -ENOENT, 0, 0 }, /* DWord runs past PkgLength 8: refused */
		{ "Word and DWord", { 8, '_', 'S', '5', '_', 0x12, 10, 2, 0x0b, 7, 0, 0x0c, 3, 0, 0, 0 },
		  16, 0, 7, 3 },
		{ "2-byte PkgLength", { 8, '_', 'S', '5', '_', 0x12, 0x47, 0, 2, 0x0a, 2, 0x0a, 3 },
		  13, 0, 2, 3 },
		/* PkgLength 0x14: lead 0x44 (one more byte, low nibble 4), then 0x01 << 4;
		 * 15 elements, the last 13 ZeroOps. */
		{ "2-byte PkgLength, high bits",
		  { 8, '_', 'S', '5', '_', 0x12, 0x44, 0x01, 15, 0x0a, 3, 0x0a, 4, 0, 0, 0, 0, 0, 0, 0,
		    0, 0, 0, 0, 0, 0 },
		  26, 0, 3, 4 },
		{ "one packed element", { 8, '_', 'S', '5', '_', 0x12, 5, 1, 0x0b, 0x07, 0x05 }, 11, 0,
		  7, 5 },
		{ "value too big", { 8, '_', 'S', '5', '_', 0x12, 5, 2, 0x0a, 8, 0 }, 11, -ENOENT, 0, 0 },
		{ "OnesOp", { 8, '_', 'S', '5', '_', 0x12, 4, 2, 0xff, 0 }, 10, -ENOENT, 0, 0 },
		{ "no elements", { 8, '_', 'S', '5', '_', 0x12, 2, 0 }, 8, -ENOENT, 0, 0 },
		{ "PkgLength past end", { 8, '_', 'S', '5', '_', 0x12, 0x3f, 2, 0, 0 }, 10, -ENOENT,
		  0, 0 },
		{ "PkgLength 0", { 8, '_', 'S', '5', '_', 0x12, 0, 2, 0, 0 }, 10, -ENOENT, 0, 0 },
		{ "cut after name", { 8, '_', 'S', '5', '_' }, 5, -ENOENT, 0, 0 },
		{ "cut after PackageOp", { 8, '_', 'S', '5', '_', 0x12 }, 6, -ENOENT, 0, 0 },
		{ "4-byte PkgLength cut", { 8, '_', 'S', '5', '_', 0x12, 0xc0, 1 }, 8, -ENOENT, 0, 0 },
		{ "not a Name", { 0x14, 9, '_', 'S', '5', '_', 0, 0xa4, 0x12, 4, 2, 0, 0 }, 13,
		  -ENOENT, 0, 0 },
		{ "Name of a non-package", { 8, '_', 'S', '5', '_', 0x0a, 5 }, 7, -ENOENT, 0, 0 },
		{ "first broken, second good",
		  { 8, '_', 'S', '5', '_', 0x12, 4, 2, 0x10, 0, 8, '_', 'S', '5', '_', 0x12, 4, 2, 1, 0 },
		  20, 0, 1, 0 },
		{ "only a string", { 0x0d, '_', 'S', '5', '_', 0 }, 6, -ENOENT, 0, 0 },
		{ "no _S5_", { 8, '_', 'S', '4', '_', 0x12, 4, 2, 1, 1 }, 10, -ENOENT, 0, 0 },
	};

	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		/* Exact-size heap copy: any read past the AML is an ASan error. */
		uint8_t *aml = malloc(cases[i].len);
		uint8_t a = 0xee, b = 0xee;
		int want = cases[i].ret;
		int r;

		memcpy(aml, cases[i].aml, cases[i].len);
		r = acpi_aml_find_s5(aml, cases[i].len, &a, &b);
		if (r != want)
			printf("  case %s: %d\n", cases[i].name, r);
		CHECK_EQ(r, want);
		if (want == 0) {
			CHECK_EQ(a, cases[i].a);
			CHECK_EQ(b, cases[i].b);
		}
		free(aml);
	}
}

TEST(s5_from_dsdt)
{
	static const uint8_t zero_one[] = { 0x10, 0x05, '_', 'S', 'B', '_', 0x08, '_', 'S',
					    '5',  '_',  0x12, 0x06, 0x04, 0x00, 0x01, 0x00, 0x00 };
	static const uint8_t none[] = { 0x08, '_', 'S', '3', '_', 0x12, 0x04, 0x02, 0x01, 0x01 };

	build_std();
	make_dsdt(DSDT_AT, zero_one, sizeof(zero_one));
	CHECK_EQ(parse_at(RSDP_AT), 0);
	CHECK(AI.s5.valid);
	CHECK_EQ(AI.s5.slp_typa, 0);
	CHECK_EQ(AI.s5.slp_typb, 1);

	make_dsdt(DSDT_AT, none, sizeof(none));
	CHECK_EQ(parse_at(RSDP_AT), 0);
	CHECK(listed(DSDT_AT)->valid);
	CHECK(!AI.s5.valid);

	/* A DSDT with a good _S5_ but a bad checksum is not searched. */
	make_dsdt(DSDT_AT, aml_s5_byteconst, sizeof(aml_s5_byteconst));
	F.mem[DSDT_AT + 40] ^= 0x20;
	CHECK_EQ(parse_at(RSDP_AT), 0);
	CHECK(!listed(DSDT_AT)->valid);
	CHECK_STR(why(listed(DSDT_AT)), "bad checksum");
	CHECK(!AI.s5.valid);

	/* The FADT's DSDT pointer reaches another table: refused. */
	build_std();
	w32(FADT_AT + 40, MADT_AT);
	w64(FADT_AT + 140, MADT_AT);
	table_fix(FADT_AT);
	CHECK_EQ(parse_at(RSDP_AT), 0);
	CHECK(!AI.s5.valid);
	/* XSDT, APIC, FACP, then the DSDT the FADT named */
	CHECK_EQ(AI.tables[3].phys, MADT_AT);
	CHECK_STR(why(&AI.tables[3]), "wrong signature");
	CHECK(AI.madt.present);
}

/* ---- MCFG, HPET, DMAR, IVRS ---- */

TEST(mcfg)
{
	struct buf b = { .n = 0 };

	build_std();
	CHECK_EQ(parse_at(RSDP_AT), 0);
	CHECK_EQ(AI.mcfg.count, 2);
	CHECK_EQ(AI.mcfg.segs[0].base, 0xb0000000);
	CHECK_EQ(AI.mcfg.segs[0].segment, 0);
	CHECK_EQ(AI.mcfg.segs[0].bus_start, 0);
	CHECK_EQ(AI.mcfg.segs[0].bus_end, 255);
	CHECK_EQ(AI.mcfg.segs[1].base, 0xc0000000);
	CHECK_EQ(AI.mcfg.segs[1].segment, 1);
	CHECK_EQ(AI.mcfg.segs[1].bus_start, 0x10);
	CHECK_EQ(AI.mcfg.segs[1].bus_end, 0x1f);
	CHECK(!listed(MCFG_AT)->partial);

	/* An entry with end < start is skipped; trailing bytes are a partial entry. */
	b64(&b, 0);
	b64(&b, 0xe0000000);
	b16(&b, 0);
	b8(&b, 9);
	b8(&b, 3);
	b32(&b, 0);
	b64(&b, 0xb0000000);
	b16(&b, 0);
	b8(&b, 0);
	b8(&b, 0xff);
	b32(&b, 0);
	b32(&b, 0xdeadbeef);
	make_table(MCFG_AT, "MCFG", 1, b.b, b.n);
	CHECK_EQ(parse_at(RSDP_AT), 0);
	CHECK_EQ(AI.mcfg.count, 1);
	CHECK_EQ(AI.mcfg.segs[0].base, 0xb0000000);
	CHECK(listed(MCFG_AT)->partial);
}

TEST(hpet)
{
	build_std();
	CHECK_EQ(parse_at(RSDP_AT), 0);
	CHECK(AI.hpet.present);
	CHECK_EQ(AI.hpet.base, 0xfed00000);
	CHECK_EQ(AI.hpet.space, ACPI_GAS_MEM);
	CHECK_EQ(AI.hpet.comparators, 3); /* NUM_TIM_CAP 2 = 3 timers */
	CHECK(AI.hpet.counter_64bit);
	CHECK(AI.hpet.legacy_route);
	CHECK_EQ(AI.hpet.vendor, 0x8086);
	CHECK_EQ(AI.hpet.min_tick, 0x80);

	make_hpet(HPET_AT, 0x10de1f01); /* 32 timers, 32-bit counter, no legacy route */
	CHECK_EQ(parse_at(RSDP_AT), 0);
	CHECK_EQ(AI.hpet.comparators, 32);
	CHECK(!AI.hpet.counter_64bit);
	CHECK(!AI.hpet.legacy_route);
	CHECK_EQ(AI.hpet.vendor, 0x10de);

	/* Too short for its fields: listed as malformed, not used. */
	make_table(HPET_AT, "HPET", 1, "\x01\xa2\x86\x80\0\0\0\0", 8);
	CHECK_EQ(parse_at(RSDP_AT), 0);
	CHECK(!AI.hpet.present);
	CHECK(listed(HPET_AT)->valid && listed(HPET_AT)->partial);
}

TEST(dmar_ivrs)
{
	struct buf b = { .n = 0 };

	build_std();
	CHECK_EQ(parse_at(RSDP_AT), 0);
	CHECK(AI.dmar.present);
	CHECK_EQ(AI.dmar.phys, DMAR_AT);
	CHECK_EQ(AI.dmar.len, r32(DMAR_AT + 4));
	CHECK_EQ(AI.dmar.haw, 39);
	CHECK_EQ(AI.dmar.flags, ACPI_DMAR_INTR_REMAP);
	CHECK_EQ(AI.dmar.unit_count, 2);
	CHECK_EQ(AI.dmar.units[0].base, 0xfed90000);
	CHECK_EQ(AI.dmar.units[0].flags, 0);
	CHECK_EQ(AI.dmar.units[1].base, 0xfed91000);
	CHECK_EQ(AI.dmar.units[1].flags, ACPI_DRHD_INCLUDE_PCI_ALL);
	CHECK_EQ(AI.dmar.rmrr_count, 1);
	CHECK(!listed(DMAR_AT)->partial);

	CHECK(AI.ivrs.present);
	CHECK_EQ(AI.ivrs.phys, IVRS_AT);
	CHECK_EQ(AI.ivrs.ivinfo, 0x00203040);
	CHECK_EQ(AI.ivrs.unit_count, 2);
	CHECK_EQ(AI.ivrs.units[0].type, 0x10);
	CHECK_EQ(AI.ivrs.units[0].base, 0xfed80000);
	CHECK_EQ(AI.ivrs.units[0].devid, 0x0010);
	CHECK_EQ(AI.ivrs.units[0].flags, 0xb0);
	CHECK_EQ(AI.ivrs.units[1].type, 0x11);
	CHECK_EQ(AI.ivrs.ivmd_count, 1);
	CHECK(!listed(IVRS_AT)->partial);

	/* A DMAR structure whose length runs past the table: first DRHD kept. */
	b8(&b, 38);
	b8(&b, 0);
	for (int i = 0; i < 10; i++)
		b8(&b, 0);
	b16(&b, 0);
	b16(&b, 16);
	b32(&b, 0);
	b64(&b, 0xfed90000);
	b16(&b, 0);
	b16(&b, 200);
	b32(&b, 0);
	make_table(DMAR_AT, "DMAR", 1, b.b, b.n);
	/* An IVHD with length 0 (would loop forever). */
	b.n = 0;
	b32(&b, 0);
	b64(&b, 0);
	ivhd(&b, 0x40, 48, 0xfeb80000);
	b8(&b, 0x10);
	b8(&b, 0);
	b16(&b, 0);
	make_table(IVRS_AT, "IVRS", 2, b.b, b.n);
	CHECK_EQ(parse_at(RSDP_AT), 0);
	CHECK(AI.dmar.present);
	CHECK_EQ(AI.dmar.unit_count, 1);
	CHECK(listed(DMAR_AT)->partial);
	CHECK(AI.ivrs.present);
	CHECK_EQ(AI.ivrs.unit_count, 1);
	CHECK_EQ(AI.ivrs.units[0].type, 0x40);
	CHECK_EQ(AI.ivrs.units[0].base, 0xfeb80000);
	CHECK(listed(IVRS_AT)->partial);
	CHECK_STR(why(listed(IVRS_AT)), "bad block length");
}

TEST(no_optional_tables)
{
	uint64_t x[] = { FADT_AT };

	build_std();
	make_xsdt(XSDT_AT, x, 1);
	CHECK_EQ(parse_at(RSDP_AT), 0);
	CHECK(!AI.madt.present && !AI.hpet.present && !AI.dmar.present && !AI.ivrs.present);
	CHECK_EQ(AI.mcfg.count, 0);
	CHECK(acpi_table_find(&AI, "DMAR") == NULL);
	CHECK(acpi_table_find(&AI, "FACP") == listed(FADT_AT));
}

/* ---- BIOS-area search ---- */

TEST(bios_scan)
{
	build_std(); /* RSDP at 0xf0000 */
	CHECK_EQ(acpi_find_rsdp_bios(fake_map, &F), RSDP_AT);
	fake_release();

	/* The EBDA is searched first. */
	w16(0x40e, 0x9fc0);
	make_rsdp(0x9fc00 + 0x20, 2, RSDT_AT, XSDT_AT);
	CHECK_EQ(acpi_find_rsdp_bios(fake_map, &F), 0x9fc20);
	fake_release();

	/* Only the first KiB of the EBDA. */
	memset(F.mem + 0x9fc20, 0, 36);
	make_rsdp(0x9fc00 + 0x400, 2, RSDT_AT, XSDT_AT);
	CHECK_EQ(acpi_find_rsdp_bios(fake_map, &F), RSDP_AT);
	fake_release();

	/* EBDA word 0 means no EBDA: the interrupt vector table is not searched. */
	w16(0x40e, 0);
	make_rsdp(0x10, 0, RSDT_AT, 0);
	CHECK_EQ(acpi_find_rsdp_bios(fake_map, &F), RSDP_AT);
	fake_release();

	/* A nonsense EBDA segment is ignored. */
	w16(0x40e, 0xffff);
	CHECK_EQ(acpi_find_rsdp_bios(fake_map, &F), RSDP_AT);
	fake_release();

	/* Off the 16-byte grid, bad checksum, bad extended checksum: all passed over. */
	fake_init();
	make_rsdp(0xe0008, 0, RSDT_AT, 0);
	make_rsdp(0xe0100, 0, RSDT_AT, 0);
	F.mem[0xe0100 + 8] ^= 1;
	make_rsdp(0xe0200, 2, RSDT_AT, XSDT_AT);
	F.mem[0xe0200 + 32] ^= 1;
	CHECK_EQ(acpi_find_rsdp_bios(fake_map, &F), 0);
	fake_release();
	make_rsdp(0xfffe0, 0, RSDT_AT, 0); /* the last slot that fits 20 bytes */
	CHECK_EQ(acpi_find_rsdp_bios(fake_map, &F), 0xfffe0);
	fake_release();
	memset(F.mem + 0xfffe0, 0, 32);
	make_rsdp(0xfffe0, 2, RSDT_AT, XSDT_AT); /* 36 bytes would cross 1 MiB */
	memset(F.mem + 0x100000, 0, 4);
	CHECK_EQ(acpi_find_rsdp_bios(fake_map, &F), 0);
	fake_release();

	/* Nothing mapped at all. */
	F.limit = 0;
	CHECK_EQ(acpi_find_rsdp_bios(fake_map, &F), 0);
	CHECK_EQ(acpi_find_rsdp_bios(NULL, NULL), 0);
	fake_release();
}

/* ---- Fuzz ---- */

static uint64_t rng_state = 0x9e3779b97f4a7c15ull;

static uint32_t rng(void)
{
	rng_state ^= rng_state << 13;
	rng_state ^= rng_state >> 7;
	rng_state ^= rng_state << 17;
	return (uint32_t)(rng_state >> 32);
}

TEST(fuzz)
{
	static const uint32_t targets[] = { XSDT_AT, RSDT_AT, MADT_AT, FADT_AT, DSDT_AT,
					    MCFG_AT, HPET_AT, DMAR_AT, IVRS_AT, RSDP_AT };
	static uint8_t pristine[0x8000];
	static uint8_t pristine_rsdp[36];
	unsigned ok = 0, parsed_tables = 0;

	build_std();
	memcpy(pristine, F.mem + XSDT_AT, sizeof(pristine));
	memcpy(pristine_rsdp, F.mem + RSDP_AT, 36);
	for (int iter = 0; iter < 10000; iter++) {
		uint32_t at = targets[rng() % (sizeof(targets) / sizeof(targets[0]))];
		unsigned flips = 1 + rng() % 8;
		uint32_t len;
		int r;

		memcpy(F.mem + XSDT_AT, pristine, sizeof(pristine));
		memcpy(F.mem + RSDP_AT, pristine_rsdp, 36);
		len = at == RSDP_AT ? 36 : r32(at + 4);
		for (unsigned k = 0; k < flips; k++) {
			uint32_t off = rng() % len;
			switch (rng() % 4) {
			case 0: /* a length field, sometimes a whole table's */
				off = at == RSDP_AT ? 20 : (rng() % 2 ? 4 : off);
				w32(at + off, rng() % 2 ? rng() % 0x400 : rng());
				break;
			case 1:
				F.mem[at + off] = 0;
				break;
			default:
				F.mem[at + off] = (uint8_t)rng();
				break;
			}
		}
		if (rng() % 2) {
			if (at == RSDP_AT)
				rsdp_fix(at);
			else if (r32(at + 4) <= 0x1000)
				table_fix(at);
		}
		r = parse_at(RSDP_AT);
		CHECK(r == 0 || r == -EINVAL || r == -ENOENT || r == -EFAULT);
		ok += r == 0;
		CHECK(AI.table_count <= ACPI_MAX_TABLES);
		CHECK(AI.madt.cpu_count <= ACPI_MAX_CPUS);
		CHECK(AI.madt.ioapic_count <= ACPI_MAX_IOAPICS);
		CHECK(AI.madt.override_count <= ACPI_MAX_OVERRIDES);
		CHECK(AI.mcfg.count <= ACPI_MAX_MCFG);
		CHECK(AI.dmar.unit_count <= ACPI_MAX_IOMMUS);
		CHECK(AI.ivrs.unit_count <= ACPI_MAX_IOMMUS);
		CHECK(!AI.s5.valid || (AI.s5.slp_typa <= 7 && AI.s5.slp_typb <= 7));
		for (uint32_t i = 0; i < AI.table_count; i++) {
			const struct acpi_table *t = &AI.tables[i];
			CHECK(t->valid || t->why != NULL);
			CHECK(strlen(t->sig) == 4);
			CHECK(!t->valid || (t->len >= 36 && t->len <= ACPI_TABLE_MAX_LEN));
			parsed_tables += t->valid;
		}
		CHECK_EQ(F.nallocs, 0);
	}
	/* The loop must have exercised the parsers, not only the checksum check. */
	CHECK(ok > 5000);
	CHECK(parsed_tables > 40000);

	/* Raw AML: random bytes with a planted Name(_S5_, Package ...) prefix. */
	for (int iter = 0; iter < 10000; iter++) {
		uint32_t n = 1 + rng() % 40;
		uint8_t *aml = malloc(n);
		uint8_t a, b;

		for (uint32_t i = 0; i < n; i++)
			aml[i] = (uint8_t)rng();
		if (n >= 6 && rng() % 2)
			memcpy(aml + rng() % (n - 5), "\x08_S5_\x12", 6);
		if (acpi_aml_find_s5(aml, n, &a, &b) == 0)
			CHECK(a <= 7 && b <= 7);
		free(aml);
	}
}

int main(void)
{
	RUN(rsdp_v1_rsdt);
	RUN(rsdp_v2_prefers_xsdt);
	RUN(rsdp_from_copy);
	RUN(rsdp_rejected);
	RUN(xsdt_bad_falls_back_to_rsdt);
	RUN(root_partial_entry);
	RUN(bad_table_listed_not_parsed);
	RUN(table_refusals);
	RUN(unprintable_signature);
	RUN(duplicate_tables);
	RUN(table_count_capped);
	RUN(madt_entries);
	RUN(madt_lapic_override);
	RUN(madt_malformed_entries);
	RUN(madt_caps);
	RUN(fadt_full);
	RUN(fadt_legacy_fallbacks);
	RUN(fadt_v1_short);
	RUN(s5_encodings);
	RUN(s5_from_dsdt);
	RUN(mcfg);
	RUN(hpet);
	RUN(dmar_ivrs);
	RUN(no_optional_tables);
	RUN(bios_scan);
	RUN(fuzz);
	fake_release();
	return CHECK_DONE();
}
