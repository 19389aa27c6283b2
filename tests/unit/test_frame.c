/* Host tests for mm/frame.c. The owner table is malloc'd and the physical
 * addresses are pretend: nothing is ever dereferenced at them. */
#include <stdint.h>

#include "tests/unit/check.h"

#include "mm/frame.c"

#define PG FRAME_SIZE
#define VM(n) ((uint8_t)(FRAME_VM_FIRST + (n)))

static struct frame_pool pool;

/* count[] must match a recount of the table, and sum to nframes. */
static int pool_consistent(const struct frame_pool *p)
{
	static uint64_t recount[FRAME_OWNER_MAX];
	uint64_t sum = 0;

	memset(recount, 0, sizeof(recount));
	for (uint64_t i = 0; i < p->nframes; i++)
		recount[p->owner[i]]++;
	for (int o = 0; o < FRAME_OWNER_MAX; o++) {
		if (recount[o] != p->count[o]) {
			printf("  owner %d: count %llu, table has %llu\n", o,
			       (unsigned long long)p->count[o], (unsigned long long)recount[o]);
			return 0;
		}
		sum += p->count[o];
	}
	return sum == p->nframes;
}

/* A pool covering [0, top) with the given usable ranges. */
static uint8_t *pool_make(uint64_t top, const uint64_t (*usable)[2], size_t n)
{
	uint8_t *t = malloc(frame_table_bytes(top) ? frame_table_bytes(top) : 1);

	frame_pool_init(&pool, t, top);
	for (size_t i = 0; i < n; i++)
		frame_add_usable(&pool, usable[i][0], usable[i][1]);
	return t;
}

TEST(table_bytes)
{
	static const uint64_t cases[][2] = {
		{ 0, 0 },	  { 1, 1 },	     { 4095, 1 },
		{ 4096, 1 },	  { 4097, 2 },	     { 0x100000, 256 },
		{ 0x100000000ULL, 0x100000 }, { UINT64_MAX, 1ULL << 52 },
	};

	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++)
		CHECK_EQ(frame_table_bytes(cases[i][0]), cases[i][1]);
}

TEST(init_and_add_usable)
{
	static const uint64_t usable[][2] = {
		{ 0x0, 0x4000 },      /* frame 0 stays out: frames 1..3 */
		{ 0x5800, 0x3000 },   /* partial ends: only frame 6 and 7 */
		{ 0xa000, 0x0 },      /* empty */
		{ 0xf000, 0x100000 }, /* clamped at top: frames 15 */
	};
	uint8_t *t = pool_make(0x10000, usable, 4);

	CHECK_EQ(pool.nframes, 16);
	CHECK_EQ(pool.count[FRAME_FREE], 3 + 2 + 1);
	CHECK_EQ(pool.owner[0], FRAME_NONE);
	CHECK_EQ(pool.owner[1], FRAME_FREE);
	CHECK_EQ(pool.owner[5], FRAME_NONE);
	CHECK_EQ(pool.owner[6], FRAME_FREE);
	CHECK_EQ(pool.owner[7], FRAME_FREE);
	CHECK_EQ(pool.owner[8], FRAME_NONE);
	CHECK_EQ(pool.owner[15], FRAME_FREE);
	CHECK(pool_consistent(&pool));
	/* Adding twice changes nothing. */
	frame_add_usable(&pool, 0x0, 0x4000);
	CHECK_EQ(pool.count[FRAME_FREE], 6);
	/* A wrapping length clamps instead of wrapping to a tiny range. */
	frame_add_usable(&pool, 0x9000, UINT64_MAX);
	CHECK_EQ(pool.count[FRAME_FREE], 6 + 6); /* frames 9..14 */
	CHECK(pool_consistent(&pool));
	free(t);

	/* An empty pool. */
	t = pool_make(0, NULL, 0);
	CHECK_EQ(pool.nframes, 0);
	frame_add_usable(&pool, 0, 0x10000);
	CHECK_EQ(frame_alloc(&pool, FRAME_HYP), 0);
	CHECK(pool_consistent(&pool));
	free(t);
}

