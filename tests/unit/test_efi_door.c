/* Host tests of the UEFI door's pure logic: the kernel ELF checks and load plan,
 * terrapin.cfg, load options, device paths, the memory map conversion, the RSDP
 * check and the loader name. */
#include "tests/unit/check.h"

#include "boot/efi_cfg.c"
#include "boot/efi_elf.c"
#include "boot/efi_info.c"

#include <stdint.h>

/* ---- an ELF builder ------------------------------------------------------ */

#define IMG_MAX 8192

struct seg_spec {
	uint32_t type, flags;
	uint64_t offset, vaddr, paddr, filesz, memsz;
};

struct elf_spec {
	int nseg;
	struct seg_spec seg[20];
	const char *sym;     /* name of the one symbol; NULL for no .symtab */
	uint64_t sym_value;
	uint16_t sym_shndx;
	uint8_t sym_info;    /* STB_GLOBAL << 4 | type */
};

static uint8_t img[IMG_MAX];

static void w16(uint8_t *p, uint64_t v) { for (int i = 0; i < 2; i++) p[i] = (uint8_t)(v >> (8 * i)); }
static void w32(uint8_t *p, uint64_t v) { for (int i = 0; i < 4; i++) p[i] = (uint8_t)(v >> (8 * i)); }
static void w64(uint8_t *p, uint64_t v) { for (int i = 0; i < 8; i++) p[i] = (uint8_t)(v >> (8 * i)); }

/* Layout: ehdr 0 | phdrs 64 | segment data 0x1000.. | shdrs 0x1800 (null,
 * symtab, strtab) | symtab 0x1900 | strtab 0x1a00. Returns the file size. */
#define OFF_SH 0x1800
#define OFF_SYM 0x1900
#define OFF_STR 0x1a00
#define FILE_SIZE 0x1b00

static size_t build(const struct elf_spec *s)
{
	memset(img, 0, sizeof(img));
	memcpy(img, "\x7f" "ELF", 4);
	img[4] = 2;
	img[5] = 1;
	img[6] = 1;
	w16(img + 16, 2);
	w16(img + 18, 62);
	w32(img + 20, 1);
	w64(img + 32, 64);
	w16(img + 52, 64);
	w16(img + 54, 56);
	w16(img + 56, (uint64_t)s->nseg);
	for (int i = 0; i < s->nseg; i++) {
		uint8_t *ph = img + 64 + 56 * i;

		w32(ph, s->seg[i].type);
		w32(ph + 4, s->seg[i].flags);
		w64(ph + 8, s->seg[i].offset);
		w64(ph + 16, s->seg[i].vaddr);
		w64(ph + 24, s->seg[i].paddr);
		w64(ph + 32, s->seg[i].filesz);
		w64(ph + 40, s->seg[i].memsz);
		w64(ph + 48, 0x1000);
	}
	if (s->sym) {
		size_t n = strlen(s->sym);

		w64(img + 40, OFF_SH);
		w16(img + 58, 64);
		w16(img + 60, 3);
		/* [1] .symtab: null symbol + ours */
		w32(img + OFF_SH + 64 + 4, 2);
		w64(img + OFF_SH + 64 + 24, OFF_SYM);
		w64(img + OFF_SH + 64 + 32, 48);
		w32(img + OFF_SH + 64 + 40, 2);
		w64(img + OFF_SH + 64 + 56, 24);
		/* [2] .strtab: "\0name\0" */
		w32(img + OFF_SH + 128 + 4, 3);
		w64(img + OFF_SH + 128 + 24, OFF_STR);
		w64(img + OFF_SH + 128 + 32, n + 2);
		memcpy(img + OFF_STR + 1, s->sym, n);
		w32(img + OFF_SYM + 24, 1);
		img[OFF_SYM + 24 + 4] = s->sym_info;
		w16(img + OFF_SYM + 24 + 6, s->sym_shndx);
		w64(img + OFF_SYM + 24 + 8, s->sym_value);
	}
	return FILE_SIZE;
}

static struct seg_spec load(uint32_t flags, uint64_t off, uint64_t addr, uint64_t filesz,
			    uint64_t memsz)
{
	struct seg_spec s = { 1, flags, off, addr, addr, filesz, memsz };
	return s;
}

/* text at 0x200000 (RX), rodata at 0x200800 sharing its page, data+bss at
 * 0x202000, and a far segment at 0x400000; program headers out of order. */
static struct elf_spec good(void)
{
	struct elf_spec s;

	memset(&s, 0, sizeof(s));
	s.nseg = 4;
	s.seg[0] = load(6, 0x1300, 0x202000, 0x10, 0x3000);
	s.seg[1] = load(5, 0x1000, 0x200000, 0x100, 0x100);
	s.seg[2] = load(4, 0x1100, 0x200800, 0x80, 0x80);
	s.seg[3] = load(6, 0x1400, 0x400000, 0x20, 0x20);
	s.sym = "kernel_entry64";
	s.sym_value = 0x200040;
	s.sym_shndx = 1;
	s.sym_info = (1 << 4) | 2;
	return s;
}

static int plan(const struct elf_spec *s, struct efi_elf_image *k, const char **why)
{
	size_t n = build(s);
	*why = NULL;
	return efi_elf_load_plan(img, n, "kernel_entry64", k, why);
}

TEST(elf_good_plan)
{
	struct elf_spec s = good();
	struct efi_elf_image k;
	const char *why;

	CHECK_EQ(plan(&s, &k, &why), 0);
	CHECK_EQ(k.nseg, 4);
	CHECK_EQ(k.seg[0].paddr, 0x200000);
	CHECK_EQ(k.seg[1].paddr, 0x200800);
	CHECK_EQ(k.seg[2].paddr, 0x202000);
	CHECK_EQ(k.seg[2].filesz, 0x10);
	CHECK_EQ(k.seg[2].memsz, 0x3000);
	CHECK_EQ(k.seg[3].paddr, 0x400000);
	CHECK_EQ(k.entry, 0x200040);
	/* 0x200000-0x201000 and 0x202000-0x205000 do not touch; 0x400000 apart */
	CHECK_EQ(k.nrange, 3);
	CHECK_EQ(k.range[0].base, 0x200000);
	CHECK_EQ(k.range[0].pages, 1);
	CHECK_EQ(k.range[1].base, 0x202000);
	CHECK_EQ(k.range[1].pages, 3);
	CHECK_EQ(k.range[2].base, 0x400000);
	CHECK_EQ(k.range[2].pages, 1);
}

TEST(elf_ranges_merge_when_touching)
{
	struct elf_spec s = good();
	struct efi_elf_image k;
	const char *why;

	s.seg[0] = load(6, 0x1300, 0x201010, 0x10, 0x10); /* page 0x201000 touches 0x200000's end */
	CHECK_EQ(plan(&s, &k, &why), 0);
	CHECK_EQ(k.nrange, 2);
	CHECK_EQ(k.range[0].base, 0x200000);
	CHECK_EQ(k.range[0].pages, 2);
	/* unaligned start inside a page that a lower segment ends in */
	s.seg[0] = load(6, 0x1300, 0x2008f0, 0x10, 0x1000);
	CHECK_EQ(plan(&s, &k, &why), 0);
	CHECK_EQ(k.nrange, 2);
	CHECK_EQ(k.range[0].pages, 2); /* 0x200000..0x2018f0 -> 2 pages */
}

