/* Host tests for drivers/tsc_calc.c: the arithmetic of TSC calibration, at the
 * edges where a naive a * b / c overflows. */
#include "tests/unit/check.h"

#include "drivers/tsc_calc.c"

#include <stdint.h>

TEST(ticks_to_ns)
{
	static const struct {
		uint64_t ticks, hz, ns;
	} c[] = {
		{3579545, 3579545, 1000000000},		    /* one second of PM timer */
		{35795, 3579545, 9999874},		    /* 10 ms, rounded down */
		{0xffffffffULL, 3579545, 1199864031601ULL}, /* a full 32-bit PM timer */
		{11932, 1193182, 10000150},		    /* PIT, 10 ms */
		{1000000, 100000000, 10000000},		    /* 100 MHz HPET, 10 ms */
		{0, 3579545, 0},
		{12345, 0, 0},				      /* no clock */
		{35000000000ULL, 20000000000ULL, 1750000000}, /* a clock past 1.8e10 Hz */
		{18446744073ULL, 1, 18446744073000000000ULL}, /* the largest that fits */
		{18446744074ULL, 1, UINT64_MAX},	      /* saturates */
		{UINT64_MAX, 1, UINT64_MAX},
		{UINT64_MAX, UINT64_MAX, 1000000000},
	};
	for (size_t i = 0; i < sizeof(c) / sizeof(c[0]); i++) {
		uint64_t got = tsc_calc_ticks_to_ns(c[i].ticks, c[i].hz);
		if (got != c[i].ns)
			printf("  case %zu\n", i);
		CHECK_EQ(got, c[i].ns);
	}
}

TEST(ticks_to_ns_matches_exact_division)
{
	/* Exact (floor, saturating) for every clock up to 1.8e10 Hz. */
	uint64_t x = 0x9e3779b97f4a7c15ULL;

	for (int i = 0; i < 100000; i++) {
		x ^= x << 13, x ^= x >> 7, x ^= x << 17;
		uint64_t ticks = x >> (x & 63);
		uint64_t hz = (x * 2654435761u) % 18000000000ULL + 1;
		unsigned __int128 exact = (unsigned __int128)ticks * 1000000000u / hz;
		uint64_t want = exact > UINT64_MAX ? UINT64_MAX : (uint64_t)exact;
		uint64_t got = tsc_calc_ticks_to_ns(ticks, hz);
		if (got != want) {
			printf("  ticks %llu hz %llu\n", (unsigned long long)ticks,
			       (unsigned long long)hz);
			CHECK_EQ(got, want);
			return;
		}
	}
}

TEST(khz)
{
	static const struct {
		uint64_t delta, ns;
		uint32_t khz;
	} c[] = {
		{26000000, 10000000, 2600000},	      /* 2.6 GHz over 10 ms */
		{2599999999ULL, 1000000000, 2599999}, /* rounded down */
		{1000, 1000, 1000000},
		{1, 1000000, 1},
		{0, 10000000, 0},
		{26000000, 0, 0},		   /* no time passed */
		{26000000, 10000000000001ULL, 0},  /* window over 10^13 ns */
		{5000000000000000ULL, 1000000, 0}, /* 5 * 10^12 kHz: does not fit */
		{UINT64_MAX, 10000000000000ULL, 0},
		{4294967295ULL, 1000000, 4294967295u}, /* the largest that fits */
		{4294967296ULL, 1000000, 0},
		{1844674407370955ULL, 10000000000000ULL, 184467440}, /* big delta, big window */
	};
	for (size_t i = 0; i < sizeof(c) / sizeof(c[0]); i++) {
		uint32_t got = tsc_calc_khz(c[i].delta, c[i].ns);
		if (got != c[i].khz)
			printf("  case %zu\n", i);
		CHECK_EQ(got, c[i].khz);
	}
}

