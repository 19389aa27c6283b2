/* Host tests for kernel/loader.c: Multiboot1 (ELF32, ELF64, a.out address
 * fields) and flat images into a fake guest RAM, the information structure and
 * vCPU state they produce, hostile images, and a fuzz loop over mutated images.
 * Images are built byte by byte at the formats' documented offsets (not through
 * the loader's own definitions), so a wrong offset in the loader fails here. */
#include <stdint.h>

#include "tests/unit/check.h"

#include "kernel/cmdline.c"
#include "kernel/guest_args.c"
#include "kernel/loader.c"
#include "kernel/linux_boot.c"
#include "kernel/printf.c"

#define RAM	(16u << 20)
#define IMG_MAX 0x6000

/* ---- fake guest RAM ---- */

struct fake {
	uint8_t *mem;
	uint64_t size;
	/* Writes anywhere but usable RAM of the map in use are loader bugs. */
	const struct mem_range *map;
	size_t nmap;
	unsigned writes, bad_writes;
	uint64_t fail_lo, fail_hi; /* writes starting here fail (a broken gmap) */
};

static const struct mem_range default_map[] = {
	{0, 0x9fc00, MEM_USABLE},
	{0x100000, RAM - 0x100000, MEM_USABLE},
};

static bool fake_usable(const struct fake *f, uint64_t gpa, size_t len)
{
	for (size_t i = 0; i < f->nmap; i++) {
		const struct mem_range *m = &f->map[i];

		if (m->type == MEM_USABLE && gpa >= m->base && gpa + len <= m->base + m->len)
			return true;
	}
	return false;
}

static int fake_write(void *ctx, uint64_t gpa, const void *src, size_t len)
{
	struct fake *f = ctx;

	f->writes++;
	if (gpa >= f->fail_lo && gpa < f->fail_hi)
		return -EFAULT;
	if (gpa >= f->size || len > f->size - gpa || !fake_usable(f, gpa, len)) {
		f->bad_writes++;
		return -EFAULT;
	}
	memcpy(f->mem + gpa, src, len);
	return 0;
}

static struct fake ram;

static void ram_reset(void)
{
	if (!ram.mem)
		ram.mem = malloc(RAM);
	memset(ram.mem, 0xaa, RAM);
	ram.size = RAM;
	ram.map = default_map;
	ram.nmap = 2;
	ram.writes = ram.bad_writes = 0;
	ram.fail_lo = ram.fail_hi = 0;
}

static struct loader_target target(void)
{
	return (struct loader_target){.ctx = &ram, .ram_write = fake_write, .ram_size = RAM};
}

static uint32_t ram32(uint64_t a)
{
	uint32_t v;

	memcpy(&v, ram.mem + a, 4);
	return v;
}

static uint64_t ram64(uint64_t a)
{
	uint64_t v;

	memcpy(&v, ram.mem + a, 8);
	return v;
}

/* ---- image builders ---- */

struct img {
	uint8_t b[IMG_MAX];
	size_t size;
};

static void p16(uint8_t *p, uint16_t v)
{
	p[0] = (uint8_t)v;
	p[1] = (uint8_t)(v >> 8);
}

static void p32(uint8_t *p, uint32_t v)
{
	for (int i = 0; i < 4; i++)
		p[i] = (uint8_t)(v >> (8 * i));
}

static void p64(uint8_t *p, uint64_t v)
{
	p32(p, (uint32_t)v);
	p32(p + 4, (uint32_t)(v >> 32));
}

static void mb_header(uint8_t *p, uint32_t flags)
{
	p32(p, 0x1BADB002);
	p32(p + 4, flags);
	p32(p + 8, (uint32_t) - (0x1BADB002u + flags));
}

static void fill_pattern(struct img *im, size_t from, size_t to, uint8_t salt)
{
	for (size_t i = from; i < to; i++)
		im->b[i] = (uint8_t)(i * 7 + salt);
}

static void elf_ident(uint8_t *b, uint8_t class)
{
	b[0] = 0x7f;
	b[1] = 'E';
	b[2] = 'L';
	b[3] = 'F';
	b[4] = class;
	b[5] = 1; /* little-endian */
	b[6] = 1; /* version */
}

/* ELF32 header at 0, two program headers at 52; segment 0 (file 0x1000-0x1800,
 * RAM 0x100000 + 0x2000 with bss) starts with the Multiboot header; segment 1
 * (file 0x1800-0x1900) goes to 0x200000. Entry 0x10000c. */
#define E32_PH0 52
#define E32_PH1 84
static void build_elf32(struct img *im)
{
	uint8_t *b = im->b;

	memset(im, 0, sizeof(*im));
	im->size = 0x1900;
	fill_pattern(im, 0x1000, 0x1900, 1);
	elf_ident(b, 1);
	p16(b + 16, 2); /* ET_EXEC */
	p16(b + 18, 3); /* EM_386 */
	p32(b + 20, 1);
	p32(b + 24, 0x10000c); /* e_entry */
	p32(b + 28, 52);       /* e_phoff */
	p16(b + 40, 52);
	p16(b + 42, 32); /* e_phentsize */
	p16(b + 44, 2);	 /* e_phnum */
	p32(b + E32_PH0, 1);
	p32(b + E32_PH0 + 4, 0x1000);
	p32(b + E32_PH0 + 8, 0x100000);
	p32(b + E32_PH0 + 12, 0x100000);
	p32(b + E32_PH0 + 16, 0x800);
	p32(b + E32_PH0 + 20, 0x2000);
	p32(b + E32_PH1, 1);
	p32(b + E32_PH1 + 4, 0x1800);
	p32(b + E32_PH1 + 8, 0x200000);
	p32(b + E32_PH1 + 12, 0x200000);
	p32(b + E32_PH1 + 16, 0x100);
	p32(b + E32_PH1 + 20, 0x100);
	mb_header(b + 0x1000, 3);
}

