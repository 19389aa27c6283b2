/* Turning what UEFI firmware reports into struct boot_info: the memory map, the
 * ACPI RSDP and the loader's name. Pure: no firmware calls, compiled on the host. */
#ifndef BOOT_EFI_INFO_H
#define BOOT_EFI_INFO_H

#include <stddef.h>
#include <stdint.h>

#include "kernel/boot_info.h"

/* EFI_MEMORY_TYPE, UEFI 2.10 7.2.1 (Table 7.6) */
enum efi_mem_type {
	EFI_MT_RESERVED = 0,
	EFI_MT_LOADER_CODE = 1,
	EFI_MT_LOADER_DATA = 2,
	EFI_MT_BOOT_SERVICES_CODE = 3,
	EFI_MT_BOOT_SERVICES_DATA = 4,
	EFI_MT_RUNTIME_SERVICES_CODE = 5,
	EFI_MT_RUNTIME_SERVICES_DATA = 6,
	EFI_MT_CONVENTIONAL = 7,
	EFI_MT_UNUSABLE = 8,
	EFI_MT_ACPI_RECLAIM = 9,
	EFI_MT_ACPI_NVS = 10,
	EFI_MT_MMIO = 11,
	EFI_MT_MMIO_PORT_SPACE = 12,
	EFI_MT_PAL_CODE = 13,
	EFI_MT_PERSISTENT = 14,
	EFI_MT_UNACCEPTED = 15,
};

/* EFI_MEMORY_DESCRIPTOR (UEFI 2.10 7.2.3): Type u32 at 0, PhysicalStart at 8,
 * NumberOfPages at 24; the firmware's DescriptorSize may be larger. */
#define EFI_MD_MIN_SIZE 40

/* enum mem_type for an EFI memory type. Loader and boot-services memory is usable
 * once boot services are gone (the kernel reserves its image, modules and the
 * boot_info itself); runtime services stay the firmware's; unknown is reserved. */
uint32_t efi_info_mem_type(uint32_t efi_type);

struct efi_mmap_stats {
	uint32_t descs;   /* descriptors read */
	uint32_t dropped; /* ranges that did not fit in BOOT_MAX_MMAP after merging */
	uint32_t bad;     /* descriptors ignored: empty or wrapping past 2^64 */
};

/* Convert the map[0..map_size) of desc_size-byte descriptors into out[0..cap),
 * sorted by base, with adjacent ranges of the same type merged. Ranges that do not
 * fit are dropped and counted. Does not allocate. Returns the entry count, or
 * -EINVAL when desc_size is smaller than a descriptor. */
int efi_info_convert_mmap(const void *map, size_t map_size, size_t desc_size, struct mem_range *out,
			  uint32_t cap, struct efi_mmap_stats *st);

/* ACPI 6.5 5.2.5.3: check the RSDP at p ("RSD PTR ", checksum of the first 20
 * bytes; for revision 2 and later Length >= 36 and the extended checksum).
 * Returns the number of bytes worth copying (20 or 36) or -EINVAL. */
int efi_info_rsdp_len(const uint8_t *p);

/* "Terrapin EFI loader (VENDOR, UEFI X.Y)" into out[0..cap). `vendor` is the
 * firmware's UCS-2 vendor string (NULL for none), cut to 24 characters;
 * `rev` is the system table's revision (major << 16 | minor * 10 + patch). */
void efi_info_loader_name(char *out, size_t cap, const uint16_t *vendor, uint32_t rev);

#endif
