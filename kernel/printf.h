/* Formatted printing into a buffer. Pure: also compiled on the host for tests.
 * Supports %d %i %u %x %X %o %p %s %c %% with flags '-', '0', ' ', '+', '#',
 * width and precision (also '*'), and length modifiers hh h l ll z t j. */
#ifndef KERNEL_PRINTF_H
#define KERNEL_PRINTF_H

#include <stdarg.h>
#include <stddef.h>

/* Like C's vsnprintf: returns the length the full output would have. */
int kvsnprintf(char *buf, size_t size, const char *fmt, va_list ap);
int ksnprintf(char *buf, size_t size, const char *fmt, ...) __attribute__((format(printf, 3, 4)));

#endif
