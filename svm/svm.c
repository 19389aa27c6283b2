/* The AMD-V backend: SVM enabled per CPU, one VMCB per vCPU with nested paging,
 * and exits translated into struct vm_exit. */
#include "drivers/io.h"
#include "kernel/cpu.h"
#include "kernel/errno.h"
#include "kernel/kstring.h"
#include "kernel/log.h"
#include "kernel/percpu.h"
#include "kernel/vcpu_state_asm.h"
#include "kernel/virt.h"
#include "kernel/vm.h"
#include "mm/heap.h"
#include "mm/mem.h"
#include "svm/vmcb.h"

_Static_assert(GPR_R15 == R15 * 8 && GPR_RCX == RCX * 8, "GPR offsets match enum gpr");

void svm_vmrun(uint64_t vmcb_pa, uint64_t *gprs, uint64_t host_save_pa);

struct svm_cpu {
	uint64_t hsave_pa;     /* VM_HSAVE_PA: where VMRUN keeps the host's state */
	uint64_t host_save_pa; /* VMSAVE area for the host's hidden state */
	/* ASIDs are handed out per CPU; when they run out, a new generation starts
	 * with a flush of the whole TLB, so an ASID is never reused stale. */
	uint32_t next_asid;
	uint64_t generation;
};
static struct svm_cpu svm_cpus[MAX_CPUS];
static uint64_t iopm_pa, msrpm_pa; /* shared: intercept every port, most MSRs */

struct svm_vcpu {
	struct vmcb *vmcb;
	uint64_t vmcb_pa;
	int last_cpu;
	uint64_t asid_generation; /* of last_cpu, when its ASID was assigned */
	bool flush;               /* flush this vCPU's translations on the next entry */
	uint64_t guest_efer;      /* as the guest sees it (SVME hidden) */
};

static struct svm_vcpu *sv(struct vcpu *v) { return v->arch; }


/* APM 2 15.11: two bits (read, write) per MSR in three 2 KiB ranges. */
static void msrpm_allow(uint8_t *pm, uint32_t msr)
{
	uint32_t base;

	if (msr < 0x2000)
		base = 0;
	else if (msr - 0xC0000000 < 0x2000)
		base = 0x800, msr -= 0xC0000000;
	else if (msr - 0xC0010000 < 0x2000)
		base = 0x1000, msr -= 0xC0010000;
	else
		return;
	uint32_t bit = msr * 2;
	pm[base + bit / 8] &= (uint8_t) ~(3u << (bit % 8));
}

static int svm_global_init(void)
{
	iopm_pa = mem_alloc_frames(3, FRAME_SIZE, FRAME_HYP);  /* 12 KiB */
	msrpm_pa = mem_alloc_frames(2, FRAME_SIZE, FRAME_HYP); /* 8 KiB */
	if (!iopm_pa || !msrpm_pa)
		return -ENOMEM;
	memset(phys_to_virt(iopm_pa), 0xff, 3 * FRAME_SIZE);
	memset(phys_to_virt(msrpm_pa), 0xff, 2 * FRAME_SIZE);
	/* Their guest values live in the VMCB, switched by VMRUN and VMLOAD
	 * (PAT as G_PAT with nested paging, APM 2 15.25.8). */
	for (unsigned i = 0; i < virt_npassthrough_msrs; i++)
		msrpm_allow(phys_to_virt(msrpm_pa), virt_passthrough_msrs[i]);
	return 0;
}

static int svm_cpu_enable(void)
{
	struct svm_cpu *c = &svm_cpus[this_cpu()->index];

	if (!iopm_pa && this_cpu()->index == 0) {
		int r = svm_global_init();
		if (r)
			return r;
	}
	c->generation = 1;
	if (!c->hsave_pa) {
		c->hsave_pa = mem_alloc_frame(FRAME_HYP);
		c->host_save_pa = mem_alloc_frame(FRAME_HYP);
		if (!c->hsave_pa || !c->host_save_pa)
			return -ENOMEM;
	}
	wrmsr(MSR_EFER, rdmsr(MSR_EFER) | EFER_SVME);
	wrmsr(MSR_VM_HSAVE_PA, c->hsave_pa);
	return 0;
}

