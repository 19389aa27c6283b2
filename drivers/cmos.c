/* Reading the wall clock from the CMOS RTC, waiting out its update cycle. */
#include "drivers/cmos.h"

#include <stdbool.h>

#include "drivers/io.h"

static uint8_t cmos(uint8_t reg)
{
	outb(0x70, reg);
	return inb(0x71);
}

static unsigned bcd(uint8_t v, bool binary) { return binary ? v : (v >> 4) * 10 + (v & 15); }

int cmos_read_time(struct cmos_time *t)
{
	/* Register A bit 7 (UIP): an update is under way; the fields are stable for
	 * 244 us after it clears (MC146818 data sheet). */
	for (int i = 0; i < 100000 && (cmos(0x0a) & 0x80); i++)
		cpu_relax();
	uint8_t b = cmos(0x0b);
	bool bin = b & 4;
	unsigned sec = bcd(cmos(0x00), bin), min = bcd(cmos(0x02), bin);
	uint8_t hr = cmos(0x04);
	unsigned day = bcd(cmos(0x07), bin), mon = bcd(cmos(0x08), bin);
	unsigned year = bcd(cmos(0x09), bin), century = bcd(cmos(0x32), bin);
	unsigned hour = bcd(hr & 0x7f, bin);
	if (!(b & 2) && (hr & 0x80)) /* 12-hour clock, PM */
		hour = (hour % 12) + 12;
	if (century < 19 || century > 30)
		century = 20;
	if (mon < 1 || mon > 12 || day < 1 || day > 31)
		return -1;
	*t = (struct cmos_time){ century * 100 + year, mon, day, hour, min, sec };
	return 0;
}
