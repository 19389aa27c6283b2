/* The virtual PC: each VM gets the devices a QEMU `pc`/`q35` guest expects, all
 * behind struct vdev_host, and its image loaded into RAM. */
#include "kernel/platform.h"

#include "kernel/errno.h"
#include "kernel/kstring.h"
#include "kernel/loader.h"
#include "kernel/log.h"
#include "kernel/shell.h"
#include "kernel/vdev/debugexit.h"
#include "kernel/vdev/uart.h"
#include "kernel/vm.h"
#include "mm/heap.h"

#define CONSOLE_LINE 160

struct vm_platform {
	struct vuart uart;
	struct vdebugexit debugexit;
	char line[CONSOLE_LINE]; /* guest output not yet ended by a newline */
	unsigned line_len;
};

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
		cprintf("%s| %.*s\n", vm->name, (int)p->line_len, p->line);
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
	vm->exit_requested = true;
}
static uint64_t host_now_ns(void *opaque) { return vm_now_ns(opaque); }
static uint64_t host_ram_size(void *opaque) { return ((struct vm *)opaque)->mem_size; }
static uint32_t host_vcpu_count(void *opaque) { return ((struct vm *)opaque)->nvcpus; }
static void host_set_irq(void *opaque, unsigned gsi, bool level)
{
	(void)opaque, (void)gsi, (void)level; /* interrupt controllers: next step */
}

static int host_ram_read(void *opaque, uint64_t gpa, void *dst, size_t len)
{
	return gmap_read(&((struct vm *)opaque)->gmap, gpa, dst, len);
}

static int host_ram_write(void *opaque, uint64_t gpa, const void *src, size_t len)
{
	return gmap_write(&((struct vm *)opaque)->gmap, gpa, src, len);
}

static void add_device(struct vm *vm, const struct vdev_ops *ops, void *dev)
{
	vm->dev[vm->ndev].ops = ops;
	vm->dev[vm->ndev].dev = dev;
	vm->ndev++;
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
		.ram_size = host_ram_size,
		.vcpu_count = host_vcpu_count,
		.ram_read = host_ram_read,
		.ram_write = host_ram_write,
	};
	vm->ndev = 0;
	vdev_uart_init(&p->uart, &vm->host);
	add_device(vm, &vdev_uart_ops, &p->uart);
	vdev_debugexit_init(&p->debugexit, &vm->host);
	add_device(vm, &vdev_debugexit_ops, &p->debugexit);
	return 0;
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

	if (vm->platform)
		vdev_uart_receive(&vm->platform->uart, buf, n);
	spin_unlock_irqrestore(&vm->lock, f);
}

/* ---- the image ---- */

static int loader_ram_write(void *ctx, uint64_t gpa, const void *src, size_t len)
{
	return gmap_write(&((struct vm *)ctx)->gmap, gpa, src, len);
}

int platform_load_image(struct vm *vm, struct vcpu_state *boot, char *err, size_t len)
{
	struct guest_args ga;
	static struct loader_result res;

	int r = guest_args_parse(vm->args, &ga, err, len);
	if (r)
		return r;
	struct loader_target t = { .ctx = vm, .ram_write = loader_ram_write, .ram_size = vm->mem_size };
	r = loader_load(vm->image, vm->image_len, &ga, &t, &res, err, len);
	if (r)
		return r;
	*boot = res.vcpu;
	return 0;
}

void platform_ap_reset_state(struct vm *vm, struct vcpu *v)
{
	(void)vm, (void)v; /* application processors wait for SIPI: next step */
}
