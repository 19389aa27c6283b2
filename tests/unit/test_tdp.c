/* Host tests for mm/tdp.c. Table memory is a fake physical memory: malloc'd pages
 * registered at pretend physical addresses, so the callbacks can count every
 * allocation and free, reject bad addresses, and fail on demand. */
#include <stdint.h>

#include "tests/unit/check.h"

#include "mm/tdp.c"

/* ---- fake physical memory ---- */

#define FAKE_PAGES 4096
#define FAKE_BASE  0x7f0000000ULL /* pretend pa of page 0 */

struct fake_mem {
	uint64_t *page[FAKE_PAGES];
	uint64_t allocs, frees, live;
	uint64_t bad_frees; /* free of a pa that is not a live table */
	long fail_after;    /* allocations left before failing; < 0: never fail */
	bool dirty;	    /* hand out garbage-filled pages (the contract says zeroed) */
	bool misaligned;    /* hand out a page's address + 8 once */
	bool lenient;	    /* to_virt/free round addresses down, like a direct map */
};

static struct fake_mem fm;

static void fake_reset(void)
{
	for (int i = 0; i < FAKE_PAGES; i++)
		free(fm.page[i]);
	memset(&fm, 0, sizeof(fm));
	fm.fail_after = -1;
}

static uint64_t fake_alloc(void *ctx)
{
	(void)ctx;
	if (fm.fail_after == 0)
		return 0;
	if (fm.fail_after > 0)
		fm.fail_after--;
	for (int i = 0; i < FAKE_PAGES; i++) {
		if (fm.page[i])
			continue;
		fm.page[i] = aligned_alloc(4096, 4096);
		memset(fm.page[i], fm.dirty ? 0xa5 : 0, 4096);
		fm.allocs++;
		fm.live++;
		if (fm.misaligned) {
			fm.misaligned = false;
			return FAKE_BASE + (uint64_t)i * 4096 + 8;
		}
		return FAKE_BASE + (uint64_t)i * 4096;
	}
	return 0;
}

static int fake_index(uint64_t pa)
{
	if (fm.lenient)
		pa &= ~0xfffULL;
	if (pa < FAKE_BASE || (pa & 0xfff) || (pa - FAKE_BASE) / 4096 >= FAKE_PAGES)
		return -1;
	int i = (int)((pa - FAKE_BASE) / 4096);
	return fm.page[i] ? i : -1;
}

static void fake_free(void *ctx, uint64_t pa)
{
	int i = fake_index(pa);

	(void)ctx;
	if (i < 0) {
		fm.bad_frees++;
		return;
	}
	free(fm.page[i]);
	fm.page[i] = NULL;
	fm.frees++;
	fm.live--;
}

static void *fake_virt(void *ctx, uint64_t pa)
{
	int i = fake_index(pa);

	(void)ctx;
	return i < 0 ? NULL : fm.page[i];
}

static const struct tdp_mm fake_mm = {
	.alloc_table = fake_alloc,
	.free_table = fake_free,
	.to_virt = fake_virt,
	.ctx = NULL,
};

/* ---- helpers ---- */

static struct tdp_format ept1g, npt1g; /* the formats with 1 GiB leaves allowed */

static void formats_init(void)
{
	ept1g = tdp_ept;
	ept1g.allow_1g = true;
	npt1g = tdp_npt;
	npt1g.allow_1g = true;
}

static int new_tdp(struct tdp *t, const struct tdp_format *fmt)
{
	fake_reset();
	memset(t, 0, sizeof(*t));
	return tdp_init(t, fmt, &fake_mm);
}

/* Count the tables reachable from root, checking that no non-root table is
 * empty (tdp frees those) and that every table pointer is a live fake page. */
static int recount(const struct tdp *t, uint64_t pa, int level, bool root, uint64_t *n)
{
	const uint64_t *tab = fake_virt(NULL, pa);
	bool empty = true;

	if (!tab)
		return 0;
	(*n)++;
	for (int i = 0; i < 512; i++) {
		uint64_t e = tab[i];

		if (e)
			empty = false;
		if (level > 1 && (e & t->fmt->present) && !(level <= 3 && (e & t->fmt->large)))
			if (!recount(t, e & t->fmt->addr_mask, level - 1, false, n))
				return 0;
	}
	return root || !empty;
}

/* tables == what is reachable == what fake memory has live; no bad free. */
static int consistent(const struct tdp *t)
{
	uint64_t n = 0;

	if (!recount(t, t->root, 4, true, &n)) {
		printf("  bad table tree\n");
		return 0;
	}
	if (n != t->tables || n != fm.live || fm.bad_frees) {
		printf("  reachable %llu, tables %llu, live %llu, bad frees %llu\n",
		       (unsigned long long)n, (unsigned long long)t->tables,
		       (unsigned long long)fm.live, (unsigned long long)fm.bad_frees);
		return 0;
	}
	return 1;
}

/* A leaf's expected bits, written out from the manuals rather than from the
 * format struct. */
#define EPT_WB (6ULL << 3)
#define EPT_PS (1ULL << 7)
#define NPT_P  1ULL
#define NPT_W  2ULL
#define NPT_U  4ULL
#define NPT_PS (1ULL << 7)
#define NPT_NX (1ULL << 63)

static uint64_t ept_leaf(uint64_t hpa, unsigned perms, bool large)
{
	return hpa | perms | EPT_WB | (large ? EPT_PS : 0);
}

static uint64_t npt_leaf(uint64_t hpa, unsigned perms, bool large)
{
	return hpa | NPT_P | NPT_U | ((perms & TDP_W) ? NPT_W : 0) |
	       ((perms & TDP_X) ? 0 : NPT_NX) | (large ? NPT_PS : 0);
}

static uint64_t expect_leaf(const struct tdp *t, uint64_t hpa, unsigned perms, bool large)
{
	return t->fmt->nx ? npt_leaf(hpa, perms, large) : ept_leaf(hpa, perms, large);
}

/* Non-leaf entries grant everything: EPT RWX, NPT P|W|U (no NX). */
static uint64_t expect_table(const struct tdp *t, uint64_t pa)
{
	return pa | (t->fmt->nx ? NPT_P | NPT_W | NPT_U : 7ULL);
}

