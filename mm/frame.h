/* Physical frame (4 KiB) bookkeeping: every frame has an owner, so leaks are
 * countable. Pure: compiled on the host for tests; mm/mem.c wraps one global pool
 * with a lock for the running hypervisor. Frame 0 is never handed out. */
#ifndef MM_FRAME_H
#define MM_FRAME_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define FRAME_SIZE 4096ULL
#define FRAME_SHIFT 12

enum frame_owner {
	FRAME_NONE = 0,     /* not RAM we manage (holes, firmware, ACPI, MMIO) */
	FRAME_FREE = 1,     /* usable, not allocated */
	FRAME_KERNEL = 2,   /* the hypervisor image and boot modules */
	FRAME_HYP = 3,      /* hypervisor data: heap, stacks, the frame table itself */
	FRAME_PGTABLE = 4,  /* hypervisor page tables */
	FRAME_VM_FIRST = 16 /* frames of VM n are owned by FRAME_VM_FIRST + n */
};
#define FRAME_OWNER_MAX 256

struct frame_pool {
	uint8_t *owner;       /* one byte per frame: enum frame_owner */
	uint64_t nframes;     /* frames covered: [0, nframes * 4 KiB) */
	uint64_t count[FRAME_OWNER_MAX];
	uint64_t hint;        /* where the next single-frame search starts */
};

/* Bytes of owner table needed to cover physical memory up to `top`. */
uint64_t frame_table_bytes(uint64_t top);

/* Start with every frame FRAME_NONE. `table` holds frame_table_bytes(top) bytes. */
void frame_pool_init(struct frame_pool *p, uint8_t *table, uint64_t top);

/* Frames wholly inside [base, base+len) that are FRAME_NONE become FRAME_FREE. */
void frame_add_usable(struct frame_pool *p, uint64_t base, uint64_t len);

/* Frames touched by [base, base+len) that are FRAME_FREE get `owner` (a reservation:
 * the kernel image, modules, the table itself). Returns frames changed. */
uint64_t frame_reserve(struct frame_pool *p, uint64_t base, uint64_t len, uint8_t owner);

/* One free frame for `owner`; 0 when memory is exhausted. */
uint64_t frame_alloc(struct frame_pool *p, uint8_t owner);

/* `n` physically contiguous free frames aligned to `align` bytes (power of two,
 * >= 4096) for `owner`; returns the base address or 0. */
uint64_t frame_alloc_contig(struct frame_pool *p, uint64_t n, uint64_t align, uint8_t owner);

/* Give a frame back. -EINVAL for an unaligned or out-of-range address, a frame that
 * is free already (double free), or one that is not allocatable (NONE/KERNEL). */
int frame_free(struct frame_pool *p, uint64_t addr);

/* Frees every frame owned by `owner` (a VM being destroyed); returns how many. */
uint64_t frame_free_owner(struct frame_pool *p, uint8_t owner);

const char *frame_owner_name(uint8_t owner, char *buf, size_t len);

#endif