TEST(khz_matches_exact_division)
{
	/* Against 128-bit arithmetic over a deterministic spread of inputs. */
	uint64_t x = 0x2545f4914f6cdd1dULL;

	for (int i = 0; i < 100000; i++) {
		x ^= x << 13, x ^= x >> 7, x ^= x << 17;
		uint64_t delta = x >> (x & 31);
		uint64_t ns = (x % 10000000000000ULL) + 1;
		unsigned __int128 exact = (unsigned __int128)delta * 1000000 / ns;
		uint32_t want = exact > 0xffffffffu ? 0 : (uint32_t)exact;
		uint32_t got = tsc_calc_khz(delta, ns);
		if (got != want) {
			printf("  delta %llu ns %llu\n", (unsigned long long)delta,
			       (unsigned long long)ns);
			CHECK_EQ(got, want);
			return;
		}
	}
}

TEST(cpuid15)
{
	CHECK_EQ(tsc_calc_cpuid15_khz(2, 200, 24000000), 2400000); /* 24 MHz crystal * 100 */
	CHECK_EQ(tsc_calc_cpuid15_khz(2, 176, 38400000), 3379200); /* 38.4 MHz crystal */
	CHECK_EQ(tsc_calc_cpuid15_khz(3, 1, 1000), 0);		   /* under 1 kHz */
	CHECK_EQ(tsc_calc_cpuid15_khz(0, 200, 24000000), 0);	   /* leaf not enumerated */
	CHECK_EQ(tsc_calc_cpuid15_khz(2, 0, 24000000), 0);
	CHECK_EQ(tsc_calc_cpuid15_khz(2, 200, 0), 0);		      /* crystal not given */
	CHECK_EQ(tsc_calc_cpuid15_khz(1, 0xffffffff, 0xffffffff), 0); /* too fast to be real */
	CHECK_EQ(tsc_calc_cpuid15_khz(0xffffffff, 0xffffffff, 0xffffffff), 4294967);
}

TEST(median)
{
	uint32_t a[] = {3, 1, 2};
	CHECK_EQ(tsc_calc_median(a, 3), 2);
	uint32_t b[] = {0, 5, 0};
	CHECK_EQ(tsc_calc_median(b, 3), 5);
	uint32_t c[] = {0, 0, 0};
	CHECK_EQ(tsc_calc_median(c, 3), 0);
	uint32_t d[] = {4, 1};
	CHECK_EQ(tsc_calc_median(d, 2), 1); /* lower middle */
	CHECK_EQ(tsc_calc_median(NULL, 0), 0);
	uint32_t e[] = {7, 9, 7, 1};
	CHECK_EQ(tsc_calc_median(e, 4), 7);
	uint32_t f[] = {2600000, 4746477, 354480}; /* one run too fast, one too slow */
	CHECK_EQ(tsc_calc_median(f, 3), 2600000);
	uint32_t g[] = {UINT32_MAX, 0, 1};
	CHECK_EQ(tsc_calc_median(g, 3), 1);
}

TEST(agree)
{
	CHECK(tsc_calc_agree(1000, 1010, 10));
	CHECK(tsc_calc_agree(1010, 1000, 10));
	CHECK(!tsc_calc_agree(1000, 1011, 10));
	CHECK(tsc_calc_agree(0, 0, 0));
	CHECK(tsc_calc_agree(5, 5, 0));
	CHECK(!tsc_calc_agree(5, 6, 0));
	CHECK(tsc_calc_agree(UINT32_MAX, 0, 1000));
	CHECK(!tsc_calc_agree(UINT32_MAX, 0, 999));
	CHECK(tsc_calc_agree(2600000, 2599870, 1));  /* 0.05 permille apart */
	CHECK(!tsc_calc_agree(3500000, 100000, 10)); /* Bochs: CPUID 0x16 vs the HPET */
}

int main(void)
{
	RUN(ticks_to_ns);
	RUN(ticks_to_ns_matches_exact_division);
	RUN(khz);
	RUN(khz_matches_exact_division);
	RUN(cpuid15);
	RUN(median);
	RUN(agree);
	return CHECK_DONE();
}