/* Walk gpa and check it maps to hpa with perms through a leaf of page_size,
 * the table entries on the way being exact. */
static int walk_is(const struct tdp *t, uint64_t gpa, uint64_t hpa, unsigned perms,
		   uint64_t page_size)
{
	struct tdp_walk w;
	int levels = page_size == TDP_1G ? 2 : page_size == TDP_2M ? 3 : 4;
	int ok = 1;

	if (tdp_walk(t, gpa, &w) != 0 || !w.mapped) {
		printf("  gpa 0x%llx not mapped\n", (unsigned long long)gpa);
		return 0;
	}
	ok &= w.levels == levels && w.page_size == page_size && w.hpa == hpa && w.perms == perms;
	ok &= w.table[0] == t->root;
	for (int i = 0; i + 1 < w.levels; i++) {
		ok &= w.entry[i] == expect_table(t, w.table[i + 1]);
		ok &= w.table[i + 1] != 0;
	}
	ok &= w.entry[w.levels - 1] ==
	      expect_leaf(t, hpa & ~(page_size - 1), perms, page_size != TDP_4K);
	if (!ok)
		printf("  gpa 0x%llx: levels %d size 0x%llx hpa 0x%llx perms %u leaf 0x%llx\n",
		       (unsigned long long)gpa, w.levels, (unsigned long long)w.page_size,
		       (unsigned long long)w.hpa, w.perms,
		       (unsigned long long)w.entry[w.levels - 1]);
	return ok;
}

static int unmapped(const struct tdp *t, uint64_t gpa)
{
	struct tdp_walk w;

	return tdp_walk(t, gpa, &w) == 0 && !w.mapped && w.levels >= 1 &&
	       w.entry[w.levels - 1] == 0 && w.perms == 0;
}

/* ---- tests ---- */

TEST(format_bits)
{
	CHECK_STR(tdp_ept.name, "ept");
	CHECK_EQ(tdp_ept.r, 1);
	CHECK_EQ(tdp_ept.w, 2);
	CHECK_EQ(tdp_ept.x, 4);
	CHECK(!tdp_ept.nx);
	CHECK_EQ(tdp_ept.present, 7);
	CHECK_EQ(tdp_ept.large, 0x80);
	CHECK_EQ(tdp_ept.leaf_fixed, 0x30);
	CHECK_EQ(tdp_ept.table_fixed, 7);
	CHECK_EQ(tdp_ept.addr_mask, 0x000ffffffffff000ULL);
	CHECK(!tdp_ept.allow_1g);

	CHECK_STR(tdp_npt.name, "npt");
	CHECK_EQ(tdp_npt.r, 1);
	CHECK_EQ(tdp_npt.w, 2);
	CHECK_EQ(tdp_npt.x, 1ULL << 63);
	CHECK(tdp_npt.nx);
	CHECK_EQ(tdp_npt.present, 1);
	CHECK_EQ(tdp_npt.large, 0x80);
	CHECK_EQ(tdp_npt.leaf_fixed, 5);
	CHECK_EQ(tdp_npt.table_fixed, 7);
	CHECK_EQ(tdp_npt.addr_mask, 0x000ffffffffff000ULL);
	CHECK(!tdp_npt.allow_1g);
}

TEST(entry_perms)
{
	static const struct {
		const struct tdp_format *fmt;
		uint64_t entry;
		unsigned perms;
	} cases[] = {
		{&tdp_ept, 0, 0},
		{&tdp_ept, 0x1000 | EPT_WB, 0}, /* memory type alone: not present */
		{&tdp_ept, 0x1000 | 1, TDP_R},
		{&tdp_ept, 0x1000 | 3, TDP_R | TDP_W},
		{&tdp_ept, 0x1000 | 4, TDP_X},
		{&tdp_ept, 0x1000 | 7 | EPT_WB | EPT_PS, TDP_RWX},
		{&tdp_ept, 1ULL << 63 | 5, TDP_R | TDP_X},
		{&tdp_npt, 0, 0},
		{&tdp_npt, 0x1000 | NPT_W | NPT_U, 0}, /* no P */
		{&tdp_npt, 0x1000 | NPT_P | NPT_U | NPT_NX, TDP_R},
		{&tdp_npt, 0x1000 | NPT_P | NPT_W | NPT_NX, TDP_R | TDP_W},
		{&tdp_npt, 0x1000 | NPT_P, TDP_R | TDP_X},
		{&tdp_npt, NPT_P | NPT_W | NPT_U | NPT_PS, TDP_RWX},
	};

	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++)
		CHECK_EQ(tdp_entry_perms(cases[i].fmt, cases[i].entry), cases[i].perms);
	CHECK_EQ(tdp_entry_perms(NULL, 7), 0);
}

TEST(init_and_destroy)
{
	struct tdp t;
	struct tdp_mm bad = fake_mm;

	CHECK_EQ(new_tdp(&t, &tdp_ept), 0);
	CHECK_EQ(t.tables, 1);
	CHECK(fake_index(t.root) >= 0);
	CHECK(consistent(&t));
	tdp_destroy(&t);
	CHECK_EQ(t.root, 0);
	CHECK_EQ(t.tables, 0);
	CHECK_EQ(fm.live, 0);
	tdp_destroy(&t); /* twice is harmless */
	CHECK_EQ(fm.frees, 1);
	CHECK_EQ(fm.bad_frees, 0);

	fake_reset();
	CHECK_EQ(tdp_init(NULL, &tdp_ept, &fake_mm), -EINVAL);
	CHECK_EQ(tdp_init(&t, NULL, &fake_mm), -EINVAL);
	CHECK_EQ(tdp_init(&t, &tdp_ept, NULL), -EINVAL);
	bad.to_virt = NULL;
	CHECK_EQ(tdp_init(&t, &tdp_ept, &bad), -EINVAL);
	bad = fake_mm;
	bad.alloc_table = NULL;
	CHECK_EQ(tdp_init(&t, &tdp_ept, &bad), -EINVAL);
	bad = fake_mm;
	bad.free_table = NULL;
	CHECK_EQ(tdp_init(&t, &tdp_ept, &bad), -EINVAL);
	CHECK_EQ(fm.allocs, 0);

	fm.fail_after = 0;
	CHECK_EQ(tdp_init(&t, &tdp_npt, &fake_mm), -ENOMEM);
	CHECK_EQ(t.root, 0);
	CHECK_EQ(t.tables, 0);
	tdp_destroy(&t);
	/* An unusable (unaligned) table address is given back, not used, even
	 * when to_virt would accept it. */
	fm.fail_after = -1;
	fm.misaligned = true;
	fm.lenient = true;
	CHECK_EQ(tdp_init(&t, &tdp_npt, &fake_mm), -EFAULT);
	CHECK_EQ(t.root, 0);
	CHECK_EQ(fm.live, 0);
	CHECK_EQ(fm.bad_frees, 0);
	fm.lenient = false;
	/* Operations on a tdp without a root are refused, not crashed. */
	CHECK_EQ(tdp_map(&t, 0, 0, TDP_4K, TDP_RWX), -EINVAL);
	CHECK_EQ(tdp_unmap(&t, 0, TDP_4K), -EINVAL);
	fake_reset();
}

