/* terrapin.cfg, load options and path handling for the UEFI door. Everything here
 * reads untrusted bytes (a file a user edited, firmware-supplied strings) with
 * explicit lengths and never writes past the caller's buffers. */
#include "boot/efi_cfg.h"

#include <stdbool.h>

#include "kernel/errno.h"

static bool is_space(char c)
{
	return c == ' ' || c == '\t' || c == '\r';
}

static bool is_sep(uint16_t c)
{
	return c == '/' || c == '\\';
}

static size_t str_len(const char *s)
{
	size_t n = 0;

	while (s[n])
		n++;
	return n;
}

static size_t wstr_len(const uint16_t *s)
{
	size_t n = 0;

	while (s[n])
		n++;
	return n;
}

static bool mem_eq(const char *a, const char *b, size_t n)
{
	for (size_t i = 0; i < n; i++)
		if (a[i] != b[i])
			return false;
	return true;
}

static char lower(char c)
{
	return (c >= 'A' && c <= 'Z') ? (char)(c - 'A' + 'a') : c;
}

/* Copy s[0..n) into dst[0..cap) with a NUL; false when it does not fit. */
static bool copy_n(char *dst, size_t cap, const char *s, size_t n)
{
	if (n >= cap)
		return false;
	for (size_t i = 0; i < n; i++)
		dst[i] = s[i];
	dst[n] = '\0';
	return true;
}

int efi_cfg_append(char *dst, size_t cap, const char *src)
{
	size_t have = str_len(dst), add = str_len(src);
	size_t sep = (have && add) ? 1 : 0;

	if (!add)
		return 0;
	if (have + sep + add >= cap)
		return -E2BIG;
	if (sep)
		dst[have++] = ' ';
	copy_n(dst + have, cap - have, src, add);
	return 0;
}

/* --- terrapin.cfg ------------------------------------------------------------ */

struct line {
	const char *p;
	size_t n;
};

static int cfg_fail(struct efi_cfg_error *err, unsigned line, const char *why, int code)
{
	err->line = line;
	err->why = why;
	return code;
}

/* Cut a comment ('#' outside double quotes) and surrounding blanks off a line. */
static int strip_line(struct line *l)
{
	bool quoted = false;

	for (size_t i = 0; i < l->n; i++) {
		unsigned char c = (unsigned char)l->p[i];

		if (c == '"')
			quoted = !quoted;
		else if (c == '#' && !quoted) {
			l->n = i;
			break;
		} else if ((c < 0x20 && c != '\t' && c != '\r') || c == 0x7f)
			return -EINVAL;
	}
	if (quoted)
		return -EINVAL;
	while (l->n && is_space(l->p[0])) {
		l->p++;
		l->n--;
	}
	while (l->n && is_space(l->p[l->n - 1]))
		l->n--;
	return 0;
}

/* Take the first word of *l (double quotes group, and are dropped) into word. */
static int take_word(struct line *l, char *word, size_t cap, size_t *wlen)
{
	bool quoted = false;
	size_t i = 0, w = 0;

	for (; i < l->n; i++) {
		char c = l->p[i];

		if (c == '"') {
			quoted = !quoted;
			continue;
		}
		if (!quoted && is_space(c))
			break;
		if (w + 1 >= cap)
			return -E2BIG;
		word[w++] = c;
	}
	word[w] = '\0';
	*wlen = w;
	while (i < l->n && is_space(l->p[i]))
		i++;
	l->p += i;
	l->n -= i;
	return 0;
}

static int parse_module(struct line *l, struct efi_cfg *cfg, struct efi_cfg_error *err,
			unsigned lineno)
{
	struct efi_cfg_module *m;
	size_t plen;
	int rc;

	if (cfg->module_count == BOOT_MAX_MODULES)
		return cfg_fail(err, lineno, "too many module lines (the limit is BOOT_MAX_MODULES, 16)",
				-E2BIG);
	m = &cfg->modules[cfg->module_count];
	rc = take_word(l, m->path, sizeof(m->path), &plen);
	if (rc)
		return cfg_fail(err, lineno, "module path is longer than 255 bytes", rc);
	if (plen == 0)
		return cfg_fail(err, lineno, "module line has no file path", -EINVAL);
	for (size_t i = 0; i < plen; i++)
		if ((unsigned char)m->path[i] < 0x20 || (unsigned char)m->path[i] > 0x7e)
			return cfg_fail(err, lineno, "module path must be printable ASCII", -EINVAL);
	if (!copy_n(m->args, sizeof(m->args), l->p, l->n))
		return cfg_fail(err, lineno, "module arguments are longer than 255 bytes", -E2BIG);
	cfg->module_count++;
	return 0;
}

