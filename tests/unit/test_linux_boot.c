/* Host tests for kernel/linux_boot.c (through loader_load, as the hypervisor
 * calls it): synthetic bzImages built byte by byte at boot.rst's offsets (not
 * through the loader's own definitions, so a wrong offset in the loader fails
 * here), every header check failing, the zero page's fields at zero-page.rst's
 * offsets, the e820 table, the page tables and GDT, initrd placement, a fuzz
 * loop over mutated headers, and Debian's real vmlinuz when it is present
 * (TERRAPIN_VMLINUZ=path, else /tmp/lx/k/boot/vmlinuz-6.1.0-56-amd64). */
#include <stdint.h>

#include "tests/unit/check.h"

#include "kernel/cmdline.c"
#include "kernel/guest_args.c"
#include "kernel/linux_boot.c"
#include "kernel/loader.c"
#include "kernel/printf.c"

#define M	 (1ULL << 20)
#define G4	 (1ULL << 32)
#define PAY	 0x3000 /* synthetic kernel payload bytes */
#define SECTS	 2
#define IMG_MAX	 (5 * 512 + PAY) /* setup_sects 0 counts as 4 */
#define INIT_SZ	 (4 * M)
#define PREF	 (16 * M)
#define LOW_SIZE (32 * M)

/* ---- fake guest RAM: a low window [0, lo_size) and a high one at 4 GiB ---- */

struct fake {
	uint8_t *lo, *hi;
	uint64_t lo_size, hi_size;
	const struct mem_range *map; /* writes outside its usable ranges are bugs */
	size_t nmap;
	unsigned writes, bad_writes;
	uint64_t fail_lo, fail_hi; /* writes starting here fail (a broken gmap) */
};

static struct fake ram;

static uint8_t *fake_at(uint64_t gpa, size_t len)
{
	if (gpa < ram.lo_size && len <= ram.lo_size - gpa)
		return ram.lo + gpa;
	if (gpa >= G4 && gpa - G4 < ram.hi_size && len <= ram.hi_size - (gpa - G4))
		return ram.hi + (gpa - G4);
	return NULL;
}

static bool fake_usable(uint64_t gpa, size_t len)
{
	for (size_t i = 0; i < ram.nmap; i++) {
		const struct mem_range *m = &ram.map[i];

		if (m->type == MEM_USABLE && gpa >= m->base && gpa + len <= m->base + m->len)
			return true;
	}
	return false;
}

static int fake_write(void *ctx, uint64_t gpa, const void *src, size_t len)
{
	uint8_t *p = fake_at(gpa, len);

	(void)ctx;
	ram.writes++;
	if (gpa >= ram.fail_lo && gpa < ram.fail_hi)
		return -EFAULT;
	if (!p || !fake_usable(gpa, len)) {
		ram.bad_writes++;
		return -EFAULT;
	}
	memcpy(p, src, len);
	return 0;
}

/* The map platform_load_image gives a guest with `low` bytes below 4 GiB. */
static struct mem_range std_map[4];

static size_t std_map_for(uint64_t low, uint64_t high)
{
	size_t n = 0;

	std_map[n++] = (struct mem_range){0, 0x9fc00, MEM_USABLE};
	std_map[n++] = (struct mem_range){0x9fc00, 0x100000 - 0x9fc00, MEM_RESERVED};
	std_map[n++] = (struct mem_range){0x100000, low - 0x100000, MEM_USABLE};
	if (high)
		std_map[n++] = (struct mem_range){G4, high, MEM_USABLE};
	return n;
}

static void ram_setup(uint64_t lo_size, uint64_t hi_size, const struct mem_range *map, size_t n)
{
	if (lo_size != ram.lo_size || hi_size != ram.hi_size) {
		free(ram.lo);
		free(ram.hi);
		ram.lo = malloc(lo_size);
		ram.hi = hi_size ? malloc(hi_size) : NULL;
	}
	/* Nothing a previous case wrote may pass for this one's work. */
	memset(ram.lo, 0xaa, lo_size);
	if (hi_size)
		memset(ram.hi, 0xaa, hi_size);
	ram.lo_size = lo_size;
	ram.hi_size = hi_size;
	ram.map = map;
	ram.nmap = n;
	ram.writes = ram.bad_writes = 0;
	ram.fail_lo = ram.fail_hi = 0;
}

static void ram_std(uint64_t lo_size)
{
	ram_setup(lo_size, 0, std_map, std_map_for(lo_size, 0));
}

static struct loader_target target(const void *initrd, size_t initrd_size)
{
	return (struct loader_target){.ctx = &ram,
				      .ram_write = fake_write,
				      .ram_size = ram.lo_size + ram.hi_size,
				      .map = ram.map,
				      .map_count = ram.nmap,
				      .initrd = initrd,
				      .initrd_size = initrd_size,
				      .acpi_rsdp = 0xe0000};
}

static uint8_t r8(uint64_t a)
{
	return *fake_at(a, 1);
}

static uint16_t r16(uint64_t a)
{
	uint16_t v;

	memcpy(&v, fake_at(a, 2), 2);
	return v;
}

static uint32_t r32(uint64_t a)
{
	uint32_t v;

	memcpy(&v, fake_at(a, 4), 4);
	return v;
}

static uint64_t r64(uint64_t a)
{
	uint64_t v;

	memcpy(&v, fake_at(a, 8), 8);
	return v;
}

/* ---- a synthetic bzImage ---- */

struct bz {
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
	p16(p, (uint16_t)v);
	p16(p + 2, (uint16_t)(v >> 16));
}

static void p64(uint8_t *p, uint64_t v)
{
	p32(p, (uint32_t)v);
	p32(p + 4, (uint32_t)(v >> 32));
}

static uint8_t pay_byte(size_t i)
{
	return (uint8_t)(i * 7 + 3 + (i >> 8));
}

