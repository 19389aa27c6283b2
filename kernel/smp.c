/* SMP bring-up (SDM 3A 9.4.4 and 9.4.4.1, the MP initialization protocol), the
 * NMI that stops the other CPUs, cross-CPU function calls and `cpus`. */
#include "kernel/smp.h"
#include "kernel/sched.h"
#include "kernel/virt.h"

#include <stddef.h>

#include "drivers/acpi.h"
#include "drivers/io.h"
#include "drivers/lapic.h"
#include "drivers/tsc.h"
#include "kernel/errno.h"
#include "kernel/fpu.h"
#include "kernel/kstring.h"
#include "kernel/log.h"
#include "kernel/percpu.h"
#include "kernel/shell.h"
#include "kernel/spinlock.h"
#include "kernel/time.h"
#include "kernel/trap.h"
#include "mm/mem.h"
#include "mm/paging.h"

_Static_assert(offsetof(struct percpu, stack_top) == SMP_PERCPU_STACK_TOP,
	       "boot/ap.S reads stack_top at SMP_PERCPU_STACK_TOP");

#define TRAMP_PREFERRED	 0x8000
#define LOW_TOP		 0x100000
#define INIT_DELAY_US	 10000	 /* SDM 3A 9.4.4.1: 10 ms after INIT */
#define SIPI_DELAY_US	 200	 /* and 200 us after each STARTUP IPI */
#define START_TIMEOUT_US 1000000 /* generous: emulators take long to start a vCPU */
#define CR0_NW		 (1ULL << 29)
#define CR0_CD		 (1ULL << 30)
#define AP_TSC_MS	 5 /* three runs */

/* What the MADT said about each CPU, and how its start went, for `cpus`. */
enum cpu_state { CPU_ENABLED, CPU_DISABLED, CPU_NOT_STARTED, CPU_BAD_ID };
static enum cpu_state state[MAX_CPUS];
static bool online_capable[MAX_CPUS];
static uint32_t madt_cpus; /* CPUs in the MADT, beyond MAX_CPUS too */
static bool smp_running;   /* APs may be running: NMIs must go out on a fatal error */

/* The slot an AP takes in boot/ap.S (atomically, so a late AP cannot take one the
 * bootstrap processor has given up on). */
struct percpu *volatile ap_boot_cpu;

extern const char ap_tramp_start[], ap_tramp_end[], ap_tramp_cr3[], ap_tramp_efer[];
static uint64_t tramp;	    /* code page, below 1 MiB */
static uint64_t tramp_pml4; /* copy of the PML4, below 1 MiB */
static uint64_t bsp_cr0, bsp_cr4;

static volatile bool stopping;
static volatile uint32_t stopped;

/* One pending cross-CPU call per target CPU. */
struct call_slot {
	void (*volatile fn)(void *);
	void *volatile arg;
	volatile uint32_t done;
};
static struct call_slot calls[MAX_CPUS];
static spinlock_t call_lock;

uint32_t smp_online(void)
{
	uint32_t n = 0;

	for (uint32_t i = 0; i < ncpus; i++)
		n += percpu[i].online;
	return n;
}

/* A TSC deadline `us` from now; udelay()'s 1 GHz guess while uncalibrated, so
 * every wait stays bounded. */
static uint64_t deadline_us(uint64_t us)
{
	return rdtsc() + us * (tsc_khz ? tsc_khz : 1000000) / 1000;
}

static bool expired(uint64_t deadline)
{
	return (int64_t)(rdtsc() - deadline) >= 0;
}

static uint32_t self_index(void)
{
	struct percpu *c = this_cpu();
	return c ? c->index : 0;
}

/* ---- NMI: stop this CPU for good when another one is reporting a fatal error ---- */

static void nmi_handler(struct trap_frame *f)
{
	(void)f;
	if (!stopping)
		return; /* a stray NMI (LINT1 is masked, so rare): nothing to do */
	__atomic_add_fetch(&stopped, 1, __ATOMIC_SEQ_CST);
	/* NMIs stay blocked until an IRET that never comes: this holds. */
	for (;;)
		__asm__ volatile("cli; hlt");
}

