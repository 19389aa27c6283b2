/* Host tests for kernel/vdev/rtc.c: the MC146818 and the PC CMOS bytes. Calendar
 * values were checked against Python's calendar.timegm; CMOS memory values are
 * computed by hand from the PC/AT layout. */
#include "tests/unit/check.h"

#include "kernel/vdev/rtc.c"
#include "tests/unit/vdev_fake_host.h"

static struct vrtc R;

#define SEC 1000000000ull

static const int64_t LEAP_EVE = 1709251198; /* 2024-02-29 23:59:58 UTC, a Thursday */

static void setup_cfg(const struct vdev_rtc_config *cfg)
{
	fake_reset();
	vdev_rtc_init(&R, &FAKE_HOST, cfg);
}

static void setup_at(int64_t t)
{
	struct vdev_rtc_config cfg = {.start_unix = t, .ram_below_4g = 128ull << 20, .cpus = 1};
	setup_cfg(&cfg);
}

static uint8_t cmos(uint8_t idx)
{
	io_out(&vdev_rtc_ops, &R, 0x70, 1, idx);
	return (uint8_t)io_in(&vdev_rtc_ops, &R, 0x71, 1);
}

static void cmos_w(uint8_t idx, uint8_t v)
{
	io_out(&vdev_rtc_ops, &R, 0x70, 1, idx);
	io_out(&vdev_rtc_ops, &R, 0x71, 1, v);
}

TEST(mktime_table)
{
	static const struct {
		int64_t y;
		unsigned mo, d, h, mi, s;
		int64_t want;
	} t[] = {
		{1970, 1, 1, 0, 0, 0, 0},
		{2000, 1, 1, 0, 0, 0, 946684800},
		{2024, 2, 29, 23, 59, 58, 1709251198},
		{2038, 1, 19, 3, 14, 8, 2147483648ll},
		{1969, 12, 31, 23, 59, 59, -1},
		{2100, 3, 1, 0, 0, 0, 4107542400ll},
		{1600, 2, 29, 12, 0, 0, -11670955200ll},
		{9999, 12, 31, 23, 59, 59, 253402300799ll},
		/* out-of-range fields are clamped, not trusted */
		{2000, 13, 1, 0, 0, 0, 975628800},   /* month 12 */
		{2000, 0, 0, 99, 99, 99, 946771199}, /* 2000-01-01 23:59:59 */
	};

	for (unsigned i = 0; i < sizeof(t) / sizeof(t[0]); i++)
		CHECK_EQ(vdev_rtc_mktime(t[i].y, t[i].mo, t[i].d, t[i].h, t[i].mi, t[i].s),
			 t[i].want);
}

TEST(calendar_roundtrip)
{
	/* every day over 800 years, through the civil form and back */
	for (int64_t days = -146097; days < 146097; days += 1) {
		int64_t y;
		unsigned m, d;

		civil_from_days(days, &y, &m, &d);
		if (days_from_civil(y, m, d) != days || m < 1 || m > 12 || d < 1 || d > 31) {
			CHECK_EQ(days_from_civil(y, m, d), days);
			break;
		}
	}
}

TEST(bcd_24h_and_rollover)
{
	setup_at(LEAP_EVE);
	CHECK_EQ(cmos(0x00), 0x58);
	CHECK_EQ(cmos(0x02), 0x59);
	CHECK_EQ(cmos(0x04), 0x23);
	CHECK_EQ(cmos(0x06), 0x05); /* Thursday, Sunday = 1 */
	CHECK_EQ(cmos(0x07), 0x29);
	CHECK_EQ(cmos(0x08), 0x02);
	CHECK_EQ(cmos(0x09), 0x24);
	CHECK_EQ(cmos(0x32), 0x20);
	FV.now = 2 * SEC; /* into March 1st, a Friday */
	CHECK_EQ(cmos(0x00), 0x00);
	CHECK_EQ(cmos(0x02), 0x00);
	CHECK_EQ(cmos(0x04), 0x00);
	CHECK_EQ(cmos(0x06), 0x06);
	CHECK_EQ(cmos(0x07), 0x01);
	CHECK_EQ(cmos(0x08), 0x03);
	CHECK_EQ(vdev_rtc_time(&R), LEAP_EVE + 2);
	/* and across a century */
	setup_at(4102444799); /* 2099-12-31 23:59:59 */
	FV.now = SEC;
	CHECK_EQ(cmos(0x09), 0x00);
	CHECK_EQ(cmos(0x32), 0x21);
	CHECK_EQ(cmos(0x08), 0x01);
}