/* Protocol 2.15, relocatable, 64-bit, setup_sects = sects, payload PAY bytes. */
static void bz_build(struct bz *z, unsigned sects)
{
	uint8_t *b = z->b;
	size_t setup = (size_t)((sects ? sects : 4) + 1) * 512;

	memset(b, 0, sizeof(z->b));
	b[0x1f1] = (uint8_t)sects;
	p32(b + 0x1f4, PAY / 16); /* syssize */
	p16(b + 0x1fe, 0xaa55);	  /* boot_flag */
	b[0x200] = 0xeb;	  /* jmp short */
	b[0x201] = 0x6a;	  /* header ends at 0x26c */
	memcpy(b + 0x202, "HdrS", 4);
	p16(b + 0x206, 0x020f);	    /* version 2.15 */
	b[0x211] = 0x01;	    /* loadflags: LOADED_HIGH */
	p32(b + 0x214, 0x100000);   /* code32_start */
	p32(b + 0x22c, 0x7fffffff); /* initrd_addr_max */
	p32(b + 0x230, 0x200000);   /* kernel_alignment */
	b[0x234] = 1;		    /* relocatable_kernel */
	b[0x235] = 21;		    /* min_alignment */
	p16(b + 0x236, 0x3);	    /* xloadflags: KERNEL_64, CAN_BE_LOADED_ABOVE_4G */
	p32(b + 0x238, 2047);	    /* cmdline_size */
	p64(b + 0x258, PREF);	    /* pref_address */
	p32(b + 0x260, INIT_SZ);    /* init_size */
	/* Bytes past the header's end that must not reach the zero page. */
	memset(b + 0x26c, 0x5c, 0x290 - 0x26c);
	for (size_t i = 0; i < PAY; i++)
		b[setup + i] = pay_byte(i);
	z->size = setup + PAY;
}

static struct bz img;

static int load(const struct bz *z, const char *args, const void *initrd, size_t isz,
		struct loader_result *out, char *err, size_t errlen)
{
	struct guest_args ga;
	struct loader_target t = target(initrd, isz);
	char perr[128];

	if (guest_args_parse(args, &ga, perr, sizeof(perr))) {
		printf("  bad test args \"%s\": %s\n", args, perr);
		return -9999;
	}
	return loader_load(z->b, z->size, &ga, &t, out, err, errlen);
}

static bool has(const char *s, const char *sub)
{
	if (!strstr(s, sub)) {
		printf("  \"%s\" lacks \"%s\"\n", s, sub);
		return false;
	}
	return true;
}

static uint8_t initrd_buf[40 << 20];

static void initrd_fill(size_t n)
{
	for (size_t i = 0; i < n; i++)
		initrd_buf[i] = (uint8_t)(i * 13 + 1 + (i >> 12));
}

static bool kernel_in_ram(uint64_t at, size_t setup)
{
	return !memcmp(fake_at(at, PAY), img.b + setup, PAY);
}

/* ---- cases ---- */

TEST(accepted_and_placed)
{
	struct loader_result r;
	char err[200] = "x";
	size_t isz = 100 * 1024 + 5;

	ram_std(LOW_SIZE);
	bz_build(&img, SECTS);
	initrd_fill(isz);
	CHECK_EQ(load(&img, "cmdline=\"console=ttyS0 quiet\"", initrd_buf, isz, &r, err,
		      sizeof(err)),
		 0);
	CHECK_STR(err, "");
	CHECK_EQ(ram.bad_writes, 0);
	CHECK_EQ(r.format, GUEST_FORMAT_LINUX);
	CHECK_EQ(r.image_start, PREF);
	CHECK_EQ(r.image_end, PREF + INIT_SZ);
	CHECK_EQ(r.entry, PREF + 0x200);
	CHECK_EQ(r.info_start, 0x8000);
	CHECK_EQ(r.info_end, 0x9000);
	CHECK(kernel_in_ram(PREF, (SECTS + 1) * 512));
	/* The initrd: page-aligned, as high as it goes, clear of the kernel. */
	CHECK_EQ(r.initrd_start, (LOW_SIZE - isz) & ~0xfffULL);
	CHECK_EQ(r.initrd_end, r.initrd_start + isz);
	CHECK(!memcmp(fake_at(r.initrd_start, isz), initrd_buf, isz));
	CHECK(r.initrd_start >= r.image_end || r.initrd_end <= r.image_start);

	/* boot.rst 64-bit protocol: the vCPU. */
	const struct vcpu_state *s = &r.vcpu;
	CHECK_EQ(s->rip, PREF + 0x200);
	CHECK_EQ(s->gpr[RSI], 0x8000);
	CHECK_EQ(s->rflags, 0x2);
	CHECK_EQ(s->cr0 & 0x80000001ULL, 0x80000001ULL); /* PG, PE */
	CHECK_EQ(s->cr4 & 0x20, 0x20);			 /* PAE */
	CHECK_EQ(s->efer, 0x500);			 /* LME, LMA */
	CHECK_EQ(s->cr3, 0x2000);
	CHECK_EQ(s->seg[SEG_CS].sel, 0x10);
	CHECK_EQ(s->seg[SEG_CS].attr, SEG_CODE64);
	CHECK_EQ(s->seg[SEG_DS].sel, 0x18);
	CHECK_EQ(s->seg[SEG_ES].sel, 0x18);
	CHECK_EQ(s->seg[SEG_SS].sel, 0x18);
	CHECK_EQ(s->seg[SEG_SS].attr, SEG_DATA32);
	CHECK_EQ(s->seg[SEG_TR].attr, 0x8b); /* present busy TSS */
	CHECK_EQ(s->seg[SEG_TR].limit, 0x67);
	CHECK_EQ(s->seg[SEG_LDTR].attr, 0);
	CHECK_EQ(s->gdtr.base, 0x1000);
	CHECK_EQ(s->gdtr.limit, 0x2f);
	CHECK(s->gpr[RSP] > 0x1000 && s->gpr[RSP] <= 0xb000 && s->gpr[RSP] % 16 == 0);
	for (int i = 0; i < NGPRS; i++)
		CHECK(i == RSI || i == RSP || s->gpr[i] == 0);
}

