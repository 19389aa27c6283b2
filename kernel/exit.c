/* The exits every backend produces, handled once: CPUID, MSRs, port I/O, MMIO,
 * HLT, hypercalls, shutdown. A guest never panics Terrapin: anything that cannot
 * be handled stops that VM with the reason. */
#include "kernel/exit.h"

#include "drivers/io.h"
#include "kernel/cpu.h"
#include "kernel/cpuid.h"
#include "kernel/errno.h"
#include "kernel/fpu.h"
#include "kernel/kstring.h"
#include "kernel/log.h"
#include "kernel/msr.h"
#include "kernel/mmio.h"
#include "kernel/platform.h"
#include "kernel/printf.h"
#include "kernel/vcpu.h"
#include "kernel/time.h"
#include "kernel/vdev/lapic.h"
#include "kernel/virt.h"

#define MSR_TSC 0x10

/* ---- CPUID: the host's, filtered to what Terrapin virtualizes ---- */

static bool handle_cpuid(struct vcpu *v, const struct vm_exit *e)
{
	uint32_t leaf = (uint32_t)v->gpr[RAX], sub = (uint32_t)v->gpr[RCX];
	struct cpuid_guest g = {
		.host_max_basic = cpuid(0, 0).eax,
		.nvcpus = v->vm->nvcpus,
		.vcpu_id = v->id,
		.tsc_khz = tsc_khz,
		.lapic_khz = (uint32_t)(VLAPIC_BUS_HZ / 1000),
		.hc_abi = HC_ABI_VERSION,
	};
	if (cpuid_needs_osxsave(leaf)) {
		struct vcpu_state s;
		virt->get_state(v, &s);
		g.osxsave = s.cr4 & CR4_OSXSAVE;
	}
	struct cpuid_regs r = cpuid(leaf, sub);
	cpuid_filter(leaf, sub, &g, &r);
	v->gpr[RAX] = r.eax;
	v->gpr[RBX] = r.ebx;
	v->gpr[RCX] = r.ecx;
	v->gpr[RDX] = r.edx;
	(void)e;
	return false;
}

/* ---- MSRs: a short allow-list; anything else is #GP in the guest ---- */

static int msr_read(struct vcpu *v, uint32_t index, uint64_t *val)
{
	int r = platform_lapic_msr(v, index, val, false);

	if (r != -ENOENT)
		return r;
	switch (index) {
	case MSR_EFER: *val = virt->get_efer(v); return 0;
	case MSR_TSC: *val = rdtsc() - v->vm->start_tsc; return 0;
	}
	r = msr_fixed(index, val, false, cpu.vendor == CPU_INTEL);
	return r == -ENOENT ? -EPERM : r;
}

static int msr_write(struct vcpu *v, uint32_t index, uint64_t val)
{
	int r = platform_lapic_msr(v, index, &val, true);

	if (r != -ENOENT)
		return r;
	if (index == MSR_EFER)
		return virt->set_efer(v, val);
	r = msr_fixed(index, &val, true, cpu.vendor == CPU_INTEL);
	return r == -ENOENT ? -EPERM : r;
}

/* XSETBV (SDM 2): XCR0 per vCPU. CR4.OSXSAVE clear is #UD; CPL above 0 or a
 * value the rules refuse is #GP(0). Returns false when it faulted. */
static bool handle_xsetbv(struct vcpu *v)
{
	struct vcpu_state s;

	virt->get_state(v, &s);
	if (!(s.cr4 & CR4_OSXSAVE)) {
		vcpu_inject_exception(v, 6, false, 0);
		return false;
	}
	bool cpl0 = !(s.cr0 & CR0_PE) || !((s.seg[SEG_SS].attr >> 5) & 3);
	uint64_t val = (v->gpr[RDX] << 32) | (uint32_t)v->gpr[RAX];
	if (!cpl0 || fpu_set_xcr(v, (uint32_t)v->gpr[RCX], val)) {
		vcpu_inject_exception(v, 13, true, 0);
		return false;
	}
	return true;
}

