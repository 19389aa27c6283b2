/* Host tests for kernel/vdev/ioapic.c: the register window, redirection
 * entries, edge and level pins with remote IRR and EOI, against a fake APIC
 * bus that records the messages. */
#include <stdint.h>

#include "tests/unit/check.h"

#include "kernel/vdev/ioapic.c"

static struct {
	int count;
	struct vlapic_msg last;
	int accept; /* what the fake bus answers: how many APICs took it */
} bus;

static int fake_deliver(void *ctx, const struct vlapic_msg *m)
{
	(void)ctx;
	bus.count++;
	bus.last = *m;
	return bus.accept;
}

static void setup(struct vioapic *io)
{
	bus.count = 0;
	bus.accept = 1;
	vioapic_init(io, fake_deliver, NULL);
}

static uint32_t rd(struct vioapic *io, uint32_t index)
{
	vioapic_mmio_write(io, VIOAPIC_REGSEL, 4, index);
	return (uint32_t)vioapic_mmio_read(io, VIOAPIC_WIN, 4);
}

static void wr(struct vioapic *io, uint32_t index, uint32_t val)
{
	vioapic_mmio_write(io, VIOAPIC_REGSEL, 4, index);
	vioapic_mmio_write(io, VIOAPIC_WIN, 4, val);
}

/* Program pin's entry, high word first as Linux does. */
static void program(struct vioapic *io, unsigned pin, uint32_t lo, uint8_t dest)
{
	wr(io, VIOAPIC_REG_RTE + 2 * pin + 1, (uint32_t)dest << 24);
	wr(io, VIOAPIC_REG_RTE + 2 * pin, lo);
}

#define LEVEL (1u << 15)
#define MASK  (1u << 16)
#define RIRR  (1u << 14)

TEST(identification_registers)
{
	struct vioapic io;

	setup(&io);
	CHECK_EQ(rd(&io, VIOAPIC_REG_VER), 0x00170020);
	CHECK_EQ(rd(&io, VIOAPIC_REG_ID), 0);
	wr(&io, VIOAPIC_REG_ID, 0xffffffff);
	CHECK_EQ(rd(&io, VIOAPIC_REG_ID), 0x0f000000);
	CHECK_EQ(rd(&io, VIOAPIC_REG_ARB), 0x0f000000);
	wr(&io, VIOAPIC_REG_VER, 0);
	CHECK_EQ(rd(&io, VIOAPIC_REG_VER), 0x00170020);
	wr(&io, VIOAPIC_REG_ARB, 0);
	CHECK_EQ(rd(&io, VIOAPIC_REG_ARB), 0x0f000000);
	/* Indexes past the table read 0 and ignore writes. */
	wr(&io, 0x40, 0x1234);
	CHECK_EQ(rd(&io, 0x40), 0);
	CHECK_EQ(rd(&io, 0xff), 0);
	CHECK_EQ(rd(&io, 0x03), 0);
	/* IOREGSEL reads back its 8 bits. */
	vioapic_mmio_write(&io, VIOAPIC_REGSEL, 4, 0x1234);
	CHECK_EQ(vioapic_mmio_read(&io, VIOAPIC_REGSEL, 4), 0x34);
}

TEST(reset_masks_every_entry)
{
	struct vioapic io;

	setup(&io);
	for (unsigned pin = 0; pin < VIOAPIC_PINS; pin++) {
		CHECK_EQ(rd(&io, VIOAPIC_REG_RTE + 2 * pin), MASK);
		CHECK_EQ(rd(&io, VIOAPIC_REG_RTE + 2 * pin + 1), 0);
		vioapic_set_irq(&io, pin, true);
	}
	CHECK_EQ(bus.count, 0);
}

TEST(redirection_entry_bits)
{
	struct vioapic io;

	setup(&io);
	wr(&io, VIOAPIC_REG_RTE + 6, 0xffffffff);
	CHECK_EQ(rd(&io, VIOAPIC_REG_RTE + 6), 0x0001afff); /* status and remote IRR read-only */
	wr(&io, VIOAPIC_REG_RTE + 7, 0xffffffff);
	CHECK_EQ(rd(&io, VIOAPIC_REG_RTE + 7), 0xff000000);
	/* The last pin and one past it. */
	wr(&io, VIOAPIC_REG_RTE + 47, 0x05000000);
	CHECK_EQ(rd(&io, VIOAPIC_REG_RTE + 47), 0x05000000);
	wr(&io, VIOAPIC_REG_RTE + 48, 0x55);
	CHECK_EQ(rd(&io, VIOAPIC_REG_RTE + 48), 0);
}

