/* Host tests for kernel/vdev/pit.c: the 8254 under a fake guest clock. Periods are
 * counted in PIT ticks (1.193182 MHz); AT(k) is the first guest ns at which k
 * ticks have elapsed. */
#include "tests/unit/check.h"

#include "kernel/vdev/pit.c"
#include "tests/unit/vdev_fake_host.h"

static struct vpit PIT;

#define AT(k) vdev_ticks_to_ns((k), VDEV_PIT_HZ)

static uint8_t in8(uint16_t port)
{
	const struct vdev_ops *ops = port == 0x61 ? &vdev_pit_port61_ops : &vdev_pit_ops;
	return (uint8_t)io_in(ops, &PIT, port, 1);
}

static void out8(uint16_t port, uint8_t v)
{
	const struct vdev_ops *ops = port == 0x61 ? &vdev_pit_port61_ops : &vdev_pit_ops;
	io_out(ops, &PIT, port, 1, v);
}

static void setup(void)
{
	fake_reset();
	vdev_pit_init(&PIT, &FAKE_HOST);
}

/* Control word, then the count LSB and MSB: what every OS does. */
static void program(unsigned ch, unsigned mode, uint32_t count)
{
	out8(0x43, (uint8_t)(ch << 6 | 0x30 | mode << 1));
	out8((uint16_t)(0x40 + ch), (uint8_t)count);
	out8((uint16_t)(0x40 + ch), (uint8_t)(count >> 8));
}

static uint16_t read_count(unsigned ch)
{
	uint16_t lo = in8((uint16_t)(0x40 + ch));
	return (uint16_t)(lo | in8((uint16_t)(0x40 + ch)) << 8);
}

static uint8_t read_status(unsigned ch)
{
	out8(0x43, (uint8_t)(0xe0 | 2u << ch)); /* read-back: status only */
	return in8((uint16_t)(0x40 + ch));
}

static void tick_at(uint64_t ns)
{
	FV.now = ns;
	vdev_pit_ops.tick(&PIT);
}

TEST(ops_tables)
{
	CHECK_EQ(vdev_pit_ops.port_base, 0x40);
	CHECK_EQ(vdev_pit_ops.port_count, 4);
	CHECK(vdev_pit_ops.tick != NULL);
	CHECK_EQ(vdev_pit_port61_ops.port_base, 0x61);
	CHECK_EQ(vdev_pit_port61_ops.port_count, 1);
	CHECK_EQ(VDEV_PIT_GSI, 0);
}

TEST(time_conversion)
{
	/* by hand: 65536 / 1.193182 MHz = 54925401.2 ns, 1193 ticks = 999847.5 ns */
	CHECK_EQ(AT(65536), 54925402);
	CHECK_EQ(AT(1193), 999848);
	CHECK_EQ(vdev_ns_to_ticks(1000000000, VDEV_PIT_HZ), 1193182);
	CHECK_EQ(vdev_ns_to_ticks(999847, VDEV_PIT_HZ), 1192);
	CHECK_EQ(vdev_ns_to_ticks(999848, VDEV_PIT_HZ), 1193);
	/* no overflow after years of guest time */
	CHECK_EQ(vdev_ns_to_ticks(100ull * 365 * 86400 * 1000000000, VDEV_PIT_HZ),
		 100ull * 365 * 86400 * 1193182);
	CHECK_EQ(vdev_ticks_to_ns(UINT64_MAX, VDEV_PIT_HZ), UINT64_MAX);
}

TEST(reset_state_ticks_at_18hz)
{
	setup();
	CHECK_EQ(read_status(0), 0xb6); /* OUT high, LSB/MSB, mode 3 */
	CHECK_EQ(read_status(2), 0xb6);
	tick_at(AT(65536) - 1);
	CHECK_EQ(FV.rises[0], 0);
	tick_at(AT(65536));
	CHECK_EQ(FV.rises[0], 1);
	CHECK(!FV.level[0]); /* an edge: raised and dropped */
	CHECK_EQ(FV.calls[0], 2);
	tick_at(AT(2 * 65536));
	CHECK_EQ(FV.rises[0], 2);
	/* channel 2's gate is low after reset: it does not count */
	FV.now = AT(1000);
	CHECK_EQ(read_count(2), 0);
	CHECK_EQ(in8(0x61) & 0x01, 0);
}

TEST(mode2_rate_1khz)
{
	setup();
	program(0, 2, 1193); /* Linux's LATCH for HZ=1000 */
	for (uint64_t t = 0; t <= 1000000000; t += 100000)
		tick_at(t);
	/* floor(1193182 / 1193) periods end within the second */
	CHECK_EQ(FV.rises[0], 1000);
	CHECK_EQ(PIT.irq_dropped, 0);
	CHECK(!FV.level[0]);
}

