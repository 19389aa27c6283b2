/* The HPET's main counter, as a reference clock (IA-PC HPET specification 1.0a).
 * Terrapin only reads the counter; no HPET timer interrupts are programmed. */
#ifndef DRIVERS_HPET_H
#define DRIVERS_HPET_H

#include <stdbool.h>
#include <stdint.h>

/* Map the register block at `base` (from the ACPI HPET table), check the
 * capabilities, and start the main counter if the firmware left it stopped.
 * Returns 0, -EINVAL for an absurd period, -ENODEV when the counter does not
 * move or reads all ones (nothing there), -ENOMEM if it cannot be mapped. */
int hpet_init(uint64_t base);
bool hpet_ready(void);

/* The main counter (a 32-bit counter is read as 32 bits: callers subtract
 * modulo hpet_counter_mask()). */
uint64_t hpet_counter(void);
uint64_t hpet_counter_mask(void);
/* Counter period in femtoseconds (at most 100 ns, HPET 1.0a 2.3.4). */
uint32_t hpet_period_fs(void);
/* Nanoseconds for `ticks` counter ticks. */
uint64_t hpet_ticks_to_ns(uint64_t ticks);

#endif
