/* VMX control computation (vmx/vmx_caps.c) from recorded capability MSRs:
 * Bochs 2.7 corei7_skylake_x as Terrapin read them at boot, the same CPU
 * without the TRUE_* MSRs, without unrestricted guest, without secondary
 * controls, without a required control, and with VPID or EPT features
 * missing; the CR0/CR4 fixed-bit helpers; the report of what is missing. */
#include <stdint.h>

#include "tests/unit/check.h"

#include "kernel/kstring.c"
#include "vmx/vmx_caps.c"

/* Bochs 2.7, cpu: model=corei7_skylake_x (read by vmx_cpu.c at boot). */
static const struct vmx_cap_msrs bochs_skx = {
	.basic = 0x00d810000000002bULL,
	.pin = 0x0000007f00000016ULL,
	.proc = 0xf7f9fffe0401e172ULL,
	.exit = 0x007fffff00036dffULL,
	.entry = 0x0000ffff000011ffULL,
	.misc = 0x0000000000000005ULL, /* rate bits only; the rest unused here */
	.cr0_fixed0 = 0x80000021ULL,
	.cr0_fixed1 = 0xffffffffULL,
	.cr4_fixed0 = 0x2000ULL,
	.cr4_fixed1 = 0x3727ffULL,
	.proc2 = 0x02177fff00000000ULL,
	.ept_vpid = 0x00000f0106334141ULL,
	.true_pin = 0x0000007f00000016ULL,
	.true_proc = 0xf7f9fffe04006172ULL,
	.true_exit = 0x007fffff00036dfbULL,
	.true_entry = 0x0000ffff000011fbULL,
};

static int compute(const struct vmx_cap_msrs *m, struct vmx_config *c, char *missing)
{
	return vmx_config_compute(m, c, missing, 256);
}

TEST(bochs_skylake)
{
	struct vmx_config c;
	char missing[256];

	CHECK_EQ(compute(&bochs_skx, &c, missing), 0);
	CHECK_STR(missing, "");
	CHECK_EQ(c.revision, 43);
	CHECK(c.true_ctls);
	/* External interrupts, NMIs, virtual NMIs, preemption timer; default1 1,2,4. */
	CHECK_EQ(c.ctl[VMX_PIN], 0x7f);
	/* TSC offset, HLT, MWAIT, I/O and MSR bitmaps, MONITOR, secondary, plus the
	 * TRUE default1 bits (1, 4-6, 8, 13, 14, 26): no CR3 exiting. */
	CHECK_EQ(c.ctl[VMX_PROC], 0xb60065fa);
	CHECK(!c.cr3_exiting);
	CHECK_EQ(c.ctl[VMX_PROC] & VMX_PROC_INTR_WINDOW_EXITING, 0); /* dynamic: off at first */
	/* EPT, RDTSCP, VPID, unrestricted guest, INVPCID. */
	CHECK_EQ(c.ctl[VMX_PROC2], 0x10aa);
	CHECK_EQ(c.ctl[VMX_EXIT], 0x3f6ffb); /* + host address-space size */
	CHECK_EQ(c.ctl[VMX_EXIT] & VMX_EXIT_ACK_INTR_ON_EXIT, 0);
	CHECK_EQ(c.ctl[VMX_ENTRY], 0xd1fb);
	CHECK_EQ(c.ctl[VMX_ENTRY] & VMX_ENTRY_IA32E_GUEST, 0);
	CHECK(vmx_ctl_allowed(&c, VMX_ENTRY, VMX_ENTRY_IA32E_GUEST));
	CHECK(vmx_ctl_allowed(&c, VMX_PROC, VMX_PROC_NMI_WINDOW_EXITING));
	CHECK(c.nmi_window);
	CHECK(c.pat);
	CHECK(c.vpid && c.invvpid_single);
	CHECK(c.ept_ad && c.ept_1g && c.ept_exec_only && c.invept_single);
	CHECK_EQ(c.preempt_rate, 5);
	CHECK_EQ(vmx_cr0_mask(&c), 0x20);           /* NE: PE and PG are the guest's */
	CHECK_EQ(vmx_cr4_mask(&c), 0xffc8f800ULL);  /* VMXE and what the CPU lacks */
	CHECK(!vmx_ctl_allowed(&c, VMX_NWORDS, 1));
	CHECK(!vmx_ctl_allowed(&c, VMX_PROC2, 1u << 30));
}

/* The same CPU if IA32_VMX_BASIC did not announce the TRUE MSRs: the default1
 * controls are then fixed to 1, CR3 exiting and "save debug controls" among them. */