/* Every perms value, exact leaf bits in both formats (4 KiB leaves). */
TEST(map_4k_perms)
{
	static const struct {
		unsigned perms;
		int rc;
		bool ept_mapped, npt_mapped;
	} cases[] = {
		{0, 0, false, false},
		{TDP_R, 0, true, true},
		{TDP_R | TDP_W, 0, true, true},
		{TDP_R | TDP_X, 0, true, true},
		{TDP_RWX, 0, true, true},
		{TDP_X, 0, true, false}, /* EPT execute-only; NPT cannot say it */
		{TDP_W, -EINVAL, false, false},
		{TDP_W | TDP_X, -EINVAL, false, false},
		{8, -EINVAL, false, false},
		{TDP_RWX | 16, -EINVAL, false, false},
	};
	const struct tdp_format *fmts[] = {&tdp_ept, &tdp_npt};

	for (int f = 0; f < 2; f++) {
		for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
			struct tdp t;
			bool mapped = f == 0 ? cases[i].ept_mapped : cases[i].npt_mapped;

			CHECK_EQ(new_tdp(&t, fmts[f]), 0);
			CHECK_EQ(tdp_map(&t, 0x1000, 0x5000, TDP_4K, cases[i].perms), cases[i].rc);
			if (mapped) {
				CHECK(walk_is(&t, 0x1abc, 0x5abc, cases[i].perms, TDP_4K));
				CHECK_EQ(t.tables, 4);
			} else {
				CHECK(unmapped(&t, 0x1000));
				CHECK_EQ(t.tables, 1);
			}
			CHECK(unmapped(&t, 0x0));
			CHECK(unmapped(&t, 0x2000));
			CHECK(consistent(&t));
			tdp_destroy(&t);
			CHECK_EQ(fm.live, 0);
		}
	}
	fake_reset();
}

/* The exact entries, as the hardware would read them. */
TEST(exact_entries)
{
	struct tdp t;
	struct tdp_walk w;

	CHECK_EQ(new_tdp(&t, &tdp_ept), 0);
	CHECK_EQ(tdp_map(&t, 0x1000, 0x5000, TDP_4K, TDP_RWX), 0);
	CHECK_EQ(tdp_walk(&t, 0x1000, &w), 0);
	CHECK_EQ(w.entry[3], 0x5037);
	CHECK_EQ(w.entry[0] & 0xfff, 7);
	CHECK_EQ(w.entry[1] & 0xfff, 7);
	CHECK_EQ(w.entry[2] & 0xfff, 7);
	CHECK_EQ(tdp_map(&t, 0x200000, 0x400000, TDP_2M, TDP_R), 0);
	CHECK_EQ(tdp_walk(&t, 0x200000, &w), 0);
	CHECK_EQ(w.entry[2], 0x4000b1);
	tdp_destroy(&t);

	CHECK_EQ(new_tdp(&t, &tdp_npt), 0);
	CHECK_EQ(tdp_map(&t, 0x1000, 0x5000, TDP_4K, TDP_RWX), 0);
	CHECK_EQ(tdp_walk(&t, 0x1000, &w), 0);
	CHECK_EQ(w.entry[3], 0x5007);
	CHECK_EQ(w.entry[0] & 0xfff, 7);
	CHECK_EQ(w.entry[0] >> 63, 0);
	CHECK_EQ(tdp_map(&t, 0x200000, 0x400000, TDP_2M, TDP_R | TDP_W), 0);
	CHECK_EQ(tdp_walk(&t, 0x200000, &w), 0);
	CHECK_EQ(w.entry[2], 0x8000000000400087ULL);
	tdp_destroy(&t);
	fake_reset();
}

TEST(map_2m)
{
	const struct tdp_format *fmts[] = {&tdp_ept, &tdp_npt};

	for (int f = 0; f < 2; f++) {
		struct tdp t;

		CHECK_EQ(new_tdp(&t, fmts[f]), 0);
		/* Aligned both sides: one 2 MiB leaf, no page table. */
		CHECK_EQ(tdp_map(&t, 0x200000, 0x40000000, TDP_2M, TDP_RWX), 0);
		CHECK_EQ(t.tables, 3);
		CHECK(walk_is(&t, 0x200000, 0x40000000, TDP_RWX, TDP_2M));
		CHECK(walk_is(&t, 0x3fffff, 0x401fffff, TDP_RWX, TDP_2M));
		CHECK(unmapped(&t, 0x400000));
		CHECK(unmapped(&t, 0x1ff000));
		/* hpa not 2 MiB aligned: 512 small leaves. */
		CHECK_EQ(tdp_map(&t, 0x600000, 0x40001000, TDP_2M, TDP_R), 0);
		CHECK_EQ(t.tables, 4);
		CHECK(walk_is(&t, 0x600000, 0x40001000, TDP_R, TDP_4K));
		CHECK(walk_is(&t, 0x7ff000, 0x40200000, TDP_R, TDP_4K));
		/* 2 MiB + 4 KiB from an aligned start: one large and one small. */
		CHECK_EQ(tdp_map(&t, 0x800000, 0x80000000, TDP_2M + TDP_4K, TDP_RWX), 0);
		CHECK_EQ(t.tables, 5);
		CHECK(walk_is(&t, 0x9ff000, 0x801ff000, TDP_RWX, TDP_4K * 512));
		CHECK(walk_is(&t, 0xa00000, 0x80200000, TDP_RWX, TDP_4K));
		CHECK(unmapped(&t, 0xa01000));
		/* Unaligned start: small leaves up to the boundary, then large. */
		CHECK_EQ(
			tdp_map(&t, 0x10ff000, 0x900ff000, 0x1200000 - 0x10ff000 + TDP_2M, TDP_RWX),
			0);
		CHECK(walk_is(&t, 0x10ff000, 0x900ff000, TDP_RWX, TDP_4K));
		CHECK(walk_is(&t, 0x1100000, 0x90100000, TDP_RWX, TDP_4K));
		CHECK(walk_is(&t, 0x11ff000, 0x901ff000, TDP_RWX, TDP_4K));
		CHECK(walk_is(&t, 0x1200000, 0x90200000, TDP_RWX, TDP_2M));
		CHECK(walk_is(&t, 0x13ff000, 0x903ff000, TDP_RWX, TDP_2M));
		CHECK(unmapped(&t, 0x1400000));
		CHECK(consistent(&t));
		tdp_destroy(&t);
		CHECK_EQ(fm.live, 0);
		CHECK_EQ(fm.bad_frees, 0);
	}
	fake_reset();
}

