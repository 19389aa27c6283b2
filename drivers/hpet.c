/* HPET main counter (IA-PC HPET 1.0a 2.3: general registers). */
#include "drivers/hpet.h"

#include "drivers/io.h"
#include "kernel/errno.h"
#include "kernel/log.h"
#include "mm/mem.h"
#include "mm/paging.h"

#define HPET_CAP	   0x000 /* general capabilities and ID */
#define HPET_CONF	   0x010 /* general configuration */
#define HPET_COUNTER	   0x0f0
#define CAP_COUNT_64	   (1ULL << 13)
#define CONF_ENABLE	   (1ULL << 0)
#define HPET_MAX_PERIOD_FS 100000000u /* 100 ns (HPET 1.0a 2.3.4) */
#define HPET_MIN_PERIOD_FS 100000u    /* 10 GHz: faster is not a real HPET */

static uint64_t regs;
static uint32_t period_fs;
static bool counter64;

bool hpet_ready(void)
{
	return period_fs != 0;
}
uint32_t hpet_period_fs(void)
{
	return period_fs;
}
uint64_t hpet_counter_mask(void)
{
	return counter64 ? ~0ULL : 0xffffffffULL;
}

uint64_t hpet_counter(void)
{
	return counter64 ? mmio_read64(regs + HPET_COUNTER) : mmio_read32(regs + HPET_COUNTER);
}

uint64_t hpet_ticks_to_ns(uint64_t ticks)
{
	/* Split so ticks * period does not overflow for any uptime of interest. */
	return ticks / 1000000 * period_fs + ticks % 1000000 * period_fs / 1000000;
}


int hpet_init(uint64_t base)
{
	if (!base || (base & 0x3ff) || mem_overlaps_ram(base, 1024))
		return -EINVAL;
	if (paging_map(base, 1024, PAGING_MMIO))
		return -ENOMEM;
	uint64_t cap = mmio_read64(base + HPET_CAP);
	uint32_t period = (uint32_t)(cap >> 32);
	if (cap == ~0ULL)
		return -ENODEV;
	if (period < HPET_MIN_PERIOD_FS || period > HPET_MAX_PERIOD_FS) {
		pr_warn("hpet: period %u fs out of range, not used\n", period);
		return -EINVAL;
	}
	regs = base;
	counter64 = cap & CAP_COUNT_64;
	uint64_t conf = mmio_read64(base + HPET_CONF);
	if (!(conf & CONF_ENABLE))
		mmio_write64(base + HPET_CONF, conf | CONF_ENABLE);

	/* It must move within a few hundred ticks' worth of reads. */
	uint64_t c0 = hpet_counter();
	bool moved = false;
	for (int i = 0; i < 100000 && !moved; i++)
		moved = hpet_counter() != c0;
	if (!moved) {
		pr_warn("hpet: counter at 0x%llx does not count, not used\n",
			(unsigned long long)base);
		return -ENODEV;
	}
	period_fs = period;
	pr_info("hpet: at 0x%llx, %llu kHz, %s-bit counter, %llu timers\n",
		(unsigned long long)base, 1000000000000ULL / period, counter64 ? "64" : "32",
		(unsigned long long)((cap >> 8) & 0x1f) + 1);
	return 0;
}
