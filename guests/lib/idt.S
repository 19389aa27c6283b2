/* One 16-byte stub per vector: pushes a zero error code where the CPU pushes
 * none (SDM 3A 6.15: only #DF, #TS, #NP, #SS, #GP, #PF, #AC, #CP, #VC and #SX
 * push one), then the vector, then joins trap_common, which saves the general
 * registers and calls trap_dispatch(frame) (struct trap_frame in guest.h). */
#ifdef __x86_64__
#define PUSH pushq
#else
#define PUSH pushl
#endif

	.section .text
	.balign 16
	.globl trap_stubs
trap_stubs:
	.set vec, 0
	.rept 256
	.balign 16
	.if (vec == 8) || ((vec >= 10) && (vec <= 14)) || (vec == 17) || (vec == 21) || (vec == 29) || (vec == 30)
	.else
	PUSH $0
	.endif
	PUSH $vec
	jmp trap_common
	.set vec, vec + 1
	.endr

#ifdef __x86_64__
trap_common:
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
	movq %rsp, %rbx		/* callee-saved: the frame, to realign around the call */
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
	addq $16, %rsp		/* vector and error code */
	iretq
#else
trap_common:
	pushal
	cld
	movl %esp, %eax
	pushl %eax
	call trap_dispatch
	addl $4, %esp
	popal
	addl $8, %esp		/* vector and error code */
	iretl
#endif
	.section .note.GNU-stack, "", @progbits