TEST(map_1g)
{
	const struct tdp_format *with[] = {&ept1g, &npt1g};
	const struct tdp_format *without[] = {&tdp_ept, &tdp_npt};

	formats_init();
	for (int f = 0; f < 2; f++) {
		struct tdp t;

		CHECK_EQ(new_tdp(&t, with[f]), 0);
		CHECK_EQ(tdp_map(&t, TDP_1G, 2 * TDP_1G, TDP_1G, TDP_RWX), 0);
		CHECK_EQ(t.tables, 2);
		CHECK(walk_is(&t, TDP_1G, 2 * TDP_1G, TDP_RWX, TDP_1G));
		CHECK(walk_is(&t, 2 * TDP_1G - 1, 3 * TDP_1G - 1, TDP_RWX, TDP_1G));
		CHECK(unmapped(&t, 2 * TDP_1G));
		/* hpa only 2 MiB aligned: 2 MiB leaves. */
		CHECK_EQ(tdp_map(&t, 4 * TDP_1G, 8 * TDP_1G + TDP_2M, TDP_1G, TDP_R), 0);
		CHECK_EQ(t.tables, 3);
		CHECK(walk_is(&t, 5 * TDP_1G - TDP_4K, 9 * TDP_1G + TDP_2M - TDP_4K, TDP_R,
			      TDP_2M));
		CHECK(consistent(&t));
		tdp_destroy(&t);
		CHECK_EQ(fm.live, 0);

		/* Not allowed: the same 1 GiB is 512 leaves of 2 MiB. */
		CHECK_EQ(new_tdp(&t, without[f]), 0);
		CHECK_EQ(tdp_map(&t, TDP_1G, 2 * TDP_1G, TDP_1G, TDP_RWX), 0);
		CHECK_EQ(t.tables, 3);
		CHECK(walk_is(&t, TDP_1G, 2 * TDP_1G, TDP_RWX, TDP_2M));
		CHECK(walk_is(&t, 2 * TDP_1G - 1, 3 * TDP_1G - 1, TDP_RWX, TDP_2M));
		CHECK(consistent(&t));
		tdp_destroy(&t);
		CHECK_EQ(fm.live, 0);
	}
	fake_reset();
}

TEST(remap_perms_and_split)
{
	const struct tdp_format *fmts[] = {&tdp_ept, &tdp_npt};

	for (int f = 0; f < 2; f++) {
		struct tdp t;

		CHECK_EQ(new_tdp(&t, fmts[f]), 0);
		CHECK_EQ(tdp_map(&t, 0, 0x200000, TDP_2M, TDP_RWX), 0);
		/* Same range, new perms: the leaf changes in place. */
		CHECK_EQ(tdp_map(&t, 0, 0x200000, TDP_2M, TDP_R), 0);
		CHECK_EQ(t.tables, 3);
		CHECK(walk_is(&t, 0x1000, 0x201000, TDP_R, TDP_2M));
		/* Same range, new hpa. */
		CHECK_EQ(tdp_map(&t, 0, 0x600000, TDP_2M, TDP_R | TDP_X), 0);
		CHECK(walk_is(&t, 0x1000, 0x601000, TDP_R | TDP_X, TDP_2M));
		/* One page inside: the leaf splits, the rest keeps its mapping. */
		CHECK_EQ(tdp_map(&t, 0x5000, 0x9000, TDP_4K, TDP_RWX), 0);
		CHECK_EQ(t.tables, 4);
		CHECK(walk_is(&t, 0x5000, 0x9000, TDP_RWX, TDP_4K));
		CHECK(walk_is(&t, 0x4000, 0x604000, TDP_R | TDP_X, TDP_4K));
		CHECK(walk_is(&t, 0x6000, 0x606000, TDP_R | TDP_X, TDP_4K));
		CHECK(walk_is(&t, 0x0, 0x600000, TDP_R | TDP_X, TDP_4K));
		CHECK(walk_is(&t, 0x1ff000, 0x7ff000, TDP_R | TDP_X, TDP_4K));
		/* Mapping the whole 2 MiB again replaces the page table by a leaf
		 * and frees it. */
		uint64_t frees = fm.frees;
		CHECK_EQ(tdp_map(&t, 0, 0x200000, TDP_2M, TDP_RWX), 0);
		CHECK_EQ(fm.frees, frees + 1);
		CHECK_EQ(t.tables, 3);
		CHECK(walk_is(&t, 0x5000, 0x205000, TDP_RWX, TDP_2M));
		CHECK(consistent(&t));
		tdp_destroy(&t);
		CHECK_EQ(fm.live, 0);
	}
	fake_reset();
}

