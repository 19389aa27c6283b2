/* Host tests for boot/mb2_parse.c. Tag streams are built in a buffer and then
 * copied into a malloc'd block of exactly their size, so AddressSanitizer
 * catches any read past what the parser was allowed to see. */
#include <stdint.h>

#include "tests/unit/check.h"

#include "boot/mb2_parse.c"

static struct boot_info bi;
static const struct boot_info zero_bi;

struct mb2b {
	uint8_t buf[16384];
	size_t len;
};
static struct mb2b b;

static void put32(uint8_t *p, uint32_t v)
{
	for (int i = 0; i < 4; i++)
		p[i] = (uint8_t)(v >> (8 * i));
}

static void put64(uint8_t *p, uint64_t v)
{
	put32(p, (uint32_t)v);
	put32(p + 4, (uint32_t)(v >> 32));
}

static void b_init(void)
{
	memset(&b, 0, sizeof(b));
	b.len = 8;
}

/* A tag whose size field says `size`, followed by plen payload bytes, padded. */
static void b_raw(uint32_t type, uint32_t size, const void *payload, size_t plen)
{
	put32(b.buf + b.len, type);
	put32(b.buf + b.len + 4, size);
	if (plen)
		memcpy(b.buf + b.len + 8, payload, plen);
	b.len = (b.len + 8 + plen + 7) & ~(size_t)7;
}

static void b_tag(uint32_t type, const void *payload, size_t plen)
{
	b_raw(type, (uint32_t)(8 + plen), payload, plen);
}

static void b_str(uint32_t type, const char *s)
{
	b_tag(type, s, strlen(s) + 1);
}

static void b_module(uint32_t start, uint32_t end, const char *s)
{
	uint8_t p[512];

	put32(p, start);
	put32(p + 4, end);
	memcpy(p + 8, s, strlen(s) + 1);
	b_tag(MB2_TAG_MODULE, p, 8 + strlen(s) + 1);
}

static void b_meminfo(uint32_t lower, uint32_t upper)
{
	uint8_t p[8];

	put32(p, lower);
	put32(p + 4, upper);
	b_tag(MB2_TAG_BASIC_MEMINFO, p, 8);
}

struct mb2e {
	uint64_t base, len;
	uint32_t type;
};

/* n entries of esize bytes (>= 20 so the type fits), plus `extra` stray bytes. */
static void b_mmap(uint32_t esize, const struct mb2e *e, size_t n, size_t extra)
{
	static uint8_t p[12000];
	/* Silly sizes are written with a sane stride; the parser must refuse them. */
	size_t stride = esize < 20 ? 20 : esize > 64 ? 24 : esize;

	memset(p, 0, sizeof(p));
	put32(p, esize);
	put32(p + 4, 0);
	for (size_t i = 0; i < n; i++) {
		put64(p + 8 + i * stride, e[i].base);
		put64(p + 8 + i * stride + 8, e[i].len);
		put32(p + 8 + i * stride + 16, e[i].type);
	}
	b_tag(MB2_TAG_MMAP, p, 8 + n * stride + extra);
}

static void b_end(void)
{
	b_raw(MB2_TAG_END, 8, NULL, 0);
}

/* Writes total_size = the stream's length (or `total` when non-zero). */
static void b_finish(uint32_t total)
{
	put32(b.buf, total ? total : (uint32_t)b.len);
}

/* Parses the first `avail` bytes of the stream from an exactly-sized block. */
static int parse_avail(size_t avail)
{
	uint8_t *p = malloc(avail ? avail : 1);
	int ret;

	memcpy(p, b.buf, avail);
	ret = mb2_parse(p, avail, &bi);
	free(p);
	return ret;
}

static int parse(void)
{
	return parse_avail(b.len);
}

static const uint8_t rsdp_v1[20] = "RSD PTR \x11OEMID\x00\x00\x10\x00\x00";
static const uint8_t rsdp_v2[36] = "RSD PTR \x22OEMID\x02\x00\x20\x00\x00\x24\x00\x00\x00"
				   "\x00\x30\x00\x00\x00\x00\x00\x00\x77\x00\x00\x00";

