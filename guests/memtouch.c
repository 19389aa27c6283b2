/* memtouch: writes a pattern over all available RAM above its own image (from
 * the Multiboot memory map, else mem_upper), reads it all back, then does the
 * same with the complement. The pattern depends on the address, so two guest
 * pages backed by one host page (or a page that is not really there) fail.
 * cmdline bytes= limits how much is touched. Runs in long mode: the identity
 * map covers 64 GiB, so RAM above 4 GiB is reached too. */
#include "guests/lib/guest.h"

const char guest_name[] = GUEST_NAME;

#define IDENTITY_LIMIT (64ull << 30)
#define MAX_REGIONS    32

struct region {
	uint64_t start, end;
};

static uint64_t pattern(uint64_t addr, uint64_t flip)
{
	return (addr * 0x9e3779b97f4a7c15ull + 0x1234567) ^ flip;
}

static void fill(const struct region *r, uint64_t flip)
{
	for (uint64_t a = r->start; a < r->end; a += 8)
		*(volatile uint64_t *)a = pattern(a, flip);
}

static void verify(const struct region *r, uint64_t flip)
{
	for (uint64_t a = r->start; a < r->end; a += 8) {
		uint64_t v = *(volatile uint64_t *)a, want = pattern(a, flip);

		if (v != want)
			guest_fail("RAM at 0x%llx reads 0x%llx, wrote 0x%llx",
				   (unsigned long long)a, (unsigned long long)v,
				   (unsigned long long)want);
	}
}

/* Adds [start, end) clipped to [floor, IDENTITY_LIMIT) and 8-byte aligned. */
static unsigned add(struct region *rs, unsigned n, uint64_t start, uint64_t end, uint64_t floor)
{
	if (end > IDENTITY_LIMIT) {
		gprintf("memtouch: skipping RAM above 64 GiB (not identity-mapped)\n");
		end = IDENTITY_LIMIT;
	}
	if (start < floor)
		start = floor;
	start = (start + 7) & ~7ull;
	end &= ~7ull;
	if (start >= end || n == MAX_REGIONS)
		return n;
	rs[n].start = start;
	rs[n].end = end;
	return n + 1;
}

void guest_main(void)
{
	struct region rs[MAX_REGIONS];
	uint64_t floor = ((uintptr_t)_end + 0xfff) & ~0xfffull;
	uint64_t limit = guest_arg_u64("bytes", ~0ull), total = 0;
	unsigned n = 0;

	if (guest_boot.nmmap) {
		for (unsigned i = 0; i < guest_boot.nmmap; i++) {
			const struct guest_mem_range *m = &guest_boot.mmap[i];

			if (m->type != GUEST_MEM_AVAILABLE || m->base + m->len < m->base)
				continue;
			n = add(rs, n, m->base, m->base + m->len, floor);
		}
	} else if (guest_boot.has_mem) {
		n = add(rs, n, 1ull << 20, (1ull << 20) + (uint64_t)guest_boot.mem_upper * 1024,
			floor);
	} else {
		guest_fail("no memory map and no mem_upper from the loader");
	}
	/* Apply the bytes= limit. */
	for (unsigned i = 0; i < n; i++) {
		uint64_t len = rs[i].end - rs[i].start;

		if (len > limit - total) {
			rs[i].end = rs[i].start + ((limit - total) & ~7ull);
			n = i + 1;
		}
		total += rs[i].end - rs[i].start;
	}
	if (!total)
		guest_fail("no available RAM above the image (ends at 0x%llx)",
			   (unsigned long long)floor);
	for (unsigned i = 0; i < n; i++)
		gprintf("memtouch: region %u: 0x%llx-0x%llx (%llu KiB)\n", i,
			(unsigned long long)rs[i].start, (unsigned long long)rs[i].end,
			(unsigned long long)((rs[i].end - rs[i].start) >> 10));

	for (uint64_t flip = 0;; flip = ~0ull) {
		for (unsigned i = 0; i < n; i++)
			fill(&rs[i], flip);
		for (unsigned i = 0; i < n; i++)
			verify(&rs[i], flip);
		gprintf("memtouch: pattern %s: %llu KiB verified\n", flip ? "2 (complement)" : "1",
			(unsigned long long)(total >> 10));
		if (flip)
			break;
	}
	gprintf("memtouch: touched %llu MiB in %u regions\n", (unsigned long long)(total >> 20), n);
	guest_pass();
}