/* ELF64, linked high (vaddr 0xffffffff80100000) and loaded low (paddr
 * 0x100000): the entry is a virtual address and must be translated. */
#define E64_PH 64
static void build_elf64(struct img *im)
{
	uint8_t *b = im->b;

	memset(im, 0, sizeof(*im));
	im->size = 0x1400;
	fill_pattern(im, 0x1000, 0x1400, 2);
	elf_ident(b, 2);
	p16(b + 16, 2);
	p16(b + 18, 62); /* EM_X86_64 */
	p32(b + 20, 1);
	p64(b + 24, 0xffffffff80100010ull);
	p64(b + 32, 64); /* e_phoff */
	p16(b + 52, 64);
	p16(b + 54, 56); /* e_phentsize */
	p16(b + 56, 1);
	p32(b + E64_PH, 1);
	p32(b + E64_PH + 4, 7);
	p64(b + E64_PH + 8, 0x1000);
	p64(b + E64_PH + 16, 0xffffffff80100000ull);
	p64(b + E64_PH + 24, 0x100000);
	p64(b + E64_PH + 32, 0x400);
	p64(b + E64_PH + 40, 0x1000);
	mb_header(b + 0x1000, 3);
}

/* a.out kludge: the header at file offset 0x40 says it lives at 0x100040, the
 * file's first byte at 0x100000; 0x800 bytes loaded, bss to 0x102000. */
#define AOUT_HDR 0x40
static void build_aout(struct img *im)
{
	uint8_t *b = im->b;

	memset(im, 0, sizeof(*im));
	im->size = 0x900;
	fill_pattern(im, 0, 0x900, 3);
	mb_header(b + AOUT_HDR, 0x10003);
	p32(b + AOUT_HDR + 12, 0x100040); /* header_addr */
	p32(b + AOUT_HDR + 16, 0x100000); /* load_addr */
	p32(b + AOUT_HDR + 20, 0x100800); /* load_end_addr */
	p32(b + AOUT_HDR + 24, 0x102000); /* bss_end_addr */
	p32(b + AOUT_HDR + 28, 0x100060); /* entry_addr */
}

/* build_aout() moved to just below 4 GiB: the image would wrap past it. */
static void build_aout_high(struct img *im)
{
	build_aout(im);
	p32(im->b + AOUT_HDR + 12, 0xffffff40);
	p32(im->b + AOUT_HDR + 16, 0xffffff00);
	p32(im->b + AOUT_HDR + 20, 0);
	p32(im->b + AOUT_HDR + 24, 0);
	p32(im->b + AOUT_HDR + 28, 0xffffff60);
}

/* A file too short for an ELF header, with the Multiboot header inside it. */
static void build_tiny(struct img *im, uint8_t class, size_t size)
{
	memset(im, 0, sizeof(*im));
	elf_ident(im->b, class);
	mb_header(im->b + 16, 3);
	im->size = size;
}

static void build_tiny32(struct img *im)
{
	build_tiny(im, 1, 51);
}

static void build_tiny64(struct img *im)
{
	build_tiny(im, 2, 63);
}

static struct guest_args args_with(const char *line)
{
	struct guest_args a;
	char err[128];

	if (guest_args_parse(line, &a, err, sizeof(err)) != 0) {
		printf("  bad test arguments '%s': %s\n", line, err);
		abort();
	}
	return a;
}

static int load(const struct img *im, const char *argline, struct loader_result *r, char *err,
		size_t errlen)
{
	struct guest_args a = args_with(argline);
	struct loader_target t = target();

	return loader_load(im->b, im->size, &a, &t, r, err, errlen);
}

/* The state Multiboot 3.2 asks for, and what SVM/VMX entry needs on top. */
static void check_mb_state(const struct vcpu_state *s, uint64_t entry, uint32_t eax, uint32_t ebx)
{
	CHECK_EQ(s->rip, entry);
	CHECK_EQ(s->gpr[RAX], eax);
	CHECK_EQ(s->gpr[RBX], ebx);
	for (int g = 0; g < NGPRS; g++)
		if (g != RAX && g != RBX)
			CHECK_EQ(s->gpr[g], 0);
	CHECK_EQ(s->rflags, 0x2);
	CHECK_EQ(s->cr0, 0x11); /* PE | ET */
	CHECK_EQ(s->cr3, 0);
	CHECK_EQ(s->cr4, 0);
	CHECK_EQ(s->efer, 0);
	/* CS: type 0xb (execute/read, accessed), S, P, D/B (32-bit), G. */
	CHECK_EQ(s->seg[SEG_CS].attr, 0xc9b);
	CHECK_EQ(s->seg[SEG_CS].base, 0);
	CHECK_EQ(s->seg[SEG_CS].limit, 0xffffffff);
	for (int i = 0; i < NSEGS; i++) {
		if (i == SEG_CS || i == SEG_TR || i == SEG_LDTR)
			continue;
		CHECK_EQ(s->seg[i].attr, 0xc93); /* read/write data, accessed, 32-bit, 4K */
		CHECK_EQ(s->seg[i].base, 0);
		CHECK_EQ(s->seg[i].limit, 0xffffffff);
	}
	CHECK_EQ(s->seg[SEG_TR].attr, 0x8b); /* present busy 32-bit TSS */
	CHECK_EQ(s->seg[SEG_TR].limit, 0x67);
	CHECK_EQ(s->seg[SEG_TR].base, 0);
	CHECK_EQ(s->seg[SEG_LDTR].attr, 0);
	CHECK_EQ(s->gdtr.limit, 0);
	CHECK_EQ(s->idtr.limit, 0);
}

