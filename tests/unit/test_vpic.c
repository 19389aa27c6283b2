/* Host tests for kernel/vdev/pic.c: the two cascaded 8259As and the ELCR,
 * driven through their ports the way a guest OS programs them. */
#include <stdint.h>

#include "tests/unit/check.h"

#include "kernel/vdev/pic.c"

static int intr_calls, intr_level;

static void on_intr(void *ctx, bool level)
{
	(void)ctx;
	intr_calls++;
	intr_level = level;
}

static void outb(struct vpic *p, uint16_t port, uint8_t v)
{
	vpic_io_write(p, port, 1, v);
}

static uint8_t inb(struct vpic *p, uint16_t port)
{
	return (uint8_t)vpic_io_read(p, port, 1);
}

/* The sequence Linux's init_8259A uses: vectors 0x20 and 0x28, cascade on IR2,
 * 8086 mode, normal EOI (or auto-EOI when `aeoi`), all unmasked. */
static void setup(struct vpic *p, bool aeoi)
{
	intr_calls = 0;
	intr_level = 0;
	vpic_init(p, on_intr, NULL);
	outb(p, 0x20, 0x11);
	outb(p, 0x21, 0x20);
	outb(p, 0x21, 0x04);
	outb(p, 0x21, aeoi ? 0x03 : 0x01);
	outb(p, 0xa0, 0x11);
	outb(p, 0xa1, 0x28);
	outb(p, 0xa1, 0x02);
	outb(p, 0xa1, aeoi ? 0x03 : 0x01);
	outb(p, 0x21, 0x00);
	outb(p, 0xa1, 0x00);
}

static void pulse(struct vpic *p, unsigned irq)
{
	vpic_set_irq(p, irq, true);
	vpic_set_irq(p, irq, false);
}

static uint8_t read_isr(struct vpic *p, uint16_t port)
{
	outb(p, port, 0x0b);
	uint8_t v = inb(p, port);
	outb(p, port, 0x0a);
	return v;
}

TEST(reset_state_is_masked)
{
	struct vpic p;

	vpic_init(&p, on_intr, NULL);
	intr_calls = 0;
	CHECK_EQ(inb(&p, 0x21), 0xff);
	CHECK_EQ(inb(&p, 0xa1), 0xff);
	CHECK_EQ(inb(&p, 0x4d0), 0);
	CHECK_EQ(inb(&p, 0x4d1), 0);
	for (unsigned irq = 0; irq < 16; irq++)
		pulse(&p, irq);
	CHECK(!vpic_intr(&p));
	CHECK_EQ(vpic_peek_vector(&p), -1);
	CHECK_EQ(intr_calls, 0);
	/* The edges were latched all the same (the IRR ignores the IMR); the
	 * masked slave does not raise its INT, so the master's IR2 stays clear. */
	CHECK_EQ(inb(&p, 0x20), 0xfb);
	CHECK_EQ(inb(&p, 0xa0), 0xff);
}

TEST(init_sequence_and_first_interrupt)
{
	struct vpic p;

	setup(&p, false);
	CHECK_EQ(inb(&p, 0x21), 0);
	CHECK_EQ(inb(&p, 0xa1), 0);
	CHECK_EQ(p.chip[0].vector_base, 0x20);
	CHECK_EQ(p.chip[1].vector_base, 0x28);
	CHECK_EQ(p.chip[0].icw3, 0x04);
	CHECK_EQ(p.chip[1].icw3, 0x02);
	CHECK(!vpic_intr(&p));

	pulse(&p, 1);
	CHECK(vpic_intr(&p));
	CHECK_EQ(intr_calls, 1);
	CHECK_EQ(intr_level, 1);
	CHECK_EQ(inb(&p, 0x20), 0x02); /* IRR by default */
	CHECK_EQ(vpic_peek_vector(&p), 0x21);
	CHECK_EQ(vpic_intack(&p), 0x21);
	CHECK(!vpic_intr(&p));
	CHECK_EQ(intr_calls, 2);
	CHECK_EQ(intr_level, 0);
	CHECK_EQ(read_isr(&p, 0x20), 0x02);
	CHECK_EQ(inb(&p, 0x20), 0x00);
	outb(&p, 0x20, 0x20); /* non-specific EOI */
	CHECK_EQ(read_isr(&p, 0x20), 0x00);
	CHECK(!vpic_intr(&p));
}

