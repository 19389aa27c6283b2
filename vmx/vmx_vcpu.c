/* VT-x vCPUs: one VMCS each, made current on the CPU that touches it (VMCLEAR
 * on the old CPU first when it moves), and the run loop around
 * VMLAUNCH/VMRESUME. Guest state is in vmx_state.c, events in vmx_event.c. */
#include "drivers/io.h"
#include "kernel/errno.h"
#include "kernel/kstring.h"
#include "kernel/log.h"
#include "kernel/percpu.h"
#include "kernel/printf.h"
#include "kernel/smp.h"
#include "kernel/spinlock.h"
#include "kernel/vcpu_state_asm.h"
#include "kernel/virt.h"
#include "kernel/vm.h"
#include "mm/heap.h"
#include "mm/mem.h"
#include "vmx/vmx.h"
#include "vmx/vmx_insn.h"

_Static_assert(GPR_R15 == R15 * 8 && GPR_RCX == RCX * 8, "GPR offsets match enum gpr");

#define MSR_PAT 0x277
#define PAT_POWER_ON 0x0007040600070406ULL

/* ---- VPIDs: one per vCPU, 0 is the host's ---- */

static spinlock_t vpid_lock;
static uint64_t vpid_used[65536 / 64];

static uint16_t vpid_alloc(void)
{
	uint64_t f = spin_lock_irqsave(&vpid_lock);
	uint16_t got = 0;

	vpid_used[0] |= 1; /* VPID 0 is never a guest's (SDM 3C 26.2.1.1) */
	for (unsigned w = 0; w < 65536 / 64 && !got; w++) {
		if (vpid_used[w] == ~0ULL)
			continue;
		unsigned b = (unsigned)__builtin_ctzll(~vpid_used[w]);
		vpid_used[w] |= 1ULL << b;
		got = (uint16_t)(w * 64 + b);
	}
	spin_unlock_irqrestore(&vpid_lock, f);
	return got;
}

static void vpid_free(uint16_t vpid)
{
	uint64_t f = spin_lock_irqsave(&vpid_lock);
	if (vpid)
		vpid_used[vpid / 64] &= ~(1ULL << (vpid % 64));
	spin_unlock_irqrestore(&vpid_lock, f);
}

/* ---- making a VMCS current ---- */

static void write_host_state(void)
{
	struct percpu *p = this_cpu();
	struct {
		uint16_t limit;
		uint64_t base;
	} __attribute__((packed)) idtr;

	__asm__ volatile("sidt %0" : "=m"(idtr));
	vmcs_write(VMCS_HOST_CR0, read_cr0());
	vmcs_write(VMCS_HOST_CR3, read_cr3());
	vmcs_write(VMCS_HOST_CR4, read_cr4());
	/* The selectors kernel/gdt.c loads. */
	vmcs_write(VMCS_HOST_CS_SEL, 0x08);
	vmcs_write(VMCS_HOST_SS_SEL, 0x10);
	vmcs_write(VMCS_HOST_DS_SEL, 0x10);
	vmcs_write(VMCS_HOST_ES_SEL, 0x10);
	vmcs_write(VMCS_HOST_FS_SEL, 0);
	vmcs_write(VMCS_HOST_GS_SEL, 0);
	vmcs_write(VMCS_HOST_TR_SEL, 0x18);
	vmcs_write(VMCS_HOST_FS_BASE, rdmsr(MSR_FS_BASE));
	vmcs_write(VMCS_HOST_GS_BASE, (uint64_t)p); /* this_cpu() */
	vmcs_write(VMCS_HOST_TR_BASE, (uint64_t)&p->tss);
	vmcs_write(VMCS_HOST_GDTR_BASE, (uint64_t)p->gdt);
	vmcs_write(VMCS_HOST_IDTR_BASE, idtr.base);
	vmcs_write(VMCS_HOST_SYSENTER_CS, 0);
	vmcs_write(VMCS_HOST_SYSENTER_ESP, 0);
	vmcs_write(VMCS_HOST_SYSENTER_EIP, 0);
	vmcs_write(VMCS_HOST_EFER, rdmsr(MSR_EFER));
	if (vmx_cfg.pat)
		vmcs_write(VMCS_HOST_PAT, rdmsr(MSR_PAT));
	vmcs_write(VMCS_HOST_RIP, (uint64_t)vmx_exit_entry);
}