TEST(elf_zero_memsz_segments_are_ignored)
{
	struct elf_spec s = good();
	struct efi_elf_image k;
	const char *why;

	s.seg[s.nseg++] = load(6, 0xffffffff, 0x200000, 0, 0); /* would overlap, but empty */
	s.seg[s.nseg++] = (struct seg_spec){ 6 /* PT_NOTE-ish */, 4, 0, 0x200000, 0x200000, 8, 8 };
	CHECK_EQ(plan(&s, &k, &why), 0);
	CHECK_EQ(k.nseg, 4);
}

struct elf_bad {
	const char *name;
	void (*mutate)(struct elf_spec *s);
	void (*patch)(void); /* applied to the built image */
	size_t size;         /* 0: the built size */
	int err;
	const char *why_has;
};

static void m_none(struct elf_spec *s) { (void)s; }
static void m_filesz_gt_memsz(struct elf_spec *s) { s->seg[1].filesz = 0x200; }
static void m_data_outside(struct elf_spec *s) { s->seg[1].offset = FILE_SIZE - 0x10; }
static void m_offset_wraps(struct elf_spec *s) { s->seg[1].offset = UINT64_MAX - 0x10; }
static void m_vaddr_ne_paddr(struct elf_spec *s) { s->seg[2].vaddr = 0xffffffff80200800ull; }
static void m_above_52(struct elf_spec *s) { s->seg[3].vaddr = s->seg[3].paddr = (1ull << 52) - 0x10; }
static void m_wraps_2_64(struct elf_spec *s) { s->seg[3].vaddr = s->seg[3].paddr = UINT64_MAX - 0xf; }
static void m_overlap(struct elf_spec *s) { s->seg[2] = load(4, 0x1100, 0x2000ff, 0x10, 0x10); }
static void m_overlap_bss(struct elf_spec *s) { s->seg[3] = load(4, 0x1100, 0x204fff, 0x1, 0x1); }
static void m_too_many(struct elf_spec *s)
{
	s->nseg = 17;
	for (int i = 0; i < 17; i++)
		s->seg[i] = load(5, 0x1000, 0x200000 + 0x1000 * (uint64_t)i, 0x100, 0x100);
}
static void m_no_load(struct elf_spec *s)
{
	for (int i = 0; i < s->nseg; i++)
		s->seg[i].type = 4;
}
static void m_no_symtab(struct elf_spec *s) { s->sym = NULL; }
static void m_undef(struct elf_spec *s) { s->sym_shndx = 0; }
static void m_object(struct elf_spec *s) { s->sym_info = (1 << 4) | 1; }
static void m_in_data(struct elf_spec *s) { s->sym_value = 0x202000; }
static void m_in_bss(struct elf_spec *s) { s->seg[1].memsz = 0x800; s->sym_value = 0x200200; }
static void m_other_name(struct elf_spec *s) { s->sym = "kernel_entry32"; }
static void m_longer_name(struct elf_spec *s) { s->sym = "kernel_entry64x"; }
static void m_shorter_name(struct elf_spec *s) { s->sym = "kernel_entry6"; }

static void p_magic(void) { img[1] = 'X'; }
static void p_class32(void) { img[4] = 1; }
static void p_big_endian(void) { img[5] = 2; }
static void p_dyn(void) { w16(img + 16, 3); }
static void p_i386(void) { w16(img + 18, 3); }
static void p_phentsize(void) { w16(img + 54, 32); }
static void p_phoff(void) { w64(img + 32, FILE_SIZE - 56); }
static void p_phoff_huge(void) { w64(img + 32, UINT64_MAX - 8); }
static void p_phnum_xnum(void) { w16(img + 56, 0xffff); }
static void p_phnum_zero(void) { w16(img + 56, 0); }
static void p_shentsize(void) { w16(img + 58, 40); }
static void p_shoff(void) { w64(img + 40, FILE_SIZE - 8); }
static void p_shoff_huge(void) { w64(img + 40, UINT64_MAX - 100); }
static void p_shnum_big(void) { w16(img + 60, 200); }
static void p_shnum_ext_huge(void) { w16(img + 60, 0); w64(img + OFF_SH + 32, UINT64_MAX / 32); }
static void p_symtab_type(void) { w32(img + OFF_SH + 64 + 4, 1); }
static void p_symtab_entsize(void) { w64(img + OFF_SH + 64 + 56, 16); }
static void p_symtab_outside(void) { w64(img + OFF_SH + 64 + 32, 0x10000); }
static void p_symtab_link_oob(void) { w32(img + OFF_SH + 64 + 40, 7); }
static void p_symtab_link_zero(void) { w32(img + OFF_SH + 64 + 40, 0); }
static void p_strtab_type(void) { w32(img + OFF_SH + 128 + 4, 1); }
static void p_strtab_outside(void) { w64(img + OFF_SH + 128 + 24, FILE_SIZE - 2); }
static void p_name_oob(void) { w32(img + OFF_SYM + 24, 0x1000); }
/* strtab cut right after the name: no terminating NUL inside the table */
static void p_name_unterminated(void) { w64(img + OFF_SH + 128 + 32, 1 + 14); }

static const struct elf_bad elf_bad_cases[] = {
	{ "tiny", m_none, NULL, 63, -EINVAL, "smaller" },
	{ "magic", m_none, p_magic, 0, -EINVAL, "magic" },
	{ "class32", m_none, p_class32, 0, -EINVAL, "64-bit" },
	{ "big endian", m_none, p_big_endian, 0, -EINVAL, "little" },
	{ "ET_DYN", m_none, p_dyn, 0, -EINVAL, "ET_EXEC" },
	{ "i386", m_none, p_i386, 0, -EINVAL, "x86-64" },
	{ "phentsize", m_none, p_phentsize, 0, -EINVAL, "program header size" },
	{ "phoff past end", m_none, p_phoff, 0, -EINVAL, "outside" },
	{ "phoff wraps", m_none, p_phoff_huge, 0, -EINVAL, "outside" },
	{ "PN_XNUM", m_none, p_phnum_xnum, 0, -EINVAL, "program headers" },
	{ "phnum 0", m_none, p_phnum_zero, 0, -EINVAL, "program headers" },
	{ "filesz > memsz", m_filesz_gt_memsz, NULL, 0, -EINVAL, "p_filesz" },
	{ "data outside", m_data_outside, NULL, 0, -EINVAL, "outside the file" },
	{ "offset wraps", m_offset_wraps, NULL, 0, -EINVAL, "outside the file" },
	{ "vaddr != paddr", m_vaddr_ne_paddr, NULL, 0, -EINVAL, "identity" },
	{ "above 52 bits", m_above_52, NULL, 0, -ERANGE, "52-bit" },
	{ "wraps 2^64", m_wraps_2_64, NULL, 0, -ERANGE, "52-bit" },
	{ "overlap", m_overlap, NULL, 0, -EINVAL, "overlap" },
	{ "overlap in bss", m_overlap_bss, NULL, 0, -EINVAL, "overlap" },
	{ "17 segments", m_too_many, NULL, 0, -E2BIG, "too many" },
	{ "no PT_LOAD", m_no_load, NULL, 0, -EINVAL, "no PT_LOAD" },
	{ "no sections", m_no_symtab, NULL, 0, -ENOENT, "stripped" },
	{ "shentsize", m_none, p_shentsize, 0, -EINVAL, "section header size" },
	{ "shoff past end", m_none, p_shoff, 0, -EINVAL, "outside" },
	{ "shoff wraps", m_none, p_shoff_huge, 0, -EINVAL, "outside" },
	{ "shnum too big", m_none, p_shnum_big, 0, -EINVAL, "outside" },
	{ "ext shnum huge", m_none, p_shnum_ext_huge, 0, -EINVAL, "outside" },
	{ "no symtab section", m_none, p_symtab_type, 0, -ENOENT, "no .symtab" },
	{ "symtab entsize", m_none, p_symtab_entsize, 0, -EINVAL, ".symtab" },
	{ "symtab outside", m_none, p_symtab_outside, 0, -EINVAL, ".symtab" },
	{ "sh_link oob", m_none, p_symtab_link_oob, 0, -EINVAL, "string table" },
	{ "sh_link 0", m_none, p_symtab_link_zero, 0, -EINVAL, "string table" },
	{ "strtab type", m_none, p_strtab_type, 0, -EINVAL, ".strtab" },
	{ "strtab outside", m_none, p_strtab_outside, 0, -EINVAL, ".strtab" },
	{ "name oob", m_none, p_name_oob, 0, -ENOENT, "kernel_entry64" },
	{ "name unterminated", m_none, p_name_unterminated, 0, -ENOENT, "kernel_entry64" },
	{ "undefined", m_undef, NULL, 0, -ENOENT, "kernel_entry64" },
	{ "STT_OBJECT", m_object, NULL, 0, -ENOENT, "kernel_entry64" },
	{ "other name", m_other_name, NULL, 0, -ENOENT, "kernel_entry64" },
	{ "longer name", m_longer_name, NULL, 0, -ENOENT, "kernel_entry64" },
	{ "shorter name", m_shorter_name, NULL, 0, -ENOENT, "kernel_entry64" },
	{ "entry in data", m_in_data, NULL, 0, -EINVAL, "executable" },
	{ "entry in bss", m_in_bss, NULL, 0, -EINVAL, "executable" },
};

