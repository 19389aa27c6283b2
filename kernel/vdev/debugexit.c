/* isa-debug-exit model (QEMU hw/misc/debugexit.c): the whole value written, of
 * whatever width and at whatever port of the range, is the exit status. */
#include "kernel/vdev/debugexit.h"

#include "kernel/kstring.h"

static uint32_t debugexit_read(void *dev, uint16_t port, unsigned size)
{
	(void)dev;
	(void)port;
	(void)size;
	return 0;
}

static void debugexit_write(void *dev, uint16_t port, unsigned size, uint32_t val)
{
	struct vdebugexit *d = dev;

	(void)port;
	if (size < 4)
		val &= (1u << (8 * size)) - 1;
	d->fired = true;
	d->value = val;
	if (d->host->request_exit)
		d->host->request_exit(d->host->vm, (int)val);
}

static void debugexit_reset(void *dev)
{
	struct vdebugexit *d = dev;

	d->fired = false;
	d->value = 0;
}

void vdev_debugexit_init(struct vdebugexit *d, const struct vdev_host *host)
{
	memset(d, 0, sizeof(*d));
	d->host = host;
}

const struct vdev_ops vdev_debugexit_ops = {
	.name = "debug-exit",
	.port_base = VDEV_DEBUGEXIT_BASE,
	.port_count = VDEV_DEBUGEXIT_SIZE,
	.io_read = debugexit_read,
	.io_write = debugexit_write,
	.reset = debugexit_reset,
};
