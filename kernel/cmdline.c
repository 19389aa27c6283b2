/* Command-line and module-argument parsing (see kernel/cmdline.h). Pure.
 *
 * A word runs to the next space, tab, CR or LF outside double quotes. Its key
 * ends at the first '=' outside quotes; everything after is the value. Quote
 * characters group text and are removed, so key="a b" has the value `a b`. A
 * quote left open makes the rest of the line unusable: words after it are not
 * reported, and cmdline_foreach() returns -EINVAL. */
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "kernel/cmdline.h"
#include "kernel/errno.h"
#include "kernel/kstring.h"

#define CMDLINE_KEY_MAX 64  /* 63 bytes and the NUL */
#define CMDLINE_VAL_MAX 256 /* 255 bytes and the NUL */

struct cmdline_word {
	const char *key, *key_end; /* raw text, quotes included */
	const char *val, *val_end; /* NULL when the word has no '=' */
};

static bool cmdline_is_space(char c)
{
	return c == ' ' || c == '\t' || c == '\r' || c == '\n';
}

/* Finds the next word at *pos. Returns 1 and advances *pos past it, 0 at the
 * end of the line, -EINVAL for an unterminated quote. */
static int cmdline_next(const char **pos, struct cmdline_word *w)
{
	const char *p = *pos;
	bool quoted = false;

	while (*p && cmdline_is_space(*p))
		p++;
	if (!*p) {
		*pos = p;
		return 0;
	}
	w->key = p;
	w->key_end = NULL;
	w->val = w->val_end = NULL;
	for (; *p; p++) {
		if (*p == '"')
			quoted = !quoted;
		else if (!quoted && cmdline_is_space(*p))
			break;
		else if (!quoted && *p == '=' && !w->val) {
			w->key_end = p;
			w->val = p + 1;
		}
	}
	if (quoted)
		return -EINVAL;
	if (w->val)
		w->val_end = p;
	else
		w->key_end = p;
	*pos = p;
	return 1;
}

/* Copies [s, e) without its quote characters into dst[0..cap), truncated and
 * NUL-terminated. Returns the full unquoted length. */
static size_t cmdline_unquote(const char *s, const char *e, char *dst, size_t cap)
{
	size_t n = 0;

	for (; s < e; s++) {
		if (*s == '"')
			continue;
		if (dst && n + 1 < cap)
			dst[n] = *s;
		n++;
	}
	if (dst && cap)
		dst[n < cap ? n : cap - 1] = '\0';
	return n;
}

/* Whole-key comparison of the unquoted text [s, e) with key. */
static bool cmdline_key_eq(const char *s, const char *e, const char *key)
{
	for (; s < e; s++) {
		if (*s == '"')
			continue;
		if (*key != *s)
			return false;
		key++;
	}
	return *key == '\0';
}

bool cmdline_get(const char *line, const char *key, char *val, size_t len)
{
	struct cmdline_word w;
	const char *pos = line;

	if (!line || !key || !*key)
		return false;
	/* The first occurrence wins. */
	while (cmdline_next(&pos, &w) == 1) {
		if (!cmdline_key_eq(w.key, w.key_end, key))
			continue;
		if (w.val)
			cmdline_unquote(w.val, w.val_end, val, len);
		else if (val && len)
			val[0] = '\0';
		return true;
	}
	return false;
}

int cmdline_foreach(const char *line, int (*fn)(const char *key, const char *val, void *ctx),
		    void *ctx)
{
	char key[CMDLINE_KEY_MAX], val[CMDLINE_VAL_MAX];
	struct cmdline_word w;
	const char *pos = line;
	int ret;

	if (!fn)
		return -EINVAL;
	if (!line)
		return 0;
	while ((ret = cmdline_next(&pos, &w)) == 1) {
		cmdline_unquote(w.key, w.key_end, key, sizeof(key));
		if (w.val)
			cmdline_unquote(w.val, w.val_end, val, sizeof(val));
		ret = fn(key, w.val ? val : NULL, ctx);
		if (ret)
			return ret;
	}
	return ret;
}

/* Parses s[0..n) as decimal or 0x hex. -EINVAL for junk (including an empty
 * string, a sign or spaces), -ERANGE when the value does not fit 64 bits. */