TEST(elf_rejects_malformed)
{
	for (size_t i = 0; i < sizeof(elf_bad_cases) / sizeof(elf_bad_cases[0]); i++) {
		const struct elf_bad *c = &elf_bad_cases[i];
		struct elf_spec s = good();
		struct efi_elf_image k;
		const char *why = NULL;
		size_t n;
		int rc;

		c->mutate(&s);
		n = build(&s);
		if (c->patch)
			c->patch();
		rc = efi_elf_load_plan(img, c->size ? c->size : n, "kernel_entry64", &k, &why);
		if (rc != c->err || !why || !strstr(why, c->why_has))
			printf("  case \"%s\": rc %d why \"%s\"\n", c->name, rc, why ? why : "(null)");
		CHECK_EQ(rc, c->err);
		CHECK(why && strstr(why, c->why_has));
	}
}

TEST(elf_extended_section_count)
{
	struct elf_spec s = good();
	struct efi_elf_image k;

	build(&s);
	w16(img + 60, 0);          /* e_shnum = 0: the count is in section 0's sh_size */
	w64(img + OFF_SH + 32, 3);
	const char *why = NULL;
	CHECK_EQ(efi_elf_load_plan(img, FILE_SIZE, "kernel_entry64", &k, &why), 0);
	CHECK_EQ(k.entry, 0x200040);
}

TEST(elf_notype_symbol_and_unaligned_buffer)
{
	static uint8_t shifted[IMG_MAX + 1];
	struct elf_spec s = good();
	struct efi_elf_image k;
	const char *why = NULL;

	s.sym_info = (1 << 4) | 0; /* an assembly label: STT_NOTYPE */
	build(&s);
	memcpy(shifted + 1, img, FILE_SIZE);
	CHECK_EQ(efi_elf_load_plan(shifted + 1, FILE_SIZE, "kernel_entry64", &k, &why), 0);
	CHECK_EQ(k.entry, 0x200040);
}

TEST(elf_overlaps)
{
	CHECK(efi_elf_overlaps(0x1000, 0x1000, 0x1fff, 1));
	CHECK(!efi_elf_overlaps(0x1000, 0x1000, 0x2000, 1));
	CHECK(!efi_elf_overlaps(0x2000, 1, 0x1000, 0x1000));
	CHECK(efi_elf_overlaps(0x2000, 1, 0x1000, 0x1001));
	CHECK(!efi_elf_overlaps(0x1000, 0, 0x1000, 0x1000));
	CHECK(efi_elf_overlaps(UINT64_MAX - 1, 1, 0, UINT64_MAX));
	CHECK(!efi_elf_overlaps(UINT64_MAX, 1, 0, UINT64_MAX));
}

/* Deterministic mutation fuzz: never crash; any accepted plan is self-consistent. */
TEST(elf_fuzz)
{
	struct elf_spec s = good();
	uint32_t seed = 12345;
	unsigned accepted = 0;

	for (int it = 0; it < 30000; it++) {
		struct efi_elf_image k;
		const char *why = NULL;
		size_t n = build(&s);
		int flips = 1 + it % 4;

		for (int f = 0; f < flips; f++) {
			seed = seed * 1103515245u + 12345u;
			/* mostly the headers and tables, where the checks are */
			size_t pos = (seed >> 8) % 4 ? (seed >> 12) % 0x200 : OFF_SH + (seed >> 12) % 0x300;
			img[pos] ^= (uint8_t)(1u << ((seed >> 4) & 7));
		}
		if (efi_elf_load_plan(img, n, "kernel_entry64", &k, &why) != 0) {
			CHECK(why != NULL);
			continue;
		}
		accepted++;
		CHECK(k.nseg >= 1 && k.nseg <= EFI_ELF_MAX_SEGS);
		for (uint32_t i = 0; i < k.nseg; i++) {
			CHECK(k.seg[i].offset <= n && k.seg[i].filesz <= n - k.seg[i].offset);
			CHECK(k.seg[i].filesz <= k.seg[i].memsz);
			if (i)
				CHECK(k.seg[i - 1].paddr + k.seg[i - 1].memsz <= k.seg[i].paddr);
		}
		for (uint32_t i = 0; i < k.nrange; i++) {
			CHECK((k.range[i].base & 0xfff) == 0 && k.range[i].pages > 0);
			if (i)
				CHECK(k.range[i - 1].base + k.range[i - 1].pages * 4096 < k.range[i].base);
		}
		CHECK(entry_in_code(&k, k.entry));
	}
	CHECK(accepted > 0); /* some flips land in padding: the fuzz reaches the success path */
}

/* ---- terrapin.cfg --------------------------------------------------------- */

struct cfg_case {
	const char *name;
	const char *text;
	int err;
	unsigned line;
	const char *cmdline;
	unsigned nmod;
	const char *path0, *args0, *path1, *args1;
};

