/* MC146818 RTC and CMOS model. "DS" references are the Motorola MC146818A data
 * sheet; the CMOS layout below 0x80 is the IBM PC/AT's as QEMU and SeaBIOS use it. */
#include "kernel/vdev/rtc.h"

#include "kernel/kstring.h"
#include "kernel/vdev/vdev_util.h"

enum {
	REG_SEC = 0x00,
	REG_SEC_ALARM = 0x01,
	REG_MIN = 0x02,
	REG_MIN_ALARM = 0x03,
	REG_HOUR = 0x04,
	REG_HOUR_ALARM = 0x05,
	REG_WDAY = 0x06,
	REG_MDAY = 0x07,
	REG_MON = 0x08,
	REG_YEAR = 0x09,
	REG_A = 0x0a,
	REG_B = 0x0b,
	REG_C = 0x0c,
	REG_D = 0x0d,
	/* PC/AT CMOS memory (QEMU's pc_cmos_init) */
	CMOS_FLOPPY = 0x10,
	CMOS_EQUIPMENT = 0x14,
	CMOS_BASE_LO = 0x15, /* KiB below 640 KiB */
	CMOS_EXT_LO = 0x17,  /* KiB from 1 MiB, up to 65535 */
	CMOS_EXT2_LO = 0x30, /* the same again, where newer BIOSes look */
	CMOS_HIGH_LO = 0x34, /* 64 KiB units from 16 MiB to 4 GiB */
	CMOS_ABOVE4G = 0x5b, /* 64 KiB units above 4 GiB, 3 bytes */
	CMOS_CPUS = 0x5f,    /* CPUs minus one */
};

#define A_UIP	 0x80
#define A_DV	 0x70 /* divider: 010 runs from a 32.768 kHz crystal, 11x resets */
#define A_DV_RUN 0x20
#define A_RS	 0x0f /* periodic rate select */
#define B_SET	 0x80
#define B_PIE	 0x40
#define B_AIE	 0x20
#define B_UIE	 0x10
#define B_SQWE	 0x08
#define B_DM	 0x04 /* 1: binary, 0: BCD */
#define B_24H	 0x02
#define C_IRQF	 0x80
#define C_PF	 0x40
#define C_AF	 0x20
#define C_UF	 0x10
#define D_VRT	 0x80

#define RTC_HZ	      32768
#define UIP_HOLD_NS   244140 /* DS: UIP rises 244 us (8 cycles of 32 kHz) before the update */
#define SECS_PER_DAY  86400
#define MAX_KIB_FIELD 0xffff

static uint64_t rtc_now(const struct vrtc *r)
{
	return r->host->now_ns ? r->host->now_ns(r->host->vm) : 0;
}

/* ---- Calendar arithmetic (proleptic Gregorian, days relative to 1970-01-01) ---- */

static int64_t floor_div(int64_t a, int64_t b)
{
	int64_t q = a / b;

	return (a % b != 0 && (a < 0) != (b < 0)) ? q - 1 : q;
}

/* Days since 1970-01-01 of y-m-d: count from a year starting in March so the leap
 * day is the last day of its year, in 400-year eras of 146097 days. */
static int64_t days_from_civil(int64_t y, unsigned m, unsigned d)
{
	int64_t era, yoe, doy, doe;

	y -= m <= 2;
	era = floor_div(y, 400);
	yoe = y - era * 400;
	doy = (153 * (m > 2 ? m - 3 : m + 9) + 2) / 5 + d - 1;
	doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
	return era * 146097 + doe - 719468;
}

static void civil_from_days(int64_t z, int64_t *y, unsigned *m, unsigned *d)
{
	int64_t era, doe, yoe, doy, mp;

	z += 719468;
	era = floor_div(z, 146097);
	doe = z - era * 146097;
	yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
	doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
	mp = (5 * doy + 2) / 153;
	*d = (unsigned)(doy - (153 * mp + 2) / 5 + 1);
	*m = (unsigned)(mp < 10 ? mp + 3 : mp - 9);
	*y = yoe + era * 400 + (*m <= 2);
}

static int64_t floor_mod(int64_t a, int64_t b)
{
	return a - floor_div(a, b) * b;
}

