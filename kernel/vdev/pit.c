/* 8254 PIT model. Section numbers are the Intel 8254 data sheet's ("Programmable
 * Interval Timer", order 231164-005): control word format (figure 7), read-back
 * command (figures 9-11), modes 0-5 ("Mode definitions"). */
#include "kernel/vdev/pit.h"

#include "kernel/kstring.h"
#include "kernel/vdev/vdev_util.h"

#define PIT_CTRL      (VDEV_PIT_BASE + 3)
#define RW_LSB	      1
#define RW_MSB	      2
#define RW_WORD	      3 /* LSB then MSB */
#define RW_WORD_MSB   4 /* internal: the MSB of a word access is next */
#define RB_NO_COUNT   0x20
#define RB_NO_STATUS  0x10
#define REFRESH_TICKS 18 /* DRAM refresh: PIT channel 1 at count 18, 15.085 us */

static uint64_t pit_now_ns(const struct vpit *p)
{
	return p->host->now_ns ? p->host->now_ns(p->host->vm) : 0;
}

/* Modes 6 and 7 are 2 and 3 with a don't-care bit (figure 7). */
static unsigned pit_mode(const struct vpit_channel *c)
{
	return c->mode >= 6 ? c->mode - 4u : c->mode;
}

static uint64_t pit_elapsed(const struct vpit_channel *c, uint64_t t)
{
	return c->held + (c->counting ? t - c->start_tick : 0);
}

/* Whether the counting element is decrementing: after a count is written, and
 * then while GATE is high (modes 0, 2, 3, 4), or once a GATE rising edge has
 * triggered it (modes 1 and 5, where GATE going low does not stop it). */
static void pit_recount(struct vpit_channel *c, uint64_t t)
{
	unsigned m = pit_mode(c);
	bool run = c->armed && ((m == 1 || m == 5) ? c->triggered : c->gate);

	if (run == c->counting)
		return;
	if (run) {
		c->start_tick = t;
	} else {
		c->held = pit_elapsed(c, t);
	}
	c->counting = run;
}

static uint16_t pit_counter(const struct vpit_channel *c, uint64_t t)
{
	uint64_t d = pit_elapsed(c, t);

	switch (pit_mode(c)) {
	case 2: return (uint16_t)(c->count - d % c->count);
	case 3:
		/* Mode 3 decrements by two each clock (odd counts are approximated). */
		return (uint16_t)(c->count - (2 * d) % c->count);
	default: return (uint16_t)(c->count - d); /* wraps past zero and keeps counting */
	}
}

static bool pit_out(const struct vpit_channel *c, uint64_t t)
{
	uint64_t d = pit_elapsed(c, t);
	unsigned m = pit_mode(c);

	/* A control word sets OUT low in mode 0 and high in the others. */
	if (!c->armed)
		return m != 0;
	switch (m) {
	case 0: return d >= c->count;		       /* high at terminal count, stays high */
	case 1: return !c->triggered || d >= c->count; /* low from trigger to TC */
	case 2: return !c->gate || d % c->count != c->count - 1; /* low for the last clock */
	case 3: return !c->gate || d % c->count < (c->count + 1) / 2;
	case 4: return d != c->count; /* one low clock at terminal count */
	default: return !c->triggered || d != c->count;
	}
}

/* Rising edges of OUT since the channel was armed (or last restarted), after d
 * clocks: what an edge-triggered IRQ 0 input sees. */
static uint64_t pit_edges(const struct vpit_channel *c, uint64_t d)
{
	switch (pit_mode(c)) {
	case 0: return d >= c->count;
	case 1: return c->triggered && d >= c->count;
	case 2:
	case 3: return d / c->count;
	case 4: return d > c->count;
	default: return c->triggered && d > c->count;
	}
}

/* Elapsed count at which the next rising edge comes, or 0 if none will. */
static uint64_t pit_next_edge(const struct vpit_channel *c, uint64_t d)
{
	switch (pit_mode(c)) {
	case 0:
	case 1: return c->edges_seen ? 0 : c->count;
	case 2:
	case 3: return (d / c->count + 1) * c->count;
	default: return c->edges_seen ? 0 : c->count + 1ull;
	}
}

static uint64_t pit_min_gap_ns(const struct vpit *p)
{
	return vdev_ticks_to_ns(p->ch[0].count, VDEV_PIT_HZ) / 2;
}

/* Accounts channel 0's edges up to now and delivers one owed edge if the last one
 * is at least half a period old. */
static void pit_irq_update(struct vpit *p, uint64_t now, uint64_t t)
{
	struct vpit_channel *c = &p->ch[0];

	if (c->armed) {
		uint64_t total = pit_edges(c, pit_elapsed(c, t));

		if (total > c->edges_seen) {
			uint64_t fresh = total - c->edges_seen;
			uint64_t room = VDEV_PIT_MAX_PENDING - p->irq_pending;

			c->edges_seen = total;
			if (fresh > room) {
				p->irq_dropped += fresh - room;
				fresh = room;
			}
			p->irq_pending += (unsigned)fresh;
		}
	}
	if (!p->irq_pending)
		return;
	if (p->edge_sent && now - p->last_edge_ns < pit_min_gap_ns(p))
		return;
	p->irq_pending--;
	p->irq_edges++;
	p->last_edge_ns = now;
	p->edge_sent = true;
	if (p->host->set_irq) {
		p->host->set_irq(p->host->vm, VDEV_PIT_GSI, true);
		p->host->set_irq(p->host->vm, VDEV_PIT_GSI, false);
	}
}

