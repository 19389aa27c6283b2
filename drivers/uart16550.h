#ifndef DRIVERS_UART16550_H
#define DRIVERS_UART16550_H

#include <stdbool.h>
#include <stdint.h>

/* Program the UART at `port` for `baud` 8N1 with FIFOs; returns false when no
 * UART answers there (scratch register test). */
bool uart_init(uint16_t port, uint32_t baud);
void uart_putc(uint16_t port, char c);
/* A received byte, or -1 when none is waiting. */
int uart_getc(uint16_t port);

#endif
