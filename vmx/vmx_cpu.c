/* VT-x bring-up: the controls computed once from the capability MSRs, then on
 * every CPU IA32_FEATURE_CONTROL, the CR0/CR4 fixed bits and VMXON. Also the
 * bitmaps every VMCS shares. */
#include "drivers/io.h"
#include "kernel/cpu.h"
#include "kernel/errno.h"
#include "kernel/kstring.h"
#include "kernel/log.h"
#include "kernel/virt.h"
#include "kernel/percpu.h"
#include "drivers/lapic.h"
#include "mm/mem.h"
#include "vmx/vmx.h"
#include "vmx/vmx_insn.h"

#define MSR_FEATURE_CONTROL 0x3a
#define FC_LOCK (1ULL << 0)
#define FC_VMXON_OUTSIDE_SMX (1ULL << 2)
#define CR4_VMXE (1ULL << 13)

struct vmx_cpu vmx_cpus[MAX_CPUS];
struct vmx_config vmx_cfg;
struct tdp_format vmx_ept_format;
uint64_t vmx_io_bitmap_pa, vmx_msr_bitmap_pa;


/* SDM 3C 25.6.9: read bitmap for MSRs 0-0x1fff at 0, for 0xc0000000-0xc0001fff
 * at 1 KiB; the write bitmaps follow at 2 and 3 KiB. A clear bit: no exit. */
static void msr_bitmap_allow(uint8_t *bm, uint32_t msr)
{
	uint32_t base;

	if (msr < 0x2000)
		base = 0;
	else if (msr - 0xC0000000 < 0x2000)
		base = 0x400, msr -= 0xC0000000;
	else
		return;
	bm[base + msr / 8] &= (uint8_t) ~(1u << (msr % 8));
	bm[base + 0x800 + msr / 8] &= (uint8_t) ~(1u << (msr % 8));
}

static void read_caps(struct vmx_cap_msrs *m)
{
	memset(m, 0, sizeof(*m));
	m->basic = rdmsr(MSR_VMX_BASIC);
	m->pin = rdmsr(MSR_VMX_PINBASED);
	m->proc = rdmsr(MSR_VMX_PROCBASED);
	m->exit = rdmsr(MSR_VMX_EXIT);
	m->entry = rdmsr(MSR_VMX_ENTRY);
	m->misc = rdmsr(MSR_VMX_MISC);
	m->cr0_fixed0 = rdmsr(MSR_VMX_CR0_FIXED0);
	m->cr0_fixed1 = rdmsr(MSR_VMX_CR0_FIXED1);
	m->cr4_fixed0 = rdmsr(MSR_VMX_CR4_FIXED0);
	m->cr4_fixed1 = rdmsr(MSR_VMX_CR4_FIXED1);
	if ((m->proc >> 32) & VMX_PROC_SECONDARY) {
		m->proc2 = rdmsr(MSR_VMX_PROCBASED2);
		/* SDM 3C A.10: present with EPT or VPID allowed. */
		if ((m->proc2 >> 32) & (VMX_PROC2_EPT | VMX_PROC2_VPID))
			m->ept_vpid = rdmsr(MSR_VMX_EPT_VPID_CAP);
	}
	if (m->basic & VMX_BASIC_TRUE_CTLS) {
		m->true_pin = rdmsr(MSR_VMX_TRUE_PINBASED);
		m->true_proc = rdmsr(MSR_VMX_TRUE_PROCBASED);
		m->true_exit = rdmsr(MSR_VMX_TRUE_EXIT);
		m->true_entry = rdmsr(MSR_VMX_TRUE_ENTRY);
	}
}

static int vmx_global_init(void)
{
	struct vmx_cap_msrs m;
	char missing[256];

	read_caps(&m);
	pr_debug("vmx: basic %016llx pin %016llx proc %016llx proc2 %016llx exit %016llx entry %016llx\n",
		 (unsigned long long)m.basic, (unsigned long long)m.pin, (unsigned long long)m.proc,
		 (unsigned long long)m.proc2, (unsigned long long)m.exit, (unsigned long long)m.entry);
	pr_debug("vmx: true pin %016llx proc %016llx exit %016llx entry %016llx\n",
		 (unsigned long long)m.true_pin, (unsigned long long)m.true_proc,
		 (unsigned long long)m.true_exit, (unsigned long long)m.true_entry);
	pr_debug("vmx: ept/vpid %016llx misc %016llx\n", (unsigned long long)m.ept_vpid,
		 (unsigned long long)m.misc);
	pr_debug("vmx: cr0 fixed %llx/%llx cr4 fixed %llx/%llx\n", (unsigned long long)m.cr0_fixed0,
		 (unsigned long long)m.cr0_fixed1, (unsigned long long)m.cr4_fixed0,
		 (unsigned long long)m.cr4_fixed1);
	if (vmx_config_compute(&m, &vmx_cfg, missing, sizeof(missing))) {
		pr_err("vmx: this CPU lacks VT-x features Terrapin needs: %s\n", missing);
		return -ENODEV;
	}
	/* SDM 3C A.1: VMXON and VMCS regions must fit the size it gives (<= 4 KiB). */
	if (((m.basic >> 32) & 0x1fff) > FRAME_SIZE) {
		pr_err("vmx: VMCS region of %llu bytes is larger than a page\n",
		       (unsigned long long)((m.basic >> 32) & 0x1fff));
		return -ENODEV;
	}
	vmx_ept_format = tdp_ept;
	vmx_ept_format.allow_1g = vmx_cfg.ept_1g;

	vmx_io_bitmap_pa = mem_alloc_frames(2, FRAME_SIZE, FRAME_HYP);
	vmx_msr_bitmap_pa = mem_alloc_frame(FRAME_HYP);
	if (!vmx_io_bitmap_pa || !vmx_msr_bitmap_pa)
		return -ENOMEM;
	/* Every port exits (SDM 3C 25.6.4): the devices are all emulated. */
	memset(phys_to_virt(vmx_io_bitmap_pa), 0xff, 2 * FRAME_SIZE);
	memset(phys_to_virt(vmx_msr_bitmap_pa), 0xff, FRAME_SIZE);
	/* Their guest values live in the VMCS (FS/GS base, SYSENTER, PAT when VM
	 * entry and exit switch it) or are swapped lazily (struct
	 * vmx_vcpu.lazy_msr). */
	for (unsigned i = 0; i < virt_npassthrough_msrs; i++)
		if (virt_passthrough_msrs[i] != MSR_PAT_INDEX || vmx_cfg.pat)
			msr_bitmap_allow(phys_to_virt(vmx_msr_bitmap_pa), virt_passthrough_msrs[i]);
	pr_info("vmx: VMCS revision %u, %s controls; EPT%s%s, %s, %s\n", vmx_cfg.revision,
		vmx_cfg.true_ctls ? "TRUE" : "default", vmx_cfg.ept_ad ? " with A/D bits" : "",
		vmx_cfg.ept_1g ? ", 1G pages" : "", vmx_cfg.vpid ? "VPID" : "no VPID",
		vmx_cfg.nmi_window ? "virtual NMIs" : "no virtual NMIs");
	return 0;
}

