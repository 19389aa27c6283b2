/* VT-x guest state: struct vcpu_state to and from the VMCS (on the CPU where
 * it is active, or held in s->pending while it is active nowhere), the MSRs
 * and CR2 that entry and exit do not switch, and the single registers the core
 * changes (RIP, RFLAGS, EFER). */
#include "drivers/io.h"
#include "kernel/errno.h"
#include "kernel/kstring.h"
#include "kernel/log.h"
#include "kernel/percpu.h"
#include "kernel/smp.h"
#include "kernel/vm.h"
#include "vmx/vmx.h"
#include "vmx/vmx_insn.h"

#define EFER_LMA (1ULL << 10)
#define CR4_PAE (1ULL << 5)
#define AR_UNUSABLE (1u << 16)
#define AR_L (1u << 13) /* CS.L in the access rights (SDM 3C 25.4.1) */
#define RFLAGS_RF (1ULL << 16)

static const uint32_t lazy_msr_index[VMX_NLAZY] = {
	[VMX_STAR] = 0xC0000081, [VMX_LSTAR] = 0xC0000082, [VMX_CSTAR] = 0xC0000083,
	[VMX_SFMASK] = 0xC0000084, [VMX_KERNEL_GS_BASE] = 0xC0000102,
};

static const struct {
	enum vmcs_field sel, limit, ar, base;
} seg_fields[NSEGS] = {
	[SEG_ES] = { VMCS_GUEST_ES_SEL, VMCS_GUEST_ES_LIMIT, VMCS_GUEST_ES_AR, VMCS_GUEST_ES_BASE },
	[SEG_CS] = { VMCS_GUEST_CS_SEL, VMCS_GUEST_CS_LIMIT, VMCS_GUEST_CS_AR, VMCS_GUEST_CS_BASE },
	[SEG_SS] = { VMCS_GUEST_SS_SEL, VMCS_GUEST_SS_LIMIT, VMCS_GUEST_SS_AR, VMCS_GUEST_SS_BASE },
	[SEG_DS] = { VMCS_GUEST_DS_SEL, VMCS_GUEST_DS_LIMIT, VMCS_GUEST_DS_AR, VMCS_GUEST_DS_BASE },
	[SEG_FS] = { VMCS_GUEST_FS_SEL, VMCS_GUEST_FS_LIMIT, VMCS_GUEST_FS_AR, VMCS_GUEST_FS_BASE },
	[SEG_GS] = { VMCS_GUEST_GS_SEL, VMCS_GUEST_GS_LIMIT, VMCS_GUEST_GS_AR, VMCS_GUEST_GS_BASE },
	[SEG_TR] = { VMCS_GUEST_TR_SEL, VMCS_GUEST_TR_LIMIT, VMCS_GUEST_TR_AR, VMCS_GUEST_TR_BASE },
	[SEG_LDTR] = { VMCS_GUEST_LDTR_SEL, VMCS_GUEST_LDTR_LIMIT, VMCS_GUEST_LDTR_AR,
		       VMCS_GUEST_LDTR_BASE },
};

static bool irqs_on(void)
{
	uint64_t f;
	__asm__ volatile("pushfq; popq %0" : "=r"(f));
	return f & RFLAGS_IF;
}

static inline void write_cr2(uint64_t v) { __asm__ volatile("mov %0, %%cr2" : : "r"(v) : "memory"); }

/* ---- segments: struct seg attributes <-> VMCS access rights (SDM 3C 25.4.1) ---- */

static uint32_t ar_of(uint16_t attr) { return (attr & 0xffu) | ((uint32_t)(attr & 0xf00) << 4); }
static uint16_t attr_of(uint32_t ar)
{
	return ar & AR_UNUSABLE ? 0 : (uint16_t)((ar & 0xff) | ((ar >> 4) & 0xf00));
}

/* What VM entry insists on (SDM 3C 26.3.1.2) that a loader's or the INIT
 * state may leave loose: usable code/data segments accessed, a busy TSS, an
 * unusable segment marked so. */