TEST(edge_pin)
{
	struct vioapic io;

	setup(&io);
	program(&io, 4, 0x0124, 0x03); /* vector 0x24, lowest priority, physical */
	vioapic_set_irq(&io, 4, true);
	CHECK_EQ(bus.count, 1);
	CHECK_EQ(bus.last.vector, 0x24);
	CHECK_EQ(bus.last.mode, VLAPIC_DM_LOWEST);
	CHECK_EQ(bus.last.dest, 0x03);
	CHECK(!bus.last.logical);
	CHECK(!bus.last.level);
	vioapic_set_irq(&io, 4, true); /* held high: no new edge */
	CHECK_EQ(bus.count, 1);
	vioapic_set_irq(&io, 4, false);
	CHECK_EQ(bus.count, 1);
	vioapic_set_irq(&io, 4, true);
	CHECK_EQ(bus.count, 2);
	CHECK_EQ(rd(&io, VIOAPIC_REG_RTE + 8) & RIRR, 0); /* never for edge */
	/* Logical destination. */
	vioapic_set_irq(&io, 4, false);
	program(&io, 4, 0x0824, 0x0c);
	vioapic_set_irq(&io, 4, true);
	CHECK(bus.last.logical);
	CHECK_EQ(bus.last.dest, 0x0c);
	CHECK_EQ(bus.last.mode, VLAPIC_DM_FIXED);
}

TEST(masked_pins)
{
	struct vioapic io;

	setup(&io);
	program(&io, 5, MASK | 0x35, 0);
	vioapic_set_irq(&io, 5, true);
	CHECK_EQ(bus.count, 0);
	/* An edge while masked is lost, even if the line is still high. */
	program(&io, 5, 0x35, 0);
	CHECK_EQ(bus.count, 0);
	vioapic_set_irq(&io, 5, false);
	vioapic_set_irq(&io, 5, true);
	CHECK_EQ(bus.count, 1);

	/* A level line asserted while masked is sent when unmasked. */
	program(&io, 6, MASK | LEVEL | 0x36, 0);
	vioapic_set_irq(&io, 6, true);
	CHECK_EQ(bus.count, 1);
	program(&io, 6, LEVEL | 0x36, 0);
	CHECK_EQ(bus.count, 2);
	CHECK_EQ(bus.last.vector, 0x36);
	CHECK(bus.last.level);
}

TEST(level_remote_irr_and_eoi)
{
	struct vioapic io;

	setup(&io);
	program(&io, 10, LEVEL | 0x4a, 1);
	vioapic_set_irq(&io, 10, true);
	CHECK_EQ(bus.count, 1);
	CHECK(bus.last.level);
	CHECK(rd(&io, VIOAPIC_REG_RTE + 20) & RIRR);
	/* Asserting again while remote IRR is set sends nothing. */
	vioapic_set_irq(&io, 10, true);
	CHECK_EQ(bus.count, 1);
	/* Another vector's EOI changes nothing. */
	vioapic_eoi(&io, 0x4b);
	CHECK(rd(&io, VIOAPIC_REG_RTE + 20) & RIRR);
	CHECK_EQ(bus.count, 1);
	/* EOI with the line still high: sent again. */
	vioapic_eoi(&io, 0x4a);
	CHECK_EQ(bus.count, 2);
	CHECK(rd(&io, VIOAPIC_REG_RTE + 20) & RIRR);
	/* The device quiesced: the EOI clears remote IRR for good. */
	vioapic_set_irq(&io, 10, false);
	vioapic_eoi(&io, 0x4a);
	CHECK_EQ(bus.count, 2);
	CHECK_EQ(rd(&io, VIOAPIC_REG_RTE + 20) & RIRR, 0);
	vioapic_set_irq(&io, 10, true);
	CHECK_EQ(bus.count, 3);
}

