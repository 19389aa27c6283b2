/* Host tests for mm/gmap.c. "Host memory" is a static buffer at a pretend
 * host-physical base; to_virt rejects anything outside it. MMIO handlers count
 * calls: the copy paths must never reach a device. */
#include <stdint.h>

#include "tests/unit/check.h"

#include "mm/gmap.c"

#define HBASE 0x100000000ULL /* pretend hpa of hostmem[0] */
#define HSIZE 0x40000ULL     /* 256 KiB */
#define PG    0x1000ULL

static uint8_t hostmem[HSIZE];
static unsigned mmio_calls;

static void *host_virt(uint64_t hpa)
{
	if (hpa < HBASE || hpa - HBASE >= HSIZE)
		return NULL;
	return hostmem + (hpa - HBASE);
}

static uint64_t dev_read(void *dev, uint64_t offset, unsigned size)
{
	(void)dev;
	(void)offset;
	(void)size;
	mmio_calls++;
	return 0;
}

static void dev_write(void *dev, uint64_t offset, unsigned size, uint64_t val)
{
	(void)dev;
	(void)offset;
	(void)size;
	(void)val;
	mmio_calls++;
}

static const struct mmio_ops dev_ops = {.read = dev_read, .write = dev_write};
static const struct mmio_ops half_ops = {.read = dev_read, .write = NULL};

static struct gmap gm;

static struct gmap_slot ram(uint64_t gpa, uint64_t size, uint64_t hpa, bool ro)
{
	return (struct gmap_slot){
		.gpa = gpa, .size = size, .kind = GMAP_RAM, .readonly = ro, .hpa = hpa};
}

/* hpa means nothing in an MMIO slot: it is set to backed host memory here so
 * that only the kind can keep gmap from copying. */
static struct gmap_slot mmio(uint64_t gpa, uint64_t size)
{
	return (struct gmap_slot){.gpa = gpa,
				  .size = size,
				  .kind = GMAP_MMIO,
				  .hpa = HBASE,
				  .ops = &dev_ops,
				  .dev = &gm};
}

static int add(struct gmap_slot s)
{
	return gmap_add(&gm, &s);
}

static int sorted(const struct gmap *g)
{
	for (unsigned i = 1; i < g->count; i++)
		if (g->slot[i - 1].gpa + g->slot[i - 1].size > g->slot[i].gpa)
			return 0;
	return 1;
}

static void reset(void)
{
	gmap_init(&gm, host_virt);
	for (uint64_t i = 0; i < HSIZE; i++)
		hostmem[i] = (uint8_t)(i * 7 + (i >> 8));
	mmio_calls = 0;
}

TEST(add_validation)
{
	static const struct {
		struct gmap_slot s;
		int rc;
	} cases[] = {
		{{.gpa = 0x1000, .size = 0, .kind = GMAP_RAM, .hpa = HBASE}, -EINVAL},
		{{.gpa = 0x10, .size = 0, .kind = GMAP_MMIO, .ops = &dev_ops}, -EINVAL},
		{{.gpa = 0x1800, .size = 0x1000, .kind = GMAP_RAM, .hpa = HBASE}, -EINVAL},
		{{.gpa = 0x1000, .size = 0x800, .kind = GMAP_RAM, .hpa = HBASE}, -EINVAL},
		{{.gpa = 0x1000, .size = 0x1000, .kind = GMAP_RAM, .hpa = HBASE + 8}, -EINVAL},
		{{.gpa = 0x1000, .size = 0x1000, .kind = 0, .hpa = HBASE}, -EINVAL},
		{{.gpa = 0x1000, .size = 0x1000, .kind = 3, .hpa = HBASE}, -EINVAL},
		{{.gpa = 0x1000, .size = 0x1000, .kind = GMAP_MMIO}, -EINVAL},
		{{.gpa = 0x1000, .size = 0x1000, .kind = GMAP_MMIO, .ops = &half_ops}, -EINVAL},
		/* Wrap-around of gpa + size, and a slot reaching 2^64 exactly. */
		{{.gpa = 0xfffffffffffff000ULL, .size = 0x2000, .kind = GMAP_RAM, .hpa = HBASE},
		 -EINVAL},
		{{.gpa = 0xfffffffffffff000ULL, .size = 0x1000, .kind = GMAP_RAM, .hpa = HBASE},
		 -EINVAL},
		{{.gpa = UINT64_MAX, .size = 1, .kind = GMAP_MMIO, .ops = &dev_ops}, -EINVAL},
		{{.gpa = 0x10, .size = UINT64_MAX, .kind = GMAP_MMIO, .ops = &dev_ops}, -EINVAL},
		/* hpa + size wrapping. */
		{{.gpa = 0, .size = 0x2000, .kind = GMAP_RAM, .hpa = 0xfffffffffffff000ULL},
		 -EINVAL},
		/* Fine: the highest slots there can be, unaligned MMIO. */
		{{.gpa = 0xffffffffffffe000ULL, .size = 0x1000, .kind = GMAP_RAM, .hpa = HBASE}, 0},
		{{.gpa = UINT64_MAX - 1, .size = 1, .kind = GMAP_MMIO, .ops = &dev_ops}, 0},
		{{.gpa = 0x3, .size = 0x5, .kind = GMAP_MMIO, .ops = &dev_ops}, 0},
		{{.gpa = 0x0, .size = 0x1000, .kind = GMAP_RAM, .hpa = 0xffffffffffffe000ULL}, 0},
		{{.gpa = 0x0, .size = 0x1000, .kind = GMAP_RAM, .hpa = 0xfffffffffffff000ULL},
		 -EINVAL},
	};

	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		reset();
		CHECK_EQ(gmap_add(&gm, &cases[i].s), cases[i].rc);
		CHECK_EQ(gm.count, cases[i].rc == 0 ? 1 : 0);
	}
	CHECK_EQ(gmap_add(NULL, &cases[0].s), -EINVAL);
	CHECK_EQ(gmap_add(&gm, NULL), -EINVAL);
}

