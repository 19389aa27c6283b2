#include "kernel/time.h"

#include "drivers/io.h"
#include "kernel/log.h"
#include "kernel/shell.h"

uint64_t tsc_boot;
uint32_t tsc_khz;

void time_init(void) { tsc_boot = rdtsc(); }

uint64_t tsc_to_ns(uint64_t d)
{
	if (!tsc_khz)
		return 0;
	/* Split so that d * 10^6 cannot overflow. */
	return d / tsc_khz * 1000000 + d % tsc_khz * 1000000 / tsc_khz;
}

uint64_t ns_to_tsc(uint64_t ns)
{
	/* Split as above; saturates instead of wrapping. */
	uint64_t hi = ns / 1000000, lo = ns % 1000000;
	if (hi > UINT64_MAX / (tsc_khz ? tsc_khz : 1) - 1)
		return UINT64_MAX;
	return hi * tsc_khz + lo * tsc_khz / 1000000;
}

uint64_t time_us(void) { return tsc_to_ns(rdtsc() - tsc_boot) / 1000; }

void udelay(uint64_t us)
{
	uint64_t khz = tsc_khz ? tsc_khz : 1000000; /* assume 1 GHz until calibrated */
	uint64_t end = rdtsc() + us * khz / 1000;

	while ((int64_t)(rdtsc() - end) < 0)
		cpu_relax();
}

static int cmd_uptime(int argc, char **argv)
{
	(void)argv;
	if (argc != 1)
		return shell_usage("uptime");
	uint64_t us = time_us();
	uint64_t s = us / 1000000;
	cprintf("up %llu.%03llu s (%lluh %02llum %02llus)\n", (unsigned long long)s,
		(unsigned long long)(us / 1000 % 1000), (unsigned long long)(s / 3600),
		(unsigned long long)(s / 60 % 60), (unsigned long long)(s % 60));
	return 0;
}
SHELL_COMMAND(uptime, "uptime", "", "time since Terrapin started", cmd_uptime);