/* The controls, written once on the first CPU that loads the VMCS. */
static void write_controls(struct vmx_vcpu *s)
{
	struct vm *vm = s->v->vm;

	s->proc = vmx_cfg.ctl[VMX_PROC];
	s->entry_ctl = vmx_cfg.ctl[VMX_ENTRY];
	vmcs_write(VMCS_PIN_CONTROLS, vmx_cfg.ctl[VMX_PIN]);
	vmcs_write(VMCS_PROC_CONTROLS, s->proc);
	vmcs_write(VMCS_PROC_CONTROLS2, vmx_cfg.ctl[VMX_PROC2]);
	vmcs_write(VMCS_EXIT_CONTROLS, vmx_cfg.ctl[VMX_EXIT]);
	vmcs_write(VMCS_ENTRY_CONTROLS, s->entry_ctl);
	/* #AC and #DB: a guest could otherwise loop delivering them forever with
	 * interrupts blocked (CVE-2015-5307, CVE-2015-8104). */
	vmcs_write(VMCS_EXCEPTION_BITMAP, (1u << 17) | (1u << 1));
	vmcs_write(VMCS_PF_ERROR_MASK, 0);
	vmcs_write(VMCS_PF_ERROR_MATCH, 0);
	vmcs_write(VMCS_CR3_TARGET_COUNT, 0);
	vmcs_write(VMCS_EXIT_MSR_STORE_COUNT, 0);
	vmcs_write(VMCS_EXIT_MSR_LOAD_COUNT, 0);
	vmcs_write(VMCS_ENTRY_MSR_LOAD_COUNT, 0);
	vmcs_write(VMCS_ENTRY_INTR_INFO, 0);
	vmcs_write(VMCS_IO_BITMAP_A, vmx_io_bitmap_pa);
	vmcs_write(VMCS_IO_BITMAP_B, vmx_io_bitmap_pa + FRAME_SIZE);
	vmcs_write(VMCS_MSR_BITMAP, vmx_msr_bitmap_pa);
	vmcs_write(VMCS_EPT_POINTER, s->eptp);
	if (vmx_cfg.vpid)
		vmcs_write(VMCS_VPID, s->vpid);
	/* The guest's TSC counts from its VM's start (SDM 3C 25.6.5). */
	vmcs_write(VMCS_TSC_OFFSET, (uint64_t)0 - vm->start_tsc);
	vmcs_write(VMCS_CR0_GUEST_HOST_MASK, vmx_cr0_mask(&vmx_cfg));
	vmcs_write(VMCS_CR4_GUEST_HOST_MASK, vmx_cr4_mask(&vmx_cfg));
	vmcs_write(VMCS_VMCS_LINK_POINTER, ~0ULL); /* SDM 3C 26.3.1.5 */
	if (vmx_cfg.pat)
		vmcs_write(VMCS_GUEST_PAT, PAT_POWER_ON);
	vmcs_write(VMCS_GUEST_DEBUGCTL, 0);
	vmcs_write(VMCS_GUEST_DR7, 0x400);
	vmcs_write(VMCS_GUEST_PENDING_DBG, 0);
	vmcs_write(VMCS_GUEST_INTERRUPTIBILITY, 0);
	vmcs_write(VMCS_GUEST_ACTIVITY_STATE, 0);
	vmcs_write(VMCS_GUEST_SYSENTER_CS, 0);
	vmcs_write(VMCS_GUEST_SYSENTER_ESP, 0);
	vmcs_write(VMCS_GUEST_SYSENTER_EIP, 0);
	s->initialized = true;
}

/* Runs on the CPU where s is active: write it back and forget it there. */
static void clear_here(void *arg)
{
	struct vmx_vcpu *s = arg;
	struct vmx_cpu *c = &vmx_cpus[this_cpu()->index];

	if (s->loaded_cpu != (int)this_cpu()->index)
		return;
	if (c->msr_owner == s) {
		vmx_lazy_save(s);
		c->msr_owner = 0;
	}
	if (c->running == s)
		c->running = 0;
	vmx_vmclear(s->vmcs_pa);
	if (c->current == s->vmcs_pa)
		c->current = 0;
	s->launched = false;
	__atomic_store_n(&s->loaded_cpu, -1, __ATOMIC_RELEASE);
}

