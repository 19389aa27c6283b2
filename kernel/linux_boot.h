/* Loading a Linux bzImage through the x86 boot protocol's 64-bit entry
 * (Documentation/arch/x86/boot.rst, "64-bit Boot Protocol"; the zero page's
 * fields in zero-page.rst). Pure, like kernel/loader.c: guest RAM is reached
 * only through the target's ram_write, so this compiles and is tested on the
 * host. loader_load() calls it for format=linux, or for format=auto when the
 * image has the "HdrS" signature at 0x202.
 *
 * What the guest gets (all below 1 MiB in a fixed low area, LINUX_LOW_*):
 * - the protected-mode kernel (file offset (setup_sects + 1) * 512) at
 *   pref_address when [pref_address, + init_size) is free RAM below 4 GiB,
 *   else (relocatable kernels only) at the lowest kernel_alignment-aligned
 *   free address above 1 MiB;
 * - the initrd, if any, page-aligned as high as it fits below initrd_addr_max
 *   (above 4 GiB only if it fits nowhere below and the kernel allows it),
 *   clear of the kernel's init_size region;
 * - boot_params (the "zero page"): zeroed, the image's setup header copied in,
 *   the loader's fields (type_of_loader, loadflags, cmd_line_ptr, ramdisk_*)
 *   written, the e820 table from the target's memory map, acpi_rsdp_addr;
 * - the command line (guest_args.cmdline), at most cmdline_size characters;
 * - identity-mapped page tables for the first 4 GiB (2 MiB pages) and a GDT
 *   with __BOOT_CS = 0x10 (64-bit code) and __BOOT_DS = 0x18 (flat data).
 *
 * The initial vCPU state (boot.rst, 64-bit protocol): long mode with paging
 * (CR0 PE|ET|NE|PG, CR4.PAE, EFER LME|LMA, CR3 the PML4), CS = 0x10, DS = ES =
 * SS = FS = GS = 0x18, interrupts off (RFLAGS = 0x2), RSI = the zero page,
 * RIP = load address + 0x200, RSP at the top of a small stack page, TR a busy
 * 64-bit TSS (selector 0x20, described in the GDT: VMX and SVM entry checks
 * want a usable TR), LDTR unusable, IDTR limit 0. */
#ifndef KERNEL_LINUX_BOOT_H
#define KERNEL_LINUX_BOOT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "kernel/loader.h"

/* The low area: page 0 (real-mode IVT, BIOS data) is left alone; Linux keeps
 * the first 64 KiB reserved (CONFIG_X86_RESERVE_LOW) and copies boot_params
 * and the command line before it reuses any of it. */
#define LINUX_GDT_ADDR	   0x1000ULL /* GDT at +0, TSS at +LINUX_TSS_OFF */
#define LINUX_TSS_OFF	   0x100ULL
#define LINUX_PML4_ADDR	   0x2000ULL
#define LINUX_PDPT_ADDR	   0x3000ULL
#define LINUX_PD_ADDR	   0x4000ULL /* 4 pages: one per GiB */
#define LINUX_PD_PAGES	   4
#define LINUX_ZERO_PAGE	   0x8000ULL
#define LINUX_CMDLINE_ADDR 0x9000ULL /* one page: cmdline_size < 4096 is enforced */
#define LINUX_STACK_TOP	   0xb000ULL /* the page 0xa000-0xafff */
#define LINUX_LOW_START	   LINUX_GDT_ADDR
#define LINUX_LOW_END	   LINUX_STACK_TOP
#define LINUX_IDMAP_BYTES  (4ULL << 30)

/* boot.rst: the 64-bit GDT selectors. */
#define LINUX_BOOT_CS  0x10
#define LINUX_BOOT_DS  0x18
#define LINUX_BOOT_TSS 0x20

/* Whether the image carries the boot protocol's "HdrS" signature at 0x202. */
bool linux_boot_detect(const uint8_t *img, size_t size);

/* Loads the bzImage `img` (`size` bytes) with t->initrd and args->cmdline into
 * the guest whose memory map is map[0..nmap) (validated by the caller: sorted,
 * not overlapping, non-empty ranges) and fills *out (format GUEST_FORMAT_LINUX,
 * image_start/end = the kernel's init_size region, entry, info_start/end = the
 * zero page, initrd_start/end, the vCPU state). Returns 0 or a negative errno
 * with a sentence in err[0..errlen): -EINVAL for an image the protocol rejects
 * or that Terrapin cannot start, -ERANGE when the kernel, the initrd or the
 * command line do not fit, or ram_write's error. */
int linux_boot_load(const uint8_t *img, size_t size, const struct guest_args *args,
		    const struct loader_target *t, const struct mem_range *map, size_t nmap,
		    struct loader_result *out, char *err, size_t errlen);

/* The same 64-bit entry for an uncompressed vmlinux (what the bzImage
 * decompresses to: an ELF64 x86-64 executable whose entry point is the
 * physical address of startup_64), whose PT_LOAD segments the caller has
 * already written at their physical addresses [start, end). Boot_params get a
 * setup header made up as the bzImage would carry it (protocol 2.15, the
 * kernel's pref_address and init_size from the segments); the vCPU starts at
 * `entry`. Booting this form skips the kernel's own decompression, the bulk of
 * a boot under emulation. Errors as linux_boot_load(). */
int linux_boot_load_vmlinux(const struct guest_args *args, const struct loader_target *t,
			    const struct mem_range *map, size_t nmap, uint64_t start, uint64_t end,
			    uint64_t entry, struct loader_result *out, char *err, size_t errlen);

#endif
