/* Walks a guest's own page tables (guest-linear to guest-physical), for
 * fetching instruction bytes and emulating memory operands. Pure: page-table
 * entries are read through a callback (gmap_read in the hypervisor), so a guest
 * pointing its tables anywhere only gets -EFAULT. */
#ifndef KERNEL_GUEST_WALK_H
#define KERNEL_GUEST_WALK_H

#include <stdbool.h>
#include <stdint.h>

struct guest_paging {
	uint64_t cr0, cr3, cr4, efer;
};

/* Reads `len` (4 or 8) bytes of guest-physical memory; 0 or -EFAULT. */
typedef int (*guest_read_fn)(void *ctx, uint64_t gpa, void *dst, unsigned len);

/* Translate `la`. Returns 0 and *gpa, -EFAULT when an entry is not present or
 * not readable as memory (*pf_error gets the #PF error code the CPU would
 * report: P, W, U, RSVD, I/D bits), or -ENOSYS for 5-level paging. */
int guest_walk(const struct guest_paging *p, uint64_t la, bool write, bool fetch,
	       guest_read_fn read, void *ctx, uint64_t *gpa, uint32_t *pf_error);

#endif
