/* XSETBV's checks (see kernel/xcr0.h). Pure. */
#include "kernel/xcr0.h"

/* A group of bits that must be all set or all clear. */
static bool all_or_none(uint64_t val, uint64_t group)
{
	return (val & group) == 0 || (val & group) == group;
}

bool xcr0_valid(uint32_t index, uint64_t val, uint64_t supported)
{
	if (index != 0 || (val & ~supported) || !(val & XFEATURE_X87))
		return false;
	if ((val & XFEATURE_AVX) && !(val & XFEATURE_SSE))
		return false;
	if (!all_or_none(val, XFEATURE_AVX512) || ((val & XFEATURE_AVX512) && !(val & XFEATURE_AVX)))
		return false;
	return all_or_none(val, XFEATURE_BNDREGS | XFEATURE_BNDCSR) && all_or_none(val, XFEATURE_AMX);
}