TEST(eoi_register)
{
	struct vioapic io;

	setup(&io);
	program(&io, 11, LEVEL | 0x4b, 1);
	program(&io, 12, LEVEL | 0x4b, 1); /* shared vector: both cleared */
	vioapic_set_irq(&io, 11, true);
	vioapic_set_irq(&io, 12, true);
	vioapic_set_irq(&io, 11, false);
	vioapic_set_irq(&io, 12, false);
	CHECK_EQ(bus.count, 2);
	vioapic_mmio_write(&io, VIOAPIC_EOIR, 2, 0x4b); /* too small: ignored */
	CHECK(rd(&io, VIOAPIC_REG_RTE + 22) & RIRR);
	vioapic_mmio_write(&io, VIOAPIC_EOIR, 4, 0x4b);
	CHECK_EQ(rd(&io, VIOAPIC_REG_RTE + 22) & RIRR, 0);
	CHECK_EQ(rd(&io, VIOAPIC_REG_RTE + 24) & RIRR, 0);
	CHECK_EQ(vioapic_mmio_read(&io, VIOAPIC_EOIR, 4), 0); /* write-only */
}

TEST(remote_irr_needs_an_acceptor)
{
	struct vioapic io;

	setup(&io);
	bus.accept = 0; /* no APIC at that destination */
	program(&io, 9, LEVEL | 0x39, 7);
	vioapic_set_irq(&io, 9, true);
	CHECK_EQ(bus.count, 1);
	CHECK_EQ(rd(&io, VIOAPIC_REG_RTE + 18) & RIRR, 0);
	bus.accept = 1;
	vioapic_set_irq(&io, 9, true); /* still asserted: tried again */
	CHECK_EQ(bus.count, 2);
	CHECK(rd(&io, VIOAPIC_REG_RTE + 18) & RIRR);

	/* NMI through a level pin: no EOI will come, so no remote IRR. */
	program(&io, 8, LEVEL | (VLAPIC_DM_NMI << 8), 0);
	vioapic_set_irq(&io, 8, true);
	CHECK_EQ(bus.last.mode, VLAPIC_DM_NMI);
	CHECK_EQ(rd(&io, VIOAPIC_REG_RTE + 16) & RIRR, 0);
}

TEST(edge_switch_clears_remote_irr)
{
	struct vioapic io;

	setup(&io);
	program(&io, 3, LEVEL | 0x33, 0);
	vioapic_set_irq(&io, 3, true);
	vioapic_set_irq(&io, 3, false);
	CHECK(rd(&io, VIOAPIC_REG_RTE + 6) & RIRR);
	/* Writing the high word or re-masking keeps it. */
	wr(&io, VIOAPIC_REG_RTE + 7, 0x01000000);
	CHECK(rd(&io, VIOAPIC_REG_RTE + 6) & RIRR);
	wr(&io, VIOAPIC_REG_RTE + 6, MASK | LEVEL | 0x33);
	CHECK(rd(&io, VIOAPIC_REG_RTE + 6) & RIRR);
	/* The remote-IRR hack: edge, then level again. */
	wr(&io, VIOAPIC_REG_RTE + 6, MASK | 0x33);
	CHECK_EQ(rd(&io, VIOAPIC_REG_RTE + 6) & RIRR, 0);
	wr(&io, VIOAPIC_REG_RTE + 6, LEVEL | 0x33);
	CHECK_EQ(rd(&io, VIOAPIC_REG_RTE + 6), LEVEL | 0x33);
}

TEST(mmio_sizes_and_bounds)
{
	struct vioapic io;

	setup(&io);
	program(&io, 0, 0x12345, 0xab);
	vioapic_mmio_write(&io, VIOAPIC_REGSEL, 1, VIOAPIC_REG_RTE);
	CHECK_EQ(vioapic_mmio_read(&io, VIOAPIC_WIN, 1), 0x45);
	CHECK_EQ(vioapic_mmio_read(&io, VIOAPIC_WIN + 1, 1), 0x23);
	CHECK_EQ(vioapic_mmio_read(&io, VIOAPIC_WIN + 2, 2), 0x0001);
	CHECK_EQ(vioapic_mmio_read(&io, VIOAPIC_WIN, 8), 0x12345 & 0x1afff);
	CHECK_EQ(vioapic_mmio_read(&io, VIOAPIC_WIN, 3), UINT64_MAX);
	CHECK_EQ(vioapic_mmio_read(&io, 0x1000, 4), 0xffffffff);
	CHECK_EQ(vioapic_mmio_read(&io, 0x20, 4), 0);
	/* A 2-byte window write is dropped; an 8-byte one is a 4-byte one. */
	vioapic_mmio_write(&io, VIOAPIC_WIN, 2, 0x99);
	CHECK_EQ(rd(&io, VIOAPIC_REG_RTE), 0x12345 & 0x1afff);
	vioapic_mmio_write(&io, VIOAPIC_REGSEL, 4, VIOAPIC_REG_RTE);
	vioapic_mmio_write(&io, VIOAPIC_WIN, 8, 0xffffffff00010077ULL);
	CHECK_EQ(rd(&io, VIOAPIC_REG_RTE), 0x10077);
	CHECK_EQ(rd(&io, VIOAPIC_REG_RTE + 1), 0xab000000);
	vioapic_mmio_write(&io, VIOAPIC_WIN, 0, 0);
	vioapic_mmio_write(&io, 0x1000, 4, 0);
	vioapic_mmio_write(&io, 0x14, 4, 0x77); /* not a register */
	CHECK_EQ(rd(&io, VIOAPIC_REG_RTE), 0x10077);
	/* Pins past 23. */
	vioapic_set_irq(&io, 24, true);
	vioapic_set_irq(&io, 0xffffffffu, true);
	CHECK_EQ(bus.count, 0);
	CHECK_EQ(vioapic_vdev_ops.mmio_base, 0xfec00000);
	vioapic_vdev_ops.reset(&io);
	CHECK_EQ(rd(&io, VIOAPIC_REG_RTE), MASK);
}

