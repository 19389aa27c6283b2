/* cpuidbench: the cost of one CPUID exit, for `make bench`. After a warm-up,
 * runs n rounds (cmdline n=, default 20000) of a baseline loop that never
 * exits, then n rounds of the same loop with CPUID leaf 0x40000000 in place of
 * one of its instructions, and reads the TSC around each. Both loops are
 * written in assembly so their instruction counts are exact: BASE_INSNS a
 * round, of which the CPUID loop has one CPUID. The difference of the two
 * per-round figures is what one exit round trip costs beyond the instruction
 * it replaces, in TSC ticks. Under QEMU with -icount shift=0 a TSC tick is one
 * emulated instruction, so the baseline reads BASE_INSNS ticks a round and the
 * difference counts the hypervisor's instructions per exit.
 *
 * Output (tests/bench.py parses these lines; keep their shape):
 *   cpuidbench: baseline: N rounds of 5 instructions, T tsc, X.XX tsc per round
 *   cpuidbench: start: N CPUID exits
 *   cpuidbench: N exits, T tsc, X.XX tsc per exit
 *   cpuidbench: exit cost: X.XX tsc per exit over the baseline
 * then PASS. The "start" line comes right before the CPUID loop and the
 * "exits" line right after it, so a host clock on the serial line can time
 * the loop. Fractions are printed with two decimals from integer arithmetic. */
#include "guests/lib/guest.h"
#include "guests/lib/x86.h"

const char guest_name[] = GUEST_NAME;

#define HV_LEAF		      0x40000000u
#define CPUID1_ECX_HYPERVISOR (1u << 31)
#define BASE_INSNS	      5 /* instructions in one round of either loop */
#define WARMUP_ROUNDS	      1000

/* LFENCE keeps RDTSC from running ahead of earlier instructions (AMD APM 3,
 * RDTSC; SDM 2B, RDTSC), so the reads bracket the loop on real hardware. */
static inline uint64_t rdtsc_ordered(void)
{
	__asm__ volatile("lfence" : : : "memory");
	return rdtsc();
}

/* n rounds of: mov leaf -> eax; xor ecx; cpuid; sub 1; jnz. n >= 1. */
static uint64_t loop_cpuid(uint64_t n)
{
	uint32_t a, b, c, d;
	uint64_t t0 = rdtsc_ordered();

	__asm__ volatile("1:\n\t"
			 "movl %[leaf], %%eax\n\t"
			 "xorl %%ecx, %%ecx\n\t"
			 "cpuid\n\t"
			 "subq $1, %[n]\n\t"
			 "jnz 1b"
			 : [n] "+r"(n), "=&a"(a), "=&b"(b), "=&c"(c), "=&d"(d)
			 : [leaf] "i"(HV_LEAF)
			 : "cc", "memory");
	return rdtsc_ordered() - t0;
}

/* The same loop with a register move in place of CPUID: never exits. */
static uint64_t loop_base(uint64_t n)
{
	uint32_t a, b, c;
	uint64_t t0 = rdtsc_ordered();

	__asm__ volatile("1:\n\t"
			 "movl %[leaf], %%eax\n\t"
			 "xorl %%ecx, %%ecx\n\t"
			 "movl %%eax, %%ebx\n\t"
			 "subq $1, %[n]\n\t"
			 "jnz 1b"
			 : [n] "+r"(n), "=&a"(a), "=&b"(b), "=&c"(c)
			 : [leaf] "i"(HV_LEAF)
			 : "cc", "memory");
	return rdtsc_ordered() - t0;
}

/* value / n with two decimals, as "I.FF" (n > 0). */
static void fixed2(char *buf, size_t len, uint64_t value, uint64_t n)
{
	uint64_t hundredths = (value * 100 + n / 2) / n;

	gsnprintf(buf, len, "%llu.%02llu", (unsigned long long)(hundredths / 100),
		  (unsigned long long)(hundredths % 100));
}

void guest_main(void)
{
	uint64_t n = guest_arg_u64("n", 20000);
	struct cpuid_regs c1 = cpuid(1, 0);
	uint64_t tb, tc;
	char per_base[32], per_exit[32], cost[32];

	if (n == 0 || n > (1ull << 40))
		guest_fail("n=%llu: out of range (1 .. 2^40)", (unsigned long long)n);
	if (c1.ecx & CPUID1_ECX_HYPERVISOR) {
		struct cpuid_regs hv = cpuid(HV_LEAF, 0);
		char sig[13];

		/* The hypervisor's signature is EBX, ECX, EDX of its leaf. */
		memcpy(sig, &hv.ebx, 4);
		memcpy(sig + 4, &hv.ecx, 4);
		memcpy(sig + 8, &hv.edx, 4);
		sig[12] = '\0';
		for (int i = 0; i < 12; i++)
			if (sig[i] && (sig[i] < ' ' || sig[i] > '~'))
				sig[i] = '?';
		gprintf("cpuidbench: hypervisor \"%s\", %llu rounds\n", sig,
			(unsigned long long)n);
	} else {
		gprintf("cpuidbench: no hypervisor bit in CPUID 1, %llu rounds\n",
			(unsigned long long)n);
	}

	/* Warm-up: fills caches and TLBs (under TCG, translates both loops). */
	(void)loop_base(WARMUP_ROUNDS);
	(void)loop_cpuid(WARMUP_ROUNDS);

	tb = loop_base(n);
	fixed2(per_base, sizeof(per_base), tb, n);
	gprintf("cpuidbench: baseline: %llu rounds of %d instructions, %llu tsc, %s tsc per round\n",
		(unsigned long long)n, BASE_INSNS, (unsigned long long)tb, per_base);

	gprintf("cpuidbench: start: %llu CPUID exits\n", (unsigned long long)n);
	tc = loop_cpuid(n);
	fixed2(per_exit, sizeof(per_exit), tc, n);
	gprintf("cpuidbench: %llu exits, %llu tsc, %s tsc per exit\n", (unsigned long long)n,
		(unsigned long long)tc, per_exit);

	/* No exits (no hypervisor) can make the CPUID loop the faster one. */
	cost[0] = '-';
	if (tc >= tb)
		fixed2(cost, sizeof(cost), tc - tb, n);
	else
		fixed2(cost + 1, sizeof(cost) - 1, tb - tc, n);
	gprintf("cpuidbench: exit cost: %s tsc per exit over the baseline\n", cost);
	guest_pass();
}