/* The information structure (Multiboot 0.6.96, 3.3) at `at`. */
static void check_mbi(uint64_t at, const char *cmdline, const struct mem_range *map, size_t n,
		      uint32_t lower, uint32_t upper)
{
	uint32_t flags = ram32(at), mmap, len;

	CHECK_EQ(flags, (1u << 0) | (1u << 2) | (1u << 6) | (1u << 9));
	CHECK_EQ(ram32(at + 4), lower);
	CHECK_EQ(ram32(at + 8), upper);
	CHECK_STR((const char *)ram.mem + ram32(at + 16), cmdline);
	CHECK_STR((const char *)ram.mem + ram32(at + 64), "Terrapin");
	len = ram32(at + 44);
	mmap = ram32(at + 48);
	CHECK_EQ(len, n * 24);
	for (size_t i = 0; i < n && i * 24 < len; i++) {
		uint64_t e = mmap + i * 24;
		uint32_t type = map[i].type >= 1 && map[i].type <= 5 ? map[i].type : 2;

		CHECK_EQ(ram32(e), 20);
		CHECK_EQ(ram64(e + 4), map[i].base);
		CHECK_EQ(ram64(e + 12), map[i].len);
		CHECK_EQ(ram32(e + 20), type);
	}
}

/* ---- good images ---- */

TEST(elf32)
{
	struct img im;
	struct loader_result r;
	char err[200];

	build_elf32(&im);
	ram_reset();
	CHECK_EQ(load(&im, "cmdline=\"console=ttyS0 n=5\"", &r, err, sizeof(err)), 0);
	CHECK_STR(err, "");
	CHECK_EQ(r.format, GUEST_FORMAT_MULTIBOOT);
	CHECK(!r.aout);
	CHECK_EQ(r.elf_class, 32);
	CHECK_EQ(r.entry, 0x10000c);
	CHECK_EQ(r.image_start, 0x100000);
	CHECK_EQ(r.image_end, 0x200100);
	/* The file bytes, then the bss zeroed, then RAM untouched. */
	CHECK(!memcmp(ram.mem + 0x100000, im.b + 0x1000, 0x800));
	for (uint64_t a = 0x100800; a < 0x102000; a++)
		if (ram.mem[a] != 0) {
			CHECK_EQ(a, 0);
			break;
		}
	CHECK_EQ(ram.mem[0x102000], 0xaa);
	CHECK(!memcmp(ram.mem + 0x200000, im.b + 0x1800, 0x100));
	CHECK_EQ(ram.mem[0x200100], 0xaa);
	/* QEMU's place for the information, with 639 KiB low and 15 MiB up. */
	CHECK_EQ(r.info_start, 0x9000);
	CHECK(r.info_end > r.info_start && r.info_end <= 0xa000);
	CHECK_EQ(r.mem_lower_kib, 639);
	CHECK_EQ(r.mem_upper_kib, 15 * 1024);
	check_mbi(0x9000, "console=ttyS0 n=5", default_map, 2, 639, 15 * 1024);
	check_mb_state(&r.vcpu, 0x10000c, 0x2BADB002, 0x9000);
	CHECK_EQ(ram.bad_writes, 0);
}

TEST(elf64_high_half)
{
	struct img im;
	struct loader_result r;
	char err[200];

	build_elf64(&im);
	ram_reset();
	CHECK_EQ(load(&im, "", &r, err, sizeof(err)), 0);
	CHECK_STR(err, "");
	CHECK_EQ(r.elf_class, 64);
	CHECK_EQ(r.entry, 0x100010);
	CHECK_EQ(r.image_start, 0x100000);
	CHECK_EQ(r.image_end, 0x101000);
	CHECK(!memcmp(ram.mem + 0x100000, im.b + 0x1000, 0x400));
	CHECK_EQ(ram.mem[0x100400], 0);
	CHECK_EQ(ram.mem[0x100fff], 0);
	check_mbi(r.info_start, "", default_map, 2, 639, 15 * 1024);
	check_mb_state(&r.vcpu, 0x100010, 0x2BADB002, (uint32_t)r.info_start);
	CHECK_EQ(ram.bad_writes, 0);
}

TEST(aout_kludge)
{
	struct img im;
	struct loader_result r;
	char err[200];

	build_aout(&im);
	ram_reset();
	CHECK_EQ(load(&im, "format=multiboot", &r, err, sizeof(err)), 0);
	CHECK_STR(err, "");
	CHECK(r.aout);
	CHECK_EQ(r.elf_class, 0);
	CHECK_EQ(r.entry, 0x100060);
	CHECK_EQ(r.image_start, 0x100000);
	CHECK_EQ(r.image_end, 0x102000);
	/* load_end_addr: only the first 0x800 file bytes, then bss. */
	CHECK(!memcmp(ram.mem + 0x100000, im.b, 0x800));
	CHECK_EQ(ram.mem[0x100800], 0);
	CHECK_EQ(ram.mem[0x101fff], 0);
	CHECK_EQ(ram.mem[0x102000], 0xaa);
	check_mb_state(&r.vcpu, 0x100060, 0x2BADB002, 0x9000);

	/* load_end_addr 0: the rest of the file; bss_end_addr 0: no bss. */
	p32(im.b + AOUT_HDR + 20, 0);
	p32(im.b + AOUT_HDR + 24, 0);
	ram_reset();
	CHECK_EQ(load(&im, "", &r, err, sizeof(err)), 0);
	CHECK_EQ(r.image_end, 0x100900);
	CHECK(!memcmp(ram.mem + 0x100000, im.b, 0x900));
	CHECK_EQ(ram.mem[0x100900], 0xaa);

	/* The header further into the file than its distance from load_addr:
	 * the text starts in the middle of the file. */
	build_aout(&im);
	p32(im.b + AOUT_HDR + 12, 0x100010); /* header 0x10 after load_addr: text at 0x30 */
	p32(im.b + AOUT_HDR + 28, 0x100010);
	ram_reset();
	CHECK_EQ(load(&im, "", &r, err, sizeof(err)), 0);
	CHECK(!memcmp(ram.mem + 0x100000, im.b + 0x30, 0x800));
	CHECK_EQ(ram.bad_writes, 0);
}