TEST(typical_grub)
{
	static const struct mb2e e[] = {
		{ 0x0, 0x9fc00, 1 },	      { 0x9fc00, 0x400, 2 },	  { 0xf0000, 0x10000, 2 },
		{ 0x100000, 0x7ee0000, 1 },   { 0x7fe0000, 0x20000, 3 },  { 0xfffc0000, 0x40000, 4 },
		{ 0x100000000ULL, 0x1000, 5 }, { 0x200000000ULL, 0x1000, 7 },
	};
	static const uint32_t want_type[] = { MEM_USABLE,	MEM_RESERVED, MEM_RESERVED,
					      MEM_USABLE,	MEM_ACPI_RECLAIM, MEM_ACPI_NVS,
					      MEM_BAD,		MEM_RESERVED };
	uint8_t efi[8];

	b_init();
	b_str(MB2_TAG_CMDLINE, "console=com1 loglevel=debug");
	b_str(MB2_TAG_LOADER_NAME, "GRUB 2.06-13+deb12u1");
	b_module(0x200000, 0x280000, "/guests/hello.elf name=hello mem=32M");
	b_module(0x280000, 0x280000, "");
	b_meminfo(639, 130048);
	b_raw(MB2_TAG_BOOTDEV, 20, "\xe0\xff\xff\xff\xff\xff\xff\xff\xff\xff\xff\xff", 12);
	b_mmap(24, e, 8, 0);
	b_tag(MB2_TAG_ACPI_OLD, rsdp_v1, 20);
	b_tag(MB2_TAG_ACPI_NEW, rsdp_v2, 36);
	put64(efi, 0x7f9e018ULL);
	b_tag(MB2_TAG_EFI64, efi, 8);
	b_end();
	b_finish(0);

	CHECK_EQ(parse(), 0);
	CHECK_EQ(bi.door, BOOT_DOOR_MULTIBOOT2);
	CHECK_STR(bi.cmdline, "console=com1 loglevel=debug");
	CHECK_STR(bi.loader, "GRUB 2.06-13+deb12u1");
	CHECK_EQ(bi.module_count, 2);
	CHECK_EQ(bi.modules[0].start, 0x200000);
	CHECK_EQ(bi.modules[0].end, 0x280000);
	CHECK_STR(bi.modules[0].args, "/guests/hello.elf name=hello mem=32M");
	CHECK_EQ(bi.modules[1].start, 0x280000);
	CHECK_STR(bi.modules[1].args, "");
	/* The memory map wins over basic meminfo. */
	CHECK_EQ(bi.mmap_count, 8);
	for (int i = 0; i < 8; i++) {
		CHECK_EQ(bi.mmap[i].base, e[i].base);
		CHECK_EQ(bi.mmap[i].len, e[i].len);
		CHECK_EQ(bi.mmap[i].type, want_type[i]);
	}
	CHECK(bi.rsdp_valid);
	CHECK(memcmp(bi.rsdp, rsdp_v2, 36) == 0);
	CHECK_EQ(bi.rsdp_phys, 0);
	CHECK(bi.firmware_efi);
	CHECK_EQ(bi.efi_system_table, 0x7f9e018ULL);
}

