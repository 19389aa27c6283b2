/* VMX control computation from the capability MSRs (SDM 3C appendix A). Pure. */
#include "vmx/vmx_caps.h"

#include "kernel/errno.h"
#include "kernel/kstring.h"

#define CR0_PE_BIT (1ULL << 0)
#define CR0_PG_BIT (1ULL << 31)

struct ctl_want {
	uint8_t word, bit, need;
	const char *name;
};

static const struct ctl_want wants[] = {
#define X(w, n, b, need, s) { VMX_##w, (b), (need), (s) },
	VMX_CONTROLS(X)
#undef X
};

/* Append ", name" (or "name" first) to buf, truncating safely. */
static void append(char *buf, size_t len, const char *name)
{
	if (!buf || !len)
		return;
	size_t n = strnlen(buf, len - 1);
	const char *parts[2] = { n ? ", " : "", name };
	for (int p = 0; p < 2; p++)
		for (const char *c = parts[p]; *c && n + 1 < len; c++)
			buf[n++] = *c;
	buf[n] = 0;
}

bool vmx_ctl_allowed(const struct vmx_config *cfg, enum vmx_ctl_word w, uint32_t bits)
{
	return (unsigned)w < VMX_NWORDS && (cfg->allowed1[w] & bits) == bits;
}