TEST(flat)
{
	struct img im;
	struct loader_result r;
	char err[200];

	memset(&im, 0, sizeof(im));
	im.size = 0x300;
	fill_pattern(&im, 0, im.size, 4);
	ram_reset();
	CHECK_EQ(load(&im, "load=0x200000", &r, err, sizeof(err)), 0);
	CHECK_EQ(r.format, GUEST_FORMAT_FLAT);
	CHECK_EQ(r.entry, 0x200000);
	CHECK_EQ(r.info_start, 0);
	CHECK_EQ(r.info_end, 0);
	CHECK(!memcmp(ram.mem + 0x200000, im.b, 0x300));
	CHECK_EQ(ram.mem[0x200300], 0xaa);
	CHECK_EQ(ram.mem[0x9000], 0xaa); /* no information written */
	check_mb_state(&r.vcpu, 0x200000, 0, 0);

	ram_reset();
	CHECK_EQ(load(&im, "format=flat load=0x7000 entry=0x72ff", &r, err, sizeof(err)), 0);
	CHECK_EQ(r.vcpu.rip, 0x72ff);

	/* A flat load of an image that has a Multiboot header. */
	build_elf32(&im);
	ram_reset();
	CHECK_EQ(load(&im, "format=flat load=0x300000", &r, err, sizeof(err)), 0);
	CHECK(!memcmp(ram.mem + 0x300000, im.b, im.size));
	CHECK_EQ(ram.bad_writes, 0);
}

/* Where the information goes when 0x9000 is taken. */
TEST(info_placement)
{
	struct img im;
	struct loader_result r;
	char err[200];

	/* Segment 0 covers 0x8000-0xa000: the first free page is 0x1000. */
	build_elf32(&im);
	p32(im.b + E32_PH0 + 12, 0x8000);
	p32(im.b + 24, 0x800c);
	p32(im.b + E32_PH0 + 8, 0x8000);
	ram_reset();
	CHECK_EQ(load(&im, "", &r, err, sizeof(err)), 0);
	CHECK_EQ(r.info_start, 0x1000);
	CHECK_EQ(r.vcpu.gpr[RBX], 0x1000);
	check_mbi(0x1000, "", default_map, 2, 639, 15 * 1024);

	/* Low memory all taken (0x1000-0x9fc00): after the image. */
	p32(im.b + E32_PH0 + 12, 0x1000);
	p32(im.b + E32_PH0 + 8, 0x1000);
	p32(im.b + 24, 0x100c);
	p32(im.b + E32_PH0 + 20, 0x9fc00 - 0x1000);
	p32(im.b + E32_PH1 + 12, 0x100000);
	p32(im.b + E32_PH1 + 8, 0x100000);
	ram_reset();
	CHECK_EQ(load(&im, "cmdline=x", &r, err, sizeof(err)), 0);
	CHECK_STR(err, "");
	CHECK_EQ(r.info_start, 0x101000);
	check_mbi(0x101000, "x", default_map, 2, 639, 15 * 1024);

	/* No room anywhere: only low RAM, fully used. */
	{
		static const struct mem_range low_only[] = {{0, 0x9fc00, MEM_USABLE}};
		struct guest_args a = args_with("");
		struct loader_target t = target();

		t.map = low_only;
		t.map_count = 1;
		ram_reset();
		ram.map = low_only;
		ram.nmap = 1;
		p32(im.b + E32_PH0 + 20, 0x9fc00 - 0x1000);
		p32(im.b + E32_PH1, 0); /* segment 1 is no PT_LOAD now */
		CHECK_EQ(loader_load(im.b, im.size, &a, &t, &r, err, sizeof(err)), -ENOSPC);
		CHECK_STR(err, "no free guest RAM for the multiboot information (424 bytes)");
		CHECK_EQ(ram.bad_writes, 0);
	}
}

/* A caller's map: reserved ranges are reported and never loaded into, RAM
 * above 4 GiB appears in the map, types outside 1-5 read as reserved. */
TEST(caller_map)
{
	static const struct mem_range map[] = {
		{0, 0x9fc00, MEM_USABLE},
		{0x9fc00, 0x400, MEM_RESERVED},
		{0xe0000, 0x20000, MEM_ACPI_RECLAIM},
		{0x100000, 0x700000, MEM_USABLE},
		{0x800000, 0x1000, MEM_FIRMWARE},
		{0x801000, 0x7ff000, MEM_USABLE},
		{0x100000000ull, 0x40000000, MEM_USABLE},
	};
	struct img im;
	struct loader_result r;
	struct guest_args a = args_with("");
	struct loader_target t = target();
	char err[200];

	t.map = map;
	t.map_count = sizeof(map) / sizeof(map[0]);
	build_elf32(&im);
	ram_reset();
	ram.map = map;
	ram.nmap = t.map_count;
	CHECK_EQ(loader_load(im.b, im.size, &a, &t, &r, err, sizeof(err)), 0);
	/* mem_upper stops at the first hole above 1 MiB (7 MiB of RAM). */
	CHECK_EQ(r.mem_upper_kib, 7 * 1024);
	check_mbi(r.info_start, "", map, t.map_count, 639, 7 * 1024);

	/* Segment 1 moved into the firmware range: refused. */
	p32(im.b + E32_PH1 + 12, 0x800000);
	ram_reset();
	CHECK_EQ(loader_load(im.b, im.size, &a, &t, &r, err, sizeof(err)), -ERANGE);
	CHECK_STR(err, "segment 1 at 0x800000-0x800100 is not in guest RAM (16 MiB)");
	/* Straddling two usable ranges with a hole between: refused. */
	p32(im.b + E32_PH1 + 12, 0x7fff80);
	CHECK_EQ(loader_load(im.b, im.size, &a, &t, &r, err, sizeof(err)), -ERANGE);
	CHECK_EQ(ram.bad_writes, 0);
}

