/* Per-CPU run queues. A vCPU stays on the CPU it was queued on. */
#include "kernel/sched.h"

#include "drivers/io.h"
#include "drivers/lapic.h"
#include "kernel/trap.h"
#include "kernel/percpu.h"
#include "kernel/spinlock.h"
#include "kernel/vcpu.h"
#include "kernel/vm.h"

#define RQ_MAX 32

struct runq {
	spinlock_t lock;
	struct vcpu *v[RQ_MAX];
	unsigned n, next;
};
static struct runq rq[MAX_CPUS];

int sched_add(struct vcpu *v)
{
	uint32_t best = 0;

	for (uint32_t i = 1; i < ncpus; i++)
		if (percpu[i].online && rq[i].n < rq[best].n)
			best = i;
	struct runq *q = &rq[best];
	uint64_t f = spin_lock_irqsave(&q->lock);
	if (q->n == RQ_MAX) {
		spin_unlock_irqrestore(&q->lock, f);
		return -1;
	}
	v->cpu = (int)best;
	q->v[q->n++] = v;
	spin_unlock_irqrestore(&q->lock, f);
	return 0;
}

void sched_remove(struct vcpu *v)
{
	if (v->cpu < 0)
		return;
	struct runq *q = &rq[v->cpu];
	uint64_t f = spin_lock_irqsave(&q->lock);
	for (unsigned i = 0; i < q->n; i++) {
		if (q->v[i] == v) {
			q->v[i] = q->v[--q->n];
			break;
		}
	}
	spin_unlock_irqrestore(&q->lock, f);
	/* A CPU that picked it before the removal finishes its slice first: make
	 * it leave the guest now rather than at its next tick. */
	sched_kick(v);
	while (v->running)
		cpu_relax();
	v->cpu = -1;
}

void sched_kick(struct vcpu *v)
{
	int cpu = v->cpu;

	/* A vCPU in a guest on another CPU leaves it at this IPI; a halted one is
	 * looked at on its CPU's next pass (at the latest the next tick). */
	if (v->running && cpu >= 0 && (uint32_t)cpu != this_cpu()->index)
		lapic_send_ipi(percpu[cpu].apic_id, VEC_KICK);
}

int sched_run_once(void)
{
	struct runq *q = &rq[this_cpu()->index];
	struct vcpu *v = 0;

	uint64_t f = spin_lock_irqsave(&q->lock);
	for (unsigned tries = 0; tries < q->n && !v; tries++) {
		struct vcpu *c = q->v[q->next % q->n];
		q->next++;
		if (vcpu_wants_cpu(c)) {
			v = c;
			v->running = true;
		}
	}
	spin_unlock_irqrestore(&q->lock, f);
	if (!v)
		return 0;
	vcpu_run_slice(v);
	__atomic_store_n(&v->running, false, __ATOMIC_RELEASE);
	return 1;
}

void sched_idle_loop(void)
{
	for (;;) {
		if (!sched_run_once())
			__asm__ volatile("sti; hlt" ::: "memory");
	}
}
