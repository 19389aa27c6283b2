/* The 8254 PIT, used only as a reference clock for calibrating the TSC when
 * there is neither an HPET nor an ACPI PM timer. */
#ifndef DRIVERS_PIT_H
#define DRIVERS_PIT_H

#include <stdint.h>

#define PIT_HZ	   1193182u
#define PIT_MAX_US 54000u /* one 16-bit count at PIT_HZ is ~54.9 ms */

/* Run channel 2 as a one-shot for `us` microseconds (at most PIT_MAX_US) and count
 * the TSC over it. On success stores the TSC ticks and the exact duration in ns
 * and returns 0; -ENODEV when the PIT does not count (no PIT, or it never ends). */
int pit_measure_tsc(uint32_t us, uint64_t *tsc_delta, uint64_t *ns);

#endif
