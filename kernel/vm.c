/* VM lifecycle: created from a boot module, started (memory, image, vCPUs onto
 * the run queues), stopped with a reason, destroyed with every frame returned. */
#include "kernel/vm.h"

#include <stdarg.h>

#include "drivers/io.h"
#include "kernel/errno.h"
#include "kernel/guest_args.h"
#include "kernel/kstring.h"
#include "kernel/loader.h"
#include "kernel/log.h"
#include "kernel/platform.h"
#include "kernel/printf.h"
#include "kernel/sched.h"
#include "kernel/time.h"
#include "kernel/vcpu.h"
#include "kernel/virt.h"
#include "mm/heap.h"
#include "mm/mem.h"

struct vm *vms[VM_MAX];
static spinlock_t vms_lock;

#define RAM_CHUNK_MAX (256ULL << 20)

const char *vm_state_name(enum vm_state s)
{
	switch (s) {
	case VM_CREATED: return "created";
	case VM_RUNNING: return "running";
	case VM_PAUSED: return "paused";
	case VM_STOPPED: return "stopped";
	}
	return "?";
}

static uint8_t vm_owner(const struct vm *vm) { return (uint8_t)(FRAME_VM_FIRST + vm->id); }

struct vm *vm_find(const char *name)
{
	for (unsigned i = 0; i < VM_MAX; i++)
		if (vms[i] && !strcmp(vms[i]->name, name))
			return vms[i];
	return 0;
}

uint64_t vm_now_ns(struct vm *vm) { return tsc_to_ns(rdtsc() - vm->start_tsc); }

uint64_t vm_ram_below_4g(const struct vm *vm)
{
	return vm->mem_size < VM_LOW_RAM_TOP ? vm->mem_size : VM_LOW_RAM_TOP;
}

/* ---- guest memory: RAM slots backed by contiguous host runs, mapped in the TDP ---- */

static uint64_t tdp_alloc(void *ctx) { return mem_alloc_frame(vm_owner(ctx)); }
static void tdp_free(void *ctx, uint64_t pa) { (void)ctx; mem_free_frame(pa); }
static void *tdp_virt(void *ctx, uint64_t pa) { (void)ctx; return phys_to_virt(pa); }

static int map_ram(struct vm *vm, uint64_t gpa, uint64_t size)
{
	while (size) {
		uint64_t chunk = size < RAM_CHUNK_MAX ? size : RAM_CHUNK_MAX, hpa = 0;
		/* Prefer big 2 MiB-aligned runs (large TDP pages); settle for less. */
		for (; chunk >= FRAME_SIZE; chunk = (chunk / 2) & ~(FRAME_SIZE - 1)) {
			uint64_t align = chunk >= (2ULL << 20) ? (2ULL << 20) : FRAME_SIZE;
			hpa = mem_alloc_frames(chunk / FRAME_SIZE, align, vm_owner(vm));
			if (hpa)
				break;
		}
		if (!hpa)
			return -ENOMEM;
		struct gmap_slot s = { .gpa = gpa, .size = chunk, .kind = GMAP_RAM, .hpa = hpa };
		int r = gmap_add(&vm->gmap, &s);
		if (!r)
			r = tdp_map(&vm->tdp, gpa, hpa, chunk, TDP_RWX);
		if (r)
			return r;
		gpa += chunk;
		size -= chunk;
	}
	return 0;
}

static void free_memory(struct vm *vm)
{
	if (!vm->mem_ready)
		return;
	tdp_destroy(&vm->tdp);
	mem_free_owner(vm_owner(vm));
	vm->mem_ready = false;
}

static int alloc_memory(struct vm *vm)
{
	const struct tdp_mm mm = { tdp_alloc, tdp_free, tdp_virt, vm };
	uint64_t low = vm_ram_below_4g(vm);

	gmap_init(&vm->gmap, phys_to_virt);
	int r = tdp_init(&vm->tdp, virt->tdp, &mm);
	if (r)
		return r;
	vm->mem_ready = true;
	r = map_ram(vm, 0, low);
	if (!r && vm->mem_size > low)
		r = map_ram(vm, 4ULL << 30, vm->mem_size - low);
	return r;
}

/* ---- lifecycle ---- */

static void set_reason(struct vm *vm, const char *fmt, va_list ap)
{
	kvsnprintf(vm->reason, sizeof(vm->reason), fmt, ap);
}

