/* Loading a guest image into guest RAM. Pure: guest RAM is reached only
 * through the caller's ram_write callback, so this compiles and is tested on
 * the host.
 *
 * Formats:
 * - Multiboot1 (Multiboot 0.6.96): the header is searched in the first 8192
 *   bytes (4-byte aligned, valid checksum). With header flag 16 the image is
 *   placed from the header's address fields (3.1.3); otherwise from the ELF
 *   program headers (ELF32, and ELF64 too, by physical address), which must all
 *   lie below 4 GiB. A Multiboot information structure (flags: mem_lower/upper,
 *   cmdline, mmap, boot loader name "Terrapin") with the command line and the
 *   memory map follows, in free RAM below 1 MiB (0x9000 if free, as QEMU
 *   does), else right after the image.
 * - Linux bzImage (boot protocol 2.12+, 64-bit entry): see kernel/linux_boot.h;
 *   chosen by format=linux, or by format=auto when "HdrS" is at 0x202.
 * - Flat: the file's bytes are copied to args->load; execution starts at
 *   args->entry (default: load) in the same 32-bit protected mode, but with
 *   EAX = EBX = 0: there is no information structure.
 *
 * The initial vCPU state for Multiboot and flat images (Multiboot 3.2 "Machine state"): EAX = 0x2BADB002,
 * EBX = the information's address, CS a flat 32-bit code segment, DS/ES/FS/
 * GS/SS flat data segments, CR0 = PE|ET (paging off), EFLAGS = 0x2 (IF clear),
 * GDTR/IDTR base 0 limit 0 (the spec leaves them undefined), TR a busy 32-bit
 * TSS (base 0, limit 0x67: SVM and VMX entry checks want a usable TR), LDTR
 * unusable. Every other register is 0. A20 is not a vCPU matter: a Terrapin
 * guest never has the A20 gate. */
#ifndef KERNEL_LOADER_H
#define KERNEL_LOADER_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "kernel/boot_info.h"
#include "kernel/guest_args.h"
#include "kernel/vcpu_state.h"

#define MB1_HEADER_MAGIC    0x1BADB002u
#define MB1_BOOT_MAGIC	    0x2BADB002u
#define MB1_SEARCH_BYTES    8192
#define LOADER_INFO_ADDR    0x9000u /* where QEMU puts it too */
#define LOADER_MAX_RANGES   32	    /* entries in the guest's memory map */
#define LOADER_MAX_PHDRS    64	    /* program headers looked at */
#define LOADER_MAX_SEGMENTS 16	    /* PT_LOAD segments loaded */
#define LOADER_NAME	    "Terrapin"

/* Selectors the initial state uses (there is no GDT behind them: Multiboot
 * kernels load their own before reloading a segment register). */
#define LOADER_SEL_CODE 0x08
#define LOADER_SEL_DATA 0x10
#define LOADER_SEL_TSS	0x18

struct loader_target {
	void *ctx;
	/* Copies len bytes to guest-physical gpa; non-zero (a negative errno)
	 * when that is not guest RAM. */
	int (*ram_write)(void *ctx, uint64_t gpa, const void *src, size_t len);
	uint64_t ram_size;
	/* The guest-physical memory map handed to the guest (struct mem_range:
	 * base, len, enum mem_type; MEM_USABLE is RAM the image may use), sorted,
	 * not overlapping, at most LOADER_MAX_RANGES. NULL: [0, 0x9fc00) and
	 * [1 MiB, ram_size) usable. */
	const struct mem_range *map;
	size_t map_count;
	/* Linux only (kernel/linux_boot.h): the initrd's bytes (NULL, 0: none)
	 * and the guest-physical address of the ACPI RSDP (0: not given), for
	 * boot_params. Another format given an initrd is refused. */
	const void *initrd;
	size_t initrd_size;
	uint64_t acpi_rsdp;
	/* Linux only: the guest's TSC frequency (0: unknown). Linux has no
	 * vendor-neutral way to ask a hypervisor for it and calibrates against
	 * the PIT, HPET or PM timer instead, which fails when each timer read
	 * is a slow exit (as under emulation); so it is passed on the command
	 * line as tsc_early_khz=, unless the command line sets it already or
	 * has no room left. */
	uint32_t tsc_khz;
};

struct loader_result {
	struct vcpu_state vcpu;		 /* the boot vCPU's initial state */
	enum guest_format format;	 /* GUEST_FORMAT_MULTIBOOT, _FLAT or _LINUX */
	bool aout;			 /* Multiboot: placed by the address fields */
	unsigned elf_class;		 /* 32 or 64 for a Multiboot ELF, else 0 */
	uint64_t image_start, image_end; /* what the image occupies, bss included */
	uint64_t entry;
	/* the Multiboot information or Linux's zero page (0, 0 if flat) */
	uint64_t info_start, info_end;
	uint64_t initrd_start, initrd_end; /* Linux: where the initrd went (0, 0: none) */
	uint64_t mem_lower_kib, mem_upper_kib;
};

/* A Multiboot1 header found in an image. */
struct mb1_header {
	size_t offset; /* in the file */
	uint32_t flags;
	/* With flags bit 16 (and only then) */
	uint32_t header_addr, load_addr, load_end_addr, bss_end_addr, entry_addr;
};

/* Searches the first 8192 bytes. Returns 1 and fills *h when found, 0 when
 * not; *bad_checksum_at (if not NULL) gets the offset of the first magic with a
 * wrong checksum, or SIZE_MAX. */
int loader_find_mb1(const uint8_t *img, size_t size, struct mb1_header *h, size_t *bad_checksum_at);

/* Whether `format` (or, for auto, the image) makes this a Linux kernel: a
 * bzImage ("HdrS" at 0x202) or an ELF64 without a Multiboot header (an
 * uncompressed vmlinux). */
bool loader_is_linux(const uint8_t *img, size_t size, enum guest_format format);

/* Loads `image` (`size` bytes) as args->format says (auto: Multiboot when the
 * header is there, flat when not and load= is given) and fills *out. Returns 0
 * or a negative errno with a sentence in err[0..errlen): -EINVAL for a
 * malformed or unsupported image or arguments, -ERANGE for an image that does
 * not fit guest RAM, -ENOSPC when no room is left for the information, or
 * ram_write's error. Guest RAM may be partly written on failure. */
int loader_load(const void *image, size_t size, const struct guest_args *args,
		const struct loader_target *t, struct loader_result *out, char *err, size_t errlen);

#endif