TEST(overlaps_and_adjacent)
{
	static const struct {
		uint64_t gpa, size;
		bool is_ram;
		int rc;
	} cases[] = {
		{0x10000, 0x3000, true, -EEXIST}, /* the same */
		{0xf000, 0x2000, true, -EEXIST},  /* over the start */
		{0x12000, 0x2000, true, -EEXIST}, /* over the end */
		{0x11000, 0x1000, true, -EEXIST}, /* inside */
		{0x0, 0x100000, true, -EEXIST},	  /* around both */
		{0x12fff, 1, false, -EEXIST},	  /* last byte */
		{0xffff, 2, false, -EEXIST},	  /* first byte */
		{0x1ffff, 2, false, -EEXIST},	  /* the MMIO slot's first byte */
		{0x2000f, 1, false, -EEXIST},	  /* its last byte */
		{0x13000, 0xe000, true, -EEXIST}, /* from RAM's end over the MMIO */
		{0xf000, 0x1000, true, 0},	  /* adjacent below */
		{0x13000, 0x1000, true, 0},	  /* adjacent above */
		{0x1fff0, 0x10, false, 0},	  /* adjacent below the MMIO */
		{0x20010, 0xfff0, false, 0},	  /* adjacent above the MMIO */
		{0x14000, 0xb000, true, 0},	  /* fills the gap exactly */
	};

	reset();
	CHECK_EQ(add(ram(0x10000, 0x3000, HBASE, false)), 0);
	CHECK_EQ(add(mmio(0x20000, 0x10)), 0);
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		unsigned before = gm.count;
		struct gmap_slot s = cases[i].is_ram
					     ? ram(cases[i].gpa, cases[i].size, HBASE, false)
					     : mmio(cases[i].gpa, cases[i].size);

		CHECK_EQ(gmap_add(&gm, &s), cases[i].rc);
		CHECK_EQ(gm.count, before + (cases[i].rc == 0));
		CHECK(sorted(&gm));
	}
	CHECK_EQ(gm.count, 2 + 5);
	/* The last gap, one byte too big, then exactly. */
	CHECK_EQ(add(mmio(0x1f000, 0xff1)), -EEXIST);
	CHECK_EQ(add(mmio(0x1f000, 0xff0)), 0);
	CHECK_EQ(add(mmio(0xefff, 1)), 0);
	CHECK_EQ(gm.count, 9);
	CHECK(sorted(&gm));
	for (unsigned i = 1; i < gm.count; i++) /* no byte left between them */
		CHECK_EQ(gm.slot[i - 1].gpa + gm.slot[i - 1].size, gm.slot[i].gpa);
}

