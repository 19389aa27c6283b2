/* XSETBV's rules for XCR0 (kernel/xcr0.c). */
#include "tests/unit/check.h"

#include "kernel/xcr0.c"

/* What QEMU's -cpu max and a Skylake-X offer: x87 SSE AVX MPX AVX-512 PKRU. */
#define SUPPORTED 0x2ffULL
#define AMX_CPU (SUPPORTED | XFEATURE_AMX)

TEST(good_values)
{
	static const uint64_t ok[] = { 0x1, 0x3, 0x7, 0x1f, 0xe7, 0x207, 0x2ff, 0x3 | 0x18 };
	for (size_t i = 0; i < sizeof(ok) / sizeof(ok[0]); i++)
		CHECK(xcr0_valid(0, ok[i], SUPPORTED));
	CHECK(xcr0_valid(0, 0x7 | XFEATURE_AMX, AMX_CPU));
}

TEST(each_rule_refuses)
{
	static const struct {
		uint32_t index;
		uint64_t val;
		const char *why;
	} bad[] = {
		{ 1, 0x1, "XCR1 cannot be written" },
		{ 0xffffffff, 0x1, "no such XCR" },
		{ 0, 0x0, "x87 off" },
		{ 0, 0x2, "x87 off, SSE on" },
		{ 0, 0x5, "AVX without SSE" },
		{ 0, 0x27, "opmask without the other AVX-512 bits" },
		{ 0, 0x67, "two of three AVX-512 bits" },
		{ 0, 0xe3, "AVX-512 without AVX" },
		{ 0, 0xb, "BNDREGS without BNDCSR" },
		{ 0, 0x13, "BNDCSR without BNDREGS" },
		{ 0, 0x400, "a bit the CPU lacks" },
		{ 0, 1ULL << 63, "bit 63" },
		{ 0, 0x7 | (1ULL << 17), "XTILECFG alone" },
	};
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		if (xcr0_valid(bad[i].index, bad[i].val, AMX_CPU))
			printf("  accepted: %s (0x%llx)\n", bad[i].why, (unsigned long long)bad[i].val);
		CHECK(!xcr0_valid(bad[i].index, bad[i].val, AMX_CPU));
	}
	/* AMX where the CPU has none. */
	CHECK(!xcr0_valid(0, 0x7 | XFEATURE_AMX, SUPPORTED));
}

TEST(exhaustive_low_bits_match_a_direct_reading)
{
	/* Every value of the low 10 bits: accepted exactly when each rule holds. */
	for (uint64_t v = 0; v < 1024; v++) {
		bool want = (v & 1) && !((v & 4) && !(v & 2)) &&
			    ((v & 0xe0) == 0 || ((v & 0xe0) == 0xe0 && (v & 4))) &&
			    (((v >> 3) & 3) == 0 || ((v >> 3) & 3) == 3) && !(v & ~SUPPORTED);
		CHECK(xcr0_valid(0, v, SUPPORTED) == want);
	}
}

int main(void)
{
	RUN(good_values);
	RUN(each_rule_refuses);
	RUN(exhaustive_low_bits_match_a_direct_reading);
	return CHECK_DONE();
}