/* Make every vCPU notice a state change now. */
static void kick_all(struct vm *vm)
{
	for (unsigned i = 0; i < VM_MAX_VCPUS; i++)
		if (vm->vcpu[i])
			sched_kick(vm->vcpu[i]);
}

void vm_stop(struct vm *vm, const char *fmt, ...)
{
	va_list ap;
	uint64_t f = spin_lock_irqsave(&vm->lock);

	if (vm->state == VM_STOPPED) {
		spin_unlock_irqrestore(&vm->lock, f);
		return;
	}
	va_start(ap, fmt);
	set_reason(vm, fmt, ap);
	va_end(ap);
	vm->state = VM_STOPPED;
	spin_unlock_irqrestore(&vm->lock, f);
	kick_all(vm);
	platform_flush(vm);
	pr_info("vm %s: stopped: %s\n", vm->name, vm->reason);
}

void vm_exit_status(struct vm *vm, int status)
{
	vm->has_status = true;
	vm->exit_status = status;
	vm_stop(vm, "exited with status %d", status);
}

void vm_handle_exit_request(struct vm *vm)
{
	if (!vm->exit_requested)
		return;
	vm->exit_requested = false;
	if (vm->power_request == VDEV_POWER_OFF)
		vm_stop(vm, "powered off (ACPI S5)");
	else if (vm->power_request == VDEV_POWER_RESET)
		vm_stop(vm, "the guest reset the machine (restart it with vm start)");
	else
		vm_exit_status(vm, vm->requested_status);
}

/* Take every vCPU off the CPUs and free them (the VM is stopped or paused). */
static void release_vcpus(struct vm *vm)
{
	for (unsigned i = 0; i < VM_MAX_VCPUS; i++) {
		struct vcpu *v = vm->vcpu[i];
		if (!v)
			continue;
		sched_remove(v);
		vcpu_destroy(v);
		vm->vcpu[i] = 0;
	}
}

static void teardown(struct vm *vm)
{
	release_vcpus(vm);
	platform_destroy(vm);
	free_memory(vm);
}

int vm_start(struct vm *vm)
{
	char err[128];
	struct vcpu_state boot;

	if (!virt) {
		ksnprintf(vm->reason, sizeof(vm->reason), "no hardware virtualization on this machine");
		vm->state = VM_STOPPED;
		return -ENODEV;
	}
	if (vm->state == VM_RUNNING || vm->state == VM_PAUSED)
		return -EBUSY;
	teardown(vm); /* a restart begins from scratch */
	memset(vm->exits, 0, sizeof(vm->exits));
	memset(vm->stat_prev, 0, sizeof(vm->stat_prev));
	vm->has_status = false;
	vm->exit_requested = false;
	vm->reason[0] = 0;
	vm->start_tsc = rdtsc();
	vm->stat_tsc = vm->start_tsc;

	int r = alloc_memory(vm);
	if (r) {
		ksnprintf(vm->reason, sizeof(vm->reason), "not enough memory for %llu MiB of guest RAM",
			  (unsigned long long)(vm->mem_size >> 20));
		goto fail;
	}
	r = platform_create(vm);
	if (r) {
		ksnprintf(vm->reason, sizeof(vm->reason), "could not create its devices (%d)", r);
		goto fail;
	}
	r = platform_load_image(vm, &boot, err, sizeof(err));
	if (r) {
		ksnprintf(vm->reason, sizeof(vm->reason), "bad image: %s", err);
		goto fail;
	}
	for (unsigned i = 0; i < vm->nvcpus; i++) {
		vm->vcpu[i] = vcpu_create(vm, i);
		if (!vm->vcpu[i]) {
			ksnprintf(vm->reason, sizeof(vm->reason), "could not create vCPU %u", i);
			r = -ENOMEM;
			goto fail;
		}
		if (i == 0)
			virt->set_state(vm->vcpu[0], &boot);
		else
			platform_ap_reset_state(vm, vm->vcpu[i]);
	}
	vm->state = VM_RUNNING;
	for (unsigned i = 0; i < vm->nvcpus; i++) {
		if (sched_add(vm->vcpu[i])) {
			vm_stop(vm, "no room on the run queues");
			return -ENOSPC;
		}
	}
	pr_info("vm %s: started (%llu MiB, %u vCPU%s)\n", vm->name,
		(unsigned long long)(vm->mem_size >> 20), vm->nvcpus, vm->nvcpus > 1 ? "s" : "");
	return 0;
fail:
	teardown(vm);
	vm->state = VM_STOPPED;
	pr_err("vm %s: cannot start: %s\n", vm->name, vm->reason);
	return r;
}