TEST(sorted_insertion_and_remove)
{
	static const uint64_t order[] = {9, 3,	15, 0,	7, 12, 1, 19, 5,  11,
					 2, 18, 8,  14, 4, 17, 6, 10, 16, 13};
	const struct gmap_slot *s;

	reset();
	for (size_t i = 0; i < 20; i++)
		CHECK_EQ(add(ram(order[i] * 0x100000, 0x1000 * (order[i] + 1), HBASE, false)), 0);
	CHECK_EQ(gm.count, 20);
	for (unsigned i = 0; i < gm.count; i++) {
		CHECK_EQ(gm.slot[i].gpa, i * 0x100000);
		CHECK_EQ(gm.slot[i].size, 0x1000 * (i + 1));
	}
	CHECK_EQ(gmap_ram_bytes(&gm), 0x1000ULL * (20 * 21 / 2));
	/* Remove: only a slot's exact start. */
	CHECK_EQ(gmap_remove(&gm, 0x500001), -ENOENT);
	CHECK_EQ(gmap_remove(&gm, 0x580000), -ENOENT); /* a hole */
	CHECK_EQ(gmap_remove(&gm, 0x500000), 0);
	CHECK_EQ(gmap_remove(&gm, 0x500000), -ENOENT);
	CHECK_EQ(gmap_remove(&gm, 0x0), 0);
	CHECK_EQ(gmap_remove(&gm, 0x1300000), 0);
	CHECK_EQ(gm.count, 17);
	CHECK(sorted(&gm));
	CHECK_EQ(gm.slot[0].gpa, 0x100000);
	CHECK_EQ(gm.slot[3].gpa, 0x400000);
	CHECK_EQ(gm.slot[4].gpa, 0x600000);
	CHECK_EQ(gm.slot[16].gpa, 0x1200000);
	CHECK(gmap_find(&gm, 0x500000) == NULL);
	s = gmap_find(&gm, 0x600000);
	CHECK(s && s->size == 0x7000);
	/* And the freed place takes a new slot again. */
	CHECK_EQ(add(mmio(0x500000, 0x100000)), 0);
	CHECK(sorted(&gm));
	CHECK_EQ(gmap_remove(NULL, 0), -EINVAL);
	reset();
	CHECK_EQ(gmap_remove(&gm, 0), -ENOENT);
}

TEST(full_map)
{
	reset();
	for (unsigned i = 0; i < GMAP_MAX_SLOTS; i++)
		CHECK_EQ(add(ram((uint64_t)i * 0x2000, 0x1000, HBASE, false)), 0);
	CHECK_EQ(gm.count, GMAP_MAX_SLOTS);
	CHECK_EQ(add(ram(0x1000000, 0x1000, HBASE, false)), -ENOSPC);
	CHECK_EQ(add(mmio(0x1001, 1)), -ENOSPC);
	CHECK_EQ(add(ram(0x0, 0x1000, HBASE, false)), -EEXIST);
	CHECK_EQ(gm.count, GMAP_MAX_SLOTS);
	CHECK(sorted(&gm));
	CHECK_EQ(gmap_remove(&gm, 0x2000 * 10), 0);
	CHECK_EQ(add(mmio(0x1001, 1)), 0);
	CHECK_EQ(gm.count, GMAP_MAX_SLOTS);
	CHECK(sorted(&gm));
	CHECK_EQ(gm.slot[1].gpa, 0x1001);
	CHECK_EQ(gmap_ram_bytes(&gm), (GMAP_MAX_SLOTS - 1) * 0x1000ULL);
}

TEST(find_at_boundaries)
{
	static const struct {
		uint64_t gpa;
		int slot; /* index in gm.slot, or -1 */
	} cases[] = {
		{0, -1},
		{0xfff, -1},
		{0x1000, 0},
		{0x2fff, 0},
		{0x3000, 1}, /* adjacent: the next slot's first byte */
		{0x3fff, 1},
		{0x4000, -1},
		{0x9ffff, -1},
		{0xa0000, 2},
		{0xa0000 + 0x17, 2},
		{0xa0000 + 0x18, -1},
		{0xfffffffffffee000ULL, -1},
		{0xfffffffffffef000ULL, 3},
		{0xffffffffffffefffULL, 3},
		{0xfffffffffffff000ULL, -1},
		{UINT64_MAX, -1},
	};

	reset();
	CHECK(gmap_find(&gm, 0) == NULL);
	CHECK(gmap_find(&gm, UINT64_MAX) == NULL);
	CHECK(gmap_find(NULL, 0) == NULL);
	CHECK_EQ(add(ram(0x1000, 0x2000, HBASE, false)), 0);
	CHECK_EQ(add(ram(0x3000, 0x1000, HBASE + 0x8000, false)), 0);
	CHECK_EQ(add(mmio(0xa0000, 0x18)), 0);
	CHECK_EQ(add(ram(0xfffffffffffef000ULL, 0x10000, HBASE, true)), 0);
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		const struct gmap_slot *s = gmap_find(&gm, cases[i].gpa);

		if (cases[i].slot < 0) {
			if (s)
				printf("  case %zu: found a slot\n", i);
			CHECK(s == NULL);
		} else {
			CHECK(s == &gm.slot[cases[i].slot]);
		}
	}
}