TEST(reserve)
{
	static const uint64_t usable[][2] = { { 0x1000, 0x7000 } }; /* frames 1..7 */
	uint8_t *t = pool_make(0x10000, usable, 1);

	/* Touched frames, partial ones included: 0x2800..0x3001 touches 2 and 3. */
	CHECK_EQ(frame_reserve(&pool, 0x2800, 0x801, FRAME_KERNEL), 2);
	CHECK_EQ(pool.owner[2], FRAME_KERNEL);
	CHECK_EQ(pool.owner[3], FRAME_KERNEL);
	CHECK_EQ(pool.owner[4], FRAME_FREE);
	/* Already reserved frames are not counted again. */
	CHECK_EQ(frame_reserve(&pool, 0x2000, 0x3000, FRAME_KERNEL), 1);
	/* NONE frames (holes) are never taken. */
	CHECK_EQ(frame_reserve(&pool, 0x8000, 0x8000, FRAME_HYP), 0);
	CHECK_EQ(pool.owner[9], FRAME_NONE);
	/* Empty, FREE owner, out of range, wrapping. */
	CHECK_EQ(frame_reserve(&pool, 0x5000, 0, FRAME_HYP), 0);
	CHECK_EQ(frame_reserve(&pool, 0x5000, 0x1000, FRAME_FREE), 0);
	CHECK_EQ(frame_reserve(&pool, 0x100000, 0x1000, FRAME_HYP), 0);
	CHECK_EQ(frame_reserve(&pool, 0x7000, UINT64_MAX, FRAME_HYP), 1);
	CHECK_EQ(pool.owner[7], FRAME_HYP);
	CHECK_EQ(pool.count[FRAME_KERNEL], 3);
	CHECK_EQ(pool.count[FRAME_FREE], 3);
	CHECK(pool_consistent(&pool));
	free(t);
}

TEST(alloc_next_fit_and_wrap)
{
	static const uint64_t usable[][2] = { { 0x0, 0x8000 } }; /* frames 1..7 */
	uint8_t *t = pool_make(0x8000, usable, 1);
	uint64_t a[7];

	/* Next-fit: consecutive frames from the hint. */
	for (int i = 0; i < 7; i++) {
		a[i] = frame_alloc(&pool, FRAME_HYP);
		CHECK_EQ(a[i], (uint64_t)(i + 1) * PG);
		CHECK(pool_consistent(&pool));
	}
	/* Exhausted. */
	CHECK_EQ(frame_alloc(&pool, FRAME_HYP), 0);
	CHECK_EQ(pool.count[FRAME_FREE], 0);
	/* Free 3 and 5: the hint wrapped to 1, so the search finds 3 first. */
	CHECK_EQ(frame_free(&pool, 3 * PG), 0);
	CHECK_EQ(frame_free(&pool, 5 * PG), 0);
	CHECK_EQ(frame_alloc(&pool, VM(0)), 3 * PG);
	CHECK_EQ(pool.hint, 4);
	/* Free 2: the search starts at the hint (4), finds 5 before wrapping to 2. */
	CHECK_EQ(frame_free(&pool, 2 * PG), 0);
	CHECK_EQ(frame_alloc(&pool, VM(0)), 5 * PG);
	CHECK_EQ(frame_alloc(&pool, VM(0)), 2 * PG);
	CHECK_EQ(frame_alloc(&pool, VM(0)), 0);
	CHECK_EQ(pool.count[VM(0)], 3);
	CHECK(pool_consistent(&pool));
	/* A corrupt hint is tolerated. */
	CHECK_EQ(frame_free(&pool, 6 * PG), 0);
	pool.hint = 1000;
	CHECK_EQ(frame_alloc(&pool, FRAME_HYP), 6 * PG);
	CHECK(pool_consistent(&pool));
	free(t);
}

TEST(alloc_never_frame_zero)
{
	static const uint64_t usable[][2] = { { 0x0, 0x2000 } };
	uint8_t *t = pool_make(0x2000, usable, 1);

	CHECK_EQ(pool.count[FRAME_FREE], 1);
	CHECK_EQ(frame_alloc(&pool, FRAME_HYP), PG);
	CHECK_EQ(frame_alloc(&pool, FRAME_HYP), 0);
	CHECK_EQ(frame_alloc_contig(&pool, 1, PG, FRAME_HYP), 0);
	CHECK(pool_consistent(&pool));
	free(t);
}

TEST(alloc_bad_owner)
{
	static const uint64_t usable[][2] = { { 0x0, 0x8000 } };
	uint8_t *t = pool_make(0x8000, usable, 1);
	static const uint8_t bad[] = { FRAME_NONE, FRAME_FREE, FRAME_KERNEL, 5, 15 };

	for (size_t i = 0; i < sizeof(bad); i++) {
		CHECK_EQ(frame_alloc(&pool, bad[i]), 0);
		CHECK_EQ(frame_alloc_contig(&pool, 1, PG, bad[i]), 0);
		CHECK_EQ(frame_free_owner(&pool, bad[i]), 0);
	}
	CHECK_EQ(pool.count[FRAME_FREE], 7);
	CHECK(frame_alloc(&pool, FRAME_PGTABLE) != 0);
	CHECK(frame_alloc(&pool, VM(FRAME_OWNER_MAX - FRAME_VM_FIRST - 1)) != 0);
	CHECK(pool_consistent(&pool));
	free(t);
}

