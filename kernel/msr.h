/* The MSRs a guest may touch that have no per-vCPU state behind them:
 * identification registers it may read, registers whose writes Terrapin
 * accepts and drops, and the quiet machine-check banks (kernel/mca.h). The
 * ones with state (EFER, TSC, the local APIC's) are the core's. Pure. */
#ifndef KERNEL_MSR_H
#define KERNEL_MSR_H

#include <stdbool.h>
#include <stdint.h>

#define MSR_PLATFORM_ID	    0x17
#define MSR_FEATURE_CONTROL 0x3a
#define MSR_MICROCODE_REV   0x8b
#define MSR_MTRRCAP	    0xfe
#define MSR_MISC_ENABLE	    0x1a0
#define MSR_PAT		    0x277
#define MSR_MTRR_DEF_TYPE   0x2ff
#define MSR_AMD_INT_PENDING 0xc0010055

#define PAT_POWER_ON	    0x0007040600070406ULL
#define MTRR_DEF_TYPE_WB_ON 0xc06 /* MTRRs and fixed ranges enabled, default WB */

/* A RDMSR (fills *val) or WRMSR of `index` on an Intel (`intel`) or other
 * CPU: 0, -EPERM for #GP, -ENOENT when it is not one of these. */
int msr_fixed(uint32_t index, uint64_t *val, bool write, bool intel);

#endif
