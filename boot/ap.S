/* The application processors' way in. A STARTUP IPI starts an AP in real mode at
 * CS:IP = (page << 8):0 (SDM 3A 9.4.4.2); kernel/smp.c copies the blob between
 * ap_tramp_start and ap_tramp_end to that page below 1 MiB and fills in tr_cr3 (a
 * copy of the hypervisor's PML4 below 4 GiB, since CR3 is 32 bits wide until long
 * mode is active) and tr_efer. The blob switches to protected mode, turns on
 * PAE, EFER.LME (and NXE) and paging (SDM 3A 10.8.5), then far-jumps into the
 * kernel image at ap_entry64, which takes its struct percpu from ap_boot_cpu.
 * The page is mapped executable in the hypervisor's tables: the instruction after
 * the one that sets CR0.PG is fetched through them. */
#include "kernel/smp.h"

#define CR0_PE (1 << 0)
#define CR0_ET (1 << 4)
#define CR0_PG (1 << 31)
#define CR4_PAE (1 << 5)
#define MSR_EFER 0xC0000080

	.section .rodata.ap_tramp, "a"
	.global ap_tramp_start, ap_tramp_end, ap_tramp_cr3, ap_tramp_efer
	.code16
ap_tramp_start:
	jmp tr_real
	.balign 4
ap_tramp_cr3:
	.long 0
ap_tramp_efer:
	.long 0

tr_real:
	cli
	cld
	movw %cs, %ax
	movw %ax, %ds
	movzwl %ax, %ebx
	shll $4, %ebx /* EBX = the trampoline's physical address, kept to the end */
	/* Point the GDT pointer and the far pointer at this copy. Real mode: no
	 * paging, so the page is writable here whatever the kernel maps it as. */
	leal (tr_gdt - ap_tramp_start)(%ebx), %eax
	movl %eax, (tr_gdt_ptr + 2 - ap_tramp_start)
	leal (tr_pm32 - ap_tramp_start)(%ebx), %eax
	movl %eax, (tr_pm32_ptr - ap_tramp_start)
	lgdtl (tr_gdt_ptr - ap_tramp_start)
	/* INIT leaves CR0 = 0x60000010 (caches off, SDM 3A 10.1.1): set it whole. */
	movl $(CR0_PE | CR0_ET), %eax
	movl %eax, %cr0
	ljmpl *(tr_pm32_ptr - ap_tramp_start)

	.code32
tr_pm32:
	movw $0x10, %ax
	movw %ax, %ds
	movw %ax, %es
	movw %ax, %ss
	movw %ax, %fs
	movw %ax, %gs
	movl $CR4_PAE, %eax
	movl %eax, %cr4
	movl (ap_tramp_cr3 - ap_tramp_start)(%ebx), %eax
	movl %eax, %cr3
	movl $MSR_EFER, %ecx
	rdmsr
	orl (ap_tramp_efer - ap_tramp_start)(%ebx), %eax
	wrmsr
	movl $(CR0_PG | CR0_ET | CR0_PE), %eax
	movl %eax, %cr0
	/* Now in compatibility mode; the far jump to a 64-bit code segment enters
	 * 64-bit mode. */
	ljmpl *(tr_lm64_ptr - ap_tramp_start)(%ebx)

	.balign 8
tr_gdt:
	/* Accessed bits preset: with the page read-only in the hypervisor's tables
	 * the CPU must not need to write them. */
	.quad 0
	.quad 0x00cf9b000000ffff /* 0x08: 32-bit code */
	.quad 0x00cf93000000ffff /* 0x10: data */
	.quad 0x00af9b000000ffff /* 0x18: 64-bit code */
tr_gdt_end:
	.balign 4
tr_gdt_ptr:
	.short tr_gdt_end - tr_gdt - 1
	.long 0
	.balign 4
tr_pm32_ptr:
	.long 0
	.short 0x08
	.balign 4
tr_lm64_ptr:
	.long ap_entry64 /* the kernel image is below 4 GiB */
	.short 0x18
ap_tramp_end:

	.section .text
	.code64
	.global ap_entry64
ap_entry64:
	movw $0x10, %ax
	movw %ax, %ds
	movw %ax, %es
	movw %ax, %ss
	xorl %eax, %eax
	movw %ax, %fs
	movw %ax, %gs
	/* Take the CPU slot the bootstrap processor offered. An AP that comes too
	 * late (after the bootstrap processor gave up on it) finds 0 and parks. */
	xchgq %rax, ap_boot_cpu(%rip)
	testq %rax, %rax
	jz ap_park
	movq SMP_PERCPU_STACK_TOP(%rax), %rsp
	movq %rax, %rdi
	xorl %ebp, %ebp
	call ap_main
	ud2 /* not reached; keeps the return address inside ap_entry64 for backtraces */
ap_park:
	cli
	hlt
	jmp ap_park
