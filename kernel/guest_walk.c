/* Guest page-table walk for 32-bit, PAE and 4-level paging (SDM 3A 4.3-4.5). */
#include "kernel/guest_walk.h"

#include "kernel/errno.h"

#define PTE_P 1ULL
#define PTE_W 2ULL
#define PTE_PS 0x80ULL
#define CR0_PG (1ULL << 31)
#define CR0_WP (1ULL << 16)
#define CR4_PSE (1ULL << 4)
#define CR4_PAE (1ULL << 5)
#define CR4_LA57 (1ULL << 12)
#define EFER_LMA (1ULL << 10)
#define ADDR_MASK 0x000ffffffffff000ULL

static int fail(uint32_t *err, uint32_t code)
{
	if (err)
		*err = code;
	return -EFAULT;
}

int guest_walk(const struct guest_paging *p, uint64_t la, bool write, bool fetch,
	       guest_read_fn read, void *ctx, uint64_t *gpa, uint32_t *pf_error)
{
	uint32_t access = (write ? 2u : 0) | (fetch ? 16u : 0);

	if (!(p->cr0 & CR0_PG)) {
		*gpa = (p->efer & EFER_LMA) ? la : (uint32_t)la;
		return 0;
	}
	if (p->cr4 & CR4_LA57)
		return -ENOSYS;

	int levels, shift;
	uint64_t table;
	unsigned esize;
	if (p->efer & EFER_LMA) {
		levels = 4;
		esize = 8;
		table = p->cr3 & ADDR_MASK;
		shift = 39;
	} else if (p->cr4 & CR4_PAE) {
		/* The four PDPTEs sit at CR3[31:5]. */
		uint64_t pdpte;
		la = (uint32_t)la;
		if (read(ctx, (p->cr3 & 0xffffffe0ULL) + ((la >> 30) & 3) * 8, &pdpte, 8))
			return fail(pf_error, access);
		if (!(pdpte & PTE_P))
			return fail(pf_error, access);
		levels = 2;
		esize = 8;
		table = pdpte & ADDR_MASK;
		shift = 21;
	} else {
		la = (uint32_t)la;
		levels = 2;
		esize = 4;
		table = p->cr3 & 0xfffff000ULL;
		shift = 22;
	}

	bool writable = true;
	for (int l = levels; l > 0; l--) {
		unsigned bits = esize == 4 ? 10 : 9;
		uint64_t idx = (la >> shift) & ((1u << bits) - 1);
		uint64_t e = 0;
		if (read(ctx, table + idx * esize, &e, esize))
			return fail(pf_error, access);
		if (!(e & PTE_P))
			return fail(pf_error, access);
		writable = writable && (e & PTE_W);
		bool leaf = l == 1;
		if (!leaf && (e & PTE_PS)) {
			/* 1 GiB (level 3 in 4-level), 2 MiB (PAE/4-level dir) or 4 MiB (32-bit, PSE). */
			if (esize == 4 && !(p->cr4 & CR4_PSE)) {
				leaf = false;
			} else {
				uint64_t size = 1ULL << shift;
				uint64_t base = e & ADDR_MASK & ~(size - 1);
				if (esize == 4) /* PSE-36: bits 20:13 are address bits 39:32 */
					base = (e & 0xffc00000ULL) | ((e >> 13) & 0xffULL) << 32;
				if (write && !writable && (p->cr0 & CR0_WP))
					return fail(pf_error, access | 1);
				*gpa = base | (la & (size - 1));
				return 0;
			}
		}
		if (leaf) {
			if (write && !writable && (p->cr0 & CR0_WP))
				return fail(pf_error, access | 1);
			*gpa = (e & (esize == 4 ? 0xfffff000ULL : ADDR_MASK)) | (la & 0xfff);
			return 0;
		}
		table = e & (esize == 4 ? 0xfffff000ULL : ADDR_MASK);
		shift -= bits;
	}
	return fail(pf_error, access);
}