TEST(binary_and_12_hour)
{
	static const struct {
		int64_t t;
		uint8_t b, hour;
	} t[] = {
		{LEAP_EVE, 0x06, 23},		      /* binary 24h */
		{LEAP_EVE, 0x00, 0x91},		      /* BCD 12h: 11 PM */
		{LEAP_EVE, 0x04, 0x8b},		      /* binary 12h: 11 PM */
		{1709164800, 0x00, 0x12},	      /* 00:00 is 12 AM */
		{1709164800 + 12 * 3600, 0x00, 0x92}, /* 12:00 is 12 PM */
		{1709164800 + 13 * 3600, 0x00, 0x81}, /* 1 PM */
		{1709164800 + 11 * 3600, 0x04, 0x0b}, /* 11 AM */
	};

	for (unsigned i = 0; i < sizeof(t) / sizeof(t[0]); i++) {
		setup_at(t[i].t);
		cmos_w(0x0b, t[i].b);
		CHECK_EQ(cmos(0x04), t[i].hour);
		CHECK_EQ(vdev_rtc_time(&R), t[i].t);
	}
	setup_at(LEAP_EVE);
	cmos_w(0x0b, 0x06);
	CHECK_EQ(cmos(0x00), 58);
	CHECK_EQ(cmos(0x07), 29);
	CHECK_EQ(cmos(0x09), 24);
	CHECK_EQ(cmos(0x32), 20);
}

TEST(set_time_like_linux)
{
	setup_at(LEAP_EVE);
	FV.now = 300 * 1000000ull;
	/* mc146818_set_time(): SET, divider reset, write, restore */
	cmos_w(0x0b, cmos(0x0b) | 0x80);
	cmos_w(0x0a, 0x70);
	cmos_w(0x00, 0x30);
	cmos_w(0x02, 0x15);
	cmos_w(0x04, 0x10);
	cmos_w(0x07, 0x04);
	cmos_w(0x08, 0x07);
	cmos_w(0x09, 0x26);
	cmos_w(0x32, 0x20);
	FV.now += 5 * SEC; /* stopped: time does not move */
	CHECK_EQ(cmos(0x00), 0x30);
	CHECK_EQ(cmos(0x0a) & 0x80, 0); /* no UIP while stopped */
	cmos_w(0x0b, 0x02);
	CHECK_EQ(cmos(0x00), 0x30); /* divider still held in reset */
	cmos_w(0x0a, 0x26);
	/* 2026-07-04 10:15:30; the first update comes 500 ms after the divider runs */
	CHECK_EQ(vdev_rtc_time(&R), 1783160130);
	FV.now += 499999999;
	CHECK_EQ(cmos(0x00), 0x30);
	FV.now += 1;
	CHECK_EQ(cmos(0x00), 0x31);
	/* writing a field while the clock runs takes effect at once */
	cmos_w(0x02, 0x45);
	CHECK_EQ(cmos(0x02), 0x45);
	CHECK_EQ(cmos(0x00), 0x31);
	CHECK_EQ(vdev_rtc_time(&R), 1783160131 + 30 * 60);
	/* in 12-hour mode the PM bit counts: 3 PM is 15:00 */
	cmos_w(0x0b, 0x80); /* SET, BCD, 12-hour */
	cmos_w(0x04, 0x83);
	cmos_w(0x0b, 0x00);
	CHECK_EQ(vdev_rtc_time(&R) % 86400, 15 * 3600 + 45 * 60 + 31);
	cmos_w(0x0b, 0x80);
	cmos_w(0x04, 0x12); /* 12 AM is midnight */
	cmos_w(0x0b, 0x00);
	CHECK_EQ(vdev_rtc_time(&R) % 86400, 45 * 60 + 31);
	/* the registers are not converted when the format changes (as on the
	 * chip): 0x12 written in 12-hour mode, restarted in 24-hour, is noon */
	cmos_w(0x0b, 0x80);
	cmos_w(0x0b, 0x02);
	CHECK_EQ(vdev_rtc_time(&R) % 86400, 12 * 3600 + 45 * 60 + 31);
	/* garbage fields are clamped: month 0x99 reads back as written while
	 * stopped, and the clock restarts in December */
	cmos_w(0x0b, 0x82);
	cmos_w(0x08, 0x99);
	CHECK_EQ(cmos(0x08), 0x99);
	cmos_w(0x0b, 0x02);
	CHECK_EQ(cmos(0x08), 0x12);
}

