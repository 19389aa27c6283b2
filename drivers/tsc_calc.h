/* The arithmetic of TSC calibration. Pure: compiled on the host for tests
 * (tests/unit/test_tsc.c); drivers/tsc.c does the measuring. */
#ifndef DRIVERS_TSC_CALC_H
#define DRIVERS_TSC_CALC_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* Nanoseconds in `ticks` of a reference clock running at `hz` (0 if hz is 0). */
uint64_t tsc_calc_ticks_to_ns(uint64_t ticks, uint64_t hz);

/* kHz of a clock that advanced `delta` in `ns` nanoseconds. 0 when ns is 0 or
 * longer than 10^13 (no calibration window is hours long), or when the result
 * does not fit 32 bits. */
uint32_t tsc_calc_khz(uint64_t delta, uint64_t ns);

/* TSC kHz from CPUID leaf 0x15 (SDM 2 CPUID: TSC = crystal Hz * EBX / EAX):
 * eax denominator, ebx numerator, ecx crystal Hz. 0 when any of them is 0. */
uint32_t tsc_calc_cpuid15_khz(uint32_t eax, uint32_t ebx, uint32_t ecx);

/* The median of the non-zero values of v[0..n) (sorted in place; the lower
 * middle for an even count), 0 if there are none. */
uint32_t tsc_calc_median(uint32_t *v, size_t n);

/* Whether a and b differ by at most `permille` thousandths of the larger. */
bool tsc_calc_agree(uint32_t a, uint32_t b, uint32_t permille);

#endif