TEST(bad_maps)
{
	static const struct mem_range overlap[] = {{0, 0x10000, 1}, {0x8000, 0x10000, 1}};
	static const struct mem_range unsorted[] = {{0x100000, 0x100000, 1}, {0, 0x1000, 1}};
	static const struct mem_range empty[] = {{0, 0, 1}};
	static const struct mem_range wrap[] = {{0xfffffffffffff000ull, 0x2000, 1}};
	static struct mem_range many[LOADER_MAX_RANGES + 1];
	const struct {
		const struct mem_range *m;
		size_t n;
		const char *err;
	} cases[] = {
		{overlap, 2, "guest memory map: range 1 overlaps or is out of order"},
		{unsorted, 2, "guest memory map: range 1 overlaps or is out of order"},
		{empty, 1, "guest memory map: range 0 is empty or wraps"},
		{wrap, 1, "guest memory map: range 0 is empty or wraps"},
		{many, LOADER_MAX_RANGES + 1, "guest memory map: 33 ranges (1 to 32 allowed)"},
		{many, 0, "guest memory map: 0 ranges (1 to 32 allowed)"},
	};
	struct img im;
	struct loader_result r;
	struct guest_args a = args_with("");
	char err[200];

	for (size_t i = 0; i < LOADER_MAX_RANGES + 1; i++)
		many[i] = (struct mem_range){i * 0x100000, 0x1000, 1};
	build_elf32(&im);
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		struct loader_target t = target();

		t.map = cases[i].m;
		t.map_count = cases[i].n;
		ram_reset();
		CHECK_EQ(loader_load(im.b, im.size, &a, &t, &r, err, sizeof(err)), -EINVAL);
		CHECK_STR(err, cases[i].err);
		CHECK_EQ(ram.writes, 0);
	}
	{
		struct loader_target t = target();

		t.ram_size = 0;
		CHECK_EQ(loader_load(im.b, im.size, &a, &t, &r, err, sizeof(err)), -EINVAL);
		CHECK_STR(err, "guest RAM size is 0");
	}
}

/* ---- the header search ---- */

TEST(find_header)
{
	static uint8_t buf[0x3000];
	struct mb1_header h;
	size_t bad;
	const struct {
		size_t at;
		int found;
	} cases[] = {
		{0, 1},	     {4, 1}, {0x1000, 1}, {8180, 1}, /* the last place that fits */
		{8184, 0},				     /* runs past byte 8192 */
		{8192, 0},				     /* after the first 8192 bytes */
		{0x2800, 0}, {2, 0},			     /* not 4-byte aligned */
		{4094, 0},
	};

	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		memset(buf, 0, sizeof(buf));
		mb_header(buf + cases[i].at, 3);
		CHECK_EQ(loader_find_mb1(buf, sizeof(buf), &h, &bad), cases[i].found);
		if (cases[i].found)
			CHECK_EQ(h.offset, cases[i].at);
		CHECK_EQ(bad, SIZE_MAX);
	}
	/* A bad checksum is skipped (and remembered); a later good one wins. */
	memset(buf, 0, sizeof(buf));
	mb_header(buf + 0x100, 3);
	buf[0x108] ^= 1;
	CHECK_EQ(loader_find_mb1(buf, sizeof(buf), &h, &bad), 0);
	CHECK_EQ(bad, 0x100);
	mb_header(buf + 0x200, 0x10003);
	CHECK_EQ(loader_find_mb1(buf, sizeof(buf), &h, &bad), 1);
	CHECK_EQ(h.offset, 0x200);
	CHECK_EQ(h.flags, 0x10003);
	CHECK_EQ(bad, 0x100);
	/* A file shorter than the header. */
	CHECK_EQ(loader_find_mb1(buf + 0x200, 11, &h, NULL), 0);
	CHECK_EQ(loader_find_mb1(buf + 0x200, 12, &h, NULL), 1);
	CHECK_EQ(loader_find_mb1(NULL, 100, &h, NULL), 0);
}

/* ---- hostile images: each a mutation of a good one and the exact error ---- */

struct bad_image {
	const char *what;
	void (*build)(struct img *);
	size_t off;	/* where to write */
	unsigned width; /* 2, 4, 8 bytes; 0: truncate the file to `off` */
	uint64_t val;
	const char *args;
	int ret;
	const char *err;
	size_t resum; /* 1 + the offset of a Multiboot header to re-checksum after */
};

