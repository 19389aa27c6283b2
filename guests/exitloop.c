/* exitloop: a loop of instructions a hypervisor intercepts. Each of n
 * iterations (cmdline n=, default 10000) runs CPUID leaf 0 and 0x40000000, an
 * IN from port 0x61 and an OUT to the POST port 0x80, and RDMSR then WRMSR of
 * IA32_APIC_BASE with the value it read (an MSR every hypervisor intercepts;
 * PAT, say, is switched by the hardware). Every answer must equal the first one: an
 * exit handler that loses or corrupts state shows up as a mismatch. Reports
 * the count and the TSC cycles per iteration, then passes. */
#include "guests/lib/guest.h"
#include "guests/lib/x86.h"

const char guest_name[] = GUEST_NAME;

#define HV_LEAF		      0x40000000u
#define CPUID1_ECX_HYPERVISOR (1u << 31)
#define CPUID1_EDX_APIC	      (1u << 9)
#define PORT_SYSTEM_CONTROL_B 0x61
#define PORT_POST	      0x80

static bool same(struct cpuid_regs a, struct cpuid_regs b)
{
	return a.eax == b.eax && a.ebx == b.ebx && a.ecx == b.ecx && a.edx == b.edx;
}

static void print_signature(const char *what, uint32_t b, uint32_t c, uint32_t d)
{
	char sig[13];

	memcpy(sig, &b, 4);
	memcpy(sig + 4, &c, 4);
	memcpy(sig + 8, &d, 4);
	sig[12] = '\0';
	for (int i = 0; i < 12; i++)
		if (sig[i] && (sig[i] < ' ' || sig[i] > '~'))
			sig[i] = '?';
	gprintf("exitloop: %s \"%s\"\n", what, sig);
}

void guest_main(void)
{
	uint64_t n = guest_arg_u64("n", 10000);
	struct cpuid_regs c0 = cpuid(0, 0), c1 = cpuid(1, 0), hv = cpuid(HV_LEAF, 0);
	bool apic = c1.edx & CPUID1_EDX_APIC;
	uint64_t base0 = apic ? rdmsr(MSR_APIC_BASE) : 0;
	uint64_t t0, t1;

	/* CPUID 0 gives the vendor in EBX, EDX, ECX order. */
	print_signature("CPU vendor", c0.ebx, c0.edx, c0.ecx);
	if (c1.ecx & CPUID1_ECX_HYPERVISOR)
		print_signature("hypervisor", hv.ebx, hv.ecx, hv.edx);
	else
		gprintf("exitloop: no hypervisor bit in CPUID 1\n");
	if (apic)
		gprintf("exitloop: IA32_APIC_BASE = 0x%llx\n", (unsigned long long)base0);
	else
		gprintf("exitloop: no local APIC (CPUID 1 EDX bit 9): skipping RDMSR/WRMSR\n");
	gprintf("exitloop: %llu iterations\n", (unsigned long long)n);

	t0 = rdtsc();
	for (uint64_t i = 0; i < n; i++) {
		struct cpuid_regs a = cpuid(0, 0), b = cpuid(HV_LEAF, 0);

		if (!same(a, c0) || !same(b, hv))
			guest_fail("iteration %llu: CPUID answered differently",
				   (unsigned long long)i);
		(void)inb(PORT_SYSTEM_CONTROL_B);
		outb(PORT_POST, (uint8_t)i);
		if (apic) {
			uint64_t v = rdmsr(MSR_APIC_BASE);

			if (v != base0)
				guest_fail("iteration %llu: IA32_APIC_BASE read 0x%llx, expected 0x%llx",
					   (unsigned long long)i, (unsigned long long)v,
					   (unsigned long long)base0);
			wrmsr(MSR_APIC_BASE, v);
		}
	}
	t1 = rdtsc();
	gprintf("exitloop: %llu iterations done, %llu cycles each\n", (unsigned long long)n,
		(unsigned long long)(n ? (t1 - t0) / n : 0));
	guest_pass();
}
