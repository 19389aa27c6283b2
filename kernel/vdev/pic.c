/* Two cascaded 8259A PICs and the ELCR (see kernel/vdev/pic.h). Pure. */
#include <stdbool.h>
#include <stdint.h>

#include "kernel/vdev/pic.h"

/* Command words, 8259A data sheet, "Operation command words". */
#define ICW1_IC4  0x01 /* ICW4 follows */
#define ICW1_SNGL 0x02 /* single 8259, no ICW3 */
#define ICW1_SEL  0x10 /* on the command port: this is ICW1 */
#define ICW4_AEOI 0x02
#define ICW4_SFNM 0x10
#define OCW3_SEL  0x08 /* on the command port with bit 4 clear: OCW3 */
#define OCW3_RIS  0x01
#define OCW3_RR	  0x02
#define OCW3_POLL 0x04
#define OCW3_SMM  0x20
#define OCW3_ESMM 0x40
#define OCW2_EOI  0x20
#define OCW2_SL	  0x40
#define OCW2_R	  0x80

/* PIIX: IRQ0, 1, 2, 8 and 13 are always edge-triggered, the ELCR bits for
 * them are read-only zero. */
#define ELCR_MASK_MASTER 0xf8
#define ELCR_MASK_SLAVE	 0xde

/* Priority rank of `irq` (0 highest) under the chip's current rotation. */
static unsigned chip_rank(const struct vpic_chip *c, unsigned irq)
{
	return (irq - c->lowest_prio - 1) & 7;
}

/* The highest-priority IR set in `bits`, or -1. */
static int chip_highest(const struct vpic_chip *c, uint8_t bits)
{
	for (unsigned i = 0; i < 8; i++) {
		unsigned irq = (c->lowest_prio + 1 + i) & 7;
		if (bits & (1u << irq))
			return (int)irq;
	}
	return -1;
}

/* The request this chip would signal, given its effective IRR (the master's
 * includes the slave's INT on IR2), or -1: the highest unmasked request of
 * strictly higher priority than everything in service that still blocks. */
static int chip_pending(const struct vpic_chip *c, uint8_t irr, bool is_master)
{
	int req = chip_highest(c, irr & (uint8_t)~c->imr);
	if (req < 0)
		return -1;
	uint8_t blocking = c->isr;
	/* Special mask mode: a masked level does not hold off the others. */
	if (c->special_mask)
		blocking &= (uint8_t)~c->imr;
	/* Special fully nested mode: the slave's in-service IR2 does not hold off
	 * a higher-priority request from the slave itself. */
	if (is_master && c->sfnm)
		blocking &= (uint8_t) ~(1u << VPIC_CASCADE_IRQ);
	int cur = chip_highest(c, blocking);
	if (cur >= 0 && chip_rank(c, (unsigned)req) >= chip_rank(c, (unsigned)cur))
		return -1;
	return req;
}

static int slave_pending(const struct vpic *p)
{
	return chip_pending(&p->chip[1], p->chip[1].irr, false);
}

/* The master's IRR as its priority logic sees it: IR2 is the slave's INT,
 * an edge input (its ELCR bit is fixed at 0) latched by update(), and also
 * counted while INT stays high, so a request the slave holds is never lost.
 * A latched IR2 whose slave request went away before INTA is what makes the
 * spurious IRQ15. */
static uint8_t master_irr(const struct vpic *p)
{
	uint8_t irr = p->chip[0].irr;
	if (slave_pending(p) >= 0)
		irr |= 1u << VPIC_CASCADE_IRQ;
	return irr;
}

static int master_pending(const struct vpic *p)
{
	return chip_pending(&p->chip[0], master_irr(p), true);
}

bool vpic_intr(const struct vpic *p)
{
	return master_pending(p) >= 0;
}

/* Propagate the slave's INT to the master's IR2 and report the master's INT. */
static void update(struct vpic *p)
{
	struct vpic_chip *m = &p->chip[0];
	const uint8_t ir2 = 1u << VPIC_CASCADE_IRQ;

	if (slave_pending(p) >= 0) {
		if (!(m->line & ir2))
			m->irr |= ir2;
		m->line |= ir2;
	} else {
		m->line &= (uint8_t)~ir2;
	}
	bool level = vpic_intr(p);
	if (level == p->intr)
		return;
	p->intr = level;
	if (p->intr_changed)
		p->intr_changed(p->ctx, level);
}

/* Acknowledge `irq` on one chip (INTA or poll): set ISR, or rotate in AEOI. */
static void chip_ack(struct vpic_chip *c, unsigned irq)
{
	uint8_t bit = (uint8_t)(1u << irq);

	/* An edge request is consumed; a level one follows its line. */
	if (!(c->elcr & bit))
		c->irr &= (uint8_t)~bit;
	if (!c->auto_eoi)
		c->isr |= bit;
	else if (c->rotate_on_aeoi)
		c->lowest_prio = (uint8_t)irq;
}