TEST(rsdp_choice)
{
	uint8_t want_v1[36] = { 0 };

	memcpy(want_v1, rsdp_v1, 20);

	/* New before old: new still wins. */
	b_init();
	b_tag(MB2_TAG_ACPI_NEW, rsdp_v2, 36);
	b_tag(MB2_TAG_ACPI_OLD, rsdp_v1, 20);
	b_end();
	b_finish(0);
	CHECK_EQ(parse(), 0);
	CHECK(bi.rsdp_valid);
	CHECK(memcmp(bi.rsdp, rsdp_v2, 36) == 0);

	/* Old only: 20 bytes, the rest zero. */
	b_init();
	b_tag(MB2_TAG_ACPI_OLD, rsdp_v1, 20);
	b_end();
	b_finish(0);
	CHECK_EQ(parse(), 0);
	CHECK(bi.rsdp_valid);
	CHECK(memcmp(bi.rsdp, want_v1, 36) == 0);
	CHECK(!bi.firmware_efi);

	/* A short new copy is skipped and the old one kept. */
	b_init();
	b_tag(MB2_TAG_ACPI_OLD, rsdp_v1, 20);
	b_tag(MB2_TAG_ACPI_NEW, rsdp_v2, 35);
	b_end();
	b_finish(0);
	CHECK_EQ(parse(), 1);
	CHECK(memcmp(bi.rsdp, want_v1, 36) == 0);

	/* A short old copy alone: no RSDP. */
	b_init();
	b_tag(MB2_TAG_ACPI_OLD, rsdp_v1, 19);
	b_end();
	b_finish(0);
	CHECK_EQ(parse(), 1);
	CHECK(!bi.rsdp_valid);

	/* A longer new copy (a loader copying the whole XSDP): 36 bytes taken. */
	uint8_t big[48];
	memset(big, 0xee, sizeof(big));
	memcpy(big, rsdp_v2, 36);
	b_init();
	b_tag(MB2_TAG_ACPI_NEW, big, sizeof(big));
	b_end();
	b_finish(0);
	CHECK_EQ(parse(), 0);
	CHECK(memcmp(bi.rsdp, rsdp_v2, 36) == 0);
}

TEST(mmap_types)
{
	static const uint32_t want[] = { MEM_RESERVED, MEM_USABLE, MEM_RESERVED, MEM_ACPI_RECLAIM,
					 MEM_ACPI_NVS, MEM_BAD,	   MEM_RESERVED, MEM_RESERVED };
	struct mb2e e[9];

	for (uint32_t t = 0; t < 8; t++)
		e[t] = (struct mb2e){ 0x1000ULL * t, 0x1000, t };
	e[8] = (struct mb2e){ 0x10000, 0x1000, 0xffffffff };
	b_init();
	b_mmap(24, e, 9, 0);
	b_end();
	b_finish(0);
	CHECK_EQ(parse(), 0);
	CHECK_EQ(bi.mmap_count, 9);
	for (int t = 0; t < 8; t++)
		CHECK_EQ(bi.mmap[t].type, want[t]);
	CHECK_EQ(bi.mmap[8].type, MEM_RESERVED);
}

struct mmap_case {
	const char *name;
	uint32_t esize;
	size_t n, extra;
	int ret;
	uint32_t count;
};

static const struct mmap_case mmap_cases[] = {
	{ "entry_size 24", 24, 3, 0, 0, 3 },
	{ "entry_size 32 (a later version)", 32, 3, 0, 0, 3 },
	{ "entry_size 0", 0, 3, 0, 1, 0 },
	{ "entry_size 16", 16, 3, 0, 1, 0 },
	{ "entry_size 23", 23, 3, 0, 1, 0 },
	{ "trailing partial entry", 24, 3, 10, 1, 3 },
	{ "entry_size larger than the tag", 0xffffffff, 2, 0, 1, 0 },
	{ "no entries", 24, 0, 0, 0, 0 },
};

TEST(mmap_entry_size)
{
	struct mb2e e[3] = { { 0x0, 0x9f000, 1 }, { 0x100000, 0x100000, 1 },
			     { 0xfec00000, 0x1000, 2 } };

	for (size_t c = 0; c < sizeof(mmap_cases) / sizeof(mmap_cases[0]); c++) {
		const struct mmap_case *t = &mmap_cases[c];
		int ret;

		b_init();
		b_mmap(t->esize, e, t->n, t->extra);
		b_end();
		b_finish(0);
		ret = parse();
		if (ret != t->ret || bi.mmap_count != t->count) {
			printf("  %s: ret %d count %u, want %d %u\n", t->name, ret, bi.mmap_count,
			       t->ret, t->count);
			check_failed_ = 1;
			continue;
		}
		for (uint32_t i = 0; i < bi.mmap_count; i++) {
			CHECK_EQ(bi.mmap[i].base, e[i].base);
			CHECK_EQ(bi.mmap[i].len, e[i].len);
		}
	}

	/* A memory map tag too short for its own header. */
	b_init();
	b_tag(MB2_TAG_MMAP, "\x18\0\0\0", 4);
	b_end();
	b_finish(0);
	CHECK_EQ(parse(), 1);
	CHECK_EQ(bi.mmap_count, 0);
}