/* Returns false when the access faulted (RIP stays on the instruction). */
static bool handle_msr(struct vcpu *v, const struct vm_exit *e)
{
	uint32_t index = e->msr.index;
	int r;

	if (e->reason == EXIT_MSR_READ) {
		uint64_t val = 0;
		r = msr_read(v, index, &val);
		if (!r) {
			v->gpr[RAX] = (uint32_t)val;
			v->gpr[RDX] = val >> 32;
		}
	} else {
		r = msr_write(v, index, (v->gpr[RDX] << 32) | (uint32_t)v->gpr[RAX]);
	}
	if (r) {
		pr_debug("vm %s: %s of MSR 0x%x refused: #GP\n", v->vm->name,
			 e->reason == EXIT_MSR_READ ? "read" : "write", index);
		vcpu_inject_exception(v, 13, true, 0);
		return false;
	}
	return true;
}

/* ---- Port I/O ---- */

static uint32_t io_in(struct vm *vm, uint16_t port, unsigned size)
{
	for (unsigned i = 0; i < vm->ndev; i++) {
		const struct vdev_ops *o = vm->dev[i].ops;
		if (o->io_read && port >= o->port_base && port - o->port_base < o->port_count)
			return o->io_read(vm->dev[i].dev, port, size);
	}
	return 0xffffffffu; /* nothing there: an empty bus reads all ones */
}

static void io_out(struct vm *vm, uint16_t port, unsigned size, uint32_t val)
{
	for (unsigned i = 0; i < vm->ndev; i++) {
		const struct vdev_ops *o = vm->dev[i].ops;
		if (o->io_write && port >= o->port_base && port - o->port_base < o->port_count) {
			o->io_write(vm->dev[i].dev, port, size, val);
			return;
		}
	}
}

static void stop_with_insn(struct vcpu *v, const char *what);

/* Elements moved per exit at most: a long REP INS/OUTS goes on after the guest
 * has had the chance to take interrupts, as between hardware iterations. */
#define STRING_IO_BATCH 1024

/* INS/OUTS, with or without REP (SDM 2 INS/OUTS): one element at a time between
 * the port and guest memory at ES:rDI (INS) or seg:rSI (OUTS, DS unless
 * overridden), stepping by the size, backwards when RFLAGS.DF is set. Returns
 * -1 when every iteration is done (RIP then moves on), 0 to re-execute the
 * instruction for the rest, or stops the VM on memory it cannot reach. */
static int string_io(struct vcpu *v, const struct vm_exit *e, const struct x86_insn *insn,
		     const struct vcpu_state *s)
{
	struct vm *vm = v->vm;
	unsigned size = e->io.size;
	uint64_t amask = insn->addrsize == 8 ? ~0ULL : insn->addrsize == 4 ? 0xffffffffULL : 0xffff;
	enum gpr idx = e->io.in ? RDI : RSI;
	unsigned seg = e->io.in ? SEG_ES : insn->seg != X86_SEG_NONE ? insn->seg : SEG_DS;
	int64_t step = (s->rflags & (1ULL << 10)) ? -(int64_t)size : (int64_t)size;
	bool long64 = (s->efer & (1ULL << 10)) && (s->seg[SEG_CS].attr & SEG_L);
	uint64_t base = long64 && seg != SEG_FS && seg != SEG_GS ? 0 : s->seg[seg].base;
	uint64_t count = insn->rep ? v->gpr[RCX] & amask : 1;

	for (unsigned n = 0; count && n < STRING_IO_BATCH; n++) {
		uint64_t off = v->gpr[idx] & amask;
		uint64_t la = base + off;
		uint32_t val = 0;
		if (!long64)
			la = (uint32_t)la;
		if (e->io.in) {
			uint64_t f = spin_lock_irqsave(&vm->lock);
			val = io_in(vm, e->io.port, size);
			spin_unlock_irqrestore(&vm->lock, f);
			if (vcpu_copy_linear(v, s, la, &val, size, true))
				goto fault;
		} else {
			if (vcpu_copy_linear(v, s, la, &val, size, false))
				goto fault;
			uint64_t f = spin_lock_irqsave(&vm->lock);
			io_out(vm, e->io.port, size, val);
			spin_unlock_irqrestore(&vm->lock, f);
		}
		v->gpr[idx] = (v->gpr[idx] & ~amask) | ((off + (uint64_t)step) & amask);
		count--;
		if (insn->rep)
			v->gpr[RCX] = (v->gpr[RCX] & ~amask) | count;
		vm_handle_exit_request(vm);
		if (vm->state != VM_RUNNING)
			return 0;
	}
	return count ? 0 : -1;
fault:
	vm_stop(vm, "%s at rip 0x%llx: guest-linear 0x%llx is not the guest's memory",
		e->io.in ? "INS" : "OUTS", (unsigned long long)s->rip,
		(unsigned long long)(base + (v->gpr[idx] & amask)));
	return 0;
}

