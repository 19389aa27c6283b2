/* What the CPU offers: identity and the virtualization features Terrapin uses.
 * Filled once on the bootstrap processor by cpu_detect() (kernel/cpu.c). */
#ifndef KERNEL_CPU_H
#define KERNEL_CPU_H

#include <stdbool.h>
#include <stdint.h>

enum cpu_vendor { CPU_OTHER, CPU_INTEL, CPU_AMD };

struct cpu_features {
	enum cpu_vendor vendor;
	char vendor_str[13];
	char brand[49];
	uint32_t family, model, stepping;
	bool x2apic, tsc_invariant, tsc_deadline, nx, pdpe1gb, hypervisor;
	/* VT-x (from the IA32_VMX_* capability MSRs) */
	bool vmx, vmx_locked_off, vmx_true_ctls, ept, vpid, unrestricted, vmcs_shadowing,
		posted_intr, preemption_timer, ept_ad, ept_2m, ept_1g;
	/* AMD-V (CPUID 0x8000000A) */
	bool svm, svm_locked_off, npt, nrips, decode_assists, vmcb_clean, vgif, vvmsave, avic,
		flush_by_asid, pause_filter;
	uint32_t svm_asids;
};

extern struct cpu_features cpu;

void cpu_detect(void);
/* Print the virtualization features found, one line each for VT-x / AMD-V. */
void cpu_print_features(void);

#endif
