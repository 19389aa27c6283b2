/* echo: reads lines from its serial port and echoes them ("echo: got LINE")
 * until it reads "quit", then passes: a test of `console NAME`, which sends the
 * terminal's input to a guest's UART. */
#include "guests/lib/guest.h"
#include "guests/lib/x86.h"

const char guest_name[] = GUEST_NAME;

#define COM1 0x3f8

static char getc_polled(void)
{
	while (!(inb(COM1 + 5) & 1)) /* LSR.DR */
		__asm__ volatile("pause");
	return (char)inb(COM1);
}

void guest_main(void)
{
	char line[80];
	unsigned n = 0;

	gprintf("echo: ready\n");
	for (;;) {
		char ch = getc_polled();
		if (ch != '\r' && ch != '\n') {
			if (n < sizeof(line) - 1)
				line[n++] = ch;
			continue;
		}
		if (!n)
			continue;
		line[n] = 0;
		n = 0;
		gprintf("echo: got %s\n", line);
		if (!strcmp(line, "quit"))
			guest_pass();
	}
}
