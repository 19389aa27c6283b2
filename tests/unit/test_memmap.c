/* Host tests for mm/memmap.c: normalization, set_type, find_usable, totals. */
#include <stdint.h>

#include "tests/unit/check.h"

#include "mm/memmap.c"

#define U MEM_USABLE
#define RSV MEM_RESERVED
#define RCL MEM_ACPI_RECLAIM
#define NVS MEM_ACPI_NVS
#define BAD MEM_BAD
#define FW MEM_FIRMWARE
#define MAXU UINT64_MAX

#define MAXE 8

struct map_case {
	const char *name;
	size_t n;
	struct mem_range in[MAXE];
	int ret;
	struct mem_range out[MAXE];
};

static void check_map_eq(const char *name, const struct mem_range *got, int n,
			 const struct mem_range *want)
{
	for (int i = 0; i < n; i++) {
		if (got[i].base != want[i].base || got[i].len != want[i].len ||
		    got[i].type != want[i].type) {
			printf("  %s: entry %d is {0x%llx, 0x%llx, %u}, want {0x%llx, 0x%llx, %u}\n",
			       name, i, (unsigned long long)got[i].base,
			       (unsigned long long)got[i].len, got[i].type,
			       (unsigned long long)want[i].base,
			       (unsigned long long)want[i].len, want[i].type);
			check_failed_ = 1;
		}
	}
}