TEST(no_bus_attached)
{
	struct vioapic io;

	vioapic_init(&io, NULL, NULL);
	program(&io, 1, LEVEL | 0x41, 0);
	vioapic_set_irq(&io, 1, true);
	CHECK_EQ(rd(&io, VIOAPIC_REG_RTE + 2) & RIRR, 0);
}

TEST(fuzz_window)
{
	uint64_t x = 0x9e3779b97f4a7c15ULL;
	unsigned sent = 0;
	struct vioapic io;

	setup(&io);
	for (int i = 0; i < 200000; i++) {
		x ^= x << 13;
		x ^= x >> 7;
		x ^= x << 17;
		uint32_t arg = (uint32_t)(x >> 20);
		int before = bus.count;
		switch (x % 6) {
		case 0: vioapic_mmio_write(&io, VIOAPIC_REGSEL, 4, 0x10 + arg % 56); break;
		case 1:
			vioapic_mmio_write(&io, (arg & 1) ? VIOAPIC_WIN : (arg & 0x7c),
					   1u << ((arg >> 1) % 4), x >> 32);
			break;
		case 2: (void)vioapic_mmio_read(&io, arg % 0x1100, 1u << (arg % 4)); break;
		case 3:
		case 4: {
			unsigned pin = arg % 26;
			bool lvl = (arg >> 5) & 1;
			uint64_t e = pin < VIOAPIC_PINS ? io.rte[pin] : 0;
			bus.accept = (arg >> 6) & 1;
			vioapic_set_irq(&io, pin, lvl);
			if (bus.count != before) {
				/* Only an unmasked entry sends, with its own fields. */
				CHECK(pin < VIOAPIC_PINS && lvl);
				CHECK(!(e & VIOAPIC_RTE_MASKED));
				CHECK_EQ(bus.last.vector, e & 0xff);
				CHECK_EQ(bus.last.mode, (e >> 8) & 7);
				CHECK_EQ(bus.last.level, !!(e & VIOAPIC_RTE_LEVEL));
				sent++;
			}
			break;
		}
		default: vioapic_eoi(&io, (uint8_t)arg); break;
		}
		for (unsigned pin = 0; pin < VIOAPIC_PINS; pin++) {
			uint64_t e = io.rte[pin];
			/* Remote IRR only on level entries; reserved bits stay 0. */
			if (e & VIOAPIC_RTE_RIRR)
				CHECK(e & VIOAPIC_RTE_LEVEL);
			CHECK_EQ(e & ~(RTE_WRITABLE_LO | RTE_WRITABLE_HI | VIOAPIC_RTE_RIRR), 0);
		}
		CHECK_EQ(io.id & ~0x0f000000u, 0);
		if (check_failed_)
			break;
	}
	CHECK(sent > 1000);
}

int main(void)
{
	RUN(identification_registers);
	RUN(reset_masks_every_entry);
	RUN(redirection_entry_bits);
	RUN(edge_pin);
	RUN(masked_pins);
	RUN(level_remote_irr_and_eoi);
	RUN(eoi_register);
	RUN(remote_irr_needs_an_acceptor);
	RUN(edge_switch_clears_remote_irr);
	RUN(mmio_sizes_and_bounds);
	RUN(no_bus_attached);
	RUN(fuzz_window);
	return CHECK_DONE();
}