static int parse_line(struct line l, struct efi_cfg *cfg, struct efi_cfg_error *err,
		      unsigned lineno)
{
	char key[16];
	size_t klen;
	char tmp[BOOT_CMDLINE_MAX];

	if (strip_line(&l))
		return cfg_fail(err, lineno, "control character or unterminated quote", -EINVAL);
	if (l.n == 0)
		return 0;
	if (take_word(&l, key, sizeof(key), &klen))
		return cfg_fail(err, lineno, "unknown keyword (expected cmdline or module)", -EINVAL);

	if (klen == 7 && mem_eq(key, "cmdline", 7)) {
		if (!copy_n(tmp, sizeof(tmp), l.p, l.n) ||
		    efi_cfg_append(cfg->cmdline, sizeof(cfg->cmdline), tmp))
			return cfg_fail(err, lineno, "command line is longer than 511 bytes", -E2BIG);
		return 0;
	}
	if (klen == 6 && mem_eq(key, "module", 6))
		return parse_module(&l, cfg, err, lineno);
	return cfg_fail(err, lineno, "unknown keyword (expected cmdline or module)", -EINVAL);
}

int efi_cfg_parse(const char *text, size_t len, struct efi_cfg *cfg, struct efi_cfg_error *err)
{
	unsigned lineno = 0;
	size_t i = 0;

	cfg->cmdline[0] = '\0';
	cfg->module_count = 0;
	err->line = 0;
	err->why = "";

	if (len > EFI_CFG_FILE_MAX)
		return cfg_fail(err, 0, "file is larger than 64 KiB", -E2BIG);
	/* Editors on other systems may save UTF-16 (with a BOM) or UTF-8 with a BOM. */
	if (len >= 2 && (((unsigned char)text[0] == 0xff && (unsigned char)text[1] == 0xfe) ||
			 ((unsigned char)text[0] == 0xfe && (unsigned char)text[1] == 0xff)))
		return cfg_fail(err, 1, "file is UTF-16: save it as ASCII or UTF-8", -EINVAL);
	if (len >= 3 && (unsigned char)text[0] == 0xef && (unsigned char)text[1] == 0xbb &&
	    (unsigned char)text[2] == 0xbf)
		i = 3;

	while (i < len) {
		struct line l = { text + i, 0 };
		int rc;

		while (i + l.n < len && text[i + l.n] != '\n')
			l.n++;
		i += l.n + 1;
		rc = parse_line(l, cfg, err, ++lineno);
		if (rc)
			return rc;
	}
	return 0;
}

/* --- load options -------------------------------------------------------------- */

/* word[0..n) names this program: "BOOTX64.EFI" or "bootx64", any case. */
static bool names_self(const char *word, size_t n, const char *self)
{
	size_t sl = str_len(self);

	if (sl >= 4 && lower(self[sl - 4]) == '.' && lower(self[sl - 3]) == 'e' &&
	    lower(self[sl - 2]) == 'f' && lower(self[sl - 1]) == 'i' && n == sl - 4)
		sl -= 4;
	if (n != sl || n == 0)
		return false;
	for (size_t i = 0; i < n; i++)
		if (lower(word[i]) != lower(self[i]))
			return false;
	return true;
}

static bool is_program_word(const char *w, size_t n, const char *self)
{
	if (names_self(w, n, self))
		return true;
	if (n >= 4 && lower(w[n - 4]) == '.' && lower(w[n - 3]) == 'e' && lower(w[n - 2]) == 'f' &&
	    lower(w[n - 1]) == 'i')
		return true;
	for (size_t i = 0; i < n; i++)
		if (w[i] == '\\' || w[i] == '/' || w[i] == ':')
			return true;
	return false;
}

int efi_cfg_load_options(const uint16_t *opts, size_t bytes, const char *self, char *out,
			 size_t cap)
{
	size_t n = 0, start, end, chars = bytes / 2;

	if (cap == 0)
		return -E2BIG;
	out[0] = '\0';
	if (!opts || chars == 0)
		return 0;
	/* UCS-2 text up to a NUL or the end; anything else is binary data. */
	if (bytes % 2)
		return -EINVAL;
	while (n < chars && opts[n]) {
		uint16_t c = opts[n];

		if (c != '\t' && (c < 0x20 || c > 0x7e))
			return -EINVAL;
		n++;
	}

	start = 0;
	while (start < n && (opts[start] == ' ' || opts[start] == '\t'))
		start++;
	end = start;
	while (end < n && opts[end] != ' ' && opts[end] != '\t')
		end++;
	{
		char word[EFI_CFG_PATH_MAX];
		size_t wl = end - start;

		if (wl < sizeof(word)) {
			for (size_t i = 0; i < wl; i++)
				word[i] = (char)opts[start + i];
			if (is_program_word(word, wl, self))
				start = end;
		} else {
			start = end; /* a 256-byte word can only be a path */
		}
	}
	while (start < n && (opts[start] == ' ' || opts[start] == '\t'))
		start++;
	while (n > start && (opts[n - 1] == ' ' || opts[n - 1] == '\t'))
		n--;
	if (n - start >= cap)
		return -E2BIG;
	for (size_t i = start; i < n; i++)
		out[i - start] = (char)(opts[i] == '\t' ? ' ' : opts[i]);
	out[n - start] = '\0';
	return (int)(n - start);
}

