/* vCPUs: creation, the run loop of a time slice, and guest instruction fetch. */
#include "kernel/vcpu.h"

#include "drivers/io.h"
#include "drivers/lapic.h"
#include "kernel/cpu.h"
#include "kernel/errno.h"
#include "kernel/exit.h"
#include "kernel/fpu.h"
#include "kernel/guest_walk.h"
#include "kernel/kstring.h"
#include "kernel/log.h"
#include "kernel/percpu.h"
#include "kernel/platform.h"
#include "kernel/time.h"
#include "kernel/virt.h"
#include "mm/heap.h"

struct vcpu *vcpu_create(struct vm *vm, unsigned id)
{
	struct vcpu *v = kzalloc(sizeof(*v));

	if (!v)
		return 0;
	v->vm = vm;
	v->id = id;
	v->cpu = -1;
	v->run_state = id == 0 ? VCPU_RUNNABLE : VCPU_WAIT_SIPI;
	if (fpu_vcpu_init(v)) {
		kfree(v);
		return 0;
	}
	if (virt->vcpu_create(v)) {
		fpu_vcpu_free(v);
		kfree(v);
		return 0;
	}
	return v;
}

void vcpu_destroy(struct vcpu *v)
{
	virt->vcpu_destroy(v);
	fpu_vcpu_free(v);
	kfree(v);
}

void vcpu_state_after_sipi(struct vcpu_state *s, uint8_t vector)
{
	memset(s, 0, sizeof(*s));
	for (int i = 0; i < NSEGS; i++) {
		s->seg[i].limit = 0xffff;
		s->seg[i].attr = SEG_DATA16;
	}
	s->seg[SEG_CS].sel = (uint16_t)(vector << 8);
	s->seg[SEG_CS].base = (uint64_t)vector << 12;
	s->seg[SEG_CS].attr = SEG_CODE16;
	s->seg[SEG_TR].attr = SEG_TYPE(0x3) | SEG_P; /* busy 16-bit TSS */
	s->seg[SEG_LDTR].attr = SEG_LDT;
	s->gdtr.limit = s->idtr.limit = 0xffff;
	s->rflags = RFLAGS_FIXED;
	s->cr0 = CR0_ET | (1ULL << 30) | (1ULL << 29); /* CD, NW set as after INIT */
	s->gpr[RDX] = 0x600; /* a family-6 processor signature */
}

bool vcpu_wants_cpu(struct vcpu *v)
{
	if (v->vm->state != VM_RUNNING)
		return false;
	if (v->run_state == VCPU_HALTED || v->run_state == VCPU_WAIT_SIPI)
		platform_wake_check(v);
	return v->run_state == VCPU_RUNNABLE;
}

void vcpu_run_slice(struct vcpu *v)
{
	struct vm *vm = v->vm;
	struct vm_exit e;

	/* A slice ends at a host interrupt; and, however it exits, after one
	 * tick's worth of TSC: a guest that exits all the time (polling a port)
	 * must not hold the CPU where interrupts do not end guest mode, as in
	 * Bochs (its SVM lets a guest's RFLAGS.IF mask them) or where each entry
	 * re-arms a VMX-preemption timer. */
	uint64_t end = rdtsc() + (uint64_t)tsc_khz * 1000 / LAPIC_TICK_HZ;

	irq_disable();
	fpu_load(v);
	while (vm->state == VM_RUNNING && v->run_state == VCPU_RUNNABLE) {
		platform_deliver_events(v);
		virt->run(v, &e);
		v->exits++;
		__atomic_add_fetch(&vm->exits[e.reason], 1, __ATOMIC_RELAXED);
		if (e.reason == EXIT_INTR) {
			/* Take the host interrupt (the tick ends the slice). */
			irq_enable();
			irq_disable();
			break;
		}
		if (exit_handle(v, &e))
			break;
		if (rdtsc() >= end) {
			irq_enable(); /* whatever interrupt waited is taken now */
			irq_disable();
			break;
		}
	}
	fpu_save(v);
	irq_enable();
}

