/* Interrupt entry stubs: push a uniform struct trap_frame (kernel/trap.h) and call
 * trap_dispatch(). Exceptions with an error code (SDM 3A 6.13: 8, 10-14, 17, 21,
 * 29, 30) have it pushed by the CPU; the others push 0. */
	.section .text
	.code64

.macro STUB vec
	.balign 16
isr_\vec:
	.if (\vec == 8) || (\vec >= 10 && \vec <= 14) || (\vec == 17) || (\vec == 21) || (\vec == 29) || (\vec == 30)
	.else
	pushq $0
	.endif
	pushq $\vec
	jmp isr_common
.endm

.altmacro
.macro STUBS from, to
	STUB %from
	.if \to-\from
	STUBS %(\from+1), \to
	.endif
.endm

	STUBS 0, 63
	STUBS 64, 127
	STUBS 128, 191
	STUBS 192, 255

isr_common:
	pushq %rax
	pushq %rbx
	pushq %rcx
	pushq %rdx
	pushq %rsi
	pushq %rdi
	pushq %rbp
	pushq %r8
	pushq %r9
	pushq %r10
	pushq %r11
	pushq %r12
	pushq %r13
	pushq %r14
	pushq %r15
	cld
	movq %rsp, %rdi
	/* Align the stack for C; the frame pointer chain continues from the
	 * interrupted code so backtraces cross the trap. */
	movq %rsp, %rbx
	andq $-16, %rsp
	call trap_dispatch
	movq %rbx, %rsp
	popq %r15
	popq %r14
	popq %r13
	popq %r12
	popq %r11
	popq %r10
	popq %r9
	popq %r8
	popq %rbp
	popq %rdi
	popq %rsi
	popq %rdx
	popq %rcx
	popq %rbx
	popq %rax
	addq $16, %rsp
	iretq

.macro ADDR vec
	.quad isr_\vec
.endm
.macro ADDRS from, to
	ADDR %from
	.if \to-\from
	ADDRS %(\from+1), \to
	.endif
.endm

	.section .rodata
	.balign 8
	.global isr_table
isr_table:
	ADDRS 0, 63
	ADDRS 64, 127
	ADDRS 128, 191
	ADDRS 192, 255