static const struct bad_image bad_images[] = {
	{"truncated ELF header", build_tiny32, 0, 0x200, 0, "", -EINVAL,
	 "ELF header truncated (51 bytes)", 0},
	{"truncated ELF64 header", build_tiny64, 0, 0x200, 0, "", -EINVAL,
	 "ELF64 header truncated (63 bytes)", 0},
	{"not ELF", build_elf32, 0, 4, 0x464c457e, "", -EINVAL,
	 "no multiboot address fields and not an ELF file (bad magic)", 0},
	{"ELF class 3", build_elf32, 4, 1 | 0x100, 3, "", -EINVAL,
	 "ELF class 3 is neither 32- nor 64-bit", 0},
	{"big-endian", build_elf32, 5, 1 | 0x100, 2, "", -EINVAL,
	 "ELF is not little-endian version 1", 0},
	{"shared object", build_elf32, 16, 2, 3, "", -EINVAL,
	 "ELF type 3 is not an executable (ET_EXEC)", 0},
	{"x86-64 machine in ELF32", build_elf32, 18, 2, 62, "", -EINVAL,
	 "ELF machine 62 is not i386", 0},
	{"i386 machine in ELF64", build_elf64, 18, 2, 3, "", -EINVAL, "ELF machine 3 is not x86-64",
	 0},
	{"no program headers", build_elf32, 44, 2, 0, "", -EINVAL,
	 "ELF has 0 program headers (1 to 64 allowed)", 0},
	{"too many program headers", build_elf32, 44, 2, 65, "", -EINVAL,
	 "ELF has 65 program headers (1 to 64 allowed)", 0},
	{"small phentsize", build_elf32, 42, 2, 31, "", -EINVAL,
	 "ELF program header size 31 is too small", 0},
	{"phdrs beyond the file", build_elf32, 28, 4, 0x18e0, "", -EINVAL,
	 "ELF program headers (offset 0x18e0, 2 x 32 bytes) run past the end of the file "
	 "(6400 bytes)",
	 0},
	{"phoff wraps", build_elf32, 28, 4, 0xffffffff, "", -EINVAL,
	 "ELF program headers (offset 0xffffffff, 2 x 32 bytes) run past the end of the file "
	 "(6400 bytes)",
	 0},
	{"ELF64 phoff huge", build_elf64, 32, 8, 0xfffffffffffffff0ull, "", -EINVAL,
	 "ELF program headers (offset 0xfffffffffffffff0, 1 x 56 bytes) run past the end of the "
	 "file (5120 bytes)",
	 0},
	{"segment beyond the file", build_elf32, E32_PH1 + 4, 4, 0x1801, "", -EINVAL,
	 "ELF program header 1: bytes 0x1801+0x100 run past the end of the file (6400 bytes)", 0},
	{"segment offset wraps", build_elf32, E32_PH1 + 4, 4, 0xffffff80, "", -EINVAL,
	 "ELF program header 1: bytes 0xffffff80+0x100 run past the end of the file (6400 "
	 "bytes)",
	 0},
	{"filesz > memsz", build_elf32, E32_PH1 + 20, 4, 0x80, "", -EINVAL,
	 "ELF program header 1: file size 0x100 exceeds memory size 0x80", 0},
	{"segment beyond guest RAM", build_elf32, E32_PH1 + 12, 4, 0xffff80, "", -ERANGE,
	 "segment 1 at 0xffff80-0x1000080 is not in guest RAM (16 MiB)", 0},
	{"segment in the VGA hole", build_elf32, E32_PH1 + 12, 4, 0xa0000, "", -ERANGE,
	 "segment 1 at 0xa0000-0xa0100 is not in guest RAM (16 MiB)", 0},
	{"segment wraps 4 GiB", build_elf32, E32_PH1 + 12, 4, 0xffffff80, "", -ERANGE,
	 "segment 1 at 0xffffff80 (0x100 bytes) does not end below 4 GiB", 0},
	{"ELF64 segment above 4 GiB", build_elf64, E64_PH + 24, 8, 0x100000000ull, "", -ERANGE,
	 "segment 0 at 0x100000000 (0x1000 bytes) does not end below 4 GiB", 0},
	{"ELF64 memsz huge", build_elf64, E64_PH + 40, 8, 0xffffffffffff0000ull, "", -ERANGE,
	 "segment 0 at 0x100000 (0xffffffffffff0000 bytes) does not end below 4 GiB", 0},
	{"overlapping segments", build_elf32, E32_PH1 + 12, 4, 0x101f00, "", -EINVAL,
	 "segments 0 and 1 overlap at 0x101f00", 0},
	{"entry outside", build_elf32, 24, 4, 0x300000, "", -EINVAL,
	 "ELF entry point 0x300000 is in no loadable segment", 0},
	{"no PT_LOAD", build_elf64, E64_PH, 4, 4, "", -EINVAL, "ELF has no loadable segment", 0},
	{"bad checksum", build_elf32, 0x1008, 4, 0, "", -EINVAL,
	 "the multiboot header at offset 0x1000 has a bad checksum", 0},
	{"no header", build_elf32, 0x1000, 4, 0, "", -EINVAL,
	 "no multiboot header in the first 8192 bytes (a flat image needs format=flat "
	 "load=ADDR)",
	 0},
	{"no header, format=multiboot", build_elf32, 0x1000, 4, 0, "format=multiboot", -EINVAL,
	 "no multiboot header in the first 8192 bytes (a flat image needs format=flat "
	 "load=ADDR)",
	 0},
	{"required video and more", build_elf32, 0x1004, 4, 0xb, "", -EINVAL,
	 "the multiboot header requires features Terrapin lacks (flags 0x8)", 0x1001},
	{"unknown required flag 15", build_aout, AOUT_HDR + 4, 4, 0x18003, "", -EINVAL,
	 "the multiboot header requires features Terrapin lacks (flags 0x8000)", AOUT_HDR + 1},
	{"optional flags 17-31 are fine", build_aout, AOUT_HDR + 4, 4, 0xffff0003, "", 0, "",
	 AOUT_HDR + 1},
	{"load= with a header", build_elf32, 0x1000, 4, 0x1BADB002, "load=0x100000", -EINVAL,
	 "load=/entry= are for flat images, but this one has a multiboot header (use "
	 "format=flat to load it flat)",
	 0},
	/* a.out address fields */
	{"header_addr < load_addr", build_aout, AOUT_HDR + 12, 4, 0xfffff, "", -EINVAL,
	 "multiboot header_addr 0xfffff is below load_addr 0x100000", 0},
	{"load_addr before the file", build_aout, AOUT_HDR + 16, 4, 0xff000, "", -EINVAL,
	 "multiboot load_addr 0xff000 would start 0x1040 bytes before the header, which is "
	 "only at file offset 0x40",
	 0},
	{"load_end <= load", build_aout, AOUT_HDR + 20, 4, 0x100000, "", -EINVAL,
	 "multiboot load_end_addr 0x100000 is not above load_addr 0x100000", 0},
	{"load_end beyond the file", build_aout, AOUT_HDR + 20, 4, 0x100901, "", -EINVAL,
	 "multiboot load_end_addr asks for 0x901 bytes, the file has 0x900 from offset 0x0", 0},
	{"bss_end < load_end", build_aout, AOUT_HDR + 24, 4, 0x1007ff, "", -EINVAL,
	 "multiboot bss_end_addr 0x1007ff is below the loaded end 0x100800", 0},
	{"a.out entry outside", build_aout, AOUT_HDR + 28, 4, 0x102000, "", -EINVAL,
	 "multiboot entry_addr 0x102000 is outside the image 0x100000-0x102000", 0},
	{"a.out beyond RAM", build_aout, AOUT_HDR + 24, 4, 0x1000000 + 1, "", -ERANGE,
	 "segment 0 at 0x100000-0x1000001 is not in guest RAM (16 MiB)", 0},
	{"a.out wraps 4 GiB", build_aout, AOUT_HDR + 16, 4, 0xffffff00, "", -EINVAL,
	 "multiboot header_addr 0x100040 is below load_addr 0xffffff00", 0},
	{"a.out past 4 GiB", build_aout_high, AOUT_HDR + 24, 4, 0, "", -ERANGE,
	 "segment 0 at 0xffffff00 (0x900 bytes) does not end below 4 GiB", 0},
	{"a.out bss past 4 GiB", build_aout_high, AOUT_HDR + 24, 4, 0xffffffff, "", -EINVAL,
	 "multiboot bss_end_addr 0xffffffff is below the loaded end 0x100000800", 0},
	{"a.out fields cut off", build_aout, AOUT_HDR + 20, 0, 0, "", -EINVAL,
	 "multiboot header at offset 0x40: the address fields run past the first 8192 bytes or "
	 "the file",
	 0},
	/* flat */
	{"flat beyond RAM", build_aout, 0, 0 | 0x200, 0, "format=flat load=0xfff800", -ERANGE,
	 "segment 0 at 0xfff800-0x1000100 is not in guest RAM (16 MiB)", 0},
	{"flat entry outside", build_aout, 0, 0 | 0x200, 0,
	 "format=flat load=0x100000 entry=0x100900", -EINVAL,
	 "entry=0x100900 is outside the image 0x100000-0x100900", 0},
	{"flat entry before", build_aout, 0, 0 | 0x200, 0,
	 "format=flat load=0x100000 entry=0xfffff", -EINVAL,
	 "entry=0xfffff is outside the image 0x100000-0x100900", 0},
	{"flat empty", build_aout, 0, 0, 0, "format=flat load=0x100000", -EINVAL,
	 "flat image is empty", 0},
};