TEST(unmap_splits_2m)
{
	const struct tdp_format *fmts[] = {&tdp_ept, &tdp_npt};

	for (int f = 0; f < 2; f++) {
		struct tdp t;

		CHECK_EQ(new_tdp(&t, fmts[f]), 0);
		CHECK_EQ(tdp_map(&t, 0x400000, 0x1000000, TDP_2M, TDP_R | TDP_W), 0);
		CHECK_EQ(tdp_unmap(&t, 0x480000, 0x3000), 0);
		CHECK_EQ(t.tables, 4);
		CHECK(unmapped(&t, 0x480000));
		CHECK(unmapped(&t, 0x482fff));
		CHECK(walk_is(&t, 0x47f000, 0x107f000, TDP_R | TDP_W, TDP_4K));
		CHECK(walk_is(&t, 0x483000, 0x1083000, TDP_R | TDP_W, TDP_4K));
		CHECK(walk_is(&t, 0x400000, 0x1000000, TDP_R | TDP_W, TDP_4K));
		CHECK(consistent(&t));
		/* The rest, in two pieces: the page table, then everything, goes. */
		CHECK_EQ(tdp_unmap(&t, 0x400000, 0x80000), 0);
		CHECK_EQ(t.tables, 4);
		CHECK_EQ(tdp_unmap(&t, 0x483000, 0x600000 - 0x483000), 0);
		CHECK_EQ(t.tables, 1);
		CHECK(unmapped(&t, 0x400000));
		CHECK(consistent(&t));
		CHECK_EQ(fm.allocs, 4);
		CHECK_EQ(fm.frees, 3);
		tdp_destroy(&t);
		CHECK_EQ(fm.live, 0);
		CHECK_EQ(fm.bad_frees, 0);
	}
	fake_reset();
}

TEST(unmap_splits_1g)
{
	const struct tdp_format *fmts[] = {&ept1g, &npt1g};

	formats_init();
	for (int f = 0; f < 2; f++) {
		struct tdp t;
		uint64_t g = 3 * TDP_1G, h = 7 * TDP_1G;

		CHECK_EQ(new_tdp(&t, fmts[f]), 0);
		CHECK_EQ(tdp_map(&t, g, h, TDP_1G, TDP_RWX), 0);
		CHECK_EQ(t.tables, 2);
		CHECK_EQ(tdp_unmap(&t, g + 5 * TDP_2M + 0x3000, TDP_4K), 0);
		CHECK_EQ(t.tables, 4); /* a page directory and one page table */
		CHECK(unmapped(&t, g + 5 * TDP_2M + 0x3000));
		CHECK(walk_is(&t, g + 5 * TDP_2M + 0x2000, h + 5 * TDP_2M + 0x2000, TDP_RWX,
			      TDP_4K));
		CHECK(walk_is(&t, g + 5 * TDP_2M + 0x4000, h + 5 * TDP_2M + 0x4000, TDP_RWX,
			      TDP_4K));
		CHECK(walk_is(&t, g + 4 * TDP_2M + 0x4000, h + 4 * TDP_2M + 0x4000, TDP_RWX,
			      TDP_2M));
		CHECK(walk_is(&t, g, h, TDP_RWX, TDP_2M));
		CHECK(walk_is(&t, g + TDP_1G - 1, h + TDP_1G - 1, TDP_RWX, TDP_2M));
		/* Unmapping one whole 2 MiB of it needs no page table. */
		CHECK_EQ(tdp_unmap(&t, g + TDP_2M, TDP_2M), 0);
		CHECK_EQ(t.tables, 4);
		CHECK(unmapped(&t, g + TDP_2M + 0x1000));
		CHECK(consistent(&t));
		/* Unmapping the whole 1 GiB frees both. */
		CHECK_EQ(tdp_unmap(&t, g, TDP_1G), 0);
		CHECK_EQ(t.tables, 1);
		CHECK(consistent(&t));
		tdp_destroy(&t);
		CHECK_EQ(fm.live, 0);
		CHECK_EQ(fm.bad_frees, 0);
	}
	fake_reset();
}

/* Many scattered mappings, then unmap it all: back to the root, every table
 * freed exactly once (a double free would be a bad free: the page is gone). */
TEST(unmap_all_frees_each_once)
{
	const struct tdp_format *fmts[] = {&tdp_ept, &tdp_npt};

	for (int f = 0; f < 2; f++) {
		struct tdp t;
		static const uint64_t gpas[] = {0,
						0x7000,
						0x200000,
						0x40000000,
						0x8000000000ULL,
						0xfffffffff000ULL,
						0x123456789000ULL};

		CHECK_EQ(new_tdp(&t, fmts[f]), 0);
		for (size_t i = 0; i < sizeof(gpas) / sizeof(gpas[0]); i++)
			CHECK_EQ(tdp_map(&t, gpas[i], 0x100000 * (i + 1), TDP_4K, TDP_RWX), 0);
		CHECK(t.tables > 10);
		CHECK(consistent(&t));
		for (size_t i = 0; i < sizeof(gpas) / sizeof(gpas[0]); i++)
			CHECK_EQ(tdp_unmap(&t, gpas[i], TDP_4K), 0);
		CHECK_EQ(t.tables, 1);
		CHECK_EQ(fm.live, 1);
		CHECK_EQ(fm.frees, fm.allocs - 1);
		CHECK_EQ(fm.bad_frees, 0);
		/* Unmapping what is not mapped changes nothing and allocates nothing. */
		uint64_t allocs = fm.allocs;
		CHECK_EQ(tdp_unmap(&t, 0, TDP_GPA_LIMIT), 0);
		CHECK_EQ(fm.allocs, allocs);
		CHECK_EQ(t.tables, 1);
		/* The same with one sweeping unmap. */
		for (size_t i = 0; i < sizeof(gpas) / sizeof(gpas[0]); i++)
			CHECK_EQ(tdp_map(&t, gpas[i], 0x100000 * (i + 1), TDP_4K, TDP_RWX), 0);
		CHECK_EQ(tdp_unmap(&t, 0, TDP_GPA_LIMIT), 0);
		CHECK_EQ(t.tables, 1);
		CHECK(consistent(&t));
		/* Destroy of a populated tdp frees everything. */
		for (size_t i = 0; i < sizeof(gpas) / sizeof(gpas[0]); i++)
			CHECK_EQ(tdp_map(&t, gpas[i], 0x100000 * (i + 1), TDP_4K, TDP_RWX), 0);
		CHECK_EQ(tdp_map(&t, 0x80000000, 0x80000000, TDP_1G, TDP_R), 0);
		tdp_destroy(&t);
		CHECK_EQ(fm.live, 0);
		CHECK_EQ(fm.frees, fm.allocs);
		CHECK_EQ(fm.bad_frees, 0);
	}
	fake_reset();
}

