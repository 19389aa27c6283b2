/* Parsing of Terrapin's command line and of module argument strings. Pure. 
 * Syntax: words separated by spaces; a word is KEY or KEY=VALUE; VALUE may be
 * double-quoted to hold spaces (cmdline="console=ttyS0 quiet"). */
#ifndef KERNEL_CMDLINE_H
#define KERNEL_CMDLINE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* Find KEY in `line`. Returns true when present; copies its value (unquoted, ""
 * for a bare KEY) into val[0..len) NUL-terminated, truncated to fit. */
bool cmdline_get(const char *line, const char *key, char *val, size_t len);

/* Parse a size: decimal or 0x hex, optional suffix K/M/G/T (binary). */
int cmdline_parse_size(const char *s, uint64_t *out);

/* Parse an unsigned integer: decimal or 0x hex; -EINVAL on junk or overflow. */
int cmdline_parse_u64(const char *s, uint64_t *out);

/* Iterate words: call fn(key, value_or_NULL, ctx) for each word; stops and returns
 * fn's value when non-zero; -EINVAL on an unterminated quote. Keys and values are
 * truncated to 63 and 255 bytes. */
int cmdline_foreach(const char *line, int (*fn)(const char *key, const char *val, void *ctx),
		    void *ctx);

/* console= option: "com1".."com4" or a port ("0x2f8"), optional ",BAUD". */
struct console_opt {
	uint16_t port;
	uint32_t baud;
};
int cmdline_parse_console(const char *val, struct console_opt *out);

#endif
