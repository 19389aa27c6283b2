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
	movq 0(%rsp), %rax
	sti
	vmrun %rax
	/* #VMEXIT: RAX, RSP and RIP are the host's again, GIF is clear. */
	cli
	vmsave %rax

	pushq %rax
	movq 16(%rsp), %rax
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
