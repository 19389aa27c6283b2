/* Application processors: started from the MADT with INIT-SIPI-SIPI (SDM 3A
 * 9.4.4), each through boot/ap.S into ap_main(), where it idles in hlt with
 * interrupts on. Also stopping the others on a fatal error (smp_stop_others(),
 * kernel/panic.h) and running a function on another CPU. */
#ifndef KERNEL_SMP_H
#define KERNEL_SMP_H

/* Offset of struct percpu's stack_top, for boot/ap.S (checked in kernel/smp.c). */
#define SMP_PERCPU_STACK_TOP 24
/* Each application processor's stack. */
#define SMP_AP_STACK_SIZE 16384

#ifndef __ASSEMBLER__
#include <stdint.h>

struct percpu;

/* On the bootstrap processor after lapic_init(), tsc_calibrate() and
 * lapic_timer_init(): list the MADT's CPUs in percpu[] / ncpus (the bootstrap
 * processor at index 0) and start every enabled one. Without a MADT, runs on the
 * bootstrap processor alone. */
void smp_init(void);

/* Where an application processor enters C (from boot/ap.S). */
void ap_main(struct percpu *c) __attribute__((noreturn));

/* Run fn(arg) on CPU `index` and wait for it to return. Call with interrupts
 * enabled (the target may be calling us). Runs it directly for this CPU.
 * Returns 0, -ENODEV for a CPU that is not online, -ETIMEDOUT when the target
 * did not take the call within a second (fn then never runs). */
int smp_call(uint32_t index, void (*fn)(void *), void *arg);

/* CPUs online now. */
uint32_t smp_online(void);

#endif
#endif
