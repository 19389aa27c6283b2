/* The guest's CPUID (see kernel/cpuid.h). Pure. */
#include "kernel/cpuid.h"

#include <stddef.h>

#include "kernel/kstring.h"

enum cpuid_reg { CPUID_EAX, CPUID_EBX, CPUID_ECX, CPUID_EDX };

/* Features a guest must not see: each needs MSRs, instructions or state that
 * Terrapin does not virtualize, and a kernel that saw the bit would use them
 * (Linux reads the MCA banks, writes SPEC_CTRL, turns on 5-level paging...). */
static const struct cpuid_hide {
	uint32_t leaf;
	uint8_t reg;
	uint32_t bits;
} cpuid_hidden[] = {
	/* 1.ECX: DTES64, DS-CPL, VMX, SMX, EST, TM2, xTPR, PDCM, DCA, x2APIC (not
	 * virtualized yet), MONITOR/MWAIT */
	{ 1, CPUID_ECX, (1u << 2) | (1u << 4) | (1u << 5) | (1u << 6) | (1u << 7) | (1u << 8) |
				(1u << 14) | (1u << 15) | (1u << 18) | (1u << 21) | (1u << 3) },
	/* 1.EDX: DS, ACPI thermal, TM, PBE (MCE and MCA stay: kernel/mca.c) */
	{ 1, CPUID_EDX, (1u << 21) | (1u << 22) | (1u << 29) | (1u << 31) },
	/* 7.0.EBX: TSC_ADJUST (its MSR is not virtualized), SGX, RDT monitoring
	 * and allocation, processor trace */
	{ 7, CPUID_EBX, (1u << 1) | (1u << 2) | (1u << 12) | (1u << 15) | (1u << 25) },
	/* 7.0.ECX: WAITPKG, LA57 (the guest page walker knows 4 levels), RDPID
	 * (reads TSC_AUX, which is not switched per vCPU), SGX LC */
	{ 7, CPUID_ECX, (1u << 5) | (1u << 16) | (1u << 22) | (1u << 30) },
	/* 7.0.EDX: SPEC_CTRL/IBRS, STIBP, L1D_FLUSH, ARCH_CAPABILITIES,
	 * CORE_CAPABILITIES, SSBD: speculation-control MSRs */
	{ 7, CPUID_EDX, (1u << 26) | (1u << 27) | (1u << 28) | (1u << 29) | (1u << 30) | (1u << 31) },
	/* 0x80000001.ECX: SVM (no nesting yet), IBS, WDT, LWP, core, northbridge
	 * and L3 performance counters */
	{ 0x80000001, CPUID_ECX, (1u << 2) | (1u << 10) | (1u << 13) | (1u << 15) | (1u << 23) |
					 (1u << 24) | (1u << 28) },
	/* 0x80000001.EDX: RDTSCP (TSC_AUX again) */
	{ 0x80000001, CPUID_EDX, 1u << 27 },
	/* 0x80000008.EBX: IBPB, IBRS, STIBP, SSBD and their variants */
	{ 0x80000008, CPUID_EBX, (1u << 12) | (1u << 14) | (1u << 15) | (1u << 16) | (1u << 17) |
					 (1u << 18) | (1u << 24) | (1u << 25) | (1u << 26) },
};

void cpuid_filter(uint32_t leaf, uint32_t sub, const struct cpuid_guest *g, struct cpuid_regs *r)
{
	if (leaf >= CPUID_HV_BASE && leaf < CPUID_HV_END) {
		memset(r, 0, sizeof(*r));
		if (leaf == CPUID_HV_BASE) {
			r->eax = CPUID_HV_TIMING;
			memcpy(&r->ebx, "Terr", 4); /* "TerrapinHV  " */
			memcpy(&r->ecx, "apin", 4);
			memcpy(&r->edx, "HV  ", 4);
		} else if (leaf == CPUID_HV_ABI) {
			r->eax = g->hc_abi;
		} else if (leaf == CPUID_HV_TIMING) {
			/* The timing leaf VMware and others use: TSC and local APIC
			 * timer input frequencies in kHz. */
			r->eax = g->tsc_khz;
			r->ebx = g->lapic_khz;
		}
		return;
	}
	if (leaf < 0x80000000 && leaf > g->host_max_basic) {
		memset(r, 0, sizeof(*r));
		return;
	}
	for (size_t i = 0; i < sizeof(cpuid_hidden) / sizeof(cpuid_hidden[0]); i++) {
		const struct cpuid_hide *h = &cpuid_hidden[i];
		if (h->leaf != leaf || (leaf == 7 && sub != 0))
			continue;
		uint32_t *reg[] = { &r->eax, &r->ebx, &r->ecx, &r->edx };
		*reg[h->reg] &= ~h->bits;
	}
	switch (leaf) {
	case 1:
		r->ecx |= 1u << 31; /* running under a hypervisor */
		r->ecx |= 1u << 24; /* TSC-deadline: the virtual local APIC has it */
		r->ebx = (r->ebx & 0x0000ffff) | (g->nvcpus << 16) | (g->vcpu_id << 24);
		/* OSXSAVE mirrors the guest's CR4.OSXSAVE, not Terrapin's (SDM 2
		 * CPUID, table 3-10): software checks it before XGETBV. */
		if (!g->osxsave)
			r->ecx &= ~(1u << 27);
		break;
	case 0xd:
		/* XSAVES: IA32_XSS is not virtualized. XSAVEC: the compacted
		 * size in 0xd.1 EBX is wrong on some CPUs (Bochs gives the
		 * standard one), and Linux then warns "XSAVE consistency
		 * problem"; the standard format needs no such size. */
		if (sub == 1)
			r->eax &= ~((1u << 1) | (1u << 3));
		break;
	case 6:  /* power management: none */
	case 0xa: /* performance monitoring: none */
	case 0x8000000a: /* SVM features: no nesting yet */
		memset(r, 0, sizeof(*r));
		break;
	case 0xb: case 0x1f:
		r->edx = g->vcpu_id;
		break;
	case 0x80000007: /* power management: only the invariant TSC */
		r->eax = r->ebx = r->ecx = 0;
		r->edx &= 1u << 8;
		break;
	}
}
