/* CPU identity and virtualization features, from CPUID and (for VT-x) the VMX
 * capability MSRs. Read once on the bootstrap processor. */
#include "kernel/cpu.h"

#include "drivers/io.h"
#include "kernel/kstring.h"
#include "kernel/shell.h"

struct cpu_features cpu;

#define MSR_FEATURE_CONTROL 0x3A
#define MSR_VMX_BASIC 0x480
#define MSR_VMX_PINBASED 0x481
#define MSR_VMX_PROCBASED 0x482
#define MSR_VMX_PROCBASED2 0x48B
#define MSR_VMX_EPT_VPID_CAP 0x48C
#define MSR_VM_CR 0xC0010114

static bool allowed1(uint32_t msr, int bit) { return (rdmsr(msr) >> 32) & (1ULL << bit); }

static void detect_vmx(void)
{
	uint64_t fc = rdmsr(MSR_FEATURE_CONTROL);

	/* SDM 3C 24.7: locked with "VMXON outside SMX" clear means firmware disabled VT-x. */
	cpu.vmx_locked_off = (fc & 1) && !(fc & 4);
	uint64_t basic = rdmsr(MSR_VMX_BASIC);
	cpu.vmx_true_ctls = basic & (1ULL << 55);
	cpu.preemption_timer = allowed1(MSR_VMX_PINBASED, 6);
	cpu.posted_intr = allowed1(MSR_VMX_PINBASED, 7);
	if (!allowed1(MSR_VMX_PROCBASED, 31)) /* no secondary controls */
		return;
	cpu.ept = allowed1(MSR_VMX_PROCBASED2, 1);
	cpu.vpid = allowed1(MSR_VMX_PROCBASED2, 5);
	cpu.unrestricted = allowed1(MSR_VMX_PROCBASED2, 7);
	cpu.vmcs_shadowing = allowed1(MSR_VMX_PROCBASED2, 14);
	if (cpu.ept || cpu.vpid) {
		uint64_t cap = rdmsr(MSR_VMX_EPT_VPID_CAP);
		cpu.ept_2m = cap & (1ULL << 16);
		cpu.ept_1g = cap & (1ULL << 17);
		cpu.ept_ad = cap & (1ULL << 21);
	}
}

static void detect_svm(void)
{
	/* APM 2 15.4: VM_CR.SVMDIS set means SVM is disabled (by firmware if locked). */
	cpu.svm_locked_off = rdmsr(MSR_VM_CR) & (1ULL << 4);
	struct cpuid_regs r = cpuid(0x80000000, 0);
	if (r.eax < 0x8000000A)
		return;
	r = cpuid(0x8000000A, 0);
	cpu.svm_asids = r.ebx;
	cpu.npt = r.edx & (1u << 0);
	cpu.nrips = r.edx & (1u << 3);
	cpu.vmcb_clean = r.edx & (1u << 5);
	cpu.flush_by_asid = r.edx & (1u << 6);
	cpu.decode_assists = r.edx & (1u << 7);
	cpu.pause_filter = r.edx & (1u << 10);
	cpu.avic = r.edx & (1u << 13);
	cpu.vvmsave = r.edx & (1u << 15);
	cpu.vgif = r.edx & (1u << 16);
}

void cpu_detect(void)
{
	struct cpuid_regs r = cpuid(0, 0);
	uint32_t max = r.eax;

	memcpy(cpu.vendor_str + 0, &r.ebx, 4);
	memcpy(cpu.vendor_str + 4, &r.edx, 4);
	memcpy(cpu.vendor_str + 8, &r.ecx, 4);
	cpu.vendor_str[12] = 0;
	cpu.vendor = !strcmp(cpu.vendor_str, "GenuineIntel") ? CPU_INTEL
		   : !strcmp(cpu.vendor_str, "AuthenticAMD") ? CPU_AMD
							      : CPU_OTHER;
	r = cpuid(1, 0);
	cpu.stepping = r.eax & 0xf;
	cpu.family = (r.eax >> 8) & 0xf;
	cpu.model = (r.eax >> 4) & 0xf;
	if (cpu.family == 0xf)
		cpu.family += (r.eax >> 20) & 0xff;
	if (cpu.family >= 6)
		cpu.model |= ((r.eax >> 16) & 0xf) << 4;
	cpu.x2apic = r.ecx & (1u << 21);
	cpu.tsc_deadline = r.ecx & (1u << 24);
	cpu.hypervisor = r.ecx & (1u << 31);
	cpu.vmx = r.ecx & (1u << 5);
	(void)max;

	uint32_t ext = cpuid(0x80000000, 0).eax;
	if (ext >= 0x80000001) {
		r = cpuid(0x80000001, 0);
		cpu.svm = r.ecx & (1u << 2);
		cpu.nx = r.edx & (1u << 20);
		cpu.pdpe1gb = r.edx & (1u << 26);
	}
	if (ext >= 0x80000004) {
		for (uint32_t i = 0; i < 3; i++) {
			r = cpuid(0x80000002 + i, 0);
			memcpy(cpu.brand + i * 16, &r, 16);
		}
		cpu.brand[48] = 0;
	}
	if (ext >= 0x80000007)
		cpu.tsc_invariant = cpuid(0x80000007, 0).edx & (1u << 8);
	if (cpu.vmx)
		detect_vmx();
	if (cpu.svm)
		detect_svm();
}

static const char *yn(bool b) { return b ? "yes" : "no"; }

void cpu_print_features(void)
{
	if (cpu.vmx)
		cprintf("VT-x:         yes%s; EPT %s (2M %s, 1G %s, A/D %s), VPID %s, unrestricted guest %s, "
			"VMCS shadowing %s, posted interrupts %s, preemption timer %s, true controls %s\n",
			cpu.vmx_locked_off ? " but DISABLED by firmware (IA32_FEATURE_CONTROL)" : "",
			yn(cpu.ept), yn(cpu.ept_2m), yn(cpu.ept_1g), yn(cpu.ept_ad), yn(cpu.vpid),
			yn(cpu.unrestricted), yn(cpu.vmcs_shadowing), yn(cpu.posted_intr),
			yn(cpu.preemption_timer), yn(cpu.vmx_true_ctls));
	else
		cprintf("VT-x:         no\n");
	if (cpu.svm)
		cprintf("AMD-V:        yes%s; %u ASIDs, NPT %s, NRIPS %s, decode assists %s, VMCB clean %s, "
			"vGIF %s, virtual VMLOAD/VMSAVE %s, AVIC %s, flush by ASID %s, pause filter %s\n",
			cpu.svm_locked_off ? " but DISABLED by firmware (VM_CR.SVMDIS)" : "",
			cpu.svm_asids, yn(cpu.npt), yn(cpu.nrips), yn(cpu.decode_assists),
			yn(cpu.vmcb_clean), yn(cpu.vgif), yn(cpu.vvmsave), yn(cpu.avic),
			yn(cpu.flush_by_asid), yn(cpu.pause_filter));
	else
		cprintf("AMD-V:        no\n");
	cprintf("other:        x2APIC %s, TSC-deadline %s, invariant TSC %s, NX %s, 1G pages %s, "
		"running under a hypervisor %s\n",
		yn(cpu.x2apic), yn(cpu.tsc_deadline), yn(cpu.tsc_invariant), yn(cpu.nx),
		yn(cpu.pdpe1gb), yn(cpu.hypervisor));
}