static unsigned clamp(unsigned v, unsigned lo, unsigned hi)
{
	return v < lo ? lo : v > hi ? hi : v;
}

int64_t vdev_rtc_mktime(int64_t year, unsigned mon, unsigned day, unsigned hour, unsigned min,
			unsigned sec)
{
	int64_t days = days_from_civil(year, clamp(mon, 1, 12), clamp(day, 1, 31));

	return days * SECS_PER_DAY + clamp(hour, 0, 23) * 3600 + clamp(min, 0, 59) * 60 +
	       clamp(sec, 0, 59);
}

/* ---- Register encodings (DS table 3: BCD or binary per B.DM; 12-hour per B.24H) ---- */

static uint8_t rtc_enc(const struct vrtc *r, unsigned v)
{
	if (r->cmos[REG_B] & B_DM)
		return (uint8_t)v;
	v %= 100;
	return (uint8_t)((v / 10) << 4 | v % 10);
}

static unsigned rtc_dec(const struct vrtc *r, uint8_t v)
{
	if (r->cmos[REG_B] & B_DM)
		return v;
	return (unsigned)(v >> 4) * 10 + (v & 0x0f);
}

/* Writes the calendar registers (and the century byte) for RTC second s. */
static void rtc_to_regs(struct vrtc *r, int64_t s)
{
	int64_t days = floor_div(s, SECS_PER_DAY), sod = s - days * SECS_PER_DAY, y;
	unsigned m, d, hour = (unsigned)(sod / 3600);

	civil_from_days(days, &y, &m, &d);
	if (y < 0)
		y = 0;
	r->cmos[REG_SEC] = rtc_enc(r, (unsigned)(sod % 60));
	r->cmos[REG_MIN] = rtc_enc(r, (unsigned)(sod / 60 % 60));
	if (r->cmos[REG_B] & B_24H) {
		r->cmos[REG_HOUR] = rtc_enc(r, hour);
	} else {
		/* 12-hour: 12 AM, 1 AM .. 11 AM, 12 PM, 1 PM ..; bit 7 is PM */
		r->cmos[REG_HOUR] = rtc_enc(r, hour % 12 ? hour % 12 : 12);
		if (hour >= 12)
			r->cmos[REG_HOUR] |= 0x80;
	}
	/* 1970-01-01 was a Thursday; the register counts Sunday as 1. */
	r->cmos[REG_WDAY] = rtc_enc(r, (unsigned)floor_mod(days + 4, 7) + 1);
	r->cmos[REG_MDAY] = rtc_enc(r, d);
	r->cmos[REG_MON] = rtc_enc(r, m);
	r->cmos[REG_YEAR] = rtc_enc(r, (unsigned)(y % 100));
	r->cmos[VDEV_RTC_CENTURY] = rtc_enc(r, (unsigned)(y / 100 % 100));
}

/* The second the calendar registers hold; nonsense fields (a guest may write
 * anything) are clamped into range rather than trusted. */
static int64_t rtc_from_regs(const struct vrtc *r)
{
	uint8_t h = r->cmos[REG_HOUR];
	unsigned hour = rtc_dec(r, h & 0x7f);

	if (!(r->cmos[REG_B] & B_24H))
		hour = hour % 12 + ((h & 0x80) ? 12 : 0);
	return vdev_rtc_mktime((int64_t)rtc_dec(r, r->cmos[VDEV_RTC_CENTURY]) * 100 +
				       rtc_dec(r, r->cmos[REG_YEAR]),
			       rtc_dec(r, r->cmos[REG_MON]), rtc_dec(r, r->cmos[REG_MDAY]), hour,
			       rtc_dec(r, r->cmos[REG_MIN]), rtc_dec(r, r->cmos[REG_SEC]));
}

/* ---- The clock ---- */

static bool rtc_should_run(const struct vrtc *r)
{
	/* As QEMU: divider settings 000-010 count, 11x hold the chain in reset. */
	return !(r->cmos[REG_B] & B_SET) && (r->cmos[REG_A] & A_DV) <= A_DV_RUN;
}

