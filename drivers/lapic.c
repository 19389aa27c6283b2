/* Local APIC driver (SDM 3A chapter 11). Register offsets are the xAPIC ones; in
 * x2APIC mode register `off` is MSR 0x800 + off/16 (SDM 3A 11.12.1.2). */
#include "drivers/lapic.h"

#include "drivers/io.h"
#include "drivers/tsc_calc.h"
#include "kernel/cpu.h"
#include "kernel/errno.h"
#include "kernel/log.h"
#include "kernel/percpu.h"
#include "kernel/time.h"
#include "kernel/trap.h"
#include "mm/paging.h"

enum {
	LAPIC_ID = 0x20,
	LAPIC_VER = 0x30,
	LAPIC_TPR = 0x80,
	LAPIC_EOI = 0xb0,
	LAPIC_SVR = 0xf0,
	LAPIC_ISR = 0x100, /* 8 registers, 0x100-0x170 */
	LAPIC_ESR = 0x280,
	LAPIC_ICR_LO = 0x300,
	LAPIC_ICR_HI = 0x310, /* xAPIC only; x2APIC's ICR is one 64-bit MSR */
	LAPIC_LVT_TIMER = 0x320,
	LAPIC_LVT_THERMAL = 0x330,
	LAPIC_LVT_PMC = 0x340,
	LAPIC_LVT_LINT0 = 0x350,
	LAPIC_LVT_LINT1 = 0x360,
	LAPIC_LVT_ERROR = 0x370,
	LAPIC_TIMER_INIT = 0x380,
	LAPIC_TIMER_CUR = 0x390,
	LAPIC_TIMER_DIV = 0x3e0,
};

#define X2APIC_MSR_BASE 0x800
#define APIC_BASE_BSP	(1ULL << 8)
#define APIC_BASE_EXTD	(1ULL << 10) /* x2APIC mode */
#define APIC_BASE_EN	(1ULL << 11)
#define APIC_BASE_ADDR	0x000ffffffffff000ULL

#define SVR_ENABLE	   (1u << 8)
#define LVT_MASKED	   (1u << 16)

/* ICR (SDM 3A 11.6.1, Figure 11-12). */
#define ICR_FIXED   (0u << 8)
#define ICR_NMI	    (4u << 8)
#define ICR_INIT    (5u << 8)
#define ICR_STARTUP (6u << 8)
#define ICR_BUSY    (1u << 12) /* xAPIC delivery status */
#define ICR_ASSERT  (1u << 14)

#define TIMER_DIV_16   0x3 /* divide configuration register encoding */
#define TIMER_CAL_MS   4
#define TIMER_CAL_RUNS 3

static bool x2apic;
static uint64_t mmio;	   /* xAPIC register page, identity-mapped */
static uint32_t timer_khz; /* timer counts per ms after the divider */
static volatile uint64_t ticks[MAX_CPUS];

/* Each CPU's one timer serves two clients, in one-shot mode: the scheduler's
 * tick (every tick_tsc TSC counts) and the earliest guest timer event asked
 * for with lapic_timer_event(). It is armed for whichever comes first. */
struct timer_cpu {
	uint64_t next_tick; /* TSC of the next tick */
	uint64_t event;	    /* TSC of the next guest event, UINT64_MAX: none */
	uint64_t armed;	    /* what the hardware counts down to */
	bool on;
};
static struct timer_cpu timer_cpus[MAX_CPUS];
static uint64_t tick_tsc;

static uint32_t reg_read(uint32_t off)
{
	if (x2apic)
		return (uint32_t)rdmsr(X2APIC_MSR_BASE + (off >> 4));
	return mmio_read32(mmio + off);
}

static void reg_write(uint32_t off, uint32_t v)
{
	if (x2apic)
		wrmsr(X2APIC_MSR_BASE + (off >> 4), v);
	else
		mmio_write32(mmio + off, v);
}

bool lapic_x2apic_mode(void)
{
	return x2apic;
}
uint64_t lapic_mmio_base(void)
{
	return x2apic ? 0 : mmio;
}

uint32_t lapic_id(void)
{
	/* x2APIC: the whole 32-bit ID; xAPIC: bits 31:24 (SDM 3A 11.4.6). */
	return x2apic ? reg_read(LAPIC_ID) : reg_read(LAPIC_ID) >> 24;
}

void lapic_eoi(void)
{
	reg_write(LAPIC_EOI, 0);
}

static void icr_write(uint32_t apic_id, uint32_t lo)
{
	uint64_t f = irq_save();

	if (x2apic) {
		/* One MSR write sends it; there is no delivery status (SDM 3A 11.12.9). */
		wrmsr(X2APIC_MSR_BASE + (LAPIC_ICR_LO >> 4), ((uint64_t)apic_id << 32) | lo);
	} else {
		/* Bounded waits: a wedged APIC must not hang the caller forever. */
		for (int i = 0; i < 1000000 && (reg_read(LAPIC_ICR_LO) & ICR_BUSY); i++)
			cpu_relax();
		reg_write(LAPIC_ICR_HI, (apic_id & 0xff) << 24);
		reg_write(LAPIC_ICR_LO, lo);
		for (int i = 0; i < 1000000 && (reg_read(LAPIC_ICR_LO) & ICR_BUSY); i++)
			cpu_relax();
	}
	irq_restore(f);
}