static bool handle_string_io(struct vcpu *v, const struct vm_exit *e)
{
	struct x86_insn insn;
	struct vcpu_state s;

	virt->get_state(v, &s);
	if (vcpu_decode_at(v, &s, &insn)) {
		stop_with_insn(v, "could not decode a string I/O instruction");
		return true;
	}
	int r = string_io(v, e, &insn, &s);
	if (v->vm->state != VM_RUNNING)
		return true;
	if (r < 0) /* all done: past the instruction */
		virt->set_rip(v, x86_next_rip(&insn, s.rip));
	return false;
}

static bool handle_io(struct vcpu *v, const struct vm_exit *e)
{
	struct vm *vm = v->vm;
	unsigned size = e->io.size;
	uint32_t mask = size == 4 ? 0xffffffffu : (1u << (size * 8)) - 1;

	uint64_t f = spin_lock_irqsave(&vm->lock);
	if (e->io.in) {
		uint32_t val = io_in(vm, e->io.port, size) & mask;
		v->gpr[RAX] = size == 4 ? val : ((v->gpr[RAX] & ~(uint64_t)mask) | val);
	} else {
		io_out(vm, e->io.port, size, (uint32_t)v->gpr[RAX] & mask);
	}
	spin_unlock_irqrestore(&vm->lock, f);
	vm_handle_exit_request(vm);
	return vm->state != VM_RUNNING;
}

/* ---- Hypercalls ---- */

static bool handle_hypercall(struct vcpu *v)
{
	struct vm *vm = v->vm;
	uint64_t fn = v->gpr[RAX];
	int64_t ret = -ENOSYS;

	switch (fn) {
	case HC_VERSION:
		ret = HC_ABI_VERSION;
		break;
	case HC_CONSOLE_WRITE: {
		static char buf[4096];
		uint64_t len = v->gpr[RCX];
		if (len > sizeof(buf)) {
			ret = -E2BIG;
			break;
		}
		uint64_t f = spin_lock_irqsave(&vm->lock);
		ret = gmap_read(&vm->gmap, v->gpr[RBX], buf, len);
		if (!ret && vm->host.console_out)
			vm->host.console_out(vm, buf, len);
		spin_unlock_irqrestore(&vm->lock, f);
		if (!ret)
			ret = (int64_t)len;
		break;
	}
	case HC_EXIT:
		vm_exit_status(vm, (int)v->gpr[RBX]);
		return true;
	}
	v->gpr[RAX] = (uint64_t)ret;
	return false;
}

/* ---- Stopping with the instruction shown ---- */

static void stop_with_insn(struct vcpu *v, const char *what)
{
	struct x86_insn insn;
	char bytes[3 * X86_INSN_MAX + 1];
	int n = 0;

	/* The instruction itself when it decodes, else what could be fetched. */
	unsigned n_show = vcpu_decode_insn(v, &insn) ? insn.nbytes : insn.len;
	for (unsigned i = 0; i < n_show && i < X86_INSN_MAX; i++)
		n += ksnprintf(bytes + n, sizeof(bytes) - n, "%s%02x", i ? " " : "", insn.bytes[i]);
	bytes[n] = 0;
	vm_stop(v->vm, "%s at rip 0x%llx (bytes: %s)", what, (unsigned long long)virt->get_rip(v),
		n ? bytes : "unreadable");
}