static const struct map_case normalize_cases[] = {
	{ "empty", 0, { { 0 } }, 0, { { 0 } } },
	{ "single", 1, { { 0x1000, 0x9000, U } }, 1, { { 0x1000, 0x9000, U } } },
	{ "unsorted disjoint", 3,
	  { { 0x30000, 0x1000, U }, { 0x10000, 0x1000, RSV }, { 0x20000, 0x1000, U } }, 3,
	  { { 0x10000, 0x1000, RSV }, { 0x20000, 0x1000, U }, { 0x30000, 0x1000, U } } },
	{ "adjacent same type merged", 3,
	  { { 0x2000, 0x1000, U }, { 0x0, 0x1000, U }, { 0x1000, 0x1000, U } }, 1,
	  { { 0x0, 0x3000, U } } },
	{ "adjacent different types kept apart", 2,
	  { { 0x0, 0x1000, U }, { 0x1000, 0x1000, RCL } }, 2,
	  { { 0x0, 0x1000, U }, { 0x1000, 0x1000, RCL } } },
	{ "hole kept", 2, { { 0x0, 0x1000, U }, { 0x2000, 0x1000, U } }, 2,
	  { { 0x0, 0x1000, U }, { 0x2000, 0x1000, U } } },
	{ "overlap: reserved beats usable", 2,
	  { { 0x0, 0x10000, U }, { 0x8000, 0x10000, RSV } }, 2,
	  { { 0x0, 0x8000, U }, { 0x8000, 0x10000, RSV } } },
	{ "overlap listed in the other order", 2,
	  { { 0x8000, 0x10000, RSV }, { 0x0, 0x10000, U } }, 2,
	  { { 0x0, 0x8000, U }, { 0x8000, 0x10000, RSV } } },
	{ "nested bad splits usable", 2, { { 0x0, 0x100000, U }, { 0x40000, 0x1000, BAD } }, 3,
	  { { 0x0, 0x40000, U }, { 0x40000, 0x1000, BAD }, { 0x41000, 0xbf000, U } } },
	{ "reclaim beats usable", 2, { { 0x0, 0x2000, RCL }, { 0x0, 0x2000, U } }, 1,
	  { { 0x0, 0x2000, RCL } } },
	{ "reserved beats reclaim", 2, { { 0x0, 0x2000, RCL }, { 0x1000, 0x2000, RSV } }, 2,
	  { { 0x0, 0x1000, RCL }, { 0x1000, 0x2000, RSV } } },
	{ "nvs beats reserved", 2, { { 0x0, 0x3000, RSV }, { 0x1000, 0x1000, NVS } }, 3,
	  { { 0x0, 0x1000, RSV }, { 0x1000, 0x1000, NVS }, { 0x2000, 0x1000, RSV } } },
	{ "firmware beats nvs", 2, { { 0x0, 0x2000, FW }, { 0x0, 0x3000, NVS } }, 2,
	  { { 0x0, 0x2000, FW }, { 0x2000, 0x1000, NVS } } },
	{ "bad beats firmware", 2, { { 0x1000, 0x1000, BAD }, { 0x0, 0x3000, FW } }, 3,
	  { { 0x0, 0x1000, FW }, { 0x1000, 0x1000, BAD }, { 0x2000, 0x1000, FW } } },
	{ "all six stacked", 6,
	  { { 0x0, 0x6000, U }, { 0x1000, 0x5000, RCL }, { 0x2000, 0x4000, RSV },
	    { 0x3000, 0x3000, NVS }, { 0x4000, 0x2000, FW }, { 0x5000, 0x1000, BAD } }, 6,
	  { { 0x0, 0x1000, U }, { 0x1000, 0x1000, RCL }, { 0x2000, 0x1000, RSV },
	    { 0x3000, 0x1000, NVS }, { 0x4000, 0x1000, FW }, { 0x5000, 0x1000, BAD } } },
	{ "unknown types are reserved", 3,
	  { { 0x0, 0x1000, 0 }, { 0x1000, 0x1000, 99 }, { 0x2000, 0x1000, RSV } }, 1,
	  { { 0x0, 0x3000, RSV } } },
	{ "unknown type loses to nvs", 2, { { 0x0, 0x2000, 7 }, { 0x1000, 0x1000, NVS } }, 2,
	  { { 0x0, 0x1000, RSV }, { 0x1000, 0x1000, NVS } } },
	{ "duplicates collapse", 3,
	  { { 0x5000, 0x1000, U }, { 0x5000, 0x1000, U }, { 0x5000, 0x1000, U } }, 1,
	  { { 0x5000, 0x1000, U } } },
	{ "overlapping usable merges", 2, { { 0x0, 0x3000, U }, { 0x2000, 0x3000, U } }, 1,
	  { { 0x0, 0x5000, U } } },
	{ "zero length dropped", 3,
	  { { 0x0, 0x0, U }, { 0x1000, 0x1000, U }, { 0x1800, 0x0, BAD } }, 1,
	  { { 0x1000, 0x1000, U } } },
	{ "only zero length", 2, { { 0x1000, 0, U }, { MAXU, 0, BAD } }, 0, { { 0 } } },
	{ "wrap clamps to 2^64-1", 1, { { 0xfffffffffffff000ULL, 0x2000, U } }, 1,
	  { { 0xfffffffffffff000ULL, 0xfff, U } } },
	{ "len 2^64-1 from 0x1000", 1, { { 0x1000, MAXU, RSV } }, 1,
	  { { 0x1000, MAXU - 0x1000, RSV } } },
	{ "base 2^64-1 is empty after clamp", 2, { { MAXU, 5, U }, { 0x0, 0x1000, U } }, 1,
	  { { 0x0, 0x1000, U } } },
	{ "wrapping bad covers the top", 2,
	  { { 0xffff0000ULL, 0x10000, U }, { 0xffff8000ULL, MAXU, BAD } }, 2,
	  { { 0xffff0000ULL, 0x8000, U }, { 0xffff8000ULL, MAXU - 0xffff8000ULL, BAD } } },
	{ "whole space usable", 1, { { 0x0, MAXU, U } }, 1, { { 0x0, MAXU, U } } },
};

TEST(normalize_table)
{
	for (size_t c = 0; c < sizeof(normalize_cases) / sizeof(normalize_cases[0]); c++) {
		const struct map_case *t = &normalize_cases[c];
		struct mem_range out[MAXE];
		int ret;

		memset(out, 0xa5, sizeof(out));
		ret = memmap_normalize(t->in, t->n, out, MAXE);
		if (ret != t->ret) {
			printf("  %s: returned %d, want %d\n", t->name, ret, t->ret);
			check_failed_ = 1;
			continue;
		}
		check_map_eq(t->name, out, ret, t->out);
	}
}

