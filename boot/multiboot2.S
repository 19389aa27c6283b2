/* The GRUB door: a Multiboot2 header, then 32-bit protected mode (Multiboot2 spec
 * 3.3: EAX = magic, EBX = boot information, paging off) into long mode with an
 * identity map of the first 4 GiB, then mb2_entry() in C. The UEFI door enters at
 * kernel_entry64, already in long mode, and joins the same path. */

#define MB2_HEADER_MAGIC 0xE85250D6
#define MB2_BOOT_MAGIC 0x36D76289
#define BOOT_STACK_SIZE 16384

	.section .multiboot2, "a"
	.balign 8
mb2_header:
	.long MB2_HEADER_MAGIC
	.long 0 /* i386 */
	.long mb2_header_end - mb2_header
	.long -(MB2_HEADER_MAGIC + (mb2_header_end - mb2_header))
	/* Module alignment tag (type 6): modules start on page boundaries. */
	.balign 8
	.short 6, 0
	.long 8
	/* End tag. */
	.balign 8
	.short 0, 0
	.long 8
mb2_header_end:

	.section .text.boot, "ax"
	.code32
	.global _start
_start:
	cli
	cld
	movl $boot_stack_top, %esp
	cmpl $MB2_BOOT_MAGIC, %eax
	jne no_multiboot
	movl %eax, %edi
	movl %ebx, %esi

	/* Long mode needs CPUID leaf 0x80000001 EDX bit 29. */
	movl $0x80000000, %eax
	cpuid
	cmpl $0x80000001, %eax
	jb no_long_mode
	movl $0x80000001, %eax
	cpuid
	btl $29, %edx
	jnc no_long_mode
	movl %edx, %ebp /* bit 20: NX */

	call build_boot_tables32

	movl %cr4, %eax
	orl $(1 << 5), %eax /* PAE */
	movl %eax, %cr4
	movl $boot_pml4, %eax
	movl %eax, %cr3
	movl $0xC0000080, %ecx /* EFER */
	rdmsr
	orl $(1 << 8), %eax /* LME */
	btl $20, %ebp
	jnc 1f
	orl $(1 << 11), %eax /* NXE */
1:	wrmsr
	movl %cr0, %eax
	orl $0x80010001, %eax /* PG, WP, PE */
	movl %eax, %cr0
	lgdt boot_gdt_ptr
	ljmp $0x08, $long_mode32

/* PML4[0] -> PDPT; PDPT[0..3] -> 4 PDs; each PD maps 1 GiB in 2 MiB pages. */
build_boot_tables32:
	pushl %edi
	movl $boot_pml4, %edi
	xorl %eax, %eax
	movl $(6 * 4096 / 4), %ecx
	rep stosl
	movl $boot_pdpt + 3, boot_pml4
	xorl %ecx, %ecx
1:	movl %ecx, %eax
	shll $12, %eax
	addl $boot_pd + 3, %eax
	movl %eax, boot_pdpt(, %ecx, 8)
	incl %ecx
	cmpl $4, %ecx
	jb 1b
	xorl %ecx, %ecx
2:	movl %ecx, %eax
	shll $21, %eax
	orl $0x83, %eax /* present, writable, 2 MiB */
	movl %eax, boot_pd(, %ecx, 8)
	incl %ecx
	cmpl $2048, %ecx
	jb 2b
	popl %edi
	ret

no_multiboot:
	movl $msg_no_mb2, %esi
	jmp fail32
no_long_mode:
	movl $msg_no_lm, %esi
fail32:
	movw $0x3f8, %dx
1:	lodsb
	testb %al, %al
	jz 2f
	outb %al, %dx
	jmp 1b
2:	hlt
	jmp 2b

	.code64
long_mode32:
	movw $0x10, %ax
	movw %ax, %ds
	movw %ax, %es
	movw %ax, %ss
	xorw %ax, %ax
	movw %ax, %fs
	movw %ax, %gs
	/* Upper halves of registers are undefined after the switch (SDM 3A 9.8.5). */
	movl %edi, %edi
	movl %esi, %esi
	movq $boot_stack_top, %rsp
	xorl %ebp, %ebp
	call mb2_entry
	jmp halt_forever

/* UEFI door: RDI = struct boot_info * (below 4 GiB), firmware page tables live. */
	.global kernel_entry64
kernel_entry64:
	cli
	cld
	movq $boot_stack_top, %rsp
	pushq %rdi
	/* Build the same boot tables the 32-bit path builds, then switch to them. */
	leaq boot_pml4(%rip), %rdi
	xorl %eax, %eax
	movl $(6 * 4096 / 8), %ecx
	rep stosq
	leaq boot_pdpt + 3(%rip), %rax
	movq %rax, boot_pml4(%rip)
	xorl %ecx, %ecx
1:	movq %rcx, %rax
	shlq $12, %rax
	leaq boot_pd + 3(%rip), %rdx
	addq %rdx, %rax
	leaq boot_pdpt(%rip), %rdx
	movq %rax, (%rdx, %rcx, 8)
	incl %ecx
	cmpl $4, %ecx
	jb 1b
	xorl %ecx, %ecx
	leaq boot_pd(%rip), %rdx
2:	movq %rcx, %rax
	shlq $21, %rax
	orq $0x83, %rax
	movq %rax, (%rdx, %rcx, 8)
	incl %ecx
	cmpl $2048, %ecx
	jb 2b
	leaq boot_pml4(%rip), %rax
	movq %rax, %cr3
	lgdt boot_gdt_ptr(%rip)
	pushq $0x08
	leaq 3f(%rip), %rax
	pushq %rax
	lretq
3:	movw $0x10, %ax
	movw %ax, %ds
	movw %ax, %es
	movw %ax, %ss
	xorw %ax, %ax
	movw %ax, %fs
	movw %ax, %gs
	popq %rdi
	xorl %ebp, %ebp
	call efi_kernel_entry
halt_forever:
	cli
	hlt
	jmp halt_forever

	.section .rodata
	.balign 8
boot_gdt:
	.quad 0
	.quad 0x00af9a000000ffff /* 0x08: 64-bit code */
	.quad 0x00cf92000000ffff /* 0x10: data */
boot_gdt_end:
	.balign 8
boot_gdt_ptr:
	.short boot_gdt_end - boot_gdt - 1
	.quad boot_gdt
msg_no_mb2:
	.asciz "Terrapin: not loaded by a Multiboot2 loader\r\n"
msg_no_lm:
	.asciz "Terrapin: this CPU has no 64-bit long mode\r\n"

	.section .bss
	.balign 4096
	.global boot_pml4
boot_pml4:
	.skip 4096
boot_pdpt:
	.skip 4096
boot_pd:
	.skip 4 * 4096
	.global boot_stack_top
boot_stack:
	.skip BOOT_STACK_SIZE
boot_stack_top:
