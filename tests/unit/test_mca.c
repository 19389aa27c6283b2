/* The guest's quiet machine-check registers (kernel/mca.c). */
#include "tests/unit/check.h"

#include "kernel/errno.h"
#include "kernel/mca.c"

TEST(global_registers)
{
	uint64_t v = 123;

	CHECK_EQ(mca_msr(MSR_MCG_CAP, &v, false), 0);
	CHECK_EQ(v, MCA_BANKS); /* bits 8 (CTL_P), 9, 10 (CMCI) ... clear */
	CHECK_EQ(mca_msr(MSR_MCG_CAP, &v, true), -EPERM);
	CHECK_EQ(mca_msr(MSR_MCG_STATUS, &v, false), 0);
	CHECK_EQ(v, 0);
	v = 0;
	CHECK_EQ(mca_msr(MSR_MCG_STATUS, &v, true), 0);
	v = 4;
	CHECK_EQ(mca_msr(MSR_MCG_STATUS, &v, true), -EPERM);
	/* MCG_CTL exists only with MCG_CAP.CTL_P: not one of these. */
	CHECK_EQ(mca_msr(0x17b, &v, false), -ENOENT);
}

TEST(every_bank_register)
{
	for (uint32_t b = 0; b < MCA_BANKS; b++) {
		for (uint32_t r = 0; r < 4; r++) {
			uint32_t msr = MSR_MC0_CTL + 4 * b + r;
			uint64_t v = 0x55;
			CHECK_EQ(mca_msr(msr, &v, false), 0);
			CHECK_EQ(v, r == 0 ? ~0ULL : 0);
			v = ~0ULL;
			CHECK_EQ(mca_msr(msr, &v, true), r == 0 ? 0 : -EPERM);
			v = 0;
			CHECK_EQ(mca_msr(msr, &v, true), 0);
		}
	}
}

TEST(outside_the_banks)
{
	uint64_t v = 7;

	CHECK_EQ(mca_msr(MSR_MC0_CTL - 1, &v, false), -ENOENT);
	CHECK_EQ(mca_msr(MSR_MC0_CTL + 4 * MCA_BANKS, &v, false), -ENOENT);
	CHECK_EQ(mca_msr(0xffffffff, &v, true), -ENOENT);
	CHECK_EQ(v, 7); /* untouched */
}

int main(void)
{
	RUN(global_registers);
	RUN(every_bank_register);
	RUN(outside_the_banks);
	return CHECK_DONE();
}