TEST(translate)
{
	static const struct {
		uint64_t gpa, len;
		int rc;
		uint64_t hpa;
	} cases[] = {
		{0x1000, 0x1000, 0, HBASE},
		{0x1234, 0x10, 0, HBASE + 0x234},
		{0x1000, 0x2000, 0, HBASE},	      /* the whole slot */
		{0x2fff, 1, 0, HBASE + 0x1fff},	      /* its last byte */
		{0x1000, 0x2001, -EFAULT, 0},	      /* one past */
		{0x2fff, 2, -EFAULT, 0},	      /* into the adjacent slot */
		{0x3000, 0x1000, 0, HBASE + 0x8000},  /* the adjacent slot itself */
		{0x5000, 0x1000, 0, HBASE + 0x10000}, /* read-only RAM translates */
		{0xfff, 1, -EFAULT, 0},		      /* hole */
		{0xa0000, 4, -EFAULT, 0},	      /* MMIO */
		{0x1000, UINT64_MAX, -EFAULT, 0},     /* gpa + len wraps */
		{0x2000, 0xfffffffffffff000ULL, -EFAULT, 0},
		{0x1800, 0, 0, HBASE + 0x800}, /* length 0: gpa alone */
		{0x800, 0, -EFAULT, 0},
		{UINT64_MAX, 1, -EFAULT, 0},
	};

	reset();
	CHECK_EQ(add(ram(0x1000, 0x2000, HBASE, false)), 0);
	CHECK_EQ(add(ram(0x3000, 0x1000, HBASE + 0x8000, false)), 0);
	CHECK_EQ(add(ram(0x5000, 0x1000, HBASE + 0x10000, true)), 0);
	CHECK_EQ(add(mmio(0xa0000, 0x18)), 0);
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		uint64_t hpa = 0x5a5a;

		CHECK_EQ(gmap_translate(&gm, cases[i].gpa, cases[i].len, &hpa), cases[i].rc);
		CHECK_EQ(hpa, cases[i].rc == 0 ? cases[i].hpa : 0x5a5a);
	}
	CHECK_EQ(gmap_translate(&gm, 0x1000, 1, NULL), 0);
	CHECK_EQ(gmap_translate(NULL, 0x1000, 1, NULL), -EFAULT);
}

/* Two slots adjacent in guest-physical space, far apart in host memory. */
TEST(copy_across_adjacent_slots)
{
	uint8_t out[0x1800], in[0x1800];

	reset();
	CHECK_EQ(add(ram(0x10000, 0x2000, HBASE + 0x20000, false)), 0);
	CHECK_EQ(add(ram(0x12000, 0x1000, HBASE + 0x4000, false)), 0);
	for (size_t i = 0; i < sizeof(out); i++)
		out[i] = (uint8_t)(0x80 + i * 13);
	CHECK_EQ(gmap_write(&gm, 0x11800, out, sizeof(out)), 0);
	CHECK(memcmp(hostmem + 0x21800, out, 0x800) == 0);
	CHECK(memcmp(hostmem + 0x4000, out + 0x800, 0x1000) == 0);
	CHECK_EQ(hostmem[0x217ff], (uint8_t)(0x217ff * 7 + (0x217ff >> 8))); /* untouched */
	CHECK_EQ(hostmem[0x5000], (uint8_t)(0x5000 * 7 + (0x5000 >> 8)));
	memset(in, 0, sizeof(in));
	CHECK_EQ(gmap_read(&gm, 0x11800, in, sizeof(in)), 0);
	CHECK(memcmp(in, out, sizeof(in)) == 0);
	/* Every length across the seam, one byte up to a page. */
	for (size_t len = 1; len <= 0x1000; len += 0x3f) {
		memset(in, 0, sizeof(in));
		CHECK_EQ(gmap_read(&gm, 0x12000 - len / 2, in, len), 0);
		CHECK(memcmp(in, out + 0x800 - len / 2, len) == 0);
	}
	/* The whole of both, exactly. */
	CHECK_EQ(gmap_read(&gm, 0x10000, hostmem + 0x30000, 0x3000), 0);
	CHECK(memcmp(hostmem + 0x30000, hostmem + 0x20000, 0x2000) == 0);
	CHECK(memcmp(hostmem + 0x32000, hostmem + 0x4000, 0x1000) == 0);
	/* One byte more runs off the end. */
	CHECK_EQ(gmap_read(&gm, 0x10000, hostmem + 0x30000, 0x3001), -EFAULT);
	CHECK_EQ(mmio_calls, 0);
}

