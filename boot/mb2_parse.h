/* Multiboot2 boot information parser. Pure: compiled on the host for tests.
 * The structure comes from the boot loader and is treated as untrusted input. */
#ifndef BOOT_MB2_PARSE_H
#define BOOT_MB2_PARSE_H

#include <stddef.h>
#include <stdint.h>

#include "kernel/boot_info.h"

/* EAX on entry from a Multiboot2 loader (Multiboot2 spec 3.3). */
#define MB2_BOOTLOADER_MAGIC 0x36d76289u

/* Tag types (Multiboot2 spec 3.6). */
enum mb2_tag_type {
	MB2_TAG_END = 0,
	MB2_TAG_CMDLINE = 1,
	MB2_TAG_LOADER_NAME = 2,
	MB2_TAG_MODULE = 3,
	MB2_TAG_BASIC_MEMINFO = 4,
	MB2_TAG_BOOTDEV = 5,
	MB2_TAG_MMAP = 6,
	MB2_TAG_VBE = 7,
	MB2_TAG_FRAMEBUFFER = 8,
	MB2_TAG_ELF_SECTIONS = 9,
	MB2_TAG_APM = 10,
	MB2_TAG_EFI32 = 11,
	MB2_TAG_EFI64 = 12,
	MB2_TAG_SMBIOS = 13,
	MB2_TAG_ACPI_OLD = 14,
	MB2_TAG_ACPI_NEW = 15,
	MB2_TAG_NETWORK = 16,
	MB2_TAG_EFI_MMAP = 17,
	MB2_TAG_EFI_BS = 18,
	MB2_TAG_EFI32_IH = 19,
	MB2_TAG_EFI64_IH = 20,
	MB2_TAG_LOAD_BASE_ADDR = 21,
};

/* Memory map entry types (Multiboot2 spec 3.6.8). */
enum mb2_mmap_type {
	MB2_MMAP_AVAILABLE = 1,
	MB2_MMAP_RESERVED = 2,
	MB2_MMAP_ACPI_RECLAIMABLE = 3,
	MB2_MMAP_NVS = 4,
	MB2_MMAP_BADRAM = 5,
};

/* Parses the boot information at `info`, of which `avail` bytes may be read,
 * into *bi (cleared first; bi->door = BOOT_DOOR_MULTIBOOT2).
 *
 * Returns >= 0: the number of malformed or dropped items that were skipped
 * (a tag smaller than its 8-byte header or running past total_size, a string
 * without its NUL, a memory map with a bad entry_size, a module or memory map
 * entry beyond BOOT_MAX_MODULES / BOOT_MAX_MMAP, a tag too short for its
 * fields). Returns -EINVAL when the structure is unusable: info or bi NULL,
 * avail < 16, total_size < 16 or > avail, or no end tag; *bi is then cleared.
 *
 * Never reads outside [info, info + total_size). The memory map is copied as
 * given (types translated to enum mem_type); normalize it with mm/memmap.h.
 * The basic memory info tag is used only when no memory map entry was found. */
int mb2_parse(const void *info, size_t avail, struct boot_info *bi);

/* GRUB 2 builds the strings it hands over from the words its script parser
 * produced: each \ ' " gets a backslash and a word holding a space is wrapped in
 * double quotes (grub_create_loader_cmdline). Undo that in place, so Terrapin sees
 * the words exactly as GRUB's parser produced them, joined by single spaces. */
void mb2_grub_unquote(char *s);

/* Apply mb2_grub_unquote to the command line and every module string when the
 * loader is GRUB. */
void mb2_fix_grub_strings(struct boot_info *bi);

#endif
