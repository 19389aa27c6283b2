/* Memory-map normalization (see mm/memmap.h). Pure: no hardware, no logging.
 *
 * Firmware maps (E820 through Multiboot2, the UEFI memory map) are hints, not
 * truth: entries may overlap, repeat, be out of order or run past 2^64. The
 * normalized map is what the frame allocator trusts, so every rule here errs on
 * the side of "not usable". */
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "kernel/errno.h"
#include "mm/memmap.h"

#define MEMMAP_PAGE 4096ULL

/* End of a range, exclusive. A range running past 2^64 is clamped to end at
 * 2^64-1: the last byte of the address space is given up so that the end still
 * fits in 64 bits. */
static uint64_t memmap_end(const struct mem_range *r)
{
	if (r->len > UINT64_MAX - r->base)
		return UINT64_MAX;
	return r->base + r->len;
}

/* Types we do not know are treated as reserved: never hand out memory the
 * firmware described in a way we do not understand. */
static uint32_t memmap_known_type(uint32_t type)
{
	switch (type) {
	case MEM_USABLE:
	case MEM_RESERVED:
	case MEM_ACPI_RECLAIM:
	case MEM_ACPI_NVS:
	case MEM_BAD:
	case MEM_FIRMWARE:
		return type;
	default:
		return MEM_RESERVED;
	}
}

/* Higher rank wins an overlap: BAD > FIRMWARE > ACPI_NVS > RESERVED >
 * ACPI_RECLAIM > USABLE. */
static int memmap_rank(uint32_t type)
{
	switch (memmap_known_type(type)) {
	case MEM_USABLE:
		return 0;
	case MEM_ACPI_RECLAIM:
		return 1;
	case MEM_RESERVED:
		return 2;
	case MEM_ACPI_NVS:
		return 3;
	case MEM_FIRMWARE:
		return 4;
	default: /* MEM_BAD */
		return 5;
	}
}

/* Appends [base, end) of `type` to out[0..*w), merging it into the last entry
 * when they touch and agree. */
static int memmap_emit(struct mem_range *out, size_t *w, size_t cap, uint64_t base, uint64_t end,
		       uint32_t type)
{
	if (*w > 0) {
		struct mem_range *last = &out[*w - 1];

		if (last->type == type && memmap_end(last) == base) {
			last->len += end - base;
			return 0;
		}
	}
	if (*w >= cap)
		return -E2BIG;
	out[*w].base = base;
	out[*w].len = end - base;
	out[*w].type = type;
	(*w)++;
	return 0;
}

/* Smallest boundary (a base or an end of a non-empty range) strictly above
 * `pos`; false when there is none. */
static bool memmap_next_boundary(const struct mem_range *map, size_t n, uint64_t pos,
				 uint64_t *next)
{
	bool found = false;

	for (size_t i = 0; i < n; i++) {
		uint64_t b = map[i].base, e = memmap_end(&map[i]);

		if (e <= b)
			continue;
		if (b > pos && (!found || b < *next)) {
			*next = b;
			found = true;
		}
		if (e > pos && (!found || e < *next)) {
			*next = e;
			found = true;
		}
	}
	return found;
}

/* A sweep over the distinct boundaries: between two consecutive boundaries
 * every input range either covers the whole piece or none of it, so the piece
 * takes the highest-ranked covering type. O(n^2) with no scratch memory, which
 * is fine for firmware maps of a few hundred entries. */
int memmap_normalize(const struct mem_range *map, size_t n, struct mem_range *out, size_t cap)
{
	size_t w = 0;
	uint64_t pos = 0, next = 0;
	bool started = false;

	if (!map || (!out && cap))
		return n ? -EINVAL : 0;
	if (cap > INT32_MAX) /* the count is returned as an int */
		cap = INT32_MAX;
	for (size_t i = 0; i < n; i++) {
		if (memmap_end(&map[i]) > map[i].base && (!started || map[i].base < pos)) {
			pos = map[i].base;
			started = true;
		}
	}
	if (!started)
		return 0;

	while (memmap_next_boundary(map, n, pos, &next)) {
		int best = -1;
		uint32_t type = 0;

		for (size_t i = 0; i < n; i++) {
			if (map[i].base <= pos && memmap_end(&map[i]) > pos &&
			    memmap_rank(map[i].type) > best) {
				best = memmap_rank(map[i].type);
				type = memmap_known_type(map[i].type);
			}
		}
		if (best >= 0) {
			int err = memmap_emit(out, &w, cap, pos, next, type);

			if (err)
				return err;
		}
		pos = next;
	}
	return (int)w;
}

/* memmap_set_type() rewrites the map in place and may grow it by two entries
 * (a split at each end of the range). Pieces are written at index w while
 * entries are still being read at index r, so entries are copied into this
 * small queue before their slot can be overwritten. Because the map is sorted
 * and non-overlapping, only two entries can be split, so w never runs more than
 * two pieces ahead of the entries consumed and the queue never holds more than
 * four entries. */
#define MEMMAP_QUEUE 8

struct memmap_rewrite {
	struct mem_range *map;
	size_t n;
	bool dry;		   /* only count the result */
	size_t r;		   /* next map entry to read */
	size_t w;		   /* entries written (or counted) so far */
	struct mem_range pend;	   /* last piece, not yet written */
	bool have_pend;
	struct mem_range q[MEMMAP_QUEUE];
	size_t q_head, q_len;
};

static void memmap_rw_read(struct memmap_rewrite *rw)
{
	rw->q[(rw->q_head + rw->q_len) % MEMMAP_QUEUE] = rw->map[rw->r++];
	rw->q_len++;
}