/* A range that touches anything but RAM copies nothing at all. */
TEST(copy_into_mmio_or_hole_copies_nothing)
{
	static const struct {
		uint64_t gpa;
		size_t len;
	} bad[] = {
		{0x1f000, 0x1001},  /* RAM then one byte of MMIO */
		{0x20000, 4},	    /* MMIO alone */
		{0x1f800, 0x10000}, /* RAM, MMIO, RAM, beyond */
		{0x20fff, 2},	    /* MMIO then RAM */
		{0x22000, 0x1001},  /* RAM then a hole */
		{0x1e000, 0x1001},  /* a hole then RAM */
		{0x30000, 8},	    /* RAM with no host backing */
		{0x22fff, 0x10002}, /* RAM, hole, unbacked RAM */
		{0x2f800, 0x1000},  /* backed RAM, then unbacked adjacent RAM */
	};
	uint8_t buf[0x10000], snap[0x10000];
	static uint8_t host_snap[HSIZE];

	reset();
	CHECK_EQ(add(ram(0x1f000, 0x1000, HBASE, false)), 0);
	CHECK_EQ(add(mmio(0x20000, 0x1000)), 0);
	CHECK_EQ(add(ram(0x21000, 0x2000, HBASE + 0x2000, false)), 0);
	CHECK_EQ(add(ram(0x30000, 0x1000, HBASE + HSIZE, false)), 0); /* to_virt says no */
	CHECK_EQ(add(ram(0x2f000, 0x1000, HBASE + 0x8000, false)), 0);
	memcpy(host_snap, hostmem, HSIZE);
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		memset(buf, 0xee, sizeof(buf));
		memcpy(snap, buf, sizeof(buf));
		CHECK_EQ(gmap_read(&gm, bad[i].gpa, buf, bad[i].len), -EFAULT);
		CHECK(memcmp(buf, snap, sizeof(buf)) == 0);
		CHECK_EQ(gmap_write(&gm, bad[i].gpa, buf, bad[i].len), -EFAULT);
		CHECK(memcmp(hostmem, host_snap, HSIZE) == 0);
	}
	CHECK_EQ(mmio_calls, 0);
	/* A map without to_virt backs nothing. */
	gm.to_virt = NULL;
	CHECK_EQ(gmap_read(&gm, 0x1f000, buf, 1), -EFAULT);
	CHECK_EQ(gmap_write(&gm, 0x1f000, buf, 1), -EFAULT);
	CHECK(memcmp(hostmem, host_snap, HSIZE) == 0);
}

TEST(readonly_ram)
{
	uint8_t buf[0x2000];
	static uint8_t host_snap[HSIZE];

	reset();
	CHECK_EQ(add(ram(0xe0000, 0x1000, HBASE + 0x1000, false)), 0);
	CHECK_EQ(add(ram(0xf0000, 0x10000, HBASE + 0x10000, true)), 0); /* a ROM */
	CHECK_EQ(add(ram(0xe1000, 0x1000, HBASE + 0x3000, true)), 0);
	memcpy(host_snap, hostmem, HSIZE);
	memset(buf, 0x42, sizeof(buf));
	CHECK_EQ(gmap_write(&gm, 0xf0000, buf, 1), -EFAULT);
	CHECK_EQ(gmap_write(&gm, 0xfffff, buf, 1), -EFAULT);
	/* Writable then read-only: the writable part stays untouched too. */
	CHECK_EQ(gmap_write(&gm, 0xe0800, buf, 0x1000), -EFAULT);
	CHECK(memcmp(hostmem, host_snap, HSIZE) == 0);
	/* Reads are fine, across the RW/RO seam as well. */
	CHECK_EQ(gmap_read(&gm, 0xe0800, buf, 0x1000), 0);
	CHECK(memcmp(buf, hostmem + 0x1800, 0x800) == 0);
	CHECK(memcmp(buf + 0x800, hostmem + 0x3000, 0x800) == 0);
	CHECK_EQ(gmap_read(&gm, 0xfff00, buf, 0x100), 0);
	CHECK(memcmp(buf, hostmem + 0x1ff00, 0x100) == 0);
	/* The writable slot alone takes writes. */
	CHECK_EQ(gmap_write(&gm, 0xe0000, buf, 0x1000), 0);
	CHECK(memcmp(hostmem + 0x1000, buf, 0x1000) == 0);
}