TEST(icw_sequences)
{
	/* ICW1, then how many data writes are ICWs before the IMR is reached. */
	static const struct {
		uint8_t icw1;
		unsigned icws;
		bool aeoi;
	} c[] = {
		{0x11, 3, true},  /* cascade, ICW4 */
		{0x13, 2, true},  /* single, ICW4: no ICW3 */
		{0x10, 2, false}, /* cascade, no ICW4: ICW4 functions are 0 */
		{0x12, 1, false}, /* single, no ICW4 */
		{0x19, 3, true},  /* LTIM set: ignored, the ELCR rules */
	};
	for (size_t i = 0; i < sizeof(c) / sizeof(c[0]); i++) {
		struct vpic p;
		vpic_init(&p, NULL, NULL);
		p.chip[0].auto_eoi = true; /* must be cleared by ICW1 */
		outb(&p, 0x20, c[i].icw1);
		CHECK_EQ(inb(&p, 0x21), 0); /* ICW1 clears the IMR */
		outb(&p, 0x21, 0x40);	    /* ICW2 */
		if (c[i].icws >= 2)
			outb(&p, 0x21, c[i].icws == 3 ? 0x04 : 0x03);
		if (c[i].icws == 3)
			outb(&p, 0x21, 0x03); /* ICW4 with AEOI */
		CHECK_EQ(p.chip[0].init_step, 0);
		outb(&p, 0x21, 0xa5); /* now OCW1 */
		CHECK_EQ(inb(&p, 0x21), 0xa5);
		CHECK_EQ(p.chip[0].vector_base, 0x40);
		CHECK_EQ(p.chip[0].auto_eoi, c[i].aeoi);
		if (c[i].icws == 2 && c[i].icw1 & 0x02) /* single with ICW4 */
			CHECK_EQ(p.chip[0].auto_eoi, 1);
	}
}

TEST(icw2_low_bits_ignored)
{
	struct vpic p;

	vpic_init(&p, NULL, NULL);
	outb(&p, 0x20, 0x11);
	outb(&p, 0x21, 0x37); /* T2-T0 are the IR number */
	outb(&p, 0x21, 0x04);
	outb(&p, 0x21, 0x01);
	outb(&p, 0x21, 0x00);
	pulse(&p, 0);
	CHECK_EQ(vpic_intack(&p), 0x30);
}

TEST(masks)
{
	struct vpic p;

	setup(&p, false);
	outb(&p, 0x21, 0x10); /* mask IRQ4 */
	pulse(&p, 4);
	CHECK(!vpic_intr(&p));
	CHECK_EQ(inb(&p, 0x20), 0x10); /* latched while masked */
	outb(&p, 0x21, 0x00);
	CHECK(vpic_intr(&p));
	CHECK_EQ(vpic_intack(&p), 0x24);

	/* Masking IR2 on the master masks the whole slave. */
	outb(&p, 0x20, 0x20);
	outb(&p, 0x21, 0x04);
	pulse(&p, 12);
	CHECK(!vpic_intr(&p));
	outb(&p, 0x21, 0x00);
	CHECK(vpic_intr(&p));
	CHECK_EQ(vpic_intack(&p), 0x2c);

	/* A slave mask. */
	outb(&p, 0xa0, 0x20);
	outb(&p, 0x20, 0x20);
	outb(&p, 0xa1, 0x01);
	pulse(&p, 8);
	CHECK(!vpic_intr(&p));
}

TEST(fixed_priority_and_nesting)
{
	struct vpic p;

	setup(&p, false);
	pulse(&p, 5);
	pulse(&p, 3);
	CHECK_EQ(vpic_intack(&p), 0x23); /* lower IR, higher priority */
	CHECK(!vpic_intr(&p));		 /* IRQ5 waits behind IRQ3 */
	pulse(&p, 1);
	CHECK(vpic_intr(&p)); /* IRQ1 nests above IRQ3 */
	CHECK_EQ(vpic_intack(&p), 0x21);
	CHECK_EQ(read_isr(&p, 0x20), 0x0a);
	outb(&p, 0x20, 0x20); /* clears the highest: IRQ1 */
	CHECK_EQ(read_isr(&p, 0x20), 0x08);
	CHECK(!vpic_intr(&p));
	outb(&p, 0x20, 0x20);
	CHECK_EQ(read_isr(&p, 0x20), 0x00);
	CHECK_EQ(vpic_intack(&p), 0x25);
	/* The same level does not nest. */
	pulse(&p, 5);
	CHECK(!vpic_intr(&p));
	outb(&p, 0x20, 0x20);
	CHECK_EQ(vpic_intack(&p), 0x25);
}