static void rtc_clock(const struct vrtc *r, uint64_t now, int64_t *sec, uint64_t *frac)
{
	uint64_t el = r->base_frac;

	if (r->running)
		el += now - r->base_ns;
	*sec = r->base_sec + (int64_t)(el / VDEV_NS_PER_SEC);
	*frac = el % VDEV_NS_PER_SEC;
}

/* Starts or stops the seconds after register A or B changed. Stopping copies the
 * time into the registers, where the guest then edits it; starting takes the time
 * back from them. frac: where in the second the restarted clock begins. */
static void rtc_set_running(struct vrtc *r, uint64_t now, bool run, uint64_t frac)
{
	int64_t sec;
	uint64_t f;

	if (run == r->running)
		return;
	rtc_clock(r, now, &sec, &f);
	if (!run) {
		rtc_to_regs(r, sec);
		r->base_sec = sec;
		r->base_frac = f;
	} else {
		r->base_sec = rtc_from_regs(r);
		r->base_frac = frac;
		r->last_sec = r->base_sec;
	}
	r->base_ns = now;
	r->running = run;
}

int64_t vdev_rtc_time(struct vrtc *r)
{
	int64_t sec;
	uint64_t frac;

	if (!r->running)
		return rtc_from_regs(r);
	rtc_clock(r, rtc_now(r), &sec, &frac);
	return sec;
}

/* ---- Interrupt flags ---- */

/* DS "Periodic interrupt": rates 1 and 2 repeat 8 and 9 (256 and 128 Hz) with a
 * 32.768 kHz time base; rate n is 32768 >> (n - 1) Hz. Returns the period in
 * 32768 Hz ticks, 0 for none. */
static uint32_t rtc_pf_period(const struct vrtc *r)
{
	unsigned rs = r->cmos[REG_A] & A_RS;

	if (!rs || (r->cmos[REG_A] & A_DV) != A_DV_RUN)
		return 0;
	if (rs <= 2)
		rs += 7;
	return 1u << (rs - 1);
}

static void rtc_update_irq(struct vrtc *r)
{
	bool level;

	if (r->cmos[REG_B] & r->cmos[REG_C] & (C_PF | C_AF | C_UF))
		r->cmos[REG_C] |= C_IRQF;
	else
		r->cmos[REG_C] &= (uint8_t)~C_IRQF;
	level = r->cmos[REG_C] & C_IRQF;
	if (level != r->irq_level) {
		r->irq_level = level;
		if (r->host->set_irq)
			r->host->set_irq(r->host->vm, VDEV_RTC_GSI, level);
	}
}

/* An alarm byte of 11xxxxxx matches any value (DS "Alarm"). */
static bool rtc_alarm_matches(const struct vrtc *r)
{
	static const uint8_t pairs[3][2] = {
		{REG_SEC_ALARM, REG_SEC}, {REG_MIN_ALARM, REG_MIN}, {REG_HOUR_ALARM, REG_HOUR}};

	for (unsigned i = 0; i < 3; i++) {
		uint8_t a = r->cmos[pairs[i][0]];
		if ((a & 0xc0) != 0xc0 && a != r->cmos[pairs[i][1]])
			return false;
	}
	return true;
}

/* Sets the flags for what happened up to now: an update cycle each second (UF,
 * and AF when the new time matches the alarm) and each periodic interval (PF).
 * The flags are set whether or not their interrupt is enabled, as on the chip. */
static void rtc_update_flags(struct vrtc *r, uint64_t now)
{
	uint32_t period = rtc_pf_period(r);

	if (r->running) {
		int64_t sec;
		uint64_t frac;

		rtc_clock(r, now, &sec, &frac);
		if (sec > r->last_sec) {
			rtc_to_regs(r, sec);
			r->cmos[REG_C] |= C_UF;
			if (rtc_alarm_matches(r))
				r->cmos[REG_C] |= C_AF;
		}
		r->last_sec = sec;
	}
	if (period) {
		uint64_t idx = vdev_ns_to_ticks(now, RTC_HZ) / period;

		if (period == r->pf_period && idx != r->last_pf)
			r->cmos[REG_C] |= C_PF;
		r->last_pf = idx;
	}
	r->pf_period = period;
	rtc_update_irq(r);
}

