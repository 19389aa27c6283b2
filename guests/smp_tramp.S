/* The application processor's first code, copied by smp.c to TRAMP_BASE (a
 * SIPI with vector 0x08 starts the AP in real mode at CS=0x0800, IP=0: SDM 3A
 * 9.4.4). It enters 32-bit protected mode with its own GDT, then, with no
 * stack and no call: increments the counter, software-enables its LAPIC and
 * sends the IPI vector back to the BSP, and halts. smp.c fills tramp_args. */
#define TRAMP_BASE 0x8000
#define ABS(sym) (TRAMP_BASE + (sym) - tramp_start)
#define LAPIC_SVR 0xf0
#define LAPIC_ICR_LO 0x300
#define LAPIC_ICR_HI 0x310

	.section .data
	.globl tramp_start, tramp_end, tramp_args
	.code16
tramp_start:
	cli
	cld
	movw %cs, %ax
	movw %ax, %ds
	lgdtl tramp_gdtr - tramp_start
	movl %cr0, %eax
	orl $1, %eax
	movl %eax, %cr0
	ljmpl $0x08, $ABS(tramp32)

	.code32
tramp32:
	movl $0x10, %eax
	movl %eax, %ds
	movl %eax, %es
	movl %eax, %ss
	movl ABS(tramp_args), %ebx	/* the counter's address */
	lock incl (%ebx)
	movl ABS(tramp_args) + 4, %ebx	/* LAPIC base */
	movl $0x1ff, %eax		/* SVR: enabled, spurious vector 0xff */
	movl %eax, LAPIC_SVR(%ebx)
	movl ABS(tramp_args) + 8, %eax	/* BSP's APIC ID */
	shll $24, %eax
	movl %eax, LAPIC_ICR_HI(%ebx)
	movl ABS(tramp_args) + 12, %eax	/* vector; fixed delivery, assert */
	orl $0x4000, %eax
	movl %eax, LAPIC_ICR_LO(%ebx)
1:	cli
	hlt
	jmp 1b

	.balign 8
tramp_gdt:
	.quad 0
	.quad 0x00cf9a000000ffff	/* 0x08: 32-bit code, flat */
	.quad 0x00cf92000000ffff	/* 0x10: data, flat */
tramp_gdtr:
	.word tramp_gdtr - tramp_gdt - 1
	.long ABS(tramp_gdt)
	.balign 4
tramp_args:
	.long 0, 0, 0, 0	/* counter address, LAPIC base, BSP APIC ID, vector */
tramp_end:
	.section .note.GNU-stack, "", @progbits
