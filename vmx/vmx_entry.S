/* vmx_enter(gprs, launched): run the guest whose VMCS is current on this CPU
 * until its next VM exit. VM entry loads the guest's RSP and RIP from the VMCS;
 * the other GPRs are ours to load and save (SDM 3C 27.3, 28.5). A VM exit
 * resumes at vmx_exit_entry on the stack pointer vmx_set_host_rsp() wrote to
 * HOST_RSP, with RFLAGS = 2 (interrupts off) and the host's segments, CR3 and
 * GS base (the per-CPU pointer) loaded from the host-state area.
 * Returns 0 after an exit, 1 when VMLAUNCH/VMRESUME fail (VMfail: CF or ZF). */
#include "kernel/vcpu_state_asm.h"

	.text
	.code64
	.global vmx_enter
	.global vmx_exit_entry
vmx_enter:
	pushq %rbp
	pushq %rbx
	pushq %r12
	pushq %r13
	pushq %r14
	pushq %r15
	pushq %rdi /* 0(%rsp): guest GPRs, found again after the exit */
	movl %esi, %ebx

	movq %rsp, %rdi
	call vmx_set_host_rsp

	movq 0(%rsp), %rax
	testl %ebx, %ebx /* MOVs below keep the flags for the branch */
	movq GPR_RCX(%rax), %rcx
	movq GPR_RDX(%rax), %rdx
	movq GPR_RBX(%rax), %rbx
	movq GPR_RBP(%rax), %rbp
	movq GPR_RSI(%rax), %rsi
	movq GPR_RDI(%rax), %rdi
	movq GPR_R8(%rax), %r8
	movq GPR_R9(%rax), %r9
	movq GPR_R10(%rax), %r10
	movq GPR_R11(%rax), %r11
	movq GPR_R12(%rax), %r12
	movq GPR_R13(%rax), %r13
	movq GPR_R14(%rax), %r14
	movq GPR_R15(%rax), %r15
	movq GPR_RAX(%rax), %rax
	jnz 1f
	vmlaunch
	jmp 2f
1:	vmresume
2:	/* VMfail: still the host, the guest's values in the registers. */
	addq $8, %rsp
	popq %r15
	popq %r14
	popq %r13
	popq %r12
	popq %rbx
	popq %rbp
	movl $1, %eax
	ret

vmx_exit_entry:
	pushq %rax
	movq 8(%rsp), %rax
	movq %rcx, GPR_RCX(%rax)
	movq %rdx, GPR_RDX(%rax)
	movq %rbx, GPR_RBX(%rax)
	movq %rbp, GPR_RBP(%rax)
	movq %rsi, GPR_RSI(%rax)
	movq %rdi, GPR_RDI(%rax)
	movq %r8, GPR_R8(%rax)
	movq %r9, GPR_R9(%rax)
	movq %r10, GPR_R10(%rax)
	movq %r11, GPR_R11(%rax)
	movq %r12, GPR_R12(%rax)
	movq %r13, GPR_R13(%rax)
	movq %r14, GPR_R14(%rax)
	movq %r15, GPR_R15(%rax)
	popq %rcx
	movq %rcx, GPR_RAX(%rax)

	addq $8, %rsp
	popq %r15
	popq %r14
	popq %r13
	popq %r12
	popq %rbx
	popq %rbp
	xorl %eax, %eax
	ret