static bool acquire(struct vmx_vcpu *s, bool may_migrate)
{
	int me = (int)this_cpu()->index;
	struct vmx_cpu *c = &vmx_cpus[me];

	if (!c->on)
		return false;
	if (s->loaded_cpu == me) {
		if (c->current != s->vmcs_pa) {
			if (vmx_vmptrld(s->vmcs_pa))
				return false;
			c->current = s->vmcs_pa;
		}
		return true;
	}
	if (s->loaded_cpu >= 0) {
		/* SDM 3C 25.11.1: a VMCS may be active on one CPU only; the CPU
		 * where it is active writes it back with VMCLEAR. Interrupts on
		 * for the call: that CPU may be calling this one. */
		if (!may_migrate)
			return false;
		irq_enable();
		int r = smp_call((uint32_t)s->loaded_cpu, clear_here, s);
		irq_disable();
		if (r == -ENODEV) { /* that CPU is gone, and its cache with it */
			s->loaded_cpu = -1;
			s->launched = false;
		} else if (r || s->loaded_cpu >= 0) {
			return false;
		}
	}
	if (vmx_vmptrld(s->vmcs_pa))
		return false;
	c->current = s->vmcs_pa;
	s->loaded_cpu = me;
	s->launched = false;
	s->flush = true; /* whatever this CPU cached for the EPTP or VPID is stale */
	s->host_rsp = 0;
	if (!s->initialized)
		write_controls(s);
	write_host_state();
	if (s->pending_valid) {
		vmx_write_state(s, &s->pending);
		s->pending_valid = false;
	}
	return true;
}

bool vmx_acquire(struct vmx_vcpu *s) { return acquire(s, false); }

void vmx_set_host_rsp(uint64_t rsp)
{
	struct vmx_vcpu *s = vmx_cpus[this_cpu()->index].running;

	/* Only when it moved: the same slice runs from the same frame. */
	if (!s || s->host_rsp != rsp) {
		vmcs_write(VMCS_HOST_RSP, rsp);
		if (s)
			s->host_rsp = rsp;
	}
}

/* ---- create, destroy ---- */

static int vmx_vcpu_create(struct vcpu *v)
{
	struct vmx_vcpu *s = kzalloc(sizeof(*s));

	if (!s)
		return -ENOMEM;
	s->v = v;
	s->loaded_cpu = -1;
	s->vmcs_pa = mem_alloc_frame(FRAME_HYP);
	if (!s->vmcs_pa) {
		kfree(s);
		return -ENOMEM;
	}
	if (vmx_cfg.vpid && !(s->vpid = vpid_alloc())) {
		mem_free_frame(s->vmcs_pa);
		kfree(s);
		return -ENOSPC;
	}
	memset(phys_to_virt(s->vmcs_pa), 0, FRAME_SIZE);
	*(uint32_t *)phys_to_virt(s->vmcs_pa) = vmx_cfg.revision; /* SDM 3C 25.2 */
	/* SDM 3C 25.11.3: VMCLEAR initializes a new VMCS (launch state clear). */
	vmx_vmclear(s->vmcs_pa);
	/* SDM 3C 25.6.11: write-back, 4-level walk, A/D flags when the CPU has them. */
	s->eptp = v->vm->tdp.root | 6 | (3 << 3) | (vmx_cfg.ept_ad ? 1u << 6 : 0);
	v->arch = s;
	return 0;
}

static void vmx_vcpu_destroy(struct vcpu *v)
{
	struct vmx_vcpu *s = vmx_of(v);

	if (!s)
		return;
	uint64_t f = irq_save();
	int cpu = s->loaded_cpu;
	irq_restore(f);
	if (cpu >= 0) {
		int r = smp_call((uint32_t)cpu, clear_here, s);
		if (r && r != -ENODEV && s->loaded_cpu >= 0) {
			/* Its CPU may still write it back: keep the memory. */
			pr_err("vmx: VMCS of %s vCPU %u still active on CPU %d (%d); leaking it\n",
			       v->vm->name, v->id, cpu, r);
			v->arch = 0;
			return;
		}
	}
	vpid_free(s->vpid);
	mem_free_frame(s->vmcs_pa);
	kfree(s);
	v->arch = 0;
}

/* ---- the run loop ---- */

