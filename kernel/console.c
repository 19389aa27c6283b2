/* Console output to the serial port, serialized across CPUs; "\n" becomes "\r\n". */
#include "kernel/console.h"

#include <stdbool.h>

#include "drivers/uart16550.h"
#include "kernel/log.h"
#include "kernel/spinlock.h"

static uint16_t con_port = 0x3f8;
static spinlock_t con_lock;
static volatile bool con_panic;

void console_panic_mode(void) { con_panic = true; }

void console_init(uint16_t port, uint32_t baud)
{
	con_port = port;
	uart_init(port, baud);
}

uint16_t console_port(void) { return con_port; }

void console_write(const char *s, size_t n)
{
	/* After a fatal error the lock may be held by a CPU that was stopped: the
	 * last words go out without it. */
	bool locked = !con_panic;
	uint64_t f = locked ? spin_lock_irqsave(&con_lock) : 0;

	for (size_t i = 0; i < n; i++) {
		if (s[i] == '\n')
			uart_putc(con_port, '\r');
		uart_putc(con_port, s[i]);
	}
	if (locked)
		spin_unlock_irqrestore(&con_lock, f);
}

int console_getc(void) { return uart_getc(con_port); }
