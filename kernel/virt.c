/* Choosing the virtualization backend at run time. */
#include "kernel/virt.h"

#include "kernel/cpu.h"
#include "kernel/errno.h"
#include "kernel/fpu.h"
#include "kernel/log.h"
#include "kernel/trap.h"
#include "drivers/lapic.h"

const struct virt_ops *virt;

const uint32_t virt_passthrough_msrs[] = {
	0xC0000100, /* FS_BASE */
	0xC0000101, /* GS_BASE */
	0xC0000102, /* KERNEL_GS_BASE */
	0xC0000081, /* STAR */
	0xC0000082, /* LSTAR */
	0xC0000083, /* CSTAR */
	0xC0000084, /* SFMASK */
	0x174, 0x175, 0x176, /* SYSENTER_CS/ESP/EIP */
	MSR_PAT_INDEX, /* with nested paging the guest has its own (G_PAT, GUEST_IA32_PAT) */
};
const unsigned virt_npassthrough_msrs = sizeof(virt_passthrough_msrs) / sizeof(virt_passthrough_msrs[0]);

static const char *const exit_names[] = {
#define X(n, s) s,
	VM_EXIT_REASONS(X)
#undef X
};

const char *vm_exit_name(enum vm_exit_reason r)
{
	return (unsigned)r < EXIT_REASONS ? exit_names[r] : "?";
}

/* A kick only has to make the CPU leave its guest; the next entry delivers. */
static void kick_irq(struct trap_frame *f)
{
	(void)f;
	lapic_eoi();
}

int virt_init(void)
{
	irq_register(VEC_KICK, kick_irq);
	if (cpu.svm && !cpu.svm_locked_off && cpu.npt) {
		virt = &svm_ops;
	} else if (cpu.vmx && !cpu.vmx_locked_off && cpu.ept && cpu.unrestricted) {
		virt = &vmx_ops;
	} else {
		if (cpu.svm && cpu.svm_locked_off)
			pr_warn("virt: AMD-V is disabled by the firmware (VM_CR.SVMDIS): enable SVM in its setup\n");
		else if (cpu.svm)
			pr_warn("virt: AMD-V without nested paging is not supported\n");
		else if (cpu.vmx && cpu.vmx_locked_off)
			pr_warn("virt: Intel VT-x is disabled by the firmware (IA32_FEATURE_CONTROL locked "
				"with VMX off): enable \"Intel Virtualization Technology\" in its setup\n");
		else if (cpu.vmx)
			pr_warn("virt: Intel VT-x without %s is not supported; guests cannot run\n",
				!cpu.ept ? "EPT" : "unrestricted guest");
		else
			pr_warn("virt: this CPU has no hardware virtualization; guests cannot run\n");
		return -ENODEV;
	}
	fpu_cpu_init();
	int r = virt->cpu_enable();
	if (r) {
		pr_err("virt: enabling %s failed (%d)\n", virt->name, r);
		virt = 0;
		return r;
	}
	pr_info("virt: %s with %s\n", virt->name, virt->tdp->name);
	return 0;
}
