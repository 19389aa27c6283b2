/* terrapin.elf inside terrapin.efi. EFI_KERNEL_BLOB is the path of the (debug-
 * stripped) kernel ELF, passed by boot/efi.mk. The section name matches the
 * .rodata* rule of GNU-EFI's elf_x86_64_efi.lds, so the blob lands in the PE
 * image's .data section; boot/efi.c reads it byte-wise, whatever its alignment. */
	.section .rodata.efi_kernel, "a", @progbits
	.balign 4096
	.globl efi_kernel_blob
	.hidden efi_kernel_blob
	.globl efi_kernel_blob_end
	.hidden efi_kernel_blob_end
efi_kernel_blob:
	.incbin EFI_KERNEL_BLOB
efi_kernel_blob_end:

	.section .note.GNU-stack, "", @progbits
