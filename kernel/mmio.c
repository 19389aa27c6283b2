/* MMIO exits: the faulting instruction is decoded and emulated against the
 * device that owns the address (the vCPU's own local APIC page, or an MMIO slot
 * of the VM's guest-physical map). */
#include "kernel/mmio.h"

#include "kernel/errno.h"
#include "kernel/emulate.h"
#include "kernel/kstring.h"
#include "kernel/platform.h"
#include "kernel/vcpu.h"
#include "kernel/virt.h"

struct mmio_ctx {
	struct vcpu *v;
	const struct vcpu_state *s;   /* read once for the exit */
	const struct gmap_slot *slot; /* NULL: the vCPU's local APIC */
};

static int dev_read(void *opaque, uint64_t gpa, unsigned size, uint64_t *val)
{
	struct mmio_ctx *c = opaque;

	if (c->slot)
		*val = c->slot->ops->read(c->slot->dev, gpa - c->slot->gpa, size);
	else
		*val = platform_lapic_read(c->v, gpa, size);
	return 0;
}

static int dev_write(void *opaque, uint64_t gpa, unsigned size, uint64_t val)
{
	struct mmio_ctx *c = opaque;

	if (c->slot)
		c->slot->ops->write(c->slot->dev, gpa - c->slot->gpa, size, val);
	else
		platform_lapic_write(c->v, gpa, size, val);
	return 0;
}

static int mem_read(void *opaque, uint64_t la, void *buf, unsigned len)
{
	struct mmio_ctx *c = opaque;
	return vcpu_copy_linear(c->v, c->s, la, buf, len, false);
}

static int mem_write(void *opaque, uint64_t la, const void *buf, unsigned len)
{
	struct mmio_ctx *c = opaque;
	return vcpu_copy_linear(c->v, c->s, la, (void *)buf, len, true);
}

static const struct x86_mem_ops mmio_ops = { dev_read, dev_write, mem_read, mem_write };

static void regs_from_state(struct x86_regs *r, const struct vcpu_state *s)
{
	memcpy(r->gpr, s->gpr, sizeof(r->gpr));
	r->rip = s->rip;
	r->rflags = s->rflags;
	for (int i = 0; i < X86_SEG_COUNT; i++) {
		const struct seg *g = &s->seg[i]; /* ES CS SS DS FS GS: the same order */
		r->seg[i].base = g->base;
		r->seg[i].limit = g->limit;
		r->seg[i].flags = ((g->attr & 0x1c) == 0x14 ? X86_SEGF_EXPDOWN : 0) |
				  (g->attr & SEG_DB ? X86_SEGF_BIG : 0);
	}
}

int mmio_handle(struct vcpu *v, const struct vm_exit *e, struct x86_insn *insn)
{
	struct vm *vm = v->vm;
	struct vcpu_state s;
	struct mmio_ctx c = { v, &s, 0 };
	struct x86_regs regs;

	if (!platform_lapic_claims(v, e->mmio.gpa)) {
		c.slot = gmap_find(&vm->gmap, e->mmio.gpa);
		if (!c.slot || c.slot->kind != GMAP_MMIO)
			return -ENOENT;
	}
	if (e->mmio.fetch)
		return -EPERM; /* executing from a device */
	virt->get_state(v, &s);
	int r = vcpu_decode_at(v, &s, insn);
	if (r)
		return r;
	regs_from_state(&regs, &s);
	uint64_t f = spin_lock_irqsave(&vm->lock);
	r = x86_emulate_mmio(insn, &regs, e->mmio.gpa, e->mmio.write, &mmio_ops, &c);
	spin_unlock_irqrestore(&vm->lock, f);
	if (r < 0)
		return r;
	memcpy(v->gpr, regs.gpr, sizeof(v->gpr));
	virt->set_rflags(v, regs.rflags);
	if (r == X86_EMU_DONE)
		virt->set_rip(v, x86_next_rip(insn, s.rip));
	return 0;
}
