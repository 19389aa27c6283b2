/* The virtual PC: each VM gets the devices a QEMU `pc`/`q35` guest expects, all
 * behind struct vdev_host, and its image loaded into RAM. */
#include "kernel/platform.h"

#include "kernel/errno.h"
#include "kernel/kstring.h"
#include "kernel/loader.h"
#include "kernel/printf.h"
#include "kernel/log.h"
#include "kernel/sched.h"
#include "kernel/shell.h"
#include "kernel/time.h"
#include "kernel/vcpu.h"
#include "drivers/cmos.h"
#include "drivers/lapic.h"
#include "kernel/vdev/acpi_build.h"
#include "kernel/vdev/debugexit.h"
#include "kernel/vdev/fwcfg.h"
#include "kernel/vdev/irq.h"
#include "kernel/vdev/pcihost.h"
#include "kernel/vdev/pit.h"
#include "kernel/vdev/pmtimer.h"
#include "kernel/vdev/rtc.h"
#include "kernel/vdev/uart.h"
#include "kernel/virt.h"
#include "kernel/vm.h"
#include "mm/heap.h"

#define CONSOLE_LINE 160
#define CONSOLE_INPUT 4096

struct vm_platform {
	struct virq irq;
	struct vlapic lapic[VM_MAX_VCPUS];
	struct mmio_ops mmio[VM_MAX_DEVICES]; /* gmap adapters for MMIO devices */
	uint64_t last_tick_ns;
	struct vuart uart;
	struct vdebugexit debugexit;
	struct vpit pit;
	struct vrtc rtc;
	struct vfwcfg fwcfg;
	struct vpcihost pcihost;
	struct vpm pm;
	char line[CONSOLE_LINE]; /* guest output not yet ended by a newline */
	unsigned line_len;
	/* Typed input the UART's FIFO had no room for yet: fed to it as the
	 * guest reads, so a burst of typing is not lost to an overrun. */
	char input[CONSOLE_INPUT];
	unsigned input_head, input_len;
};

static int64_t host_unix_time(void)
{
	struct cmos_time t;

	if (cmos_read_time(&t))
		return 0;
	return vdev_rtc_mktime(t.year, t.mon, t.day, t.hour, t.min, t.sec);
}

/* ---- what the devices may ask of the VM ---- */

static void host_console_out(void *opaque, const char *s, size_t n)
{
	struct vm *vm = opaque;
	struct vm_platform *p = vm->platform;

	if (shell_attached() == vm) {
		console_write(s, n);
		return;
	}
	/* Whole lines, each prefixed with the VM's name, so guests do not interleave. */
	for (size_t i = 0; i < n; i++) {
		char c = s[i];
		if (c == '\r')
			continue;
		if (c != '\n' && p->line_len < CONSOLE_LINE - 1) {
			p->line[p->line_len++] = c;
			continue;
		}
		char out[CONSOLE_LINE + VM_NAME_MAX + 4];
		int len = ksnprintf(out, sizeof(out), "%s| %.*s\n", vm->name, (int)p->line_len, p->line);
		shell_print_async(out, (size_t)len < sizeof(out) ? (size_t)len : sizeof(out) - 1);
		p->line_len = 0;
		if (c != '\n')
			p->line[p->line_len++] = c;
	}
}

/* Called with the VM lock held (from a port write): only note it. */
static void host_request_exit(void *opaque, int status)
{
	struct vm *vm = opaque;

	vm->requested_status = status;
	vm->power_request = 0;
	vm->exit_requested = true;
}
/* Called with the VM lock held (from a port write): only note it. */
static void host_power(void *opaque, enum vdev_power req)
{
	struct vm *vm = opaque;

	vm->power_request = req;
	vm->exit_requested = true;
}

static uint64_t host_now_ns(void *opaque) { return vm_now_ns(opaque); }
static uint64_t host_ram_size(void *opaque) { return ((struct vm *)opaque)->mem_size; }
static uint32_t host_vcpu_count(void *opaque) { return ((struct vm *)opaque)->nvcpus; }
static void host_set_irq(void *opaque, unsigned gsi, bool level)
{
	virq_set_irq(&((struct vm *)opaque)->platform->irq, gsi, level);
}

/* Called with the VM lock held: mark nothing, just make sure the vCPU looks at
 * its local APIC soon. A running one is interrupted by an IPI (its next entry
 * delivers); a halted one is found by its CPU's next scheduling pass. */
static void host_kick(void *opaque, unsigned vcpu_id)
{
	struct vm *vm = opaque;
	struct vcpu *v = vcpu_id < VM_MAX_VCPUS ? vm->vcpu[vcpu_id] : 0;

	if (v)
		sched_kick(v);
}