TEST(uip_window)
{
	setup_at(LEAP_EVE);
	FV.now = 0;
	CHECK_EQ(cmos(0x0a), 0x26);
	FV.now = SEC - 244141;
	CHECK_EQ(cmos(0x0a), 0x26);
	FV.now = SEC - 244140;
	CHECK_EQ(cmos(0x0a), 0xa6); /* UIP in the last 244 us of the second */
	FV.now = SEC - 1;
	CHECK_EQ(cmos(0x0a), 0xa6);
	CHECK_EQ(cmos(0x00), 0x58); /* the old second is still shown */
	FV.now = SEC;
	CHECK_EQ(cmos(0x0a), 0x26);
	CHECK_EQ(cmos(0x00), 0x59);
	/* UIP is read-only */
	cmos_w(0x0a, 0xa6);
	FV.now = SEC + 1000;
	CHECK_EQ(cmos(0x0a), 0x26);
}

TEST(periodic_interrupt)
{
	unsigned irqs = 0;
	uint64_t start;

	setup_at(LEAP_EVE);
	/* PF is set without PIE, but no interrupt */
	FV.now = SEC / 1024 + 1;
	CHECK_EQ(cmos(0x0c), 0x40);
	CHECK_EQ(cmos(0x0c), 0x00); /* cleared by the read */
	CHECK_EQ(FV.rises[8], 0);
	/* 2 Hz with PIE: one interrupt per half second, held until C is read */
	cmos_w(0x0a, 0x2f);
	cmos_w(0x0b, 0x42);
	start = FV.now;
	for (uint64_t t = start; t <= start + 10 * SEC; t += 10000000) {
		FV.now = t;
		vdev_rtc_ops.tick(&R);
		if (FV.level[8]) {
			irqs++;
			CHECK_EQ(cmos(0x0c) & 0xc0, 0xc0);
			CHECK(!FV.level[8]);
		}
	}
	CHECK_EQ(irqs, 20);
	CHECK_EQ(FV.rises[8], 20);
	/* not reading C keeps the line high: no further edges */
	FV.now += 5 * SEC;
	vdev_rtc_ops.tick(&R);
	CHECK(FV.level[8]);
	FV.now += 5 * SEC;
	vdev_rtc_ops.tick(&R);
	CHECK_EQ(FV.rises[8], 21);
	/* disabling PIE drops the line; the flags stay for a poll (UF too: the
	 * update flag is set every second whether or not UIE is) */
	cmos_w(0x0b, 0x02);
	CHECK(!FV.level[8]);
	CHECK_EQ(cmos(0x0c), 0x50);
}

TEST(rates)
{
	/* rate select -> period in ns (32768 Hz base; 1 and 2 repeat 8 and 9) */
	static const struct {
		uint8_t rs;
		uint64_t period_ns;
	} t[] = {{1, 3906250}, {2, 7812500}, {3, 122071}, {6, 976563}, {15, 500000000}};

	for (unsigned i = 0; i < sizeof(t) / sizeof(t[0]); i++) {
		setup_at(0);
		cmos_w(0x0a, (uint8_t)(0x20 | t[i].rs));
		cmos_w(0x0b, 0x42);
		CHECK_EQ(vdev_rtc_next_deadline_ns(&R), t[i].period_ns);
	}
	/* rate 0 or a stopped divider: no periodic interrupt */
	setup_at(0);
	cmos_w(0x0a, 0x20);
	cmos_w(0x0b, 0x42);
	CHECK_EQ(vdev_rtc_next_deadline_ns(&R), UINT64_MAX);
	FV.now = SEC;
	CHECK_EQ(cmos(0x0c), 0x10); /* UF, no PF */
}