static const struct cfg_case cfg_cases[] = {
	{ .name = "empty", .text = "", .err = 0, .line = 0, .cmdline = "", .nmod = 0 },
	{ .name = "blank and comments", .text = "\n# hello\n   \t\n  # indented\n", .err = 0, .line = 0, .cmdline = "", .nmod = 0 },
	{ .name = "cmdline", .text = "cmdline console=com1 loglevel=info\n", .err = 0, .line = 0, .cmdline = "console=com1 loglevel=info", .nmod = 0 },
	{ .name = "cmdline, no newline at end", .text = "cmdline a=1", .err = 0, .line = 0, .cmdline = "a=1", .nmod = 0 },
	{ .name = "cmdline alone", .text = "cmdline\n", .err = 0, .line = 0, .cmdline = "", .nmod = 0 },
	{ .name = "cmdlines join", .text = "cmdline a=1\ncmdline  b=2 \n", .err = 0, .line = 0, .cmdline = "a=1 b=2", .nmod = 0 },
	{ .name = "comment after", .text = "cmdline a=1 # not this\n", .err = 0, .line = 0, .cmdline = "a=1", .nmod = 0 },
	{ .name = "hash in quotes", .text = "cmdline name=\"x # y\" z\n", .err = 0, .line = 0, .cmdline = "name=\"x # y\" z", .nmod = 0 },
	{ .name = "CRLF and tabs", .text = "cmdline\ta=1\r\nmodule\t/g/a.elf\tname=a\r\n", .err = 0, .line = 0, .cmdline = "a=1", .nmod = 1, .path0 = "/g/a.elf", .args0 = "name=a" },
	{ .name = "module", .text = "module /guests/hello.elf name=hello mem=32M cpus=1 autostart\n", .err = 0, .line = 0, .cmdline = "", .nmod = 1, .path0 = "/guests/hello.elf", .args0 = "name=hello mem=32M cpus=1 autostart" },
	{ .name = "module no args", .text = "module \\guests\\x.elf   \n", .err = 0, .line = 0, .cmdline = "", .nmod = 1, .path0 = "\\guests\\x.elf", .args0 = "" },
	{ .name = "two modules", .text = "module /a x=1\nmodule /b\n", .err = 0, .line = 0, .cmdline = "", .nmod = 2, .path0 = "/a", .args0 = "x=1", .path1 = "/b", .args1 = "" },
	{ .name = "quoted path", .text = "module \"/my guests/a b.elf\" n=1\n", .err = 0, .line = 0, .cmdline = "", .nmod = 1, .path0 = "/my guests/a b.elf", .args0 = "n=1" },
	{ .name = "args keep quotes", .text = "module /a cmdline=\"quiet console=ttyS0\"\n", .err = 0, .line = 0, .cmdline = "", .nmod = 1, .path0 = "/a", .args0 = "cmdline=\"quiet console=ttyS0\"" },
	{ .name = "UTF-8 BOM", .text = "\xef\xbb\xbf" "cmdline a\n", .err = 0, .line = 0, .cmdline = "a", .nmod = 0 },
	{ .name = "UTF-8 in args", .text = "module /a name=caf\xc3\xa9\n", .err = 0, .line = 0, .cmdline = "", .nmod = 1, .path0 = "/a", .args0 = "name=caf\xc3\xa9" },
	{ .name = "UTF-16 BOM", .text = "\xff\xfe" "c\0m\0", .err = -EINVAL, .line = 1 },
	{ .name = "unknown keyword", .text = "cmdline a\nkernel /x\n", .err = -EINVAL, .line = 2 },
	{ .name = "keyword prefix", .text = "cmdlinex a\n", .err = -EINVAL, .line = 1 },
	{ .name = "keyword case", .text = "Module /a\n", .err = -EINVAL, .line = 1 },
	{ .name = "long keyword", .text = "averyveryverylongkeyword x\n", .err = -EINVAL, .line = 1 },
	{ .name = "module without path", .text = "\nmodule   \n", .err = -EINVAL, .line = 2 },
	{ .name = "module empty quoted path", .text = "module \"\" x\n", .err = -EINVAL, .line = 1 },
	{ .name = "unterminated quote", .text = "cmdline a=\"b\n", .err = -EINVAL, .line = 1 },
	{ .name = "control char", .text = "cmdline a\x01" "b\n", .err = -EINVAL, .line = 1 },
	{ .name = "DEL char", .text = "cmdline a\x7f\n", .err = -EINVAL, .line = 1 },
	{ .name = "non-ASCII path", .text = "module /caf\xc3\xa9.elf\n", .err = -EINVAL, .line = 1 },
};

TEST(cfg_table)
{
	static struct efi_cfg cfg;

	for (size_t i = 0; i < sizeof(cfg_cases) / sizeof(cfg_cases[0]); i++) {
		const struct cfg_case *c = &cfg_cases[i];
		struct efi_cfg_error err;
		size_t len = strlen(c->text);
		int rc;

		if (c->err && c->text[0] == '\xff')
			len = 4; /* the UTF-16 case holds NULs */
		rc = efi_cfg_parse(c->text, len, &cfg, &err);
		if (rc != c->err)
			printf("  case \"%s\": rc %d (%s)\n", c->name, rc, err.why);
		CHECK_EQ(rc, c->err);
		if (c->err) {
			CHECK_EQ(err.line, c->line);
			CHECK(err.why && err.why[0]);
			continue;
		}
		CHECK_STR(cfg.cmdline, c->cmdline);
		CHECK_EQ(cfg.module_count, c->nmod);
		if (c->nmod >= 1) {
			CHECK_STR(cfg.modules[0].path, c->path0);
			CHECK_STR(cfg.modules[0].args, c->args0);
		}
		if (c->nmod >= 2) {
			CHECK_STR(cfg.modules[1].path, c->path1);
			CHECK_STR(cfg.modules[1].args, c->args1);
		}
	}
}

TEST(cfg_nul_byte_is_an_error)
{
	static struct efi_cfg cfg;
	struct efi_cfg_error err;
	const char text[] = "cmdline a\nmodule /x\0y\n";

	CHECK_EQ(efi_cfg_parse(text, sizeof(text) - 1, &cfg, &err), -EINVAL);
	CHECK_EQ(err.line, 2);
}

/* Fill buf with `n` copies of c. */
static char *rep(char *buf, char c, size_t n)
{
	memset(buf, c, n);
	buf[n] = '\0';
	return buf;
}

TEST(cfg_limits)
{
	static struct efi_cfg cfg;
	static char text[80000], word[1024];
	struct efi_cfg_error err;

	/* 511 bytes of command line fit, 512 do not (over two lines too) */
	snprintf(text, sizeof(text), "cmdline %s\n", rep(word, 'a', 511));
	CHECK_EQ(efi_cfg_parse(text, strlen(text), &cfg, &err), 0);
	CHECK_EQ(strlen(cfg.cmdline), 511);
	snprintf(text, sizeof(text), "cmdline %s\n", rep(word, 'a', 512));
	CHECK_EQ(efi_cfg_parse(text, strlen(text), &cfg, &err), -E2BIG);
	snprintf(text, sizeof(text), "cmdline %s\ncmdline b\n", rep(word, 'a', 510));
	CHECK_EQ(efi_cfg_parse(text, strlen(text), &cfg, &err), -E2BIG);
	CHECK_EQ(err.line, 2);
	snprintf(text, sizeof(text), "cmdline %s\ncmdline b\n", rep(word, 'a', 509));
	CHECK_EQ(efi_cfg_parse(text, strlen(text), &cfg, &err), 0);
	CHECK_EQ(strlen(cfg.cmdline), 511);

	/* module args: 255 fit, 256 do not */
	snprintf(text, sizeof(text), "module /a %s\n", rep(word, 'b', 255));
	CHECK_EQ(efi_cfg_parse(text, strlen(text), &cfg, &err), 0);
	snprintf(text, sizeof(text), "module /a %s\n", rep(word, 'b', 256));
	CHECK_EQ(efi_cfg_parse(text, strlen(text), &cfg, &err), -E2BIG);

	/* module path: 255 fit, 256 do not */
	snprintf(text, sizeof(text), "module %s\n", rep(word, 'p', 255));
	CHECK_EQ(efi_cfg_parse(text, strlen(text), &cfg, &err), 0);
	CHECK_EQ(strlen(cfg.modules[0].path), 255);
	snprintf(text, sizeof(text), "module %s\n", rep(word, 'p', 256));
	CHECK_EQ(efi_cfg_parse(text, strlen(text), &cfg, &err), -E2BIG);

	/* 16 modules fit, the 17th is refused on its line */
	text[0] = '\0';
	for (int i = 0; i < 17; i++) {
		char line[48];

		snprintf(line, sizeof(line), "module /m%d n=%d\n", i, i);
		strcat(text, line);
		CHECK_EQ(efi_cfg_parse(text, strlen(text), &cfg, &err), i < 16 ? 0 : -E2BIG);
	}
	CHECK_EQ(err.line, 17);
	CHECK_STR(cfg.modules[15].path, "/m15");
	CHECK_STR(cfg.modules[15].args, "n=15");

	/* size limit */
	memset(text, '#', 65537);
	text[65536] = '\n';
	CHECK_EQ(efi_cfg_parse(text, 65536, &cfg, &err), 0);
	CHECK_EQ(efi_cfg_parse(text, 65537, &cfg, &err), -E2BIG);
}