uint64_t vdev_rtc_next_deadline_ns(struct vrtc *r)
{
	uint64_t now = rtc_now(r), next = UINT64_MAX;
	uint32_t period = rtc_pf_period(r);

	if ((r->cmos[REG_B] & B_PIE) && period) {
		uint64_t idx = vdev_ns_to_ticks(now, RTC_HZ) / period;
		next = vdev_ticks_to_ns((idx + 1) * period, RTC_HZ);
	}
	if ((r->cmos[REG_B] & (B_UIE | B_AIE)) && r->running) {
		int64_t sec;
		uint64_t frac, t;

		rtc_clock(r, now, &sec, &frac);
		t = now + (VDEV_NS_PER_SEC - frac);
		if (t < next)
			next = t;
	}
	return next;
}

/* ---- Ports ---- */

static bool rtc_is_time_reg(uint8_t idx)
{
	return idx == REG_SEC || idx == REG_MIN || idx == REG_HOUR ||
	       (idx >= REG_WDAY && idx <= REG_YEAR) || idx == VDEV_RTC_CENTURY;
}

static uint8_t rtc_read_data(struct vrtc *r, uint64_t now)
{
	uint8_t idx = r->index, v;
	int64_t sec;
	uint64_t frac;

	switch (idx) {
	case REG_A:
		v = r->cmos[REG_A] & (uint8_t)~A_UIP;
		rtc_clock(r, now, &sec, &frac);
		if (r->running && frac >= VDEV_NS_PER_SEC - UIP_HOLD_NS)
			v |= A_UIP;
		return v;
	case REG_C:
		v = r->cmos[REG_C];
		r->cmos[REG_C] = 0;
		rtc_update_irq(r);
		return v;
	case REG_D: return D_VRT;
	default:
		if (rtc_is_time_reg(idx) && r->running) {
			rtc_clock(r, now, &sec, &frac);
			rtc_to_regs(r, sec);
		}
		return r->cmos[idx];
	}
}

static void rtc_write_data(struct vrtc *r, uint64_t now, uint8_t val)
{
	uint8_t idx = r->index;
	int64_t sec;
	uint64_t frac;

	switch (idx) {
	case REG_A:
		r->cmos[REG_A] = val & (uint8_t)~A_UIP;
		/* Only leaving divider reset can start the clock here (SET is clear, or
		 * it would not run); DS: the first update comes 500 ms later. */
		rtc_set_running(r, now, rtc_should_run(r), VDEV_NS_PER_SEC / 2);
		break;
	case REG_B:
		/* DS: setting SET clears UIE. */
		if (val & B_SET)
			val &= (uint8_t)~B_UIE;
		if (r->running && (val & B_SET)) {
			/* Stopping: copy the time out in the format it was kept in. */
			rtc_set_running(r, now, false, 0);
			r->cmos[REG_B] = val;
			break;
		}
		r->cmos[REG_B] = val;
		/* Restarting after SET: the divider chain ran on meanwhile, so the
		 * second keeps its phase. */
		rtc_set_running(r, now, rtc_should_run(r),
				(r->base_frac + (now - r->base_ns)) % VDEV_NS_PER_SEC);
		break;
	case REG_C:
	case REG_D: break; /* read-only */
	default:
		if (!rtc_is_time_reg(idx) || !r->running) {
			r->cmos[idx] = val;
			break;
		}
		/* Setting the time while it runs: refresh the other fields, change
		 * this one, and count on from the result within the same second. */
		rtc_clock(r, now, &sec, &frac);
		rtc_to_regs(r, sec);
		r->cmos[idx] = val;
		r->base_sec = rtc_from_regs(r);
		r->base_frac = frac;
		r->base_ns = now;
		r->last_sec = r->base_sec;
		break;
	}
}

static uint32_t rtc_io_read(void *dev, uint16_t port, unsigned size)
{
	struct vrtc *r = dev;
	uint64_t now = rtc_now(r);

	(void)size; /* byte registers; a wider access gets the byte, the rest zero */
	rtc_update_flags(r, now);
	if (port == VDEV_RTC_BASE)
		return 0xff; /* the index register is write-only; QEMU reads 0xff */
	return rtc_read_data(r, now);
}

