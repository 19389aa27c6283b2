/* vmx (misbehaves on purpose): executes the VMX instructions (VMXON, VMCLEAR,
 * VMPTRLD, VMPTRST, VMREAD, VMWRITE, VMLAUNCH, VMRESUME, VMXOFF, INVEPT,
 * INVVPID) though CPUID offers no VMX, the way a guest hypervisor starts.
 *
 * Where the CPU has no VMX (AMD, QEMU's TCG, Bochs `ryzen`) each raises #UD
 * (SDM 2 and APM 3, the instructions' exception tables); the #UD handler
 * reports it and skips the instruction. On an Intel CPU under a hypervisor
 * each one is a VM exit instead (SDM 3C 26.1.2: unconditional in VMX non-root
 * operation; VMXON too, as CR4.VMXE is held set in a guest, SDM 3C A.8), so
 * Terrapin, offering no nested VT-x, stops the VM at the first: VMXON, bytes
 * f3 0f c7 30. Either way the guest never passes: after the attempts it says
 * "FAIL: survived". */
#include "guests/lib/guest.h"
#include "guests/lib/x86.h"

const char guest_name[] = GUEST_NAME;

#define CPUID1_ECX_VMX (1u << 5)

/* What the memory operands point at: a VMXON region or VMCS address (a
 * 4 KiB-aligned physical address) and a 128-bit INVEPT/INVVPID descriptor. */
static uint64_t region_pa __attribute__((aligned(16)));
static uint64_t descriptor[2] __attribute__((aligned(16)));
static uint8_t region[4096] __attribute__((aligned(4096)));

static volatile unsigned uds;
static unsigned cur_len; /* the bytes of the instruction being tried */

static void on_ud(struct trap_frame *f)
{
	gprintf("vmx: #UD at 0x%lx\n", (unsigned long)f->ip);
	uds++;
	f->ip += cur_len;
}

struct attempt {
	const char *name;
	unsigned len;
	void (*run)(void);
};

/* Each is written as bytes so its length (and what Terrapin reports) is
 * exact: ModRM 0x30 is [eax] with reg 6, 0x38 [eax] with reg 7, 0x08 [eax]
 * with reg ecx, 0xc1 ecx with reg eax (32-bit code). */
static void do_vmxon(void)
{
	__asm__ volatile(".byte 0xf3, 0x0f, 0xc7, 0x30" : : "a"(&region_pa) : "memory");
}

static void do_vmclear(void)
{
	__asm__ volatile(".byte 0x66, 0x0f, 0xc7, 0x30" : : "a"(&region_pa) : "memory");
}

static void do_vmptrld(void)
{
	__asm__ volatile(".byte 0x0f, 0xc7, 0x30" : : "a"(&region_pa) : "memory");
}

static void do_vmptrst(void)
{
	__asm__ volatile(".byte 0x0f, 0xc7, 0x38" : : "a"(&region_pa) : "memory");
}

/* VMREAD ecx <- field eax (0x681e: guest RIP); VMWRITE field eax <- ecx. */
static void do_vmread(void)
{
	__asm__ volatile(".byte 0x0f, 0x78, 0xc1" : : "a"(0x681e), "c"(0) : "memory");
}

static void do_vmwrite(void)
{
	__asm__ volatile(".byte 0x0f, 0x79, 0xc1" : : "a"(0x681e), "c"(0) : "memory");
}

static void do_vmlaunch(void)
{
	__asm__ volatile(".byte 0x0f, 0x01, 0xc2" : : : "memory");
}

static void do_vmresume(void)
{
	__asm__ volatile(".byte 0x0f, 0x01, 0xc3" : : : "memory");
}

static void do_vmxoff(void)
{
	__asm__ volatile(".byte 0x0f, 0x01, 0xc4" : : : "memory");
}

/* INVEPT/INVVPID type ecx (1: single context), descriptor [eax]. */
static void do_invept(void)
{
	__asm__ volatile(".byte 0x66, 0x0f, 0x38, 0x80, 0x08" : : "a"(descriptor), "c"(1) : "memory");
}

static void do_invvpid(void)
{
	__asm__ volatile(".byte 0x66, 0x0f, 0x38, 0x81, 0x08" : : "a"(descriptor), "c"(1) : "memory");
}

static const struct attempt attempts[] = {
	{"VMXON", 4, do_vmxon},	      {"VMCLEAR", 4, do_vmclear}, {"VMPTRLD", 3, do_vmptrld},
	{"VMPTRST", 3, do_vmptrst},   {"VMREAD", 3, do_vmread},	  {"VMWRITE", 3, do_vmwrite},
	{"VMLAUNCH", 3, do_vmlaunch}, {"VMRESUME", 3, do_vmresume}, {"VMXOFF", 3, do_vmxoff},
	{"INVEPT", 5, do_invept},     {"INVVPID", 5, do_invvpid},
};

void guest_main(void)
{
	struct cpuid_regs c1 = cpuid(1, 0);
	char vendor[13];
	struct cpuid_regs c0 = cpuid(0, 0);
	unsigned faulted = 0;

	memcpy(vendor, &c0.ebx, 4);
	memcpy(vendor + 4, &c0.edx, 4);
	memcpy(vendor + 8, &c0.ecx, 4);
	vendor[12] = '\0';
	for (int i = 0; i < 12; i++)
		if (vendor[i] < ' ' || vendor[i] > '~')
			vendor[i] = '?';
	region_pa = (uint32_t)(uintptr_t)region;
	gprintf("vmx: %s CPU, CPUID says VMX is %s\n", vendor,
		c1.ecx & CPUID1_ECX_VMX ? "there" : "absent");
	trap_set(6, on_ud);
	for (unsigned i = 0; i < ARRAY_SIZE(attempts); i++) {
		unsigned before = uds;

		gprintf("vmx: executing %s without VMX (expect #UD, or a stop by the hypervisor)\n",
			attempts[i].name);
		cur_len = attempts[i].len;
		attempts[i].run();
		if (uds != before)
			faulted++;
		else
			gprintf("vmx: %s did not fault\n", attempts[i].name);
	}
	gprintf("vmx: %u of %u raised #UD\n", faulted, (unsigned)ARRAY_SIZE(attempts));
	guest_fail_code(GUEST_EXIT_SURVIVED, "survived");
}