/* zero-page.rst and boot.rst offsets, written here as numbers. */
TEST(zero_page_fields)
{
	struct loader_result r;
	char err[200];
	const char *cl = "console=ttyS0 root=/dev/ram0";
	size_t isz = 8192;

	ram_std(LOW_SIZE);
	bz_build(&img, SECTS);
	p64(img.b + 0x250, 0x123456789); /* setup_data: the loader must clear it */
	p32(img.b + 0x218, 0xdeadbeef);	 /* stale ramdisk_image */
	img.b[0x211] = 0xe1;		 /* loadflags with heap, keep segments, quiet */
	p16(img.b + 0x224, 0xfe00);	 /* heap_end_ptr */
	initrd_fill(isz);
	CHECK_EQ(load(&img, "cmdline=\"console=ttyS0 root=/dev/ram0\"", initrd_buf, isz, &r, err,
		      sizeof(err)),
		 0);
	const uint64_t zp = 0x8000;
	/* Nothing before the header but acpi_rsdp_addr, alt_mem_k, e820_entries. */
	for (unsigned o = 0; o < 0x1f1; o++) {
		if ((o >= 0x70 && o < 0x78) || (o >= 0x1e0 && o < 0x1e4) || o == 0x1e8)
			continue;
		if (r8(zp + o))
			printf("  zero page byte 0x%x is 0x%x\n", o, r8(zp + o));
		CHECK_EQ(r8(zp + o), 0);
	}
	CHECK_EQ(r64(zp + 0x070), 0xe0000);		  /* acpi_rsdp_addr */
	CHECK_EQ(r32(zp + 0x1e0), (LOW_SIZE - M) / 1024); /* alt_mem_k */
	CHECK_EQ(r8(zp + 0x1e8), 3);			  /* e820_entries */
	CHECK_EQ(r8(zp + 0x1ef), 0);			  /* sentinel */
	/* The header as the image has it... */
	CHECK_EQ(r8(zp + 0x1f1), SECTS);
	CHECK_EQ(r32(zp + 0x1f4), PAY / 16);
	CHECK_EQ(r16(zp + 0x1fe), 0xaa55);
	CHECK_EQ(r16(zp + 0x200), 0x6aeb);
	CHECK_EQ(r32(zp + 0x202), 0x53726448);
	CHECK_EQ(r16(zp + 0x206), 0x020f);
	CHECK_EQ(r32(zp + 0x22c), 0x7fffffff);
	CHECK_EQ(r32(zp + 0x230), 0x200000);
	CHECK_EQ(r8(zp + 0x234), 1);
	CHECK_EQ(r16(zp + 0x236), 3);
	CHECK_EQ(r32(zp + 0x238), 2047);
	CHECK_EQ(r64(zp + 0x258), PREF);
	CHECK_EQ(r32(zp + 0x260), INIT_SZ);
	/* ...with the loader's fields written. */
	CHECK_EQ(r8(zp + 0x210), 0xff);		   /* type_of_loader */
	CHECK_EQ(r8(zp + 0x211), 0x01);		   /* loadflags: LOADED_HIGH only */
	CHECK_EQ(r16(zp + 0x224), 0);		   /* heap_end_ptr */
	CHECK_EQ(r32(zp + 0x218), r.initrd_start); /* ramdisk_image */
	CHECK_EQ(r32(zp + 0x21c), isz);		   /* ramdisk_size */
	CHECK_EQ(r32(zp + 0x0c0), 0);		   /* ext_ramdisk_image */
	CHECK_EQ(r32(zp + 0x0c4), 0);		   /* ext_ramdisk_size */
	CHECK_EQ(r32(zp + 0x0c8), 0);		   /* ext_cmd_line_ptr */
	CHECK_EQ(r32(zp + 0x23c), 0);		   /* hardware_subarch: PC */
	CHECK_EQ(r64(zp + 0x240), 0);		   /* hardware_subarch_data */
	CHECK_EQ(r64(zp + 0x250), 0);		   /* setup_data */
	uint32_t cmd = r32(zp + 0x228);		   /* cmd_line_ptr */
	CHECK(cmd >= 0x1000 && cmd < 0xa0000);
	CHECK(!memcmp(fake_at(cmd, strlen(cl) + 1), cl, strlen(cl) + 1));
	/* Past the header's end (0x26c): zero, not the image's 0x5c bytes. */
	for (unsigned o = 0x26c; o < 0x2d0; o++)
		CHECK_EQ(r8(zp + o), 0);
	for (unsigned o = 0x2d0 + 3 * 20; o < 0x1000; o++)
		CHECK_EQ(r8(zp + o), 0);
	/* The cmdline and zero page are clear of everything else. */
	CHECK(cmd + strlen(cl) < zp || cmd >= zp + 0x1000);
}

TEST(no_initrd_no_cmdline)
{
	struct loader_result r;
	char err[200];

	ram_std(LOW_SIZE);
	bz_build(&img, SECTS);
	p32(img.b + 0x218, 0x1234); /* stale values must not reach the guest */
	p32(img.b + 0x21c, 0x5678);
	CHECK_EQ(load(&img, "", NULL, 0, &r, err, sizeof(err)), 0);
	CHECK_EQ(r.initrd_start, 0);
	CHECK_EQ(r.initrd_end, 0);
	CHECK_EQ(r32(0x8000 + 0x218), 0);
	CHECK_EQ(r32(0x8000 + 0x21c), 0);
	CHECK_EQ(r8(r32(0x8000 + 0x228)), 0); /* an empty string */
	CHECK_EQ(ram.bad_writes, 0);
}

/* e820 types from struct mem_range types; holes stay holes. */
TEST(e820_from_map_with_holes)
{
	static const struct mem_range map[] = {
		{0, 0x9fc00, MEM_USABLE},
		{0xe0000, 0x20000, MEM_RESERVED},
		{0x100000, 0xf00000, MEM_USABLE},   /* 1-16 MiB */
		{0x1000000, 0x1000000, MEM_USABLE}, /* 16-32 MiB, adjacent */
		{0x2100000, 0x10000, MEM_ACPI_RECLAIM},
		{0x2110000, 0x10000, MEM_ACPI_NVS},
		{0x2200000, 0x100000, MEM_BAD},
		{0x2300000, 0x100000, MEM_FIRMWARE},
		{0x2400000, 0x1000, 77},
	};
	static const uint32_t e820_type[] = {1, 2, 1, 1, 3, 4, 5, 2, 2};
	struct loader_result r;
	char err[200];
	size_t n = sizeof(map) / sizeof(map[0]);

	ram_setup(0x2500000, 0, map, n);
	bz_build(&img, SECTS);
	CHECK_EQ(load(&img, "", NULL, 0, &r, err, sizeof(err)), 0);
	CHECK_EQ(r8(0x8000 + 0x1e8), n);
	for (size_t i = 0; i < n; i++) {
		uint64_t e = 0x8000 + 0x2d0 + i * 20;

		CHECK_EQ(r64(e), map[i].base);
		CHECK_EQ(r64(e + 8), map[i].len);
		CHECK_EQ(r32(e + 16), e820_type[i]);
	}
	CHECK_EQ(r64(0x8000 + 0x2d0 + n * 20), 0);
	/* alt_mem_k: usable RAM contiguous from 1 MiB, 1-32 MiB. */
	CHECK_EQ(r32(0x8000 + 0x1e0), 31 * 1024);
	CHECK_EQ(ram.bad_writes, 0);
}