TEST(normalize_e2big)
{
	struct mem_range in[3] = { { 0x0, 0x1000, U }, { 0x2000, 0x1000, RSV },
				   { 0x4000, 0x1000, U } };
	struct mem_range out[3];

	CHECK_EQ(memmap_normalize(in, 3, out, 2), -E2BIG);
	CHECK_EQ(memmap_normalize(in, 3, out, 0), -E2BIG);
	CHECK_EQ(memmap_normalize(in, 3, out, 3), 3);
	/* A split that needs more room than the input had. */
	struct mem_range nest[2] = { { 0x0, 0x3000, U }, { 0x1000, 0x1000, BAD } };
	CHECK_EQ(memmap_normalize(nest, 2, out, 2), -E2BIG);
	CHECK_EQ(memmap_normalize(nest, 2, out, 3), 3);
	CHECK_EQ(memmap_normalize(NULL, 0, out, 3), 0);
	CHECK_EQ(memmap_normalize(NULL, 2, out, 3), -EINVAL);
}

/* Deterministic PRNG for the model-checked cases. */
static uint64_t rng_state = 0x9e3779b97f4a7c15ULL;
static uint64_t rng(void)
{
	rng_state ^= rng_state << 13;
	rng_state ^= rng_state >> 7;
	rng_state ^= rng_state << 17;
	return rng_state;
}

/* Type of address unit u (0..MODEL) in a map, 0 when no entry covers it, by
 * scanning every entry: an independent reimplementation of the priority rule. */
#define MODEL 64
static const uint32_t rank_order[] = { U, RCL, RSV, NVS, FW, BAD };
static int model_rank(uint32_t t)
{
	if (t < 1 || t > 6)
		t = RSV;
	for (int i = 0; i < 6; i++)
		if (rank_order[i] == t)
			return i;
	return -1;
}

static uint32_t model_type_at(const struct mem_range *m, size_t n, uint64_t a)
{
	int best = -1;

	for (size_t i = 0; i < n; i++) {
		if (a >= m[i].base && a - m[i].base < m[i].len && model_rank(m[i].type) > best)
			best = model_rank(m[i].type);
	}
	return best < 0 ? 0 : rank_order[best];
}

/* Checks that `m` is normalized and agrees with `model` at every unit. */
static void check_normalized_against(const struct mem_range *m, int n, const uint32_t *model,
				     int *bad)
{
	for (int i = 0; i < n; i++) {
		if (m[i].len == 0)
			*bad = 1;
		if (i > 0 && m[i].base < m[i - 1].base + m[i - 1].len)
			*bad = 1;
		if (i > 0 && m[i].base == m[i - 1].base + m[i - 1].len &&
		    m[i].type == m[i - 1].type)
			*bad = 1; /* should have been merged */
	}
	for (uint64_t a = 0; a < 2 * MODEL; a++) {
		if (model_type_at(m, (size_t)n, a) != model[a])
			*bad = 1;
	}
}

TEST(normalize_random_model)
{
	for (int iter = 0; iter < 3000; iter++) {
		struct mem_range in[10], out[32];
		uint32_t model[2 * MODEL];
		size_t n = rng() % 11;
		int bad = 0, ret;

		for (size_t i = 0; i < n; i++) {
			in[i].base = rng() % MODEL;
			in[i].len = rng() % (MODEL / 2);
			in[i].type = (uint32_t)(rng() % 8); /* includes unknown 0 and 7 */
		}
		for (uint64_t a = 0; a < 2 * MODEL; a++)
			model[a] = model_type_at(in, n, a);
		ret = memmap_normalize(in, n, out, 32);
		CHECK(ret >= 0);
		if (ret < 0)
			return;
		check_normalized_against(out, ret, model, &bad);
		if (bad) {
			printf("  iteration %d disagrees with the model\n", iter);
			check_failed_ = 1;
			return;
		}
	}
}

struct set_case {
	const char *name;
	size_t n, cap;
	struct mem_range in[MAXE];
	uint64_t base, len;
	uint32_t type;
	int ret;
	struct mem_range out[MAXE];
};

