/* The running hypervisor's physical memory: the normalized boot memory map and
 * one global frame pool (mm/frame.c) behind a lock. */
#ifndef MM_MEM_H
#define MM_MEM_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "kernel/boot_info.h"
#include "mm/frame.h"

extern struct mem_range mem_map[];
extern size_t mem_map_count;

/* Build the map and the frame pool; reserves the image, the boot modules and
 * the first MiB (real-mode structures and the AP trampoline). */
void mem_init(const struct boot_info *bi);

/* One zeroed frame for `owner`, or 0 when memory is exhausted. */
uint64_t mem_alloc_frame(uint8_t owner);
/* n zeroed, contiguous frames aligned to `align` bytes, or 0. */
uint64_t mem_alloc_frames(uint64_t n, uint64_t align, uint8_t owner);
void mem_free_frame(uint64_t pa);
uint64_t mem_free_owner(uint8_t owner);
/* Whether [pa, pa+len) overlaps usable RAM: a firmware table pointing a device
 * there must not get RAM mapped uncached or handed to a device driver. */
bool mem_overlaps_ram(uint64_t pa, uint64_t len);
/* A snapshot of the pool's counters. */
void mem_stats(struct frame_pool *out);

/* Identity map: Terrapin's virtual addresses equal physical ones. */
static inline void *phys_to_virt(uint64_t pa) { return (void *)(uintptr_t)pa; }
static inline uint64_t virt_to_phys(const void *va) { return (uint64_t)(uintptr_t)va; }

#endif
