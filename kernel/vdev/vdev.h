/* The one small interface every virtual device model implements. A device is a
 * port range and/or an MMIO range with read/write handlers, a reset, and a way to
 * raise interrupt lines and reach its VM's services, all through `struct vdev_host`
 * so the models are pure and host-testable. */
#ifndef KERNEL_VDEV_VDEV_H
#define KERNEL_VDEV_VDEV_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

enum vdev_power { VDEV_POWER_OFF = 1, VDEV_POWER_RESET = 2 };

/* What a device model may ask of the VM it lives in. */
struct vdev_host {
	void *vm;
	/* Drive interrupt line `gsi` (ISA IRQs 0-15 are GSIs 0-15, except that the
	 * PIT's IRQ0 arrives at GSI 2 on the IOAPIC, as in the MADT override). Edge
	 * devices call it with true then false. */
	void (*set_irq)(void *vm, unsigned gsi, bool level);
	uint64_t (*now_ns)(void *vm);        /* guest time, monotonic */
	void (*console_out)(void *vm, const char *s, size_t n); /* the guest's UART output */
	void (*request_exit)(void *vm, int status);  /* isa-debug-exit: end the VM */
	/* The guest asked the chipset to turn off (ACPI S5) or to reset. */
	void (*power)(void *vm, enum vdev_power req);
	uint64_t (*ram_size)(void *vm);
	uint32_t (*vcpu_count)(void *vm);
	/* Guest RAM access, validated (gmap_read/gmap_write); -EFAULT when not RAM. */
	int (*ram_read)(void *vm, uint64_t gpa, void *dst, size_t len);
	int (*ram_write)(void *vm, uint64_t gpa, const void *src, size_t len);
};

struct vdev_ops {
	const char *name;
	uint16_t port_base, port_count;     /* 0 count: no ports */
	uint64_t mmio_base, mmio_size;      /* 0 size: no MMIO */
	/* size is 1, 2 or 4 for ports; 1, 2, 4 or 8 for MMIO. Unhandled reads
	 * return all ones, as an empty bus does. */
	uint32_t (*io_read)(void *dev, uint16_t port, unsigned size);
	void (*io_write)(void *dev, uint16_t port, unsigned size, uint32_t val);
	uint64_t (*mmio_read)(void *dev, uint64_t offset, unsigned size);
	void (*mmio_write)(void *dev, uint64_t offset, unsigned size, uint64_t val);
	void (*reset)(void *dev);
	/* Called periodically (each host tick) for timers; may raise interrupts. */
	void (*tick)(void *dev);
};

#endif