/* Every prefix of a valid file parses or fails cleanly (ASan checks the reads). */
TEST(cfg_truncations)
{
	static struct efi_cfg cfg;
	const char *t = "# x\ncmdline a=\"1 2\" b\nmodule \"/g/a b\" n=1 # c\nmodule /z\n";
	size_t n = strlen(t);

	for (size_t len = 0; len <= n; len++) {
		char *copy = malloc(len ? len : 1);
		struct efi_cfg_error err;

		memcpy(copy, t, len);
		int rc = efi_cfg_parse(copy, len, &cfg, &err);
		CHECK(rc == 0 || rc == -EINVAL || rc == -E2BIG);
		free(copy);
	}
}

TEST(cfg_append)
{
	char buf[8] = "";

	CHECK_EQ(efi_cfg_append(buf, sizeof(buf), ""), 0);
	CHECK_STR(buf, "");
	CHECK_EQ(efi_cfg_append(buf, sizeof(buf), "ab"), 0);
	CHECK_STR(buf, "ab");
	CHECK_EQ(efi_cfg_append(buf, sizeof(buf), ""), 0);
	CHECK_STR(buf, "ab");
	CHECK_EQ(efi_cfg_append(buf, sizeof(buf), "cd"), 0);
	CHECK_STR(buf, "ab cd");
	CHECK_EQ(efi_cfg_append(buf, sizeof(buf), "ef"), -E2BIG); /* "ab cd ef" needs 9 */
	CHECK_STR(buf, "ab cd");
	CHECK_EQ(efi_cfg_append(buf, sizeof(buf), "e"), 0);       /* exactly 7 + NUL */
	CHECK_STR(buf, "ab cd e");
}

/* ---- load options --------------------------------------------------------- */

static size_t to_ucs2(const char *s, uint16_t *out, bool nul)
{
	size_t n = strlen(s);

	for (size_t i = 0; i < n; i++)
		out[i] = (uint8_t)s[i];
	if (nul)
		out[n++] = 0;
	return n * 2;
}

struct lo_case {
	const char *opts;
	const char *self;
	int rc;
	const char *out;
};

static const struct lo_case lo_cases[] = {
	{ "BOOTX64.EFI a=1 b", "BOOTX64.EFI", 5, "a=1 b" },
	{ "bootx64.efi a=1", "BOOTX64.EFI", 3, "a=1" },
	{ "bootx64 a=1", "BOOTX64.EFI", 3, "a=1" },
	{ "fs0:\\EFI\\BOOT\\BOOTX64.EFI  loglevel=debug ", "BOOTX64.EFI", 14, "loglevel=debug" },
	{ "\\terrapin.efi x", "", 1, "x" },
	{ "other.EFI x", "BOOTX64.EFI", 1, "x" },
	{ "\\EFI\\tools\\loader a", "BOOTX64.EFI", 1, "a" },
	{ "/EFI/loader a", "BOOTX64.EFI", 1, "a" },
	{ "fs0:loader a", "BOOTX64.EFI", 1, "a" },
	{ "loglevel=debug quiet", "BOOTX64.EFI", 20, "loglevel=debug quiet" },
	{ "BOOTX64.EFI", "BOOTX64.EFI", 0, "" },
	{ "  ", "BOOTX64.EFI", 0, "" },
	{ "", "BOOTX64.EFI", 0, "" },
	{ "a\tb", "x.efi", 3, "a b" },
	{ "x", "", 1, "x" },
	{ "bootx64", "", 7, "bootx64" }, /* self unknown: a plain word stays */
};

TEST(load_options_table)
{
	for (size_t i = 0; i < sizeof(lo_cases) / sizeof(lo_cases[0]); i++) {
		const struct lo_case *c = &lo_cases[i];
		uint16_t w[128];
		char out[64];
		size_t bytes = to_ucs2(c->opts, w, true);
		int rc = efi_cfg_load_options(w, bytes, c->self, out, sizeof(out));

		if (rc != c->rc)
			printf("  case \"%s\": rc %d out \"%s\"\n", c->opts, rc, rc >= 0 ? out : "");
		CHECK_EQ(rc, c->rc);
		if (rc >= 0)
			CHECK_STR(out, c->out);
		/* the same without a terminating NUL */
		bytes = to_ucs2(c->opts, w, false);
		CHECK_EQ(efi_cfg_load_options(w, bytes, c->self, out, sizeof(out)), c->rc);
	}
}

TEST(load_options_hostile)
{
	/* EDK II boot manager entries carry a GUID as binary optional data */
	static const uint8_t guid[16] = { 0x4e, 0xac, 0x08, 0x81, 0x11, 0x9f, 0x59, 0x4d,
					  0x85, 0x0e, 0xe2, 0x1a, 0x52, 0x2c, 0x59, 0xb2 };
	uint16_t w[64];
	char out[16];

	memcpy(w, guid, sizeof(guid));
	CHECK_EQ(efi_cfg_load_options(w, sizeof(guid), "BOOTX64.EFI", out, sizeof(out)), -EINVAL);
	to_ucs2("ab", w, true);
	CHECK_EQ(efi_cfg_load_options(w, 5, "", out, sizeof(out)), -EINVAL); /* odd size */
	CHECK_EQ(efi_cfg_load_options(NULL, 8, "", out, sizeof(out)), 0);
	CHECK_STR(out, "");
	CHECK_EQ(efi_cfg_load_options(w, 0, "", out, sizeof(out)), 0);
	CHECK_EQ(efi_cfg_load_options(w, 1, "", out, sizeof(out)), 0); /* less than a char */
	/* text stops at the NUL: what follows is ignored, even if binary */
	to_ucs2("x y", w, true);
	w[4] = 0xffff;
	CHECK_EQ(efi_cfg_load_options(w, 10, "", out, sizeof(out)), 3);
	CHECK_STR(out, "x y");
	/* a non-ASCII character in the text */
	to_ucs2("x y", w, true);
	w[2] = 0x00e9;
	CHECK_EQ(efi_cfg_load_options(w, 8, "", out, sizeof(out)), -EINVAL);
	/* does not fit: 16 chars need 17 bytes */
	CHECK_EQ(efi_cfg_load_options(w, to_ucs2("p 0123456789abcdef", w, true), "p", out, sizeof(out)),
		 -E2BIG);
	CHECK_EQ(efi_cfg_load_options(w, to_ucs2("p 0123456789abcde", w, true), "p", out, sizeof(out)),
		 15);
	/* a first word longer than any name is a path: skipped */
	{
		uint16_t big[400];
		size_t n = 0;

		for (; n < 300; n++)
			big[n] = 'a';
		big[n++] = ' ';
		big[n++] = 'z';
		CHECK_EQ(efi_cfg_load_options(big, n * 2, "", out, sizeof(out)), 1);
		CHECK_STR(out, "z");
	}
}

