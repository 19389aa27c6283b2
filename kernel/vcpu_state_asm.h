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

#endif
