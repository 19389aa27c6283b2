/* A struct vdev_host for device-model tests: a settable guest clock and a record
 * of every interrupt-line change, console write and exit request. One fake VM per
 * test file (FV); fake_reset() clears it between cases. */
#ifndef TESTS_UNIT_VDEV_FAKE_HOST_H
#define TESTS_UNIT_VDEV_FAKE_HOST_H

#include "kernel/vdev/vdev.h"

#include <string.h>

#define FAKE_GSIS 24

struct fake_vm {
	uint64_t now;
	bool level[FAKE_GSIS];
	unsigned rises[FAKE_GSIS]; /* low -> high transitions: edges an 8259 would see */
	unsigned calls[FAKE_GSIS];
	unsigned bad_gsi;
	char out[16384];
	size_t out_len;
	unsigned out_calls;
	unsigned exits;
	unsigned powers;
	int power_req;
	int exit_status;
	uint64_t ram;
	uint32_t cpus;
};

static struct fake_vm FV;

static void fake_set_irq(void *vm, unsigned gsi, bool level)
{
	struct fake_vm *v = vm;

	if (gsi >= FAKE_GSIS) {
		v->bad_gsi++;
		return;
	}
	v->calls[gsi]++;
	if (level && !v->level[gsi])
		v->rises[gsi]++;
	v->level[gsi] = level;
}

static uint64_t fake_now(void *vm)
{
	return ((struct fake_vm *)vm)->now;
}

static void fake_console(void *vm, const char *s, size_t n)
{
	struct fake_vm *v = vm;

	v->out_calls++;
	if (n > sizeof(v->out) - 1 - v->out_len)
		n = sizeof(v->out) - 1 - v->out_len;
	memcpy(v->out + v->out_len, s, n);
	v->out_len += n;
	v->out[v->out_len] = '\0';
}

static void fake_exit(void *vm, int status)
{
	struct fake_vm *v = vm;

	v->exits++;
	v->exit_status = status;
}

static uint64_t fake_ram(void *vm)
{
	return ((struct fake_vm *)vm)->ram;
}

static uint32_t fake_cpus(void *vm)
{
	return ((struct fake_vm *)vm)->cpus;
}

static void fake_power(void *vm, enum vdev_power req)
{
	struct fake_vm *v = vm;

	v->powers++;
	v->power_req = (int)req;
}

static const struct vdev_host FAKE_HOST = {
	.vm = &FV,
	.set_irq = fake_set_irq,
	.now_ns = fake_now,
	.console_out = fake_console,
	.request_exit = fake_exit,
	.power = fake_power,
	.ram_size = fake_ram,
	.vcpu_count = fake_cpus,
};

static inline void fake_reset(void)
{
	memset(&FV, 0, sizeof(FV));
}

/* Port access through the ops table, as the core will do it. */
static inline uint32_t io_in(const struct vdev_ops *ops, void *dev, uint16_t port, unsigned size)
{
	return ops->io_read(dev, port, size);
}

static inline void io_out(const struct vdev_ops *ops, void *dev, uint16_t port, unsigned size,
			  uint32_t val)
{
	ops->io_write(dev, port, size, val);
}

#endif
