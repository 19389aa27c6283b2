/* Second-level ("two-dimensional") page tables for guests: Intel EPT and AMD NPT.
 * They differ only in bit layout, so one builder/walker takes a format
 * description. Pure: table memory comes through callbacks, so the host tests run
 * it on malloc'd pages. Four levels, 4 KiB / 2 MiB / 1 GiB leaves. */
#ifndef MM_TDP_H
#define MM_TDP_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define TDP_R 1u
#define TDP_W 2u
#define TDP_X 4u
#define TDP_RWX (TDP_R | TDP_W | TDP_X)

#define TDP_4K (1ULL << 12)
#define TDP_2M (1ULL << 21)
#define TDP_1G (1ULL << 30)

/* Four levels translate 48 bits of guest-physical address (SDM 3C 29.3.2 with
 * a 4-level EPTP; APM 2 15.25 with a 4-level nCR3): tdp_map/tdp_unmap/tdp_walk
 * refuse addresses at or above this with -EINVAL. */
#define TDP_GPA_LIMIT (1ULL << 48)

struct tdp_format {
	const char *name;
	uint64_t r, w, x;      /* permission bits in any entry (x may be an NX bit: see nx) */
	bool nx;               /* x is "no execute" (NPT) rather than "execute" (EPT) */
	uint64_t present;      /* bits any of which make an entry present */
	uint64_t large;        /* page-size bit in level-2/3 entries */
	uint64_t leaf_fixed;   /* always set in leaves (EPT: WB memory type; NPT: P|U) */
	uint64_t table_fixed;  /* always set in non-leaf entries */
	uint64_t addr_mask;    /* physical-address bits of an entry */
	bool allow_1g;
};

/* Both have allow_1g false: 1 GiB leaves depend on the CPU (EPT:
 * IA32_VMX_EPT_VPID_CAP bit 17; NPT: CPUID 0x80000001 EDX bit 26). A backend that
 * has them copies the format and sets allow_1g. */
extern const struct tdp_format tdp_ept;
extern const struct tdp_format tdp_npt;

/* TDP_R/W/X an entry grants by itself (0 when it is not present). NPT: every
 * present entry is readable; X is the absence of NX. */
unsigned tdp_entry_perms(const struct tdp_format *fmt, uint64_t entry);

struct tdp_mm {
	uint64_t (*alloc_table)(void *ctx);          /* a zeroed 4 KiB table, or 0 */
	void (*free_table)(void *ctx, uint64_t pa);
	void *(*to_virt)(void *ctx, uint64_t pa);
	void *ctx;
};

struct tdp {
	const struct tdp_format *fmt;
	struct tdp_mm mm;
	uint64_t root;   /* physical address of the top table */
	uint64_t tables; /* tables in use, root included */
};

int tdp_init(struct tdp *t, const struct tdp_format *fmt, const struct tdp_mm *mm);
/* Map [gpa, gpa+size) to [hpa, ...) with perms; all 4 KiB aligned. Uses the
 * largest leaves alignment allows; replaces what was mapped (splitting large
 * leaves and freeing tables that become unreachable). -ENOMEM leaves a partial
 * mapping that tdp_unmap or tdp_destroy can clean.
 * perms: W without R is -EINVAL (an EPT misconfiguration, SDM 3C 29.3.3.1, and
 * not expressible in NPT). Perms the format cannot express map the range not
 * present, exactly like tdp_unmap: 0 in both formats, X alone in NPT (every
 * present NPT entry is readable). EPT X alone is an execute-only leaf: the
 * caller checks IA32_VMX_EPT_VPID_CAP bit 0 first. Size 0 does nothing.
 * -EINVAL also for unaligned or wrapping ranges, gpa beyond TDP_GPA_LIMIT, and
 * hpa beyond fmt->addr_mask. -EFAULT when to_virt rejects a table.
 * tdp_unmap allocates only to split a large leaf that the range cuts; on
 * -ENOMEM what was not unmapped yet keeps its translation. Tables left empty
 * are freed, so `tables` counts exactly the tables reachable from root.
 * Neither flushes TLBs: the caller invalidates (INVEPT / the ASID) after a
 * change. No locking: the caller's. */
int tdp_map(struct tdp *t, uint64_t gpa, uint64_t hpa, uint64_t size, unsigned perms);
int tdp_unmap(struct tdp *t, uint64_t gpa, uint64_t size);

/* tdp_walk: 0 with mapped false when a non-present entry ends the walk (it is
 * entry[levels-1] and page_size is the span it covers); -EINVAL for a gpa at or
 * above TDP_GPA_LIMIT; -EFAULT when to_virt rejects a table address (the entries
 * read so far are in w). perms are those all visited entries grant. */
struct tdp_walk {
	int levels;            /* entries visited, top first */
	uint64_t entry[4];
	uint64_t table[4];     /* physical address of the table each entry is in */
	bool mapped;
	uint64_t hpa;          /* translation of the gpa (when mapped) */
	uint64_t page_size;
	unsigned perms;
};
int tdp_walk(const struct tdp *t, uint64_t gpa, struct tdp_walk *w);
void tdp_destroy(struct tdp *t);

#endif