/* ---- paths ------------------------------------------------------------------ */

static void ascii(const uint16_t *w, char *out)
{
	size_t i = 0;

	for (; w[i]; i++)
		out[i] = (char)w[i];
	out[i] = '\0';
}

TEST(path_to_ucs2)
{
	static const struct {
		const char *in;
		int rc;
		const char *out;
	} cases[] = {
		{ "/guests/a.elf", 13, "\\guests\\a.elf" },
		{ "guests\\a.elf", 13, "\\guests\\a.elf" },
		{ "//a//\\b", 4, "\\a\\b" },
		{ "a", 2, "\\a" },
		{ "", -EINVAL, "" },
		{ "/", -EINVAL, "" },
		{ "\\\\", -EINVAL, "" },
		{ "/caf\xc3\xa9", -EINVAL, "" },
		{ "/a\tb", -EINVAL, "" },
	};
	uint16_t w[64];
	char s[64];

	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		int rc = efi_cfg_path_to_ucs2(cases[i].in, w, 64);

		CHECK_EQ(rc, cases[i].rc);
		if (rc > 0) {
			ascii(w, s);
			CHECK_STR(s, cases[i].out);
		}
	}
	/* capacity: "\ab" needs 4 slots with the NUL */
	CHECK_EQ(efi_cfg_path_to_ucs2("ab", w, 4), 3);
	CHECK_EQ(efi_cfg_path_to_ucs2("abc", w, 4), -E2BIG);
	CHECK_EQ(efi_cfg_path_to_ucs2("a", w, 0), -E2BIG);
}

/* Device path builder: nodes appended to dp[] */
static size_t dp_node(uint8_t *dp, size_t off, uint8_t type, uint8_t sub, const char *path,
		      size_t raw_len)
{
	size_t len = raw_len;

	if (path) {
		size_t n = strlen(path);

		len = 4 + 2 * (n + 1);
		for (size_t i = 0; i <= n; i++) {
			dp[off + 4 + 2 * i] = (uint8_t)path[i];
			dp[off + 5 + 2 * i] = 0;
		}
	}
	dp[off] = type;
	dp[off + 1] = sub;
	dp[off + 2] = (uint8_t)len;
	dp[off + 3] = (uint8_t)(len >> 8);
	return off + len;
}

static size_t dp_end(uint8_t *dp, size_t off)
{
	return dp_node(dp, off, 0x7f, 0xff, NULL, 4);
}

TEST(devpath_file)
{
	uint8_t dp[512];
	uint16_t w[64];
	char s[64];
	size_t n;

	n = dp_end(dp, dp_node(dp, 0, 4, 4, "\\EFI\\BOOT\\BOOTX64.EFI", 0));
	CHECK_EQ(efi_cfg_devpath_file(dp, n, w, 64), 21);
	ascii(w, s);
	CHECK_STR(s, "\\EFI\\BOOT\\BOOTX64.EFI");

	/* split over nodes, with and without separators at the joins, after a
	 * hardware node; the end node stops the walk even if more bytes follow */
	n = dp_node(dp, 0, 1, 1, NULL, 6);
	n = dp_node(dp, n, 4, 4, "EFI\\BOOT", 0);
	n = dp_node(dp, n, 4, 4, "BOOTX64.EFI", 0);
	n = dp_end(dp, n);
	n = dp_node(dp, n, 4, 4, "junk", 0);
	CHECK_EQ(efi_cfg_devpath_file(dp, n, w, 64), 21);
	ascii(w, s);
	CHECK_STR(s, "\\EFI\\BOOT\\BOOTX64.EFI");
	n = dp_node(dp, 0, 4, 4, "\\EFI\\BOOT\\", 0);
	n = dp_end(dp, dp_node(dp, n, 4, 4, "\\BOOTX64.EFI", 0));
	CHECK_EQ(efi_cfg_devpath_file(dp, n, w, 64), 21);
	ascii(w, s);
	CHECK_STR(s, "\\EFI\\BOOT\\BOOTX64.EFI");

	/* no file node */
	n = dp_end(dp, dp_node(dp, 0, 1, 1, NULL, 8));
	CHECK_EQ(efi_cfg_devpath_file(dp, n, w, 64), -ENOENT);
	/* malformed lengths */
	n = dp_node(dp, 0, 4, 4, NULL, 3);
	CHECK_EQ(efi_cfg_devpath_file(dp, 16, w, 64), -EINVAL);
	n = dp_node(dp, 0, 4, 4, "\\abc", 0);
	CHECK_EQ(efi_cfg_devpath_file(dp, n - 1, w, 64), -EINVAL);
	/* a path without its NUL ends with its node; odd lengths drop the half char */
	n = dp_node(dp, 0, 4, 4, "\\abc", 0);
	dp[2] = 4 + 6 + 1;
	CHECK_EQ(efi_cfg_devpath_file(dp, 64, w, 64), -EINVAL); /* next node is garbage */
	memset(dp, 0, sizeof(dp));
	n = dp_node(dp, 0, 4, 4, "\\abc", 0);
	dp[2] = 4 + 6 + 1;
	n = dp_end(dp, 11);
	CHECK_EQ(efi_cfg_devpath_file(dp, n, w, 64), 3);
	ascii(w, s);
	CHECK_STR(s, "\\ab");
	/* no end node: the length bounds the walk */
	n = dp_node(dp, 0, 4, 4, "\\x", 0);
	CHECK_EQ(efi_cfg_devpath_file(dp, n, w, 64), 2);
	CHECK_EQ(efi_cfg_devpath_file(dp, 3, w, 64), -ENOENT);
	/* too long for out */
	n = dp_end(dp, dp_node(dp, 0, 4, 4, "\\EFI\\BOOT\\BOOTX64.EFI", 0));
	CHECK_EQ(efi_cfg_devpath_file(dp, n, w, 21), -E2BIG);
	CHECK_EQ(efi_cfg_devpath_file(dp, n, w, 22), 21);
}