/* The 4 GiB identity map, walked as the CPU would, and the GDT's bytes. */
static uint64_t walk(uint64_t va, bool *ok)
{
	uint64_t pml4e = r64(0x2000 + ((va >> 39) & 511) * 8), pdpte, pde;

	*ok = false;
	if (!(pml4e & 1))
		return 0;
	pdpte = r64((pml4e & 0xffffffffff000ULL) + ((va >> 30) & 511) * 8);
	if (!(pdpte & 1) || (pdpte & 0x80))
		return 0;
	pde = r64((pdpte & 0xffffffffff000ULL) + ((va >> 21) & 511) * 8);
	if ((pde & 0x83) != 0x83) /* present, writable, 2 MiB */
		return 0;
	*ok = true;
	return (pde & 0xfffffffe00000ULL) + (va & 0x1fffff);
}

TEST(page_tables_and_gdt)
{
	static const uint64_t va[] = {0,
				      0x1fffff,
				      0x200000,
				      0x8000,
				      PREF + 0x200,
				      0x3fffffff,
				      0x40000000,
				      0x7654321,
				      0xc0000000,
				      0xfee00000,
				      0xffffffff,
				      0xfffff000,
				      0x123456789 & 0xffffffff};
	struct loader_result r;
	char err[200];
	bool ok;

	ram_std(LOW_SIZE);
	bz_build(&img, SECTS);
	CHECK_EQ(load(&img, "", NULL, 0, &r, err, sizeof(err)), 0);
	CHECK_EQ(r.vcpu.cr3, 0x2000);
	for (size_t i = 0; i < sizeof(va) / sizeof(va[0]); i++) {
		CHECK_EQ(walk(va[i], &ok), va[i]);
		CHECK(ok);
	}
	/* Nothing at or above 4 GiB, nothing in the upper half. */
	walk(G4, &ok);
	CHECK(!ok);
	walk(0xffffffff80000000ULL, &ok);
	CHECK(!ok);
	for (unsigned i = 1; i < 512; i++)
		CHECK_EQ(r64(0x2000 + i * 8), 0);
	/* The tables lie below the zero page, clear of it and the kernel. */
	CHECK(0x2000 + 6 * 0x1000 <= r.info_start);
	/* GDT: __BOOT_CS 64-bit code, __BOOT_DS flat data, a busy 64-bit TSS. */
	CHECK_EQ(r64(0x1000), 0);
	CHECK_EQ(r64(0x1008), 0);
	CHECK_EQ(r64(0x1010), 0x00af9b000000ffffULL);
	CHECK_EQ(r64(0x1018), 0x00cf93000000ffffULL);
	uint64_t tss = r.vcpu.seg[SEG_TR].base;
	CHECK_EQ(r64(0x1020), 0x0000890000000067ULL | 0x0000020000000000ULL |
				      (tss & 0xffffff) << 16 | (tss >> 24 & 0xff) << 56);
	CHECK_EQ(r64(0x1028), tss >> 32);
	CHECK(tss >= 0x1030 && tss + 0x68 <= 0x2000);
	CHECK_EQ(r.vcpu.seg[SEG_TR].sel, 0x20);
}

/* Each header check, failing alone (with format=linux and with auto). */
struct bad_case {
	const char *what;
	unsigned off, width;
	uint64_t val;
	size_t cut; /* if non-zero, the file's size */
	int ret;
	const char *msg;
};

static const struct bad_case bad_cases[] = {
	{"bad magic", 0x202, 4, 0x53726449, 0, -EINVAL, "HdrS"},
	{"old version", 0x206, 2, 0x020b, 0, -EINVAL, "2.11 is older than 2.12"},
	{"ancient version", 0x206, 2, 0x0200, 0, -EINVAL, "older than 2.12"},
	{"no XLF_KERNEL_64", 0x236, 2, 0x2, 0, -EINVAL, "XLF_KERNEL_64"},
	{"boot_flag", 0x1fe, 2, 0x55aa, 0, -EINVAL, "boot_flag is 0x55aa"},
	{"zImage", 0x211, 1, 0x00, 0, -EINVAL, "zImage"},
	{"short header", 0x201, 1, 0x50, 0, -EINVAL, "setup header ends at 0x252"},
	{"long header", 0x201, 1, 0xff, 0, -EINVAL, "setup header ends at 0x301"},
	{"truncated payload", 0, 0, 0, (SECTS + 1) * 512 + PAY - 16, -EINVAL, "truncated"},
	{"truncated to setup", 0, 0, 0, (SECTS + 1) * 512, -EINVAL, "truncated"},
	{"truncated in header", 0, 0, 0, 0x240, -EINVAL, "inside its setup header"},
	{"too small", 0, 0, 0, 0x100, -EINVAL, "HdrS"},
	{"syssize too big", 0x1f4, 4, PAY / 16 + 1, 0, -EINVAL, "truncated"},
	{"setup_sects past the end", 0x1f1, 1, 0xff, 0, -EINVAL, "truncated"},
	{"alignment not a power of 2", 0x230, 4, 0x300000, 0, -EINVAL, "kernel_alignment"},
	{"alignment 0", 0x230, 4, 0, 0, -EINVAL, "kernel_alignment"},
	{"init_size too large", 0x260, 4, 40 << 20, 0, -ERANGE, "init_size 0x2800000"},
	{"init_size huge", 0x260, 4, 0xffffffff, 0, -ERANGE, "init_size 0xffffffff"},
	{"cmdline_size 3", 0x238, 4, 3, 0, -ERANGE, "the kernel takes at most 3"},
	{"initrd_addr_max 0", 0x22c, 4, 0, 0, -ERANGE, "initrd_addr_max"},
};