static int svm_vcpu_create(struct vcpu *v)
{
	struct svm_vcpu *s = kzalloc(sizeof(*s));
	if (!s)
		return -ENOMEM;
	s->vmcb_pa = mem_alloc_frame(FRAME_HYP);
	if (!s->vmcb_pa) {
		kfree(s);
		return -ENOMEM;
	}
	s->vmcb = phys_to_virt(s->vmcb_pa);
	s->last_cpu = -1;
	v->arch = s;

	struct vmcb_control *c = &s->vmcb->ctl;
	c->intercepts1 = INTERCEPT1_INTR | INTERCEPT1_NMI | INTERCEPT1_CPUID | INTERCEPT1_HLT |
			 INTERCEPT1_IOIO | INTERCEPT1_MSR | INTERCEPT1_SHUTDOWN | INTERCEPT1_INVD |
			 INTERCEPT1_INVLPGA;
	/* Every SVM instruction: a guest cannot use SVM until nesting exists. */
	c->intercepts2 = INTERCEPT2_VMRUN | INTERCEPT2_VMMCALL | INTERCEPT2_VMLOAD |
			 INTERCEPT2_VMSAVE | INTERCEPT2_STGI | INTERCEPT2_CLGI | INTERCEPT2_SKINIT |
			 INTERCEPT2_XSETBV;
	/* #AC and #DB: a guest could otherwise loop delivering them forever with
	 * interrupts blocked (CVE-2015-5307, CVE-2015-8104). */
	c->exc_intercepts = (1u << 17) | (1u << 1);
	c->iopm_pa = iopm_pa;
	c->msrpm_pa = msrpm_pa;
	c->vintr = VINTR_MASKING;
	c->np_control = 1;
	c->ncr3 = v->vm->tdp.root;
	/* The guest's TSC counts from its VM's start (APM 2 15.30.5). */
	c->tsc_offset = (uint64_t)0 - v->vm->start_tsc;
	s->vmcb->save.g_pat = 0x0007040600070406ULL; /* the power-on PAT */
	return 0;
}

static void svm_vcpu_destroy(struct vcpu *v)
{
	struct svm_vcpu *s = sv(v);

	if (!s)
		return;
	mem_free_frame(s->vmcb_pa);
	kfree(s);
	v->arch = 0;
}

static void seg_to_vmcb(struct vmcb_seg *d, const struct seg *s)
{
	d->sel = s->sel;
	d->attr = s->attr;
	d->limit = s->limit;
	d->base = s->base;
}

static void seg_from_vmcb(struct seg *d, const struct vmcb_seg *s)
{
	d->sel = s->sel;
	d->attr = s->attr;
	d->limit = s->limit;
	d->base = s->base;
}

static void svm_set_state(struct vcpu *v, const struct vcpu_state *st)
{
	struct vmcb_save *s = &sv(v)->vmcb->save;
	struct vmcb_seg *segs[NSEGS] = { &s->es, &s->cs, &s->ss, &s->ds, &s->fs, &s->gs, &s->tr, &s->ldtr };

	memcpy(v->gpr, st->gpr, sizeof(v->gpr));
	for (int i = 0; i < NSEGS; i++)
		seg_to_vmcb(segs[i], &st->seg[i]);
	s->gdtr.base = st->gdtr.base;
	s->gdtr.limit = st->gdtr.limit;
	s->idtr.base = st->idtr.base;
	s->idtr.limit = st->idtr.limit;
	s->cpl = (st->seg[SEG_SS].attr >> 5) & 3;
	s->rip = st->rip;
	s->rflags = st->rflags | RFLAGS_FIXED;
	s->cr0 = st->cr0;
	s->cr2 = st->cr2;
	s->cr3 = st->cr3;
	s->cr4 = st->cr4;
	sv(v)->guest_efer = st->efer;
	/* APM 2 15.5.1: VMRUN requires EFER.SVME in the guest state; the guest's
	 * own view keeps it clear. */
	s->efer = st->efer | EFER_SVME;
	s->dr6 = 0xffff0ff0;
	s->dr7 = 0x400;
}