TEST(mmap_over_limit)
{
	static struct mb2e e[BOOT_MAX_MMAP + 44];

	for (size_t i = 0; i < BOOT_MAX_MMAP + 44; i++)
		e[i] = (struct mb2e){ 0x1000ULL * i, 0x1000, 1 };
	b_init();
	b_mmap(24, e, BOOT_MAX_MMAP + 44, 0);
	b_end();
	b_finish(0);
	CHECK_EQ(parse(), 44);
	CHECK_EQ(bi.mmap_count, BOOT_MAX_MMAP);
	CHECK_EQ(bi.mmap[BOOT_MAX_MMAP - 1].base, 0x1000ULL * (BOOT_MAX_MMAP - 1));
}

TEST(basic_meminfo_fallback)
{
	struct mb2e e[1] = { { 0x0, 0x1000, 1 } };

	b_init();
	b_meminfo(639, 130048);
	b_end();
	b_finish(0);
	CHECK_EQ(parse(), 0);
	CHECK_EQ(bi.mmap_count, 2);
	CHECK_EQ(bi.mmap[0].base, 0);
	CHECK_EQ(bi.mmap[0].len, 639 * 1024);
	CHECK_EQ(bi.mmap[0].type, MEM_USABLE);
	CHECK_EQ(bi.mmap[1].base, 0x100000);
	CHECK_EQ(bi.mmap[1].len, 130048ULL * 1024);
	CHECK_EQ(bi.mmap[1].type, MEM_USABLE);

	/* No lower memory: only the upper range. Largest values do not overflow. */
	b_init();
	b_meminfo(0, 0xffffffff);
	b_end();
	b_finish(0);
	CHECK_EQ(parse(), 0);
	CHECK_EQ(bi.mmap_count, 1);
	CHECK_EQ(bi.mmap[0].len, 0xffffffffULL * 1024);

	/* A memory map after the meminfo tag still wins. */
	b_init();
	b_meminfo(639, 130048);
	b_mmap(24, e, 1, 0);
	b_end();
	b_finish(0);
	CHECK_EQ(parse(), 0);
	CHECK_EQ(bi.mmap_count, 1);
	CHECK_EQ(bi.mmap[0].len, 0x1000);

	/* A memory map that yields nothing falls back to meminfo. */
	b_init();
	b_mmap(8, e, 1, 0);
	b_meminfo(639, 130048);
	b_end();
	b_finish(0);
	CHECK_EQ(parse(), 1);
	CHECK_EQ(bi.mmap_count, 2);

	/* Short meminfo. */
	b_init();
	b_tag(MB2_TAG_BASIC_MEMINFO, "\1\0\0\0", 4);
	b_end();
	b_finish(0);
	CHECK_EQ(parse(), 1);
	CHECK_EQ(bi.mmap_count, 0);
}

TEST(modules)
{
	char name[32], longargs[400];
	uint8_t p[16];

	/* 20 modules: 16 kept, 4 dropped and counted. */
	b_init();
	for (int i = 0; i < 20; i++) {
		snprintf(name, sizeof(name), "mod%d", i);
		b_module(0x1000000 + 0x10000 * i, 0x1000000 + 0x10000 * i + 0x100, name);
	}
	b_end();
	b_finish(0);
	CHECK_EQ(parse(), 4);
	CHECK_EQ(bi.module_count, BOOT_MAX_MODULES);
	CHECK_STR(bi.modules[15].args, "mod15");
	CHECK_EQ(bi.modules[15].start, 0x1000000 + 0x10000 * 15);

	/* end before start: dropped. Too short: dropped. */
	b_init();
	b_module(0x2000, 0x1000, "backwards");
	b_tag(MB2_TAG_MODULE, "\0\0\x20\0", 4);
	b_module(0x3000, 0x4000, "ok");
	b_end();
	b_finish(0);
	CHECK_EQ(parse(), 2);
	CHECK_EQ(bi.module_count, 1);
	CHECK_STR(bi.modules[0].args, "ok");

	/* A string without its NUL is taken as far as the tag goes. */
	put32(p, 0x5000);
	put32(p + 4, 0x6000);
	memcpy(p + 8, "abc", 3);
	b_init();
	b_tag(MB2_TAG_MODULE, p, 11);
	b_tag(MB2_TAG_MODULE, p, 8); /* no string at all */
	b_end();
	b_finish(0);
	CHECK_EQ(parse(), 2);
	CHECK_EQ(bi.module_count, 2);
	CHECK_STR(bi.modules[0].args, "abc");
	CHECK_STR(bi.modules[1].args, "");

	/* Long arguments are truncated, not counted. */
	memset(longargs, 'a', sizeof(longargs) - 1);
	longargs[sizeof(longargs) - 1] = '\0';
	b_init();
	b_module(0x1000, 0x2000, longargs);
	b_end();
	b_finish(0);
	CHECK_EQ(parse(), 0);
	CHECK_EQ(strlen(bi.modules[0].args), BOOT_MODARGS_MAX - 1);
}

