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
	GUEST_GPRS_LOAD
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
	GUEST_GPRS_STORE
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