TEST(update_and_alarm)
{
	setup_at(LEAP_EVE); /* 23:59:58 */
	FV.now = 100;
	cmos_w(0x0a, 0x20); /* no periodic flag to muddy C */
	cmos_w(0x0b, 0x12); /* UIE */
	CHECK_EQ(vdev_rtc_next_deadline_ns(&R), SEC);
	FV.now = SEC - 1;
	vdev_rtc_ops.tick(&R);
	CHECK(!FV.level[8]);
	FV.now = SEC;
	vdev_rtc_ops.tick(&R);
	CHECK(FV.level[8]);
	CHECK_EQ(cmos(0x0c), 0x90); /* IRQF | UF */
	CHECK(!FV.level[8]);
	/* alarm at 00:00:00, hours "don't care" */
	cmos_w(0x0b, 0x22); /* AIE only */
	cmos_w(0x01, 0x00);
	cmos_w(0x03, 0x00);
	cmos_w(0x05, 0xc0);
	FV.now = 2 * SEC - 1;
	vdev_rtc_ops.tick(&R);
	CHECK(!FV.level[8]);
	FV.now = 2 * SEC; /* 00:00:00 */
	vdev_rtc_ops.tick(&R);
	CHECK(FV.level[8]);
	CHECK_EQ(cmos(0x0c), 0xb0); /* IRQF | AF | UF */
	FV.now = 3 * SEC;
	vdev_rtc_ops.tick(&R);
	CHECK(!FV.level[8]);
	CHECK_EQ(cmos(0x0c), 0x10); /* UF only: no alarm at 00:00:01 */
	/* SET clears UIE and stops updates */
	cmos_w(0x0b, 0x92);
	CHECK_EQ(cmos(0x0b), 0x82);
	FV.now = 10 * SEC;
	CHECK_EQ(cmos(0x0c), 0x00);
	CHECK_EQ(vdev_rtc_next_deadline_ns(&R), UINT64_MAX);
}

TEST(registers_c_d_and_index)
{
	setup_at(LEAP_EVE);
	CHECK_EQ(cmos(0x0d), 0x80);
	cmos_w(0x0d, 0x00);
	CHECK_EQ(cmos(0x0d), 0x80);
	cmos_w(0x0c, 0xff);
	CHECK_EQ(cmos(0x0c), 0x00);
	CHECK_EQ(io_in(&vdev_rtc_ops, &R, 0x70, 1), 0xff);
	/* bit 7 of the index is the NMI mask */
	io_out(&vdev_rtc_ops, &R, 0x70, 1, 0x8d);
	CHECK_EQ(io_in(&vdev_rtc_ops, &R, 0x71, 1), 0x80);
	/* plain CMOS bytes hold what is written */
	cmos_w(0x7f, 0xa5);
	CHECK_EQ(cmos(0x7f), 0xa5);
	cmos_w(0x40, 0x3c);
	CHECK_EQ(cmos(0xc0), 0x3c);
}

struct mem_case {
	const char *what;
	uint64_t below, above;
	uint32_t cpus;
	uint8_t b15, b16, b17, b18, b34, b35, b5b, b5c, b5d, b5f;
};

