/* TSC calibration arithmetic, kept free of overflow for any input. */
#include "drivers/tsc_calc.h"

#define NS_PER_S      1000000000ULL
#define MAX_WINDOW_NS 10000000000000ULL /* 10^13 ns: keeps rem * 10^6 in range */

uint64_t tsc_calc_ticks_to_ns(uint64_t ticks, uint64_t hz)
{
	if (!hz)
		return 0;
	/* ticks / hz whole seconds, then the remainder: rem < hz, so rem * 10^9
	 * fits for any hz below 1.8 * 10^10. Faster clocks lose the remainder's
	 * precision rather than overflow. */
	uint64_t sec = ticks / hz, rem = ticks % hz;
	uint64_t frac = hz <= UINT64_MAX / NS_PER_S ? rem * NS_PER_S / hz : rem / (hz / NS_PER_S);
	if (sec > (UINT64_MAX - frac) / NS_PER_S)
		return UINT64_MAX;
	return sec * NS_PER_S + frac;
}

uint32_t tsc_calc_khz(uint64_t delta, uint64_t ns)
{
	if (!ns || ns > MAX_WINDOW_NS)
		return 0;
	/* khz = delta * 10^6 / ns, split so nothing overflows. */
	uint64_t q = delta / ns, r = delta % ns;
	if (q > 0xffffffffULL / 1000000)
		return 0;
	uint64_t khz = q * 1000000 + r * 1000000 / ns;
	return khz > 0xffffffffULL ? 0 : (uint32_t)khz;
}

uint32_t tsc_calc_cpuid15_khz(uint32_t eax, uint32_t ebx, uint32_t ecx)
{
	if (!eax || !ebx || !ecx)
		return 0;
	/* ecx * ebx < 2^64: the product of two 32-bit values. */
	uint64_t khz = (uint64_t)ecx * ebx / eax / 1000;
	return khz > 0xffffffffULL ? 0 : (uint32_t)khz;
}

uint32_t tsc_calc_median(uint32_t *v, size_t n)
{
	size_t k = 0;

	/* Move the non-zero values to the front, then insertion-sort them. */
	for (size_t i = 0; i < n; i++)
		if (v[i])
			v[k++] = v[i];
	for (size_t i = 1; i < k; i++) {
		uint32_t x = v[i];
		size_t j = i;
		for (; j > 0 && v[j - 1] > x; j--)
			v[j] = v[j - 1];
		v[j] = x;
	}
	return k ? v[(k - 1) / 2] : 0;
}

bool tsc_calc_agree(uint32_t a, uint32_t b, uint32_t permille)
{
	uint64_t hi = a > b ? a : b, lo = a > b ? b : a;

	return (hi - lo) * 1000 <= hi * permille;
}