static uint32_t seg_ar(int i, uint16_t attr, bool long_mode)
{
	uint32_t ar = ar_of(attr);

	if (i == SEG_TR) {
		unsigned type = attr & 0xf;
		if (!(attr & SEG_P) || (type != 3 && type != 11 && type != 1 && type != 9))
			return ar_of(SEG_TSS32_BUSY);
		type |= 2; /* busy */
		if (long_mode)
			type = 11;
		return (ar & ~0xfu) | type;
	}
	if (!(attr & SEG_P))
		return i == SEG_CS ? ar | 1 : AR_UNUSABLE;
	if (i == SEG_LDTR)
		return (ar & ~0xfu) | 2;
	if (attr & SEG_S)
		ar |= 1; /* accessed */
	return ar;
}

/* ---- lazy MSRs and CR2 ---- */

void vmx_lazy_save(struct vmx_vcpu *s)
{
	for (int i = 0; i < VMX_NLAZY; i++)
		s->lazy_msr[i] = rdmsr(lazy_msr_index[i]);
	s->cr2 = read_cr2();
}

void vmx_lazy_switch(struct vmx_cpu *c, struct vmx_vcpu *s)
{
	if (c->msr_owner == s)
		return;
	if (c->msr_owner)
		vmx_lazy_save(c->msr_owner);
	for (int i = 0; i < VMX_NLAZY; i++)
		wrmsr(lazy_msr_index[i], s->lazy_msr[i]);
	write_cr2(s->cr2);
	c->msr_owner = s;
}

/* ---- state ---- */

void vmx_write_state(struct vmx_vcpu *s, const struct vcpu_state *st)
{
	uint64_t efer = st->efer & ~EFER_LMA;
	bool lma = (efer & EFER_LME) && (st->cr0 & CR0_PG);

	if (lma)
		efer |= EFER_LMA;
	for (int i = 0; i < NSEGS; i++) {
		vmcs_write(seg_fields[i].sel, st->seg[i].sel);
		vmcs_write(seg_fields[i].limit, st->seg[i].limit);
		vmcs_write(seg_fields[i].ar, seg_ar(i, st->seg[i].attr, lma));
		vmcs_write(seg_fields[i].base, st->seg[i].base);
	}
	vmcs_write(VMCS_GUEST_GDTR_BASE, st->gdtr.base);
	vmcs_write(VMCS_GUEST_GDTR_LIMIT, st->gdtr.limit);
	vmcs_write(VMCS_GUEST_IDTR_BASE, st->idtr.base);
	vmcs_write(VMCS_GUEST_IDTR_LIMIT, st->idtr.limit);
	vmcs_write(VMCS_GUEST_RIP, st->rip);
	vmcs_write(VMCS_GUEST_RFLAGS, st->rflags | RFLAGS_FIXED);
	vmcs_write(VMCS_GUEST_CR3, st->cr3);
	vmcs_write(VMCS_GUEST_EFER, efer);
	s->entry_ctl = lma ? s->entry_ctl | VMX_ENTRY_IA32E_GUEST : s->entry_ctl & ~VMX_ENTRY_IA32E_GUEST;
	vmcs_write(VMCS_ENTRY_CONTROLS, s->entry_ctl);
	vmx_set_cr0(s, st->cr0);
	vmx_set_cr4(s, st->cr4);
	/* SDM 3C 26.3.2.4: with EPT, PAE paging outside long mode takes its PDPTEs
	 * from the VMCS on entry, not from memory. */
	if ((st->cr0 & CR0_PG) && (st->cr4 & CR4_PAE) && !lma) {
		uint64_t pdpte[4] = { 0 };
		gmap_read(&s->v->vm->gmap, st->cr3 & ~0x1fULL, pdpte, sizeof(pdpte));
		vmcs_write(VMCS_GUEST_PDPTE0, pdpte[0]);
		vmcs_write(VMCS_GUEST_PDPTE1, pdpte[1]);
		vmcs_write(VMCS_GUEST_PDPTE2, pdpte[2]);
		vmcs_write(VMCS_GUEST_PDPTE3, pdpte[3]);
	}
	vmcs_write(VMCS_GUEST_INTERRUPTIBILITY, 0);
	vmcs_write(VMCS_GUEST_ACTIVITY_STATE, 0);
	vmcs_write(VMCS_ENTRY_INTR_INFO, 0);
	s->entry_intr = 0;
	s->nmi_pending = false;
	s->cr2 = st->cr2;
	if (vmx_cpus[this_cpu()->index].msr_owner == s)
		write_cr2(st->cr2);
}

