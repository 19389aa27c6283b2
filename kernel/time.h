/* Time since boot from the TSC, once drivers/tsc has measured its frequency. */
#ifndef KERNEL_TIME_H
#define KERNEL_TIME_H

#include <stdint.h>

extern uint64_t tsc_boot;  /* TSC at kernel entry */
extern uint32_t tsc_khz;   /* 0 until calibrated */

void time_init(void);
uint64_t time_us(void);
/* A TSC difference in nanoseconds (0 until calibrated). */
uint64_t tsc_to_ns(uint64_t delta);
/* Nanoseconds in TSC counts (0 until calibrated; saturates at UINT64_MAX). */
uint64_t ns_to_tsc(uint64_t ns);
void udelay(uint64_t us);

#endif
