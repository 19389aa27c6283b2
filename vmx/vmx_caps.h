/* The VMX controls Terrapin runs guests with, computed from the capability MSRs
 * (SDM 3C appendix A). Pure: the MSR values come in a struct, so the host unit
 * tests feed it recorded values of real and emulated CPUs. */
#ifndef VMX_VMX_CAPS_H
#define VMX_VMX_CAPS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* The capability MSRs (SDM 3C A.1-A.10, the numbers in 2.1 of volume 4). */
#define MSR_VMX_BASIC 0x480
#define MSR_VMX_PINBASED 0x481
#define MSR_VMX_PROCBASED 0x482
#define MSR_VMX_EXIT 0x483
#define MSR_VMX_ENTRY 0x484
#define MSR_VMX_MISC 0x485
#define MSR_VMX_CR0_FIXED0 0x486
#define MSR_VMX_CR0_FIXED1 0x487
#define MSR_VMX_CR4_FIXED0 0x488
#define MSR_VMX_CR4_FIXED1 0x489
#define MSR_VMX_PROCBASED2 0x48b
#define MSR_VMX_EPT_VPID_CAP 0x48c
#define MSR_VMX_TRUE_PINBASED 0x48d
#define MSR_VMX_TRUE_PROCBASED 0x48e
#define MSR_VMX_TRUE_EXIT 0x48f
#define MSR_VMX_TRUE_ENTRY 0x490

#define VMX_BASIC_TRUE_CTLS (1ULL << 55) /* SDM 3C A.1: the TRUE_* MSRs exist */

/* Control bits (SDM 3C 25.6-25.8), X(word, NAME, bit, need, shown as).
 * need: REQUIRED (no VMX support without it), OPTIONAL (used when allowed),
 * DYNAMIC (switched at run time; required to be allowed-1), OFF (wanted 0). */
#define VMX_CONTROLS(X)                                                           \
	X(PIN, EXT_INTR_EXITING, 0, REQUIRED, "external-interrupt exiting")        \
	X(PIN, NMI_EXITING, 3, REQUIRED, "NMI exiting")                            \
	X(PIN, VIRTUAL_NMIS, 5, OPTIONAL, "virtual NMIs")                          \
	X(PIN, PREEMPTION_TIMER, 6, OPTIONAL, "activate VMX-preemption timer")     \
	X(PROC, INTR_WINDOW_EXITING, 2, DYNAMIC, "interrupt-window exiting")       \
	X(PROC, TSC_OFFSETTING, 3, REQUIRED, "use TSC offsetting")                 \
	X(PROC, HLT_EXITING, 7, REQUIRED, "HLT exiting")                           \
	X(PROC, MWAIT_EXITING, 10, REQUIRED, "MWAIT exiting")                      \
	X(PROC, CR3_LOAD_EXITING, 15, OFF, "CR3-load exiting")                     \
	X(PROC, CR3_STORE_EXITING, 16, OFF, "CR3-store exiting")                   \
	X(PROC, NMI_WINDOW_EXITING, 22, OPTIONAL_DYNAMIC, "NMI-window exiting")    \
	X(PROC, IO_BITMAPS, 25, REQUIRED, "use I/O bitmaps")                       \
	X(PROC, MSR_BITMAPS, 28, REQUIRED, "use MSR bitmaps")                      \
	X(PROC, MONITOR_EXITING, 29, REQUIRED, "MONITOR exiting")                  \
	X(PROC, SECONDARY, 31, REQUIRED, "activate secondary controls")            \
	X(PROC2, EPT, 1, REQUIRED, "enable EPT")                                   \
	X(PROC2, RDTSCP, 3, OPTIONAL, "enable RDTSCP")                             \
	X(PROC2, VPID, 5, OPTIONAL, "enable VPID")                                 \
	X(PROC2, UNRESTRICTED, 7, REQUIRED, "unrestricted guest")                  \
	X(PROC2, INVPCID, 12, OPTIONAL, "enable INVPCID")                          \
	X(EXIT, HOST_64BIT, 9, REQUIRED, "host address-space size")                \
	X(EXIT, ACK_INTR_ON_EXIT, 15, OFF, "acknowledge interrupt on exit")        \
	X(EXIT, SAVE_PAT, 18, OPTIONAL, "save IA32_PAT")                           \
	X(EXIT, LOAD_PAT, 19, OPTIONAL, "load IA32_PAT")                           \
	X(EXIT, SAVE_EFER, 20, REQUIRED, "save IA32_EFER")                         \
	X(EXIT, LOAD_EFER, 21, REQUIRED, "load IA32_EFER")                         \
	X(ENTRY, IA32E_GUEST, 9, DYNAMIC, "IA-32e mode guest")                     \
	X(ENTRY, ENTRY_LOAD_PAT, 14, OPTIONAL, "load IA32_PAT on entry")           \
	X(ENTRY, ENTRY_LOAD_EFER, 15, REQUIRED, "load IA32_EFER on entry")

