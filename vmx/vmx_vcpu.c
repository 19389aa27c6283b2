/* VT-x vCPUs: one VMCS each, made current on the CPU that touches it (VMCLEAR
 * on the old CPU first when it moves), guest state to and from struct
 * vcpu_state, events, and the run loop around VMLAUNCH/VMRESUME. */
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

#define EFER_LMA (1ULL << 10)
#define CR4_PAE (1ULL << 5)
#define RFLAGS_IF_BIT (1ULL << 9)
#define MSR_PAT 0x277
#define PAT_POWER_ON 0x0007040600070406ULL
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

static struct vmx_vcpu *vx(struct vcpu *v) { return v->arch; }

static bool irqs_on(void)
{
	uint64_t f;
	__asm__ volatile("pushfq; popq %0" : "=r"(f));
	return f & RFLAGS_IF_BIT;
}

static inline void write_cr2(uint64_t v) { __asm__ volatile("mov %0, %%cr2" : : "r"(v) : "memory"); }

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

static void lazy_save(struct vmx_vcpu *s)
{
	for (int i = 0; i < VMX_NLAZY; i++)
		s->lazy_msr[i] = rdmsr(lazy_msr_index[i]);
	s->cr2 = read_cr2();
}

static void lazy_switch(struct vmx_cpu *c, struct vmx_vcpu *s)
{
	if (c->msr_owner == s)
		return;
	if (c->msr_owner)
		lazy_save(c->msr_owner);
	for (int i = 0; i < VMX_NLAZY; i++)
		wrmsr(lazy_msr_index[i], s->lazy_msr[i]);
	write_cr2(s->cr2);
	c->msr_owner = s;
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

static void write_state(struct vmx_vcpu *s, const struct vcpu_state *st);

/* Runs on the CPU where s is active: write it back and forget it there. */
static void clear_here(void *arg)
{
	struct vmx_vcpu *s = arg;
	struct vmx_cpu *c = &vmx_cpus[this_cpu()->index];

	if (s->loaded_cpu != (int)this_cpu()->index)
		return;
	if (c->msr_owner == s) {
		lazy_save(s);
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
		write_state(s, &s->pending);
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
	struct vmx_vcpu *s = vx(v);

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

/* ---- state ---- */

static void write_state(struct vmx_vcpu *s, const struct vcpu_state *st)
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
	} else if (s->loaded_cpu == (int)this_cpu()->index && acquire(s, false)) {
		if (c->write)
			write_state(s, c->st);
		else
			read_state(s, c->st);
		c->done = true;
	}
	irq_restore(f);
}

static void state_call(struct vcpu *v, struct vcpu_state *st, bool write)
{
	struct vmx_vcpu *s = vx(v);
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

static void vmx_set_state(struct vcpu *v, const struct vcpu_state *st)
{
	memcpy(v->gpr, st->gpr, sizeof(v->gpr));
	state_call(v, (struct vcpu_state *)st, true);
}

static void vmx_get_state(struct vcpu *v, struct vcpu_state *st)
{
	memset(st, 0, sizeof(*st));
	state_call(v, st, false);
	memcpy(st->gpr, v->gpr, sizeof(st->gpr));
}

/* ---- events ---- */

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
static void deliver_nmi(struct vmx_vcpu *s)
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

static bool vmx_inject(struct vcpu *v, const struct vm_event *ev)
{
	struct vmx_vcpu *s = vx(v);
	uint64_t f = irq_save();
	bool ok = false;

	if (acquire(s, false)) {
		if (ev->type == EVENT_NMI) {
			ok = !s->nmi_pending;
			s->nmi_pending = true;
			deliver_nmi(s);
		} else {
			uint32_t info = ev->vector | ((uint32_t)ev->type << 8) | VMX_INTR_VALID |
					(ev->has_error ? VMX_INTR_HAS_ERROR : 0);
			ok = vmx_queue_event(s, info, ev->error, ev->type == EVENT_SOFTINT ? 2 : 0);
		}
	}
	irq_restore(f);
	return ok;
}

static bool vmx_irq_window(struct vcpu *v, bool arm)
{
	struct vmx_vcpu *s = vx(v);
	uint64_t f = irq_save();
	bool open = false;

	if (acquire(s, false)) {
		uint32_t block = (uint32_t)vmcs_read(VMCS_GUEST_INTERRUPTIBILITY);
		open = (vmcs_read(VMCS_GUEST_RFLAGS) & RFLAGS_IF_BIT) &&
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

/* An event whose delivery the exit interrupted is delivered again on the next
 * entry (SDM 3C 28.2.4, 27.2.3). */
static void reinject_vectoring(struct vmx_vcpu *s)
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

static void vmx_run(struct vcpu *v, struct vm_exit *e)
{
	struct vmx_vcpu *s = vx(v);
	struct vmx_cpu *c = &vmx_cpus[this_cpu()->index];

	if (!acquire(s, true)) {
		fail_entry(s, e, true, 0);
		s->insn_error = c->on ? 0 : ~0u;
		return;
	}
	lazy_switch(c, s);
	for (;;) {
		if (s->flush) {
			/* SDM 3C 29.4.3: drop what is cached for this EPTP and VPID. */
			vmx_invept(vmx_cfg.invept_single ? 1 : 2, s->eptp);
			if (vmx_cfg.vpid)
				vmx_invvpid(vmx_cfg.invvpid_single ? 1 : 2, s->vpid);
			s->flush = false;
		}
		deliver_nmi(s);
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
		reinject_vectoring(s);
		if (!vmx_decode_exit(s, v, reason & 0xffff, e))
			return;
	}
}

static void vmx_describe_failure(struct vcpu *v, char *buf, size_t len)
{
	struct vmx_vcpu *s = vx(v);
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

/* ---- small accessors ---- */

static uint64_t vmx_get_rip(struct vcpu *v)
{
	uint64_t f = irq_save(), rip = 0;

	if (acquire(vx(v), false))
		rip = vmcs_read(VMCS_GUEST_RIP);
	else if (vx(v)->pending_valid)
		rip = vx(v)->pending.rip;
	irq_restore(f);
	return rip;
}

static void vmx_set_rip(struct vcpu *v, uint64_t rip)
{
	uint64_t f = irq_save();

	if (acquire(vx(v), false)) {
		vmcs_write(VMCS_GUEST_RIP, rip);
		/* Moving past an instruction ends its STI/MOV SS shadow. */
		uint32_t block = (uint32_t)vmcs_read(VMCS_GUEST_INTERRUPTIBILITY);
		if (block & (VMX_BLOCK_STI | VMX_BLOCK_MOVSS))
			vmcs_write(VMCS_GUEST_INTERRUPTIBILITY, block & ~(VMX_BLOCK_STI | VMX_BLOCK_MOVSS));
	}
	irq_restore(f);
}

static void vmx_advance_rip(struct vcpu *v, unsigned len)
{
	uint64_t f = irq_save();

	if (acquire(vx(v), false)) {
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

static void vmx_set_rflags(struct vcpu *v, uint64_t rflags)
{
	uint64_t f = irq_save();

	if (acquire(vx(v), false))
		vmcs_write(VMCS_GUEST_RFLAGS, rflags | RFLAGS_FIXED);
	irq_restore(f);
}

static void vmx_flush_tlb(struct vcpu *v) { vx(v)->flush = true; }

static uint64_t vmx_get_efer(struct vcpu *v)
{
	uint64_t f = irq_save(), efer = 0;

	if (acquire(vx(v), false))
		efer = vmcs_read(VMCS_GUEST_EFER);
	irq_restore(f);
	return efer;
}

static int vmx_set_efer(struct vcpu *v, uint64_t efer)
{
	struct vmx_vcpu *s = vx(v);
	/* SCE, LME, LMA (read-only), NXE; no SVME on Intel. */
	const uint64_t allowed = EFER_SCE | EFER_LME | EFER_LMA | EFER_NXE;
	uint64_t f = irq_save();
	int r = -EBUSY;

	if (acquire(s, false)) {
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
