/* A virtual I/O APIC (see kernel/vdev/ioapic.h). Pure. */
#include <stdbool.h>
#include <stdint.h>

#include "kernel/vdev/ioapic.h"

/* Bits the guest may write: vector, delivery mode, destination mode,
 * polarity, trigger mode and mask; and the destination byte. Delivery status
 * and remote IRR are read-only. */
#define RTE_WRITABLE_LO                                                                          \
	(0xffULL | (7ULL << 8) | VIOAPIC_RTE_LOGICAL | VIOAPIC_RTE_LOW_POL | VIOAPIC_RTE_LEVEL | \
	 VIOAPIC_RTE_MASKED)
#define RTE_WRITABLE_HI (0xffULL << VIOAPIC_RTE_DEST_SHIFT)

/* Send pin's message if its entry lets it go now. */
static void service(struct vioapic *io, unsigned pin)
{
	uint64_t e = io->rte[pin];
	bool level = e & VIOAPIC_RTE_LEVEL;

	if (e & VIOAPIC_RTE_MASKED)
		return;
	if (level && (e & VIOAPIC_RTE_RIRR))
		return; /* the last one is not EOI'd yet */
	struct vlapic_msg m = {
		.vector = (uint8_t)(e & VIOAPIC_RTE_VECTOR),
		.mode = (uint8_t)((e >> VIOAPIC_RTE_DM_SHIFT) & 7),
		.dest = (uint8_t)(e >> VIOAPIC_RTE_DEST_SHIFT),
		.logical = e & VIOAPIC_RTE_LOGICAL,
		.level = level,
	};
	int n = io->deliver ? io->deliver(io->ctx, &m) : 0;
	/* Remote IRR: a local APIC accepted a level interrupt (82093AA 3.2.4).
	 * Only fixed and lowest-priority messages are EOI'd. */
	if (level && n > 0 && (m.mode == VLAPIC_DM_FIXED || m.mode == VLAPIC_DM_LOWEST))
		io->rte[pin] |= VIOAPIC_RTE_RIRR;
}

void vioapic_set_irq(struct vioapic *io, unsigned pin, bool level)
{
	if (pin >= VIOAPIC_PINS)
		return;
	uint32_t bit = 1u << pin;
	bool was = io->asserted & bit;

	if (level)
		io->asserted |= bit;
	else
		io->asserted &= ~bit;
	if (!level)
		return;
	if ((io->rte[pin] & VIOAPIC_RTE_LEVEL) || !was)
		service(io, pin);
}

void vioapic_eoi(struct vioapic *io, uint8_t vector)
{
	for (unsigned pin = 0; pin < VIOAPIC_PINS; pin++) {
		uint64_t e = io->rte[pin];
		if ((e & VIOAPIC_RTE_VECTOR) != vector || !(e & VIOAPIC_RTE_LEVEL) ||
		    !(e & VIOAPIC_RTE_RIRR))
			continue;
		io->rte[pin] = e & ~VIOAPIC_RTE_RIRR;
		if (io->asserted & (1u << pin))
			service(io, pin);
	}
}

static uint32_t read_indirect(const struct vioapic *io, uint32_t index)
{
	switch (index) {
	case VIOAPIC_REG_ID: return io->id;
	case VIOAPIC_REG_VER: return ((VIOAPIC_PINS - 1) << 16) | VIOAPIC_VERSION;
	case VIOAPIC_REG_ARB: return io->id;
	default:
		if (index >= VIOAPIC_REG_RTE && index < VIOAPIC_REG_RTE + 2 * VIOAPIC_PINS) {
			uint64_t e = io->rte[(index - VIOAPIC_REG_RTE) / 2];
			return (uint32_t)(index & 1 ? e >> 32 : e);
		}
		return 0;
	}
}

static void write_rte(struct vioapic *io, unsigned pin, bool high, uint32_t val)
{
	uint64_t e = io->rte[pin];

	if (high) {
		e = (e & ~RTE_WRITABLE_HI) | (((uint64_t)val << 32) & RTE_WRITABLE_HI);
	} else {
		e = (e & ~RTE_WRITABLE_LO) | (val & RTE_WRITABLE_LO);
		if (!(e & VIOAPIC_RTE_LEVEL))
			e &= ~VIOAPIC_RTE_RIRR;
	}
	io->rte[pin] = e;
	/* An asserted level line is sent once unmasked (edge ones were lost). */
	if ((e & VIOAPIC_RTE_LEVEL) && (io->asserted & (1u << pin)))
		service(io, pin);
}

static void write_indirect(struct vioapic *io, uint32_t index, uint32_t val)
{
	if (index == VIOAPIC_REG_ID) {
		io->id = val & 0x0f000000; /* 4-bit ID in bits 27:24 */
		return;
	}
	if (index >= VIOAPIC_REG_RTE && index < VIOAPIC_REG_RTE + 2 * VIOAPIC_PINS)
		write_rte(io, (index - VIOAPIC_REG_RTE) / 2, index & 1, val);
	/* version, arbitration and unused indexes are read-only */
}

uint64_t vioapic_mmio_read(void *dev, uint64_t offset, unsigned size)
{
	struct vioapic *io = dev;
	uint32_t reg;

	if (size != 1 && size != 2 && size != 4 && size != 8)
		return UINT64_MAX;
	uint64_t ones = size >= 4 ? 0xffffffffULL : (1ULL << (8 * size)) - 1;
	if (offset >= VIOAPIC_MMIO_SIZE)
		return ones;
	switch (offset & ~3ULL) {
	case VIOAPIC_REGSEL: reg = io->regsel; break;
	case VIOAPIC_WIN: reg = read_indirect(io, io->regsel); break;
	default: return 0; /* the EOI register is write-only; the rest is unused */
	}
	return (reg >> (8 * (offset & 3))) & ones;
}

void vioapic_mmio_write(void *dev, uint64_t offset, unsigned size, uint64_t val)
{
	struct vioapic *io = dev;

	if (size != 1 && size != 2 && size != 4 && size != 8)
		return;
	switch (offset) {
	case VIOAPIC_REGSEL:
		io->regsel = (uint8_t)val; /* an 8-bit index, whatever the size */
		break;
	case VIOAPIC_WIN:
		if (size >= 4)
			write_indirect(io, io->regsel, (uint32_t)val);
		break;
	case VIOAPIC_EOIR:
		if (size >= 4)
			vioapic_eoi(io, (uint8_t)val);
		break;
	default: break;
	}
}

void vioapic_reset(struct vioapic *io)
{
	io->regsel = 0;
	io->id = 0;
	for (unsigned i = 0; i < VIOAPIC_PINS; i++)
		io->rte[i] = VIOAPIC_RTE_MASKED;
	/* The pin levels belong to the devices and stay. */
}

void vioapic_init(struct vioapic *io, int (*deliver)(void *ctx, const struct vlapic_msg *msg),
		  void *ctx)
{
	io->asserted = 0;
	io->deliver = deliver;
	io->ctx = ctx;
	vioapic_reset(io);
}

static void vioapic_dev_reset(void *dev)
{
	vioapic_reset(dev);
}

const struct vdev_ops vioapic_vdev_ops = {
	.name = "ioapic",
	.mmio_base = VIOAPIC_BASE,
	.mmio_size = VIOAPIC_MMIO_SIZE,
	.mmio_read = vioapic_mmio_read,
	.mmio_write = vioapic_mmio_write,
	.reset = vioapic_dev_reset,
};
