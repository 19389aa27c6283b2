/* COM1, a 16550 at 0x3f8, polled: 115200 baud 8N1, FIFOs on, no interrupts. */
#include "guests/lib/guest.h"
#include "guests/lib/x86.h"

#define COM1	 0x3f8
#define UART_THR 0 /* transmit holding (DLAB=0) */
#define UART_DLL 0 /* divisor low (DLAB=1) */
#define UART_IER 1
#define UART_DLM 1
#define UART_FCR 2
#define UART_LCR 3
#define UART_MCR 4
#define UART_LSR 5
#define LCR_DLAB 0x80
#define LCR_8N1	 0x03
#define LSR_THRE 0x20
/* How often to poll LSR before writing anyway: a UART that never says "ready"
 * must not hang a test that could still report through the exit port. */
#define UART_POLL_MAX 100000

void serial_init(void)
{
	outb(COM1 + UART_IER, 0);
	outb(COM1 + UART_LCR, LCR_DLAB);
	outb(COM1 + UART_DLL, 1); /* 115200 = 1.8432 MHz / 16 / 1 */
	outb(COM1 + UART_DLM, 0);
	outb(COM1 + UART_LCR, LCR_8N1);
	outb(COM1 + UART_FCR, 0xc7); /* enable and clear FIFOs, 14-byte trigger */
	outb(COM1 + UART_MCR, 0x03); /* DTR, RTS; OUT2 off: no interrupts */
}

static void serial_raw(char c)
{
	for (unsigned i = 0; i < UART_POLL_MAX; i++) {
		if (inb(COM1 + UART_LSR) & LSR_THRE)
			break;
		pause();
	}
	outb(COM1 + UART_THR, (uint8_t)c);
}

void serial_putc(char c)
{
	if (c == '\n')
		serial_raw('\r');
	serial_raw(c);
}

void serial_write(const char *s, size_t n)
{
	for (size_t i = 0; i < n; i++)
		serial_putc(s[i]);
}
