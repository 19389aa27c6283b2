/* The guest-physical map. Every guest-supplied address is checked here before
 * Terrapin touches memory, so each range test is written so that it cannot wrap:
 * lengths are compared with what is left of a slot, never added to addresses. */
#include "mm/gmap.h"

#include "kernel/errno.h"
#include "kernel/kstring.h"

#define GMAP_PAGE_MASK 0xfffULL

void gmap_init(struct gmap *g, void *(*to_virt)(uint64_t hpa))
{
	if (!g)
		return;
	g->count = 0;
	g->to_virt = to_virt;
}

/* Index of the first slot starting above gpa (== count when none). */
static unsigned gmap_upper(const struct gmap *g, uint64_t gpa)
{
	unsigned lo = 0, hi = g->count;

	while (lo < hi) {
		unsigned mid = lo + (hi - lo) / 2;

		if (g->slot[mid].gpa <= gpa)
			lo = mid + 1;
		else
			hi = mid;
	}
	return lo;
}

/* Index of the slot holding gpa, or -1. */
static int gmap_index(const struct gmap *g, uint64_t gpa)
{
	unsigned i = gmap_upper(g, gpa);
	const struct gmap_slot *s;

	if (i == 0)
		return -1;
	s = &g->slot[i - 1];
	return gpa - s->gpa < s->size ? (int)(i - 1) : -1;
}

/* Slot sizes are checked at insertion so that gpa + size never wraps. */
static uint64_t gmap_end(const struct gmap_slot *s)
{
	return s->gpa + s->size;
}

static int gmap_check_slot(const struct gmap_slot *s)
{
	if (!s->size || s->size > UINT64_MAX - s->gpa)
		return -EINVAL;
	switch (s->kind) {
	case GMAP_RAM:
		if ((s->gpa | s->size | s->hpa) & GMAP_PAGE_MASK)
			return -EINVAL;
		if (s->size > UINT64_MAX - s->hpa)
			return -EINVAL;
		return 0;
	case GMAP_MMIO:
		if (!s->ops || !s->ops->read || !s->ops->write)
			return -EINVAL;
		return 0;
	}
	return -EINVAL;
}

int gmap_add(struct gmap *g, const struct gmap_slot *s)
{
	unsigned i;
	int rc;

	if (!g || !s)
		return -EINVAL;
	rc = gmap_check_slot(s);
	if (rc)
		return rc;
	i = gmap_upper(g, s->gpa);
	/* Sorted and disjoint: only the neighbours can overlap. */
	if (i > 0 && gmap_end(&g->slot[i - 1]) > s->gpa)
		return -EEXIST;
	if (i < g->count && gmap_end(s) > g->slot[i].gpa)
		return -EEXIST;
	if (g->count >= GMAP_MAX_SLOTS)
		return -ENOSPC;
	for (unsigned j = g->count; j > i; j--)
		g->slot[j] = g->slot[j - 1];
	g->slot[i] = *s;
	g->count++;
	return 0;
}

int gmap_remove(struct gmap *g, uint64_t gpa)
{
	int i;

	if (!g)
		return -EINVAL;
	i = gmap_index(g, gpa);
	if (i < 0 || g->slot[i].gpa != gpa)
		return -ENOENT;
	for (unsigned j = (unsigned)i; j + 1 < g->count; j++)
		g->slot[j] = g->slot[j + 1];
	g->count--;
	return 0;
}

const struct gmap_slot *gmap_find(const struct gmap *g, uint64_t gpa)
{
	int i;

	if (!g)
		return NULL;
	i = gmap_index(g, gpa);
	return i < 0 ? NULL : &g->slot[i];
}

int gmap_translate(const struct gmap *g, uint64_t gpa, uint64_t len, uint64_t *hpa)
{
	const struct gmap_slot *s = gmap_find(g, gpa);
	uint64_t off;

	if (!s || s->kind != GMAP_RAM)
		return -EFAULT;
	off = gpa - s->gpa;
	/* off < size, so size - off cannot wrap; len beyond it is out of the
	 * slot (a wrapping gpa + len included). */
	if (len > s->size - off)
		return -EFAULT;
	if (hpa)
		*hpa = s->hpa + off;
	return 0;
}

/* Check that every byte of [gpa, gpa+len) (len > 0) is RAM, writable when
 * `write`, and host-mapped; returns the first slot's index or -EFAULT. The range
 * may run through adjacent slots. */
static int gmap_check_range(const struct gmap *g, uint64_t gpa, uint64_t len, bool write)
{
	int first = gmap_index(g, gpa);
	unsigned i;

	if (!g->to_virt || first < 0 || len - 1 > UINT64_MAX - gpa)
		return -EFAULT;
	for (i = (unsigned)first;; i++) {
		const struct gmap_slot *s = &g->slot[i];
		uint64_t off, n;

		if (i >= g->count || (i != (unsigned)first && s->gpa != gpa))
			return -EFAULT; /* a hole (or past the last slot) */
		if (s->kind != GMAP_RAM || (write && s->readonly))
			return -EFAULT;
		off = gpa - s->gpa;
		if (!g->to_virt(s->hpa + off))
			return -EFAULT;
		n = s->size - off;
		if (len <= n)
			return first;
		len -= n;
		gpa += n;
	}
}

/* Copy len bytes (already checked by gmap_check_range) starting in slot i:
 * into `to` when reading the guest, from `from` when writing it. */
static int gmap_copy(const struct gmap *g, unsigned i, uint64_t gpa, uint8_t *to,
		     const uint8_t *from, uint64_t len)
{
	for (; len; i++) {
		const struct gmap_slot *s = &g->slot[i];
		uint64_t off = gpa - s->gpa;
		uint64_t n = s->size - off < len ? s->size - off : len;
		uint8_t *p = g->to_virt(s->hpa + off);

		if (!p)
			return -EFAULT;
		if (from) {
			memcpy(p, from, n);
			from += n;
		} else {
			memcpy(to, p, n);
			to += n;
		}
		gpa += n;
		len -= n;
	}
	return 0;
}

int gmap_read(const struct gmap *g, uint64_t gpa, void *dst, size_t len)
{
	int i;

	if (!g || (!dst && len))
		return -EINVAL;
	if (!len)
		return 0;
	i = gmap_check_range(g, gpa, len, false);
	if (i < 0)
		return i;
	return gmap_copy(g, (unsigned)i, gpa, dst, NULL, len);
}

int gmap_write(const struct gmap *g, uint64_t gpa, const void *src, size_t len)
{
	int i;

	if (!g || (!src && len))
		return -EINVAL;
	if (!len)
		return 0;
	i = gmap_check_range(g, gpa, len, true);
	if (i < 0)
		return i;
	return gmap_copy(g, (unsigned)i, gpa, NULL, src, len);
}

uint64_t gmap_ram_bytes(const struct gmap *g)
{
	uint64_t sum = 0;

	if (!g)
		return 0;
	for (unsigned i = 0; i < g->count; i++)
		if (g->slot[i].kind == GMAP_RAM)
			sum += g->slot[i].size;
	return sum;
}