TEST(specific_eoi)
{
	struct vpic p;

	setup(&p, false);
	pulse(&p, 3);
	CHECK_EQ(vpic_intack(&p), 0x23);
	pulse(&p, 1);
	CHECK_EQ(vpic_intack(&p), 0x21);
	outb(&p, 0x20, 0x63); /* specific EOI for IR3, not the highest */
	CHECK_EQ(read_isr(&p, 0x20), 0x02);
	outb(&p, 0x20, 0x67); /* IR7 is not in service: no effect */
	CHECK_EQ(read_isr(&p, 0x20), 0x02);
	outb(&p, 0x20, 0x61);
	CHECK_EQ(read_isr(&p, 0x20), 0x00);
	outb(&p, 0x20, 0x20); /* non-specific EOI with nothing in service */
	CHECK_EQ(read_isr(&p, 0x20), 0x00);
}

TEST(auto_eoi)
{
	struct vpic p;

	setup(&p, true);
	pulse(&p, 6);
	CHECK_EQ(vpic_intack(&p), 0x26);
	CHECK_EQ(read_isr(&p, 0x20), 0);
	pulse(&p, 6); /* the same level is deliverable at once */
	CHECK(vpic_intr(&p));
	pulse(&p, 9);
	CHECK_EQ(vpic_intack(&p), 0x29); /* IR2 (the slave) outranks IR6 */
	CHECK_EQ(vpic_intack(&p), 0x26);
	CHECK_EQ(read_isr(&p, 0x20), 0);
	CHECK_EQ(read_isr(&p, 0xa0), 0);
	CHECK(!vpic_intr(&p));
}

TEST(spurious_irq7)
{
	struct vpic p;

	/* An edge request masked between INT and INTA. */
	setup(&p, false);
	pulse(&p, 4);
	CHECK(vpic_intr(&p));
	outb(&p, 0x21, 0x10);
	CHECK(!vpic_intr(&p));
	CHECK_EQ(vpic_peek_vector(&p), -1);
	CHECK_EQ(vpic_intack(&p), 0x27);
	CHECK_EQ(read_isr(&p, 0x20), 0); /* no ISR bit for a spurious one */

	/* A level request that went away before INTA. */
	setup(&p, false);
	outb(&p, 0x4d0, 0x20); /* IRQ5 level */
	vpic_set_irq(&p, 5, true);
	CHECK(vpic_intr(&p));
	vpic_set_irq(&p, 5, false);
	CHECK(!vpic_intr(&p));
	CHECK_EQ(vpic_intack(&p), 0x27);
	CHECK_EQ(read_isr(&p, 0x20), 0);
}

TEST(spurious_irq15)
{
	struct vpic p;

	setup(&p, false);
	outb(&p, 0x4d1, 0x04); /* IRQ10 level */
	vpic_set_irq(&p, 10, true);
	CHECK(vpic_intr(&p));
	vpic_set_irq(&p, 10, false);
	/* The master latched IR2 (an edge input), so it still asks. */
	CHECK(vpic_intr(&p));
	CHECK_EQ(vpic_peek_vector(&p), 0x2f);
	CHECK_EQ(vpic_intack(&p), 0x2f);
	CHECK_EQ(read_isr(&p, 0xa0), 0);
	CHECK_EQ(read_isr(&p, 0x20), 0x04); /* the master must still be EOI'd */
	outb(&p, 0x20, 0x20);
	CHECK_EQ(read_isr(&p, 0x20), 0);
	CHECK(!vpic_intr(&p));
}

TEST(cascade)
{
	struct vpic p;

	setup(&p, false);
	pulse(&p, 12);
	CHECK(vpic_intr(&p));
	CHECK_EQ(inb(&p, 0x20), 0x04); /* the master sees IR2 */
	CHECK_EQ(inb(&p, 0xa0), 0x10);
	CHECK_EQ(vpic_intack(&p), 0x2c);
	CHECK_EQ(read_isr(&p, 0x20), 0x04);
	CHECK_EQ(read_isr(&p, 0xa0), 0x10);
	/* A second slave request waits behind the first on both chips. */
	pulse(&p, 14);
	CHECK(!vpic_intr(&p));
	outb(&p, 0xa0, 0x20);
	CHECK(!vpic_intr(&p)); /* the master's IR2 is still in service */
	outb(&p, 0x20, 0x20);
	CHECK(vpic_intr(&p));
	CHECK_EQ(vpic_intack(&p), 0x2e);
	outb(&p, 0xa0, 0x20);
	outb(&p, 0x20, 0x20);
	CHECK(!vpic_intr(&p));
	CHECK_EQ(read_isr(&p, 0x20), 0);
	CHECK_EQ(read_isr(&p, 0xa0), 0);
}