static void fail_entry(struct vmx_vcpu *s, struct vm_exit *e, bool vmfail, uint32_t reason)
{
	memset(e, 0, sizeof(*e));
	e->reason = EXIT_ENTRY_FAILED;
	s->vmfail = vmfail;
	s->fail_reason = reason;
	s->insn_error = 0;
	s->fail_qual = 0;
	if (vmfail && vmx_cpus[this_cpu()->index].current == s->vmcs_pa)
		s->insn_error = (uint32_t)vmcs_read(VMCS_VM_INSN_ERROR);
	else if (!vmfail)
		s->fail_qual = vmcs_read(VMCS_EXIT_QUALIFICATION);
	e->hw_code = vmfail ? 0 : reason;
	e->hw_info1 = vmfail ? s->insn_error : s->fail_qual;
}

static void vmx_run(struct vcpu *v, struct vm_exit *e)
{
	struct vmx_vcpu *s = vmx_of(v);
	struct vmx_cpu *c = &vmx_cpus[this_cpu()->index];

	if (!acquire(s, true)) {
		fail_entry(s, e, true, 0);
		s->insn_error = c->on ? 0 : ~0u;
		return;
	}
	vmx_lazy_switch(c, s);
	for (;;) {
		if (s->flush) {
			/* SDM 3C 29.4.3: drop what is cached for this EPTP and VPID. */
			vmx_invept(vmx_cfg.invept_single ? 1 : 2, s->eptp);
			if (vmx_cfg.vpid)
				vmx_invvpid(vmx_cfg.invvpid_single ? 1 : 2, s->vpid);
			s->flush = false;
		}
		vmx_deliver_nmi(s);
		vmcs_write(VMCS_GUEST_RSP, v->gpr[RSP]);
		if (vmx_cfg.preempt_rate >= 0)
			vmcs_write(VMCS_PREEMPTION_TIMER_VALUE, c->preempt_value);
		c->running = s;
		int failed = vmx_enter(v->gpr, s->launched);
		c->running = 0;
		if (failed) {
			fail_entry(s, e, true, 0);
			return;
		}
		s->launched = true;
		s->entry_intr = 0; /* SDM 3C 28.2.1: every exit clears the valid bit */
		uint32_t reason = (uint32_t)vmcs_read(VMCS_EXIT_REASON);
		if (reason & (1u << 31)) {
			fail_entry(s, e, false, reason);
			return;
		}
		v->gpr[RSP] = vmcs_read(VMCS_GUEST_RSP);
		vmx_reinject_vectoring(s);
		if (!vmx_decode_exit(s, v, reason & 0xffff, e))
			return;
	}
}

static void vmx_describe_failure(struct vcpu *v, char *buf, size_t len)
{
	struct vmx_vcpu *s = vmx_of(v);
	bool write;
	int field = vmx_take_failed_field(&write);
	int n;

	if (s->vmfail && s->insn_error == ~0u)
		n = ksnprintf(buf, len, "VMX is not enabled on CPU %u", this_cpu()->index);
	else if (s->vmfail && s->insn_error)
		n = ksnprintf(buf, len, "VM-instruction error %u: %s", s->insn_error,
			      vmx_insn_error_name(s->insn_error));
	else if (s->vmfail)
		n = ksnprintf(buf, len, "VMLAUNCH/VMRESUME failed without a current VMCS");
	else
		n = ksnprintf(buf, len, "VM-entry failure, exit reason %u: %s, qualification %llu",
			      s->fail_reason & 0xffff, vmx_exit_reason_name(s->fail_reason & 0xffff),
			      (unsigned long long)s->fail_qual);
	if (field >= 0 && n >= 0 && (size_t)n < len)
		ksnprintf(buf + n, len - (size_t)n, "; %s of field %s (0x%04x) failed",
			  write ? "VMWRITE" : "VMREAD", vmcs_field_name((uint32_t)field), field);
}

static void vmx_flush_tlb(struct vcpu *v) { vmx_of(v)->flush = true; }

const struct virt_ops vmx_ops = {
	.name = "Intel VT-x",
	.tdp = &vmx_ept_format,
	.cpu_enable = vmx_cpu_enable,
	.vcpu_create = vmx_vcpu_create,
	.vcpu_destroy = vmx_vcpu_destroy,
	.set_state = vmx_set_state,
	.get_state = vmx_get_state,
	.run = vmx_run,
	.inject = vmx_inject,
	.irq_window = vmx_irq_window,
	.get_rip = vmx_get_rip,
	.set_rip = vmx_set_rip,
	.advance_rip = vmx_advance_rip,
	.set_rflags = vmx_set_rflags,
	.flush_tlb = vmx_flush_tlb,
	.get_efer = vmx_get_efer,
	.set_efer = vmx_set_efer,
	.describe_failure = vmx_describe_failure,
};