void smp_stop_others(void)
{
	uint32_t self = self_index(), sent = 0;

	if (!smp_running || __atomic_exchange_n(&stopping, true, __ATOMIC_SEQ_CST))
		return;
	for (uint32_t i = 0; i < ncpus; i++) {
		if (i == self || !percpu[i].online)
			continue;
		lapic_send_nmi(percpu[i].apic_id);
		sent++;
	}
	/* Let them stop before the report starts, so their output cannot mix in;
	 * bounded, since a CPU with a wedged APIC never answers. */
	for (uint64_t end = deadline_us(100000); stopped < sent && !expired(end);)
		cpu_relax();
}

/* ---- Cross-CPU calls on VEC_IPI_CALL ---- */

static void call_handler(struct trap_frame *f)
{
	struct call_slot *s = &calls[self_index()];
	void (*fn)(void *) = __atomic_exchange_n(&s->fn, NULL, __ATOMIC_ACQ_REL);

	(void)f;
	if (fn) {
		fn(s->arg);
		__atomic_store_n(&s->done, 1, __ATOMIC_RELEASE);
	}
	lapic_eoi();
}

int smp_call(uint32_t index, void (*fn)(void *), void *arg)
{
	if (index >= ncpus || !percpu[index].online || !fn)
		return -ENODEV;
	if (index == self_index()) {
		uint64_t f = irq_save();
		fn(arg);
		irq_restore(f);
		return 0;
	}
	struct call_slot *s = &calls[index];
	int r = 0;

	spin_lock(&call_lock);
	s->arg = arg;
	s->done = 0;
	__atomic_store_n(&s->fn, fn, __ATOMIC_RELEASE);
	lapic_send_ipi(percpu[index].apic_id, VEC_IPI_CALL);
	uint64_t end = deadline_us(START_TIMEOUT_US);
	while (!__atomic_load_n(&s->done, __ATOMIC_ACQUIRE)) {
		/* Withdraw the call after a second; if the target has taken it, it
		 * runs, and we wait for it to finish. */
		if (expired(end) && __atomic_exchange_n(&s->fn, NULL, __ATOMIC_ACQ_REL)) {
			r = -ETIMEDOUT;
			break;
		}
		cpu_relax();
	}
	spin_unlock(&call_lock);
	return r;
}

/* ---- Bring-up ---- */

static bool low_page_usable(uint64_t pa)
{
	for (size_t i = 0; i < mem_map_count; i++) {
		const struct mem_range *r = &mem_map[i];
		if (r->type == MEM_USABLE && r->base <= pa && pa + 4096 <= r->base + r->len)
			return true;
	}
	return false;
}

/* A usable page below 1 MiB other than `not`, preferring `want`; 0 if none. */
static uint64_t low_page(uint64_t want, uint64_t not )
{
	if (want != not &&low_page_usable(want))
		return want;
	for (uint64_t pa = 0x1000; pa < LOW_TOP; pa += 4096)
		if (pa != not &&low_page_usable(pa))
			return pa;
	return 0;
}

static int tramp_setup(void)
{
	size_t len = (size_t)(ap_tramp_end - ap_tramp_start);

	tramp = low_page(TRAMP_PREFERRED, 0);
	tramp_pml4 = tramp ? low_page(tramp + 4096, tramp) : 0;
	if (!tramp || !tramp_pml4 || len > 4096)
		return -ENOMEM;
	uint8_t *code = phys_to_virt(tramp);
	memcpy(code, ap_tramp_start, len);
	/* CR3 is loaded in 32-bit mode, so the root must sit below 4 GiB: a copy of
	 * the PML4 there shares every lower-level table with the real one. */
	memcpy(phys_to_virt(tramp_pml4), phys_to_virt(paging_root()), 4096);
	uint32_t cr3 = (uint32_t)tramp_pml4;
	uint32_t efer = (uint32_t)(EFER_LME | (rdmsr(MSR_EFER) & EFER_NXE));
	memcpy(code + (ap_tramp_cr3 - ap_tramp_start), &cr3, 4);
	memcpy(code + (ap_tramp_efer - ap_tramp_start), &efer, 4);
	pr_debug("smp: trampoline at 0x%llx, its PML4 copy at 0x%llx\n", (unsigned long long)tramp,
		 (unsigned long long)tramp_pml4);
	return paging_map(tramp, 4096, PAGING_RX);
}

