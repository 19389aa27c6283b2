/* Physical frame bookkeeping (see mm/frame.h). Pure: no hardware, no locking;
 * mm/mem.c owns the global pool and its lock.
 *
 * Invariant kept by every function: the sum of p->count[] equals p->nframes and
 * p->count[o] is the number of owner bytes equal to o. Frame 0 never becomes
 * FRAME_FREE, so it can never be handed out and 0 can mean "no frame". */
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "kernel/errno.h"
#include "kernel/kstring.h"
#include "mm/frame.h"

static void frame_set(struct frame_pool *p, uint64_t idx, uint8_t owner)
{
	p->count[p->owner[idx]]--;
	p->count[owner]++;
	p->owner[idx] = owner;
}

/* Owners a frame can be allocated to and freed from. KERNEL frames (image,
 * modules) are reserved at boot and never given back; 5..15 are not defined. */
static bool frame_owner_allocatable(uint8_t owner)
{
	return owner == FRAME_HYP || owner == FRAME_PGTABLE || owner >= FRAME_VM_FIRST;
}

/* End of [base, base+len), clamped to 2^64-1 when it would wrap. */
static uint64_t frame_range_end(uint64_t base, uint64_t len)
{
	return len > UINT64_MAX - base ? UINT64_MAX : base + len;
}

uint64_t frame_table_bytes(uint64_t top)
{
	return (top >> FRAME_SHIFT) + ((top & (FRAME_SIZE - 1)) != 0);
}

void frame_pool_init(struct frame_pool *p, uint8_t *table, uint64_t top)
{
	p->owner = table;
	p->nframes = table ? frame_table_bytes(top) : 0;
	memset(p->count, 0, sizeof(p->count));
	p->count[FRAME_NONE] = p->nframes;
	p->hint = 1;
	if (p->nframes)
		memset(table, FRAME_NONE, (size_t)p->nframes);
}

void frame_add_usable(struct frame_pool *p, uint64_t base, uint64_t len)
{
	uint64_t end = frame_range_end(base, len);
	/* Only frames wholly inside the range: a partial frame at either end may
	 * share its 4 KiB with firmware data. */
	uint64_t first = (base >> FRAME_SHIFT) + ((base & (FRAME_SIZE - 1)) != 0);
	uint64_t last = end >> FRAME_SHIFT;

	if (first == 0)
		first = 1; /* frame 0 is never handed out */
	if (last > p->nframes)
		last = p->nframes;
	for (uint64_t i = first; i < last; i++) {
		if (p->owner[i] == FRAME_NONE)
			frame_set(p, i, FRAME_FREE);
	}
}

uint64_t frame_reserve(struct frame_pool *p, uint64_t base, uint64_t len, uint8_t owner)
{
	uint64_t end = frame_range_end(base, len);
	uint64_t first = base >> FRAME_SHIFT;
	/* Every frame touched, so the partial frames at both ends too. */
	uint64_t last = (end >> FRAME_SHIFT) + ((end & (FRAME_SIZE - 1)) != 0);
	uint64_t changed = 0;

	if (len == 0 || owner == FRAME_FREE)
		return 0;
	if (last > p->nframes)
		last = p->nframes;
	for (uint64_t i = first; i < last; i++) {
		if (p->owner[i] == FRAME_FREE) {
			frame_set(p, i, owner);
			changed++;
		}
	}
	return changed;
}

/* First free frame in [from, to), or 0. */
static uint64_t frame_scan(const struct frame_pool *p, uint64_t from, uint64_t to)
{
	for (uint64_t i = from; i < to; i++) {
		if (p->owner[i] == FRAME_FREE)
			return i;
	}
	return 0;
}

uint64_t frame_alloc(struct frame_pool *p, uint8_t owner)
{
	uint64_t hint = p->hint, idx;

	if (!frame_owner_allocatable(owner) || p->count[FRAME_FREE] == 0)
		return 0;
	if (hint == 0 || hint >= p->nframes)
		hint = 1;
	/* Next-fit from the hint, then wrap around to the low frames. */
	idx = frame_scan(p, hint, p->nframes);
	if (!idx)
		idx = frame_scan(p, 1, hint);
	if (!idx)
		return 0;
	frame_set(p, idx, owner);
	p->hint = idx + 1 < p->nframes ? idx + 1 : 1;
	return idx << FRAME_SHIFT;
}

uint64_t frame_alloc_contig(struct frame_pool *p, uint64_t n, uint64_t align, uint8_t owner)
{
	uint64_t step, idx;

	if (!frame_owner_allocatable(owner) || n == 0 || n > p->count[FRAME_FREE])
		return 0;
	if (align < FRAME_SIZE || (align & (align - 1)))
		return 0;
	step = align >> FRAME_SHIFT;
	/* Frame 0 is never free, so the first candidate is the first aligned frame
	 * above it. */
	idx = step;
	while (idx < p->nframes && n <= p->nframes - idx) {
		uint64_t j = 0;

		while (j < n && p->owner[idx + j] == FRAME_FREE)
			j++;
		if (j == n) {
			for (j = 0; j < n; j++)
				frame_set(p, idx + j, owner);
			return idx << FRAME_SHIFT;
		}
		/* Frame idx+j is taken: the next candidate is the first aligned
		 * frame past it. No overflow: both terms are below 2^52. */
		idx = (idx + j + step) & ~(step - 1);
	}
	return 0;
}

int frame_free(struct frame_pool *p, uint64_t addr)
{
	uint64_t idx = addr >> FRAME_SHIFT;

	if (addr & (FRAME_SIZE - 1))
		return -EINVAL;
	if (idx == 0 || idx >= p->nframes)
		return -EINVAL;
	/* FREE: a double free. NONE/KERNEL/undefined: never allocated. */
	if (!frame_owner_allocatable(p->owner[idx]))
		return -EINVAL;
	frame_set(p, idx, FRAME_FREE);
	return 0;
}

uint64_t frame_free_owner(struct frame_pool *p, uint8_t owner)
{
	uint64_t want, freed = 0;

	if (!frame_owner_allocatable(owner))
		return 0;
	want = p->count[owner];
	for (uint64_t i = 1; i < p->nframes && freed < want; i++) {
		if (p->owner[i] == owner) {
			frame_set(p, i, FRAME_FREE);
			freed++;
		}
	}
	return freed;
}

/* Writes prefix and the decimal value of v into buf[0..len), truncated. */
static const char *frame_fmt_num(char *buf, size_t len, const char *prefix, unsigned v)
{
	char digits[4];
	size_t nd = 0, w = 0;

	if (!buf || len == 0)
		return "?";
	do {
		digits[nd++] = (char)('0' + v % 10);
		v /= 10;
	} while (v && nd < sizeof(digits));
	for (; *prefix && w + 1 < len; prefix++)
		buf[w++] = *prefix;
	while (nd && w + 1 < len)
		buf[w++] = digits[--nd];
	buf[w] = '\0';
	return buf;
}

const char *frame_owner_name(uint8_t owner, char *buf, size_t len)
{
	switch (owner) {
	case FRAME_NONE:
		return "none";
	case FRAME_FREE:
		return "free";
	case FRAME_KERNEL:
		return "kernel";
	case FRAME_HYP:
		return "hyp";
	case FRAME_PGTABLE:
		return "pgtable";
	default:
		break;
	}
	if (owner >= FRAME_VM_FIRST)
		return frame_fmt_num(buf, len, "vm ", owner - FRAME_VM_FIRST);
	return frame_fmt_num(buf, len, "owner ", owner);
}