TEST(header_checks)
{
	static uint8_t initrd[4096];

	for (size_t i = 0; i < sizeof(bad_cases) / sizeof(bad_cases[0]); i++) {
		const struct bad_case *c = &bad_cases[i];

		for (int fmt = 0; fmt < 2; fmt++) {
			struct loader_result r;
			char err[200] = "";
			int ret;

			ram_std(LOW_SIZE);
			bz_build(&img, SECTS);
			if (c->width == 1)
				img.b[c->off] = (uint8_t)c->val;
			else if (c->width == 2)
				p16(img.b + c->off, (uint16_t)c->val);
			else if (c->width == 4)
				p32(img.b + c->off, (uint32_t)c->val);
			if (c->cut)
				img.size = c->cut;
			ret = load(&img, fmt ? "format=linux cmdline=abcd" : "cmdline=abcd", initrd,
				   sizeof(initrd), &r, err, sizeof(err));
			if (!fmt && (c->off == 0x202 || c->cut == 0x100)) {
				/* auto: without "HdrS" it is no Linux image. */
				CHECK_EQ(ret, -EINVAL);
				CHECK(has(err, "not a Linux kernel"));
				continue;
			}
			if (ret != c->ret || !strstr(err, c->msg))
				printf("  case %s (fmt %d): %d \"%s\"\n", c->what, fmt, ret, err);
			CHECK_EQ(ret, c->ret);
			CHECK(strstr(err, c->msg) != NULL);
			CHECK_EQ(ram.bad_writes, 0);
		}
	}
}

/* setup_sects 0 means 4: the kernel then starts at file offset 5 * 512. */
TEST(setup_sects_zero_means_4)
{
	struct loader_result r;
	char err[200];

	ram_std(LOW_SIZE);
	bz_build(&img, 0);
	CHECK_EQ(img.size, 5 * 512 + PAY);
	CHECK_EQ(load(&img, "", NULL, 0, &r, err, sizeof(err)), 0);
	CHECK(kernel_in_ram(PREF, 5 * 512));
	/* Read as 0 sectors, the file would look one payload short. */
	img.size = 5 * 512 + PAY - 512;
	CHECK_EQ(load(&img, "", NULL, 0, &r, err, sizeof(err)), -EINVAL);
	CHECK(has(err, "truncated"));
}

/* pref_address unusable: relocatable kernels move to the lowest aligned place
 * above 1 MiB; others are refused. */
TEST(relocation)
{
	static const struct {
		uint64_t pref;
		uint32_t align;
		uint64_t want;
	} cases[] = {
		{0x40000000, 0x200000, 0x200000}, /* beyond RAM */
		{0x9f000, 0x200000, 0x200000},	  /* in the BIOS area */
		{0x0, 0x200000, 0x200000},	  /* the low area */
		{0x1f00000, 0x200000, 0x200000},  /* runs past the end of RAM */
		{0x40000000, 0x400000, 0x400000}, {0x40000000, 0x1000, 0x100000},
		{0x300000, 0x200000, 0x300000}, /* usable: kept even if unaligned */
	};
	struct loader_result r;
	char err[200];

	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		ram_std(LOW_SIZE);
		bz_build(&img, SECTS);
		p64(img.b + 0x258, cases[i].pref);
		p32(img.b + 0x230, cases[i].align);
		CHECK_EQ(load(&img, "", NULL, 0, &r, err, sizeof(err)), 0);
		CHECK_EQ(r.image_start, cases[i].want);
		CHECK_EQ(r.entry, cases[i].want + 0x200);
		CHECK(kernel_in_ram(cases[i].want, (SECTS + 1) * 512));
		CHECK_EQ(ram.bad_writes, 0);
	}
	ram_std(LOW_SIZE);
	bz_build(&img, SECTS);
	img.b[0x234] = 0;
	p64(img.b + 0x258, 0x40000000);
	CHECK_EQ(load(&img, "", NULL, 0, &r, err, sizeof(err)), -ERANGE);
	CHECK(has(err, "not relocatable"));
	/* Not relocatable at a usable pref_address: fine. */
	p64(img.b + 0x258, 0x800000);
	CHECK_EQ(load(&img, "", NULL, 0, &r, err, sizeof(err)), 0);
	CHECK_EQ(r.image_start, 0x800000);
}

TEST(cmdline_size_limit)
{
	struct loader_result r;
	char err[200];

	ram_std(LOW_SIZE);
	bz_build(&img, SECTS);
	p32(img.b + 0x238, 10);
	CHECK_EQ(load(&img, "cmdline=0123456789", NULL, 0, &r, err, sizeof(err)), 0);
	CHECK(!memcmp(fake_at(r32(0x8000 + 0x228), 11), "0123456789", 11));
	CHECK_EQ(load(&img, "cmdline=0123456789a", NULL, 0, &r, err, sizeof(err)), -ERANGE);
	CHECK_STR(err, "cmdline is 11 characters, the kernel takes at most 10 (cmdline_size)");
	/* 255 characters (guest_args' limit) against the usual 2047. */
	char args[300] = "cmdline=";
	memset(args + 8, 'x', 255);
	args[263] = 0;
	p32(img.b + 0x238, 2047);
	CHECK_EQ(load(&img, args, NULL, 0, &r, err, sizeof(err)), 0);
	CHECK_EQ(strlen((const char *)fake_at(r32(0x8000 + 0x228), 256)), 255);
}