static void memmap_rw_flush(struct memmap_rewrite *rw)
{
	if (!rw->have_pend)
		return;
	if (!rw->dry) {
		/* Save every unread entry up to the slot we are about to reuse. */
		while (rw->r <= rw->w && rw->r < rw->n)
			memmap_rw_read(rw);
		rw->map[rw->w] = rw->pend;
	}
	rw->w++;
	rw->have_pend = false;
}

static void memmap_rw_piece(struct memmap_rewrite *rw, uint64_t base, uint64_t end, uint32_t type)
{
	if (end <= base)
		return;
	if (rw->have_pend && rw->pend.type == type && memmap_end(&rw->pend) == base) {
		rw->pend.len += end - base;
		return;
	}
	memmap_rw_flush(rw);
	rw->pend.base = base;
	rw->pend.len = end - base;
	rw->pend.type = type;
	rw->have_pend = true;
}

static size_t memmap_rw_run(struct mem_range *map, size_t n, bool dry, uint64_t s, uint64_t f,
			    uint32_t type)
{
	struct memmap_rewrite rw = { .map = map, .n = n, .dry = dry };

	for (size_t consumed = 0; consumed < n; consumed++) {
		struct mem_range e;
		uint64_t b, end;

		if (rw.q_len == 0)
			memmap_rw_read(&rw);
		e = rw.q[rw.q_head];
		rw.q_head = (rw.q_head + 1) % MEMMAP_QUEUE;
		rw.q_len--;

		b = e.base;
		end = memmap_end(&e);
		if (e.type != MEM_USABLE || end <= s || b >= f) {
			memmap_rw_piece(&rw, b, end, e.type);
			continue;
		}
		memmap_rw_piece(&rw, b, s, MEM_USABLE);
		memmap_rw_piece(&rw, b > s ? b : s, end < f ? end : f, type);
		memmap_rw_piece(&rw, f, end, MEM_USABLE);
	}
	memmap_rw_flush(&rw);
	return rw.w;
}

int memmap_set_type(struct mem_range *map, size_t n, size_t cap, uint64_t base, uint64_t len,
		    uint32_t type)
{
	uint64_t end;
	size_t count;

	if (n > cap || (!map && n))
		return -EINVAL;
	if (cap > INT32_MAX) /* the count is returned as an int */
		cap = INT32_MAX;
	if (n > cap)
		return -E2BIG;
	if (memmap_known_type(type) != type)
		return -EINVAL;
	/* The in-place rewrite relies on a normalized (sorted, non-overlapping) map. */
	for (size_t i = 1; i < n; i++) {
		if (map[i].base < memmap_end(&map[i - 1]))
			return -EINVAL;
	}
	if (len == 0)
		return (int)n;
	end = len > UINT64_MAX - base ? UINT64_MAX : base + len;

	/* Count first so that a map that would not fit is left untouched. */
	count = memmap_rw_run(map, n, true, base, end, type);
	if (count > cap)
		return -E2BIG;
	return (int)memmap_rw_run(map, n, false, base, end, type);
}

/* Rounds x up to a multiple of a (a power of two); false on overflow. */
static bool memmap_align_up(uint64_t x, uint64_t a, uint64_t *out)
{
	if (x > UINT64_MAX - (a - 1))
		return false;
	*out = (x + a - 1) & ~(a - 1);
	return true;
}

uint64_t memmap_find_usable(const struct mem_range *map, size_t n, uint64_t len, uint64_t align,
			    uint64_t min)
{
	uint64_t best = 0;

	if (!map || len == 0 || align < MEMMAP_PAGE || (align & (align - 1)))
		return 0;
	/* 0 means "none", so address 0 can never be an answer. */
	if (min == 0)
		min = 1;

	for (size_t i = 0; i < n; i++) {
		uint64_t lo, hi, a;

		if (map[i].type != MEM_USABLE)
			continue;
		/* Only whole pages of a usable range count: a partial page at
		 * either end may share its frame with something else. */
		if (!memmap_align_up(map[i].base, MEMMAP_PAGE, &lo))
			continue;
		hi = memmap_end(&map[i]) & ~(MEMMAP_PAGE - 1);
		if (lo < min)
			lo = min;
		if (!memmap_align_up(lo, align, &a))
			continue;
		if (a >= hi || hi - a < len)
			continue;
		if (best == 0 || a < best)
			best = a;
	}
	return best;
}

uint64_t memmap_total(const struct mem_range *map, size_t n, uint32_t type)
{
	uint64_t total = 0;

	if (!map)
		return 0;
	for (size_t i = 0; i < n; i++) {
		uint64_t len = memmap_end(&map[i]) - map[i].base;

		if (map[i].type != type)
			continue;
		/* Saturate: a hostile map can describe more than 2^64 bytes. */
		total = len > UINT64_MAX - total ? UINT64_MAX : total + len;
	}
	return total;
}

uint64_t memmap_usable_top(const struct mem_range *map, size_t n)
{
	uint64_t top = 0;

	if (!map)
		return 0;
	for (size_t i = 0; i < n; i++) {
		uint64_t end = memmap_end(&map[i]);

		if (map[i].type == MEM_USABLE && end > map[i].base && end > top)
			top = end;
	}
	return top;
}

const char *memmap_type_name(uint32_t type)
{
	switch (type) {
	case MEM_USABLE:
		return "usable";
	case MEM_RESERVED:
		return "reserved";
	case MEM_ACPI_RECLAIM:
		return "ACPI reclaimable";
	case MEM_ACPI_NVS:
		return "ACPI NVS";
	case MEM_BAD:
		return "bad";
	case MEM_FIRMWARE:
		return "firmware";
	default:
		return "unknown";
	}
}