TEST(mode3_rate_100hz)
{
	setup();
	program(0, 3, 11932); /* Linux's LATCH for HZ=100: 100 periods take 1.000015 s */
	for (uint64_t t = 0; t <= 1000000000; t += 1000000)
		tick_at(t);
	CHECK_EQ(FV.rises[0], 99);
	tick_at(1000015000);
	CHECK_EQ(FV.rises[0], 99);
	tick_at(1000016000);
	CHECK_EQ(FV.rises[0], 100);
	/* OUT is a square wave: high for the first half of each period */
	FV.now = AT(11932 * 100 + 100);
	CHECK_EQ(read_status(0) & 0x80, 0x80);
	FV.now = AT(11932 * 100 + 6000);
	CHECK_EQ(read_status(0) & 0x80, 0x00);
	/* and the counter goes down by two per clock */
	FV.now = AT(11932 * 100 + 1000);
	CHECK_EQ(read_count(0), 11932 - 2000);
}

TEST(coalescing_after_a_long_stall)
{
	unsigned before;

	setup();
	program(0, 2, 1193);
	tick_at(1000000000); /* a second without a tick: 1000 edges due */
	CHECK_EQ(FV.rises[0], 1);
	CHECK_EQ(PIT.irq_pending, VDEV_PIT_MAX_PENDING - 1);
	CHECK_EQ(PIT.irq_dropped, 1000 - VDEV_PIT_MAX_PENDING);
	/* no storm: more ticks at the same moment deliver nothing */
	for (int i = 0; i < 10; i++)
		tick_at(1000000000);
	CHECK_EQ(FV.rises[0], 1);
	/* the owed ones come half a period apart */
	CHECK_EQ(vdev_pit_next_deadline_ns(&PIT), 1000000000 + AT(1193) / 2);
	tick_at(1000000000 + AT(1193) / 2 - 1);
	CHECK_EQ(FV.rises[0], 1);
	tick_at(1000000000 + AT(1193) / 2);
	CHECK_EQ(FV.rises[0], 2);
	/* then the rate settles back to one per period */
	before = FV.rises[0];
	for (uint64_t t = 1001000000; t <= 1101000000; t += 50000)
		tick_at(t);
	CHECK(FV.rises[0] - before >= 100 && FV.rises[0] - before <= 100 + VDEV_PIT_MAX_PENDING);
	CHECK_EQ(PIT.irq_pending, 0);
}

TEST(next_deadline)
{
	setup();
	FV.now = 5000;
	program(0, 2, 1193);
	/* armed at tick 5 (5000 ns = 5.96 ticks -> tick 5), first edge 1193 later */
	CHECK_EQ(vdev_pit_next_deadline_ns(&PIT), AT(5 + 1193));
	tick_at(AT(5 + 1193));
	CHECK_EQ(FV.rises[0], 1);
	CHECK_EQ(vdev_pit_next_deadline_ns(&PIT), AT(5 + 2 * 1193));
	/* an edge that is due but not delivered: due now */
	FV.now = AT(5 + 2 * 1193) + 10;
	CHECK_EQ(vdev_pit_next_deadline_ns(&PIT), FV.now);
	/* one-shot mode 0: one deadline, then none */
	setup();
	program(0, 0, 500);
	CHECK_EQ(vdev_pit_next_deadline_ns(&PIT), AT(500));
	tick_at(AT(500));
	CHECK_EQ(FV.rises[0], 1);
	CHECK_EQ(vdev_pit_next_deadline_ns(&PIT), UINT64_MAX);
	/* after a control word without a count: nothing is counting */
	out8(0x43, 0x34);
	CHECK_EQ(vdev_pit_next_deadline_ns(&PIT), UINT64_MAX);
}

TEST(mode0_one_shot)
{
	setup();
	out8(0x43, 0x30);
	CHECK_EQ(read_status(0), 0x70); /* OUT low, null count, LSB/MSB, mode 0 */
	out8(0x40, 100);
	CHECK_EQ(read_status(0) & 0x80, 0x00); /* first byte: still stopped, OUT low */
	out8(0x40, 0);
	CHECK_EQ(read_status(0), 0x30); /* count loaded */
	FV.now = AT(99);
	CHECK_EQ(read_count(0), 1);
	CHECK_EQ(read_status(0) & 0x80, 0x00);
	CHECK_EQ(FV.rises[0], 0);
	FV.now = AT(100);
	CHECK_EQ(read_status(0) & 0x80, 0x80);
	CHECK_EQ(FV.rises[0], 1); /* the port access delivered the edge */
	FV.now = AT(101);
	CHECK_EQ(read_count(0), 0xffff);       /* keeps counting through zero */
	CHECK_EQ(read_status(0) & 0x80, 0x80); /* OUT stays high */
	tick_at(AT(100000));
	CHECK_EQ(FV.rises[0], 1); /* exactly one interrupt */
	/* re-arming: OUT low again and a new edge later */
	program(0, 0, 10);
	CHECK_EQ(read_status(0) & 0x80, 0x00);
	tick_at(AT(100000 + 10));
	CHECK_EQ(FV.rises[0], 2);
}