TEST(strings)
{
	char longline[1000];

	b_init();
	b_tag(MB2_TAG_CMDLINE, "abc", 3); /* no NUL */
	b_tag(MB2_TAG_LOADER_NAME, "", 0); /* no NUL, nothing at all */
	b_end();
	b_finish(0);
	CHECK_EQ(parse(), 2);
	CHECK_STR(bi.cmdline, "abc");
	CHECK_STR(bi.loader, "");

	b_init();
	b_tag(MB2_TAG_CMDLINE, "x\0junk", 6); /* stops at the NUL */
	b_end();
	b_finish(0);
	CHECK_EQ(parse(), 0);
	CHECK_STR(bi.cmdline, "x");

	memset(longline, 'c', sizeof(longline) - 1);
	longline[sizeof(longline) - 1] = '\0';
	b_init();
	b_str(MB2_TAG_CMDLINE, longline);
	b_str(MB2_TAG_LOADER_NAME, longline);
	b_end();
	b_finish(0);
	CHECK_EQ(parse(), 0);
	CHECK_EQ(strlen(bi.cmdline), BOOT_CMDLINE_MAX - 1);
	CHECK_EQ(strlen(bi.loader), sizeof(bi.loader) - 1);
}

struct efi_case {
	uint32_t type;
	size_t plen;
	int ret;
	bool efi;
	uint64_t table;
};

static const struct efi_case efi_cases[] = {
	{ MB2_TAG_EFI32, 4, 0, true, 0 },
	{ MB2_TAG_EFI64, 8, 0, true, 0x1122334455667788ULL },
	{ MB2_TAG_EFI64, 4, 1, true, 0 },
	{ MB2_TAG_EFI_MMAP, 8, 0, true, 0 },
	{ MB2_TAG_EFI_BS, 0, 0, true, 0 },
	{ MB2_TAG_EFI32_IH, 4, 0, true, 0 },
	{ MB2_TAG_EFI64_IH, 8, 0, true, 0 },
	{ MB2_TAG_FRAMEBUFFER, 8, 0, false, 0 },
	{ MB2_TAG_LOAD_BASE_ADDR, 4, 0, false, 0 },
};

TEST(efi_tags)
{
	uint8_t p[8];

	put64(p, 0x1122334455667788ULL);
	for (size_t i = 0; i < sizeof(efi_cases) / sizeof(efi_cases[0]); i++) {
		const struct efi_case *t = &efi_cases[i];
		int ret;

		b_init();
		b_tag(t->type, p, t->plen);
		b_end();
		b_finish(0);
		ret = parse();
		if (ret != t->ret || bi.firmware_efi != t->efi || bi.efi_system_table != t->table) {
			printf("  tag %u: ret %d efi %d table 0x%llx\n", t->type, ret,
			       bi.firmware_efi, (unsigned long long)bi.efi_system_table);
			check_failed_ = 1;
		}
	}
}

TEST(unknown_tags_ignored)
{
	static const uint32_t types[] = { 5, 7, 8, 9, 10, 13, 16, 21, 22, 1000, 0xffffffff };

	b_init();
	for (size_t i = 0; i < sizeof(types) / sizeof(types[0]); i++)
		b_tag(types[i], "0123456789", 10);
	b_str(MB2_TAG_CMDLINE, "after");
	b_end();
	b_finish(0);
	CHECK_EQ(parse(), 0);
	CHECK_STR(bi.cmdline, "after");
}