static const struct set_case set_cases[] = {
	{ "split in the middle", 1, 8, { { 0x0, 0x10000, U } }, 0x4000, 0x1000, RSV, 3,
	  { { 0x0, 0x4000, U }, { 0x4000, 0x1000, RSV }, { 0x5000, 0xb000, U } } },
	{ "left edge", 1, 8, { { 0x1000, 0xf000, U } }, 0x1000, 0x1000, RSV, 2,
	  { { 0x1000, 0x1000, RSV }, { 0x2000, 0xe000, U } } },
	{ "right edge", 1, 8, { { 0x1000, 0xf000, U } }, 0xf000, 0x1000, BAD, 2,
	  { { 0x1000, 0xe000, U }, { 0xf000, 0x1000, BAD } } },
	{ "whole entry merges with neighbours", 3, 8,
	  { { 0x0, 0x1000, RSV }, { 0x1000, 0x1000, U }, { 0x2000, 0x1000, RSV } }, 0x1000,
	  0x1000, RSV, 1, { { 0x0, 0x3000, RSV } } },
	{ "range starting before the entry", 1, 8, { { 0x4000, 0x4000, U } }, 0x0, 0x6000, RSV, 2,
	  { { 0x4000, 0x2000, RSV }, { 0x6000, 0x2000, U } } },
	{ "across three entries", 3, 8,
	  { { 0x0, 0xa000, U }, { 0xa000, 0xa000, NVS }, { 0x14000, 0xa000, U } }, 0x5000,
	  0x14000, RSV, 5,
	  { { 0x0, 0x5000, U }, { 0x5000, 0x5000, RSV }, { 0xa000, 0xa000, NVS },
	    { 0x14000, 0x5000, RSV }, { 0x19000, 0x5000, U } } },
	{ "non-usable entries untouched", 2, 8, { { 0x0, 0x1000, NVS }, { 0x1000, 0x1000, BAD } },
	  0x0, 0x2000, RSV, 2, { { 0x0, 0x1000, NVS }, { 0x1000, 0x1000, BAD } } },
	{ "range in a hole", 2, 8, { { 0x0, 0x1000, U }, { 0x8000, 0x1000, U } }, 0x2000, 0x4000,
	  RSV, 2, { { 0x0, 0x1000, U }, { 0x8000, 0x1000, U } } },
	{ "needs two more slots: cap too small", 1, 2, { { 0x0, 0x10000, U } }, 0x4000, 0x1000,
	  RSV, -E2BIG, { { 0x0, 0x10000, U } } },
	{ "needs two more slots: cap just enough", 1, 3, { { 0x0, 0x10000, U } }, 0x4000, 0x1000,
	  RSV, 3, { { 0x0, 0x4000, U }, { 0x4000, 0x1000, RSV }, { 0x5000, 0xb000, U } } },
	{ "merge makes it fit in cap", 2, 2, { { 0x0, 0x2000, U }, { 0x2000, 0x2000, RSV } },
	  0x1000, 0x1000, RSV, 2, { { 0x0, 0x1000, U }, { 0x1000, 0x3000, RSV } } },
	{ "zero length is a no-op", 1, 1, { { 0x0, 0x2000, U } }, 0x1000, 0, RSV, 1,
	  { { 0x0, 0x2000, U } } },
	{ "wrapping length clamps", 2, 8, { { 0x0, 0x2000, U }, { 0x10000, 0x2000, U } }, 0x1000,
	  MAXU, RSV, 3, { { 0x0, 0x1000, U }, { 0x1000, 0x1000, RSV }, { 0x10000, 0x2000, RSV } } },
	{ "usable to usable changes nothing", 1, 1, { { 0x0, 0x2000, U } }, 0x1000, 0x10, U, 1,
	  { { 0x0, 0x2000, U } } },
	{ "unsorted map refused", 2, 8, { { 0x8000, 0x1000, U }, { 0x0, 0x1000, U } }, 0x0,
	  0x1000, RSV, -EINVAL, { { 0x8000, 0x1000, U }, { 0x0, 0x1000, U } } },
	{ "overlapping map refused", 2, 8, { { 0x0, 0x2000, U }, { 0x1000, 0x1000, RSV } }, 0x0,
	  0x1000, RSV, -EINVAL, { { 0x0, 0x2000, U }, { 0x1000, 0x1000, RSV } } },
	{ "unknown type refused", 1, 8, { { 0x0, 0x2000, U } }, 0x0, 0x1000, 9, -EINVAL,
	  { { 0x0, 0x2000, U } } },
	{ "n above cap refused", 2, 1, { { 0x0, 0x1000, U }, { 0x2000, 0x1000, U } }, 0x0,
	  0x1000, RSV, -EINVAL, { { 0x0, 0x1000, U }, { 0x2000, 0x1000, U } } },
};

