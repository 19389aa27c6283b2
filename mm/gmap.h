/* A guest-physical map: sorted, non-overlapping slots, each a gpa range backed by
 * contiguous host frames (RAM) or by a device model's MMIO handler. Pure. All
 * guest-supplied addresses go through here before Terrapin touches memory. */
#ifndef MM_GMAP_H
#define MM_GMAP_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define GMAP_MAX_SLOTS 64

enum gmap_kind { GMAP_RAM = 1, GMAP_MMIO = 2 };

struct mmio_ops {
	/* offset is from the slot's start; size 1, 2, 4 or 8 */
	uint64_t (*read)(void *dev, uint64_t offset, unsigned size);
	void (*write)(void *dev, uint64_t offset, unsigned size, uint64_t val);
};

struct gmap_slot {
	uint64_t gpa, size;
	enum gmap_kind kind;
	bool readonly;               /* RAM: guest writes fault (e.g. a ROM) */
	uint64_t hpa;                /* RAM: host-physical start of the backing */
	const struct mmio_ops *ops;  /* MMIO */
	void *dev;                   /* MMIO */
};

struct gmap {
	struct gmap_slot slot[GMAP_MAX_SLOTS];
	unsigned count;
	/* Host-physical to a pointer Terrapin can use, or NULL. A RAM slot's
	 * backing is contiguous there too (the direct map): gmap copies a slot's
	 * part from to_virt(its first hpa). */
	void *(*to_virt)(uint64_t hpa);
};

void gmap_init(struct gmap *g, void *(*to_virt)(uint64_t hpa));
/* Insert a copy of a slot; -EINVAL for zero size, wrap-around (gpa + size must
 * not exceed 2^64 - 1, nor hpa + size for RAM), unaligned RAM (gpa, size, hpa:
 * 4 KiB), an unknown kind or MMIO without both handlers; -EEXIST on overlap,
 * -ENOSPC when full. */
int gmap_add(struct gmap *g, const struct gmap_slot *s);
int gmap_remove(struct gmap *g, uint64_t gpa); /* the slot starting at gpa; -ENOENT */
const struct gmap_slot *gmap_find(const struct gmap *g, uint64_t gpa);
/* Host-physical address of RAM [gpa, gpa+len) if it lies in one RAM slot, else
 * -EFAULT (len 0 checks gpa alone). hpa may be NULL. Read-only RAM translates:
 * the caller that writes checks slot->readonly through gmap_find. */
int gmap_translate(const struct gmap *g, uint64_t gpa, uint64_t len, uint64_t *hpa);
/* Copy between guest RAM and Terrapin, across adjacent slots; -EFAULT if any
 * byte is not RAM, gpa + len wraps, or to_virt rejects the backing (nothing is
 * copied then). Writes to read-only RAM fail too. len 0 copies nothing and
 * returns 0 whatever gpa is; a NULL buffer with len > 0 is -EINVAL. MMIO slots
 * are never called from here: device accesses go through the exit path. */
int gmap_read(const struct gmap *g, uint64_t gpa, void *dst, size_t len);
int gmap_write(const struct gmap *g, uint64_t gpa, const void *src, size_t len);
/* Bytes of RAM in the map. */
uint64_t gmap_ram_bytes(const struct gmap *g);

#endif