TEST(bochs_without_true_msrs)
{
	struct vmx_cap_msrs m = bochs_skx;
	struct vmx_config c;
	char missing[256];

	m.basic &= ~VMX_BASIC_TRUE_CTLS;
	m.true_proc = 0; /* never read */
	CHECK_EQ(compute(&m, &c, missing), 0);
	CHECK(!c.true_ctls);
	CHECK(c.cr3_exiting);
	CHECK_EQ(c.ctl[VMX_PROC], 0xb601e5fa);
	CHECK_EQ(c.ctl[VMX_EXIT], 0x3f6fff);
	CHECK_EQ(c.ctl[VMX_ENTRY], 0xd1ff);
}

TEST(no_unrestricted_guest)
{
	struct vmx_cap_msrs m = bochs_skx;
	struct vmx_config c;
	char missing[256];

	m.proc2 &= ~((uint64_t)VMX_PROC2_UNRESTRICTED << 32);
	CHECK_EQ(compute(&m, &c, missing), -ENODEV);
	CHECK_STR(missing, "unrestricted guest");
}

TEST(no_secondary_controls)
{
	struct vmx_cap_msrs m = bochs_skx;
	struct vmx_config c;
	char missing[256];

	/* Without the secondary controls, PROCBASED_CTLS2 is not even there. */
	m.proc &= ~((uint64_t)VMX_PROC_SECONDARY << 32);
	m.true_proc &= ~((uint64_t)VMX_PROC_SECONDARY << 32);
	CHECK_EQ(compute(&m, &c, missing), -ENODEV);
	CHECK_STR(missing, "activate secondary controls, enable EPT, unrestricted guest");
	CHECK_EQ(c.ctl[VMX_PROC2], 0);
	CHECK(!c.vpid);
}

TEST(required_control_missing)
{
	static const struct {
		int word;
		uint32_t bit;
		const char *name;
	} t[] = {
		{ VMX_EXIT, VMX_EXIT_LOAD_EFER, "load IA32_EFER" },
		{ VMX_ENTRY, VMX_ENTRY_ENTRY_LOAD_EFER, "load IA32_EFER on entry" },
		{ VMX_ENTRY, VMX_ENTRY_IA32E_GUEST, "IA-32e mode guest" },
		{ VMX_PIN, VMX_PIN_EXT_INTR_EXITING, "external-interrupt exiting" },
		{ VMX_PROC, VMX_PROC_INTR_WINDOW_EXITING, "interrupt-window exiting" },
		{ VMX_PROC, VMX_PROC_MSR_BITMAPS, "use MSR bitmaps" },
	};
	for (size_t i = 0; i < sizeof(t) / sizeof(t[0]); i++) {
		struct vmx_cap_msrs m = bochs_skx;
		struct vmx_config c;
		char missing[256];
		uint64_t clear = ~((uint64_t)t[i].bit << 32);
		switch (t[i].word) {
		case VMX_PIN: m.true_pin &= clear; break;
		case VMX_PROC: m.true_proc &= clear; break;
		case VMX_EXIT: m.true_exit &= clear; break;
		case VMX_ENTRY: m.true_entry &= clear; break;
		}
		CHECK_EQ(compute(&m, &c, missing), -ENODEV);
		CHECK_STR(missing, t[i].name);
		/* A control the CPU cannot set is never programmed. */
		CHECK_EQ(c.ctl[t[i].word] & t[i].bit, 0);
	}
}

TEST(optional_controls_dropped)
{
	struct vmx_cap_msrs m = bochs_skx;
	struct vmx_config c;
	char missing[256];

	m.true_pin &= ~((uint64_t)(VMX_PIN_VIRTUAL_NMIS | VMX_PIN_PREEMPTION_TIMER) << 32);
	m.true_entry &= ~((uint64_t)VMX_ENTRY_ENTRY_LOAD_PAT << 32);
	m.proc2 &= ~((uint64_t)(VMX_PROC2_RDTSCP | VMX_PROC2_INVPCID) << 32);
	CHECK_EQ(compute(&m, &c, missing), 0);
	CHECK_EQ(c.ctl[VMX_PIN], 0x1f);
	CHECK(!c.nmi_window); /* NMI-window exiting needs virtual NMIs */
	CHECK_EQ(c.preempt_rate, -1);
	/* PAT only in both directions. */
	CHECK(!c.pat);
	CHECK_EQ(c.ctl[VMX_EXIT] & (VMX_EXIT_LOAD_PAT | VMX_EXIT_SAVE_PAT), 0);
	CHECK_EQ(c.ctl[VMX_PROC2], VMX_PROC2_EPT | VMX_PROC2_VPID | VMX_PROC2_UNRESTRICTED);
}

TEST(vpid_needs_invvpid)
{
	struct vmx_cap_msrs m = bochs_skx;
	struct vmx_config c;
	char missing[256];

	m.ept_vpid &= ~VMX_VPID_INVVPID;
	CHECK_EQ(compute(&m, &c, missing), 0);
	CHECK(!c.vpid);
	CHECK_EQ(c.ctl[VMX_PROC2] & VMX_PROC2_VPID, 0);

	m = bochs_skx;
	m.ept_vpid &= ~VMX_VPID_INVVPID_SINGLE;
	CHECK_EQ(compute(&m, &c, missing), 0);
	CHECK(c.vpid && !c.invvpid_single); /* all-context flushes then */
}

