/* 16550 UART, polled. Register offsets from the PC16550D data sheet. */
#include "drivers/uart16550.h"

#include "drivers/io.h"

enum {
	UART_DATA = 0, /* RBR/THR, DLL when DLAB */
	UART_IER = 1,  /* DLM when DLAB */
	UART_FCR = 2,
	UART_LCR = 3,
	UART_MCR = 4,
	UART_LSR = 5,
	UART_SCR = 7,
};
#define LCR_DLAB 0x80
#define LCR_8N1 0x03
#define LSR_DR 0x01
#define LSR_THRE 0x20

bool uart_init(uint16_t port, uint32_t baud)
{
	/* A missing UART reads back 0xff; the scratch register must hold a value. */
	outb(port + UART_SCR, 0x5a);
	if (inb(port + UART_SCR) != 0x5a)
		return false;
	uint16_t div = (uint16_t)(115200 / (baud ? baud : 115200));
	outb(port + UART_IER, 0);
	outb(port + UART_LCR, LCR_DLAB);
	outb(port + UART_DATA, div & 0xff);
	outb(port + UART_IER, div >> 8);
	outb(port + UART_LCR, LCR_8N1);
	outb(port + UART_FCR, 0x07); /* enable and clear FIFOs */
	outb(port + UART_MCR, 0x03); /* DTR, RTS */
	return true;
}

void uart_putc(uint16_t port, char c)
{
	/* Bounded wait: a wedged or absent UART must not hang the hypervisor. */
	for (int i = 0; i < 100000 && !(inb(port + UART_LSR) & LSR_THRE); i++)
		cpu_relax();
	outb(port + UART_DATA, (uint8_t)c);
}

int uart_getc(uint16_t port)
{
	if (!(inb(port + UART_LSR) & LSR_DR))
		return -1;
	return inb(port + UART_DATA);
}
