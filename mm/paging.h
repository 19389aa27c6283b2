/* Terrapin's own page tables: an identity map of all RAM and the MMIO it uses,
 * the image with code read-only and data no-execute, page 0 unmapped. */
#ifndef MM_PAGING_H
#define MM_PAGING_H

#include <stdint.h>

#define PTE_P (1ULL << 0)
#define PTE_W (1ULL << 1)
#define PTE_U (1ULL << 2)
#define PTE_PWT (1ULL << 3)
#define PTE_PCD (1ULL << 4)
#define PTE_PS (1ULL << 7)
#define PTE_G (1ULL << 8)
#define PTE_NX (1ULL << 63)
#define PTE_ADDR 0x000ffffffffff000ULL

/* Build the tables from the memory map and switch CR3 to them. */
void paging_init(void);
/* Load the hypervisor's tables on this CPU (application processors). */
void paging_load(void);
uint64_t paging_root(void);
/* Top of the identity-mapped RAM (everything below is reachable). */
extern uint64_t paging_direct_top;

/* Map [pa, pa+len) at the same virtual address with attributes: */
enum paging_attr {
	PAGING_RW_NX,   /* ordinary data */
	PAGING_MMIO,    /* uncached device registers, no-execute */
	PAGING_RX,      /* code (e.g. the AP trampoline) */
};
int paging_map(uint64_t pa, uint64_t len, enum paging_attr attr);

#endif