TEST(mode4_linux_oneshot)
{
	setup();
	program(0, 4, 500); /* Linux's i8253 clockevent in oneshot mode: 0x38 */
	CHECK_EQ(read_status(0), 0xb8);
	tick_at(AT(500));
	CHECK_EQ(read_status(0) & 0x80, 0x00); /* the low strobe at terminal count */
	CHECK_EQ(FV.rises[0], 0);
	tick_at(AT(501));
	CHECK_EQ(read_status(0) & 0x80, 0x80);
	CHECK_EQ(FV.rises[0], 1); /* the edge as OUT returns high */
	tick_at(AT(1000000));
	CHECK_EQ(FV.rises[0], 1);
}

TEST(latch_and_readback)
{
	setup();
	program(0, 2, 1000);
	FV.now = AT(250);
	out8(0x43, 0x00); /* latch channel 0 */
	FV.now = AT(600);
	out8(0x43, 0x00); /* a second latch before reading is ignored */
	CHECK_EQ(read_count(0), 750);
	CHECK_EQ(read_count(0), 400); /* live again */
	/* read-back of count and status: status comes first */
	FV.now = AT(900);
	out8(0x43, 0xc2);
	FV.now = AT(950);
	CHECK_EQ(in8(0x40), 0xb4); /* OUT high, LSB/MSB, mode 2 */
	CHECK_EQ(read_count(0), 100);
	/* read-back of several channels at once */
	program(1, 2, 0x1234);
	FV.now = AT(950 + 0x34);
	out8(0x43, 0xd6); /* count only, channels 1 and 2 ... */
	out8(0x43, 0xd2); /* ... and channel 0 */
	FV.now = AT(5000);
	CHECK_EQ(read_count(1), 0x1234 - 0x34);
	CHECK_EQ(read_count(0), (uint16_t)(1000 - (950 + 0x34) % 1000));
	CHECK_EQ(read_count(2), 0); /* channel 2 never counted: 0x10000 */
	/* a control word drops a pending latch */
	out8(0x43, 0x00);
	out8(0x43, 0x34);
	CHECK_EQ(read_status(0), 0xf4); /* null count until a count is written */
}

TEST(access_modes)
{
	setup();
	out8(0x43, 0x10); /* channel 0, LSB only, mode 0 */
	out8(0x40, 0x50);
	CHECK_EQ(in8(0x40), 0x50);
	CHECK_EQ(in8(0x40), 0x50); /* LSB only: no MSB turn */
	out8(0x43, 0x20);	   /* MSB only */
	out8(0x40, 0x12);
	CHECK_EQ(PIT.ch[0].count, 0x1200);
	CHECK_EQ(in8(0x40), 0x12);
	FV.now = AT(0x100);
	CHECK_EQ(in8(0x40), 0x11);
	/* count 0 means 65536 */
	program(0, 2, 0);
	CHECK_EQ(PIT.ch[0].count, 0x10000);
	FV.now = AT(0x100 + 1);
	CHECK_EQ(read_count(0), 0xffff);
	/* modes 6 and 7 are 2 and 3 */
	out8(0x43, 0x3c); /* mode 6 */
	out8(0x40, 10);
	out8(0x40, 0);
	CHECK_EQ(read_status(0) & 0x0e, 0x0c); /* reported as programmed */
	FV.now += AT(25);
	CHECK_EQ(read_count(0), 5); /* counts like mode 2: 25 % 10 = 5 done */
	/* BCD is not modelled: kept in the status, counting stays binary */
	out8(0x43, 0x35);
	out8(0x40, 0x00);
	out8(0x40, 0x10);
	CHECK_EQ(read_status(0) & 0x01, 0x01);
	CHECK_EQ(PIT.ch[0].count, 0x1000);
	CHECK_EQ(in8(0x43), 0); /* the control register reads 0 */
}

