/* Leveled logging into a ring buffer (kernel/log.c). Messages at or below the
 * console level (loglevel= on the command line) are also printed on the console.
 * The shell's `log` command prints the ring. Shell output uses cprintf(): console
 * only, not logged. */
#ifndef KERNEL_LOG_H
#define KERNEL_LOG_H

#include <stddef.h>

enum log_level { LOG_ERR = 0, LOG_WARN = 1, LOG_INFO = 2, LOG_DEBUG = 3 };

void log_printf(int level, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
void cprintf(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
void console_write(const char *s, size_t n);

#define pr_err(...) log_printf(LOG_ERR, __VA_ARGS__)
#define pr_warn(...) log_printf(LOG_WARN, __VA_ARGS__)
#define pr_info(...) log_printf(LOG_INFO, __VA_ARGS__)
#define pr_debug(...) log_printf(LOG_DEBUG, __VA_ARGS__)

void log_set_level(int level);
int log_parse_level(const char *name); /* "err".."debug" or 0..3; -1 if unknown */
/* Calls fn for each stored line, oldest first. */
void log_dump(void (*fn)(const char *line, size_t n));

#endif