static bool handle_mmio(struct vcpu *v, const struct vm_exit *e)
{
	struct x86_insn insn;
	int r = mmio_handle(v, e, &insn);

	if (!r)
		return v->vm->state != VM_RUNNING;
	if (r == -ENOENT || r == -EPERM) {
		vm_stop(v->vm, "%s unbacked guest-physical address 0x%llx at rip 0x%llx",
			e->mmio.fetch ? "executed at" : e->mmio.write ? "wrote to" : "read from",
			(unsigned long long)e->mmio.gpa, (unsigned long long)virt->get_rip(v));
		return true;
	}
	char what[96];
	ksnprintf(what, sizeof(what), "MMIO access to 0x%llx the emulator cannot handle (%d)",
		  (unsigned long long)e->mmio.gpa, r);
	stop_with_insn(v, what);
	return true;
}

bool exit_handle(struct vcpu *v, const struct vm_exit *e)
{
	struct vm *vm = v->vm;
	bool leave = false;

	switch (e->reason) {
	case EXIT_CPUID: leave = handle_cpuid(v, e); break;
	case EXIT_MSR_READ:
	case EXIT_MSR_WRITE:
		if (!handle_msr(v, e))
			return false; /* #GP injected: the instruction did not complete */
		break;
	case EXIT_IO:
		if (e->io.string)
			return handle_string_io(v, e); /* moves RIP itself */
		leave = handle_io(v, e);
		break;
	case EXIT_HYPERCALL: leave = handle_hypercall(v); break;
	case EXIT_XSETBV:
		if (!handle_xsetbv(v))
			return false; /* #GP injected */
		break;
	case EXIT_HLT:
		v->run_state = VCPU_HALTED;
		leave = true;
		break;
	case EXIT_INTR_WINDOW:
	case EXIT_NMI:
	case EXIT_PAUSE:
		return false;
	case EXIT_MMIO: return handle_mmio(v, e);
	case EXIT_EXCEPTION:
		/* Intercepted only to stop delivery loops: hand it back to the guest. */
		vcpu_inject_exception(v, e->exc.vector, e->exc.has_error, e->exc.error);
		return false;
	case EXIT_SHUTDOWN: {
		/* What a guest's developer needs to find the fault that could not
		 * be delivered: where, on which stack, with which tables. */
		struct vcpu_state s;
		virt->get_state(v, &s);
		pr_info("vm %s: vCPU %u shut down: rip %llx rsp %llx rflags %llx cr0 %llx cr2 %llx "
			"cr3 %llx cr4 %llx efer %llx cs %x ss %x idt %llx/%x gdt %llx/%x\n",
			vm->name, v->id, (unsigned long long)s.rip, (unsigned long long)s.gpr[RSP],
			(unsigned long long)s.rflags, (unsigned long long)s.cr0,
			(unsigned long long)s.cr2, (unsigned long long)s.cr3, (unsigned long long)s.cr4,
			(unsigned long long)s.efer, s.seg[SEG_CS].sel, s.seg[SEG_SS].sel,
			(unsigned long long)s.idtr.base, s.idtr.limit, (unsigned long long)s.gdtr.base,
			s.gdtr.limit);
		vm_stop(vm, "triple fault (shutdown) on vCPU %u at rip 0x%llx", v->id,
			(unsigned long long)s.rip);
		return true;
	}
	case EXIT_VIRT_INSN:
		stop_with_insn(v, "executed a virtualization instruction (nested virtualization is not enabled)");
		return true;
	case EXIT_ENTRY_FAILED:
		if (virt->describe_failure) {
			char why[160];
			virt->describe_failure(v, why, sizeof(why));
			vm_stop(vm, "the CPU refused to enter the guest (%s: %s)", virt->name, why);
			return true;
		}
		vm_stop(vm, "the CPU refused the guest state (%s exit code 0x%llx)", virt->name,
			(unsigned long long)e->hw_code);
		return true;
	default:
		vm_stop(vm, "unhandled exit (%s code 0x%llx, info 0x%llx 0x%llx)", virt->name,
			(unsigned long long)e->hw_code, (unsigned long long)e->hw_info1,
			(unsigned long long)e->hw_info2);
		return true;
	}
	if (vm->state != VM_RUNNING)
		return true;
	/* The handled instruction is done: move past it. */
	if (vcpu_skip_insn(v, e)) {
		stop_with_insn(v, "could not decode the exiting instruction");
		return true;
	}
	return leave;
}

