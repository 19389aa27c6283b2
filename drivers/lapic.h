/* The local APIC, in xAPIC (MMIO) or x2APIC (MSR) mode behind one API, and its
 * timer. x2APIC is used when CPUID.1:ECX[21] offers it (or the firmware already
 * switched to it); every CPU then runs in the same mode (SDM 3A 11.12). */
#ifndef DRIVERS_LAPIC_H
#define DRIVERS_LAPIC_H

#include <stdbool.h>
#include <stdint.h>

/* Per CPU, the bootstrap processor first: enable the APIC (x2APIC when chosen),
 * software-enable it through the SVR with VEC_SPURIOUS, mask LINT0/LINT1, the
 * error, thermal and performance LVTs, set TPR 0. On the bootstrap processor it
 * also masks the 8259 PICs and maps the xAPIC register page. If the timer is
 * calibrated, the CPU's periodic tick is started too. */
void lapic_init(void);

bool lapic_x2apic_mode(void);
/* Physical address of the xAPIC register page (0 in x2APIC mode). */
uint64_t lapic_mmio_base(void);

uint32_t lapic_id(void);
void lapic_eoi(void);

/* Fixed-delivery IPI `vector` to the CPU with APIC id `apic_id`. */
void lapic_send_ipi(uint32_t apic_id, uint8_t vector);
void lapic_send_nmi(uint32_t apic_id);
/* INIT (assert) and STARTUP IPIs for bringing up an application processor
 * (SDM 3A 9.4.4.1); the SIPI starts the CPU in real mode at page << 12. */
void lapic_send_init(uint32_t apic_id);
void lapic_send_sipi(uint32_t apic_id, uint8_t page);

/* Measure the timer's input clock (after divide-by-16) against the TSC, which must
 * be calibrated; then start the 100 Hz tick on this CPU (its timer in one-shot mode,
 * shared with guest timer events) and enable interrupts.
 * Returns 0 or -ENODEV when the TSC frequency is unknown. */
int lapic_timer_init(void);
/* Timer counts per millisecond (after the divider), 0 until calibrated. */
uint32_t lapic_timer_khz(void);
/* Ask for a timer interrupt on this CPU at TSC `tsc` (interrupts off): a guest
 * timer is due then. The CPU's tick goes on; an event already asked for that
 * comes sooner stays. A spurious early interrupt costs one guest exit. */
void lapic_timer_event(uint64_t tsc);
/* Tick interrupts taken by CPU `index` since it started. */
uint64_t lapic_ticks(uint32_t index);

#define LAPIC_TICK_HZ 100

#endif
