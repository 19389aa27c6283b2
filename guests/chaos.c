/* chaos: a hostile guest for Terrapin's robustness. With interrupts off it
 * hammers random ports, the local APIC and IOAPIC registers (ICR included),
 * random MSRs and CPUID leaves with random values (fixed seed, `seed=`), and
 * counts the #GPs and NMIs that come back. It leaves alone only what would end
 * its own run early: the debug-exit port, its UART, the PM control register and
 * the reset registers. Terrapin must neither crash nor stop it; it prints PASS
 * with its counts. A Terrapin guest only: under plain QEMU random ports reach
 * real devices. */
#include "guests/lib/guest.h"
#include "guests/lib/x86.h"

const char guest_name[] = GUEST_NAME;

static uint32_t rng;

static uint32_t rnd(void)
{
	/* xorshift32 */
	rng ^= rng << 13;
	rng ^= rng >> 17;
	rng ^= rng << 5;
	return rng;
}

static volatile unsigned gp, nmi, other;

static void on_gp(struct trap_frame *f)
{
	gp++;
	f->ip += 2; /* only RDMSR/WRMSR (0F 32 / 0F 30) fault here */
}

static void on_nmi(struct trap_frame *f)
{
	(void)f;
	nmi++;
}

static void on_other(struct trap_frame *f)
{
	(void)f;
	other++;
}

static bool port_spared(uint16_t p)
{
	return (p >= 0xf4 && p <= 0xf7) ||   /* debug exit */
	       (p >= 0x3f8 && p <= 0x3ff) || /* our UART */
	       (p >= 0x604 && p <= 0x605) || /* PM1a_CNT: S5 */
	       p == 0xcf9 || p == 0x92 || p == 0x64; /* resets */
}

static void chaos_ports(unsigned n)
{
	for (unsigned i = 0; i < n; i++) {
		uint32_t r = rnd();
		uint16_t port = (uint16_t)(r & 1 ? r >> 16 : 0x20 + (r >> 16) % 0x7f0);
		if (port_spared(port))
			continue;
		uint32_t v = rnd();
		switch (rnd() % 6) {
		case 0: outb(port, (uint8_t)v); break;
		case 1: outw(port, (uint16_t)v); break;
		case 2: outl(port, v); break;
		case 3: (void)inb(port); break;
		case 4: (void)inw(port); break;
		default: (void)inl(port); break;
		}
	}
}

static void chaos_mmio(unsigned n)
{
	for (unsigned i = 0; i < n; i++) {
		uint32_t r = rnd();
		uintptr_t base = r & 1 ? 0xfee00000u : 0xfec00000u;
		volatile uint32_t *reg = (volatile uint32_t *)(base + (rnd() & 0xff0));
		if (r & 2)
			*reg = rnd();
		else
			(void)*reg;
	}
}

static void chaos_msrs(unsigned n)
{
	static const uint32_t ranges[] = { 0, 0xc0000000u, 0xc0010000u };
	for (unsigned i = 0; i < n; i++) {
		uint32_t msr = ranges[rnd() % 3] + (rnd() & 0x1fff);
		uint32_t lo = rnd(), hi = rnd() & 0xf;
		if (rnd() & 1)
			__asm__ volatile("wrmsr" : : "c"(msr), "a"(lo), "d"(hi) : "memory");
		else
			__asm__ volatile("rdmsr" : "=a"(lo), "=d"(hi) : "c"(msr));
	}
}

static void chaos_cpuid(unsigned n)
{
	for (unsigned i = 0; i < n; i++) {
		uint32_t a = rnd(), b, c = rnd(), d;
		if (a & 1)
			a = (a >> 1) & 0x1f;
		else if (a & 2)
			a = 0x80000000u + ((a >> 2) & 0x1f);
		else if (a & 4)
			a = 0x40000000u + ((a >> 3) & 0xff);
		__asm__ volatile("cpuid" : "+a"(a), "=b"(b), "+c"(c), "=d"(d));
	}
}

void guest_main(void)
{
	rng = (uint32_t)guest_arg_u64("seed", 0x1234567) | 1;
	unsigned rounds = (unsigned)guest_arg_u64("rounds", 8);

	for (unsigned v = 32; v < 256; v++)
		trap_set(v, on_other);
	trap_set(2, on_nmi);
	trap_set(13, on_gp);
	__asm__ volatile("cli");
	for (unsigned r = 0; r < rounds; r++) {
		chaos_ports(2000);
		chaos_mmio(500);
		chaos_msrs(500);
		chaos_cpuid(200);
	}
	gprintf("chaos: %u rounds done: %u #GP, %u NMI, %u other interrupts\n", rounds, gp, nmi,
		other);
	guest_pass();
}