static int read_gpa(void *ctx, uint64_t gpa, void *dst, unsigned len)
{
	return gmap_read(&((struct vcpu *)ctx)->vm->gmap, gpa, dst, len);
}

/* Copy between guest-linear memory and buf, page by page through the guest's
 * own page tables and then its guest-physical map. */
static int copy_linear(struct vcpu *v, const struct guest_paging *p, uint64_t la, void *buf,
		       size_t len, bool write)
{
	uint8_t *p8 = buf;

	while (len) {
		uint64_t gpa;
		uint32_t err;
		size_t chunk = 4096 - (la & 4095);
		if (chunk > len)
			chunk = len;
		if (guest_walk(p, la, write, false, read_gpa, v, &gpa, &err))
			return -EFAULT;
		int r = write ? gmap_write(&v->vm->gmap, gpa, p8, chunk)
			      : gmap_read(&v->vm->gmap, gpa, p8, chunk);
		if (r)
			return -EFAULT;
		p8 += chunk;
		la += chunk;
		len -= chunk;
	}
	return 0;
}

static struct guest_paging paging_of(const struct vcpu_state *s)
{
	return (struct guest_paging){ s->cr0, s->cr3, s->cr4, s->efer };
}

int vcpu_copy_linear(struct vcpu *v, const struct vcpu_state *s, uint64_t la, void *buf,
		     size_t len, bool write)
{
	struct guest_paging p = paging_of(s);
	return copy_linear(v, &p, la, buf, len, write);
}

static bool long_mode_code(const struct vcpu_state *s)
{
	return (s->efer & (1ULL << 10)) && (s->seg[SEG_CS].attr & SEG_L);
}

int vcpu_decode_at(struct vcpu *v, const struct vcpu_state *s, struct x86_insn *insn)
{
	uint8_t bytes[X86_INSN_MAX];
	size_t got = 0;
	struct guest_paging p = paging_of(s);
	uint64_t la = s->seg[SEG_CS].base + s->rip;

	if (!long_mode_code(s))
		la = (uint32_t)la;
	/* Fetch up to 15 bytes, stopping early at a page that is not there (the
	 * instruction may still end before it). */
	while (got < sizeof(bytes)) {
		size_t chunk = 4096 - ((la + got) & 4095);
		if (chunk > sizeof(bytes) - got)
			chunk = sizeof(bytes) - got;
		if (copy_linear(v, &p, la + got, bytes + got, chunk, false))
			break;
		got += chunk;
	}
	memset(insn, 0, sizeof(*insn));
	if (!got)
		return -EFAULT;
	enum x86_mode mode = x86_mode_of(s->cr0 & CR0_PE, s->rflags & (1ULL << 17),
					 s->efer & (1ULL << 10), s->seg[SEG_CS].attr & SEG_L,
					 s->seg[SEG_CS].attr & SEG_DB);
	int r = x86_decode(bytes, got, mode, cpu.vendor == CPU_AMD ? X86_DECODE_AMD : 0, insn);
	return r == -EAGAIN ? -EFAULT : r;
}

int vcpu_decode_insn(struct vcpu *v, struct x86_insn *insn)
{
	struct vcpu_state s;

	virt->get_state(v, &s);
	return vcpu_decode_at(v, &s, insn);
}

int vcpu_skip_insn(struct vcpu *v, const struct vm_exit *e)
{
	unsigned len = e->insn_len;

	/* Only an exit that does not give the length needs the whole state, to
	 * decode the instruction at RIP. */
	if (!len) {
		struct vcpu_state s;
		struct x86_insn insn;

		virt->get_state(v, &s);
		int r = vcpu_decode_at(v, &s, &insn);
		if (r)
			return r;
		len = insn.len;
	}
	virt->advance_rip(v, len);
	return 0;
}

void vcpu_inject_exception(struct vcpu *v, uint8_t vector, bool has_error, uint32_t error)
{
	struct vm_event ev = { true, EVENT_EXCEPTION, vector, has_error, error };

	virt->inject(v, &ev);
}
