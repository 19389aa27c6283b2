/* svm (misbehaves on purpose): executes VMRUN, VMLOAD, VMSAVE, STGI and CLGI
 * with EFER.SVME clear. On hardware (and plain QEMU with -cpu max) each raises
 * #UD (APM 3, the instructions' exception tables); the #UD handler reports it
 * and skips the 3-byte instruction. Terrapin stops the VM (or, if it offers
 * nested SVM, injects the same #UD). Either way the guest never passes: after
 * the attempts it says "FAIL: survived". */
#include "guests/lib/guest.h"
#include "guests/lib/x86.h"

const char guest_name[] = GUEST_NAME;

#define SVM_INSN_LEN 3 /* 0f 01 d8..df */

static volatile unsigned uds;

static void on_ud(struct trap_frame *f)
{
	gprintf("svm: #UD at 0x%lx\n", (unsigned long)f->ip);
	uds++;
	f->ip += SVM_INSN_LEN;
}

struct attempt {
	const char *name;
	void (*run)(void);
};

/* RAX = 0: the VMCB address operand; never used when the instruction #UDs. */
static void do_vmrun(void)
{
	__asm__ volatile(".byte 0x0f, 0x01, 0xd8" : : "a"(0) : "memory");
}

static void do_vmload(void)
{
	__asm__ volatile(".byte 0x0f, 0x01, 0xda" : : "a"(0) : "memory");
}

static void do_vmsave(void)
{
	__asm__ volatile(".byte 0x0f, 0x01, 0xdb" : : "a"(0) : "memory");
}

static void do_stgi(void)
{
	__asm__ volatile(".byte 0x0f, 0x01, 0xdc" : : : "memory");
}

static void do_clgi(void)
{
	__asm__ volatile(".byte 0x0f, 0x01, 0xdd" : : : "memory");
}

static const struct attempt attempts[] = {
	{"VMRUN", do_vmrun}, {"VMLOAD", do_vmload}, {"VMSAVE", do_vmsave},
	{"STGI", do_stgi},   {"CLGI", do_clgi},
};

void guest_main(void)
{
	uint32_t ecx = cpuid(0x80000000u, 0).eax >= 0x80000001u ? cpuid(0x80000001u, 0).ecx : 0;
	unsigned faulted = 0;

	gprintf("svm: CPUID says SVM is %s; EFER = 0x%llx\n", ecx & (1u << 2) ? "there" : "absent",
		(unsigned long long)rdmsr(MSR_EFER));
	trap_set(6, on_ud);
	for (unsigned i = 0; i < ARRAY_SIZE(attempts); i++) {
		unsigned before = uds;

		gprintf("svm: executing %s without EFER.SVME (expect #UD)\n", attempts[i].name);
		attempts[i].run();
		if (uds != before)
			faulted++;
		else
			gprintf("svm: %s did not fault\n", attempts[i].name);
	}
	gprintf("svm: %u of %u raised #UD\n", faulted, (unsigned)ARRAY_SIZE(attempts));
	guest_fail_code(GUEST_EXIT_SURVIVED, "survived");
}
