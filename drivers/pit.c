/* 8254 channel 2 as a calibration reference (8254 data sheet, mode 0; the gate
 * and the output are bits 0 and 5 of port 0x61, the PC's NMI status/control). */
#include "drivers/pit.h"

#include "drivers/io.h"
#include "kernel/errno.h"

#define PIT_CH2	    0x42
#define PIT_CMD	    0x43
#define PORT_61	    0x61
#define P61_GATE2   0x01
#define P61_SPEAKER 0x02
#define P61_OUT2    0x20

/* Give up after this many TSC ticks per microsecond asked: a 20 GHz TSC. */
#define TSC_MAX_PER_US 20000ULL

int pit_measure_tsc(uint32_t us, uint64_t *tsc_delta, uint64_t *ns)
{
	if (!us || us > PIT_MAX_US)
		return -EINVAL;
	uint32_t count = (uint32_t)((uint64_t)us * PIT_HZ / 1000000);
	uint8_t p61 = inb(PORT_61);

	/* Gate high so counting starts when the count is written; speaker off. */
	outb(PORT_61, (uint8_t)((p61 & ~P61_SPEAKER) | P61_GATE2));
	/* Channel 2, low byte then high byte, mode 0, binary: OUT is low from the
	 * count's load until it runs out. */
	outb(PIT_CMD, 0xb0);
	outb(PIT_CH2, count & 0xff);
	outb(PIT_CH2, (uint8_t)(count >> 8));
	uint64_t t0 = rdtsc(), t1 = t0, limit = us * TSC_MAX_PER_US;
	if (inb(PORT_61) & P61_OUT2) {
		outb(PORT_61, p61);
		return -ENODEV; /* OUT high at once: no PIT behind the port */
	}
	while (!(inb(PORT_61) & P61_OUT2)) {
		t1 = rdtsc();
		if (t1 - t0 > limit)
			break;
	}
	t1 = rdtsc();
	outb(PORT_61, p61);
	if (t1 - t0 > limit)
		return -ENODEV;
	*tsc_delta = t1 - t0;
	*ns = (uint64_t)count * 1000000000ULL / PIT_HZ;
	return 0;
}