TEST(malformed_tags)
{
	/* Zero-size and 4-byte tags: skipped, the walk resumes 8 bytes on. */
	b_init();
	b_raw(MB2_TAG_CMDLINE, 0, NULL, 0);
	b_raw(MB2_TAG_CMDLINE, 4, NULL, 0);
	b_str(MB2_TAG_LOADER_NAME, "GRUB");
	b_end();
	b_finish(0);
	CHECK_EQ(parse(), 2);
	CHECK_STR(bi.loader, "GRUB");
	CHECK_STR(bi.cmdline, "");

	/* A size running past total_size: skipped, then the end tag is found. */
	b_init();
	b_raw(MB2_TAG_CMDLINE, 0xffffffff, NULL, 0);
	b_raw(MB2_TAG_MMAP, 0x1000, NULL, 0);
	b_end();
	b_finish(0);
	CHECK_EQ(parse(), 2);
	CHECK_STR(bi.cmdline, "");
	CHECK_EQ(bi.mmap_count, 0);

	/* The size runs exactly one byte past total_size. */
	b_init();
	b_raw(MB2_TAG_CMDLINE, 8 + 8 + 8 + 1, "abcdefg", 8);
	b_end();
	b_finish(0);
	/* Two skips: the header, then "abcdefg\0" read as a tag header whose size
	 * ("efg\0") runs past the end too. */
	CHECK_EQ(parse(), 2);
	CHECK_STR(bi.cmdline, "");

	/* End tag larger than 8: still the end. */
	b_init();
	b_str(MB2_TAG_CMDLINE, "x");
	b_raw(MB2_TAG_END, 16, "\0\0\0\0\0\0\0\0", 8);
	b_finish(0);
	CHECK_EQ(parse(), 0);
	CHECK_STR(bi.cmdline, "x");
}

struct header_case {
	const char *name;
	uint32_t total; /* written into the header */
	size_t avail;	/* bytes given to the parser */
};

TEST(unusable_structure)
{
	/* A valid 32-byte stream: header, "abc" cmdline, end. */
	b_init();
	b_str(MB2_TAG_CMDLINE, "abc");
	b_end();
	CHECK_EQ(b.len, 32);

	static const struct header_case cases[] = {
		{ "avail below 16", 32, 15 },
		{ "avail 0", 32, 0 },
		{ "total 0", 0xffff0000, 32 }, /* replaced below */
		{ "total 8", 8, 32 },
		{ "total 15", 15, 32 },
		{ "total above avail", 33, 32 },
		{ "total far above avail", 0xffffffff, 32 },
		{ "end tag beyond total", 24, 32 },
		{ "end tag cut by total", 31, 32 },
		{ "padding runs past total", 20, 32 },
	};
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		int ret;

		put32(b.buf, cases[i].total == 0xffff0000 ? 0 : cases[i].total);
		memset(&bi, 0x55, sizeof(bi));
		ret = parse_avail(cases[i].avail);
		if (ret != -EINVAL || memcmp(&bi, &zero_bi, sizeof(bi)) != 0) {
			printf("  %s: ret %d (bi %s)\n", cases[i].name, ret,
			       memcmp(&bi, &zero_bi, sizeof(bi)) ? "not cleared" : "cleared");
			check_failed_ = 1;
		}
	}

	/* The same stream is fine with its real total, and with avail to spare. */
	put32(b.buf, 32);
	CHECK_EQ(parse_avail(32), 0);
	CHECK_EQ(parse_avail(64), 0);
	CHECK_STR(bi.cmdline, "abc");

	/* No end tag at all; an end tag with a bad size. */
	b_init();
	b_str(MB2_TAG_CMDLINE, "abc");
	b_finish(0);
	CHECK_EQ(parse(), -EINVAL);
	b_init();
	b_raw(MB2_TAG_END, 4, NULL, 0);
	b_finish(0);
	CHECK_EQ(parse(), -EINVAL);

	/* NULL arguments. */
	b_init();
	b_end();
	b_finish(0);
	CHECK_EQ(mb2_parse(NULL, 16, &bi), -EINVAL);
	CHECK_EQ(mb2_parse(b.buf, 16, NULL), -EINVAL);
	CHECK_EQ(mb2_parse(b.buf, 16, &bi), 0);
}