int vpic_peek_vector(const struct vpic *p)
{
	int irq = master_pending(p);
	if (irq < 0)
		return -1;
	if (irq != VPIC_CASCADE_IRQ)
		return p->chip[0].vector_base + irq;
	int sirq = slave_pending(p);
	return p->chip[1].vector_base + (sirq < 0 ? 7 : sirq);
}

uint8_t vpic_intack(struct vpic *p)
{
	uint8_t vector;
	int irq = master_pending(p);

	if (irq < 0) {
		/* The request went away before INTA: the 8259A answers IR7. */
		vector = p->chip[0].vector_base | 7;
	} else if (irq == VPIC_CASCADE_IRQ) {
		int sirq = slave_pending(p);
		chip_ack(&p->chip[0], VPIC_CASCADE_IRQ);
		if (sirq < 0) {
			vector = p->chip[1].vector_base | 7; /* spurious IRQ15 */
		} else {
			chip_ack(&p->chip[1], (unsigned)sirq);
			vector = (uint8_t)(p->chip[1].vector_base + sirq);
		}
	} else {
		chip_ack(&p->chip[0], (unsigned)irq);
		vector = (uint8_t)(p->chip[0].vector_base + irq);
	}
	update(p);
	return vector;
}

static void chip_set_input(struct vpic_chip *c, unsigned irq, bool level)
{
	uint8_t bit = (uint8_t)(1u << irq);

	if (c->elcr & bit) {
		if (level)
			c->irr |= bit;
		else
			c->irr &= (uint8_t)~bit;
	} else if (level && !(c->line & bit)) {
		c->irr |= bit; /* rising edge */
	}
	if (level)
		c->line |= bit;
	else
		c->line &= (uint8_t)~bit;
}

void vpic_set_irq(struct vpic *p, unsigned irq, bool level)
{
	if (irq > 15 || irq == VPIC_CASCADE_IRQ)
		return;
	chip_set_input(&p->chip[irq >> 3], irq & 7, level);
	update(p);
}

/* ICW1: start the initialization sequence. 8259A data sheet: the IMR is
 * cleared, IR7 gets the lowest priority, special mask mode is cleared, status
 * read is set to IRR, and the edge sense is reset (an edge input must go low
 * and high again). If IC4 is 0, every ICW4 function is set to 0. */
static void chip_icw1(struct vpic_chip *c, uint8_t val)
{
	c->imr = 0;
	c->isr = 0;
	c->irr = c->line & c->elcr; /* level inputs still asserted stay requested */
	c->lowest_prio = 7;
	c->special_mask = false;
	c->read_isr = false;
	c->poll = false;
	c->auto_eoi = false;
	c->rotate_on_aeoi = false;
	c->sfnm = false;
	c->need_icw4 = val & ICW1_IC4;
	c->single = val & ICW1_SNGL;
	c->init_step = 2;
}

static void chip_init_word(struct vpic_chip *c, uint8_t val)
{
	switch (c->init_step) {
	case 2:
		c->vector_base = val & 0xf8; /* T7-T3; T2-T0 are the IR number */
		c->init_step = !c->single ? 3 : c->need_icw4 ? 4 : 0;
		break;
	case 3:
		c->icw3 = val;
		c->init_step = c->need_icw4 ? 4 : 0;
		break;
	default:
		c->auto_eoi = val & ICW4_AEOI;
		c->sfnm = val & ICW4_SFNM;
		c->init_step = 0;
		break;
	}
}

static void chip_ocw2(struct vpic_chip *c, uint8_t val)
{
	unsigned level = val & 7;
	int irq;

	switch (val & (OCW2_R | OCW2_SL | OCW2_EOI)) {
	case OCW2_EOI:		/* non-specific EOI */
	case OCW2_R | OCW2_EOI: /* rotate on non-specific EOI */
		irq = chip_highest(c, c->isr);
		if (irq < 0)
			break;
		c->isr &= (uint8_t) ~(1u << irq);
		if (val & OCW2_R)
			c->lowest_prio = (uint8_t)irq;
		break;
	/* specific EOI */
	case OCW2_SL | OCW2_EOI: c->isr &= (uint8_t) ~(1u << level); break;
	case OCW2_R | OCW2_SL | OCW2_EOI: /* rotate on specific EOI */
		c->isr &= (uint8_t) ~(1u << level);
		c->lowest_prio = (uint8_t)level;
		break;
	case OCW2_R | OCW2_SL: /* set priority: `level` becomes the lowest */
		c->lowest_prio = (uint8_t)level;
		break;
	/* set and clear rotate in automatic EOI mode */
	case OCW2_R: c->rotate_on_aeoi = true; break;
	case 0: c->rotate_on_aeoi = false; break;
	/* OCW2_SL alone: no operation */
	default: break;
	}
}

static void chip_ocw3(struct vpic_chip *c, uint8_t val)
{
	if (val & OCW3_ESMM)
		c->special_mask = val & OCW3_SMM;
	if (val & OCW3_RR)
		c->read_isr = val & OCW3_RIS;
	c->poll = val & OCW3_POLL;
}

/* A poll read: the highest request as 0x80 | IR, acknowledged like an INTA,
 * or 0 when there is none. */
