/* Entry from a Multiboot1 loader (Multiboot 0.6.96, 3.2 "Machine state"):
 * 32-bit protected mode, paging off, EAX = 0x2BADB002, EBX = the information's
 * address, GDTR/IDTR undefined, interrupts off. We load our own GDT before
 * touching a segment register (3.2: "the OS image must create its own GDT"),
 * zero the bss (a loader should have, but it costs nothing to be sure) and,
 * in a 64-bit guest, enter long mode (SDM 3A 9.8.5) with the first 64 GiB
 * identity-mapped by 2 MiB pages. Then guest_start(magic, info). */
#define SEL_CODE32 0x08
#define SEL_DATA 0x10
#define SEL_CODE64 0x18

#define CR0_PE (1 << 0)
#define CR0_PG (1 << 31)
#define CR4_PAE (1 << 5)
#define MSR_EFER 0xc0000080
#define EFER_LME (1 << 8)

#define PTE_P (1 << 0)
#define PTE_RW (1 << 1)
#define PTE_PWT (1 << 3)
#define PTE_PCD (1 << 4)
#define PTE_PS (1 << 7)
#define MAP_GIB 64	/* identity map size: 64 page directories */

	.section .text.entry, "ax"
	.code32
	.globl _start
_start:
	cli
	cld
	movl %eax, %esi		/* keep magic and info across the bss clear */
	movl %ebx, %ebp
	lgdt gdt_desc
	ljmp $SEL_CODE32, $1f
1:	movl $SEL_DATA, %eax
	movl %eax, %ds
	movl %eax, %es
	movl %eax, %fs
	movl %eax, %gs
	movl %eax, %ss
	movl $boot_stack_top, %esp

	movl $__bss_start, %edi
	movl $__bss_end, %ecx
	subl %edi, %ecx
	shrl $2, %ecx
	xorl %eax, %eax
	rep stosl

#ifdef __x86_64__
	/* PML4[0] -> PDPT; PDPT[i] -> PD i; PD entries map 2 MiB each. */
	movl $pdpt, %eax
	orl $(PTE_P | PTE_RW), %eax
	movl %eax, pml4
	xorl %ecx, %ecx
2:	movl %ecx, %eax
	shll $12, %eax
	addl $(pd + PTE_P + PTE_RW), %eax
	movl %eax, pdpt(, %ecx, 8)
	incl %ecx
	cmpl $MAP_GIB, %ecx
	jb 2b
	/* Entry j: physical j * 2 MiB (high dword j >> 11). 3-4 GiB is where the
	 * LAPIC, IOAPIC and other MMIO live: uncached there. */
	xorl %ecx, %ecx
3:	movl %ecx, %eax
	shll $21, %eax
	orl $(PTE_P | PTE_RW | PTE_PS), %eax
	cmpl $1536, %ecx
	jb 4f
	cmpl $2048, %ecx
	jae 4f
	orl $(PTE_PCD | PTE_PWT), %eax
4:	movl %eax, pd(, %ecx, 8)
	movl %ecx, %eax
	shrl $11, %eax
	movl %eax, pd + 4(, %ecx, 8)
	incl %ecx
	cmpl $(MAP_GIB * 512), %ecx
	jb 3b

	movl $pml4, %eax
	movl %eax, %cr3
	movl %cr4, %eax
	orl $CR4_PAE, %eax
	movl %eax, %cr4
	movl $MSR_EFER, %ecx
	rdmsr
	orl $EFER_LME, %eax
	wrmsr
	movl %cr0, %eax
	orl $(CR0_PG | CR0_PE), %eax
	movl %eax, %cr0
	ljmp $SEL_CODE64, $long_entry

	.code64
long_entry:
	movl $SEL_DATA, %eax
	movl %eax, %ds
	movl %eax, %es
	movl %eax, %fs
	movl %eax, %gs
	movl %eax, %ss
	movq $boot_stack_top, %rsp
	movl %esi, %edi		/* guest_start(magic, info) */
	movl %ebp, %esi
	xorl %ebp, %ebp
	call guest_start
5:	cli
	hlt
	jmp 5b
#else
	xorl %eax, %eax
	pushl %ebp		/* guest_start(magic, info) */
	pushl %esi
	xorl %ebp, %ebp
	call guest_start
5:	cli
	hlt
	jmp 5b
#endif

	.section .rodata
	.balign 8
gdt:
	.quad 0
	.quad 0x00cf9a000000ffff	/* 0x08: 32-bit code, flat */
	.quad 0x00cf92000000ffff	/* 0x10: data, flat */
	.quad 0x00af9a000000ffff	/* 0x18: 64-bit code */
gdt_end:
	.balign 4
	.word 0
gdt_desc:
	.word gdt_end - gdt - 1
	.long gdt
	.long 0

	.section .bss
	.balign 16
	.globl boot_stack_top
boot_stack:
	.skip 16384
boot_stack_top:

#ifdef __x86_64__
	.section .bss.pagetables, "aw", @nobits
	.balign 4096
pml4:	.skip 4096
pdpt:	.skip 4096
pd:	.skip 4096 * MAP_GIB
#endif
	.section .note.GNU-stack, "", @progbits
