/* The one description of the machine that both boot doors fill in. */
#ifndef KERNEL_BOOT_INFO_H
#define KERNEL_BOOT_INFO_H

#include <stdbool.h>
#include <stdint.h>

#define BOOT_MAX_MMAP 256
#define BOOT_MAX_MODULES 16
#define BOOT_CMDLINE_MAX 512
#define BOOT_MODARGS_MAX 256

enum boot_door {
	BOOT_DOOR_NONE = 0,
	BOOT_DOOR_MULTIBOOT2 = 1, /* GRUB (BIOS or EFI) */
	BOOT_DOOR_UEFI = 2,       /* native GNU-EFI application */
};

/* Memory types after normalization; MEM_USABLE is RAM free for Terrapin. */
enum mem_type {
	MEM_USABLE = 1,
	MEM_RESERVED = 2,
	MEM_ACPI_RECLAIM = 3,
	MEM_ACPI_NVS = 4,
	MEM_BAD = 5,
	MEM_FIRMWARE = 6, /* EFI runtime code/data: must stay untouched */
};

struct mem_range {
	uint64_t base;
	uint64_t len;
	uint32_t type; /* enum mem_type */
};

struct boot_module {
	uint64_t start; /* physical, first byte */
	uint64_t end;   /* physical, one past the last byte */
	char args[BOOT_MODARGS_MAX];
};

struct boot_info {
	enum boot_door door;
	bool firmware_efi; /* the firmware is UEFI (GRUB-EFI or native) */
	char loader[64];   /* boot loader name, e.g. "GRUB 2.06" */
	char cmdline[BOOT_CMDLINE_MAX];

	uint32_t mmap_count;
	struct mem_range mmap[BOOT_MAX_MMAP];

	uint32_t module_count;
	struct boot_module modules[BOOT_MAX_MODULES];

	/* ACPI RSDP: a copy of its bytes (Multiboot2 hands a copy, not an address) and,
	 * where known, its physical address. */
	bool rsdp_valid;
	uint8_t rsdp[36];
	uint64_t rsdp_phys;

	uint64_t efi_system_table; /* physical, 0 when not booted by UEFI */
	uint32_t malformed;        /* malformed items the door skipped */
};

#endif