TEST(set_type_table)
{
	for (size_t c = 0; c < sizeof(set_cases) / sizeof(set_cases[0]); c++) {
		const struct set_case *t = &set_cases[c];
		struct mem_range map[MAXE];
		int ret;

		memset(map, 0x5a, sizeof(map));
		memcpy(map, t->in, t->n * sizeof(map[0]));
		ret = memmap_set_type(map, t->n, t->cap, t->base, t->len, t->type);
		if (ret != t->ret) {
			printf("  %s: returned %d, want %d\n", t->name, ret, t->ret);
			check_failed_ = 1;
			continue;
		}
		/* On failure the map must be left as it was. */
		check_map_eq(t->name, map, ret >= 0 ? ret : (int)t->n, t->out);
		for (size_t i = (size_t)(ret >= 0 ? ret : (int)t->n); i < t->cap && i < MAXE; i++) {
			if (i >= t->n && map[i].base != 0x5a5a5a5a5a5a5a5aULL) {
				printf("  %s: wrote past the result at %zu\n", t->name, i);
				check_failed_ = 1;
			}
		}
	}
}

/* Random normalized maps, random set_type ranges, checked against a unit model
 * where only usable units change type. */
TEST(set_type_random_model)
{
	for (int iter = 0; iter < 3000; iter++) {
		struct mem_range in[10], map[40];
		uint32_t model[2 * MODEL];
		size_t n0 = rng() % 11;
		int n, ret, bad = 0;
		uint64_t s = rng() % (MODEL + 8), l = rng() % (MODEL / 2);
		uint32_t type = (uint32_t)(1 + rng() % 6);

		for (size_t i = 0; i < n0; i++) {
			in[i].base = rng() % MODEL;
			in[i].len = rng() % 16;
			/* Mostly usable so that splits happen. */
			in[i].type = rng() % 3 ? U : (uint32_t)(1 + rng() % 6);
		}
		n = memmap_normalize(in, n0, map, 40);
		CHECK(n >= 0);
		if (n < 0)
			return;
		for (uint64_t a = 0; a < 2 * MODEL; a++) {
			model[a] = model_type_at(map, (size_t)n, a);
			if (model[a] == U && a >= s && a < s + l)
				model[a] = type;
		}
		ret = memmap_set_type(map, (size_t)n, 40, s, l, type);
		CHECK(ret >= 0 && ret <= n + 2);
		if (ret < 0)
			return;
		check_normalized_against(map, ret, model, &bad);
		if (bad) {
			printf("  iteration %d disagrees with the model\n", iter);
			check_failed_ = 1;
			return;
		}
	}
}

struct find_case {
	const char *name;
	size_t n;
	struct mem_range map[4];
	uint64_t len, align, min, want;
};

