/* strio: string port I/O. REP OUTSB writes a line to the UART, REP INSB reads
 * fw_cfg's signature, a backwards (DF=1) REP INSB reads it again into the end
 * of a buffer, and a single OUTSW/INSB pair checks the non-REP form. */
#include "guests/lib/guest.h"
#include "guests/lib/x86.h"

const char guest_name[] = GUEST_NAME;

#define FW_CFG_SEL 0x510
#define FW_CFG_DATA 0x511

static void rep_outsb(uint16_t port, const void *src, size_t n)
{
	__asm__ volatile("cld; rep outsb" : "+S"(src), "+c"(n) : "d"(port) : "memory");
}

static void rep_insb(uint16_t port, void *dst, size_t n)
{
	__asm__ volatile("cld; rep insb" : "+D"(dst), "+c"(n) : "d"(port) : "memory");
}

void guest_main(void)
{
	static const char line[] = "strio: this line went out with rep outsb\r\n";
	char sig[8] = { 0 };

	rep_outsb(0x3f8, line, sizeof(line) - 1);

	outw(FW_CFG_SEL, 0);
	rep_insb(FW_CFG_DATA, sig, 4);
	gprintf("strio: rep insb read \"%s\"\n", sig);
	if (memcmp(sig, "QEMU", 4))
		guest_fail("fw_cfg signature through rep insb: \"%s\"", sig);

	/* Backwards: DF=1 fills sig[7], sig[6], ... from the port's sequence. */
	char back[8] = { 0 };
	void *dst = &back[7];
	size_t n = 4;
	outw(FW_CFG_SEL, 0);
	__asm__ volatile("std; rep insb; cld" : "+D"(dst), "+c"(n) : "d"(FW_CFG_DATA) : "memory");
	if (back[7] != 'Q' || back[6] != 'E' || back[5] != 'M' || back[4] != 'U' || n != 0 ||
	    dst != &back[3])
		guest_fail("backwards rep insb: %c%c%c%c, rcx %u", back[7], back[6], back[5], back[4],
			   (unsigned)n);

	/* Not REP: one element, and rSI moves by it. */
	const char *src = "ok\r\n";
	__asm__ volatile("cld; outsb; outsb; outsb; outsb" : "+S"(src) : "d"(0x3f8) : "memory");
	if (*src)
		guest_fail("outsb did not advance rSI");
	guest_pass();
}