TEST(wrap_around)
{
	uint8_t buf[0x3000];

	reset();
	CHECK_EQ(add(ram(0x0, 0x2000, HBASE, false)), 0);
	CHECK_EQ(add(ram(0xffffffffffffd000ULL, 0x2000, HBASE + 0x4000, false)), 0);
	CHECK_EQ(add(mmio(0xfffffffffffff000ULL, 0xfff)), 0);
	/* In the top slot: fine, right up to its end. */
	CHECK_EQ(gmap_read(&gm, 0xffffffffffffd000ULL, buf, 0x2000), 0);
	CHECK(memcmp(buf, hostmem + 0x4000, 0x2000) == 0);
	CHECK_EQ(gmap_write(&gm, 0xffffffffffffe000ULL, buf, 0x1000), 0);
	/* Past it, and past 2^64 into the slot at 0. */
	CHECK_EQ(gmap_read(&gm, 0xffffffffffffd000ULL, buf, 0x2001), -EFAULT);
	CHECK_EQ(gmap_read(&gm, 0xfffffffffffff000ULL, buf, 0x2000), -EFAULT);
	CHECK_EQ(gmap_read(&gm, UINT64_MAX, buf, 2), -EFAULT);
	CHECK_EQ(gmap_read(&gm, UINT64_MAX, buf, 1), -EFAULT);
	CHECK_EQ(gmap_write(&gm, 0xffffffffffffe000ULL, buf, 0x3000), -EFAULT);
	/* Lengths that would wrap the address space by themselves. */
	CHECK_EQ(gmap_read(&gm, 0x1000, buf, SIZE_MAX), -EFAULT);
	CHECK_EQ(gmap_write(&gm, 0x1000, buf, SIZE_MAX), -EFAULT);
	CHECK_EQ(gmap_read(&gm, 0xffffffffffffd000ULL, buf, (size_t)0x3000 + 0x1000), -EFAULT);
	CHECK_EQ(gmap_translate(&gm, 0xffffffffffffe000ULL, 0x2001, NULL), -EFAULT);
	CHECK_EQ(gmap_translate(&gm, 0xffffffffffffe000ULL, UINT64_MAX, NULL), -EFAULT);
	CHECK_EQ(mmio_calls, 0);
}

TEST(zero_length)
{
	static uint8_t host_snap[HSIZE];
	uint8_t b = 0x77;

	reset();
	CHECK_EQ(add(ram(0x1000, 0x1000, HBASE, true)), 0);
	CHECK_EQ(add(mmio(0x2000, 0x10)), 0);
	memcpy(host_snap, hostmem, HSIZE);
	static const uint64_t gpas[] = {0, 0x1000, 0x1fff, 0x2000, UINT64_MAX};
	for (size_t i = 0; i < sizeof(gpas) / sizeof(gpas[0]); i++) {
		CHECK_EQ(gmap_read(&gm, gpas[i], &b, 0), 0);
		CHECK_EQ(gmap_write(&gm, gpas[i], &b, 0), 0);
		CHECK_EQ(gmap_read(&gm, gpas[i], NULL, 0), 0);
		CHECK_EQ(gmap_write(&gm, gpas[i], NULL, 0), 0);
	}
	CHECK_EQ(b, 0x77);
	CHECK(memcmp(hostmem, host_snap, HSIZE) == 0);
	CHECK_EQ(gmap_read(&gm, 0x1000, NULL, 1), -EINVAL);
	CHECK_EQ(gmap_write(&gm, 0x1000, NULL, 1), -EINVAL);
	CHECK_EQ(gmap_read(NULL, 0x1000, &b, 1), -EINVAL);
	CHECK_EQ(gmap_write(NULL, 0x1000, &b, 1), -EINVAL);
	CHECK_EQ(gmap_ram_bytes(NULL), 0);
	CHECK_EQ(mmio_calls, 0);
}

/* ---- random slot sets and accesses against a byte-level reference model ---- */

#define WIN   0x40000ULL /* the guest-physical window slots are put in */
#define EXTRA 0x10000ULL /* how far past it a slot (at 0) can reach */

struct model {
	struct gmap_slot slot[GMAP_MAX_SLOTS];
	unsigned count;
	int16_t owner[WIN + EXTRA]; /* model slot index per byte of the window, or -1 */
	uint64_t base;
};

static struct model md;
static uint8_t shadow[HSIZE];
static uint64_t rng_state;