/* SDM 3C 24.7: VMXON needs IA32_FEATURE_CONTROL locked with "VMXON outside SMX"
 * set. Firmware usually locks it; when it did so with VMX off, only its setup
 * can change that. */
static int feature_control(void)
{
	uint64_t fc = rdmsr(MSR_FEATURE_CONTROL);

	if (fc & FC_LOCK) {
		if (!(fc & FC_VMXON_OUTSIDE_SMX)) {
			pr_err("vmx: the firmware locked IA32_FEATURE_CONTROL (0x%llx) with VMX "
			       "disabled: enable \"Intel Virtualization Technology\" in its setup\n",
			       (unsigned long long)fc);
			return -EPERM;
		}
		return 0;
	}
	wrmsr(MSR_FEATURE_CONTROL, fc | FC_LOCK | FC_VMXON_OUTSIDE_SMX);
	return 0;
}

int vmx_cpu_enable(void)
{
	uint32_t idx = this_cpu()->index;
	struct vmx_cpu *c = &vmx_cpus[idx];

	if (idx == 0 && !vmx_io_bitmap_pa) {
		int r = vmx_global_init();
		if (r)
			return r;
	}
	if (!vmx_io_bitmap_pa)
		return -ENODEV; /* the bootstrap processor could not */
	if (c->on)
		return 0;
	int r = feature_control();
	if (r)
		return r;
	if (!c->vmxon_pa) {
		c->vmxon_pa = mem_alloc_frame(FRAME_HYP);
		if (!c->vmxon_pa)
			return -ENOMEM;
	}
	memset(phys_to_virt(c->vmxon_pa), 0, FRAME_SIZE);
	*(uint32_t *)phys_to_virt(c->vmxon_pa) = vmx_cfg.revision; /* SDM 3C 25.11.5 */

	/* SDM 3C 24.8: CR0 and CR4 must respect the fixed bits in VMX operation. */
	uint64_t cr0 = read_cr0(), cr4 = read_cr4() | CR4_VMXE;
	write_cr0((cr0 | vmx_cfg.cr0_fixed0) & vmx_cfg.cr0_fixed1);
	write_cr4((cr4 | vmx_cfg.cr4_fixed0) & vmx_cfg.cr4_fixed1);
	if (vmx_vmxon(c->vmxon_pa)) {
		pr_err("vmx: VMXON failed on CPU %u (CR0 %llx CR4 %llx)\n", idx,
		       (unsigned long long)read_cr0(), (unsigned long long)read_cr4());
		write_cr4(read_cr4() & ~CR4_VMXE);
		return -EIO;
	}
	/* Nothing from an earlier life may be cached for our EPTPs and VPIDs. */
	vmx_invept(2, 0);
	if (vmx_cfg.vpid)
		vmx_invvpid(2, 0);
	/* Slices end at the host tick even if the guest masks interrupts in a way
	 * that keeps an external interrupt from exiting (Bochs 2.7 does). */
	if (vmx_cfg.preempt_rate >= 0) {
		uint64_t v = ((uint64_t)this_cpu()->tsc_khz * 1000 / LAPIC_TICK_HZ) >> vmx_cfg.preempt_rate;
		c->preempt_value = v > 0xffffffffu ? 0xffffffffu : v ? (uint32_t)v : 1;
	}
	c->current = 0;
	c->on = true;
	return 0;
}

static volatile int failed_field = -1;
static volatile bool failed_write;

void vmx_field_failed(enum vmcs_field f, bool write)
{
	if (failed_field < 0) {
		failed_field = (int)f;
		failed_write = write;
	}
}

int vmx_take_failed_field(bool *write)
{
	int f = failed_field;
	*write = failed_write;
	failed_field = -1;
	return f;
}