enum vmx_ctl_word { VMX_PIN, VMX_PROC, VMX_PROC2, VMX_EXIT, VMX_ENTRY, VMX_NWORDS };
enum vmx_ctl_need { REQUIRED, OPTIONAL, DYNAMIC, OPTIONAL_DYNAMIC, OFF };

/* VMX_PIN_EXT_INTR_EXITING etc.: the bit masks. */
#define X(w, n, bit, need, s) VMX_##w##_##n = 1u << (bit),
enum {
	VMX_CONTROLS(X)
};
#undef X

/* IA32_VMX_EPT_VPID_CAP bits (SDM 3C A.10). */
#define VMX_EPT_EXEC_ONLY (1ULL << 0)
#define VMX_EPT_WALK4 (1ULL << 6)
#define VMX_EPT_WB (1ULL << 14)
#define VMX_EPT_2M (1ULL << 16)
#define VMX_EPT_1G (1ULL << 17)
#define VMX_EPT_INVEPT (1ULL << 20)
#define VMX_EPT_AD (1ULL << 21)
#define VMX_EPT_INVEPT_SINGLE (1ULL << 25)
#define VMX_EPT_INVEPT_ALL (1ULL << 26)
#define VMX_VPID_INVVPID (1ULL << 32)
#define VMX_VPID_INVVPID_SINGLE (1ULL << 41)
#define VMX_VPID_INVVPID_ALL (1ULL << 42)

struct vmx_cap_msrs {
	uint64_t basic, pin, proc, exit, entry, misc;
	uint64_t cr0_fixed0, cr0_fixed1, cr4_fixed0, cr4_fixed1;
	uint64_t proc2, ept_vpid;
	uint64_t true_pin, true_proc, true_exit, true_entry; /* read only when basic says so */
};

struct vmx_config {
	uint32_t revision;      /* VMCS revision identifier (IA32_VMX_BASIC 30:0) */
	bool true_ctls;         /* the TRUE_* MSRs were used */
	/* The values to program; DYNAMIC bits are left clear. */
	uint32_t ctl[VMX_NWORDS];
	uint32_t allowed0[VMX_NWORDS], allowed1[VMX_NWORDS];
	bool nmi_window;        /* NMI-window exiting (with virtual NMIs) can be used */
	bool vpid;              /* VPIDs, with an INVVPID type to flush them */
	bool cr3_exiting;       /* the CPU forces CR3 load/store exiting on */
	bool pat;               /* the guest gets its own IA32_PAT */
	/* The VMX-preemption timer counts down every 2^preempt_rate TSC ticks
	 * (IA32_VMX_MISC 4:0); -1 when the CPU has no timer. */
	int preempt_rate;
	/* EPT */
	bool ept_ad, ept_1g, ept_exec_only;
	bool invept_single;     /* else all-context */
	bool invvpid_single;    /* else all-context */
	/* Guest CR0/CR4 bits the CPU fixes: the guest-host masks intercept them. */
	uint64_t cr0_fixed0, cr0_fixed1, cr4_fixed0, cr4_fixed1;
};

/* Compute cfg from the capability MSRs. 0, or -ENODEV when a control or an EPT
 * feature Terrapin requires is missing: missing then names each one, e.g.
 * "unrestricted guest, use TSC offsetting" (truncated to len). */
int vmx_config_compute(const struct vmx_cap_msrs *m, struct vmx_config *cfg, char *missing,
		       size_t len);
/* Whether word w can have bits set to 1 (all of them). */
bool vmx_ctl_allowed(const struct vmx_config *cfg, enum vmx_ctl_word w, uint32_t bits);
/* The guest CR0/CR4 value the CPU accepts for what the guest wants (the fixed
 * bits applied; with unrestricted guest, CR0.PE and CR0.PG stay the guest's). */
uint64_t vmx_guest_cr0(const struct vmx_config *cfg, uint64_t cr0);
uint64_t vmx_guest_cr4(const struct vmx_config *cfg, uint64_t cr4);
/* Bits of CR0/CR4 the guest may not own (fixed by VMX): the guest/host masks. */
uint64_t vmx_cr0_mask(const struct vmx_config *cfg);
uint64_t vmx_cr4_mask(const struct vmx_config *cfg);

#endif
