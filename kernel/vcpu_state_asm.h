/* Offsets into the GPR array (enum gpr in kernel/vcpu_state.h) for assembly. */
#ifndef KERNEL_VCPU_STATE_ASM_H
#define KERNEL_VCPU_STATE_ASM_H

#define GPR_RAX (0 * 8)
#define GPR_RCX (1 * 8)
#define GPR_RDX (2 * 8)
#define GPR_RBX (3 * 8)
#define GPR_RSP (4 * 8)
#define GPR_RBP (5 * 8)
#define GPR_RSI (6 * 8)
#define GPR_RDI (7 * 8)
#define GPR_R8 (8 * 8)
#define GPR_R9 (9 * 8)
#define GPR_R10 (10 * 8)
#define GPR_R11 (11 * 8)
#define GPR_R12 (12 * 8)
#define GPR_R13 (13 * 8)
#define GPR_R14 (14 * 8)
#define GPR_R15 (15 * 8)

#ifdef __ASSEMBLER__
/* Load or store the guest's GPRs other than RAX and RSP (which VMRUN and VM
 * entry/exit switch, or the caller handles) from or to the array at %rax.
 * MOVs only: the flags are kept. */
.macro GUEST_GPRS_LOAD
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
.endm

.macro GUEST_GPRS_STORE
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
.endm
#endif

#endif