static void svm_get_state(struct vcpu *v, struct vcpu_state *st)
{
	const struct vmcb_save *s = &sv(v)->vmcb->save;
	const struct vmcb_seg *segs[NSEGS] = { &s->es, &s->cs, &s->ss, &s->ds, &s->fs, &s->gs, &s->tr, &s->ldtr };

	memcpy(st->gpr, v->gpr, sizeof(st->gpr));
	for (int i = 0; i < NSEGS; i++)
		seg_from_vmcb(&st->seg[i], segs[i]);
	st->gdtr.base = s->gdtr.base;
	st->gdtr.limit = s->gdtr.limit;
	st->idtr.base = s->idtr.base;
	st->idtr.limit = s->idtr.limit;
	st->rip = s->rip;
	st->rflags = s->rflags;
	st->cr0 = s->cr0;
	st->cr2 = s->cr2;
	st->cr3 = s->cr3;
	st->cr4 = s->cr4;
	st->efer = sv(v)->guest_efer | (s->efer & (1ULL << 10)); /* LMA is the CPU's */
}

static void decode_exit(struct vcpu *v, struct vm_exit *e)
{
	const struct vmcb_control *c = &sv(v)->vmcb->ctl;
	uint64_t code = c->exitcode;

	memset(e, 0, sizeof(*e));
	e->hw_code = code;
	e->hw_info1 = c->exitinfo1;
	e->hw_info2 = c->exitinfo2;
	if (cpu.nrips && c->next_rip > sv(v)->vmcb->save.rip &&
	    c->next_rip - sv(v)->vmcb->save.rip <= 15)
		e->insn_len = (uint8_t)(c->next_rip - sv(v)->vmcb->save.rip);

	if ((uint32_t)code == SVM_EXIT_INVALID) {
		e->reason = EXIT_ENTRY_FAILED;
		return;
	}
	switch (code) {
	case SVM_EXIT_INTR: e->reason = EXIT_INTR; break;
	case SVM_EXIT_NMI: e->reason = EXIT_NMI; break;
	case SVM_EXIT_VINTR: e->reason = EXIT_INTR_WINDOW; break;
	case SVM_EXIT_CPUID: e->reason = EXIT_CPUID; break;
	case SVM_EXIT_HLT: e->reason = EXIT_HLT; break;
	case SVM_EXIT_PAUSE: e->reason = EXIT_PAUSE; break;
	case SVM_EXIT_XSETBV: e->reason = EXIT_XSETBV; break;
	case SVM_EXIT_SHUTDOWN: e->reason = EXIT_SHUTDOWN; break;
	case SVM_EXIT_VMMCALL:
		e->reason = EXIT_HYPERCALL;
		if (!e->insn_len)
			e->insn_len = 3; /* 0F 01 D9 */
		break;
	case SVM_EXIT_VMRUN: case SVM_EXIT_VMLOAD: case SVM_EXIT_VMSAVE: case SVM_EXIT_STGI:
	case SVM_EXIT_CLGI: case SVM_EXIT_SKINIT: case SVM_EXIT_INVLPGA:
		e->reason = EXIT_VIRT_INSN;
		break;
	case SVM_EXIT_IOIO: {
		uint64_t i1 = c->exitinfo1;
		e->reason = EXIT_IO;
		e->io.in = i1 & 1;
		e->io.string = i1 & 4;
		e->io.rep = i1 & 8;
		e->io.size = (i1 & 0x10) ? 1 : (i1 & 0x20) ? 2 : 4;
		e->io.port = (uint16_t)(i1 >> 16);
		/* APM 2 15.10.2: EXITINFO2 is the next RIP, even without NRIPS. */
		e->insn_len = (uint8_t)(c->exitinfo2 - sv(v)->vmcb->save.rip);
		break;
	}
	case SVM_EXIT_MSR:
		e->reason = c->exitinfo1 ? EXIT_MSR_WRITE : EXIT_MSR_READ;
		e->msr.index = (uint32_t)v->gpr[RCX];
		break;
	case SVM_EXIT_NPF:
		e->reason = EXIT_MMIO;
		e->mmio.gpa = c->exitinfo2;
		e->mmio.present = c->exitinfo1 & 1;
		e->mmio.write = c->exitinfo1 & 2;
		e->mmio.fetch = c->exitinfo1 & 16;
		break;
	default:
		if (code >= SVM_EXIT_EXCP_BASE && code < SVM_EXIT_EXCP_BASE + 32) {
			e->reason = EXIT_EXCEPTION;
			e->exc.vector = (uint8_t)(code - SVM_EXIT_EXCP_BASE);
			e->exc.error = (uint32_t)c->exitinfo1;
			e->exc.has_error = e->exc.vector == 17; /* #AC has one; #DB has not */
		} else {
			e->reason = EXIT_UNKNOWN;
		}
	}
}