static uint8_t poll_read(struct vpic *p, unsigned which)
{
	struct vpic_chip *c = &p->chip[which];
	int irq = which == 0 ? master_pending(p) : slave_pending(p);

	c->poll = false;
	if (irq < 0)
		return 0;
	chip_ack(c, (unsigned)irq);
	update(p);
	return (uint8_t)(0x80 | irq);
}

static uint8_t read_byte(struct vpic *p, uint16_t port)
{
	switch (port) {
	case VPIC_MASTER_PORT:
	case VPIC_SLAVE_PORT: {
		unsigned which = port == VPIC_SLAVE_PORT;
		struct vpic_chip *c = &p->chip[which];
		if (c->poll)
			return poll_read(p, which);
		if (c->read_isr)
			return c->isr;
		return which ? c->irr : master_irr(p);
	}
	case VPIC_MASTER_PORT + 1: return p->chip[0].imr;
	case VPIC_SLAVE_PORT + 1: return p->chip[1].imr;
	case VPIC_ELCR_PORT: return p->chip[0].elcr;
	case VPIC_ELCR_PORT + 1: return p->chip[1].elcr;
	default: return 0xff;
	}
}

static void write_elcr(struct vpic_chip *c, uint8_t val)
{
	c->elcr = val & c->elcr_mask;
	/* Level inputs show their line; edge ones keep what they latched. */
	c->irr = (uint8_t)((c->irr & ~c->elcr) | (c->line & c->elcr));
}

static void write_byte(struct vpic *p, uint16_t port, uint8_t val)
{
	switch (port) {
	case VPIC_MASTER_PORT:
	case VPIC_SLAVE_PORT: {
		struct vpic_chip *c = &p->chip[port == VPIC_SLAVE_PORT];
		if (val & ICW1_SEL)
			chip_icw1(c, val);
		else if (val & OCW3_SEL)
			chip_ocw3(c, val);
		else
			chip_ocw2(c, val);
		break;
	}
	case VPIC_MASTER_PORT + 1:
	case VPIC_SLAVE_PORT + 1: {
		struct vpic_chip *c = &p->chip[port == VPIC_SLAVE_PORT + 1];
		if (c->init_step)
			chip_init_word(c, val);
		else
			c->imr = val;
		break;
	}
	case VPIC_ELCR_PORT: write_elcr(&p->chip[0], val); break;
	case VPIC_ELCR_PORT + 1: write_elcr(&p->chip[1], val); break;
	default: break;
	}
	update(p);
}

uint32_t vpic_io_read(void *dev, uint16_t port, unsigned size)
{
	struct vpic *p = dev;
	uint32_t val = 0;

	if (size != 1 && size != 2 && size != 4)
		return 0xffffffff;
	for (unsigned i = 0; i < size; i++)
		val |= (uint32_t)read_byte(p, (uint16_t)(port + i)) << (8 * i);
	return val;
}

void vpic_io_write(void *dev, uint16_t port, unsigned size, uint32_t val)
{
	struct vpic *p = dev;

	if (size != 1 && size != 2 && size != 4)
		return;
	for (unsigned i = 0; i < size; i++)
		write_byte(p, (uint16_t)(port + i), (uint8_t)(val >> (8 * i)));
}

void vpic_reset(struct vpic *p)
{
	for (unsigned i = 0; i < 2; i++) {
		struct vpic_chip *c = &p->chip[i];
		/* The input wires belong to the devices: keep their levels. */
		*c = (struct vpic_chip){
			.line = c->line,
			.imr = 0xff,
			.elcr_mask = i ? ELCR_MASK_SLAVE : ELCR_MASK_MASTER,
			.lowest_prio = 7,
		};
	}
	p->chip[0].icw3 = 1u << VPIC_CASCADE_IRQ;
	p->chip[1].icw3 = VPIC_CASCADE_IRQ;
	update(p);
}

void vpic_init(struct vpic *p, void (*intr_changed)(void *ctx, bool level), void *ctx)
{
	p->intr = false;
	p->chip[0].line = p->chip[1].line = 0;
	p->intr_changed = intr_changed;
	p->ctx = ctx;
	vpic_reset(p);
}

static void vpic_reset_dev(void *dev)
{
	vpic_reset(dev);
}

/* The reset of the whole pair hangs off the master's range only. */
const struct vdev_ops vpic_master_ops = {
	.name = "pic-master",
	.port_base = VPIC_MASTER_PORT,
	.port_count = 2,
	.io_read = vpic_io_read,
	.io_write = vpic_io_write,
	.reset = vpic_reset_dev,
};

const struct vdev_ops vpic_slave_ops = {
	.name = "pic-slave",
	.port_base = VPIC_SLAVE_PORT,
	.port_count = 2,
	.io_read = vpic_io_read,
	.io_write = vpic_io_write,
};

const struct vdev_ops vpic_elcr_ops = {
	.name = "elcr",
	.port_base = VPIC_ELCR_PORT,
	.port_count = 2,
	.io_read = vpic_io_read,
	.io_write = vpic_io_write,
};