static uint64_t rng(void)
{
	rng_state ^= rng_state >> 12;
	rng_state ^= rng_state << 25;
	rng_state ^= rng_state >> 27;
	return rng_state * 0x2545f4914f6cdd1dULL;
}

static void model_owners(void)
{
	for (uint64_t i = 0; i < WIN + EXTRA; i++)
		md.owner[i] = -1;
	for (unsigned k = 0; k < md.count; k++) {
		uint64_t off = md.slot[k].gpa - md.base;

		for (uint64_t i = 0; i < md.slot[k].size && off + i < WIN + EXTRA; i++)
			md.owner[off + i] = (int16_t)k;
	}
}

static int model_add(const struct gmap_slot *s)
{
	if (!s->size || s->size > UINT64_MAX - s->gpa)
		return -EINVAL;
	if (s->kind == GMAP_RAM && ((s->gpa | s->size | s->hpa) & 0xfff))
		return -EINVAL;
	for (unsigned k = 0; k < md.count; k++) {
		const struct gmap_slot *o = &md.slot[k];

		if (s->gpa < o->gpa + o->size && o->gpa < s->gpa + s->size)
			return -EEXIST;
	}
	if (md.count == GMAP_MAX_SLOTS)
		return -ENOSPC;
	md.slot[md.count++] = *s;
	model_owners();
	return 0;
}

static int model_remove(uint64_t gpa)
{
	for (unsigned k = 0; k < md.count; k++) {
		if (md.slot[k].gpa == gpa) {
			md.slot[k] = md.slot[--md.count];
			model_owners();
			return 0;
		}
	}
	return -ENOENT;
}

/* The model slot holding gpa, or NULL. */
static const struct gmap_slot *model_at(uint64_t gpa)
{
	uint64_t off = gpa - md.base;

	if (off >= WIN + EXTRA || md.owner[off] < 0)
		return NULL;
	return &md.slot[md.owner[off]];
}

static bool backed(const struct gmap_slot *s)
{
	return s->hpa >= HBASE && s->hpa - HBASE < HSIZE;
}

/* Expected rc of an access; on success fills hoff[] with each byte's offset in
 * host memory. Bytes are taken one at a time, the slow obvious way. */
static int model_access(uint64_t gpa, uint64_t len, bool write, uint64_t *hoff)
{
	for (uint64_t i = 0; i < len; i++) {
		const struct gmap_slot *s;

		if (gpa + i < gpa)
			return -EFAULT; /* wrapped past 2^64 */
		s = model_at(gpa + i);
		if (!s || s->kind != GMAP_RAM || (write && s->readonly) || !backed(s))
			return -EFAULT;
		hoff[i] = s->hpa - HBASE + (gpa + i - s->gpa);
	}
	return 0;
}

static struct gmap_slot random_slot(void)
{
	struct gmap_slot s;
	uint64_t r = rng() % 100;

	if (r < 60) {
		uint64_t size = (rng() % 8 + 1) * PG;

		s = ram(md.base + (rng() % (WIN / PG)) * PG, size,
			HBASE + (rng() % ((HSIZE - size) / PG + 1)) * PG, rng() % 4 == 0);
		if (rng() % 10 == 0)
			s.hpa = HBASE + HSIZE + (rng() % 16) * PG; /* not backed */
		if (rng() % 20 == 0)
			s.gpa += rng() % PG; /* unaligned */
		if (rng() % 20 == 0)
			s.size += rng() % PG;
		if (rng() % 20 == 0)
			s.hpa += rng() % PG;
	} else {
		s = mmio(md.base + rng() % WIN, rng() % 0x3000 + 1);
	}
	if (rng() % 50 == 0)
		s.size = 0;
	return s;
}

static int check_against_model(int op)
{
	uint64_t ram = 0;

	if (gm.count != md.count || !sorted(&gm)) {
		printf("  op %d: %u slots, model %u\n", op, gm.count, md.count);
		return 0;
	}
	for (unsigned k = 0; k < md.count; k++)
		if (md.slot[k].kind == GMAP_RAM)
			ram += md.slot[k].size;
	if (gmap_ram_bytes(&gm) != ram) {
		printf("  op %d: ram bytes\n", op);
		return 0;
	}
	/* find and translate at random addresses, slot edges included. */
	for (int n = 0; n < 8; n++) {
		uint64_t gpa = md.base + rng() % (WIN + 0x100);
		const struct gmap_slot *want, *got;
		uint64_t len = rng() % 0x2000, hpa = 0;
		int rc;

		if (n < 2 && md.count) {
			const struct gmap_slot *e = &md.slot[rng() % md.count];

			gpa = n ? e->gpa + e->size - 1 : e->gpa;
		}
		want = model_at(gpa);
		got = gmap_find(&gm, gpa);
		if (!want != !got || (want && (want->gpa != got->gpa || want->size != got->size ||
					       want->kind != got->kind))) {
			printf("  op %d: find 0x%llx\n", op, (unsigned long long)gpa);
			return 0;
		}
		rc = gmap_translate(&gm, gpa, len, &hpa);
		bool ok = want && want->kind == GMAP_RAM && len <= want->size - (gpa - want->gpa);
		if (rc != (ok ? 0 : -EFAULT) || (ok && hpa != want->hpa + (gpa - want->gpa))) {
			printf("  op %d: translate 0x%llx+0x%llx\n", op, (unsigned long long)gpa,
			       (unsigned long long)len);
			return 0;
		}
	}
	return 1;
}