TEST(unaligned_info)
{
	uint8_t *p;

	b_init();
	b_str(MB2_TAG_CMDLINE, "unaligned");
	b_meminfo(1, 2);
	b_end();
	b_finish(0);
	p = malloc(b.len + 1);
	memcpy(p + 1, b.buf, b.len);
	CHECK_EQ(mb2_parse(p + 1, b.len, &bi), 0);
	CHECK_STR(bi.cmdline, "unaligned");
	CHECK_EQ(bi.mmap_count, 2);
	free(p);
}

/* ---- fuzz ---- */

static uint64_t rng_state = 0xda942042e4dd58b5ULL;
static uint64_t rng(void)
{
	rng_state ^= rng_state << 13;
	rng_state ^= rng_state >> 7;
	rng_state ^= rng_state << 17;
	return rng_state;
}

static bool str_ok(const char *s, size_t cap)
{
	return memchr(s, '\0', cap) != NULL;
}

/* What must hold whatever the input. */
static bool result_sane(int ret)
{
	if (ret < 0)
		return ret == -EINVAL && memcmp(&bi, &zero_bi, sizeof(bi)) == 0;
	if (bi.door != BOOT_DOOR_MULTIBOOT2 || bi.mmap_count > BOOT_MAX_MMAP ||
	    bi.module_count > BOOT_MAX_MODULES || bi.rsdp_phys != 0)
		return false;
	if (!str_ok(bi.cmdline, sizeof(bi.cmdline)) || !str_ok(bi.loader, sizeof(bi.loader)))
		return false;
	for (uint32_t i = 0; i < bi.module_count; i++) {
		if (bi.modules[i].end < bi.modules[i].start ||
		    !str_ok(bi.modules[i].args, sizeof(bi.modules[i].args)))
			return false;
	}
	for (uint32_t i = 0; i < bi.mmap_count; i++) {
		if (bi.mmap[i].type < MEM_USABLE || bi.mmap[i].type > MEM_BAD)
			return false;
	}
	return true;
}

/* A random stream: mostly tags of interesting types with plausible sizes,
 * sometimes hostile ones, sometimes pure noise after the header. */
static void fuzz_build(void)
{
	static const uint32_t types[] = { 0, 1, 2, 3, 4, 6, 11, 12, 14, 15, 17, 18, 19, 20, 21 };
	size_t target = 16 + rng() % 700;

	b_init();
	if (rng() % 8 == 0) {
		for (size_t i = 8; i < target; i++)
			b.buf[i] = (uint8_t)rng();
		b.len = target;
	} else {
		while (b.len + 8 <= target) {
			uint32_t type = rng() % 16 ? types[rng() % 15] : (uint32_t)rng();
			size_t plen = rng() % 4 ? rng() % 64 : rng() % 400;
			uint32_t size = (uint32_t)(8 + plen);
			uint8_t payload[400];

			if (b.len + 8 + plen > target)
				plen = target - b.len - 8;
			for (size_t i = 0; i < plen; i++)
				payload[i] = rng() % 3 ? (uint8_t)rng() : (uint8_t)(rng() % 40);
			if (type == MB2_TAG_MMAP && plen >= 8)
				put32(payload, rng() % 4 ? 24 : (uint32_t)(rng() % 40));
			if (rng() % 10 == 0)
				size = (uint32_t)(rng() % 4 ? rng() % 16 : rng());
			b_raw(type, size, payload, plen);
			if (type == MB2_TAG_END && rng() % 2)
				break;
		}
		if (b.len > target)
			b.len = target;
	}
	/* total_size: usually the stream, sometimes shorter or longer. */
	switch (rng() % 6) {
	case 0:
		b_finish((uint32_t)(rng() % (b.len + 8)));
		break;
	case 1:
		b_finish((uint32_t)rng());
		break;
	default:
		b_finish(0);
		break;
	}
}