static uint64_t host_guest_tsc(void *opaque) { return rdtsc() - ((struct vm *)opaque)->start_tsc; }

static int host_ram_read(void *opaque, uint64_t gpa, void *dst, size_t len)
{
	return gmap_read(&((struct vm *)opaque)->gmap, gpa, dst, len);
}

static int host_ram_write(void *opaque, uint64_t gpa, const void *src, size_t len)
{
	return gmap_write(&((struct vm *)opaque)->gmap, gpa, src, len);
}

/* A device's ports are found through vm->dev[]; its MMIO range becomes a slot of
 * the guest-physical map, which leaves it unmapped in the TDP so accesses exit. */
static int add_device(struct vm *vm, const struct vdev_ops *ops, void *dev)
{
	struct vm_platform *p = vm->platform;

	if (vm->ndev == VM_MAX_DEVICES)
		return -ENOSPC;
	if (ops->mmio_size) {
		p->mmio[vm->ndev] = (struct mmio_ops){ ops->mmio_read, ops->mmio_write };
		struct gmap_slot s = { .gpa = ops->mmio_base, .size = ops->mmio_size, .kind = GMAP_MMIO,
				       .ops = &p->mmio[vm->ndev], .dev = dev };
		int r = gmap_add(&vm->gmap, &s);
		if (r)
			return r;
	}
	vm->dev[vm->ndev].ops = ops;
	vm->dev[vm->ndev].dev = dev;
	vm->ndev++;
	return 0;
}

int platform_create(struct vm *vm)
{
	struct vm_platform *p = kzalloc(sizeof(*p));

	if (!p)
		return -ENOMEM;
	vm->platform = p;
	vm->host = (struct vdev_host){
		.vm = vm,
		.set_irq = host_set_irq,
		.now_ns = host_now_ns,
		.console_out = host_console_out,
		.request_exit = host_request_exit,
		.power = host_power,
		.ram_size = host_ram_size,
		.vcpu_count = host_vcpu_count,
		.ram_read = host_ram_read,
		.ram_write = host_ram_write,
	};
	vm->ndev = 0;
	const struct virq_host ih = { vm, host_kick, host_now_ns, host_guest_tsc,
				      (uint64_t)tsc_khz * 1000 };
	virq_init(&p->irq, &ih);
	for (unsigned i = 0; i < vm->nvcpus; i++) {
		int r = virq_add_vcpu(&p->irq, i, &p->lapic[i]);
		if (r)
			return r;
	}
	uint64_t low = vm_ram_below_4g(vm);
	struct vdev_rtc_config rc = { host_unix_time(), low, vm->mem_size - low, vm->nvcpus };
	vdev_uart_init(&p->uart, &vm->host);
	vdev_debugexit_init(&p->debugexit, &vm->host);
	vdev_pit_init(&p->pit, &vm->host);
	vdev_rtc_init(&p->rtc, &vm->host, &rc);
	vdev_fwcfg_init(&p->fwcfg, &vm->host);
	vdev_pcihost_init(&p->pcihost, &vm->host);
	vdev_pm_init(&p->pm, &vm->host);

	const struct {
		const struct vdev_ops *ops;
		void *dev;
	} devs[] = {
		{ &vpic_master_ops, &p->irq.pic }, { &vpic_slave_ops, &p->irq.pic },
		{ &vpic_elcr_ops, &p->irq.pic },   { &vioapic_vdev_ops, &p->irq.ioapic },
		{ &vdev_uart_ops, &p->uart },      { &vdev_debugexit_ops, &p->debugexit },
		{ &vdev_pit_ops, &p->pit },        { &vdev_pit_port61_ops, &p->pit },
		{ &vdev_rtc_ops, &p->rtc },        { &vdev_fwcfg_ops, &p->fwcfg },
		{ &vdev_pcihost_ops, &p->pcihost }, { &vdev_pm_ops, &p->pm },
		{ &vdev_pcihost_ecam_ops, &p->pcihost },
	};
	for (size_t i = 0; i < sizeof(devs) / sizeof(devs[0]); i++) {
		int r = add_device(vm, devs[i].ops, devs[i].dev);
		if (r)
			return r;
	}
	return 0;
}

/* ---- interrupts and timers, for the vCPU run loop ---- */

/* Move queued input into the UART as far as its FIFO takes it. VM lock held. */
static void feed_input_locked(struct vm_platform *p)
{
	while (p->input_len) {
		unsigned run = CONSOLE_INPUT - p->input_head;
		if (run > p->input_len)
			run = p->input_len;
		size_t took = vdev_uart_receive(&p->uart, p->input + p->input_head, run);
		p->input_head = (p->input_head + (unsigned)took) % CONSOLE_INPUT;
		p->input_len -= (unsigned)took;
		if (took < run)
			break;
	}
}

