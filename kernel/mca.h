/* The guest's machine-check architecture: MCG_CAP reports MCA_BANKS banks that
 * never see an error (SDM 3B 16.3). Kernels insist on MCE/MCA where the CPU
 * has them (Linux says "Unable to init MCE device" without), so guests get the
 * registers, all quiet: control registers read all ones, status, address and
 * misc read zero and accept only zero. Pure. */
#ifndef KERNEL_MCA_H
#define KERNEL_MCA_H

#include <stdbool.h>
#include <stdint.h>

#define MCA_BANKS	10
#define MSR_MCG_CAP	0x179
#define MSR_MCG_STATUS	0x17a
#define MSR_MC0_CTL	0x400

/* A RDMSR or WRMSR of `index`: 0 (reads fill *val), -EPERM for #GP, or
 * -ENOENT when `index` is not a machine-check MSR. */
int mca_msr(uint32_t index, uint64_t *val, bool write);

#endif