void ap_main(struct percpu *c)
{
	/* The bootstrap processor's control-register choices, then its tables. */
	write_cr4(bsp_cr4);
	write_cr0(bsp_cr0 & ~(CR0_CD | CR0_NW)); /* caches on, whatever the BSP has */
	paging_load();
	cpu_tables_init(c, c->ist_stacks);
	lapic_init();
	uint32_t id = lapic_id();
	if (id != c->apic_id) {
		pr_warn("smp: CPU %u expected APIC id %u but is %u\n", c->index, c->apic_id, id);
		c->apic_id = id;
	}
	c->tsc_khz = tsc_khz;
	__atomic_store_n(&c->online, true, __ATOMIC_RELEASE);
	/* This CPU's own TSC rate, where a shared reference clock allows it. */
	uint32_t khz = tsc_measure_khz(AP_TSC_MS);
	if (khz)
		c->tsc_khz = khz;
	fpu_cpu_init();
	if (virt && virt->cpu_enable())
		pr_err("smp: CPU %u could not enable %s: it runs no vCPUs\n", c->index, virt->name);
	irq_enable();
	sched_idle_loop();
}

static bool wait_for(volatile bool *flag, struct percpu *volatile *slot, uint64_t us)
{
	uint64_t end = deadline_us(us);

	while (!expired(end)) {
		if (flag && __atomic_load_n(flag, __ATOMIC_ACQUIRE))
			return true;
		if (slot && !*slot)
			return true;
		cpu_relax();
	}
	return false;
}

static void free_frames(uint64_t pa, uint64_t bytes)
{
	for (uint64_t off = 0; pa && off < bytes; off += FRAME_SIZE)
		mem_free_frame(pa + off);
}

/* After INIT: STARTUP, 200 us, a second STARTUP unless the AP has taken its slot,
 * then wait for it to come online. */
static int start_ap(struct percpu *c)
{
	uint64_t stack = mem_alloc_frames(SMP_AP_STACK_SIZE / FRAME_SIZE, FRAME_SIZE, FRAME_HYP);
	uint64_t ist = mem_alloc_frames(3 * IST_STACK_SIZE / FRAME_SIZE, FRAME_SIZE, FRAME_HYP);

	if (!stack || !ist) {
		free_frames(stack, SMP_AP_STACK_SIZE);
		free_frames(ist, 3 * IST_STACK_SIZE);
		return -ENOMEM;
	}
	c->stack_top = stack + SMP_AP_STACK_SIZE;
	c->ist_stacks = phys_to_virt(ist);
	__atomic_store_n(&ap_boot_cpu, c, __ATOMIC_RELEASE);

	lapic_send_sipi(c->apic_id, (uint8_t)(tramp >> 12));
	if (!wait_for(NULL, &ap_boot_cpu, SIPI_DELAY_US)) {
		lapic_send_sipi(c->apic_id, (uint8_t)(tramp >> 12));
		if (!wait_for(NULL, &ap_boot_cpu, START_TIMEOUT_US) &&
		    __atomic_exchange_n(&ap_boot_cpu, NULL, __ATOMIC_ACQ_REL)) {
			/* It never took the slot, and now it cannot: reuse the stacks. */
			free_frames(stack, SMP_AP_STACK_SIZE);
			free_frames(ist, 3 * IST_STACK_SIZE);
			return -ETIMEDOUT;
		}
	}
	/* It is running on those stacks now; they stay its own even if it hangs. */
	return wait_for(&c->online, NULL, START_TIMEOUT_US) ? 0 : -ETIMEDOUT;
}

/* percpu[] from the MADT: the bootstrap processor first, then MADT order. */
static uint32_t list_cpus(uint32_t bsp_id)
{
	uint32_t n = 1, count = acpi.madt.cpu_count;
	bool bsp_seen = false;

	if (count > ACPI_MAX_CPUS)
		count = ACPI_MAX_CPUS;
	madt_cpus = acpi.madt.cpu_count;
	for (uint32_t i = 0; i < count; i++) {
		const struct acpi_cpu *m = &acpi.madt.cpus[i];
		if (m->apic_id == bsp_id && !bsp_seen) {
			bsp_seen = true;
			online_capable[0] = m->online_capable;
			continue;
		}
		if (n == MAX_CPUS)
			continue;
		percpu[n].index = n;
		percpu[n].apic_id = m->apic_id;
		percpu[n].online = false;
		online_capable[n] = m->online_capable;
		if (!m->enabled)
			state[n] = CPU_DISABLED;
		else if (!lapic_x2apic_mode() && m->apic_id > 0xfe)
			state[n] = CPU_BAD_ID; /* an xAPIC ICR holds 8 bits; 0xff is broadcast */
		else
			state[n] = CPU_ENABLED;
		n++;
	}
	if (!bsp_seen) {
		pr_warn("smp: the bootstrap processor (APIC id %u) is not in the MADT\n", bsp_id);
		madt_cpus++;
	}
	if (madt_cpus > n)
		pr_warn("smp: the MADT lists %u CPUs, Terrapin supports %u\n", madt_cpus, MAX_CPUS);
	return n;
}