#define TICK_MIN_NS 100000

/* Device timers and the local APIC timers, at most every 100 us of guest time.
 * Called with the VM lock held. */
static void tick_locked(struct vm *vm)
{
	struct vm_platform *p = vm->platform;
	uint64_t now = vm_now_ns(vm);

	if (now - p->last_tick_ns < TICK_MIN_NS)
		return;
	p->last_tick_ns = now;
	feed_input_locked(p);
	for (unsigned i = 0; i < vm->ndev; i++)
		if (vm->dev[i].ops->tick)
			vm->dev[i].ops->tick(vm->dev[i].dev);
	virq_tick(&p->irq, now);
}

/* Have this CPU's timer interrupt when the VM's next timer is due (not
 * sooner than tick_locked() would look), so a guest timer fires on time rather
 * than at the next host tick. Called with the VM lock held, interrupts off. */
static void arm_host_timer_locked(struct vm *vm)
{
	struct vm_platform *p = vm->platform;
	uint64_t d = virq_next_deadline_ns(&p->irq);
	uint64_t pit = vdev_pit_next_deadline_ns(&p->pit), rtc = vdev_rtc_next_deadline_ns(&p->rtc);

	if (pit < d)
		d = pit;
	if (rtc < d)
		d = rtc;
	if (d == UINT64_MAX)
		return;
	if (d < p->last_tick_ns + TICK_MIN_NS)
		d = p->last_tick_ns + TICK_MIN_NS;
	lapic_timer_event(vm->start_tsc + ns_to_tsc(d));
}

/* INIT and startup IPIs: an application processor waits for its SIPI. */
static void handle_init_sipi(struct vcpu *v, struct vlapic *l)
{
	if (vlapic_take_init(l) && v->id != 0)
		v->run_state = VCPU_WAIT_SIPI;
	if (v->run_state == VCPU_WAIT_SIPI) {
		int vec = vlapic_take_sipi(l);
		if (vec >= 0) {
			struct vcpu_state s;
			vcpu_state_after_sipi(&s, (uint8_t)vec);
			virt->set_state(v, &s);
			v->run_state = VCPU_RUNNABLE;
		}
	}
}

void platform_deliver_events(struct vcpu *v)
{
	struct vm *vm = v->vm;
	struct vlapic *l = &vm->platform->lapic[v->id];
	uint64_t f = spin_lock_irqsave(&vm->lock);

	tick_locked(vm);
	handle_init_sipi(v, l);
	if (vlapic_take_nmi(l)) {
		struct vm_event nmi = { true, EVENT_NMI, 2, false, 0 };
		virt->inject(v, &nmi);
	}
	int vec = vlapic_pending_vector(l);
	if (vec < 0) {
		virt->irq_window(v, false);
	} else if (virt->irq_window(v, true)) {
		int real = vlapic_accept(l, vec);
		if (real >= 0) {
			struct vm_event ev = { true, EVENT_EXTINT, (uint8_t)real, false, 0 };
			virt->inject(v, &ev);
		}
	}
	arm_host_timer_locked(vm);
	spin_unlock_irqrestore(&vm->lock, f);
}

void platform_wake_check(struct vcpu *v)
{
	struct vm *vm = v->vm;
	struct vlapic *l = &vm->platform->lapic[v->id];
	uint64_t f = spin_lock_irqsave(&vm->lock);

	tick_locked(vm);
	handle_init_sipi(v, l);
	/* HLT ends on an interrupt the guest can take (IF=1), an NMI or an INIT. */
	if (v->run_state == VCPU_HALTED &&
	    (l->nmi_pending || l->init_pending ||
	     (vlapic_pending_vector(l) >= 0 && virt->irq_window(v, false))))
		v->run_state = VCPU_RUNNABLE;
	else
		arm_host_timer_locked(vm); /* wakes the idle CPU when it is due */
	spin_unlock_irqrestore(&vm->lock, f);
}

bool platform_lapic_claims(struct vcpu *v, uint64_t gpa)
{
	return vlapic_mmio_claims(&v->vm->platform->lapic[v->id], gpa);
}

uint64_t platform_lapic_read(struct vcpu *v, uint64_t gpa, unsigned size)
{
	struct vlapic *l = &v->vm->platform->lapic[v->id];
	return vlapic_mmio_read(l, gpa - vlapic_base(l), size);
}