static const struct find_case find_cases[] = {
	{ "first page", 1, { { 0x1000, 0xff000, U } }, 0x1000, 0x1000, 0, 0x1000 },
	{ "address 0 is never returned", 1, { { 0x0, 0x10000, U } }, 0x1000, 0x1000, 0, 0x1000 },
	{ "2 MiB alignment", 1, { { 0x1000, 0x5ff000, U } }, 0x200000, 0x200000, 0, 0x200000 },
	{ "alignment skips the unaligned start", 1, { { 0x1000, 0x3ff000, U } }, 0x200000, 0x200000, 0,
	  0x200000 },
	{ "alignment leaves too little", 1, { { 0x1000, 0x2ff000, U } }, 0x200000, 0x200000, 0,
	  0 },
	{ "partial pages do not count", 1, { { 0x1800, 0x2000, U } }, 0x2000, 0x1000, 0, 0 },
	{ "partial pages: the whole page inside", 1, { { 0x1800, 0x2000, U } }, 0x1000, 0x1000, 0,
	  0x2000 },
	{ "partial last page does not count", 1, { { 0x1000, 0x1800, U } }, 0x1800, 0x1000, 0,
	  0 },
	{ "min inside a range", 1, { { 0x0, 0x100000, U } }, 0x1000, 0x1000, 0x5000, 0x5000 },
	{ "min unaligned rounds up", 1, { { 0x0, 0x100000, U } }, 0x1000, 0x1000, 0x5001,
	  0x6000 },
	{ "min above everything", 1, { { 0x0, 0x100000, U } }, 0x1000, 0x1000, 0x100000, 0 },
	{ "lowest of unsorted", 3,
	  { { 0x900000, 0x100000, U }, { 0x300000, 0x100000, U }, { 0x600000, 0x100000, U } },
	  0x1000, 0x1000, 0, 0x300000 },
	{ "skips a range too small", 2, { { 0x1000, 0x1000, U }, { 0x10000, 0x4000, U } }, 0x2000,
	  0x1000, 0, 0x10000 },
	{ "reserved is not usable", 2, { { 0x1000, 0x100000, RSV }, { 0x200000, 0x1000, RCL } },
	  0x1000, 0x1000, 0, 0 },
	{ "exact fit at the end", 1, { { 0x10000, 0x3000, U } }, 0x3000, 0x1000, 0, 0x10000 },
	{ "one byte too long", 1, { { 0x10000, 0x3000, U } }, 0x3001, 0x1000, 0, 0 },
	{ "align below a page refused", 1, { { 0x0, 0x100000, U } }, 0x1000, 0x800, 0, 0 },
	{ "align not a power of two refused", 1, { { 0x0, 0x100000, U } }, 0x1000, 0x3000, 0, 0 },
	{ "len 0 refused", 1, { { 0x0, 0x100000, U } }, 0, 0x1000, 0, 0 },
	{ "near the top of the address space", 1, { { 0xffffffffffff0000ULL, MAXU, U } }, 0x1000,
	  0x10000, 0, 0xffffffffffff0000ULL },
	{ "min near the top: alignment overflows", 1, { { 0x0, MAXU, U } }, 0x1000, 0x10000,
	  0xffffffffffff0001ULL, 0 },
	{ "huge len", 1, { { 0x0, MAXU, U } }, MAXU, 0x1000, 0, 0 },
};

TEST(find_usable_table)
{
	for (size_t c = 0; c < sizeof(find_cases) / sizeof(find_cases[0]); c++) {
		const struct find_case *t = &find_cases[c];
		uint64_t got = memmap_find_usable(t->map, t->n, t->len, t->align, t->min);

		if (got != t->want) {
			printf("  %s: got 0x%llx, want 0x%llx\n", t->name, (unsigned long long)got,
			       (unsigned long long)t->want);
			check_failed_ = 1;
		}
	}
	CHECK_EQ(memmap_find_usable(NULL, 3, 0x1000, 0x1000, 0), 0);
}

TEST(totals)
{
	struct mem_range m[4] = { { 0x0, 0x9f000, U }, { 0x9f000, 0x61000, RSV },
				  { 0x100000, 0x7f00000, U }, { 0xfec00000, 0x1000, RSV } };
	struct mem_range huge[2] = { { 0x0, MAXU, U }, { 0x1000, MAXU, U } };

	CHECK_EQ(memmap_total(m, 4, U), 0x9f000 + 0x7f00000);
	CHECK_EQ(memmap_total(m, 4, RSV), 0x62000);
	CHECK_EQ(memmap_total(m, 4, BAD), 0);
	CHECK_EQ(memmap_usable_top(m, 4), 0x8000000);
	CHECK_EQ(memmap_usable_top(m, 0), 0);
	/* Saturates instead of wrapping. */
	CHECK_EQ(memmap_total(huge, 2, U), MAXU);
	CHECK_EQ(memmap_usable_top(huge, 2), MAXU);
	CHECK_EQ(memmap_total(NULL, 2, U), 0);
}

TEST(type_names)
{
	static const struct {
		uint32_t type;
		const char *name;
	} names[] = {
		{ U, "usable" },	{ RSV, "reserved" }, { RCL, "ACPI reclaimable" },
		{ NVS, "ACPI NVS" },	{ BAD, "bad" },	     { FW, "firmware" },
		{ 0, "unknown" },	{ 7, "unknown" },    { 0xffffffff, "unknown" },
	};

	for (size_t i = 0; i < sizeof(names) / sizeof(names[0]); i++)
		CHECK_STR(memmap_type_name(names[i].type), names[i].name);
}

int main(void)
{
	RUN(normalize_table);
	RUN(normalize_e2big);
	RUN(normalize_random_model);
	RUN(set_type_table);
	RUN(set_type_random_model);
	RUN(find_usable_table);
	RUN(totals);
	RUN(type_names);
	return CHECK_DONE();
}