void vm_pause(struct vm *vm)
{
	if (vm->state == VM_RUNNING) {
		vm->state = VM_PAUSED;
		kick_all(vm);
	}
}

void vm_resume(struct vm *vm)
{
	if (vm->state == VM_PAUSED)
		vm->state = VM_RUNNING;
}

int vm_destroy(struct vm *vm)
{
	if (vm->state == VM_RUNNING || vm->state == VM_PAUSED)
		vm_stop(vm, "destroyed");
	teardown(vm);
	uint64_t f = spin_lock_irqsave(&vms_lock);
	vms[vm->id] = 0;
	spin_unlock_irqrestore(&vms_lock, f);
	pr_info("vm %s: destroyed\n", vm->name);
	kfree(vm);
	return 0;
}

int vm_attach_initrd(struct vm *vm, const uint8_t *data, size_t len, char *err, size_t errlen)
{
	struct guest_args ga;

	if (vm->initrd) {
		ksnprintf(err, errlen, "vm %s has an initrd already", vm->name);
		return -EEXIST;
	}
	if (guest_args_parse(vm->args, &ga, err, errlen)) {
		ksnprintf(err, errlen, "vm %s has bad arguments", vm->name);
		return -EINVAL;
	}
	if (ga.format != GUEST_FORMAT_LINUX && ga.format != GUEST_FORMAT_AUTO) {
		ksnprintf(err, errlen, "vm %s has format=%s, not linux", vm->name,
			  guest_format_name(ga.format));
		return -EINVAL;
	}
	if (!loader_is_linux(vm->image, vm->image_len, ga.format)) {
		ksnprintf(err, errlen, "vm %s: its image is not a Linux kernel", vm->name);
		return -EINVAL;
	}
	vm->initrd = data;
	vm->initrd_len = len;
	return 0;
}

struct vm *vm_create(const char *args, const uint8_t *image, size_t len)
{
	struct guest_args ga;
	char err[128];
	struct vm *vm = kzalloc(sizeof(*vm));

	if (!vm)
		return 0;
	uint64_t f = spin_lock_irqsave(&vms_lock);
	for (vm->id = 0; vm->id < VM_MAX && vms[vm->id]; vm->id++)
		;
	if (vm->id == VM_MAX) {
		spin_unlock_irqrestore(&vms_lock, f);
		kfree(vm);
		pr_err("vm: too many VMs (at most %d)\n", VM_MAX);
		return 0;
	}
	vms[vm->id] = vm;
	spin_unlock_irqrestore(&vms_lock, f);

	vm->image = image;
	vm->image_len = len;
	ksnprintf(vm->args, sizeof(vm->args), "%s", args);
	vm->state = VM_CREATED;
	int r = guest_args_parse(args, &ga, err, sizeof(err));
	if (!r && ga.name[0] && vm_find(ga.name)) {
		ksnprintf(err, sizeof(err), "name=%s is already taken", ga.name);
		r = -EEXIST;
	}
	if (r) {
		ksnprintf(vm->name, sizeof(vm->name), "vm%u", vm->id);
		ksnprintf(vm->reason, sizeof(vm->reason), "bad arguments: %s", err);
		vm->state = VM_STOPPED;
		pr_err("vm %s: %s\n", vm->name, vm->reason);
		return vm;
	}
	if (ga.name[0])
		ksnprintf(vm->name, sizeof(vm->name), "%s", ga.name);
	else
		ksnprintf(vm->name, sizeof(vm->name), "vm%u", vm->id);
	vm->mem_size = ga.mem;
	vm->nvcpus = ga.cpus;
	vm->autostart = ga.autostart;
	pr_info("vm %s: created (%llu MiB, %u vCPU%s%s)\n", vm->name,
		(unsigned long long)(vm->mem_size >> 20), vm->nvcpus, vm->nvcpus > 1 ? "s" : "",
		vm->autostart ? ", autostart" : "");
	return vm;
}