TEST(initrd_placement)
{
	struct loader_result r;
	char err[200];

	/* Too big for the guest. */
	ram_std(LOW_SIZE);
	bz_build(&img, SECTS);
	initrd_fill(40 << 20);
	CHECK_EQ(load(&img, "", initrd_buf, 40 << 20, &r, err, sizeof(err)), -ERANGE);
	CHECK(has(err, "does not fit in the guest RAM"));
	/* Free RAM totals enough, but no single hole does (kernel at 16-20 MiB). */
	CHECK_EQ(load(&img, "", initrd_buf, 16 << 20, &r, err, sizeof(err)), -ERANGE);
	CHECK(has(err, "does not fit in the guest RAM"));

	/* Under initrd_addr_max: the end at or below max + 1. */
	ram_std(LOW_SIZE);
	p32(img.b + 0x22c, 0x17fffff);
	CHECK_EQ(load(&img, "", initrd_buf, 3 << 20, &r, err, sizeof(err)), 0);
	CHECK_EQ(r.initrd_start, 21 << 20);
	CHECK_EQ(r.initrd_end, 24 << 20);
	CHECK(!memcmp(fake_at(r.initrd_start, 3 << 20), initrd_buf, 3 << 20));
	/* Would fit above initrd_addr_max, not below it (and not above 4G). */
	ram_std(48 << 20);
	p32(img.b + 0x22c, 0xffffff);
	CHECK_EQ(load(&img, "", initrd_buf, 15 << 20, &r, err, sizeof(err)), 0);
	CHECK_EQ(r.initrd_start, M);
	CHECK_EQ(load(&img, "", initrd_buf, (15 << 20) + 1, &r, err, sizeof(err)), -ERANGE);
	CHECK(has(err, "does not fit below the kernel's initrd_addr_max 0xffffff"));
	/* Max below the kernel: the initrd goes under it, the kernel's region
	 * is skipped. */
	p32(img.b + 0x22c, 0x1ffffff);
	ram_std(24 << 20);
	CHECK_EQ(load(&img, "", initrd_buf, (4 << 20) + 1, &r, err, sizeof(err)), 0);
	CHECK(r.initrd_end <= PREF);
	CHECK_EQ(r.initrd_start, (PREF - (4 << 20) - 1) & ~0xfffULL);
	CHECK(!memcmp(fake_at(r.initrd_start, (4 << 20) + 1), initrd_buf, (4 << 20) + 1));
	CHECK_EQ(ram.bad_writes, 0);
	/* Exactly the space between the low area and the kernel... */
	CHECK_EQ(load(&img, "", initrd_buf, PREF - M, &r, err, sizeof(err)), 0);
	CHECK_EQ(r.initrd_start, M);
	/* ...and one byte more: the 640 KiB below cannot take it either. */
	CHECK_EQ(load(&img, "", initrd_buf, PREF - M + 1, &r, err, sizeof(err)), -ERANGE);
	CHECK_EQ(ram.bad_writes, 0);
}

/* XLF_CAN_BE_LOADED_ABOVE_4G: an initrd that fits nowhere below goes high. */
TEST(initrd_above_4g)
{
	struct mem_range map[4];
	size_t n;
	struct loader_result r;
	char err[200];
	size_t isz = 16 << 20;

	n = std_map_for(24 << 20, 32 << 20);
	memcpy(map, std_map, sizeof(map));
	ram_setup(24 << 20, 32 << 20, map, n);
	bz_build(&img, SECTS);
	initrd_fill(isz);
	CHECK_EQ(load(&img, "", initrd_buf, isz, &r, err, sizeof(err)), 0);
	CHECK_EQ(r.initrd_start, G4 + (16 << 20));
	CHECK(!memcmp(fake_at(r.initrd_start, isz), initrd_buf, isz));
	CHECK_EQ(r32(0x8000 + 0x218), 16 << 20); /* ramdisk_image, low 32 bits */
	CHECK_EQ(r32(0x8000 + 0x0c0), 1);	 /* ext_ramdisk_image */
	CHECK_EQ(r32(0x8000 + 0x21c), isz);
	CHECK_EQ(r32(0x8000 + 0x0c4), 0);
	CHECK_EQ(r8(0x8000 + 0x1e8), 4);
	CHECK_EQ(ram.bad_writes, 0);
	/* A small one still stays below 4 GiB. */
	CHECK_EQ(load(&img, "", initrd_buf, 8192, &r, err, sizeof(err)), 0);
	CHECK_EQ(r.initrd_end, 24 << 20);
	/* Without the flag the big one is refused. */
	p16(img.b + 0x236, 0x1);
	CHECK_EQ(load(&img, "", initrd_buf, isz, &r, err, sizeof(err)), -ERANGE);
	CHECK(has(err, "initrd_addr_max"));
}

TEST(low_area_and_formats)
{
	static const struct mem_range no_low[] = {{0x100000, LOW_SIZE - 0x100000, MEM_USABLE}};
	static const struct mem_range hole[] = {{0, 0x5000, MEM_USABLE},
						{0x6000, 0x99c00, MEM_USABLE},
						{0x100000, LOW_SIZE - 0x100000, MEM_USABLE}};
	struct loader_result r;
	char err[200];

	bz_build(&img, SECTS);
	ram_setup(LOW_SIZE, 0, no_low, 1);
	CHECK_EQ(load(&img, "", NULL, 0, &r, err, sizeof(err)), -ERANGE);
	CHECK(has(err, "0x1000-0xb000"));
	ram_setup(LOW_SIZE, 0, hole, 3);
	CHECK_EQ(load(&img, "", NULL, 0, &r, err, sizeof(err)), -ERANGE);
	CHECK_EQ(ram.writes, 0);

	/* format=multiboot on a bzImage: no Multiboot header. */
	ram_std(LOW_SIZE);
	CHECK_EQ(load(&img, "format=multiboot", NULL, 0, &r, err, sizeof(err)), -EINVAL);
	CHECK(has(err, "no multiboot header"));
	/* An initrd with another format is refused. */
	CHECK_EQ(load(&img, "format=flat load=0x100000", initrd_buf, 100, &r, err, sizeof(err)),
		 -EINVAL);
	CHECK(has(err, "not a Linux kernel"));
	CHECK_EQ(load(&img, "format=flat load=0x100000", NULL, 0, &r, err, sizeof(err)), 0);
	CHECK_EQ(r.format, GUEST_FORMAT_FLAT);
	/* Detection. */
	CHECK(linux_boot_detect(img.b, img.size));
	CHECK(linux_boot_detect(img.b, 0x206));
	CHECK(!linux_boot_detect(img.b, 0x205));
	CHECK(!linux_boot_detect(NULL, 0));
	/* A NULL initrd with a size is a caller bug, reported. */
	struct guest_args ga;
	struct loader_target t = target(NULL, 5);
	guest_args_default(&ga);
	CHECK_EQ(loader_load(img.b, img.size, &ga, &t, &r, err, sizeof(err)), -EINVAL);
}

