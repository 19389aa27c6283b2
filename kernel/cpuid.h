/* What a guest's CPUID returns: the host's answer filtered to what Terrapin
 * virtualizes, and Terrapin's own leaves at 0x40000000. Pure: the caller runs
 * the host's CPUID and says what of the vCPU the answer depends on. */
#ifndef KERNEL_CPUID_H
#define KERNEL_CPUID_H

#include <stdbool.h>
#include <stdint.h>

struct cpuid_regs {
	uint32_t eax, ebx, ecx, edx;
};

#define CPUID_HV_BASE	   0x40000000u /* max leaf, "TerrapinHV  " */
#define CPUID_HV_ABI	   0x40000001u /* EAX: the hypercall ABI version */
#define CPUID_HV_TIMING	   0x40000010u /* EAX: TSC kHz, EBX: local APIC timer kHz */
#define CPUID_HV_END	   0x40000100u

/* The vCPU's side of the answer. */
struct cpuid_guest {
	uint32_t host_max_basic; /* the host's CPUID 0 EAX */
	unsigned nvcpus, vcpu_id;
	bool osxsave;		/* the guest's CR4.OSXSAVE (asked for leaf 1 only) */
	uint32_t tsc_khz, lapic_khz;
	uint32_t hc_abi;
};

/* Whether the answer to leaf `leaf` depends on the guest's CR4.OSXSAVE. */
static inline bool cpuid_needs_osxsave(uint32_t leaf) { return leaf == 1; }

/* Turns the host's answer *r to (leaf, sub) into the guest's. */
void cpuid_filter(uint32_t leaf, uint32_t sub, const struct cpuid_guest *g, struct cpuid_regs *r);

#endif
