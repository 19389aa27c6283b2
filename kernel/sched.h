/* vCPUs scheduled on the physical CPUs: each CPU has a run queue and runs its
 * vCPUs round-robin, one time slice (until the next host tick) at a time. */
#ifndef KERNEL_SCHED_H
#define KERNEL_SCHED_H

#include <stdint.h>

struct vcpu;

/* Queue a vCPU on the least-loaded online CPU. */
int sched_add(struct vcpu *v);
/* Take it off its queue and wait until no CPU runs it. */
void sched_remove(struct vcpu *v);
/* Make a vCPU look at its state soon: one running in a guest on another CPU
 * is interrupted by an IPI. */
void sched_kick(struct vcpu *v);
/* One pass over this CPU's queue; returns 0 when there was nothing to run. */
int sched_run_once(void);
/* An application processor's life once online (interrupts on). */
void sched_idle_loop(void) __attribute__((noreturn));

#endif