TEST(fuzz_random_streams)
{
	int ok = 0, errs = 0;

	for (int iter = 0; iter < 20000; iter++) {
		int ret;

		fuzz_build();
		ret = parse();
		if (!result_sane(ret)) {
			printf("  iteration %d: ret %d, result not sane\n", iter, ret);
			check_failed_ = 1;
			return;
		}
		if (ret < 0)
			errs++;
		else
			ok++;
	}
	/* The generator must reach both outcomes, or it is not testing much. */
	CHECK(ok > 1000);
	CHECK(errs > 1000);
}

TEST(fuzz_mutations)
{
	static const struct mb2e e[] = { { 0x0, 0x9fc00, 1 }, { 0x100000, 0x7ee0000, 1 } };
	static uint8_t orig[16384];
	size_t len;

	b_init();
	b_str(MB2_TAG_CMDLINE, "console=com1");
	b_str(MB2_TAG_LOADER_NAME, "GRUB");
	b_module(0x200000, 0x280000, "hello.elf");
	b_meminfo(639, 130048);
	b_mmap(24, e, 2, 0);
	b_tag(MB2_TAG_ACPI_NEW, rsdp_v2, 36);
	b_end();
	b_finish(0);
	memcpy(orig, b.buf, b.len);
	len = b.len;

	for (int iter = 0; iter < 20000; iter++) {
		int flips = 1 + (int)(rng() % 4), ret;

		memcpy(b.buf, orig, len);
		b.len = len;
		for (int f = 0; f < flips; f++) {
			size_t at = rng() % len;

			b.buf[at] = rng() % 2 ? (uint8_t)rng() : (uint8_t)(b.buf[at] ^ (1u << (rng() % 8)));
		}
		if (rng() % 4 == 0)
			b.len = 16 + rng() % (len - 15); /* the caller has fewer bytes */
		ret = parse();
		if (!result_sane(ret)) {
			printf("  mutation %d: ret %d, result not sane\n", iter, ret);
			check_failed_ = 1;
			return;
		}
	}
}

TEST(grub_unquote)
{
	static const struct {
		const char *in, *out;
	} cases[] = {
		{ "", "" },
		{ "plain words", "plain words" },
		/* one GRUB word with spaces and escaped specials */
		{ "\"loglevel=debug say=\\\"a b\\\" it\\'s C:\\\\x\"",
		  "loglevel=debug say=\"a b\" it's C:\\x" },
		{ "name=linux \"cmdline=console=ttyS0 quiet\"", "name=linux cmdline=console=ttyS0 quiet" },
		{ "trailing\\", "trailing\\" }, /* a lone final backslash is kept */
		{ "a;b ${y} p|q&r<s>t", "a;b ${y} p|q&r<s>t" },
	};
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		char buf[128];
		strcpy(buf, cases[i].in);
		mb2_grub_unquote(buf);
		CHECK_STR(buf, cases[i].out);
	}
}

TEST(grub_strings_only_for_grub)
{
	struct boot_info bi;
	memset(&bi, 0, sizeof(bi));
	strcpy(bi.loader, "Limine");
	strcpy(bi.cmdline, "a=\"b c\"");
	mb2_fix_grub_strings(&bi);
	CHECK_STR(bi.cmdline, "a=\"b c\"");
	strcpy(bi.loader, "GRUB 2.06");
	bi.module_count = 1;
	strcpy(bi.modules[0].args, "\"x=\\\"y z\\\"\"");
	mb2_fix_grub_strings(&bi);
	CHECK_STR(bi.cmdline, "a=b c");
	CHECK_STR(bi.modules[0].args, "x=\"y z\"");
}

int main(void)
{
	RUN(typical_grub);
	RUN(rsdp_choice);
	RUN(mmap_types);
	RUN(mmap_entry_size);
	RUN(mmap_over_limit);
	RUN(basic_meminfo_fallback);
	RUN(modules);
	RUN(strings);
	RUN(efi_tags);
	RUN(unknown_tags_ignored);
	RUN(malformed_tags);
	RUN(unusable_structure);
	RUN(unaligned_info);
	RUN(fuzz_random_streams);
	RUN(fuzz_mutations);
	RUN(grub_unquote);
	RUN(grub_strings_only_for_grub);
	return CHECK_DONE();
}