static void read_state(struct vmx_vcpu *s, struct vcpu_state *st)
{
	for (int i = 0; i < NSEGS; i++) {
		st->seg[i].sel = (uint16_t)vmcs_read(seg_fields[i].sel);
		st->seg[i].limit = (uint32_t)vmcs_read(seg_fields[i].limit);
		st->seg[i].attr = attr_of((uint32_t)vmcs_read(seg_fields[i].ar));
		st->seg[i].base = vmcs_read(seg_fields[i].base);
	}
	st->gdtr.base = vmcs_read(VMCS_GUEST_GDTR_BASE);
	st->gdtr.limit = (uint32_t)vmcs_read(VMCS_GUEST_GDTR_LIMIT);
	st->idtr.base = vmcs_read(VMCS_GUEST_IDTR_BASE);
	st->idtr.limit = (uint32_t)vmcs_read(VMCS_GUEST_IDTR_LIMIT);
	st->rip = vmcs_read(VMCS_GUEST_RIP);
	st->rflags = vmcs_read(VMCS_GUEST_RFLAGS);
	st->cr0 = vmx_view_cr0(s);
	st->cr4 = vmx_view_cr4(s);
	st->cr3 = vmcs_read(VMCS_GUEST_CR3);
	st->efer = vmcs_read(VMCS_GUEST_EFER);
	st->cr2 = vmx_cpus[this_cpu()->index].msr_owner == s ? read_cr2() : s->cr2;
}

struct state_call {
	struct vmx_vcpu *s;
	struct vcpu_state *st;
	bool write, done;
};

/* Where the VMCS is not active anywhere the state waits in s->pending;
 * where it is active here it is read or written directly. */
static void state_here(void *arg)
{
	struct state_call *c = arg;
	struct vmx_vcpu *s = c->s;
	uint64_t f = irq_save();

	if (s->loaded_cpu < 0) {
		if (c->write) {
			s->pending = *c->st;
			s->pending_valid = true;
		} else if (s->pending_valid) {
			*c->st = s->pending;
		}
		c->done = true;
	} else if (s->loaded_cpu == (int)this_cpu()->index && vmx_acquire(s)) {
		if (c->write)
			vmx_write_state(s, c->st);
		else
			read_state(s, c->st);
		c->done = true;
	}
	irq_restore(f);
}

static void state_call(struct vcpu *v, struct vcpu_state *st, bool write)
{
	struct vmx_vcpu *s = vmx_of(v);
	struct state_call c = { s, st, write, false };

	state_here(&c);
	if (!c.done && irqs_on()) {
		int cpu = s->loaded_cpu;
		if (cpu >= 0)
			smp_call((uint32_t)cpu, state_here, &c);
	}
	if (!c.done)
		pr_warn("vmx: %s vCPU %u: its VMCS is busy on CPU %d; state not %s\n", v->vm->name,
			v->id, s->loaded_cpu, write ? "set" : "read");
}

void vmx_set_state(struct vcpu *v, const struct vcpu_state *st)
{
	memcpy(v->gpr, st->gpr, sizeof(v->gpr));
	state_call(v, (struct vcpu_state *)st, true);
}

void vmx_get_state(struct vcpu *v, struct vcpu_state *st)
{
	memset(st, 0, sizeof(*st));
	state_call(v, st, false);
	memcpy(st->gpr, v->gpr, sizeof(st->gpr));
}

/* ---- small accessors ---- */

