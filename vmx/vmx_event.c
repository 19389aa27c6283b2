/* VT-x events: one event queued for the next entry (SDM 3C 26.6), the NMI that
 * waits for its window, the interrupt window, and the event whose delivery an
 * exit interrupted delivered again. */
#include "drivers/io.h"
#include "kernel/vm.h"
#include "kernel/virt.h"
#include "vmx/vmx.h"
#include "vmx/vmx_insn.h"

bool vmx_queue_event(struct vmx_vcpu *s, uint32_t info, uint32_t error, uint32_t len)
{
	if (s->entry_intr & VMX_INTR_VALID)
		return false;
	/* SDM 3C 26.2.1.3: no error code in real mode (unrestricted guest, PE=0). */
	if ((info & VMX_INTR_HAS_ERROR) && !(vmcs_read(VMCS_GUEST_CR0) & CR0_PE))
		info &= ~VMX_INTR_HAS_ERROR;
	vmcs_write(VMCS_ENTRY_INTR_INFO, info);
	if (info & VMX_INTR_HAS_ERROR)
		vmcs_write(VMCS_ENTRY_EXCEPTION_ERROR, error);
	if (len)
		vmcs_write(VMCS_ENTRY_INSN_LEN, len);
	s->entry_intr = info;
	return true;
}

static void set_proc(struct vmx_vcpu *s, uint32_t proc)
{
	if (proc != s->proc) {
		s->proc = proc;
		vmcs_write(VMCS_PROC_CONTROLS, proc);
	}
}

/* Inject the NMI inject() accepted once the guest can take one; else wait for
 * the NMI window (SDM 3C 26.3.1.5: no NMI injection while blocked by NMI or
 * MOV SS with virtual NMIs). */
void vmx_deliver_nmi(struct vmx_vcpu *s)
{
	if (!s->nmi_pending)
		return;
	uint32_t block = (uint32_t)vmcs_read(VMCS_GUEST_INTERRUPTIBILITY);
	if (!(s->entry_intr & VMX_INTR_VALID) &&
	    !(block & (VMX_BLOCK_NMI | VMX_BLOCK_MOVSS | VMX_BLOCK_STI))) {
		vmx_queue_event(s, 2 | (VMX_INTR_TYPE_NMI << 8) | VMX_INTR_VALID, 0, 0);
		s->nmi_pending = false;
		set_proc(s, s->proc & ~VMX_PROC_NMI_WINDOW_EXITING);
	} else if (vmx_cfg.nmi_window) {
		set_proc(s, s->proc | VMX_PROC_NMI_WINDOW_EXITING);
	}
}

bool vmx_inject(struct vcpu *v, const struct vm_event *ev)
{
	struct vmx_vcpu *s = vmx_of(v);
	uint64_t f = irq_save();
	bool ok = false;

	if (vmx_acquire(s)) {
		if (ev->type == EVENT_NMI) {
			ok = !s->nmi_pending;
			s->nmi_pending = true;
			vmx_deliver_nmi(s);
		} else {
			uint32_t info = ev->vector | ((uint32_t)ev->type << 8) | VMX_INTR_VALID |
					(ev->has_error ? VMX_INTR_HAS_ERROR : 0);
			ok = vmx_queue_event(s, info, ev->error, ev->type == EVENT_SOFTINT ? 2 : 0);
		}
	}
	irq_restore(f);
	return ok;
}

bool vmx_irq_window(struct vcpu *v, bool arm)
{
	struct vmx_vcpu *s = vmx_of(v);
	uint64_t f = irq_save();
	bool open = false;

	if (vmx_acquire(s)) {
		uint32_t block = (uint32_t)vmcs_read(VMCS_GUEST_INTERRUPTIBILITY);
		open = (vmcs_read(VMCS_GUEST_RFLAGS) & RFLAGS_IF) &&
		       !(block & (VMX_BLOCK_STI | VMX_BLOCK_MOVSS)) && !(s->entry_intr & VMX_INTR_VALID);
		/* SDM 3C 25.6.2: an interrupt-window exit comes as soon as the guest
		 * can take an external interrupt. */
		if (open || !arm)
			set_proc(s, s->proc & ~VMX_PROC_INTR_WINDOW_EXITING);
		else
			set_proc(s, s->proc | VMX_PROC_INTR_WINDOW_EXITING);
	}
	irq_restore(f);
	return open;
}

/* An event whose delivery the exit interrupted is delivered again on the next
 * entry (SDM 3C 28.2.4, 27.2.3). */
void vmx_reinject_vectoring(struct vmx_vcpu *s)
{
	uint32_t idt = (uint32_t)vmcs_read(VMCS_IDT_VECTORING_INFO);

	if (!(idt & VMX_INTR_VALID))
		return;
	unsigned type = VMX_INTR_TYPE(idt);
	uint32_t len = 0;
	if (type == VMX_INTR_TYPE_SW_INT || type == VMX_INTR_TYPE_PRIV_SW_EXC ||
	    type == VMX_INTR_TYPE_SW_EXC)
		len = (uint32_t)vmcs_read(VMCS_EXIT_INSN_LEN);
	uint32_t err = idt & VMX_INTR_HAS_ERROR ? (uint32_t)vmcs_read(VMCS_IDT_VECTORING_ERROR) : 0;
	vmx_queue_event(s, idt & (VMX_INTR_VALID | VMX_INTR_HAS_ERROR | 0x7ff), err, len);
}
