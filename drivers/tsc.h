/* TSC frequency: measured against the HPET, else the ACPI PM timer, else the PIT
 * (channel 2), and compared with what CPUID leaves 0x15/0x16 claim. Sets tsc_khz
 * (kernel/time.h) so time_us() and udelay() are right from then on. */
#ifndef DRIVERS_TSC_H
#define DRIVERS_TSC_H

#include <stdint.h>

/* On the bootstrap processor, after acpi_init(). Returns 0, or -ENODEV when no
 * reference clock works and CPUID gives no frequency (tsc_khz stays 0). */
int tsc_calibrate(void);

/* This CPU's TSC rate: the median of three runs of `ms` each against the HPET or
 * PM timer, which any CPU may read at the same time as others; 0 when only the
 * PIT is available (it has one channel 2: the bootstrap processor's alone). */
uint32_t tsc_measure_khz(uint32_t ms);

/* "HPET", "PM timer", "PIT" or "CPUID": what tsc_khz was taken from. */
const char *tsc_source(void);

#endif
