/* The guest's CPUID (kernel/cpuid.c): Terrapin's leaves, the features a guest
 * must never see whatever the host offers, the per-vCPU fields, and the
 * answers that depend on the guest (CR4.OSXSAVE). */
#include "tests/unit/check.h"

#include "kernel/cpuid.c"
#include "kernel/kstring.c"

static const struct cpuid_guest G = {
	.host_max_basic = 0x1f, .nvcpus = 4, .vcpu_id = 2, .osxsave = true,
	.tsc_khz = 2600000, .lapic_khz = 1000000, .hc_abi = 1,
};

static struct cpuid_regs all_ones(void) { return (struct cpuid_regs){ ~0u, ~0u, ~0u, ~0u }; }

static struct cpuid_regs ask(uint32_t leaf, uint32_t sub, const struct cpuid_guest *g)
{
	struct cpuid_regs r = all_ones(); /* a host that offers everything */
	cpuid_filter(leaf, sub, g, &r);
	return r;
}

TEST(terrapin_leaves)
{
	struct cpuid_regs r = ask(CPUID_HV_BASE, 0, &G);
	char sig[13] = { 0 };

	CHECK_EQ(r.eax, CPUID_HV_TIMING);
	memcpy(sig, &r.ebx, 4);
	memcpy(sig + 4, &r.ecx, 4);
	memcpy(sig + 8, &r.edx, 4);
	CHECK_STR(sig, "TerrapinHV  ");
	r = ask(CPUID_HV_ABI, 0, &G);
	CHECK_EQ(r.eax, 1);
	CHECK_EQ(r.ebx | r.ecx | r.edx, 0);
	r = ask(CPUID_HV_TIMING, 0, &G);
	CHECK_EQ(r.eax, 2600000);
	CHECK_EQ(r.ebx, 1000000);
	/* Unused leaves of the range read zero, not the host's. */
	r = ask(0x40000002, 0, &G);
	CHECK_EQ(r.eax | r.ebx | r.ecx | r.edx, 0);
	r = ask(CPUID_HV_END - 1, 0, &G);
	CHECK_EQ(r.eax | r.ebx | r.ecx | r.edx, 0);
}

TEST(basic_leaves_beyond_the_host_read_zero)
{
	struct cpuid_regs r = ask(0x20, 0, &G);

	CHECK_EQ(r.eax | r.ebx | r.ecx | r.edx, 0);
	r = ask(0x1f, 0, &G); /* the last one the host has */
	CHECK(r.eax != 0);
}

/* Bits a guest must never see, by the table that says why (kernel/cpuid.c). */
TEST(hidden_features)
{
	static const struct {
		uint32_t leaf, sub;
		int reg; /* 0 EAX .. 3 EDX */
		uint32_t bit;
		const char *what;
	} never[] = {
		{ 1, 0, 2, 5, "VMX" },
		{ 1, 0, 2, 3, "MONITOR" },
		{ 1, 0, 2, 21, "x2APIC" },
		{ 1, 0, 2, 15, "PDCM" },
		{ 1, 0, 3, 22, "ACPI thermal" },
		{ 7, 0, 1, 1, "TSC_ADJUST" },
		{ 7, 0, 1, 25, "processor trace" },
		{ 7, 0, 2, 16, "LA57" },
		{ 7, 0, 2, 22, "RDPID" },
		{ 7, 0, 3, 26, "SPEC_CTRL" },
		{ 7, 0, 3, 29, "ARCH_CAPABILITIES" },
		{ 0xd, 1, 0, 1, "XSAVEC" },
		{ 0xd, 1, 0, 3, "XSAVES" },
		{ 0x80000001, 0, 2, 2, "SVM" },
		{ 0x80000001, 0, 3, 27, "RDTSCP" },
		{ 0x80000008, 0, 1, 12, "IBPB" },
	};
	for (size_t i = 0; i < sizeof(never) / sizeof(never[0]); i++) {
		struct cpuid_regs r = ask(never[i].leaf, never[i].sub, &G);
		uint32_t regs[4] = { r.eax, r.ebx, r.ecx, r.edx };
		if (regs[never[i].reg] & (1u << never[i].bit))
			printf("  a guest sees %s\n", never[i].what);
		CHECK(!(regs[never[i].reg] & (1u << never[i].bit)));
	}
	/* Leaf 7's other subleaves are not leaf 7.0: left as the host has them. */
	CHECK_EQ(ask(7, 1, &G).edx, ~0u);
	/* MCE and MCA stay (the quiet banks of kernel/mca.c), as does XSAVE. */
	CHECK(ask(1, 0, &G).edx & (1u << 7));
	CHECK(ask(1, 0, &G).edx & (1u << 14));
	CHECK(ask(1, 0, &G).ecx & (1u << 26));
	/* Whole leaves: power management, performance monitoring, SVM. */
	struct cpuid_regs r = ask(6, 0, &G);
	CHECK_EQ(r.eax | r.ebx | r.ecx | r.edx, 0);
	r = ask(0xa, 0, &G);
	CHECK_EQ(r.eax | r.ebx | r.ecx | r.edx, 0);
	r = ask(0x8000000a, 0, &G);
	CHECK_EQ(r.eax | r.ebx | r.ecx | r.edx, 0);
	r = ask(0x80000007, 0, &G);
	CHECK_EQ(r.eax | r.ebx | r.ecx, 0);
	CHECK_EQ(r.edx, 1u << 8); /* the invariant TSC alone */
}

TEST(added_and_per_vcpu)
{
	struct cpuid_regs r = ask(1, 0, &G);

	CHECK(r.ecx & (1u << 31)); /* hypervisor */
	CHECK(r.ecx & (1u << 24)); /* TSC-deadline, even from a host without it */
	struct cpuid_regs none = { 0, 0, 0, 0 };
	cpuid_filter(1, 0, &G, &none);
	CHECK(none.ecx & (1u << 24));
	CHECK(none.ecx & (1u << 31));
	CHECK_EQ((r.ebx >> 16) & 0xff, 4); /* logical processors */
	CHECK_EQ(r.ebx >> 24, 2);	   /* initial APIC ID */
	CHECK_EQ(r.ebx & 0xffff, 0xffff);  /* the rest as the host's */
	CHECK_EQ(ask(0xb, 0, &G).edx, 2);  /* x2APIC ID */
	CHECK_EQ(ask(0x1f, 1, &G).edx, 2);
}

TEST(osxsave_follows_the_guest)
{
	struct cpuid_guest g = G;

	CHECK(ask(1, 0, &g).ecx & (1u << 27));
	g.osxsave = false;
	CHECK(!(ask(1, 0, &g).ecx & (1u << 27)));
	CHECK(cpuid_needs_osxsave(1));
	CHECK(!cpuid_needs_osxsave(7));
	/* A host without it does not gain it from the guest's CR4. */
	struct cpuid_regs r = { 0, 0, 0, 0 };
	g.osxsave = true;
	cpuid_filter(1, 0, &g, &r);
	CHECK(!(r.ecx & (1u << 27)));
}

int main(void)
{
	RUN(terrapin_leaves);
	RUN(basic_leaves_beyond_the_host_read_zero);
	RUN(hidden_features);
	RUN(added_and_per_vcpu);
	RUN(osxsave_follows_the_guest);
	return CHECK_DONE();
}
