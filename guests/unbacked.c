/* unbacked (misbehaves on purpose): writes to and reads from an address where
 * there is neither RAM nor a device (cmdline addr=, default 0xC0000000: above
 * any test guest's RAM, past q35's MMCONFIG window, below the PCI MMIO
 * devices). Terrapin stops the VM at the nested page fault. Plain QEMU lets
 * the write vanish and reads all ones, so there the guest prints "touched
 * unbacked memory" and then "FAIL: survived". */
#include "guests/lib/guest.h"

const char guest_name[] = GUEST_NAME;

#define PATTERN 0x5a5aa5a5u

void guest_main(void)
{
	uint64_t addr = guest_arg_u64("addr", 0xc0000000u);
	volatile uint32_t *p;
	uint32_t v;

	if (addr > 0xfffffffcu)
		guest_fail("addr=0x%llx: a 32-bit guest reaches only 4 GiB",
			   (unsigned long long)addr);
	p = (volatile uint32_t *)(uintptr_t)addr;
	gprintf("unbacked: writing 0x%x to 0x%llx, where there is no RAM and no device\n", PATTERN,
		(unsigned long long)addr);
	*p = PATTERN;
	v = *p;
	gprintf("unbacked: touched unbacked memory at 0x%llx: read back 0x%x\n",
		(unsigned long long)addr, v);
	guest_fail_code(GUEST_EXIT_SURVIVED, "survived");
}
