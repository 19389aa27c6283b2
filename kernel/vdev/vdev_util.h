/* Small helpers the device models share: turning guest nanoseconds into the tick
 * counts of a device's own crystal and back, and splitting a wide port access into
 * the byte accesses an 8-bit ISA device really sees. Pure, header-only. */
#ifndef KERNEL_VDEV_VDEV_UTIL_H
#define KERNEL_VDEV_VDEV_UTIL_H

#include <stdint.h>

#define VDEV_NS_PER_SEC 1000000000ull

/* Ticks of an hz clock that have elapsed by ns: floor(ns * hz / 1e9), exact, with
 * no 128-bit arithmetic (the remainder term stays below 1e9 * hz < 2^64 for any
 * crystal under 18 GHz). */
static inline uint64_t vdev_ns_to_ticks(uint64_t ns, uint64_t hz)
{
	return (ns / VDEV_NS_PER_SEC) * hz + (ns % VDEV_NS_PER_SEC) * hz / VDEV_NS_PER_SEC;
}

/* The first ns at which vdev_ns_to_ticks(ns, hz) >= ticks: ceil(ticks * 1e9 / hz).
 * Saturates at UINT64_MAX (a deadline that never comes). */
static inline uint64_t vdev_ticks_to_ns(uint64_t ticks, uint64_t hz)
{
	uint64_t whole = ticks / hz, rem = ticks % hz;

	if (whole > (UINT64_MAX - VDEV_NS_PER_SEC) / VDEV_NS_PER_SEC)
		return UINT64_MAX;
	return whole * VDEV_NS_PER_SEC + (rem * VDEV_NS_PER_SEC + hz - 1) / hz;
}

/* An 8-bit device on the ISA bus answers a 16- or 32-bit IN as that many byte
 * reads at consecutive ports (QEMU splits them the same way). Bytes past the
 * device's last port read as an empty bus (0xff). */
static inline uint32_t vdev_read_bytes(void *dev, uint16_t port, unsigned size, uint16_t last,
				       uint8_t (*rd)(void *dev, uint16_t port))
{
	uint32_t v = 0;

	for (unsigned i = 0; i < size && i < 4; i++) {
		uint32_t p = (uint32_t)port + i;
		uint8_t b = p <= last ? rd(dev, (uint16_t)p) : 0xff;
		v |= (uint32_t)b << (8 * i);
	}
	return v;
}

static inline void vdev_write_bytes(void *dev, uint16_t port, unsigned size, uint32_t val,
				    uint16_t last, void (*wr)(void *dev, uint16_t port, uint8_t v))
{
	for (unsigned i = 0; i < size && i < 4; i++) {
		uint32_t p = (uint32_t)port + i;
		if (p <= last)
			wr(dev, (uint16_t)p, (uint8_t)(val >> (8 * i)));
	}
}

#endif