int vmx_config_compute(const struct vmx_cap_msrs *m, struct vmx_config *cfg, char *missing,
		       size_t len)
{
	uint64_t word_msr[VMX_NWORDS];
	uint32_t want[VMX_NWORDS] = { 0 };
	bool ok = true;

	memset(cfg, 0, sizeof(*cfg));
	if (missing && len)
		missing[0] = 0;
	cfg->revision = (uint32_t)(m->basic & 0x7fffffff);
	/* SDM 3C A.2: with bit 55 set, the TRUE_* MSRs report which default1
	 * controls may be 0 (CR3 exiting, for one); the others then still
	 * describe the default1 bits as fixed. */
	cfg->true_ctls = m->basic & VMX_BASIC_TRUE_CTLS;
	word_msr[VMX_PIN] = cfg->true_ctls ? m->true_pin : m->pin;
	word_msr[VMX_PROC] = cfg->true_ctls ? m->true_proc : m->proc;
	word_msr[VMX_EXIT] = cfg->true_ctls ? m->true_exit : m->exit;
	word_msr[VMX_ENTRY] = cfg->true_ctls ? m->true_entry : m->entry;
	/* SDM 3C A.3.3: IA32_VMX_PROCBASED_CTLS2 exists only when the secondary
	 * controls can be activated. */
	word_msr[VMX_PROC2] = ((m->proc >> 32) & VMX_PROC_SECONDARY) ? m->proc2 : 0;
	for (int w = 0; w < VMX_NWORDS; w++) {
		cfg->allowed0[w] = (uint32_t)word_msr[w];
		cfg->allowed1[w] = (uint32_t)(word_msr[w] >> 32);
	}

	for (size_t i = 0; i < sizeof(wants) / sizeof(wants[0]); i++) {
		const struct ctl_want *c = &wants[i];
		uint32_t bit = 1u << c->bit;
		bool can1 = cfg->allowed1[c->word] & bit;
		switch (c->need) {
		case REQUIRED:
			if (!can1) {
				append(missing, len, c->name);
				ok = false;
			}
			want[c->word] |= bit;
			break;
		case DYNAMIC:
			if (!can1) {
				append(missing, len, c->name);
				ok = false;
			}
			break;
		case OPTIONAL:
			if (can1)
				want[c->word] |= bit;
			break;
		default: /* OPTIONAL_DYNAMIC, OFF: left 0 unless the CPU forces them */
			break;
		}
	}
	/* A bit that is 0 in allowed-1 must be 0; 1 in allowed-0 must be 1
	 * (SDM 3C A.3.1). */
	for (int w = 0; w < VMX_NWORDS; w++)
		cfg->ctl[w] = (want[w] | cfg->allowed0[w]) & cfg->allowed1[w];

	/* Guest IA32_PAT is switched only when both directions can be. */
	cfg->pat = (cfg->ctl[VMX_EXIT] & VMX_EXIT_LOAD_PAT) && (cfg->ctl[VMX_EXIT] & VMX_EXIT_SAVE_PAT) &&
		   (cfg->ctl[VMX_ENTRY] & VMX_ENTRY_ENTRY_LOAD_PAT);
	if (!cfg->pat) {
		cfg->ctl[VMX_EXIT] &= ~(VMX_EXIT_LOAD_PAT | VMX_EXIT_SAVE_PAT) | cfg->allowed0[VMX_EXIT];
		cfg->ctl[VMX_ENTRY] &= ~VMX_ENTRY_ENTRY_LOAD_PAT | cfg->allowed0[VMX_ENTRY];
	}
	/* SDM 3C 26.2.1.1: NMI-window exiting needs virtual NMIs. */
	cfg->nmi_window = (cfg->ctl[VMX_PIN] & VMX_PIN_VIRTUAL_NMIS) &&
			  vmx_ctl_allowed(cfg, VMX_PROC, VMX_PROC_NMI_WINDOW_EXITING);
	cfg->preempt_rate = cfg->ctl[VMX_PIN] & VMX_PIN_PREEMPTION_TIMER ? (int)(m->misc & 0x1f) : -1;
	cfg->cr3_exiting = cfg->ctl[VMX_PROC] & (VMX_PROC_CR3_LOAD_EXITING | VMX_PROC_CR3_STORE_EXITING);
	if (cfg->ctl[VMX_EXIT] & VMX_EXIT_ACK_INTR_ON_EXIT) {
		/* Never default1 (SDM 3C A.4); a CPU forcing it is broken. */
		append(missing, len, "external interrupts left pending on exit");
		ok = false;
	}

	/* EPT: 4-level tables in write-back memory, and INVEPT to flush them
	 * (SDM 3C 25.6.11, 29.4.3.1). */
	uint64_t ev = cfg->allowed1[VMX_PROC2] & VMX_PROC2_EPT ? m->ept_vpid : 0;
	if (cfg->allowed1[VMX_PROC2] & VMX_PROC2_EPT) {
		if (!(ev & VMX_EPT_WALK4)) {
			append(missing, len, "EPT page-walk length 4");
			ok = false;
		}
		if (!(ev & VMX_EPT_WB)) {
			append(missing, len, "EPT write-back memory type");
			ok = false;
		}
		if (!(ev & VMX_EPT_INVEPT) || !(ev & (VMX_EPT_INVEPT_SINGLE | VMX_EPT_INVEPT_ALL))) {
			append(missing, len, "INVEPT");
			ok = false;
		}
	}
	cfg->ept_ad = ev & VMX_EPT_AD;
	cfg->ept_1g = ev & VMX_EPT_1G;
	cfg->ept_exec_only = ev & VMX_EPT_EXEC_ONLY;
	cfg->invept_single = ev & VMX_EPT_INVEPT_SINGLE;
	/* VPIDs are used only with an INVVPID that can flush them. */
	if ((cfg->ctl[VMX_PROC2] & VMX_PROC2_VPID) && (ev & VMX_VPID_INVVPID) &&
	    (ev & (VMX_VPID_INVVPID_SINGLE | VMX_VPID_INVVPID_ALL))) {
		cfg->vpid = true;
		cfg->invvpid_single = ev & VMX_VPID_INVVPID_SINGLE;
	} else {
		cfg->ctl[VMX_PROC2] &= ~VMX_PROC2_VPID;
	}

	cfg->cr0_fixed0 = m->cr0_fixed0;
	cfg->cr0_fixed1 = m->cr0_fixed1;
	cfg->cr4_fixed0 = m->cr4_fixed0;
	cfg->cr4_fixed1 = m->cr4_fixed1;
	return ok ? 0 : -ENODEV;
}

/* SDM 3C A.7, A.8: a bit 1 in FIXED0 must be 1, a bit 0 in FIXED1 must be 0.
 * SDM 3C 26.3.1.1: with unrestricted guest, PE and PG are the guest's. */
static uint64_t cr0_free(void) { return CR0_PE_BIT | CR0_PG_BIT; }

uint64_t vmx_guest_cr0(const struct vmx_config *cfg, uint64_t cr0)
{
	return (cr0 | (cfg->cr0_fixed0 & ~cr0_free())) & (cfg->cr0_fixed1 | cr0_free());
}

uint64_t vmx_guest_cr4(const struct vmx_config *cfg, uint64_t cr4)
{
	return (cr4 | cfg->cr4_fixed0) & cfg->cr4_fixed1;
}

uint64_t vmx_cr0_mask(const struct vmx_config *cfg)
{
	return (cfg->cr0_fixed0 | ~cfg->cr0_fixed1) & 0xffffffffULL & ~cr0_free();
}

uint64_t vmx_cr4_mask(const struct vmx_config *cfg)
{
	return (cfg->cr4_fixed0 | ~cfg->cr4_fixed1) & 0xffffffffULL;
}