TEST(bad_arguments)
{
	static const struct {
		uint64_t gpa, hpa, size;
	} bad[] = {
		{0x800, 0x1000, 0x1000},		  /* unaligned gpa */
		{0x1000, 0x1800, 0x1000},		  /* unaligned hpa */
		{0x1000, 0x1000, 0x800},		  /* unaligned size */
		{TDP_GPA_LIMIT, 0x1000, 0x1000},	  /* gpa beyond 48 bits */
		{TDP_GPA_LIMIT - 0x1000, 0x1000, 0x2000}, /* runs past 48 bits */
		{0xfffffffffffff000ULL, 0x1000, 0x2000},  /* wraps */
		{0x1000, 0x1000, 0xfffffffffffff000ULL},  /* wraps */
		{0x1000, 1ULL << 52, 0x1000},		  /* hpa beyond 52 bits */
		{0x1000, (1ULL << 52) - 0x1000, 0x2000},  /* hpa runs past 52 bits */
		{0x1000, 0xfffffffffffff000ULL, 0x2000},  /* hpa wraps */
	};
	struct tdp t;
	struct tdp_walk w;

	CHECK_EQ(new_tdp(&t, &tdp_npt), 0);
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		CHECK_EQ(tdp_map(&t, bad[i].gpa, bad[i].hpa, bad[i].size, TDP_RWX), -EINVAL);
		if (bad[i].hpa == 0x1000)
			CHECK_EQ(tdp_unmap(&t, bad[i].gpa, bad[i].size), -EINVAL);
	}
	CHECK_EQ(t.tables, 1);
	CHECK_EQ(fm.allocs, 1);
	/* Size 0 is nothing, anywhere aligned. */
	CHECK_EQ(tdp_map(&t, 0x1000, 0x1000, 0, TDP_RWX), 0);
	CHECK_EQ(tdp_unmap(&t, 0x1000, 0), 0);
	CHECK_EQ(t.tables, 1);
	/* The very last page of both spaces is fine. */
	CHECK_EQ(tdp_map(&t, TDP_GPA_LIMIT - 0x1000, (1ULL << 52) - 0x1000, 0x1000, TDP_R), 0);
	CHECK(walk_is(&t, TDP_GPA_LIMIT - 1, (1ULL << 52) - 1, TDP_R, TDP_4K));
	/* Walk arguments. */
	CHECK_EQ(tdp_walk(&t, TDP_GPA_LIMIT, &w), -EINVAL);
	CHECK_EQ(w.levels, 0);
	CHECK_EQ(tdp_walk(&t, UINT64_MAX, &w), -EINVAL);
	CHECK_EQ(tdp_walk(&t, 0, NULL), -EINVAL);
	CHECK_EQ(tdp_walk(NULL, 0, &w), -EINVAL);
	CHECK_EQ(tdp_map(NULL, 0, 0, 0x1000, TDP_R), -EINVAL);
	CHECK_EQ(tdp_unmap(NULL, 0, 0x1000), -EINVAL);
	tdp_destroy(NULL);
	/* An empty region: the walk stops at the top with the span it covers. */
	CHECK_EQ(tdp_walk(&t, 0x1000, &w), 0);
	CHECK(!w.mapped);
	CHECK_EQ(w.levels, 1);
	CHECK_EQ(w.page_size, 1ULL << 39);
	CHECK_EQ(w.table[0], t.root);
	CHECK_EQ(w.entry[0], 0);
	tdp_destroy(&t);
	fake_reset();
}

/* Garbage from the allocator never becomes a mapping. */
TEST(dirty_allocator)
{
	struct tdp t;

	fake_reset();
	fm.dirty = true;
	CHECK_EQ(tdp_init(&t, &tdp_ept, &fake_mm), 0);
	CHECK(unmapped(&t, 0x8000000000ULL));
	CHECK_EQ(tdp_map(&t, 0x1000, 0x1000, TDP_4K, TDP_R), 0);
	CHECK(walk_is(&t, 0x1000, 0x1000, TDP_R, TDP_4K));
	CHECK(unmapped(&t, 0x2000));
	CHECK(unmapped(&t, 0x200000));
	CHECK(unmapped(&t, 0x40000000));
	CHECK(consistent(&t));
	tdp_destroy(&t);
	fake_reset();
}

/* Running out of tables at every possible point: the error is -ENOMEM, the
 * tree stays exact (no empty table kept), and unmap/destroy clean up. */