TEST(hostile_images)
{
	for (size_t i = 0; i < sizeof(bad_images) / sizeof(bad_images[0]); i++) {
		const struct bad_image *c = &bad_images[i];
		struct img im;
		struct loader_result r;
		char err[200] = "";
		int ret;

		c->build(&im);
		switch (c->width & 0xff) {
		case 0:
			if (!(c->width & 0x200))
				im.size = c->off;
			break;
		case 1: im.b[c->off] = (uint8_t)c->val; break;
		case 2: p16(im.b + c->off, (uint16_t)c->val); break;
		case 4: p32(im.b + c->off, (uint32_t)c->val); break;
		case 8: p64(im.b + c->off, c->val); break;
		}
		if (c->resum) {
			uint8_t *h = im.b + c->resum - 1;
			uint32_t fl =
				(uint32_t)h[4] | h[5] << 8 | h[6] << 16 | (uint32_t)h[7] << 24;

			p32(h + 8, (uint32_t) - (0x1BADB002u + fl));
		}
		ram_reset();
		ret = load(&im, c->args, &r, err, sizeof(err));
		if (ret != c->ret || (c->err && strcmp(err, c->err)))
			printf("  case %zu (%s): got %d \"%s\"\n", i, c->what, ret, err);
		CHECK_EQ(ret, c->ret);
		if (c->err)
			CHECK_STR(err, c->err);
		else
			CHECK(err[0] != '\0');
		CHECK_EQ(ram.bad_writes, 0);
	}
}

/* A guest RAM write that fails (a hole in the VM's map) is an error. */
TEST(ram_write_fails)
{
	struct img im;
	struct loader_result r;
	char err[200];

	build_elf32(&im);
	ram_reset();
	ram.fail_lo = 0x200000;
	ram.fail_hi = 0x200001;
	CHECK_EQ(load(&im, "", &r, err, sizeof(err)), -EFAULT);
	CHECK_STR(err, "writing 0x100 bytes at guest address 0x200000 failed (-14)");
	ram_reset();
	ram.fail_lo = 0x101000; /* in the bss */
	ram.fail_hi = 0x101001;
	CHECK_EQ(load(&im, "", &r, err, sizeof(err)), -EFAULT);
	ram_reset();
	ram.fail_lo = 0x9000; /* the information */
	ram.fail_hi = 0x9001;
	CHECK_EQ(load(&im, "", &r, err, sizeof(err)), -EFAULT);
	CHECK_STR(err, "writing 0x80 bytes at guest address 0x9000 failed (-14)");
}