TEST(channel2_and_port61)
{
	uint64_t t0;

	setup();
	/* Linux's pit_calibrate_tsc(): gate on, speaker off, mode 0, 10 ms */
	out8(0x61, (uint8_t)((in8(0x61) & ~0x02) | 0x01));
	program(2, 0, 11932);
	CHECK_EQ(in8(0x61) & 0x21, 0x01); /* gate on, OUT2 low */
	FV.now = AT(11931);
	CHECK_EQ(in8(0x61) & 0x20, 0x00);
	CHECK(!vdev_pit_out2(&PIT));
	FV.now = AT(11932);
	CHECK_EQ(in8(0x61) & 0x20, 0x20);
	CHECK(vdev_pit_out2(&PIT));
	CHECK_EQ(FV.rises[0], 0); /* channel 2 is not IRQ 0 */
	/* gate low holds the count in mode 0; gate high resumes it */
	program(2, 0, 1000);
	t0 = FV.now;
	FV.now = t0 + AT(100);
	out8(0x61, 0x00);
	FV.now = t0 + AT(5000);
	CHECK_EQ(read_count(2), 900);
	out8(0x61, 0x01);
	FV.now = t0 + AT(5000) + AT(50);
	CHECK_EQ(read_count(2), 850);
	/* mode 2: a gate rising edge reloads the counter */
	program(2, 2, 1000);
	t0 = FV.now;
	FV.now = t0 + AT(300);
	CHECK_EQ(read_count(2), 700);
	out8(0x61, 0x00);
	CHECK_EQ(in8(0x61) & 0x20, 0x20); /* gate low forces OUT high in mode 2 */
	out8(0x61, 0x01);
	CHECK_EQ(read_count(2), 1000);
	/* speaker data and NMI enable bits read back; refresh toggles every 18 ticks */
	out8(0x61, 0x0f);
	CHECK_EQ(in8(0x61) & 0x0f, 0x0f);
	FV.now = AT(18 * 1000);
	CHECK_EQ(in8(0x61) & 0x10, 0x00);
	FV.now = AT(18 * 1001);
	CHECK_EQ(in8(0x61) & 0x10, 0x10);
	CHECK_EQ(in8(0x61) & 0xc0, 0x00);
}

TEST(mode1_gate_trigger)
{
	setup();
	out8(0x61, 0x00);
	program(2, 1, 200);
	FV.now = AT(1000);
	CHECK_EQ(in8(0x61) & 0x20, 0x20); /* not triggered: OUT high */
	out8(0x61, 0x01);		  /* trigger */
	CHECK_EQ(in8(0x61) & 0x20, 0x00);
	FV.now = AT(1000 + 200);
	CHECK_EQ(in8(0x61) & 0x20, 0x20);
	out8(0x61, 0x00); /* gate low does not matter in mode 1 */
	out8(0x61, 0x01); /* retrigger */
	CHECK_EQ(in8(0x61) & 0x20, 0x00);
	CHECK_EQ(read_count(2), 200);
}

TEST(hostile_sequences)
{
	uint32_t x = 12345;

	setup();
	for (unsigned i = 0; i < 20000; i++) {
		x = x * 1103515245u + 12345u;
		FV.now += (x >> 20) & 0xfff;
		switch ((x >> 8) & 7) {
		case 0:
		case 1:
		case 2: out8((uint16_t)(0x40 + ((x >> 4) & 3)), (uint8_t)(x >> 24)); break;
		case 3: out8(0x61, (uint8_t)(x >> 24)); break;
		case 4:
		case 5: (void)in8((uint16_t)(0x40 + ((x >> 4) & 3))); break;
		case 6: (void)in8(0x61); break;
		default: vdev_pit_ops.tick(&PIT); break;
		}
		CHECK(PIT.irq_pending <= VDEV_PIT_MAX_PENDING);
		for (unsigned c = 0; c < 3; c++)
			CHECK(PIT.ch[c].count >= 1 && PIT.ch[c].count <= 0x10000);
	}
	CHECK_EQ(FV.bad_gsi, 0);
	CHECK(!FV.level[0]);
	/* every edge was a rise and a fall */
	CHECK_EQ(FV.calls[0], 2 * FV.rises[0]);
}

int main(void)
{
	RUN(ops_tables);
	RUN(time_conversion);
	RUN(reset_state_ticks_at_18hz);
	RUN(mode2_rate_1khz);
	RUN(mode3_rate_100hz);
	RUN(coalescing_after_a_long_stall);
	RUN(next_deadline);
	RUN(mode0_one_shot);
	RUN(mode4_linux_oneshot);
	RUN(latch_and_readback);
	RUN(access_modes);
	RUN(channel2_and_port61);
	RUN(mode1_gate_trigger);
	RUN(hostile_sequences);
	return CHECK_DONE();
}
