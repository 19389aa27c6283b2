/* hypercall: Terrapin's paravirtual interface from the guest's side (a Terrapin
 * guest only: under plain QEMU, VMMCALL is #UD). Checks the CPUID leaves at
 * 0x40000000, each hypercall and its errors, that an MSR Terrapin does not let
 * guests touch raises #GP, then prints PASS and leaves through the exit
 * hypercall (status 0) instead of the debug-exit port. */
#include "guests/lib/guest.h"
#include "guests/lib/x86.h"

const char guest_name[] = GUEST_NAME;

enum { HC_VERSION = 0, HC_CONSOLE_WRITE = 1, HC_EXIT = 2 };
#define ENOSYS 38
#define EFAULT 14
#define E2BIG 7

static bool intel;

static long hypercall(unsigned long fn, unsigned long a1, unsigned long a2)
{
	unsigned long ret;

	if (intel)
		__asm__ volatile("vmcall" : "=a"(ret) : "a"(fn), "b"(a1), "c"(a2) : "memory");
	else
		__asm__ volatile("vmmcall" : "=a"(ret) : "a"(fn), "b"(a1), "c"(a2) : "memory");
	return (long)ret;
}

static volatile unsigned gp_seen;

static void on_gp(struct trap_frame *f)
{
	gp_seen++;
	f->ip += 2; /* skip the faulting RDMSR (0F 32) */
}

void guest_main(void)
{
	uint32_t a, b, c, d;
	char sig[13];

	__asm__ volatile("cpuid" : "=a"(a), "=b"(b), "=c"(c), "=d"(d) : "a"(0), "c"(0));
	intel = b == 0x756e6547; /* "Genu" */
	__asm__ volatile("cpuid" : "=a"(a), "=b"(b), "=c"(c), "=d"(d) : "a"(0x40000000), "c"(0));
	memcpy(sig, &b, 4);
	memcpy(sig + 4, &c, 4);
	memcpy(sig + 8, &d, 4);
	sig[12] = 0;
	gprintf("hypercall: hypervisor \"%s\", max leaf 0x%x\n", sig, a);
	if (memcmp(sig, "TerrapinHV", 10) || a < 0x40000001)
		guest_fail("not running under Terrapin");
	__asm__ volatile("cpuid" : "=a"(a), "=b"(b), "=c"(c), "=d"(d) : "a"(0x40000001), "c"(0));
	long v = hypercall(HC_VERSION, 0, 0);
	gprintf("hypercall: ABI version %ld (CPUID says %u)\n", v, a);
	if (v != 1 || a != 1)
		guest_fail("version");

	static const char msg[] = "hypercall: this line came through HC_CONSOLE_WRITE\n";
	long n = hypercall(HC_CONSOLE_WRITE, (unsigned long)(uintptr_t)msg, sizeof(msg) - 1);
	if (n != (long)sizeof(msg) - 1)
		guest_fail("console write returned %ld", n);
	if ((n = hypercall(HC_CONSOLE_WRITE, 0xfffff000ul, 16)) != -EFAULT)
		guest_fail("console write of unbacked memory returned %ld, not -EFAULT", n);
	if ((n = hypercall(HC_CONSOLE_WRITE, (unsigned long)(uintptr_t)msg, 5000)) != -E2BIG)
		guest_fail("console write of 5000 bytes returned %ld, not -E2BIG", n);
	if ((n = hypercall(77, 0, 0)) != -ENOSYS)
		guest_fail("unknown hypercall returned %ld, not -ENOSYS", n);

	trap_set(13, on_gp);
	__asm__ volatile("rdmsr" : "=a"(a), "=d"(d) : "c"(0xc0010114u)); /* VM_CR */
	gprintf("hypercall: RDMSR of VM_CR raised #GP %u time(s)\n", gp_seen);
	if (gp_seen != 1)
		guest_fail("RDMSR of VM_CR did not raise #GP");

	gprintf("PASS\n");
	hypercall(HC_EXIT, 0, 0);
	guest_fail("the exit hypercall returned");
}