/* Bad calls: no crash, an error. */
TEST(bad_calls)
{
	struct img im;
	struct loader_result r;
	struct guest_args a = args_with("");
	struct loader_target t = target();
	char err[64];

	build_elf32(&im);
	CHECK_EQ(loader_load(NULL, 10, &a, &t, &r, err, sizeof(err)), -EINVAL);
	CHECK_EQ(loader_load(im.b, im.size, NULL, &t, &r, err, sizeof(err)), -EINVAL);
	CHECK_EQ(loader_load(im.b, im.size, &a, NULL, &r, err, sizeof(err)), -EINVAL);
	CHECK_EQ(loader_load(im.b, im.size, &a, &t, NULL, err, sizeof(err)), -EINVAL);
	t.ram_write = NULL;
	CHECK_EQ(loader_load(im.b, im.size, &a, &t, &r, err, sizeof(err)), -EINVAL);
	CHECK_STR(err, "loader: missing argument");
	t = target();
	CHECK_EQ(loader_load(NULL, 0, &a, &t, &r, NULL, 0), -EINVAL);
	/* A long message in a short buffer is cut, still terminated. */
	CHECK_EQ(loader_load(NULL, 0, &a, &t, &r, err, 10), -EINVAL);
	CHECK_STR(err, "no multib");
}

/* ---- fuzz ---- */

static uint32_t rng = 0x7e5a91u;

static uint32_t rnd(void)
{
	rng ^= rng << 13;
	rng ^= rng >> 17;
	rng ^= rng << 5;
	return rng;
}

/* Mutated images: the loader never crashes (ASan/UBSan watch), never writes
 * outside usable RAM, and a success describes a consistent image. */
TEST(fuzz)
{
	void (*builders[])(struct img *) = {build_elf32, build_elf64, build_aout};
	static const char *const argv[] = {"", "format=multiboot", "cmdline=\"a b c\"",
					   "format=flat load=0x100000"};
	unsigned ok = 0, failed = 0;

	for (int iter = 0; iter < 30000; iter++) {
		struct img im;
		struct loader_result r;
		char err[200] = "";
		int nmut = 1 + (int)(rnd() % 6), ret;

		builders[rnd() % 3](&im);
		for (int m = 0; m < nmut; m++) {
			uint32_t kind = rnd() % 8, off;

			/* Mostly the headers, where the numbers are. */
			if (kind < 5)
				off = rnd() % 128;
			else if (kind < 7)
				off = 0x1000 + rnd() % 48;
			else
				off = rnd() % (uint32_t)sizeof(im.b);
			if (off >= im.size)
				continue;
			switch (rnd() % 5) {
			case 0: im.b[off] = (uint8_t)rnd(); break;
			case 1: im.b[off] ^= (uint8_t)(1u << (rnd() % 8)); break;
			case 2:
				if (off + 4 <= sizeof(im.b))
					p32(im.b + off,
					    rnd() % 2 ? rnd() : 0xffffffffu - rnd() % 16);
				break;
			case 3:
				if (off + 4 <= sizeof(im.b))
					p32(im.b + off, 0x100000 + rnd() % 0x10000);
				break;
			case 4: im.size = off; break;
			}
		}
		/* Keep the checksum right half of the time so the header is found. */
		if (rnd() % 2)
			for (size_t h = 0; h + 12 <= im.size && h < 8192; h += 4)
				if (im.b[h] == 0x02 && im.b[h + 1] == 0xb0 && im.b[h + 2] == 0xad &&
				    im.b[h + 3] == 0x1b) {
					uint32_t fl = (uint32_t)im.b[h + 4] | im.b[h + 5] << 8 |
						      im.b[h + 6] << 16 |
						      (uint32_t)im.b[h + 7] << 24;

					p32(im.b + h + 8, (uint32_t) - (0x1BADB002u + fl));
					break;
				}
		ram.writes = ram.bad_writes = 0;
		ret = load(&im, argv[rnd() % 4], &r, err, sizeof(err));
		CHECK_EQ(ram.bad_writes, 0);
		if (ret) {
			failed++;
			CHECK(ret < 0);
			CHECK(err[0] != '\0');
			continue;
		}
		ok++;
		CHECK(r.image_start < r.image_end && r.image_end <= RAM);
		CHECK(r.entry >= r.image_start && r.entry < r.image_end);
		CHECK_EQ(r.vcpu.rip, r.entry);
		if (r.format == GUEST_FORMAT_MULTIBOOT) {
			CHECK(r.info_end > r.info_start);
			CHECK(r.info_end <= r.image_start || r.info_start >= r.image_end ||
			      r.image_end - r.image_start > 0x100000);
			CHECK_EQ(r.vcpu.gpr[RBX], r.info_start);
			CHECK_EQ(ram32(r.info_start), 0x245);
		}
		if (check_failed_) {
			printf("  fuzz iteration %d failed\n", iter);
			break;
		}
	}
	/* The mutations reach both outcomes, or the loop tests little. */
	printf("  fuzz: %u loaded, %u refused\n", ok, failed);
	CHECK(ok > 1000);
	CHECK(failed > 1000);
}

int main(void)
{
	RUN(elf32);
	RUN(elf64_high_half);
	RUN(aout_kludge);
	RUN(flat);
	RUN(info_placement);
	RUN(caller_map);
	RUN(bad_maps);
	RUN(find_header);
	RUN(hostile_images);
	RUN(ram_write_fails);
	RUN(bad_calls);
	RUN(fuzz);
	free(ram.mem);
	return CHECK_DONE();
}
