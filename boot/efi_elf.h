/* The UEFI door's view of the embedded kernel image: checks of terrapin.elf and
 * the plan for loading it. Pure: no firmware calls, compiled on the host for tests.
 * The ELF file is untrusted input (it is only bytes in the loader's data): every
 * header, segment and section is bounds-checked before use. */
#ifndef BOOT_EFI_ELF_H
#define BOOT_EFI_ELF_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define EFI_ELF_MAX_SEGS 16
#define EFI_PAGE 4096ull

/* One PT_LOAD segment, identity-mapped: the kernel runs at paddr. */
struct efi_elf_seg {
	uint64_t paddr;
	uint64_t memsz;
	uint64_t filesz;
	uint64_t offset; /* in the file */
	uint32_t flags;  /* PF_X, PF_W, PF_R */
};

/* A page-aligned physical range the loader must own before copying. */
struct efi_elf_range {
	uint64_t base;
	uint64_t pages;
};

struct efi_elf_image {
	uint32_t nseg; /* sorted by paddr, non-overlapping */
	struct efi_elf_seg seg[EFI_ELF_MAX_SEGS];
	uint32_t nrange; /* page-rounded, merged, sorted */
	struct efi_elf_range range[EFI_ELF_MAX_SEGS];
	uint64_t entry; /* address of the entry symbol */
};

/* Validate the ELF at elf[0..size) (64-bit, little-endian, x86-64, executable,
 * program headers and PT_LOAD segments in bounds, p_paddr == p_vaddr, segments
 * not overlapping one another) and find the defined symbol `entry_sym` in
 * .symtab, which must lie inside an executable PT_LOAD segment.
 * Returns 0 and fills *img, or a negative errno with *why set to a sentence that
 * names the problem (for the loader to print). */
int efi_elf_load_plan(const void *elf, size_t size, const char *entry_sym, struct efi_elf_image *img,
		      const char **why);

/* True when [a, a+alen) and [b, b+blen) share a byte (lengths may be 0). */
bool efi_elf_overlaps(uint64_t a, uint64_t alen, uint64_t b, uint64_t blen);

#endif
