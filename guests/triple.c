/* triple (misbehaves on purpose): loads an IDT with limit 0 and executes INT3.
 * The #BP cannot be delivered (#GP), nor can the #GP (#DF), nor the #DF: a
 * triple fault, which shuts the machine down (SDM 3A 6.15, "Interrupt 8").
 * QEMU with -no-reboot then exits with status 0; Terrapin stops the VM. It must
 * never come back: if it does, it says "FAIL: survived". */
#include "guests/lib/guest.h"

const char guest_name[] = GUEST_NAME;

void guest_main(void)
{
	struct {
		uint16_t limit;
		uintptr_t base;
	} __attribute__((packed)) null_idt = {0, 0};

	gprintf("triple: loading a null IDT and executing INT3: expect a triple fault\n");
	__asm__ volatile("lidt %0; int3" : : "m"(null_idt) : "memory");
	trap_init();
	guest_fail_code(GUEST_EXIT_SURVIVED, "survived");
}
