/* MSRs without per-vCPU state (see kernel/msr.h). Pure. */
#include "kernel/msr.h"

#include "kernel/errno.h"
#include "kernel/mca.h"

static int read_only(bool write, uint64_t *val, uint64_t v)
{
	if (write)
		return -EPERM;
	*val = v;
	return 0;
}

int msr_fixed(uint32_t index, uint64_t *val, bool write, bool intel)
{
	int r = mca_msr(index, val, write);

	if (r != -ENOENT)
		return r;
	switch (index) {
	case MSR_PLATFORM_ID: return read_only(write, val, 0);
	case MSR_MISC_ENABLE: return read_only(write, val, 1); /* fast strings */
	case MSR_MTRRCAP: return read_only(write, val, 0);     /* no variable ranges */
	case MSR_AMD_INT_PENDING:			       /* no C1E to report */
		return read_only(write, val, 0);
	case MSR_FEATURE_CONTROL: /* Intel only: locked with VMX off (CPUID hides VT-x) */
		return intel ? read_only(write, val, 1) : -EPERM;
	/* Writes accepted and dropped: with nested paging the memory type is
	 * the guest's PAT (which the backends pass through where they can)
	 * and the host's, whatever the guest makes of its MTRRs; a microcode
	 * update is never loaded. */
	case MSR_MICROCODE_REV:
		if (!write)
			*val = 0;
		return 0;
	case MSR_MTRR_DEF_TYPE:
		if (!write)
			*val = MTRR_DEF_TYPE_WB_ON;
		return 0;
	case MSR_PAT:
		if (!write)
			*val = PAT_POWER_ON;
		return 0;
	default: return -ENOENT;
	}
}