TEST(cascade_priority_between_chips)
{
	struct vpic p;

	setup(&p, false);
	/* IRQ8-15 rank between IRQ1 and IRQ3. */
	pulse(&p, 3);
	pulse(&p, 15);
	pulse(&p, 1);
	CHECK_EQ(vpic_intack(&p), 0x21);
	outb(&p, 0x20, 0x20);
	CHECK_EQ(vpic_intack(&p), 0x2f);
	outb(&p, 0xa0, 0x20);
	outb(&p, 0x20, 0x20);
	CHECK_EQ(vpic_intack(&p), 0x23);
	outb(&p, 0x20, 0x20);
	CHECK(!vpic_intr(&p));
}

TEST(special_fully_nested_mode)
{
	struct vpic p;

	setup(&p, false);
	outb(&p, 0x20, 0x11);
	outb(&p, 0x21, 0x20);
	outb(&p, 0x21, 0x04);
	outb(&p, 0x21, 0x11); /* SFNM */
	pulse(&p, 12);
	CHECK_EQ(vpic_intack(&p), 0x2c);
	/* A higher-priority slave request gets through IR2 in service. */
	pulse(&p, 9);
	CHECK(vpic_intr(&p));
	CHECK_EQ(vpic_intack(&p), 0x29);
	/* A lower one does not (the slave itself holds it). */
	pulse(&p, 13);
	CHECK(!vpic_intr(&p));
}

TEST(elcr)
{
	struct vpic p;

	setup(&p, false);
	/* IRQ0, 1, 2, 8 and 13 cannot be level-triggered. */
	vpic_io_write(&p, 0x4d0, 2, 0xffff);
	CHECK_EQ(inb(&p, 0x4d0), 0xf8);
	CHECK_EQ(inb(&p, 0x4d1), 0xde);
	CHECK_EQ(vpic_io_read(&p, 0x4d0, 2), 0xdef8);
	vpic_io_write(&p, 0x4d0, 2, 0);

	/* Level: the request stays while the line is high, and comes back
	 * after EOI. */
	outb(&p, 0x4d1, 0x08); /* IRQ11 */
	vpic_set_irq(&p, 11, true);
	CHECK_EQ(vpic_intack(&p), 0x2b);
	CHECK_EQ(inb(&p, 0xa0), 0x08); /* IRR follows the line */
	outb(&p, 0xa0, 0x20);
	outb(&p, 0x20, 0x20);
	CHECK(vpic_intr(&p));
	CHECK_EQ(vpic_intack(&p), 0x2b);
	vpic_set_irq(&p, 11, false);
	CHECK_EQ(inb(&p, 0xa0), 0x00);
	outb(&p, 0xa0, 0x20);
	outb(&p, 0x20, 0x20);
	CHECK(!vpic_intr(&p));

	/* Edge: a line held high interrupts once. */
	vpic_set_irq(&p, 4, true);
	CHECK_EQ(vpic_intack(&p), 0x24);
	outb(&p, 0x20, 0x20);
	CHECK(!vpic_intr(&p));
	vpic_set_irq(&p, 4, true); /* still high: no new edge */
	CHECK(!vpic_intr(&p));
	vpic_set_irq(&p, 4, false);
	vpic_set_irq(&p, 4, true);
	CHECK(vpic_intr(&p));

	/* Switching a held line to level makes it a request. */
	setup(&p, false);
	vpic_set_irq(&p, 5, true);
	CHECK_EQ(vpic_intack(&p), 0x25);
	outb(&p, 0x20, 0x20);
	CHECK(!vpic_intr(&p));
	outb(&p, 0x4d0, 0x20);
	CHECK(vpic_intr(&p));
}

TEST(ocw3_read_select)
{
	struct vpic p;

	setup(&p, false);
	pulse(&p, 3);
	pulse(&p, 6);
	CHECK_EQ(vpic_intack(&p), 0x23);
	CHECK_EQ(inb(&p, 0x20), 0x40); /* IRR */
	outb(&p, 0x20, 0x0b);
	CHECK_EQ(inb(&p, 0x20), 0x08); /* ISR */
	CHECK_EQ(inb(&p, 0x20), 0x08); /* sticks */
	outb(&p, 0x20, 0x08);	       /* RR=0: no change */
	CHECK_EQ(inb(&p, 0x20), 0x08);
	outb(&p, 0x20, 0x0a);
	CHECK_EQ(inb(&p, 0x20), 0x40);
	CHECK_EQ(inb(&p, 0x21), 0x00); /* the data port is the IMR */
}