TEST(cmos_memory_fields)
{
	static const struct mem_case t[] = {
		/* 128 MiB: 640 KiB base; (128-1) MiB = 130048 KiB capped at 0xffff;
		 * (128-16) MiB / 64 KiB = 1792 = 0x0700 */
		{"128M", 128ull << 20, 0, 1, 0x80, 0x02, 0xff, 0xff, 0x00, 0x07, 0, 0, 0, 0},
		/* 4 GiB as q35 splits it: 2 GiB low, 2 GiB high. (2048-16)*16 = 0x7f00;
		 * 2 GiB / 64 KiB = 0x008000 */
		{"4G", 2ull << 30, 2ull << 30, 2, 0x80, 0x02, 0xff, 0xff, 0x00, 0x7f, 0x00, 0x80,
		 0x00, 1},
		/* 6 GiB: 4 GiB high = 0x010000 units */
		{"6G", 2ull << 30, 4ull << 30, 4, 0x80, 0x02, 0xff, 0xff, 0x00, 0x7f, 0x00, 0x00,
		 0x01, 3},
		/* 3.5 GiB low (pc): (3584-16)*16 = 57088 = 0xdf00 */
		{"3.5G", 3584ull << 20, 0, 8, 0x80, 0x02, 0xff, 0xff, 0x00, 0xdf, 0, 0, 0, 7},
		/* 16 MiB: 15 MiB extended = 15360 = 0x3c00, nothing above 16 MiB */
		{"16M", 16ull << 20, 0, 1, 0x80, 0x02, 0x00, 0x3c, 0x00, 0x00, 0, 0, 0, 0},
		/* 512 KiB: base is what there is, no extended memory */
		{"512K", 512ull << 10, 0, 1, 0x00, 0x02, 0x00, 0x00, 0x00, 0x00, 0, 0, 0, 0},
		/* a nonsense config is capped, not wrapped */
		{"huge", 1ull << 40, 1ull << 48, 300, 0x80, 0x02, 0xff, 0xff, 0x00, 0xff, 0xff,
		 0xff, 0xff, 0xff},
	};

	for (unsigned i = 0; i < sizeof(t) / sizeof(t[0]); i++) {
		struct vdev_rtc_config cfg = {.start_unix = LEAP_EVE,
					      .ram_below_4g = t[i].below,
					      .ram_above_4g = t[i].above,
					      .cpus = t[i].cpus};
		uint8_t got[10];
		const uint8_t *want = &t[i].b15;
		static const uint8_t idx[10] = {0x15, 0x16, 0x17, 0x18, 0x34,
						0x35, 0x5b, 0x5c, 0x5d, 0x5f};

		setup_cfg(&cfg);
		for (unsigned j = 0; j < 10; j++) {
			got[j] = cmos(idx[j]);
			if (got[j] != want[j])
				printf("  case %s, CMOS 0x%02x\n", t[i].what, idx[j]);
			CHECK_EQ(got[j], want[j]);
		}
		CHECK_EQ(cmos(0x30), cmos(0x17));
		CHECK_EQ(cmos(0x31), cmos(0x18));
		CHECK_EQ(cmos(0x10), 0x00); /* no floppy */
		CHECK_EQ(cmos(0x14), 0x02); /* FPU only */
	}
}

TEST(reset_keeps_time)
{
	setup_at(LEAP_EVE);
	cmos_w(0x0b, 0x7a); /* PIE AIE UIE SQWE 24h */
	FV.now = SEC;
	vdev_rtc_ops.tick(&R);
	CHECK(FV.level[8]);
	vdev_rtc_ops.reset(&R);
	CHECK(!FV.level[8]);
	CHECK_EQ(cmos(0x0b), 0x02);
	CHECK_EQ(cmos(0x0c), 0x00);
	CHECK_EQ(vdev_rtc_time(&R), LEAP_EVE + 1);
	CHECK_EQ(cmos(0x15), 0x80);
}

TEST(hostile_sequences)
{
	uint32_t x = 99;

	setup_at(LEAP_EVE);
	for (unsigned i = 0; i < 50000; i++) {
		x = x * 1103515245u + 12345u;
		FV.now += (x >> 16) & 0xffff;
		if (x & 0x100)
			io_out(&vdev_rtc_ops, &R, (uint16_t)(0x70 + ((x >> 9) & 1)), 1, x >> 24);
		else
			(void)io_in(&vdev_rtc_ops, &R, (uint16_t)(0x70 + ((x >> 9) & 1)), 1);
		if ((i & 63) == 0)
			vdev_rtc_ops.tick(&R);
	}
	/* whatever was written, the time decodes to something in range */
	CHECK(vdev_rtc_time(&R) >= vdev_rtc_mktime(0, 1, 1, 0, 0, 0));
	CHECK(vdev_rtc_time(&R) <= vdev_rtc_mktime(16666, 12, 31, 23, 59, 59));
	CHECK_EQ(FV.bad_gsi, 0);
}

int main(void)
{
	RUN(mktime_table);
	RUN(calendar_roundtrip);
	RUN(bcd_24h_and_rollover);
	RUN(binary_and_12_hour);
	RUN(set_time_like_linux);
	RUN(uip_window);
	RUN(periodic_interrupt);
	RUN(rates);
	RUN(update_and_alarm);
	RUN(registers_c_d_and_index);
	RUN(cmos_memory_fields);
	RUN(reset_keeps_time);
	RUN(hostile_sequences);
	return CHECK_DONE();
}
