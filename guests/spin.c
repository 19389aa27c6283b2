/* spin (misbehaves on purpose): disables interrupts and loops forever without
 * a single exit. It never ends by itself: Terrapin must stay responsive (its
 * own timer still preempts the vCPU) and `vm stop` must end it. */
#include "guests/lib/guest.h"

const char guest_name[] = GUEST_NAME;

void guest_main(void)
{
	gprintf("spin: interrupts off, spinning forever\n");
	__asm__ volatile("cli\n1: jmp 1b" : : : "memory");
	guest_fail_code(GUEST_EXIT_SURVIVED, "survived");
}