TEST(free_errors)
{
	static const uint64_t usable[][2] = { { 0x0, 0x8000 } };
	uint8_t *t = pool_make(0x10000, usable, 1); /* frames 8..15 are NONE */
	uint64_t a;

	frame_reserve(&pool, 0x1000, 0x1000, FRAME_KERNEL); /* frame 1 */
	a = frame_alloc(&pool, VM(3));
	CHECK_EQ(a, 2 * PG);

	static const struct {
		uint64_t addr;
		const char *why;
	} bad[] = {
		{ 0x2001, "unaligned" },    { 0x2800, "unaligned" },
		{ 0x0, "frame 0" },	    { 0x10000, "past the end" },
		{ UINT64_MAX & ~0xfffULL, "far past the end" },
		{ 0x1000, "kernel frame" }, { 0x3000, "free frame" },
		{ 0x9000, "hole (NONE)" },
	};
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		int r = frame_free(&pool, bad[i].addr);

		if (r != -EINVAL) {
			printf("  free(0x%llx) (%s) returned %d\n", (unsigned long long)bad[i].addr,
			       bad[i].why, r);
			check_failed_ = 1;
		}
		CHECK(pool_consistent(&pool));
	}
	CHECK_EQ(frame_free(&pool, a), 0);
	CHECK_EQ(frame_free(&pool, a), -EINVAL); /* double free */
	CHECK_EQ(pool.count[VM(3)], 0);
	CHECK_EQ(pool.count[FRAME_KERNEL], 1);
	CHECK(pool_consistent(&pool));
	free(t);
}

TEST(contig)
{
	static const uint64_t usable[][2] = { { 0x0, 0x40000 } }; /* frames 1..63 */
	uint8_t *t = pool_make(0x40000, usable, 1);

	/* Frame 0 is never free, so 4 frames aligned to 16 KiB start at frame 4. */
	CHECK_EQ(frame_alloc_contig(&pool, 4, 0x4000, VM(1)), 0x4000);
	CHECK_EQ(pool.count[VM(1)], 4);
	/* Frames 1..3 are free and unaligned for 16 KiB; 8..11 is the next run. */
	CHECK_EQ(frame_alloc_contig(&pool, 3, 0x4000, VM(1)), 0x8000);
	/* Page alignment takes the first fit: 1..3. */
	CHECK_EQ(frame_alloc_contig(&pool, 3, 0x1000, VM(1)), 0x1000);
	/* A hole at frame 17 pushes a 16-frame 64 KiB-aligned run to 32. */
	CHECK_EQ(frame_reserve(&pool, 17 * PG, PG, FRAME_KERNEL), 1);
	CHECK_EQ(frame_alloc_contig(&pool, 16, 0x10000, VM(2)), 0x20000);
	for (uint64_t i = 32; i < 48; i++)
		CHECK_EQ(pool.owner[i], VM(2));
	/* The run may end exactly at the last frame: 48..63. */
	CHECK_EQ(frame_alloc_contig(&pool, 16, 0x1000, VM(2)), 0x30000);
	/* The longest run left is 18..31 (14 frames). */
	CHECK_EQ(frame_alloc_contig(&pool, 15, 0x1000, VM(2)), 0);
	CHECK_EQ(frame_alloc_contig(&pool, 14, 0x1000, VM(2)), 0x12000);
	CHECK_EQ(pool.count[VM(2)], 16 + 16 + 14);
	/* Bad requests. */
	CHECK_EQ(frame_alloc_contig(&pool, 0, 0x1000, VM(2)), 0);
	CHECK_EQ(frame_alloc_contig(&pool, 1, 0x800, VM(2)), 0);
	CHECK_EQ(frame_alloc_contig(&pool, 1, 0x3000, VM(2)), 0);
	CHECK_EQ(frame_alloc_contig(&pool, 1, 0, VM(2)), 0);
	CHECK_EQ(frame_alloc_contig(&pool, UINT64_MAX, 0x1000, VM(2)), 0);
	CHECK_EQ(frame_alloc_contig(&pool, 1, 1ULL << 63, VM(2)), 0);
	CHECK(pool_consistent(&pool));
	free(t);
}