/* --- paths ------------------------------------------------------------------- */

/* Append c to out[*len], collapsing repeated separators; false when full. */
static bool put_path_char(uint16_t *out, size_t cap, size_t *len, uint16_t c)
{
	if (is_sep(c)) {
		c = '\\';
		if (*len && out[*len - 1] == '\\')
			return true;
	}
	if (*len + 1 >= cap)
		return false;
	out[(*len)++] = c;
	out[*len] = 0;
	return true;
}

int efi_cfg_path_to_ucs2(const char *path, uint16_t *out, size_t cap)
{
	size_t len = 0;

	if (cap == 0)
		return -E2BIG;
	out[0] = 0;
	if (!path[0])
		return -EINVAL;
	if (!put_path_char(out, cap, &len, '\\'))
		return -E2BIG;
	for (const char *p = path; *p; p++) {
		unsigned char c = (unsigned char)*p;

		if (c < 0x20 || c > 0x7e)
			return -EINVAL;
		if (!put_path_char(out, cap, &len, c))
			return -E2BIG;
	}
	if (len == 1)
		return -EINVAL; /* only separators: the root is not a file */
	return (int)len;
}

#define DP_MEDIA 4
#define DP_MEDIA_FILEPATH 4
#define DP_END 0x7f

int efi_cfg_devpath_file(const uint8_t *dp, size_t len, uint16_t *out, size_t cap)
{
	size_t off = 0, olen = 0;
	bool found = false;

	if (cap == 0)
		return -E2BIG;
	out[0] = 0;
	while (off + 4 <= len) {
		const uint8_t *node = dp + off;
		size_t nlen = (size_t)node[2] | ((size_t)node[3] << 8);

		if (nlen < 4 || nlen > len - off)
			return -EINVAL;
		if (node[0] == DP_END)
			break;
		if (node[0] == DP_MEDIA && node[1] == DP_MEDIA_FILEPATH) {
			bool first = true;

			/* PathName: NUL-terminated UCS-2 inside the node; nodes join
			 * with one separator between them. */
			for (size_t i = 4; i + 1 < nlen; i += 2) {
				uint16_t c = (uint16_t)(node[i] | (node[i + 1] << 8));

				if (!c)
					break;
				if (first && !is_sep(c) && (olen == 0 || out[olen - 1] != '\\') &&
				    !put_path_char(out, cap, &olen, '\\'))
					return -E2BIG;
				first = false;
				found = true;
				if (!put_path_char(out, cap, &olen, c))
					return -E2BIG;
			}
		}
		off += nlen;
	}
	if (!found)
		return -ENOENT;
	return (int)olen;
}

int efi_cfg_sibling(const uint16_t *file, const char *name, uint16_t *out, size_t cap)
{
	size_t dir = 0, flen = wstr_len(file), nlen = str_len(name);

	for (size_t i = 0; i < flen; i++)
		if (is_sep(file[i]))
			dir = i + 1;
	if (dir == 0) {
		/* no directory at all: the root */
		if (nlen + 2 > cap)
			return -E2BIG;
		out[0] = '\\';
		dir = 1;
	} else {
		if (dir + nlen + 1 > cap)
			return -E2BIG;
		for (size_t i = 0; i < dir; i++)
			out[i] = is_sep(file[i]) ? '\\' : file[i];
	}
	for (size_t i = 0; i < nlen; i++)
		out[dir + i] = (uint16_t)(unsigned char)name[i];
	out[dir + nlen] = 0;
	return (int)(dir + nlen);
}

void efi_cfg_basename(const uint16_t *file, char *out, size_t cap)
{
	size_t start = 0, n = 0;

	if (cap == 0)
		return;
	for (size_t i = 0; file[i]; i++)
		if (is_sep(file[i]))
			start = i + 1;
	for (size_t i = start; file[i] && n + 1 < cap; i++)
		out[n++] = (file[i] >= 0x20 && file[i] <= 0x7e) ? (char)file[i] : '?';
	out[n] = '\0';
}
