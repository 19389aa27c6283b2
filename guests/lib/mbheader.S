/* The Multiboot1 header (Multiboot 0.6.96, 3.1.1). Assembled into each guest
 * separately: a guest built with GUEST_MB_AOUT also fills in the address fields
 * (flag bit 16, 3.1.3) so loaders place it from those instead of from its ELF
 * program headers, which exercises the other loading path. */
#define MB_MAGIC 0x1BADB002
#define MB_PAGE_ALIGN (1 << 0) /* modules page-aligned (we take none) */
#define MB_MEMORY_INFO (1 << 1) /* mem_lower/mem_upper and the memory map */
#define MB_AOUT_KLUDGE (1 << 16)

#ifdef GUEST_MB_AOUT
#define MB_FLAGS (MB_PAGE_ALIGN | MB_MEMORY_INFO | MB_AOUT_KLUDGE)
#else
#define MB_FLAGS (MB_PAGE_ALIGN | MB_MEMORY_INFO)
#endif

	.section .multiboot, "a"
	.balign 4
mb_header:
	.long MB_MAGIC
	.long MB_FLAGS
	.long -(MB_MAGIC + MB_FLAGS)
#ifdef GUEST_MB_AOUT
	.long mb_header		/* header_addr */
	.long _image_start	/* load_addr */
	.long _edata		/* load_end_addr: file bytes end here */
	.long _end		/* bss_end_addr: the loader zeroes up to here */
	.long _start		/* entry_addr */
#endif
	.section .note.GNU-stack, "", @progbits