TEST(poll_mode)
{
	struct vpic p;

	setup(&p, false);
	outb(&p, 0x21, 0xff); /* an OS polling with INT masked */
	outb(&p, 0x20, 0x0c);
	CHECK_EQ(inb(&p, 0x20), 0x00); /* nothing pending: masked does not count */
	outb(&p, 0x21, 0x00);
	pulse(&p, 5);
	outb(&p, 0x20, 0x0c);
	CHECK_EQ(inb(&p, 0x20), 0x85);
	CHECK_EQ(read_isr(&p, 0x20), 0x20); /* acknowledged like an INTA */
	CHECK_EQ(inb(&p, 0x20), 0x00);	    /* poll is for one read only: IRR */
	outb(&p, 0x20, 0x20);
	/* Polling the slave. */
	pulse(&p, 10);
	outb(&p, 0x20, 0x0c);
	CHECK_EQ(inb(&p, 0x20), 0x82);
	outb(&p, 0xa0, 0x0c);
	CHECK_EQ(inb(&p, 0xa0), 0x82);
	CHECK_EQ(read_isr(&p, 0xa0), 0x04);
}

TEST(rotation)
{
	struct vpic p;

	setup(&p, false);
	pulse(&p, 3);
	CHECK_EQ(vpic_intack(&p), 0x23);
	outb(&p, 0x20, 0xa0); /* rotate on non-specific EOI: IR3 becomes lowest */
	pulse(&p, 0);
	pulse(&p, 4);
	CHECK_EQ(vpic_intack(&p), 0x24);
	outb(&p, 0x20, 0x20);
	CHECK_EQ(vpic_intack(&p), 0x20);
	outb(&p, 0x20, 0xc7); /* set priority: IR7 lowest again */
	outb(&p, 0x20, 0x20);
	pulse(&p, 4);
	pulse(&p, 0);
	CHECK_EQ(vpic_intack(&p), 0x20);
	outb(&p, 0x20, 0xe0); /* rotate on specific EOI of IR0 */
	CHECK_EQ(read_isr(&p, 0x20), 0);
	CHECK_EQ(p.chip[0].lowest_prio, 0);
	/* Rotate in auto-EOI mode. */
	setup(&p, true);
	outb(&p, 0x20, 0x80);
	pulse(&p, 1);
	CHECK_EQ(vpic_intack(&p), 0x21);
	CHECK_EQ(p.chip[0].lowest_prio, 1);
	outb(&p, 0x20, 0x00);
	CHECK(!p.chip[0].rotate_on_aeoi);
}

TEST(special_mask_mode)
{
	struct vpic p;

	setup(&p, false);
	pulse(&p, 3);
	CHECK_EQ(vpic_intack(&p), 0x23);
	pulse(&p, 5);
	CHECK(!vpic_intr(&p));
	outb(&p, 0x21, 0x08); /* mask the level in service */
	outb(&p, 0x20, 0x68); /* set special mask mode */
	CHECK(vpic_intr(&p));
	CHECK_EQ(vpic_intack(&p), 0x25);
	outb(&p, 0x20, 0x48); /* reset special mask mode */
	CHECK(!p.chip[0].special_mask);
}

TEST(port_access_sizes)
{
	struct vpic p;

	setup(&p, false);
	vpic_io_write(&p, 0x20, 2, 0x5a0a); /* OCW3 to 0x20, IMR 0x5a to 0x21 */
	CHECK_EQ(inb(&p, 0x21), 0x5a);
	CHECK_EQ(vpic_io_read(&p, 0x20, 2), 0x5a00);
	CHECK_EQ(vpic_io_read(&p, 0x20, 3), 0xffffffffu);
	vpic_io_write(&p, 0x21, 0, 0x00); /* ignored */
	CHECK_EQ(inb(&p, 0x21), 0x5a);
	CHECK_EQ(inb(&p, 0x22), 0xff); /* not ours */
	vpic_io_write(&p, 0x22, 1, 0x11);
	CHECK_EQ(inb(&p, 0x21), 0x5a);
	/* 4 bytes at 0xa0 reach 0xa0, 0xa1 and two empty ports. */
	CHECK_EQ(vpic_io_read(&p, 0xa0, 4), 0xffff0000u);
}