TEST(enomem_everywhere)
{
	const struct tdp_format *fmts[] = {&tdp_ept, &npt1g};

	formats_init();
	for (int f = 0; f < 2; f++) {
		for (long n = 0; n < 12; n++) {
			struct tdp t;
			int rc;
			uint64_t big = f == 0 ? TDP_2M : TDP_1G;

			CHECK_EQ(new_tdp(&t, fmts[f]), 0);
			/* A 2 MiB leaf at the end of one 1 GiB region, the next
			 * 1 GiB whole, a 4 KiB page after: a page directory per
			 * region (EPT: none for the middle one with 1 GiB
			 * leaves) plus the PDPT and a page table: 5 (EPT) or 4
			 * (NPT with 1 GiB) tables besides the root. */
			fm.fail_after = n;
			rc = tdp_map(&t, 0x7fe00000, 0x7fe00000, TDP_2M + TDP_1G + TDP_4K, TDP_RWX);
			CHECK(rc == 0 || rc == -ENOMEM);
			CHECK_EQ(rc == 0, n >= (f == 0 ? 5 : 4));
			CHECK(consistent(&t));
			fm.fail_after = -1;
			if (rc == 0) {
				CHECK_EQ(t.tables, f == 0 ? 6 : 5);
				CHECK(walk_is(&t, 0x7fe00000, 0x7fe00000, TDP_RWX, TDP_2M));
				CHECK(walk_is(&t, 0x80000000, 0x80000000, TDP_RWX, big));
				CHECK(walk_is(&t, 0xbfe00000, 0xbfe00000, TDP_RWX, big));
				CHECK(walk_is(&t, 0xc0000000, 0xc0000000, TDP_RWX, TDP_4K));
				CHECK(unmapped(&t, 0xc0001000));
				CHECK(unmapped(&t, 0x7fdff000));
				/* Splitting for a partial unmap can fail too. */
				fm.fail_after = 0;
				CHECK_EQ(tdp_unmap(&t, 0x80000000, TDP_4K), -ENOMEM);
				fm.fail_after = -1;
				CHECK(walk_is(&t, 0x80000000, 0x80000000, TDP_RWX, big));
				CHECK(consistent(&t));
			}
			CHECK_EQ(tdp_unmap(&t, 0x7fe00000, TDP_2M + TDP_1G + TDP_4K), 0);
			CHECK_EQ(t.tables, 1);
			CHECK(consistent(&t));
			tdp_destroy(&t);
			CHECK_EQ(fm.live, 0);
			CHECK_EQ(fm.bad_frees, 0);
		}
	}
	/* A split partly done keeps every unaffected page mapped as before. */
	{
		struct tdp t;

		CHECK_EQ(new_tdp(&t, &ept1g), 0);
		CHECK_EQ(tdp_map(&t, 0, TDP_1G, TDP_1G, TDP_RWX), 0);
		fm.fail_after = 1; /* the 1 GiB splits, its 2 MiB cannot */
		CHECK_EQ(tdp_unmap(&t, 0x5000, TDP_4K), -ENOMEM);
		fm.fail_after = -1;
		CHECK(walk_is(&t, 0x5000, TDP_1G + 0x5000, TDP_RWX, TDP_2M));
		CHECK(walk_is(&t, TDP_1G - 1, 2 * TDP_1G - 1, TDP_RWX, TDP_2M));
		CHECK(consistent(&t));
		tdp_destroy(&t);
		CHECK_EQ(fm.live, 0);
	}
	fake_reset();
}

/* A table address to_virt rejects is an error, never a dereference. */
TEST(rejected_table_address)
{
	struct tdp t;
	struct tdp_walk w;
	uint64_t *root, *pdpt, saved;

	CHECK_EQ(new_tdp(&t, &tdp_npt), 0);
	CHECK_EQ(tdp_map(&t, 0x40201000, 0x1000, TDP_4K, TDP_RWX), 0);
	root = fake_virt(NULL, t.root);
	pdpt = fake_virt(NULL, root[0] & tdp_npt.addr_mask);
	saved = pdpt[1];
	pdpt[1] = (saved & 0xfff) | 0xdead000; /* not a table of ours */
	CHECK_EQ(tdp_walk(&t, 0x40201000, &w), -EFAULT);
	CHECK_EQ(w.levels, 2);
	CHECK_EQ(w.entry[1], pdpt[1]);
	CHECK(!w.mapped);
	CHECK_EQ(tdp_map(&t, 0x40202000, 0x2000, TDP_4K, TDP_RWX), -EFAULT);
	CHECK_EQ(tdp_unmap(&t, 0x40201000, TDP_4K), -EFAULT);
	pdpt[1] = saved;
	CHECK(walk_is(&t, 0x40201000, 0x1000, TDP_RWX, TDP_4K));
	CHECK(consistent(&t));
	/* The root itself. */
	uint64_t r = t.root;
	t.root = 0xbad000;
	CHECK_EQ(tdp_walk(&t, 0, &w), -EFAULT);
	CHECK_EQ(w.levels, 0);
	CHECK_EQ(tdp_map(&t, 0, 0, TDP_4K, TDP_R), -EFAULT);
	t.root = r;
	tdp_destroy(&t);
	CHECK_EQ(fm.live, 0);
	CHECK_EQ(fm.bad_frees, 0);
	fake_reset();
}

/* The walk reports what every level grants, reads a large leaf's address
 * without its attribute bits, and takes bit 7 as "large" only where it is. */
TEST(walk_reads_entries_as_hardware)
{
	struct tdp t;
	struct tdp_walk w;
	uint64_t *root, *pdpt, *pd;

	CHECK_EQ(new_tdp(&t, &tdp_npt), 0);
	CHECK_EQ(tdp_map(&t, 0x40200000, 0x80200000, TDP_2M, TDP_RWX), 0);
	root = fake_virt(NULL, t.root);
	pdpt = fake_virt(NULL, root[0] & tdp_npt.addr_mask);
	pd = fake_virt(NULL, pdpt[1] & tdp_npt.addr_mask);
	/* APM 2 5.6: NX or no W anywhere in the walk applies to the page. */
	pdpt[1] &= ~NPT_W;
	CHECK_EQ(tdp_walk(&t, 0x40200000, &w), 0);
	CHECK_EQ(w.perms, TDP_R | TDP_X);
	root[0] |= NPT_NX;
	CHECK_EQ(tdp_walk(&t, 0x40200000, &w), 0);
	CHECK_EQ(w.perms, TDP_R);
	root[0] &= ~NPT_NX;
	pdpt[1] |= NPT_W;
	/* APM 2 5.3.3: bit 12 of a 2 MiB PDE is PAT, not address. */
	pd[1] |= 1ULL << 12;
	CHECK_EQ(tdp_walk(&t, 0x40234567, &w), 0);
	CHECK(w.mapped);
	CHECK_EQ(w.hpa, 0x80234567);
	pd[1] &= ~(1ULL << 12);
	/* Bit 7 of a PML4 entry is not a page size: the walk goes on down. */
	root[0] |= NPT_PS;
	CHECK_EQ(tdp_walk(&t, 0x40200000, &w), 0);
	CHECK_EQ(w.levels, 3);
	CHECK_EQ(w.hpa, 0x80200000);
	CHECK_EQ(w.page_size, TDP_2M);
	root[0] &= ~NPT_PS;
	CHECK(consistent(&t));
	tdp_destroy(&t);

	CHECK_EQ(new_tdp(&t, &tdp_ept), 0);
	CHECK_EQ(tdp_map(&t, 0x1000, 0x2000, TDP_4K, TDP_RWX), 0);
	root = fake_virt(NULL, t.root);
	root[0] &= ~4ULL; /* SDM 3C 29.3.3.2: X clear in any entry */
	CHECK_EQ(tdp_walk(&t, 0x1000, &w), 0);
	CHECK_EQ(w.perms, TDP_R | TDP_W);
	root[0] |= 4;
	tdp_destroy(&t);
	CHECK_EQ(fm.live, 0);
	fake_reset();
}