/* APM 2 15.16: a vCPU keeps its ASID while it stays on one CPU and the CPU's
 * generation is unchanged; otherwise it gets a fresh one. ASID 0 is the host's.
 * TLB_CONTROL 1 (flush everything) is used for flushes: it is what every SVM
 * implementation, QEMU's TCG included, honours. */
static void assign_asid(struct svm_vcpu *s, struct svm_cpu *c)
{
	struct vmcb_control *ctl = &s->vmcb->ctl;

	ctl->tlb_control = 0;
	if (s->last_cpu != (int)this_cpu()->index || s->asid_generation != c->generation ||
	    !ctl->asid) {
		if (!c->next_asid || c->next_asid >= cpu.svm_asids) {
			c->generation++;
			c->next_asid = 1;
			ctl->tlb_control = 1;
		}
		ctl->asid = c->next_asid++;
		s->asid_generation = c->generation;
	}
	if (s->flush) {
		ctl->tlb_control = 1;
		s->flush = false;
	}
}

static void svm_run(struct vcpu *v, struct vm_exit *e)
{
	struct svm_vcpu *s = sv(v);
	struct vmcb *vmcb = s->vmcb;
	struct svm_cpu *c = &svm_cpus[this_cpu()->index];

	vmcb->save.rax = v->gpr[RAX];
	vmcb->save.rsp = v->gpr[RSP];
	assign_asid(s, c);
	s->last_cpu = (int)this_cpu()->index;
	svm_vmrun(s->vmcb_pa, v->gpr, c->host_save_pa);
	v->gpr[RAX] = vmcb->save.rax;
	v->gpr[RSP] = vmcb->save.rsp;

	/* An event cut short by this exit is delivered again on the next entry
	 * (APM 2 15.7.2); QEMU leaves a stale copy with the valid bit clear. */
	uint64_t ii = vmcb->ctl.exitintinfo;
	if ((ii & SVM_EVTINJ_VALID) && !(vmcb->ctl.eventinj & SVM_EVTINJ_VALID))
		vmcb->ctl.eventinj = ii;
	else if (!(ii & SVM_EVTINJ_VALID))
		vmcb->ctl.eventinj = 0;
	decode_exit(v, e);
}

static bool svm_inject(struct vcpu *v, const struct vm_event *ev)
{
	struct vmcb_control *c = &sv(v)->vmcb->ctl;

	if (c->eventinj & SVM_EVTINJ_VALID)
		return false;
	c->eventinj = ev->vector | ((uint64_t)ev->type << SVM_EVTINJ_TYPE_SHIFT) | SVM_EVTINJ_VALID |
		      (ev->has_error ? SVM_EVTINJ_EV | ((uint64_t)ev->error << 32) : 0);
	return true;
}

