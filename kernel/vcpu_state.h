/* Architectural vCPU state in a vendor-neutral form: what a loader sets up, what
 * `vcpu regs` prints, and what the SVM and VMX backends translate to and from
 * their control blocks. */
#ifndef KERNEL_VCPU_STATE_H
#define KERNEL_VCPU_STATE_H

#include <stdint.h>

/* General-purpose registers in the hardware's encoding order. */
enum gpr { RAX, RCX, RDX, RBX, RSP, RBP, RSI, RDI, R8, R9, R10, R11, R12, R13, R14, R15, NGPRS };

/* Segment attributes as in a descriptor's bytes 5-6 (SDM 3A 3.4.5), packed the
 * way the VMCB stores them (APM 2 15.5.1): type[3:0] S[4] DPL[6:5] P[7] AVL[8]
 * L[9] D/B[10] G[11]. */
#define SEG_TYPE(t) ((uint16_t)(t) & 0xf)
#define SEG_S (1u << 4)
#define SEG_DPL(d) (((uint16_t)(d) & 3) << 5)
#define SEG_P (1u << 7)
#define SEG_L (1u << 9)
#define SEG_DB (1u << 10)
#define SEG_G (1u << 11)
/* Common combinations. */
#define SEG_CODE32 (SEG_TYPE(0xb) | SEG_S | SEG_P | SEG_DB | SEG_G)
#define SEG_CODE64 (SEG_TYPE(0xb) | SEG_S | SEG_P | SEG_L | SEG_G)
#define SEG_DATA32 (SEG_TYPE(0x3) | SEG_S | SEG_P | SEG_DB | SEG_G)
#define SEG_CODE16 (SEG_TYPE(0xb) | SEG_S | SEG_P)
#define SEG_DATA16 (SEG_TYPE(0x3) | SEG_S | SEG_P)
#define SEG_TSS32_BUSY (SEG_TYPE(0xb) | SEG_P)
#define SEG_LDT (SEG_TYPE(0x2) | SEG_P)

struct seg {
	uint16_t sel;
	uint16_t attr;
	uint32_t limit;
	uint64_t base;
};

struct dtr {
	uint64_t base;
	uint32_t limit;
};

enum seg_index { SEG_ES, SEG_CS, SEG_SS, SEG_DS, SEG_FS, SEG_GS, SEG_TR, SEG_LDTR, NSEGS };

struct vcpu_state {
	uint64_t gpr[NGPRS];
	uint64_t rip, rflags;
	uint64_t cr0, cr2, cr3, cr4, efer;
	struct seg seg[NSEGS];
	struct dtr gdtr, idtr;
};

#define CR0_PE (1ULL << 0)
#define CR0_ET (1ULL << 4)
#define CR0_NE (1ULL << 5)
#define CR0_PG (1ULL << 31)
#define CR4_OSXSAVE (1ULL << 18)
#define RFLAGS_FIXED (1ULL << 1)
#define RFLAGS_IF (1ULL << 9)

#endif
