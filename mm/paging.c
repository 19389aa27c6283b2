/* Builds the hypervisor's identity map. Each 2 MiB chunk is one large page when
 * all of it has the same attributes, else 512 small pages. */
#include "mm/paging.h"

#include "drivers/io.h"
#include "kernel/errno.h"
#include "kernel/log.h"
#include "kernel/panic.h"
#include "kernel/spinlock.h"
#include "mm/mem.h"

#define SZ_4K 0x1000ULL
#define SZ_2M 0x200000ULL
#define LOW_MMIO_TOP (4ULL << 30)

extern char __text_start[], __rodata_start[], __data_start[], __kernel_end[];

static uint64_t *pml4;
static uint64_t nx; /* PTE_NX when the CPU supports it, else 0 */
static spinlock_t paging_lock;
uint64_t paging_direct_top;

static uint64_t *table_at(uint64_t *entry)
{
	if (!(*entry & PTE_P)) {
		uint64_t pa = mem_alloc_frame(FRAME_PGTABLE);
		if (!pa)
			return 0;
		*entry = pa | PTE_P | PTE_W;
	} else if (*entry & PTE_PS) {
		/* Split a 2 MiB page into 512 small ones with the same attributes. */
		uint64_t pa = mem_alloc_frame(FRAME_PGTABLE);
		if (!pa)
			return 0;
		uint64_t *pt = phys_to_virt(pa), big = *entry;
		uint64_t flags = (big & ~PTE_ADDR & ~PTE_PS) | (big & PTE_NX);
		for (int i = 0; i < 512; i++)
			pt[i] = ((big & PTE_ADDR & ~(SZ_2M - 1)) + i * SZ_4K) | flags;
		*entry = pa | PTE_P | PTE_W;
	}
	return phys_to_virt(*entry & PTE_ADDR);
}

/* Install one mapping of size 4 KiB or 2 MiB. */
static int map_one(uint64_t va, uint64_t entry, uint64_t size)
{
	uint64_t *pdpt = table_at(&pml4[(va >> 39) & 511]);
	uint64_t *pd = pdpt ? table_at(&pdpt[(va >> 30) & 511]) : 0;
	if (!pd)
		return -ENOMEM;
	uint64_t *pde = &pd[(va >> 21) & 511];
	if (size == SZ_2M) {
		*pde = entry | PTE_PS;
	} else {
		uint64_t *pt = table_at(pde);
		if (!pt)
			return -ENOMEM;
		pt[(va >> 12) & 511] = entry;
	}
	return 0;
}

/* Attributes for [pa, pa+len): the PTE flags, or ~0 when they are not uniform. */
static uint64_t classify(uint64_t pa, uint64_t len)
{
	uint64_t end = pa + len;
	uint64_t text = (uint64_t)__text_start, ro = (uint64_t)__rodata_start;
	uint64_t data = (uint64_t)__data_start, kend = (uint64_t)__kernel_end;
	const uint64_t data_flags = PTE_P | PTE_W | nx, mmio_flags = data_flags | PTE_PCD | PTE_PWT;

	if (pa == 0)
		return len == SZ_4K ? 0 : ~0ULL; /* page 0 unmapped: catches NULL */
	if (pa < kend && end > text) {
		if (len != SZ_4K)
			return ~0ULL;
		if (pa < ro)
			return PTE_P;         /* code: read-only, executable */
		if (pa < data)
			return PTE_P | nx;    /* read-only data */
		return data_flags;
	}
	/* RAM is cached; reserved ranges and holes below 4 GiB (where the chipset and
	 * firmware put MMIO) are uncached; holes above are not mapped. */
	uint64_t flags = ~0ULL - 1; /* "not decided yet" */
	uint64_t at = pa;
	for (size_t i = 0; i < mem_map_count && at < end; i++) {
		const struct mem_range *r = &mem_map[i];
		if (r->base + r->len <= at)
			continue;
		uint64_t f;
		if (r->base > at) { /* a hole before this entry */
			f = at < LOW_MMIO_TOP ? mmio_flags : 0;
			if (flags != ~0ULL - 1 && flags != f)
				return ~0ULL;
			flags = f;
			at = r->base;
			if (at >= end)
				break;
		}
		f = r->type == MEM_RESERVED ? mmio_flags : data_flags;
		if (flags != ~0ULL - 1 && flags != f)
			return ~0ULL;
		flags = f;
		at = r->base + r->len;
	}
	if (at < end) {
		uint64_t f = at < LOW_MMIO_TOP ? mmio_flags : 0;
		if (flags != ~0ULL - 1 && flags != f)
			return ~0ULL;
		flags = f;
	}
	return flags;
}

void paging_init(void)
{
	if (cpuid(0x80000001, 0).edx & (1u << 20))
		nx = PTE_NX;
	uint64_t root = mem_alloc_frame(FRAME_PGTABLE);
	if (!root)
		panic("paging: no memory for the root table");
	pml4 = phys_to_virt(root);

	uint64_t top = LOW_MMIO_TOP;
	for (size_t i = 0; i < mem_map_count; i++)
		if (mem_map[i].type != MEM_RESERVED && mem_map[i].base + mem_map[i].len > top)
			top = mem_map[i].base + mem_map[i].len;
	top = (top + SZ_2M - 1) & ~(SZ_2M - 1);

	for (uint64_t pa = 0; pa < top; pa += SZ_2M) {
		uint64_t f = classify(pa, SZ_2M);
		if (f != ~0ULL) {
			if (f && map_one(pa, pa | f, SZ_2M))
				panic("paging: out of memory building the direct map");
			continue;
		}
		for (uint64_t p = pa; p < pa + SZ_2M; p += SZ_4K) {
			f = classify(p, SZ_4K);
			if (f && f != ~0ULL && map_one(p, p | f, SZ_4K))
				panic("paging: out of memory building the direct map");
		}
	}
	paging_direct_top = top;
	paging_load();
	pr_info("paging: identity map up to 0x%llx, image W^X, NX %s\n", (unsigned long long)top,
		nx ? "on" : "unavailable");
}

void paging_load(void)
{
	wrmsr(MSR_EFER, rdmsr(MSR_EFER) | (nx ? EFER_NXE : 0));
	/* WP: read-only applies to the hypervisor too. CD/NW: some firmware and
	 * emulators (Bochs) hand over with caches disabled. */
	write_cr0((read_cr0() | (1ULL << 16)) & ~((1ULL << 30) | (1ULL << 29)));
	write_cr3(virt_to_phys(pml4));
}

uint64_t paging_root(void) { return virt_to_phys(pml4); }

int paging_map(uint64_t pa, uint64_t len, enum paging_attr attr)
{
	uint64_t flags = attr == PAGING_RX ? PTE_P
		       : attr == PAGING_MMIO ? (PTE_P | PTE_W | nx | PTE_PCD | PTE_PWT)
					     : (PTE_P | PTE_W | nx);
	uint64_t start = pa & ~(SZ_4K - 1), end = (pa + len + SZ_4K - 1) & ~(SZ_4K - 1);
	int r = 0;

	if (!start || end <= start || end > (1ULL << 46))
		return -EINVAL;
	uint64_t f = spin_lock_irqsave(&paging_lock);
	for (uint64_t p = start; p < end && !r; p += SZ_4K) {
		r = map_one(p, p | flags, SZ_4K);
		__asm__ volatile("invlpg (%0)" : : "r"(p) : "memory");
	}
	spin_unlock_irqrestore(&paging_lock, f);
	return r;
}