void smp_init(void)
{
	uint32_t bsp_id = lapic_id(), n, started = 0;

	percpu[0].apic_id = bsp_id;
	percpu[0].tsc_khz = tsc_khz;
	state[0] = CPU_ENABLED;
	irq_register(2, nmi_handler);
	irq_register(VEC_IPI_CALL, call_handler);

	if (!acpi.madt.present || !acpi.madt.cpu_count) {
		ncpus = 1;
		madt_cpus = 0;
		pr_warn("smp: no MADT, running on the bootstrap processor only\n");
		pr_info("smp: 1 of 1 CPUs online\n");
		return;
	}
	n = list_cpus(bsp_id);
	ncpus = n;
	bool any = false;
	for (uint32_t i = 1; i < n; i++)
		any |= state[i] == CPU_ENABLED;
	if (any && tramp_setup()) {
		pr_err("smp: no room below 1 MiB for the AP trampoline; bootstrap processor "
		       "only\n");
		any = false;
		for (uint32_t i = 1; i < n; i++)
			if (state[i] == CPU_ENABLED)
				state[i] = CPU_NOT_STARTED;
	}
	if (any) {
		bsp_cr0 = read_cr0();
		bsp_cr4 = read_cr4();
		smp_running = true;
		/* INIT every AP, one 10 ms wait for all of them, then start them one
		 * at a time (they share the trampoline's slot). */
		for (uint32_t i = 1; i < n; i++)
			if (state[i] == CPU_ENABLED)
				lapic_send_init(percpu[i].apic_id);
		udelay(INIT_DELAY_US);
		for (uint32_t i = 1; i < n; i++) {
			if (state[i] != CPU_ENABLED)
				continue;
			int r = start_ap(&percpu[i]);
			if (r) {
				state[i] = CPU_NOT_STARTED;
				pr_warn("smp: CPU %u (APIC id %u) did not start (%s)\n", i,
					percpu[i].apic_id, r == -ENOMEM ? "no memory" : "timeout");
			}
		}
	}
	for (uint32_t i = 1; i < n; i++)
		if (state[i] == CPU_BAD_ID)
			pr_warn("smp: CPU %u (APIC id %u) not reachable in xAPIC mode\n", i,
				percpu[i].apic_id);
	started = smp_online();
	pr_info("smp: %u of %u CPUs online\n", started, n);
}

/* ---- `cpus` ---- */

static const char *state_name(uint32_t i)
{
	if (percpu[i].online)
		return "online";
	switch (state[i]) {
	case CPU_DISABLED:
		return online_capable[i] ? "offline (disabled in MADT, online-capable)"
					 : "offline (disabled in MADT)";
	case CPU_NOT_STARTED: return "offline (did not start)";
	case CPU_BAD_ID: return "offline (APIC id needs x2APIC)";
	default: return stopping ? "stopped" : "offline";
	}
}

static int cmd_cpus(int argc, char **argv)
{
	(void)argv;
	if (argc != 1)
		return shell_usage("cpus");
	cprintf("CPU  APIC id  TSC kHz     ticks       state\n");
	for (uint32_t i = 0; i < ncpus; i++)
		cprintf("%3u  %7u  %-10u  %-10llu  %s%s\n", i, percpu[i].apic_id, percpu[i].tsc_khz,
			(unsigned long long)lapic_ticks(i), state_name(i),
			i == self_index() ? " (this CPU)" : "");
	cprintf("%u of %u CPUs online%s; %s, timer %u kHz, %u Hz tick; TSC from %s\n", smp_online(),
		ncpus, madt_cpus ? "" : " (no MADT)", lapic_x2apic_mode() ? "x2APIC" : "xAPIC",
		lapic_timer_khz(), LAPIC_TICK_HZ, tsc_source());
	if (madt_cpus > ncpus)
		cprintf("(the MADT lists %u CPUs; Terrapin supports %u)\n", madt_cpus, MAX_CPUS);
	return 0;
}
SHELL_COMMAND(cpus, "cpus", "", "each CPU: APIC id, TSC kHz, timer ticks, online or not", cmd_cpus);