static bool svm_irq_window(struct vcpu *v, bool arm)
{
	struct vmcb *vmcb = sv(v)->vmcb;
	bool open = (vmcb->save.rflags & RFLAGS_IF) && !(vmcb->ctl.int_state & 1) &&
		    !(vmcb->ctl.eventinj & SVM_EVTINJ_VALID);

	if (open || !arm) {
		vmcb->ctl.intercepts1 &= ~INTERCEPT1_VINTR;
		vmcb->ctl.vintr &= ~VINTR_IRQ;
		return open;
	}
	/* A virtual interrupt the guest can take only when it could take a real one:
	 * its VINTR intercept is the interrupt window (APM 2 15.21.4). */
	vmcb->ctl.vintr |= VINTR_IRQ | VINTR_IGN_TPR | (0xfULL << VINTR_PRIO_SHIFT);
	vmcb->ctl.intercepts1 |= INTERCEPT1_VINTR;
	return false;
}

static uint64_t svm_get_rip(struct vcpu *v) { return sv(v)->vmcb->save.rip; }
static void svm_set_rip(struct vcpu *v, uint64_t rip)
{
	sv(v)->vmcb->save.rip = rip;
	sv(v)->vmcb->ctl.int_state &= ~1ULL; /* moving past an instruction ends its shadow */
}

static void svm_advance_rip(struct vcpu *v, unsigned len)
{
	struct vmcb *vmcb = sv(v)->vmcb;
	uint64_t rip = vmcb->save.rip + len;

	/* Outside 64-bit code (EFER.LMA and CS.L) RIP is EIP: an instruction
	 * that ends at 4 GiB wraps to 0. */
	if (!((vmcb->save.efer & (1ULL << 10)) && (vmcb->save.cs.attr & SEG_L)))
		rip = (uint32_t)rip;
	vmcb->save.rip = rip;
	vmcb->save.rflags &= ~(1ULL << 16); /* RF */
	vmcb->ctl.int_state &= ~1ULL; /* the shadow ends after one instruction */
}

static void svm_set_rflags(struct vcpu *v, uint64_t rflags)
{
	sv(v)->vmcb->save.rflags = rflags | RFLAGS_FIXED;
}

static void svm_flush_tlb(struct vcpu *v) { sv(v)->flush = true; }
static uint64_t svm_get_efer(struct vcpu *v) { return sv(v)->guest_efer; }

static int svm_set_efer(struct vcpu *v, uint64_t efer)
{
	struct vmcb_save *s = &sv(v)->vmcb->save;
	/* SCE, LME, LMA (read-only), NXE; SVME stays hidden (no nesting yet). */
	const uint64_t allowed = EFER_SCE | EFER_LME | (1ULL << 10) | EFER_NXE;

	if (efer & ~allowed)
		return -EINVAL;
	/* Changing LME while paging is on is a #GP (APM 2 14.6). */
	if ((s->cr0 & CR0_PG) && ((efer ^ sv(v)->guest_efer) & EFER_LME))
		return -EINVAL;
	sv(v)->guest_efer = (efer & ~(1ULL << 10)) | (s->efer & (1ULL << 10));
	s->efer = sv(v)->guest_efer | EFER_SVME;
	return 0;
}

const struct virt_ops svm_ops = {
	.name = "AMD-V",
	.tdp = &tdp_npt,
	.cpu_enable = svm_cpu_enable,
	.vcpu_create = svm_vcpu_create,
	.vcpu_destroy = svm_vcpu_destroy,
	.set_state = svm_set_state,
	.get_state = svm_get_state,
	.run = svm_run,
	.inject = svm_inject,
	.irq_window = svm_irq_window,
	.get_rip = svm_get_rip,
	.set_rip = svm_set_rip,
	.advance_rip = svm_advance_rip,
	.set_rflags = svm_set_rflags,
	.flush_tlb = svm_flush_tlb,
	.get_efer = svm_get_efer,
	.set_efer = svm_set_efer,
};
