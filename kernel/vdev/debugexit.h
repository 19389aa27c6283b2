/* QEMU's isa-debug-exit device as the test setups configure it
 * (-device isa-debug-exit,iobase=0xf4,iosize=0x04): a write of value v at any of
 * its ports ends the VM with status v (QEMU itself exits with (v << 1) | 1; the
 * core decides how to report it). Reads return 0, as QEMU's device does, which is
 * how a guest can tell it is there. */
#ifndef KERNEL_VDEV_DEBUGEXIT_H
#define KERNEL_VDEV_DEBUGEXIT_H

#include "kernel/vdev/vdev.h"

#define VDEV_DEBUGEXIT_BASE 0xf4
#define VDEV_DEBUGEXIT_SIZE 4

struct vdebugexit {
	const struct vdev_host *host;
	bool fired;
	uint32_t value; /* the last value written */
};

void vdev_debugexit_init(struct vdebugexit *d, const struct vdev_host *host);

extern const struct vdev_ops vdev_debugexit_ops; /* 0xf4-0xf7 */

#endif
