/* Shell commands for VMs: vm, vcpu, stat, gpa. */
#include <stdbool.h>

#include "kernel/cmdline.h"
#include "kernel/kstring.h"
#include "kernel/printf.h"
#include "kernel/shell.h"
#include "kernel/time.h"
#include "kernel/vcpu.h"
#include "kernel/virt.h"
#include "kernel/vm.h"
#include "drivers/io.h"
#include "mm/tdp.h"

static struct vm *find_or_complain(const char *name)
{
	struct vm *vm = vm_find(name);

	if (!vm)
		cprintf("no such VM '%s' (see 'vm list')\n", name);
	return vm;
}

static void vm_list(void)
{
	unsigned n = 0;

	cprintf("%-16s %-8s %5s %8s  %s\n", "NAME", "STATE", "VCPUS", "MEMORY", "EXIT");
	for (unsigned i = 0; i < VM_MAX; i++) {
		struct vm *vm = vms[i];
		if (!vm)
			continue;
		n++;
		char status[16] = "";
		if (vm->has_status)
			ksnprintf(status, sizeof(status), "status %d: ", vm->exit_status);
		cprintf("%-16s %-8s %5u %6lluM  %s%s\n", vm->name, vm_state_name(vm->state), vm->nvcpus,
			(unsigned long long)(vm->mem_size >> 20), vm->state == VM_STOPPED ? status : "",
			vm->state == VM_STOPPED ? vm->reason : "");
	}
	if (!n)
		cprintf("(no VMs: give Terrapin guest images as boot modules)\n");
}

static int cmd_vm(int argc, char **argv)
{
	if (argc == 2 && !strcmp(argv[1], "list")) {
		vm_list();
		return 0;
	}
	static const char *const verbs[] = { "start", "stop", "pause", "resume", "destroy" };
	bool known = false;

	for (size_t i = 0; argc == 3 && i < sizeof(verbs) / sizeof(verbs[0]); i++)
		known |= !strcmp(argv[1], verbs[i]);
	if (!known)
		return shell_usage("vm");
	struct vm *vm = find_or_complain(argv[2]);
	if (!vm)
		return 1;
	const char *op = argv[1];
	if (!strcmp(op, "start")) {
		if (vm->state == VM_RUNNING || vm->state == VM_PAUSED) {
			cprintf("vm %s is already %s\n", vm->name, vm_state_name(vm->state));
			return 1;
		}
		if (vm_start(vm)) {
			cprintf("vm %s did not start: %s\n", vm->name, vm->reason);
			return 1;
		}
	} else if (!strcmp(op, "stop")) {
		if (vm->state != VM_RUNNING && vm->state != VM_PAUSED) {
			cprintf("vm %s is not running\n", vm->name);
			return 1;
		}
		vm_stop(vm, "stopped from the shell");
	} else if (!strcmp(op, "pause")) {
		if (vm->state != VM_RUNNING) {
			cprintf("vm %s is not running\n", vm->name);
			return 1;
		}
		vm_pause(vm);
	} else if (!strcmp(op, "resume")) {
		if (vm->state != VM_PAUSED) {
			cprintf("vm %s is not paused\n", vm->name);
			return 1;
		}
		vm_resume(vm);
	} else {
		vm_destroy(vm);
	}
	return 0;
}
SHELL_COMMAND(vm, "vm", "list | start|stop|pause|resume|destroy NAME",
	      "list VMs, or start, stop, pause, resume or destroy one", cmd_vm);

static const char *const gpr_names[NGPRS] = { "rax", "rcx", "rdx", "rbx", "rsp", "rbp", "rsi", "rdi",
					      "r8",  "r9",  "r10", "r11", "r12", "r13", "r14", "r15" };
static const char *const seg_names[NSEGS] = { "es", "cs", "ss", "ds", "fs", "gs", "tr", "ldtr" };

static int cmd_vcpu(int argc, char **argv)
{
	uint64_t idx = 0;

	if ((argc != 3 && argc != 4) || strcmp(argv[1], "regs"))
		return shell_usage("vcpu");
	struct vm *vm = find_or_complain(argv[2]);
	if (!vm)
		return 1;
	if (argc == 4 && (cmdline_parse_u64(argv[3], &idx) || idx >= vm->nvcpus)) {
		cprintf("vcpu: '%s' is not a vCPU of %s (0..%u)\n", argv[3], vm->name, vm->nvcpus - 1);
		return 1;
	}
	struct vcpu *v = vm->vcpu[idx];
	if (!v) {
		cprintf("vcpu: %s is not running (no vCPU state)\n", vm->name);
		return 1;
	}
	/* A snapshot: the vCPU may be running on another CPU right now. */
	struct vcpu_state s;
	virt->get_state(v, &s);
	for (int i = 0; i < NGPRS; i++)
		cprintf("%-3s %016llx%s", gpr_names[i], (unsigned long long)s.gpr[i], i % 4 == 3 ? "\n" : "  ");
	cprintf("rip %016llx  rflags %016llx  exits %llu\n", (unsigned long long)s.rip,
		(unsigned long long)s.rflags, (unsigned long long)v->exits);
	cprintf("cr0 %016llx  cr2 %016llx  cr3 %016llx  cr4 %016llx  efer %016llx\n",
		(unsigned long long)s.cr0, (unsigned long long)s.cr2, (unsigned long long)s.cr3,
		(unsigned long long)s.cr4, (unsigned long long)s.efer);
	for (int i = 0; i < NSEGS; i++)
		cprintf("%-4s sel %04x base %016llx limit %08x attr %03x\n", seg_names[i], s.seg[i].sel,
			(unsigned long long)s.seg[i].base, s.seg[i].limit, s.seg[i].attr);
	cprintf("gdtr base %016llx limit %04x  idtr base %016llx limit %04x\n",
		(unsigned long long)s.gdtr.base, s.gdtr.limit, (unsigned long long)s.idtr.base,
		s.idtr.limit);
	return 0;
}
SHELL_COMMAND(vcpu, "vcpu", "regs NAME [N]", "a vCPU's registers", cmd_vcpu);