uint64_t vdev_pit_next_deadline_ns(const struct vpit *p)
{
	const struct vpit_channel *c = &p->ch[0];
	uint64_t now = pit_now_ns(p), t = vdev_ns_to_ticks(now, VDEV_PIT_HZ), d, next;

	if (p->irq_pending)
		return p->edge_sent ? p->last_edge_ns + pit_min_gap_ns(p) : now;
	if (!c->armed || !c->counting)
		return UINT64_MAX;
	d = pit_elapsed(c, t);
	if (pit_edges(c, d) > c->edges_seen)
		return now;
	next = pit_next_edge(c, d);
	if (!next)
		return UINT64_MAX;
	return vdev_ticks_to_ns(c->start_tick + (next - c->held), VDEV_PIT_HZ);
}

bool vdev_pit_out2(const struct vpit *p)
{
	return pit_out(&p->ch[2], vdev_ns_to_ticks(pit_now_ns(p), VDEV_PIT_HZ));
}

static void pit_load(struct vpit_channel *c, uint32_t val, uint64_t t)
{
	c->count = val ? val : 0x10000;
	c->armed = true;
	c->triggered = false;
	c->counting = false;
	c->held = 0;
	c->edges_seen = 0;
	pit_recount(c, t);
}

static void pit_set_gate(struct vpit_channel *c, bool gate, uint64_t t)
{
	unsigned m = pit_mode(c);

	if (gate && !c->gate && m != 0 && m != 4) {
		/* Modes 1, 2, 3, 5: a rising edge (re)starts the count (trigger). */
		c->triggered = true;
		c->counting = false;
		c->held = 0;
		c->edges_seen = 0;
	}
	c->gate = gate;
	pit_recount(c, t);
}

static void pit_latch_count(struct vpit_channel *c, uint64_t t)
{
	if (c->latch_state)
		return; /* a second latch before the first is read is ignored */
	c->latched = pit_counter(c, t);
	c->latch_state = c->rw;
}

static void pit_latch_status(struct vpit_channel *c, uint64_t t)
{
	if (c->status_latched)
		return;
	/* Figure 11: OUT, null count, RW1 RW0, M2 M1 M0, BCD. */
	c->status = (uint8_t)((pit_out(c, t) ? 0x80 : 0) | (c->armed ? 0 : 0x40) |
			      ((c->rw & 3) << 4) | (c->mode << 1) | c->bcd);
	c->status_latched = true;
}

static void pit_write_control(struct vpit *p, uint8_t val, uint64_t t)
{
	unsigned sel = val >> 6;
	struct vpit_channel *c;

	if (sel == 3) {
		/* Read-back: bits 3:1 pick channels 2..0; bits 5 and 4 are active low. */
		for (unsigned i = 0; i < 3; i++) {
			if (!(val & (2u << i)))
				continue;
			if (!(val & RB_NO_COUNT))
				pit_latch_count(&p->ch[i], t);
			if (!(val & RB_NO_STATUS))
				pit_latch_status(&p->ch[i], t);
		}
		return;
	}
	c = &p->ch[sel];
	if (((val >> 4) & 3) == 0) {
		pit_latch_count(c, t);
		return;
	}
	c->rw = (val >> 4) & 3;
	c->read_state = c->rw;
	c->write_state = c->rw;
	c->mode = (val >> 1) & 7;
	c->bcd = val & 1;
	c->latch_state = 0;
	c->status_latched = false;
	c->armed = false;
	c->triggered = false;
	c->held = 0;
	c->edges_seen = 0;
	pit_recount(c, t);
}

static void pit_write_count(struct vpit_channel *c, uint8_t val, uint64_t t)
{
	switch (c->write_state) {
	case RW_LSB: pit_load(c, val, t); break;
	case RW_MSB: pit_load(c, (uint32_t)val << 8, t); break;
	case RW_WORD:
		c->write_lsb = val;
		c->write_state = RW_WORD_MSB;
		/* Mode 0: writing the first byte stops the count and drops OUT. */
		if (pit_mode(c) == 0) {
			c->armed = false;
			pit_recount(c, t);
		}
		break;
	default:
		pit_load(c, c->write_lsb | (uint32_t)val << 8, t);
		c->write_state = RW_WORD;
		break;
	}
}

static uint8_t pit_read_count(struct vpit_channel *c, uint64_t t)
{
	uint16_t v;

	if (c->status_latched) {
		c->status_latched = false;
		return c->status;
	}
	switch (c->latch_state) {
	case RW_LSB: c->latch_state = 0; return (uint8_t)c->latched;
	case RW_MSB: c->latch_state = 0; return (uint8_t)(c->latched >> 8);
	case RW_WORD: c->latch_state = RW_MSB; return (uint8_t)c->latched;
	default: break;
	}
	v = pit_counter(c, t);
	switch (c->read_state) {
	case RW_LSB: return (uint8_t)v;
	case RW_MSB: return (uint8_t)(v >> 8);
	case RW_WORD: c->read_state = RW_WORD_MSB; return (uint8_t)v;
	default: c->read_state = RW_WORD; return (uint8_t)(v >> 8);
	}
}

