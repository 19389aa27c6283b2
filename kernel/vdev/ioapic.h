/* A virtual I/O APIC (Intel 82093AA data sheet) with 24 pins at 0xfec00000.
 * Pure: no hardware access, compiled on the host for tests/unit/test_vioapic.c.
 *
 * Registers: IOREGSEL at 0x00, IOWIN at 0x10, and the EOI register at 0x40
 * that version 0x20 adds; through the window: ID (0), version (1: 0x170020,
 * version 0x20 as QEMU's default model, 24 entries; the original 82093AA
 * reads 0x11), arbitration ID (2) and the redirection table (0x10 + 2 * pin,
 * low then high word).
 *
 * Pins take the logical level of their line (true: asserted), whatever the
 * entry's polarity bit says, as QEMU and KVM do: the device models speak of
 * asserting, not of volts. An edge pin sends one message per rising edge
 * while unmasked (an edge while masked is lost, as on the chip); a level pin
 * sends one while asserted and unmasked with remote IRR clear, sets remote
 * IRR when an APIC took it, and sends again after the EOI for its vector if
 * the line is still asserted. Changing an entry to edge clears remote IRR
 * (Linux relies on this on IOAPICs without an EOI register).
 *
 * Locking: the caller holds the per-VM lock; deliver runs with it held. */
#ifndef KERNEL_VDEV_IOAPIC_H
#define KERNEL_VDEV_IOAPIC_H

#include <stdbool.h>
#include <stdint.h>

#include "kernel/vdev/lapic.h"
#include "kernel/vdev/vdev.h"

#define VIOAPIC_BASE	  0xfec00000ULL
#define VIOAPIC_MMIO_SIZE 0x1000
#define VIOAPIC_PINS	  24
#define VIOAPIC_VERSION	  0x20

/* MMIO offsets and indirect register indexes. */
#define VIOAPIC_REGSEL	0x00
#define VIOAPIC_WIN	0x10
#define VIOAPIC_EOIR	0x40
#define VIOAPIC_REG_ID	0x00
#define VIOAPIC_REG_VER 0x01
#define VIOAPIC_REG_ARB 0x02
#define VIOAPIC_REG_RTE 0x10

/* Redirection entry bits (82093AA 3.2.4). */
#define VIOAPIC_RTE_VECTOR     0xffULL
#define VIOAPIC_RTE_DM_SHIFT   8
#define VIOAPIC_RTE_LOGICAL    (1ULL << 11)
#define VIOAPIC_RTE_STATUS     (1ULL << 12) /* delivery status: always idle here */
#define VIOAPIC_RTE_LOW_POL    (1ULL << 13)
#define VIOAPIC_RTE_RIRR       (1ULL << 14)
#define VIOAPIC_RTE_LEVEL      (1ULL << 15)
#define VIOAPIC_RTE_MASKED     (1ULL << 16)
#define VIOAPIC_RTE_DEST_SHIFT 56

struct vioapic {
	uint32_t regsel;
	uint32_t id; /* bits 27:24 as in the ID register */
	uint64_t rte[VIOAPIC_PINS];
	uint32_t asserted; /* pin levels */
	/* Send a message on the APIC bus; returns how many APICs accepted it. */
	int (*deliver)(void *ctx, const struct vlapic_msg *msg);
	void *ctx;
};

/* Reset: every entry masked (and otherwise 0), ID 0. deliver may be NULL. */
void vioapic_init(struct vioapic *io, int (*deliver)(void *ctx, const struct vlapic_msg *msg),
		  void *ctx);
void vioapic_reset(struct vioapic *io);

/* Drive pin `pin` (0-23; others ignored). */
void vioapic_set_irq(struct vioapic *io, unsigned pin, bool level);
/* An EOI for `vector` (broadcast from a local APIC, or the EOI register):
 * clears remote IRR of the level entries with that vector and re-delivers
 * those whose line is still asserted. */
void vioapic_eoi(struct vioapic *io, uint8_t vector);

/* MMIO at `offset` in the window. Accesses of 1-4 bytes read those bytes of a
 * 32-bit register; an 8-byte access works as a 4-byte one; a write to
 * IOWIN or the EOI register must be 4 or 8 bytes (others are ignored). */
uint64_t vioapic_mmio_read(void *dev, uint64_t offset, unsigned size);
void vioapic_mmio_write(void *dev, uint64_t offset, unsigned size, uint64_t val);

/* The device, dev = the struct vioapic. */
extern const struct vdev_ops vioapic_vdev_ops;

#endif