TEST(sibling_and_basename)
{
	static const struct {
		const char *file, *out, *base;
	} cases[] = {
		{ "\\EFI\\BOOT\\BOOTX64.EFI", "\\EFI\\BOOT\\terrapin.cfg", "BOOTX64.EFI" },
		{ "\\terrapin.efi", "\\terrapin.cfg", "terrapin.efi" },
		{ "terrapin.efi", "\\terrapin.cfg", "terrapin.efi" },
		{ "\\a/b/c.efi", "\\a\\b\\terrapin.cfg", "c.efi" },
		{ "\\dir\\", "\\dir\\terrapin.cfg", "" },
	};
	uint16_t f[64], w[64];
	char s[64];

	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		size_t n = to_ucs2(cases[i].file, f, true) / 2 - 1;

		(void)n;
		CHECK_EQ(efi_cfg_sibling(f, "terrapin.cfg", w, 64), (int)strlen(cases[i].out));
		ascii(w, s);
		CHECK_STR(s, cases[i].out);
		efi_cfg_basename(f, s, sizeof(s));
		CHECK_STR(s, cases[i].base);
	}
	to_ucs2("\\EFI\\BOOT\\BOOTX64.EFI", f, true);
	CHECK_EQ(efi_cfg_sibling(f, "terrapin.cfg", w, 22), -E2BIG);
	CHECK_EQ(efi_cfg_sibling(f, "terrapin.cfg", w, 23), 22);
	to_ucs2("x", f, true);
	CHECK_EQ(efi_cfg_sibling(f, "terrapin.cfg", w, 13), -E2BIG);
	CHECK_EQ(efi_cfg_sibling(f, "terrapin.cfg", w, 14), 13);
	/* basename truncates and replaces non-ASCII */
	to_ucs2("\\d\\abcdef", f, true);
	f[4] = 0x263a;
	efi_cfg_basename(f, s, 4);
	CHECK_STR(s, "a?c");
}

/* ---- memory map --------------------------------------------------------------- */

TEST(mem_type_table)
{
	static const uint32_t want[] = {
		MEM_RESERVED, MEM_USABLE, MEM_USABLE, MEM_USABLE, MEM_USABLE, MEM_FIRMWARE,
		MEM_FIRMWARE, MEM_USABLE, MEM_BAD, MEM_ACPI_RECLAIM, MEM_ACPI_NVS, MEM_RESERVED,
		MEM_RESERVED, MEM_RESERVED, MEM_RESERVED, MEM_RESERVED, MEM_RESERVED,
	};

	for (uint32_t t = 0; t < sizeof(want) / sizeof(want[0]); t++)
		CHECK_EQ(efi_info_mem_type(t), want[t]);
	CHECK_EQ(efi_info_mem_type(0x70000000), MEM_RESERVED); /* OEM */
	CHECK_EQ(efi_info_mem_type(0x80000000), MEM_RESERVED); /* OS vendor */
	CHECK_EQ(efi_info_mem_type(UINT32_MAX), MEM_RESERVED);
}

#define DS 48 /* EDK II's descriptor size: 8 bytes more than the structure */

static uint8_t mapbuf[DS * 400];

static size_t md(size_t i, uint32_t type, uint64_t base, uint64_t pages)
{
	uint8_t *d = mapbuf + i * DS;

	memset(d, 0xa5, DS); /* padding and VirtualStart/Attribute must not matter */
	w32(d, type);
	w64(d + 8, base);
	w64(d + 24, pages);
	return (i + 1) * DS;
}

TEST(mmap_convert_sort_merge)
{
	struct mem_range out[16];
	struct efi_mmap_stats st;
	size_t n = 0;

	/* unsorted; conventional + boot services + loader merge into one usable run */
	n = md(0, EFI_MT_CONVENTIONAL, 0x100000, 0x100);       /* 1M..2M */
	n = md(1, EFI_MT_LOADER_CODE, 0x200000, 0x10);         /* 2M..   */
	n = md(2, EFI_MT_RUNTIME_SERVICES_DATA, 0x400000, 4);
	n = md(3, EFI_MT_BOOT_SERVICES_DATA, 0x210000, 0x1f0); /* ..4M: joins the run */
	n = md(4, EFI_MT_CONVENTIONAL, 0, 0xa0);
	n = md(5, EFI_MT_ACPI_NVS, 0x800000, 1);
	n = md(6, EFI_MT_MMIO, 0xfeb00000, 0x10);
	n = md(7, EFI_MT_ACPI_RECLAIM, 0x801000, 2);
	n = md(8, EFI_MT_UNUSABLE, 0x900000, 1);
	CHECK_EQ(efi_info_convert_mmap(mapbuf, n, DS, out, 16, &st), 7);
	CHECK_EQ(st.descs, 9);
	CHECK_EQ(st.dropped, 0);
	CHECK_EQ(st.bad, 0);
	static const struct mem_range want[] = {
		{ 0, 0xa0000, MEM_USABLE },
		{ 0x100000, 0x300000, MEM_USABLE },
		{ 0x400000, 0x4000, MEM_FIRMWARE },
		{ 0x800000, 0x1000, MEM_ACPI_NVS },
		{ 0x801000, 0x2000, MEM_ACPI_RECLAIM },
		{ 0x900000, 0x1000, MEM_BAD },
		{ 0xfeb00000, 0x10000, MEM_RESERVED },
	};
	for (size_t i = 0; i < 7; i++) {
		CHECK_EQ(out[i].base, want[i].base);
		CHECK_EQ(out[i].len, want[i].len);
		CHECK_EQ(out[i].type, want[i].type);
	}
}

TEST(mmap_convert_bridge_and_gaps)
{
	struct mem_range out[8];
	struct efi_mmap_stats st;
	size_t n;

	/* the third range bridges the first two: all three become one */
	n = md(0, EFI_MT_CONVENTIONAL, 0x0, 1);
	n = md(1, EFI_MT_CONVENTIONAL, 0x2000, 1);
	n = md(2, EFI_MT_BOOT_SERVICES_CODE, 0x1000, 1);
	CHECK_EQ(efi_info_convert_mmap(mapbuf, n, DS, out, 8, &st), 1);
	CHECK_EQ(out[0].base, 0);
	CHECK_EQ(out[0].len, 0x3000);
	/* a gap or a different type keeps ranges apart */
	n = md(0, EFI_MT_CONVENTIONAL, 0x0, 1);
	n = md(1, EFI_MT_CONVENTIONAL, 0x3000, 1);
	n = md(2, EFI_MT_ACPI_NVS, 0x1000, 1);
	CHECK_EQ(efi_info_convert_mmap(mapbuf, n, DS, out, 8, &st), 3);
	CHECK_EQ(out[1].type, MEM_ACPI_NVS);
	/* inserted in front of a same-type neighbour */
	n = md(0, EFI_MT_CONVENTIONAL, 0x5000, 1);
	n = md(1, EFI_MT_CONVENTIONAL, 0x4000, 1);
	CHECK_EQ(efi_info_convert_mmap(mapbuf, n, DS, out, 8, &st), 1);
	CHECK_EQ(out[0].base, 0x4000);
	CHECK_EQ(out[0].len, 0x2000);
}

TEST(mmap_convert_hostile)
{
	struct mem_range out[8];
	struct efi_mmap_stats st;
	size_t n;

	CHECK_EQ(efi_info_convert_mmap(mapbuf, 0, DS, out, 8, &st), 0);
	CHECK_EQ(efi_info_convert_mmap(mapbuf, 400, 39, out, 8, &st), -EINVAL);
	CHECK_EQ(efi_info_convert_mmap(mapbuf, 400, 0, out, 8, &st), -EINVAL);
	n = md(0, EFI_MT_CONVENTIONAL, 0x1000, 0);                     /* empty */
	n = md(1, EFI_MT_CONVENTIONAL, UINT64_MAX - 0xfff, 1);          /* ends at 2^64 */
	n = md(2, EFI_MT_CONVENTIONAL, 0x10000, UINT64_MAX >> 12);      /* wraps */
	n = md(3, EFI_MT_CONVENTIONAL, 0x10010, 1);                     /* unaligned */
	n = md(4, EFI_MT_CONVENTIONAL, 0xfffffffffffff000ull - 0x1000, 1); /* fine, high */
	CHECK_EQ(efi_info_convert_mmap(mapbuf, n, DS, out, 8, &st), 1);
	CHECK_EQ(st.bad, 4);
	CHECK_EQ(out[0].base, 0xffffffffffffe000ull);
	/* a trailing partial descriptor is ignored */
	n = md(0, EFI_MT_CONVENTIONAL, 0x1000, 1);
	CHECK_EQ(efi_info_convert_mmap(mapbuf, n + DS - 1, DS, out, 8, &st), 1);
	CHECK_EQ(st.descs, 1);
	/* the 40-byte minimum descriptor works */
	memset(mapbuf, 0, 80);
	w32(mapbuf, EFI_MT_CONVENTIONAL);
	w64(mapbuf + 8, 0x1000);
	w64(mapbuf + 24, 2);
	w32(mapbuf + 40, EFI_MT_ACPI_NVS);
	w64(mapbuf + 48, 0x3000);
	w64(mapbuf + 64, 1);
	CHECK_EQ(efi_info_convert_mmap(mapbuf, 80, 40, out, 8, &st), 2);
	CHECK_EQ(out[1].type, MEM_ACPI_NVS);
}