void platform_lapic_write(struct vcpu *v, uint64_t gpa, unsigned size, uint64_t val)
{
	struct vlapic *l = &v->vm->platform->lapic[v->id];
	vlapic_mmio_write(l, gpa - vlapic_base(l), size, val);
}

int platform_lapic_msr(struct vcpu *v, uint32_t msr, uint64_t *val, bool write)
{
	struct vm *vm = v->vm;
	struct vlapic *l = &vm->platform->lapic[v->id];
	uint64_t f = spin_lock_irqsave(&vm->lock);
	int r = write ? vlapic_msr_write(l, msr, *val) : vlapic_msr_read(l, msr, val);
	spin_unlock_irqrestore(&vm->lock, f);
	return r;
}

void platform_flush(struct vm *vm)
{
	struct vm_platform *p = vm->platform;

	if (!p)
		return;
	vdev_uart_flush(&p->uart);
	if (p->line_len)
		host_console_out(vm, "\n", 1);
}

void platform_destroy(struct vm *vm)
{
	if (!vm->platform)
		return;
	platform_flush(vm);
	kfree(vm->platform);
	vm->platform = 0;
	vm->ndev = 0;
}

void platform_console_input(struct vm *vm, const char *buf, size_t n)
{
	uint64_t f = spin_lock_irqsave(&vm->lock);
	struct vm_platform *p = vm->platform;

	/* Beyond the queue (4 KiB the guest has not read) input is dropped. */
	for (size_t i = 0; p && i < n && p->input_len < CONSOLE_INPUT; i++)
		p->input[(p->input_head + p->input_len++) % CONSOLE_INPUT] = buf[i];
	if (p)
		feed_input_locked(p);
	spin_unlock_irqrestore(&vm->lock, f);
}

/* ---- the image ---- */

static int loader_ram_write(void *ctx, uint64_t gpa, const void *src, size_t len)
{
	return gmap_write(&((struct vm *)ctx)->gmap, gpa, src, len);
}

/* The guest's ACPI tables, in the BIOS area where guests search for the RSDP. */
static int load_acpi(struct vm *vm, char *err, size_t len)
{
	static uint8_t blob[8192];
	size_t n;
	const struct vdev_acpi_config cfg = { VDEV_ACPI_RSDP_GPA, vm->nvcpus, vm_ram_below_4g(vm), 0 };

	int r = vdev_acpi_build(&cfg, blob, sizeof(blob), &n);
	if (!r)
		r = gmap_write(&vm->gmap, VDEV_ACPI_RSDP_GPA, blob, n);
	if (r)
		ksnprintf(err, len, "could not build its ACPI tables (%d)", r);
	return r;
}

int platform_load_image(struct vm *vm, struct vcpu_state *boot, char *err, size_t len)
{
	struct guest_args ga;
	static struct loader_result res;
	uint64_t low = vm_ram_below_4g(vm);
	/* What the guest is told about its memory: RAM, minus the EBDA/BIOS area
	 * (ACPI tables), minus the PCI hole, the rest above 4 GiB. The ECAM window
	 * in the hole is reserved: Linux uses the MCFG only for an E820-reserved
	 * region. */
	struct mem_range map[5];
	size_t n = 0;
	map[n++] = (struct mem_range){ 0, 0x9fc00, MEM_USABLE };
	map[n++] = (struct mem_range){ 0x9fc00, 0x100000 - 0x9fc00, MEM_RESERVED };
	if (low > 0x100000)
		map[n++] = (struct mem_range){ 0x100000, low - 0x100000, MEM_USABLE };
	map[n++] = (struct mem_range){ VDEV_PCI_ECAM_BASE, VDEV_PCI_ECAM_SIZE, MEM_RESERVED };
	if (vm->mem_size > low)
		map[n++] = (struct mem_range){ 4ULL << 30, vm->mem_size - low, MEM_USABLE };

	int r = guest_args_parse(vm->args, &ga, err, len);
	if (r)
		return r;
	struct loader_target t = { .ctx = vm, .ram_write = loader_ram_write, .ram_size = vm->mem_size,
				   .map = map, .map_count = n, .initrd = vm->initrd,
				   .initrd_size = vm->initrd_len, .acpi_rsdp = VDEV_ACPI_RSDP_GPA,
				   .tsc_khz = tsc_khz };
	r = loader_load(vm->image, vm->image_len, &ga, &t, &res, err, len);
	if (!r)
		r = load_acpi(vm, err, len);
	if (r)
		return r;
	*boot = res.vcpu;
	return 0;
}

void platform_ap_reset_state(struct vm *vm, struct vcpu *v)
{
	(void)vm, (void)v; /* application processors wait for SIPI: next step */
}
