/* The hypervisor console: the serial port chosen by console= on the command line. */
#ifndef KERNEL_CONSOLE_H
#define KERNEL_CONSOLE_H

#include <stdint.h>

void console_init(uint16_t port, uint32_t baud);
uint16_t console_port(void);
/* A byte typed on the console, or -1. */
int console_getc(void);
/* From now on write without taking the console lock (fatal error paths). */
void console_panic_mode(void);

#endif