static void fuzz(uint64_t base, uint64_t seed, int ops)
{
	static uint8_t buf[0x4000], snap[0x4000];
	static uint64_t hoff[0x4000];
	int bad = 0;

	rng_state = seed;
	reset();
	memset(&md, 0, sizeof(md));
	md.base = base;
	model_owners();
	memcpy(shadow, hostmem, HSIZE);
	for (int op = 0; op < ops && !bad; op++) {
		uint64_t r = rng() % 100;

		if (r < 35) {
			struct gmap_slot s = random_slot();
			int want = model_add(&s), got = gmap_add(&gm, &s);

			if (want != got) {
				printf("  op %d: add 0x%llx+0x%llx kind %d: %d, model %d\n", op,
				       (unsigned long long)s.gpa, (unsigned long long)s.size,
				       s.kind, got, want);
				bad = 1;
			}
		} else if (r < 45) {
			uint64_t gpa = md.count && rng() % 2 ? md.slot[rng() % md.count].gpa
							     : md.base + rng() % WIN;
			int want = model_remove(gpa), got = gmap_remove(&gm, gpa);

			if (want != got) {
				printf("  op %d: remove 0x%llx: %d, model %d\n", op,
				       (unsigned long long)gpa, got, want);
				bad = 1;
			}
		} else {
			bool write = rng() % 2;
			uint64_t gpa = md.base + rng() % WIN;
			uint64_t len = rng() % 4 == 0 ? rng() % 16 : rng() % sizeof(buf);
			int want, got;

			if (md.count && rng() % 2) /* start at or near a slot edge */
				gpa = md.slot[rng() % md.count].gpa + rng() % 3 - 1;
			want = model_access(gpa, len, write, hoff);
			for (uint64_t i = 0; i < sizeof(buf); i++)
				buf[i] = (uint8_t)rng();
			memcpy(snap, buf, sizeof(buf));
			if (write) {
				got = gmap_write(&gm, gpa, buf, len);
				if (want == 0)
					for (uint64_t i = 0; i < len; i++)
						shadow[hoff[i]] = buf[i];
			} else {
				got = gmap_read(&gm, gpa, buf, len);
				if (want == 0)
					for (uint64_t i = 0; i < len; i++)
						snap[i] = shadow[hoff[i]];
			}
			if (got != want || memcmp(buf, snap, sizeof(buf)) != 0 ||
			    memcmp(hostmem, shadow, HSIZE) != 0) {
				printf("  op %d: %s 0x%llx+0x%llx: %d, model %d\n", op,
				       write ? "write" : "read", (unsigned long long)gpa,
				       (unsigned long long)len, got, want);
				bad = 1;
			}
		}
		if (!bad && !check_against_model(op))
			bad = 1;
	}
	CHECK(!bad);
	CHECK_EQ(mmio_calls, 0);
}

TEST(fuzz_low)
{
	fuzz(0, 0x9a9a0001, 3000);
}

/* The top of the address space: slots up to 2^64 - 1, accesses that wrap. */
TEST(fuzz_top)
{
	fuzz(0ULL - WIN, 0x9a9a0002, 3000);
}

int main(void)
{
	RUN(add_validation);
	RUN(overlaps_and_adjacent);
	RUN(sorted_insertion_and_remove);
	RUN(full_map);
	RUN(find_at_boundaries);
	RUN(translate);
	RUN(copy_across_adjacent_slots);
	RUN(copy_into_mmio_or_hole_copies_nothing);
	RUN(readonly_ram);
	RUN(wrap_around);
	RUN(zero_length);
	RUN(fuzz_low);
	RUN(fuzz_top);
	return CHECK_DONE();
}