TEST(mmap_convert_capacity)
{
	static struct mem_range out[BOOT_MAX_MMAP];
	struct efi_mmap_stats st;
	size_t n = 0;

	/* 300 adjacent usable ranges of mixed EFI types merge into one */
	for (size_t i = 0; i < 300; i++)
		n = md(i, i % 2 ? EFI_MT_CONVENTIONAL : EFI_MT_BOOT_SERVICES_DATA, 0x1000 * i, 1);
	CHECK_EQ(efi_info_convert_mmap(mapbuf, n, DS, out, BOOT_MAX_MMAP, &st), 1);
	CHECK_EQ(out[0].len, 300 * 0x1000);
	/* 300 alternating types cannot merge: 256 kept, 44 dropped, still sorted */
	for (size_t i = 0; i < 300; i++)
		n = md(i, i % 2 ? EFI_MT_CONVENTIONAL : EFI_MT_ACPI_NVS, 0x1000 * (299 - i), 1);
	CHECK_EQ(efi_info_convert_mmap(mapbuf, n, DS, out, BOOT_MAX_MMAP, &st), BOOT_MAX_MMAP);
	CHECK_EQ(st.dropped, 44);
	for (size_t i = 1; i < BOOT_MAX_MMAP; i++)
		CHECK(out[i - 1].base + out[i - 1].len <= out[i].base);
	/* merging still happens when the table is full */
	for (size_t i = 0; i < 4; i++)
		n = md(i, EFI_MT_ACPI_NVS, 0x10000 * i, 1);
	n = md(4, EFI_MT_ACPI_NVS, 0x1000, 1);
	CHECK_EQ(efi_info_convert_mmap(mapbuf, n, DS, out, 4, &st), 4);
	CHECK_EQ(st.dropped, 0);
	CHECK_EQ(out[0].len, 0x2000);
}

/* ---- RSDP and loader name -------------------------------------------------------- */

static void rsdp_make(uint8_t *p, uint8_t rev, uint32_t len)
{
	uint8_t s = 0;

	memset(p, 0, 36);
	memcpy(p, "RSD PTR ", 8);
	memcpy(p + 9, "BOCHS ", 6);
	p[15] = rev;
	w32(p + 16, 0x7fe1234);
	w32(p + 20, len);
	w64(p + 24, 0x7fe5678);
	for (int i = 0; i < 20; i++)
		s = (uint8_t)(s + p[i]);
	p[8] = (uint8_t)-s;
	s = 0;
	for (int i = 0; i < 36; i++)
		s = (uint8_t)(s + p[i]);
	p[32] = (uint8_t)-s;
}

TEST(rsdp)
{
	uint8_t p[36];

	rsdp_make(p, 0, 0);
	CHECK_EQ(efi_info_rsdp_len(p), 20);
	rsdp_make(p, 2, 36);
	CHECK_EQ(efi_info_rsdp_len(p), 36);
	rsdp_make(p, 2, 36);
	p[0] = 'r';
	CHECK_EQ(efi_info_rsdp_len(p), -EINVAL);
	rsdp_make(p, 2, 36);
	p[10] ^= 1; /* breaks both checksums */
	CHECK_EQ(efi_info_rsdp_len(p), -EINVAL);
	rsdp_make(p, 2, 36);
	p[33] ^= 1; /* only the extended checksum */
	CHECK_EQ(efi_info_rsdp_len(p), -EINVAL);
	rsdp_make(p, 2, 20);
	CHECK_EQ(efi_info_rsdp_len(p), -EINVAL);
	{
		/* a revision-0 RSDP at the end of a 20-byte buffer is read only there */
		uint8_t *q = malloc(20);

		rsdp_make(p, 0, 0);
		memcpy(q, p, 20);
		CHECK_EQ(efi_info_rsdp_len(q), 20);
		free(q);
	}
}

TEST(loader_name)
{
	uint16_t v[64];
	char out[64];

	to_ucs2("EDK II", v, true);
	efi_info_loader_name(out, sizeof(out), v, (2 << 16) | 70);
	CHECK_STR(out, "Terrapin EFI loader (EDK II, UEFI 2.7)");
	efi_info_loader_name(out, sizeof(out), v, (2 << 16) | 31);
	CHECK_STR(out, "Terrapin EFI loader (EDK II, UEFI 2.3.1)");
	efi_info_loader_name(out, sizeof(out), v, (2 << 16) | 100);
	CHECK_STR(out, "Terrapin EFI loader (EDK II, UEFI 2.10)");
	efi_info_loader_name(out, sizeof(out), NULL, (1 << 16) | 10);
	CHECK_STR(out, "Terrapin EFI loader (UEFI 1.1)");
	to_ucs2("An Extremely Long Firmware Vendor Name Inc.", v, true);
	v[3] = 0x2603;
	efi_info_loader_name(out, sizeof(out), v, 0xffffffffu);
	/* vendor cut to 24 characters, the whole cut to the 63 bytes that fit */
	CHECK_STR(out, "Terrapin EFI loader (An ?xtremely Long Firmwa, UEFI 65535.6553.");
	CHECK_EQ(strlen(out), 63);
	efi_info_loader_name(out, 20, v, 0);
	CHECK_STR(out, "Terrapin EFI loader");
	efi_info_loader_name(out, 1, v, 0);
	CHECK_STR(out, "");
}

int main(void)
{
	RUN(elf_good_plan);
	RUN(elf_ranges_merge_when_touching);
	RUN(elf_zero_memsz_segments_are_ignored);
	RUN(elf_rejects_malformed);
	RUN(elf_extended_section_count);
	RUN(elf_notype_symbol_and_unaligned_buffer);
	RUN(elf_overlaps);
	RUN(elf_fuzz);
	RUN(cfg_table);
	RUN(cfg_nul_byte_is_an_error);
	RUN(cfg_limits);
	RUN(cfg_truncations);
	RUN(cfg_append);
	RUN(load_options_table);
	RUN(load_options_hostile);
	RUN(path_to_ucs2);
	RUN(devpath_file);
	RUN(sibling_and_basename);
	RUN(mem_type_table);
	RUN(mmap_convert_sort_merge);
	RUN(mmap_convert_bridge_and_gaps);
	RUN(mmap_convert_hostile);
	RUN(mmap_convert_capacity);
	RUN(rsdp);
	RUN(loader_name);
	return CHECK_DONE();
}