uint64_t vmx_get_rip(struct vcpu *v)
{
	uint64_t f = irq_save(), rip = 0;

	if (vmx_acquire(vmx_of(v)))
		rip = vmcs_read(VMCS_GUEST_RIP);
	else if (vmx_of(v)->pending_valid)
		rip = vmx_of(v)->pending.rip;
	irq_restore(f);
	return rip;
}

void vmx_set_rip(struct vcpu *v, uint64_t rip)
{
	uint64_t f = irq_save();

	if (vmx_acquire(vmx_of(v))) {
		vmcs_write(VMCS_GUEST_RIP, rip);
		/* Moving past an instruction ends its STI/MOV SS shadow. */
		uint32_t block = (uint32_t)vmcs_read(VMCS_GUEST_INTERRUPTIBILITY);
		if (block & (VMX_BLOCK_STI | VMX_BLOCK_MOVSS))
			vmcs_write(VMCS_GUEST_INTERRUPTIBILITY, block & ~(VMX_BLOCK_STI | VMX_BLOCK_MOVSS));
	}
	irq_restore(f);
}

void vmx_advance_rip(struct vcpu *v, unsigned len)
{
	uint64_t f = irq_save();

	if (vmx_acquire(vmx_of(v))) {
		uint64_t rip = vmcs_read(VMCS_GUEST_RIP) + len;
		/* Outside 64-bit code (EFER.LMA and CS.L) RIP is EIP: an
		 * instruction that ends at 4 GiB wraps to 0. */
		if (!((vmcs_read(VMCS_GUEST_CS_AR) & AR_L) && (vmcs_read(VMCS_GUEST_EFER) & EFER_LMA)))
			rip = (uint32_t)rip;
		vmcs_write(VMCS_GUEST_RIP, rip);
		uint64_t rflags = vmcs_read(VMCS_GUEST_RFLAGS);
		if (rflags & RFLAGS_RF)
			vmcs_write(VMCS_GUEST_RFLAGS, rflags & ~RFLAGS_RF);
		/* The STI/MOV SS shadow covers one instruction: this one. */
		uint32_t block = (uint32_t)vmcs_read(VMCS_GUEST_INTERRUPTIBILITY);
		if (block & (VMX_BLOCK_STI | VMX_BLOCK_MOVSS))
			vmcs_write(VMCS_GUEST_INTERRUPTIBILITY, block & ~(VMX_BLOCK_STI | VMX_BLOCK_MOVSS));
	}
	irq_restore(f);
}

void vmx_set_rflags(struct vcpu *v, uint64_t rflags)
{
	uint64_t f = irq_save();

	if (vmx_acquire(vmx_of(v)))
		vmcs_write(VMCS_GUEST_RFLAGS, rflags | RFLAGS_FIXED);
	irq_restore(f);
}

uint64_t vmx_get_efer(struct vcpu *v)
{
	uint64_t f = irq_save(), efer = 0;

	if (vmx_acquire(vmx_of(v)))
		efer = vmcs_read(VMCS_GUEST_EFER);
	irq_restore(f);
	return efer;
}

int vmx_set_efer(struct vcpu *v, uint64_t efer)
{
	struct vmx_vcpu *s = vmx_of(v);
	/* SCE, LME, LMA (read-only), NXE; no SVME on Intel. */
	const uint64_t allowed = EFER_SCE | EFER_LME | EFER_LMA | EFER_NXE;
	uint64_t f = irq_save();
	int r = -EBUSY;

	if (vmx_acquire(s)) {
		uint64_t cur = vmcs_read(VMCS_GUEST_EFER);
		r = -EINVAL;
		/* Changing LME while paging is on is a #GP (SDM 3A 9.8.5). */
		if (!(efer & ~allowed) &&
		    !((vmcs_read(VMCS_GUEST_CR0) & CR0_PG) && ((efer ^ cur) & EFER_LME))) {
			vmcs_write(VMCS_GUEST_EFER, (efer & ~EFER_LMA) | (cur & EFER_LMA));
			r = 0;
		}
	}
	irq_restore(f);
	return r;
}