/* ---- random operations against a per-4K reference model ---- */

#define MODEL_PAGES (2 * 512 * 512) /* 2 GiB of guest-physical space */

struct model_page {
	uint64_t hpa; /* 0: unmapped (hpa 0 is never used below) */
	unsigned perms;
};

static struct model_page model[MODEL_PAGES];
static uint64_t rng_state;

static uint64_t rng(void)
{
	/* xorshift64*: deterministic from the fixed seed. */
	rng_state ^= rng_state >> 12;
	rng_state ^= rng_state << 25;
	rng_state ^= rng_state >> 27;
	return rng_state * 0x2545f4914f6cdd1dULL;
}

static int model_check(const struct tdp *t, uint64_t page)
{
	const struct model_page *m = &model[page];
	struct tdp_walk w;
	uint64_t gpa = page * TDP_4K + (rng() & 0xfff);

	if (tdp_walk(t, gpa, &w) != 0)
		return 0;
	if (!m->hpa)
		return !w.mapped;
	if (!w.mapped || w.hpa != m->hpa + (gpa & 0xfff) || w.perms != m->perms)
		return 0;
	/* The leaf's bits are exactly the format's for its size. */
	return w.entry[w.levels - 1] ==
	       expect_leaf(t, w.hpa & ~(w.page_size - 1), m->perms, w.page_size != TDP_4K);
}

static void fuzz(const struct tdp_format *fmt, uint64_t seed, int ops)
{
	static const unsigned perms[] = {TDP_R, TDP_R | TDP_W, TDP_R | TDP_X, TDP_RWX, TDP_X, 0};
	static const uint64_t grain[] = {TDP_4K, TDP_2M, TDP_1G};
	struct tdp t;
	int bad = 0;

	rng_state = seed;
	memset(model, 0, sizeof(model));
	CHECK_EQ(new_tdp(&t, fmt), 0);
	for (int op = 0; op < ops && !bad; op++) {
		/* Sizes and addresses in a random grain, so all leaf sizes and
		 * every kind of split come up. */
		uint64_t g = grain[rng() % 3], g2 = grain[rng() % 3];
		uint64_t npages = MODEL_PAGES;
		uint64_t first = (rng() % (MODEL_PAGES * TDP_4K / g)) * g / TDP_4K;
		uint64_t count = (rng() % 2 + 1) * g2 / TDP_4K;
		uint64_t hpa = ((rng() % 64) + 1) * TDP_1G;
		if (rng() % 4)
			hpa += (rng() % 512) * grain[rng() % 2];
		unsigned p = perms[rng() % 6];
		bool unmap = rng() % 4 == 0;
		int rc;

		if (first + count > npages)
			count = npages - first;
		if (unmap)
			rc = tdp_unmap(&t, first * TDP_4K, count * TDP_4K);
		else
			rc = tdp_map(&t, first * TDP_4K, hpa, count * TDP_4K, p);
		CHECK_EQ(rc, 0);
		bool present = !unmap && p && (fmt->nx ? (p & TDP_R) != 0 : true);
		for (uint64_t i = 0; i < count; i++) {
			model[first + i].hpa = present ? hpa + i * TDP_4K : 0;
			model[first + i].perms = present ? p : 0;
		}
		/* The changed range's edges and inside, and random pages. */
		uint64_t probes[] = {first,
				     first + count - 1,
				     first + rng() % count,
				     first ? first - 1 : 0,
				     first + count < npages ? first + count : 0,
				     rng() % npages,
				     rng() % npages};
		for (size_t i = 0; i < sizeof(probes) / sizeof(probes[0]); i++) {
			if (!model_check(&t, probes[i])) {
				printf("  op %d: page 0x%llx differs from the model\n", op,
				       (unsigned long long)probes[i]);
				bad = 1;
			}
		}
		if (!consistent(&t))
			bad = 1;
	}
	/* Everything, once at the end. */
	for (uint64_t i = 0; i < MODEL_PAGES && !bad; i++)
		if (!model_check(&t, i)) {
			printf("  final: page 0x%llx differs from the model\n",
			       (unsigned long long)i);
			bad = 1;
		}
	CHECK(!bad);
	CHECK_EQ(tdp_unmap(&t, 0, MODEL_PAGES * TDP_4K), 0);
	CHECK_EQ(t.tables, 1);
	CHECK(consistent(&t));
	tdp_destroy(&t);
	CHECK_EQ(fm.live, 0);
	CHECK_EQ(fm.bad_frees, 0);
	fake_reset();
}

TEST(fuzz_ept)
{
	fuzz(&tdp_ept, 0x5eed0001, 150);
}

TEST(fuzz_ept_1g)
{
	formats_init();
	fuzz(&ept1g, 0x5eed0002, 150);
}

TEST(fuzz_npt)
{
	fuzz(&tdp_npt, 0x5eed0003, 150);
}

TEST(fuzz_npt_1g)
{
	formats_init();
	fuzz(&npt1g, 0x5eed0004, 150);
}

int main(void)
{
	RUN(format_bits);
	RUN(entry_perms);
	RUN(init_and_destroy);
	RUN(map_4k_perms);
	RUN(exact_entries);
	RUN(map_2m);
	RUN(map_1g);
	RUN(remap_perms_and_split);
	RUN(unmap_splits_2m);
	RUN(unmap_splits_1g);
	RUN(unmap_all_frees_each_once);
	RUN(bad_arguments);
	RUN(dirty_allocator);
	RUN(enomem_everywhere);
	RUN(rejected_table_address);
	RUN(walk_reads_entries_as_hardware);
	RUN(fuzz_ept);
	RUN(fuzz_ept_1g);
	RUN(fuzz_npt);
	RUN(fuzz_npt_1g);
	fake_reset();
	return CHECK_DONE();
}
