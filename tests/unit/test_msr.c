/* MSRs without per-vCPU state (kernel/msr.c), machine-check banks included. */
#include "tests/unit/check.h"

#include "kernel/errno.h"
#include "kernel/mca.c"
#include "kernel/msr.c"

TEST(reads)
{
	static const struct {
		uint32_t index;
		uint64_t want;
	} r[] = {
		{ MSR_PLATFORM_ID, 0 },	 { MSR_MICROCODE_REV, 0 }, { MSR_MTRRCAP, 0 },
		{ MSR_MISC_ENABLE, 1 },	 { MSR_MTRR_DEF_TYPE, 0xc06 },
		{ MSR_PAT, 0x0007040600070406ULL }, { MSR_AMD_INT_PENDING, 0 },
		{ MSR_MCG_CAP, MCA_BANKS }, { MSR_MC0_CTL, ~0ULL },
	};
	for (size_t i = 0; i < sizeof(r) / sizeof(r[0]); i++) {
		uint64_t v = 0x1234;
		CHECK_EQ(msr_fixed(r[i].index, &v, false, false), 0);
		CHECK_EQ(v, r[i].want);
	}
}

TEST(writes)
{
	/* Accepted and dropped: reads stay what they were. */
	static const uint32_t dropped[] = { MSR_MICROCODE_REV, MSR_MTRR_DEF_TYPE, MSR_PAT };
	for (size_t i = 0; i < sizeof(dropped) / sizeof(dropped[0]); i++) {
		uint64_t v = 0x606, before = 0, after = 0;
		CHECK_EQ(msr_fixed(dropped[i], &before, false, false), 0);
		CHECK_EQ(msr_fixed(dropped[i], &v, true, false), 0);
		CHECK_EQ(msr_fixed(dropped[i], &after, false, false), 0);
		CHECK_EQ(before, after);
	}
	/* Read-only: #GP. */
	static const uint32_t ro[] = { MSR_PLATFORM_ID, MSR_MISC_ENABLE, MSR_MTRRCAP,
				       MSR_AMD_INT_PENDING, MSR_FEATURE_CONTROL, MSR_MCG_CAP };
	for (size_t i = 0; i < sizeof(ro) / sizeof(ro[0]); i++) {
		uint64_t v = 0;
		CHECK_EQ(msr_fixed(ro[i], &v, true, true), -EPERM);
	}
}

TEST(vendor_and_unknown)
{
	uint64_t v = 0;

	CHECK_EQ(msr_fixed(MSR_FEATURE_CONTROL, &v, false, true), 0);
	CHECK_EQ(v, 1); /* locked, VMX off */
	CHECK_EQ(msr_fixed(MSR_FEATURE_CONTROL, &v, false, false), -EPERM);
	/* Everything else is the caller's to refuse (or to handle: EFER...). */
	static const uint32_t other[] = { 0x10, 0x1b, 0x6e0, 0xc0000080, 0xc0000100, 0x3b, 0x10a,
					  0x48, 0xda0, 0xffffffff };
	for (size_t i = 0; i < sizeof(other) / sizeof(other[0]); i++) {
		v = 77;
		CHECK_EQ(msr_fixed(other[i], &v, false, true), -ENOENT);
		CHECK_EQ(msr_fixed(other[i], &v, true, true), -ENOENT);
		CHECK_EQ(v, 77);
	}
}

int main(void)
{
	RUN(reads);
	RUN(writes);
	RUN(vendor_and_unknown);
	return CHECK_DONE();
}