void lapic_send_ipi(uint32_t apic_id, uint8_t vector)
{
	icr_write(apic_id, ICR_FIXED | ICR_ASSERT | vector);
}
void lapic_send_nmi(uint32_t apic_id)
{
	icr_write(apic_id, ICR_NMI | ICR_ASSERT);
}
/* Edge-triggered INIT assert. The level de-assert of SDM 3A 9.4.4.1 is only for
 * the 82489DX and does not exist in x2APIC mode (SDM 3A 11.12.9). */
void lapic_send_init(uint32_t apic_id)
{
	icr_write(apic_id, ICR_INIT | ICR_ASSERT);
}
void lapic_send_sipi(uint32_t apic_id, uint8_t page)
{
	icr_write(apic_id, ICR_STARTUP | ICR_ASSERT | page);
}

/* Remap the 8259 pair to vectors 0x20-0x2f and mask every line: SeaBIOS leaves
 * them unmasked with IRQ0 at vector 8, which would look like a #DF. */
static void pic8259_mask_all(void)
{
	outb(0x20, 0x11); /* ICW1: edge, cascade, ICW4 follows */
	outb(0xa0, 0x11);
	io_wait();
	outb(0x21, 0x20); /* ICW2: vector base */
	outb(0xa1, 0x28);
	io_wait();
	outb(0x21, 0x04); /* ICW3: slave on IRQ2 */
	outb(0xa1, 0x02);
	io_wait();
	outb(0x21, 0x01); /* ICW4: 8086 mode */
	outb(0xa1, 0x01);
	io_wait();
	outb(0x21, 0xff);
	outb(0xa1, 0xff);
}

static void timer_arm(struct timer_cpu *t)
{
	uint64_t at = t->event < t->next_tick ? t->event : t->next_tick;
	uint64_t now = rdtsc();
	/* The tick bounds the wait, so delta * timer_khz cannot overflow. */
	uint64_t delta = at > now ? at - now : 0;
	if (delta > tick_tsc)
		delta = tick_tsc;
	uint64_t count = delta * timer_khz / tsc_khz;

	t->armed = at;
	reg_write(LAPIC_TIMER_INIT, count > 0xffffffffu ? 0xffffffffu : count ? (uint32_t)count : 1);
}

static void timer_irq(struct trap_frame *f)
{
	struct timer_cpu *t = &timer_cpus[this_cpu()->index];
	uint64_t now = rdtsc();

	(void)f;
	lapic_eoi();
	if (!t->on)
		return;
	if (now >= t->next_tick) {
		ticks[this_cpu()->index]++;
		t->next_tick += tick_tsc;
		if (t->next_tick <= now) /* missed ticks are not made up */
			t->next_tick = now + tick_tsc;
	}
	if (now >= t->event)
		t->event = UINT64_MAX;
	timer_arm(t);
}

void lapic_timer_event(uint64_t tsc)
{
	struct timer_cpu *t = &timer_cpus[this_cpu()->index];

	if (!t->on || tsc >= t->event)
		return;
	t->event = tsc;
	if (tsc < t->armed)
		timer_arm(t);
}

/* Start this CPU's tick (and guest events) in one-shot mode. */
static void timer_start(void)
{
	struct timer_cpu *t = &timer_cpus[this_cpu()->index];
	uint64_t f = irq_save();

	tick_tsc = (uint64_t)tsc_khz * 1000 / LAPIC_TICK_HZ;
	reg_write(LAPIC_LVT_TIMER, VEC_LAPIC_TIMER);
	t->next_tick = rdtsc() + tick_tsc;
	t->event = UINT64_MAX;
	t->on = true;
	timer_arm(t);
	irq_restore(f);
}

static bool isr_pending(void)
{
	for (uint32_t i = 0; i < 8; i++)
		if (reg_read(LAPIC_ISR + i * 0x10))
			return true;
	return false;
}

uint64_t lapic_ticks(uint32_t index)
{
	return index < MAX_CPUS ? ticks[index] : 0;
}