static void stat_vm(struct vm *vm)
{
	uint64_t now = rdtsc(), total = 0, dt = now - vm->stat_tsc;
	uint64_t dt_ms = tsc_khz ? dt / tsc_khz : 0;

	cprintf("%s (%s): exits by reason, total and per second since the last 'stat'\n", vm->name,
		vm_state_name(vm->state));
	for (int r = 0; r < EXIT_REASONS; r++) {
		uint64_t n = vm->exits[r], d = n - vm->stat_prev[r];
		total += n;
		if (!n)
			continue;
		cprintf("  %-22s %12llu %10llu/s\n", vm_exit_name(r), (unsigned long long)n,
			(unsigned long long)(dt_ms ? d * 1000 / dt_ms : 0));
		vm->stat_prev[r] = n;
	}
	cprintf("  %-22s %12llu\n", "total", (unsigned long long)total);
	vm->stat_tsc = now;
}

static int cmd_stat(int argc, char **argv)
{
	if (argc > 2)
		return shell_usage("stat");
	if (argc == 2) {
		struct vm *vm = find_or_complain(argv[1]);
		if (!vm)
			return 1;
		stat_vm(vm);
		return 0;
	}
	unsigned n = 0;
	for (unsigned i = 0; i < VM_MAX; i++)
		if (vms[i]) {
			stat_vm(vms[i]);
			n++;
		}
	if (!n)
		cprintf("no VMs\n");
	return 0;
}
SHELL_COMMAND(stat, "stat", "[NAME]", "VM exit counts by reason, total and per second (like kvm_stat)",
	      cmd_stat);

static int cmd_gpa(int argc, char **argv)
{
	uint64_t gpa;

	if (argc != 3)
		return shell_usage("gpa");
	struct vm *vm = find_or_complain(argv[1]);
	if (!vm)
		return 1;
	if (cmdline_parse_u64(argv[2], &gpa)) {
		cprintf("gpa: '%s' is not an address\n", argv[2]);
		return 1;
	}
	if (!vm->mem_ready) {
		cprintf("gpa: %s has no memory (not started)\n", vm->name);
		return 1;
	}
	struct tdp_walk w;
	int r = tdp_walk(&vm->tdp, gpa, &w);
	static const char *const lvl[] = { "PML4E", "PDPTE", "PDE", "PTE" };
	cprintf("%s %s 0x%llx:\n", vm->name, vm->tdp.fmt->name, (unsigned long long)gpa);
	for (int i = 0; i < w.levels && i < 4; i++)
		cprintf("  %-5s in table 0x%llx: 0x%016llx\n", lvl[i], (unsigned long long)w.table[i],
			(unsigned long long)w.entry[i]);
	if (r || !w.mapped) {
		const struct gmap_slot *s = gmap_find(&vm->gmap, gpa);
		cprintf("  not mapped%s\n", s && s->kind == GMAP_MMIO ? " (device MMIO: emulated)" : "");
		return 0;
	}
	cprintf("  -> host 0x%llx, %llu KiB page, %c%c%c\n", (unsigned long long)w.hpa,
		(unsigned long long)(w.page_size >> 10), w.perms & TDP_R ? 'r' : '-',
		w.perms & TDP_W ? 'w' : '-', w.perms & TDP_X ? 'x' : '-');
	return 0;
}
SHELL_COMMAND(gpa, "gpa", "NAME ADDR", "walk a VM's nested page tables for a guest-physical address",
	      cmd_gpa);

static int cmd_console(int argc, char **argv)
{
	if (argc != 2)
		return shell_usage("console");
	struct vm *vm = find_or_complain(argv[1]);
	if (!vm)
		return 1;
	if (vm->state == VM_STOPPED || vm->state == VM_CREATED) {
		cprintf("console: %s is %s (vm start %s first)\n", vm->name, vm_state_name(vm->state),
			vm->name);
		return 1;
	}
	shell_attach(vm);
	return 0;
}
SHELL_COMMAND(console, "console", "NAME",
	      "attach the terminal to a running VM's serial port (Ctrl-] returns)", cmd_console);