TEST(ram_write_fails)
{
	static const uint64_t at[] = {PREF,   0x8000, 0x1000, 0x2000,
				      0x4000, 0x9000, 0xa000, LOW_SIZE - 0x1000};
	struct loader_result r;
	char err[200];

	for (size_t i = 0; i < sizeof(at) / sizeof(at[0]); i++) {
		ram_std(LOW_SIZE);
		bz_build(&img, SECTS);
		ram.fail_lo = at[i];
		ram.fail_hi = at[i] + 1;
		CHECK_EQ(load(&img, "cmdline=x", initrd_buf, 4096, &r, err, sizeof(err)), -EFAULT);
		CHECK(has(err, "failed"));
	}
}

/* Random header bytes: never a crash, a write outside usable RAM, or a
 * success that breaks the placement rules. */
TEST(fuzz)
{
	uint32_t seed = 0x1badb002;
	unsigned ok = 0;

	ram_std(LOW_SIZE);
	initrd_fill(64 << 10);
	for (int iter = 0; iter < 3000; iter++) {
		struct loader_result r;
		char err[200] = "";
		int ret;

		bz_build(&img, SECTS);
		for (int k = (int)(seed % 4); k >= 0; k--) {
			seed = seed * 1103515245u + 12345u;
			unsigned off = 0x1f1 + (seed >> 8) % (0x270 - 0x1f1);
			seed = seed * 1103515245u + 12345u;
			img.b[off] = (uint8_t)(seed >> 16);
		}
		seed = seed * 1103515245u + 12345u;
		if (seed & 0x100)
			img.size -= (seed >> 12) % img.size;
		ram.writes = ram.bad_writes = 0;
		ret = load(&img, "format=linux cmdline=\"a b c\"", initrd_buf,
			   (seed >> 20) % (64 << 10), &r, err, sizeof(err));
		CHECK_EQ(ram.bad_writes, 0);
		if (ret) {
			CHECK(ret < 0);
			CHECK(err[0] != 0);
			continue;
		}
		ok++;
		CHECK_EQ(r.entry, r.image_start + 0x200);
		CHECK(r.image_start >= 0xb000 && r.image_end <= LOW_SIZE);
		CHECK(!r.initrd_end || r.initrd_start >= r.image_end ||
		      r.initrd_end <= r.image_start);
		CHECK(!r.initrd_end || r.initrd_start >= 0xb000);
	}
	CHECK(ok > 100); /* the mutations leave many images loadable */
}

/* Debian's stock kernel, if it is here. */
/* ---- an uncompressed vmlinux ---- */

#define VML_TEXT (16 * M)	   /* its segments' physical addresses, as Debian's */
#define VML_DATA (16 * M + 0x200000)
#define VML_BSS	 0x3000 /* memsz beyond filesz of the data segment */

/* ELF64 x86-64 ET_EXEC: text (0x1000 bytes, vaddr 0xffffffff81000000) and
 * data (0x800 bytes + bss) segments; the entry is startup_64's physical
 * address, as vmlinux.lds.S makes it. class32 makes an ELF32 instead. */
static void vml_build(struct bz *z, bool class32, uint64_t text_paddr)
{
	uint8_t *b = z->b;

	memset(b, 0, sizeof(z->b));
	memcpy(b, "\x7f" "ELF", 4);
	b[4] = class32 ? 1 : 2;
	b[5] = 1; /* little-endian */
	b[6] = 1;
	p16(b + 16, 2);			       /* ET_EXEC */
	p16(b + 18, class32 ? 3 : 62);	       /* EM_386, EM_X86_64 */
	p32(b + 20, 1);
	if (class32) { /* one ELF32 segment: enough to be refused */
		p32(b + 24, (uint32_t)text_paddr);
		p32(b + 28, 52);
		p16(b + 42, 32);
		p16(b + 44, 1);
		p32(b + 52, 1);
		p32(b + 56, 0x1000);
		p32(b + 60, (uint32_t)text_paddr);
		p32(b + 64, (uint32_t)text_paddr);
		p32(b + 68, 0x100);
		p32(b + 72, 0x100);
		z->size = 0x1100;
		return;
	}
	p64(b + 24, text_paddr); /* e_entry */
	p64(b + 32, 64);	 /* e_phoff */
	p16(b + 52, 64);	 /* e_ehsize */
	p16(b + 54, 56);	 /* e_phentsize */
	p16(b + 56, 2);		 /* e_phnum */
	const struct { uint64_t off, vaddr, paddr, filesz, memsz; } ph[2] = {
		{ 0x1000, 0xffffffff81000000ULL, text_paddr, 0x1000, 0x1000 },
		{ 0x2000, 0xffffffff81200000ULL, text_paddr + 0x200000, 0x800, 0x800 + VML_BSS },
	};
	for (int i = 0; i < 2; i++) {
		uint8_t *h = b + 64 + 56 * i;
		p32(h, 1); /* PT_LOAD */
		p32(h + 4, i ? 6 : 5);
		p64(h + 8, ph[i].off);
		p64(h + 16, ph[i].vaddr);
		p64(h + 24, ph[i].paddr);
		p64(h + 32, ph[i].filesz);
		p64(h + 40, ph[i].memsz);
		p64(h + 48, 0x200000);
	}
	for (size_t i = 0x1000; i < 0x2800; i++)
		b[i] = pay_byte(i);
	z->size = 0x2800;
}

static struct bz vml;