void lapic_init(void)
{
	uint64_t base = rdmsr(MSR_APIC_BASE);
	bool bsp = base & APIC_BASE_BSP;

	if (bsp) {
		pic8259_mask_all();
		/* Firmware may already have switched to x2APIC; there is no way back
		 * without disabling the APIC, so keep it (SDM 3A 11.12.5). */
		x2apic = cpu.x2apic || (base & APIC_BASE_EXTD);
		if (!x2apic) {
			mmio = base & APIC_BASE_ADDR;
			if (paging_map(mmio, 4096, PAGING_MMIO))
				pr_err("lapic: cannot map the registers at 0x%llx\n",
				       (unsigned long long)mmio);
		}
		irq_register(VEC_LAPIC_TIMER, timer_irq);
	} else if (!x2apic && (base & APIC_BASE_ADDR) != mmio) {
		/* Each CPU's APIC answers at its own IA32_APIC_BASE; Terrapin maps one. */
		wrmsr(MSR_APIC_BASE, (base & ~APIC_BASE_ADDR) | mmio);
	}
	/* xAPIC -> x2APIC is a legal transition with EN already set (SDM 3A 11.12.5). */
	base = rdmsr(MSR_APIC_BASE) | APIC_BASE_EN;
	wrmsr(MSR_APIC_BASE, base);
	if (x2apic)
		wrmsr(MSR_APIC_BASE, base | APIC_BASE_EXTD);

	uint32_t max_lvt = (reg_read(LAPIC_VER) >> 16) & 0xff;
	reg_write(LAPIC_TPR, 0);
	reg_write(LAPIC_LVT_TIMER, LVT_MASKED | VEC_LAPIC_TIMER);
	/* The 8259s are masked and Terrapin routes nothing through LINT0/1: mask both
	 * (an NMI pin wired to LINT1 would then be lost; no firmware seen needs it). */
	reg_write(LAPIC_LVT_LINT0, LVT_MASKED);
	reg_write(LAPIC_LVT_LINT1, LVT_MASKED);
	reg_write(LAPIC_LVT_ERROR, LVT_MASKED);
	if (max_lvt >= 4)
		reg_write(LAPIC_LVT_PMC, LVT_MASKED);
	if (max_lvt >= 5)
		reg_write(LAPIC_LVT_THERMAL, LVT_MASKED);
	/* SDM 3A 11.5.3: the ESR is updated by a write; two writes clear it. */
	reg_write(LAPIC_ESR, 0);
	reg_write(LAPIC_ESR, 0);
	reg_write(LAPIC_SVR, SVR_ENABLE | VEC_SPURIOUS);
	/* Retire whatever the firmware left in service, highest first; each EOI
	 * clears one ISR bit (SDM 3A 11.8.5). */
	for (int n = 0; n < 256 && isr_pending(); n++)
		lapic_eoi();
	reg_write(LAPIC_TIMER_DIV, TIMER_DIV_16);

	if (bsp)
		pr_info("lapic: %s, id %u, version 0x%x, %u LVT entries\n",
			x2apic ? "x2APIC mode" : "xAPIC mode", lapic_id(),
			reg_read(LAPIC_VER) & 0xff, max_lvt + 1);
	if (timer_khz)
		timer_start();
}

uint32_t lapic_timer_khz(void)
{
	return timer_khz;
}

/* One calibration run: timer counts per ms over about TIMER_CAL_MS of TSC time,
 * 0 on failure. Each end is timed by TSC reads on both sides of the register
 * access (its midpoint), so a slow access (an emulator's MMIO exit, an SMI) does
 * not shift the window. */
static uint32_t timer_cal_run(void)
{
	uint64_t a = rdtsc();
	reg_write(LAPIC_TIMER_INIT, 0xffffffffu);
	uint64_t b = rdtsc();
	uint64_t t0 = a + (b - a) / 2, want = (uint64_t)tsc_khz * TIMER_CAL_MS;

	while (rdtsc() - t0 < want)
		cpu_relax();
	a = rdtsc();
	uint32_t left = reg_read(LAPIC_TIMER_CUR);
	b = rdtsc();
	reg_write(LAPIC_TIMER_INIT, 0);
	uint64_t t1 = a + (b - a) / 2, counted = 0xffffffffu - left;
	if (!left || !counted || t1 <= t0)
		return 0;
	/* counts/ms = counted / (TSC ticks / tsc_khz); both factors below 2^32. */
	uint64_t khz = counted * tsc_khz / (t1 - t0);
	return khz > 0xffffffffu ? 0 : (uint32_t)khz;
}

int lapic_timer_init(void)
{
	uint32_t runs[TIMER_CAL_RUNS];

	if (!tsc_khz) {
		pr_warn("lapic: TSC not calibrated, no timer tick\n");
		return -ENODEV;
	}
	uint64_t f = irq_save();
	reg_write(LAPIC_LVT_TIMER, LVT_MASKED | VEC_LAPIC_TIMER);
	reg_write(LAPIC_TIMER_DIV, TIMER_DIV_16);
	for (int i = 0; i < TIMER_CAL_RUNS; i++)
		runs[i] = timer_cal_run();
	irq_restore(f);
	pr_debug("lapic: timer runs %u %u %u kHz\n", runs[0], runs[1], runs[2]);
	uint32_t khz = tsc_calc_median(runs, TIMER_CAL_RUNS);
	if (!khz) {
		pr_warn("lapic: timer calibration failed: no timer tick\n");
		return -EIO;
	}
	timer_khz = khz;
	pr_info("lapic: timer %u kHz (bus clock / 16), %u Hz tick\n", timer_khz, LAPIC_TICK_HZ);
	timer_start();
	irq_enable();
	return 0;
}