static int cmdline_parse_num(const char *s, size_t n, uint64_t *out)
{
	uint64_t v = 0, base = 10;
	size_t i = 0;

	if (n >= 2 && s[0] == '0' && (s[1] == 'x' || s[1] == 'X')) {
		base = 16;
		i = 2;
	}
	if (i == n)
		return -EINVAL;
	for (; i < n; i++) {
		char c = s[i];
		uint64_t d;

		if (c >= '0' && c <= '9')
			d = (uint64_t)(c - '0');
		else if (base == 16 && c >= 'a' && c <= 'f')
			d = (uint64_t)(c - 'a' + 10);
		else if (base == 16 && c >= 'A' && c <= 'F')
			d = (uint64_t)(c - 'A' + 10);
		else
			return -EINVAL;
		if (v > (UINT64_MAX - d) / base)
			return -ERANGE;
		v = v * base + d;
	}
	*out = v;
	return 0;
}

int cmdline_parse_u64(const char *s, uint64_t *out)
{
	uint64_t v;
	int err;

	if (!s || !out)
		return -EINVAL;
	/* The interface reports overflow as plain -EINVAL. */
	err = cmdline_parse_num(s, strlen(s), &v);
	if (err)
		return -EINVAL;
	*out = v;
	return 0;
}

int cmdline_parse_size(const char *s, uint64_t *out)
{
	size_t n;
	unsigned shift = 0;
	uint64_t v;
	int err;

	if (!s || !out)
		return -EINVAL;
	n = strlen(s);
	/* K/M/G/T are binary multiples (32M = 32 MiB). None is a hex digit, so
	 * "0x10M" is unambiguous. */
	if (n > 0) {
		switch (s[n - 1]) {
		case 'K': case 'k': shift = 10; break;
		case 'M': case 'm': shift = 20; break;
		case 'G': case 'g': shift = 30; break;
		case 'T': case 't': shift = 40; break;
		default: break;
		}
		if (shift)
			n--;
	}
	err = cmdline_parse_num(s, n, &v);
	if (err)
		return err;
	if (shift && v > (UINT64_MAX >> shift))
		return -ERANGE;
	*out = v << shift;
	return 0;
}

static bool cmdline_eq_nocase(const char *s, size_t n, const char *lower)
{
	for (size_t i = 0; i < n; i++, lower++) {
		char c = s[i];

		if (c >= 'A' && c <= 'Z')
			c = (char)(c - 'A' + 'a');
		if (!*lower || c != *lower)
			return false;
	}
	return *lower == '\0';
}

/* The legacy PC COM port addresses. */
static const struct {
	const char *name;
	uint16_t port;
} cmdline_com_ports[] = {
	{ "com1", 0x3f8 },
	{ "com2", 0x2f8 },
	{ "com3", 0x3e8 },
	{ "com4", 0x2e8 },
};

#define CMDLINE_UART_CLOCK_BAUD 115200 /* 1.8432 MHz / 16: divisor 1 */

int cmdline_parse_console(const char *val, struct console_opt *out)
{
	const char *comma;
	size_t plen;
	uint64_t port = 0, baud = CMDLINE_UART_CLOCK_BAUD;
	bool named = false;

	if (!val || !out)
		return -EINVAL;
	comma = strchr(val, ',');
	plen = comma ? (size_t)(comma - val) : strlen(val);

	for (size_t i = 0; i < sizeof(cmdline_com_ports) / sizeof(cmdline_com_ports[0]); i++) {
		if (cmdline_eq_nocase(val, plen, cmdline_com_ports[i].name)) {
			port = cmdline_com_ports[i].port;
			named = true;
		}
	}
	if (!named && (cmdline_parse_num(val, plen, &port) || port == 0 || port > 0xffff))
		return -EINVAL;

	if (comma) {
		/* The 16550 divisor latch divides 115200: any other rate would be
		 * silently rounded, so refuse it. */
		if (cmdline_parse_num(comma + 1, strlen(comma + 1), &baud) || baud == 0 ||
		    CMDLINE_UART_CLOCK_BAUD % baud != 0)
			return -EINVAL;
	}
	out->port = (uint16_t)port;
	out->baud = (uint32_t)baud;
	return 0;
}
