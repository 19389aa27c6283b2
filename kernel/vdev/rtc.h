/* The guest's MC146818 real-time clock and CMOS memory at ports 0x70 (index; bit 7
 * is the NMI mask, ignored) and 0x71 (data), interrupting on ISA IRQ 8 (Motorola
 * MC146818A data sheet; QEMU's hw/rtc/mc146818rtc.c and pc_cmos_init() for what a
 * PC guest finds in CMOS).
 *
 * Time: the wall-clock second given at init, advanced by guest time
 * (host->now_ns); the guest may set it (SET bit, divider reset) like a real RTC.
 * Registers 0-9 and the century byte 0x32 read in BCD or binary and 12 or 24 hour
 * format as register B says. Register A shows UIP during the last 244 us of each
 * second; C holds the interrupt flags (PF, AF, UF) and clears on read; D reads
 * VRT = 1. The IRQ 8 line is level: high while C.IRQF is set, i.e. until the guest
 * reads C, as on the chip.
 *
 * Flags are computed when a port is accessed and on tick; vdev_rtc_next_deadline_ns()
 * says when the next enabled one is due. Not internally locked. */
#ifndef KERNEL_VDEV_RTC_H
#define KERNEL_VDEV_RTC_H

#include "kernel/vdev/vdev.h"

#define VDEV_RTC_BASE	   0x70
#define VDEV_RTC_GSI	   8
#define VDEV_RTC_CMOS_SIZE 128
#define VDEV_RTC_CENTURY   0x32 /* the FADT's CENTURY field points here */

struct vdev_rtc_config {
	int64_t start_unix;    /* wall clock at init, seconds since 1970-01-01 UTC */
	uint64_t ram_below_4g; /* guest RAM below 4 GiB (from 0), bytes */
	uint64_t ram_above_4g; /* guest RAM from 4 GiB up, bytes */
	uint32_t cpus;
};

struct vrtc {
	const struct vdev_host *host;
	uint8_t cmos[VDEV_RTC_CMOS_SIZE];
	uint8_t index;
	bool running;	  /* seconds advance: SET clear and the divider running */
	int64_t base_sec; /* RTC time at guest ns base_ns is base_sec + base_frac ns */
	uint64_t base_ns;
	uint64_t base_frac;
	int64_t last_sec;   /* last second whose update (UF, AF) was accounted */
	uint64_t last_pf;   /* last periodic interval accounted (32768 Hz ticks / period) */
	uint32_t pf_period; /* the period last_pf was counted in; 0: none */
	bool irq_level;
};

void vdev_rtc_init(struct vrtc *r, const struct vdev_host *host, const struct vdev_rtc_config *cfg);

/* Seconds since 1970-01-01 UTC of a calendar date and time (proleptic Gregorian),
 * e.g. for the core to turn the host RTC's reading into start_unix. Fields out of
 * range are clamped (month 1-12, day 1-31, hour 0-23, minute and second 0-59). */
int64_t vdev_rtc_mktime(int64_t year, unsigned mon, unsigned day, unsigned hour, unsigned min,
			unsigned sec);

/* The guest's RTC time now, seconds since 1970 (for `vm info` and tests). */
int64_t vdev_rtc_time(struct vrtc *r);

/* Guest ns of the next periodic, update or alarm event that is enabled in
 * register B, or UINT64_MAX. */
uint64_t vdev_rtc_next_deadline_ns(struct vrtc *r);

extern const struct vdev_ops vdev_rtc_ops; /* 0x70-0x71 */

#endif
