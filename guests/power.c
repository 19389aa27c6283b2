/* power: asks the chipset to turn off or reset, the way an OS does at the end:
 * `how=off` (default) writes SLP_TYP(S5)|SLP_EN to PM1a_CNT at 0x604 (the q35
 * PM block, and what Terrapin's FADT names), `how=reset` writes 0x06 to the
 * reset control register at 0xcf9. Never returns if the machine obeys. */
#include "guests/lib/guest.h"
#include "guests/lib/x86.h"

const char guest_name[] = GUEST_NAME;

void guest_main(void)
{
	char how[16] = "off";

	guest_arg("how", how, sizeof(how));
	if (!strcmp(how, "reset")) {
		gprintf("power: resetting through 0xcf9\n");
		outb(0xcf9, 0x06);
	} else if (!strcmp(how, "off")) {
		gprintf("power: entering S5 through PM1a_CNT\n");
		outw(0x604, 0x2000);
	} else {
		guest_fail("how=%s: expected off or reset", how);
	}
	guest_fail_code(GUEST_EXIT_SURVIVED, "FAIL: survived");
}
