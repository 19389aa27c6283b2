/* TSC calibration. The reference clocks are read with interrupts off; each run
 * is CAL_MS long and the median of CAL_RUNS runs is kept, so one run disturbed by
 * an SMI (or, under emulation, by the host descheduling the vCPU) does not count. */
#include "drivers/tsc.h"

#include "drivers/acpi.h"
#include "drivers/hpet.h"
#include "drivers/io.h"
#include "drivers/pit.h"
#include "drivers/tsc_calc.h"
#include "kernel/errno.h"
#include "kernel/log.h"
#include "kernel/percpu.h"
#include "kernel/time.h"
#include "mm/mem.h"
#include "mm/paging.h"

#define PMTMR_HZ     3579545u /* ACPI 6.5 4.8.3.3: the PM timer runs at 3.579545 MHz */
#define CAL_MS	     10
#define CAL_RUNS     3
#define MAX_SPINS    10000000u /* reads of the reference before giving up on it */
#define SAMPLE_TRIES 5
/* How close CPUID's figure must be to the measurement to be believed: leaf 0x15
 * is exact when present; leaf 0x16 is a nominal MHz value. */
#define CPUID15_PERMILLE 10
#define CPUID16_PERMILLE 2

enum tsc_ref { REF_NONE, REF_HPET, REF_PMTMR, REF_PIT };

static enum tsc_ref ref;
static const char *source = "nothing";
static uint16_t pm_port;
static uint64_t pm_mmio;
static uint32_t pm_mask;

static const char *ref_name(enum tsc_ref r)
{
	return r == REF_HPET ? "HPET" : r == REF_PMTMR ? "PM timer" : r == REF_PIT ? "PIT" : "none";
}

const char *tsc_source(void)
{
	return source;
}

static uint64_t ref_read(void)
{
	if (ref == REF_HPET)
		return hpet_counter();
	return (pm_mmio ? mmio_read32(pm_mmio) : inl(pm_port)) & pm_mask;
}

static uint64_t ref_mask(void)
{
	return ref == REF_HPET ? hpet_counter_mask() : pm_mask;
}

static uint64_t ref_ns(uint64_t ticks)
{
	return ref == REF_HPET ? hpet_ticks_to_ns(ticks) : tsc_calc_ticks_to_ns(ticks, PMTMR_HZ);
}

static uint64_t ref_ticks(uint32_t ms)
{
	if (ref == REF_HPET)
		return (uint64_t)ms * 1000000000000ULL / hpet_period_fs();
	return (uint64_t)ms * PMTMR_HZ / 1000;
}

static int pmtmr_setup(void)
{
	const struct acpi_gas *g = &acpi.fadt.pm_timer;

	if (!acpi.fadt.present || !acpi.fadt.pm_timer_present || !g->addr)
		return -ENODEV;
	pm_mask = acpi.fadt.pm_timer_32bit ? 0xffffffffu : 0xffffffu;
	if (g->space == ACPI_GAS_IO && g->addr <= 0xfffc) {
		pm_port = (uint16_t)g->addr;
	} else if (g->space == ACPI_GAS_MEM && !(g->addr & 3) && g->addr < (1ULL << 46) &&
		   !mem_overlaps_ram(g->addr, 4)) {
		if (paging_map(g->addr, 4, PAGING_MMIO))
			return -ENOMEM;
		pm_mmio = g->addr;
	} else {
		return -EINVAL;
	}
	/* A missing timer reads a constant (all ones on an empty port). */
	uint64_t first = (pm_mmio ? mmio_read32(pm_mmio) : inl(pm_port)) & pm_mask;
	for (uint32_t i = 0; i < 100000; i++)
		if (((pm_mmio ? mmio_read32(pm_mmio) : inl(pm_port)) & pm_mask) != first)
			return 0;
	pm_port = 0;
	pm_mmio = 0;
	return -ENODEV;
}

/* The reference clock and the TSC at the same moment: the cheapest of a few
 * reads, with the TSC at its midpoint, so a read stretched by an SMI (or by the
 * host descheduling an emulated CPU) does not skew the window's ends. */
static void ref_sample(uint64_t *r, uint64_t *tsc)
{
	uint64_t best = ~0ULL;

	for (int i = 0; i < SAMPLE_TRIES; i++) {
		uint64_t a = rdtsc(), v = ref_read(), b = rdtsc();
		if (b - a < best) {
			best = b - a;
			*r = v;
			*tsc = a + (b - a) / 2;
		}
	}
}