TEST(ept_features)
{
	static const struct {
		uint64_t clear;
		int ret;
		const char *missing;
	} t[] = {
		{ VMX_EPT_WB, -ENODEV, "EPT write-back memory type" },
		{ VMX_EPT_WALK4, -ENODEV, "EPT page-walk length 4" },
		{ VMX_EPT_INVEPT, -ENODEV, "INVEPT" },
		{ VMX_EPT_INVEPT_SINGLE | VMX_EPT_INVEPT_ALL, -ENODEV, "INVEPT" },
		{ VMX_EPT_INVEPT_SINGLE, 0, "" },
		{ VMX_EPT_AD | VMX_EPT_1G, 0, "" },
	};
	for (size_t i = 0; i < sizeof(t) / sizeof(t[0]); i++) {
		struct vmx_cap_msrs m = bochs_skx;
		struct vmx_config c;
		char missing[256];
		m.ept_vpid &= ~t[i].clear;
		CHECK_EQ(compute(&m, &c, missing), t[i].ret);
		CHECK_STR(missing, t[i].missing);
	}
	struct vmx_cap_msrs m = bochs_skx;
	struct vmx_config c;
	m.ept_vpid &= ~(VMX_EPT_AD | VMX_EPT_1G | VMX_EPT_INVEPT_SINGLE);
	CHECK_EQ(vmx_config_compute(&m, &c, 0, 0), 0);
	CHECK(!c.ept_ad && !c.ept_1g && !c.invept_single);
}

/* A CPU that offers nothing at all: everything required is named, and a short
 * buffer is truncated, never overrun. */
TEST(nothing_and_truncation)
{
	struct vmx_cap_msrs m;
	struct vmx_config c;
	char small[12];
	char big[512];

	memset(&m, 0, sizeof(m));
	CHECK_EQ(vmx_config_compute(&m, &c, big, sizeof(big)), -ENODEV);
	CHECK(strstr(big, "external-interrupt exiting, NMI exiting, interrupt-window exiting") == big);
	CHECK(strstr(big, "load IA32_EFER on entry") != 0);
	memset(small, 'x', sizeof(small));
	CHECK_EQ(vmx_config_compute(&m, &c, small, sizeof(small)), -ENODEV);
	CHECK_EQ(strlen(small), sizeof(small) - 1);
	CHECK_EQ(vmx_config_compute(&m, &c, small, 1), -ENODEV);
	CHECK_STR(small, "");
	CHECK_EQ(vmx_config_compute(&m, &c, 0, 100), -ENODEV);
	/* A CPU whose allowed-0 forces ack-on-exit on is refused. */
	m = bochs_skx;
	m.true_exit |= VMX_EXIT_ACK_INTR_ON_EXIT;
	CHECK_EQ(vmx_config_compute(&m, &c, big, sizeof(big)), -ENODEV);
	CHECK_STR(big, "external interrupts left pending on exit");
}

TEST(fixed_bits)
{
	struct vmx_config c;
	char missing[256];

	CHECK_EQ(compute(&bochs_skx, &c, missing), 0);
	static const struct {
		uint64_t want, cr0;
	} cr0[] = {
		{ 0x10, 0x30 },                 /* real mode after INIT: NE forced, PE/PG not */
		{ 0x60000010, 0x60000030 },     /* CD and NW too */
		{ 0x80000011, 0x80000031 },
		{ 0x80000031, 0x80000031 },
	};
	for (size_t i = 0; i < sizeof(cr0) / sizeof(cr0[0]); i++)
		CHECK_EQ(vmx_guest_cr0(&c, cr0[i].want), cr0[i].cr0);
	static const struct {
		uint64_t want, cr4;
	} cr4[] = {
		{ 0, 0x2000 },                  /* VMXE forced */
		{ 0x20, 0x2020 },               /* PAE */
		{ 0x400000, 0x2000 },           /* bit 22: not in FIXED1 on this CPU */
		{ 0xffffffffULL, 0x3727ff },
	};
	for (size_t i = 0; i < sizeof(cr4) / sizeof(cr4[0]); i++)
		CHECK_EQ(vmx_guest_cr4(&c, cr4[i].want), cr4[i].cr4);
}

int main(void)
{
	RUN(bochs_skylake);
	RUN(bochs_without_true_msrs);
	RUN(no_unrestricted_guest);
	RUN(no_secondary_controls);
	RUN(required_control_missing);
	RUN(optional_controls_dropped);
	RUN(vpid_needs_invvpid);
	RUN(ept_features);
	RUN(nothing_and_truncation);
	RUN(fixed_bits);
	return CHECK_DONE();
}
