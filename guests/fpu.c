/* fpu: a guest's SSE (and, where offered, AVX) registers are its own. It turns
 * SSE on, sets XCR0 with XSETBV (checking that values the rules forbid raise
 * #GP and that XGETBV reads back what was set), then for n rounds (cmdline
 * n=, default 2000) fills XMM0-XMM15 (and the upper halves of YMM0-YMM15)
 * with a pattern from seed= and checks it after a stretch of work and exits
 * long enough for the host to run another vCPU on the same CPU in between.
 * Two copies with different seeds on one host CPU would corrupt each other if
 * the hypervisor did not switch FPU state. */
#include "guests/lib/guest.h"
#include "guests/lib/x86.h"

const char guest_name[] = GUEST_NAME;

#define CPUID1_ECX_XSAVE (1u << 26)
#define CPUID1_ECX_AVX	 (1u << 28)
#define CR0_EM		 (1ULL << 2)
#define CR0_MP		 (1ULL << 1)
#define CR0_TS		 (1ULL << 3)
#define CR4_OSFXSR	 (1ULL << 9)
#define CR4_OSXMMEXCPT	 (1ULL << 10)
#define CR4_OSXSAVE	 (1ULL << 18)

static volatile unsigned gp_seen;

static void on_gp(struct trap_frame *f)
{
	gp_seen++;
	f->ip += 3; /* skip the faulting XSETBV (0F 01 D1) */
}

static void xsetbv(uint32_t index, uint64_t val)
{
	__asm__ volatile("xsetbv" : : "c"(index), "a"((uint32_t)val), "d"((uint32_t)(val >> 32)));
}

static uint64_t xgetbv(uint32_t index)
{
	uint32_t a, d;
	__asm__ volatile("xgetbv" : "=a"(a), "=d"(d) : "c"(index));
	return ((uint64_t)d << 32) | a;
}

/* 16 registers of 16 bytes (XMM) or 32 bytes (YMM). */
static uint8_t want[16][32], got[16][32];

#define FOR_EACH_REG(X) X(0) X(1) X(2) X(3) X(4) X(5) X(6) X(7) \
	X(8) X(9) X(10) X(11) X(12) X(13) X(14) X(15)

static void load_regs(bool avx)
{
	if (avx) {
#define LOADY(n) __asm__ volatile("vmovdqu %0, %%ymm" #n : : "m"(want[n]));
		FOR_EACH_REG(LOADY)
	} else {
#define LOADX(n) __asm__ volatile("movdqu %0, %%xmm" #n : : "m"(want[n]));
		FOR_EACH_REG(LOADX)
	}
}

static void store_regs(bool avx)
{
	if (avx) {
#define STOREY(n) __asm__ volatile("vmovdqu %%ymm" #n ", %0" : "=m"(got[n]));
		FOR_EACH_REG(STOREY)
	} else {
#define STOREX(n) __asm__ volatile("movdqu %%xmm" #n ", %0" : "=m"(got[n]));
		FOR_EACH_REG(STOREX)
	}
}

static void setup(bool *avx)
{
	struct cpuid_regs c1 = cpuid(1, 0);
	uint64_t cr0 = read_cr0(), cr4 = read_cr4();

	write_cr0((cr0 & ~(CR0_EM | CR0_TS)) | CR0_MP);
	write_cr4(cr4 | CR4_OSFXSR | CR4_OSXMMEXCPT);
	*avx = false;
	if (!(c1.ecx & CPUID1_ECX_XSAVE)) {
		gprintf("fpu: no XSAVE: SSE only\n");
		return;
	}
	write_cr4(read_cr4() | CR4_OSXSAVE);
	if (xgetbv(0) != 1)
		guest_fail("XCR0 starts as 0x%llx, not 1", (unsigned long long)xgetbv(0));
	trap_set(13, on_gp);
	static const uint64_t bad[] = { 0, 2, 5, 1ULL << 63 };
	for (unsigned i = 0; i < sizeof(bad) / sizeof(bad[0]); i++)
		xsetbv(0, bad[i]);
	xsetbv(1, 1);
	if (gp_seen != 5)
		guest_fail("%u of 5 forbidden XSETBVs raised #GP", gp_seen);
	*avx = c1.ecx & CPUID1_ECX_AVX;
	uint64_t xcr0 = *avx ? 7 : 3;
	xsetbv(0, xcr0);
	trap_set(13, 0);
	if (xgetbv(0) != xcr0)
		guest_fail("XCR0 reads 0x%llx after XSETBV of 0x%llx", (unsigned long long)xgetbv(0),
			   (unsigned long long)xcr0);
	gprintf("fpu: XCR0 = 0x%llx, forbidden values raise #GP\n", (unsigned long long)xcr0);
}

void guest_main(void)
{
	uint64_t n = guest_arg_u64("n", 2000), seed = guest_arg_u64("seed", 1);
	bool avx;

	setup(&avx);
	unsigned width = avx ? 32 : 16;
	uint64_t t0 = rdtsc();
	for (uint64_t round = 0; round < n; round++) {
		for (unsigned r = 0; r < 16; r++)
			for (unsigned b = 0; b < width; b++)
				want[r][b] = (uint8_t)(seed * 131 + round * 7 + r * 17 + b);
		load_regs(avx);
		/* Exits and a spin of a few hundred microseconds, without touching
		 * a vector register: the host may switch to another vCPU here. */
		(void)cpuid(0, 0);
		outb(0x80, (uint8_t)round);
		for (volatile unsigned spin = 0; spin < 20000; spin++)
			;
		store_regs(avx);
		for (unsigned r = 0; r < 16; r++)
			if (memcmp(want[r], got[r], width))
				guest_fail("round %llu: %s%u changed under the guest",
					   (unsigned long long)round, avx ? "ymm" : "xmm", r);
	}
	gprintf("fpu: %llu rounds of %s0-15 kept (seed %llu, %llu TSC cycles)\n",
		(unsigned long long)n, avx ? "ymm" : "xmm", (unsigned long long)seed,
		(unsigned long long)(rdtsc() - t0));
	guest_pass();
}
