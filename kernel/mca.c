/* Quiet machine-check registers (see kernel/mca.h). Pure. */
#include "kernel/mca.h"

#include "kernel/errno.h"

enum { MC_CTL, MC_STATUS, MC_ADDR, MC_MISC, MC_REGS }; /* four MSRs per bank */

int mca_msr(uint32_t index, uint64_t *val, bool write)
{
	if (index == MSR_MCG_CAP) { /* no MCG_CTL, no CMCI, no extended registers */
		if (write)
			return -EPERM;
		*val = MCA_BANKS;
		return 0;
	}
	if (index == MSR_MCG_STATUS) {
		if (write)
			return *val ? -EPERM : 0;
		*val = 0;
		return 0;
	}
	if (index < MSR_MC0_CTL || index >= MSR_MC0_CTL + MCA_BANKS * MC_REGS)
		return -ENOENT;
	if ((index - MSR_MC0_CTL) % MC_REGS == MC_CTL) {
		if (!write)
			*val = ~0ULL; /* every error type enabled; writes are kept nowhere */
		return 0;
	}
	/* SDM 3B 16.3.2.2: software may clear STATUS; a non-zero write is #GP
	 * unless MCG_CAP says otherwise. ADDR and MISC likewise. */
	if (write)
		return *val ? -EPERM : 0;
	*val = 0;
	return 0;
}