TEST(vdev_ops_and_invalid_irqs)
{
	struct vpic p;

	CHECK_EQ(vpic_master_ops.port_base, 0x20);
	CHECK_EQ(vpic_master_ops.port_count, 2);
	CHECK_EQ(vpic_slave_ops.port_base, 0xa0);
	CHECK_EQ(vpic_elcr_ops.port_base, 0x4d0);
	CHECK(vpic_master_ops.io_read == vpic_io_read);
	setup(&p, false);
	vpic_set_irq(&p, 2, true); /* the cascade is not a device line */
	vpic_set_irq(&p, 16, true);
	vpic_set_irq(&p, 0xffffffffu, true);
	CHECK(!vpic_intr(&p));
	outb(&p, 0x21, 0x12);
	vpic_master_ops.reset(&p);
	CHECK_EQ(inb(&p, 0x21), 0xff);
}

/* A reference for the fuzz: after any sequence, the model's own views agree. */
TEST(fuzz_ports_and_lines)
{
	static const uint16_t ports[] = {0x20, 0x21, 0xa0, 0xa1, 0x4d0, 0x4d1, 0x22, 0x4d2};
	uint64_t x = 0x853c49e6748fea9bULL;
	unsigned real_acks = 0, slave_acks = 0;
	struct vpic p;

	setup(&p, false);
	for (int i = 0; i < 200000; i++) {
		x ^= x << 13;
		x ^= x >> 7;
		x ^= x << 17;
		unsigned op = x % 8, arg = (unsigned)(x >> 8);
		switch (op) {
		case 0:
		case 1: vpic_io_write(&p, ports[arg % 8], 1 + (arg >> 3) % 4, arg >> 5); break;
		case 2: (void)vpic_io_read(&p, ports[arg % 8], 1 + (arg >> 3) % 4); break;
		case 3:
		case 4: vpic_set_irq(&p, arg % 20, (arg >> 5) & 1); break;
		case 5: {
			bool intr = vpic_intr(&p);
			int peek = vpic_peek_vector(&p);
			CHECK_EQ(intr, peek >= 0);
			uint8_t v = vpic_intack(&p);
			if (peek >= 0) {
				CHECK_EQ(v, peek);
				real_acks++;
				slave_acks += (v & 0xf8) == p.chip[1].vector_base;
			} else
				CHECK_EQ(v, p.chip[0].vector_base | 7);
			CHECK((v & 0xf8) == p.chip[0].vector_base ||
			      (v & 0xf8) == p.chip[1].vector_base);
			break;
		}
		case 6:
			if (arg & 1)
				setup(&p, arg & 2);
			break;
		default: outb(&p, arg & 1 ? 0xa0 : 0x20, 0x20); break;
		}
		for (unsigned c = 0; c < 2; c++) {
			CHECK_EQ(p.chip[c].elcr & ~p.chip[c].elcr_mask, 0);
			CHECK(p.chip[c].init_step <= 4);
			CHECK(p.chip[c].lowest_prio < 8);
			/* Level inputs show their line. */
			CHECK_EQ(p.chip[c].irr & p.chip[c].elcr, p.chip[c].line & p.chip[c].elcr);
		}
		CHECK_EQ(p.intr, vpic_intr(&p)); /* the last report is current */
		if (check_failed_)
			break;
	}
	/* The walk reached interesting states, not only spurious ones. */
	CHECK(real_acks > 1000);
	CHECK(slave_acks > 100);
}

int main(void)
{
	RUN(reset_state_is_masked);
	RUN(init_sequence_and_first_interrupt);
	RUN(icw_sequences);
	RUN(icw2_low_bits_ignored);
	RUN(masks);
	RUN(fixed_priority_and_nesting);
	RUN(specific_eoi);
	RUN(auto_eoi);
	RUN(spurious_irq7);
	RUN(spurious_irq15);
	RUN(cascade);
	RUN(cascade_priority_between_chips);
	RUN(special_fully_nested_mode);
	RUN(elcr);
	RUN(ocw3_read_select);
	RUN(poll_mode);
	RUN(rotation);
	RUN(special_mask_mode);
	RUN(port_access_sizes);
	RUN(vdev_ops_and_invalid_irqs);
	RUN(fuzz_ports_and_lines);
	return CHECK_DONE();
}