TEST(vmlinux_loaded)
{
	struct loader_result r;
	char err[160];
	static const char *const how[] = { "cmdline=\"console=ttyS0\"",
					   "format=linux cmdline=\"console=ttyS0\"" };

	initrd_fill(0x5000);
	for (int f = 0; f < 2; f++) {
		ram_std(LOW_SIZE);
		vml_build(&vml, false, VML_TEXT);
		CHECK_EQ(load(&vml, how[f], initrd_buf, 0x5000, &r, err, sizeof(err)), 0);
		CHECK_EQ(r.format, GUEST_FORMAT_LINUX);
		CHECK_EQ(r.vcpu.rip, VML_TEXT); /* e_entry, not load + 0x200 */
		CHECK_EQ(r.vcpu.gpr[RSI], 0x8000);
		CHECK_EQ(r.image_start, VML_TEXT);
		CHECK_EQ(r.image_end, VML_DATA + 0x800 + VML_BSS);
		/* The segments at their physical addresses, the bss zeroed. */
		CHECK(!memcmp(fake_at(VML_TEXT, 0x1000), vml.b + 0x1000, 0x1000));
		CHECK(!memcmp(fake_at(VML_DATA, 0x800), vml.b + 0x2000, 0x800));
		for (uint64_t a = VML_DATA + 0x800; a < VML_DATA + 0x800 + VML_BSS; a += 0x100)
			CHECK_EQ(r8(a), 0);
		/* The made-up header, at boot.rst's offsets in the zero page. */
		CHECK_EQ(r16(0x8000 + 0x1fe), 0xaa55);
		CHECK(!memcmp(fake_at(0x8000 + 0x202, 4), "HdrS", 4));
		CHECK_EQ(r16(0x8000 + 0x206), 0x020f);
		CHECK_EQ(r8(0x8000 + 0x210), 0xff); /* type_of_loader */
		CHECK_EQ(r8(0x8000 + 0x211) & 1, 1);
		CHECK_EQ(r32(0x8000 + 0x228), 0x9000); /* cmd_line_ptr */
		CHECK(!strcmp((const char *)fake_at(0x9000, 16), "console=ttyS0"));
		CHECK_EQ(r64(0x8000 + 0x258), VML_TEXT); /* pref_address */
		/* The initrd: page-aligned, clear of the kernel, its bytes there. */
		uint32_t at = r32(0x8000 + 0x218);
		CHECK_EQ(r32(0x8000 + 0x21c), 0x5000);
		CHECK_EQ(at, r.initrd_start);
		CHECK_EQ(at & 0xfff, 0);
		CHECK(at >= r.image_end || at + 0x5000 <= r.image_start);
		CHECK(!memcmp(fake_at(at, 0x5000), initrd_buf, 0x5000));
		CHECK_EQ(r8(0x8000 + 0x1e8), 3); /* e820 entries: the map */
		CHECK_EQ(ram.bad_writes, 0);
	}
}

TEST(vmlinux_refused)
{
	struct loader_result r;
	char err[160];

	ram_std(LOW_SIZE);
	vml_build(&vml, true, VML_TEXT);
	CHECK_EQ(load(&vml, "format=linux", NULL, 0, &r, err, sizeof(err)), -EINVAL);
	CHECK(has(err, "ELF64"));
	/* Auto on an ELF32 without a Multiboot header stays a Multiboot error. */
	CHECK_EQ(load(&vml, "", NULL, 0, &r, err, sizeof(err)), -EINVAL);
	CHECK(has(err, "no multiboot header"));
	/* Segments in the boot area below 0xb000. */
	ram_std(LOW_SIZE);
	vml_build(&vml, false, 0x2000);
	CHECK_EQ(load(&vml, "format=linux", NULL, 0, &r, err, sizeof(err)), -ERANGE);
	CHECK(has(err, "boot area"));
	/* Segments beyond the guest's RAM. */
	ram_std(LOW_SIZE);
	vml_build(&vml, false, 64 * M);
	CHECK(load(&vml, "format=linux", NULL, 0, &r, err, sizeof(err)) < 0);
	/* An entry outside every segment. */
	ram_std(LOW_SIZE);
	vml_build(&vml, false, VML_TEXT);
	p64(vml.b + 24, 0x500000);
	CHECK_EQ(load(&vml, "format=linux", NULL, 0, &r, err, sizeof(err)), -EINVAL);
	CHECK(has(err, "entry point"));
}

TEST(real_debian_kernel)
{
	const char *path = getenv("TERRAPIN_VMLINUZ");
	static uint8_t *k;
	long size;
	FILE *f;
	struct guest_args ga;
	struct loader_result r;
	char err[200], perr[100];

	if (!path)
		path = "/tmp/lx/k/boot/vmlinuz-6.1.0-56-amd64";
	f = fopen(path, "rb");
	if (!f) {
		printf("  (skipped: no %s)\n", path);
		return;
	}
	fseek(f, 0, SEEK_END);
	size = ftell(f);
	fseek(f, 0, SEEK_SET);
	k = malloc((size_t)size);
	CHECK_EQ(fread(k, 1, (size_t)size, f), (size_t)size);
	fclose(f);

	ram_std(128 * M);
	initrd_fill(1 << 20);
	CHECK_EQ(guest_args_parse("name=linux mem=128M cmdline=\"console=ttyS0\"", &ga, perr,
				  sizeof(perr)),
		 0);
	struct loader_target t = target(initrd_buf, 1 << 20);
	CHECK_EQ(loader_load(k, (size_t)size, &ga, &t, &r, err, sizeof(err)), 0);
	CHECK_STR(err, "");
	CHECK_EQ(r.format, GUEST_FORMAT_LINUX);
	CHECK_EQ(r.image_start, r64(0x8000 + 0x258)); /* at pref_address */
	CHECK_EQ(r.entry, r.image_start + 0x200);
	size_t setup = ((size_t)(k[0x1f1] ? k[0x1f1] : 4) + 1) * 512;
	CHECK(!memcmp(fake_at(r.image_start, (size_t)size - setup), k + setup,
		      (size_t)size - setup));
	CHECK_EQ(r.initrd_end, 128 * M);
	CHECK(r.initrd_start >= r.image_end);
	CHECK(!memcmp(fake_at(0x8000 + 0x202, 4), "HdrS", 4));
	CHECK(r16(0x8000 + 0x206) >= 0x020c);
	CHECK_EQ(ram.bad_writes, 0);
	/* 64 MiB is too little for its init_size. */
	ram_std(64 * M);
	t = target(NULL, 0);
	CHECK_EQ(loader_load(k, (size_t)size, &ga, &t, &r, err, sizeof(err)), -ERANGE);
	CHECK(has(err, "init_size"));
	free(k);
}

int main(void)
{
	RUN(accepted_and_placed);
	RUN(zero_page_fields);
	RUN(no_initrd_no_cmdline);
	RUN(e820_from_map_with_holes);
	RUN(page_tables_and_gdt);
	RUN(header_checks);
	RUN(setup_sects_zero_means_4);
	RUN(relocation);
	RUN(cmdline_size_limit);
	RUN(initrd_placement);
	RUN(initrd_above_4g);
	RUN(low_area_and_formats);
	RUN(ram_write_fails);
	RUN(fuzz);
	RUN(vmlinux_loaded);
	RUN(vmlinux_refused);
	RUN(real_debian_kernel);
	free(ram.lo);
	free(ram.hi);
	return CHECK_DONE();
}
