/* svm_vmrun(guest_vmcb_pa, gprs, host_save_pa): run the guest until #VMEXIT.
 * VMRUN itself saves and restores only part of the host's state (APM 2 15.5.1):
 * VMSAVE/VMLOAD around it carry FS/GS/TR/LDTR, KernelGSBase and the syscall MSRs,
 * so Terrapin's GS base (its per-CPU pointer) survives. GIF is clear from CLGI to
 * STGI; with RFLAGS.IF set at VMRUN, a host interrupt while the guest runs becomes
 * an INTR exit and is taken after STGI once the caller enables interrupts. */
#include "kernel/vcpu_state_asm.h"

	.text
	.code64
	.global svm_vmrun
svm_vmrun:
	pushq %rbp
	pushq %rbx
	pushq %r12
	pushq %r13
	pushq %r14
	pushq %r15
	pushq %rdx /* 16(%rsp): host save area */
	pushq %rsi /*  8(%rsp): guest GPRs */
	pushq %rdi /*  0(%rsp): guest VMCB */

	clgi
	movq %rdx, %rax
	vmsave %rax
	movq 0(%rsp), %rax
	vmload %rax

	movq 8(%rsp), %rax
	GUEST_GPRS_LOAD
	movq 0(%rsp), %rax
	sti
	vmrun %rax
	/* #VMEXIT: RAX, RSP and RIP are the host's again, GIF is clear. */
	cli
	vmsave %rax

	pushq %rax
	movq 16(%rsp), %rax
	GUEST_GPRS_STORE
	popq %rax

	movq 16(%rsp), %rax
	vmload %rax
	stgi

	addq $24, %rsp
	popq %r15
	popq %r14
	popq %r13
	popq %r12
	popq %rbx
	popq %rbp
	ret