TEST(free_owner)
{
	static const uint64_t usable[][2] = { { 0x0, 0x20000 } }; /* frames 1..31 */
	uint8_t *t = pool_make(0x20000, usable, 1);

	for (int i = 0; i < 10; i++) {
		CHECK(frame_alloc(&pool, VM(0)) != 0);
		CHECK(frame_alloc(&pool, VM(1)) != 0);
	}
	CHECK(frame_alloc(&pool, FRAME_PGTABLE) != 0);
	CHECK_EQ(frame_free_owner(&pool, VM(0)), 10);
	CHECK_EQ(pool.count[VM(0)], 0);
	CHECK_EQ(pool.count[VM(1)], 10);
	CHECK_EQ(pool.count[FRAME_PGTABLE], 1);
	CHECK_EQ(pool.count[FRAME_FREE], 31 - 11);
	CHECK_EQ(frame_free_owner(&pool, VM(0)), 0);
	CHECK_EQ(frame_free_owner(&pool, VM(7)), 0);
	CHECK(pool_consistent(&pool));
	free(t);
}

TEST(owner_names)
{
	static const struct {
		uint8_t owner;
		size_t len;
		const char *want;
	} cases[] = {
		{ FRAME_NONE, 16, "none" },	  { FRAME_FREE, 16, "free" },
		{ FRAME_KERNEL, 16, "kernel" },	  { FRAME_HYP, 16, "hyp" },
		{ FRAME_PGTABLE, 16, "pgtable" }, { VM(0), 16, "vm 0" },
		{ VM(7), 16, "vm 7" },		  { VM(42), 16, "vm 42" },
		{ 255, 16, "vm 239" },		  { 5, 16, "owner 5" },
		{ VM(123), 6, "vm 12" },	  { VM(123), 1, "" },
		{ FRAME_HYP, 0, "hyp" },
	};
	char buf[16];

	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		memset(buf, 'x', sizeof(buf));
		CHECK_STR(frame_owner_name(cases[i].owner, buf, cases[i].len), cases[i].want);
	}
	CHECK_STR(frame_owner_name(VM(1), NULL, 0), "?");
}

/* Random alloc/free/contig/free_owner sequence against a shadow table. */
static uint64_t rng_state = 0x2545f4914f6cdd1dULL;
static uint64_t rng(void)
{
	rng_state ^= rng_state << 13;
	rng_state ^= rng_state >> 7;
	rng_state ^= rng_state << 17;
	return rng_state;
}

TEST(random_ops_against_shadow)
{
	static const uint64_t usable[][2] = { { 0x0, 0x30000 }, { 0x40000, 0x40000 },
					      { 0x90800, 0x10000 } };
	uint8_t *t = pool_make(0x100000, usable, 3);
	static uint8_t shadow[256];
	int bad = 0;

	memcpy(shadow, pool.owner, pool.nframes);
	for (int iter = 0; iter < 20000 && !bad; iter++) {
		uint8_t owner = rng() % 4 ? VM(rng() % 4) : FRAME_PGTABLE;
		uint64_t a, op = rng() % 10;

		if (op < 5) {
			a = frame_alloc(&pool, owner);
			if (a) {
				bad |= (a & 0xfff) || a == 0 || shadow[a >> 12] != FRAME_FREE;
				shadow[a >> 12] = owner;
			} else {
				bad |= pool.count[FRAME_FREE] != 0;
			}
		} else if (op < 8) {
			a = (rng() % 300) * PG; /* some out of range */
			int want = (a >> 12) < pool.nframes && a &&
						   frame_owner_allocatable(shadow[a >> 12])
					   ? 0
					   : -EINVAL;
			bad |= frame_free(&pool, a) != want;
			if (!want)
				shadow[a >> 12] = FRAME_FREE;
		} else if (op < 9) {
			uint64_t n = 1 + rng() % 8, align = PG << (rng() % 4);
			a = frame_alloc_contig(&pool, n, align, owner);
			if (a) {
				bad |= (a & (align - 1)) != 0;
				for (uint64_t i = 0; i < n; i++) {
					bad |= shadow[(a >> 12) + i] != FRAME_FREE;
					shadow[(a >> 12) + i] = owner;
				}
			}
		} else {
			uint64_t want = 0, got;

			for (uint64_t i = 0; i < pool.nframes; i++) {
				if (shadow[i] == owner) {
					shadow[i] = FRAME_FREE;
					want++;
				}
			}
			got = frame_free_owner(&pool, owner);
			bad |= got != want;
		}
		bad |= memcmp(shadow, pool.owner, pool.nframes) != 0;
		bad |= !pool_consistent(&pool);
		if (bad)
			printf("  diverged at iteration %d (op %llu)\n", iter,
			       (unsigned long long)op);
	}
	CHECK(!bad);
	free(t);
}

int main(void)
{
	RUN(table_bytes);
	RUN(init_and_add_usable);
	RUN(reserve);
	RUN(alloc_next_fit_and_wrap);
	RUN(alloc_never_frame_zero);
	RUN(alloc_bad_owner);
	RUN(free_errors);
	RUN(contig);
	RUN(free_owner);
	RUN(owner_names);
	RUN(random_ops_against_shadow);
	return CHECK_DONE();
}
