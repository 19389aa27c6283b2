#ifndef DRIVERS_CMOS_H
#define DRIVERS_CMOS_H

#include <stdint.h>

struct cmos_time {
	unsigned year, mon, day, hour, min, sec;
};

/* The machine's real-time clock (MC146818 in the chipset), read once. Returns
 * 0, or -1 when the fields read as nonsense. */
int cmos_read_time(struct cmos_time *t);

#endif