/* kHz of this CPU's TSC over `ms` of the free-running reference, 0 on failure. */
static uint32_t measure_free_running(uint32_t ms)
{
	uint64_t need = ref_ticks(ms), mask = ref_mask(), r0, t0, r1, t1, spins = 0;
	uint64_t f = irq_save();

	ref_sample(&r0, &t0);
	while (((ref_read() - r0) & mask) < need && ++spins < MAX_SPINS)
		;
	ref_sample(&r1, &t1);
	irq_restore(f);
	if (spins >= MAX_SPINS)
		return 0;
	return tsc_calc_khz(t1 - t0, ref_ns((r1 - r0) & mask));
}

static uint32_t measure_once(uint32_t ms)
{
	if (ref != REF_PIT)
		return measure_free_running(ms);
	uint64_t delta, ns;
	uint64_t f = irq_save();
	int r = pit_measure_tsc(ms * 1000, &delta, &ns);
	irq_restore(f);
	return r ? 0 : tsc_calc_khz(delta, ns);
}

uint32_t tsc_measure_khz(uint32_t ms)
{
	uint32_t runs[CAL_RUNS];

	if (ref != REF_HPET && ref != REF_PMTMR)
		return 0;
	ms = ms < 1 ? 1 : ms > 1000 ? 1000 : ms;
	for (int i = 0; i < CAL_RUNS; i++)
		runs[i] = measure_free_running(ms);
	return tsc_calc_median(runs, CAL_RUNS);
}

/* Median of CAL_RUNS runs against the current reference. */
static uint32_t measure(void)
{
	uint32_t runs[CAL_RUNS];

	for (int i = 0; i < CAL_RUNS; i++)
		runs[i] = measure_once(CAL_MS);
	pr_debug("tsc: %s runs %u %u %u kHz\n", ref_name(ref), runs[0], runs[1], runs[2]);
	/* A rate below 1 MHz is a broken reference, not a CPU that runs Terrapin. */
	uint32_t m = tsc_calc_median(runs, CAL_RUNS);
	return m >= 1000 ? m : 0;
}

/* CPUID's claim and how far to trust it (permille); 0 when it makes none. */
static uint32_t cpuid_khz(uint32_t *permille, uint32_t *leaf)
{
	uint32_t max = cpuid(0, 0).eax;

	if (max >= 0x15) {
		struct cpuid_regs r = cpuid(0x15, 0);
		uint32_t k = tsc_calc_cpuid15_khz(r.eax, r.ebx, r.ecx);
		if (k) {
			*permille = CPUID15_PERMILLE;
			*leaf = 0x15;
			return k;
		}
	}
	if (max >= 0x16) {
		uint32_t mhz = cpuid(0x16, 0).eax & 0xffff;
		if (mhz) {
			*permille = CPUID16_PERMILLE;
			*leaf = 0x16;
			return mhz * 1000;
		}
	}
	return 0;
}

int tsc_calibrate(void)
{
	uint32_t measured = 0, permille = 0, leaf = 0;

	if (acpi.hpet.present && acpi.hpet.space == ACPI_GAS_MEM && !hpet_init(acpi.hpet.base))
		ref = REF_HPET;
	else if (!pmtmr_setup())
		ref = REF_PMTMR;
	else
		ref = REF_PIT;
	measured = measure();
	if (!measured && ref != REF_PIT) {
		pr_warn("tsc: %s gave no usable measurement, trying the PIT\n", ref_name(ref));
		ref = REF_PIT;
		measured = measure();
	}
	uint32_t claimed = cpuid_khz(&permille, &leaf);

	if (claimed && measured && tsc_calc_agree(claimed, measured, permille)) {
		tsc_khz = claimed;
		source = "CPUID";
		pr_info("tsc: %u kHz (calibrated against CPUID, leaf 0x%x; %s measured %u kHz)\n",
			tsc_khz, leaf, ref_name(ref), measured);
	} else if (measured) {
		if (claimed)
			pr_warn("tsc: CPUID leaf 0x%x says %u kHz but the %s measures %u kHz\n",
				leaf, claimed, ref_name(ref), measured);
		tsc_khz = measured;
		source = ref_name(ref);
		pr_info("tsc: %u kHz (calibrated against %s)\n", tsc_khz, source);
	} else if (claimed) {
		tsc_khz = claimed;
		source = "CPUID";
		pr_warn("tsc: no reference clock works; %u kHz (calibrated against CPUID, leaf "
			"0x%x, unchecked)\n",
			tsc_khz, leaf);
	} else {
		pr_err("tsc: no reference clock and no CPUID frequency: time stands still\n");
		return -ENODEV;
	}
	percpu[0].tsc_khz = tsc_khz;
	return 0;
}