static void rtc_io_write(void *dev, uint16_t port, unsigned size, uint32_t val)
{
	struct vrtc *r = dev;
	uint64_t now = rtc_now(r);

	(void)size;
	rtc_update_flags(r, now);
	if (port == VDEV_RTC_BASE) {
		r->index = val & 0x7f; /* bit 7 masks NMI on a PC: not modelled */
		return;
	}
	rtc_write_data(r, now, (uint8_t)val);
	rtc_update_irq(r);
}

/* A system reset leaves the clock and CMOS alone (they are battery-backed) but
 * clears the interrupt enables and flags (DS "RESET"; QEMU does the same). */
static void rtc_reset(void *dev)
{
	struct vrtc *r = dev;

	rtc_update_flags(r, rtc_now(r));
	r->cmos[REG_B] &= (uint8_t) ~(B_PIE | B_AIE | B_UIE | B_SQWE);
	r->cmos[REG_C] = 0;
	rtc_update_irq(r);
}

static void rtc_tick(void *dev)
{
	struct vrtc *r = dev;

	rtc_update_flags(r, rtc_now(r));
}

static void cmos_put16(struct vrtc *r, uint8_t idx, uint64_t v)
{
	if (v > MAX_KIB_FIELD)
		v = MAX_KIB_FIELD;
	r->cmos[idx] = (uint8_t)v;
	r->cmos[idx + 1] = (uint8_t)(v >> 8);
}

/* The memory-size bytes a PC BIOS (and QEMU's pc_cmos_init) leaves in CMOS. */
static void rtc_fill_cmos(struct vrtc *r, const struct vdev_rtc_config *cfg)
{
	uint64_t low = cfg->ram_below_4g, above = cfg->ram_above_4g / (64 << 10);

	if (low > (4ull << 30))
		low = 4ull << 30;
	r->cmos[CMOS_FLOPPY] = 0;	/* no floppy drives */
	r->cmos[CMOS_EQUIPMENT] = 0x02; /* math coprocessor; no floppy, no PS/2 mouse */
	cmos_put16(r, CMOS_BASE_LO, low / 1024 < 640 ? low / 1024 : 640);
	cmos_put16(r, CMOS_EXT_LO, low > (1 << 20) ? (low - (1 << 20)) / 1024 : 0);
	cmos_put16(r, CMOS_EXT2_LO, low > (1 << 20) ? (low - (1 << 20)) / 1024 : 0);
	cmos_put16(r, CMOS_HIGH_LO, low > (16 << 20) ? (low - (16 << 20)) / (64 << 10) : 0);
	if (above > 0xffffff)
		above = 0xffffff;
	r->cmos[CMOS_ABOVE4G] = (uint8_t)above;
	r->cmos[CMOS_ABOVE4G + 1] = (uint8_t)(above >> 8);
	r->cmos[CMOS_ABOVE4G + 2] = (uint8_t)(above >> 16);
	r->cmos[CMOS_CPUS] =
		(uint8_t)(cfg->cpus ? (cfg->cpus - 1 > 0xff ? 0xff : cfg->cpus - 1) : 0);
}

void vdev_rtc_init(struct vrtc *r, const struct vdev_host *host, const struct vdev_rtc_config *cfg)
{
	uint64_t now;

	memset(r, 0, sizeof(*r));
	r->host = host;
	now = rtc_now(r);
	/* Power-on register values as QEMU sets them: 32.768 kHz divider with the
	 * 1024 Hz rate, 24-hour BCD, valid RAM and time. */
	r->cmos[REG_A] = 0x26;
	r->cmos[REG_B] = B_24H;
	r->cmos[REG_D] = D_VRT;
	rtc_fill_cmos(r, cfg);
	r->base_sec = cfg->start_unix;
	r->base_ns = now;
	r->base_frac = 0;
	r->last_sec = cfg->start_unix;
	r->running = true;
	rtc_to_regs(r, r->base_sec);
	rtc_update_flags(r, now);
}

const struct vdev_ops vdev_rtc_ops = {
	.name = "rtc",
	.port_base = VDEV_RTC_BASE,
	.port_count = 2,
	.io_read = rtc_io_read,
	.io_write = rtc_io_write,
	.reset = rtc_reset,
	.tick = rtc_tick,
};