static uint8_t pit_read(void *dev, uint16_t port)
{
	struct vpit *p = dev;
	uint64_t now = pit_now_ns(p), t = vdev_ns_to_ticks(now, VDEV_PIT_HZ);
	uint8_t v;

	pit_irq_update(p, now, t);
	if (port == PIT_CTRL)
		return 0; /* the control register is write-only; QEMU reads 0 */
	v = pit_read_count(&p->ch[port - VDEV_PIT_BASE], t);
	return v;
}

static void pit_write(void *dev, uint16_t port, uint8_t val)
{
	struct vpit *p = dev;
	uint64_t now = pit_now_ns(p), t = vdev_ns_to_ticks(now, VDEV_PIT_HZ);

	/* Edges due under the old programming happen before the change. */
	pit_irq_update(p, now, t);
	if (port == PIT_CTRL)
		pit_write_control(p, val, t);
	else
		pit_write_count(&p->ch[port - VDEV_PIT_BASE], val, t);
	pit_irq_update(p, now, t);
}

static uint32_t pit_io_read(void *dev, uint16_t port, unsigned size)
{
	return vdev_read_bytes(dev, port, size, PIT_CTRL, pit_read);
}

static void pit_io_write(void *dev, uint16_t port, unsigned size, uint32_t val)
{
	vdev_write_bytes(dev, port, size, val, PIT_CTRL, pit_write);
}

/* Port 0x61 (PC/AT system control port B): bit 0 GATE2, bit 1 speaker data,
 * bits 3:2 NMI enables (kept, read back); read: bit 4 toggles with DRAM refresh,
 * bit 5 is OUT2. */
static uint8_t pit_port61_read(void *dev, uint16_t port)
{
	struct vpit *p = dev;
	uint64_t t = vdev_ns_to_ticks(pit_now_ns(p), VDEV_PIT_HZ);
	uint8_t v = p->port61 & 0x0e;

	(void)port;
	v |= p->ch[2].gate ? 0x01 : 0;
	v |= ((t / REFRESH_TICKS) & 1) ? 0x10 : 0;
	v |= pit_out(&p->ch[2], t) ? 0x20 : 0;
	return v;
}

static void pit_port61_write(void *dev, uint16_t port, uint8_t val)
{
	struct vpit *p = dev;
	uint64_t t = vdev_ns_to_ticks(pit_now_ns(p), VDEV_PIT_HZ);

	(void)port;
	p->port61 = val & 0x0f;
	pit_set_gate(&p->ch[2], val & 1, t);
}

static uint32_t pit_port61_io_read(void *dev, uint16_t port, unsigned size)
{
	return vdev_read_bytes(dev, port, size, VDEV_PIT_PORT61, pit_port61_read);
}

static void pit_port61_io_write(void *dev, uint16_t port, unsigned size, uint32_t val)
{
	vdev_write_bytes(dev, port, size, val, VDEV_PIT_PORT61, pit_port61_write);
}

/* As the BIOS leaves it and QEMU resets it: every channel in mode 3 with count
 * 0x10000 (18.2 Hz on channel 0), gates high except channel 2's. */
static void pit_reset(void *dev)
{
	struct vpit *p = dev;
	uint64_t t = vdev_ns_to_ticks(pit_now_ns(p), VDEV_PIT_HZ);

	for (unsigned i = 0; i < 3; i++) {
		struct vpit_channel *c = &p->ch[i];

		memset(c, 0, sizeof(*c));
		c->mode = 3;
		c->rw = RW_WORD;
		c->read_state = RW_WORD;
		c->write_state = RW_WORD;
		c->gate = i != 2;
		pit_load(c, 0, t);
	}
	p->port61 = 0;
	p->irq_pending = 0;
	p->edge_sent = false;
}

static void pit_tick(void *dev)
{
	struct vpit *p = dev;
	uint64_t now = pit_now_ns(p);

	pit_irq_update(p, now, vdev_ns_to_ticks(now, VDEV_PIT_HZ));
}

void vdev_pit_init(struct vpit *p, const struct vdev_host *host)
{
	memset(p, 0, sizeof(*p));
	p->host = host;
	pit_reset(p);
}

const struct vdev_ops vdev_pit_ops = {
	.name = "pit",
	.port_base = VDEV_PIT_BASE,
	.port_count = 4,
	.io_read = pit_io_read,
	.io_write = pit_io_write,
	.reset = pit_reset,
	.tick = pit_tick,
};

const struct vdev_ops vdev_pit_port61_ops = {
	.name = "port61",
	.port_base = VDEV_PIT_PORT61,
	.port_count = 1,
	.io_read = pit_port61_io_read,
	.io_write = pit_port61_io_write,
};
