/* Memory-map normalization. Pure: compiled on the host for tests.
 * Firmware maps may be unsorted, overlapping, adjacent, zero-length or wrap around
 * 2^64; the normalized map is sorted, non-overlapping, merged where adjacent and of
 * equal type, and where ranges overlap the more restrictive type wins
 * (BAD > FIRMWARE > ACPI_NVS > RESERVED > ACPI_RECLAIM > USABLE). */
#ifndef MM_MEMMAP_H
#define MM_MEMMAP_H

#include <stddef.h>
#include <stdint.h>

#include "kernel/boot_info.h"

/* Normalize map[0..n) into out[0..cap). Returns the number of entries written,
 * or -E2BIG if they do not fit (out is then undefined). map and out may not alias. */
int memmap_normalize(const struct mem_range *map, size_t n, struct mem_range *out, size_t cap);

/* Remove [base, base+len) from the usable ranges of a normalized map in place by
 * giving it type `type` (splitting entries as needed). Returns the new count or
 * -E2BIG when cap would be exceeded. */
int memmap_set_type(struct mem_range *map, size_t n, size_t cap, uint64_t base, uint64_t len,
		    uint32_t type);

/* Lowest address of a usable, page-aligned run of `len` bytes aligned to `align`
 * (a power of two >= 4096) at or above `min`, or 0 when none exists. */
uint64_t memmap_find_usable(const struct mem_range *map, size_t n, uint64_t len, uint64_t align,
			    uint64_t min);

/* Total bytes of the given type, and the highest end address of any USABLE range. */
uint64_t memmap_total(const struct mem_range *map, size_t n, uint32_t type);
uint64_t memmap_usable_top(const struct mem_range *map, size_t n);

const char *memmap_type_name(uint32_t type);

#endif
