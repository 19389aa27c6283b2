/* Guest module arguments (see kernel/guest_args.h). Pure. */
#include "kernel/guest_args.h"

#include "kernel/cmdline.h"
#include "kernel/errno.h"
#include "kernel/kstring.h"
#include "kernel/printf.h"

/* One bit per key, to refuse a key given twice. */
enum {
	GA_NAME = 1u << 0,
	GA_MEM = 1u << 1,
	GA_CPUS = 1u << 2,
	GA_AUTOSTART = 1u << 3,
	GA_CMDLINE = 1u << 4,
	GA_FORMAT = 1u << 5,
	GA_LOAD = 1u << 6,
	GA_ENTRY = 1u << 7,
	GA_INITRD_OF = 1u << 8,
};

struct ga_ctx {
	struct guest_args *a;
	const char *line;
	char *err;
	size_t errlen;
	unsigned seen;
};

static const struct {
	const char *key;
	unsigned bit;
	bool has_value; /* true: KEY=VALUE; false: a bare flag */
} ga_keys[] = {
	{"name", GA_NAME, true},	   {"mem", GA_MEM, true},
	{"cpus", GA_CPUS, true},	   {"autostart", GA_AUTOSTART, false},
	{"cmdline", GA_CMDLINE, true},	   {"format", GA_FORMAT, true},
	{"load", GA_LOAD, true},	   {"entry", GA_ENTRY, true},
	{"initrd-of", GA_INITRD_OF, true},
};

static const char *const ga_format_names[] = {
	[GUEST_FORMAT_AUTO] = "auto",
	[GUEST_FORMAT_MULTIBOOT] = "multiboot",
	[GUEST_FORMAT_FLAT] = "flat",
	[GUEST_FORMAT_LINUX] = "linux",
};

const char *guest_format_name(enum guest_format f)
{
	if ((unsigned)f >= sizeof(ga_format_names) / sizeof(ga_format_names[0]))
		return "?";
	return ga_format_names[f];
}

void guest_args_default(struct guest_args *a)
{
	memset(a, 0, sizeof(*a));
	a->mem = GUEST_MEM_DEFAULT;
	a->cpus = 1;
	a->format = GUEST_FORMAT_AUTO;
}

bool guest_name_valid(const char *name)
{
	size_t n = 0;

	for (; name[n]; n++) {
		char c = name[n];

		if (n >= GUEST_NAME_MAX)
			return false;
		if (!((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
		      c == '_' || c == '-'))
			return false;
	}
	return n > 0;
}

__attribute__((format(printf, 3, 4))) static int ga_error(struct ga_ctx *c, int ret,
							  const char *fmt, ...)
{
	va_list ap;

	if (c->err && c->errlen) {
		va_start(ap, fmt);
		kvsnprintf(c->err, c->errlen, fmt, ap);
		va_end(ap);
	}
	return ret;
}

static int ga_addr(struct ga_ctx *c, const char *key, const char *val, uint64_t *out)
{
	if (cmdline_parse_u64(val, out))
		return ga_error(c, -EINVAL, "%s=%s: not an address", key, val);
	if (*out >= GUEST_FLAT_ADDR_LIMIT)
		return ga_error(c, -ERANGE, "%s=%s: above 4 GiB (flat images start in 32-bit mode)",
				key, val);
	return 0;
}

static int ga_value(struct ga_ctx *c, unsigned bit, const char *key, const char *val)
{
	struct guest_args *a = c->a;
	uint64_t v;

	switch (bit) {
	case GA_NAME:
		if (!guest_name_valid(val))
			return ga_error(c, -EINVAL,
					"name=%s: a name is 1-%d characters of A-Z a-z 0-9 _ -",
					val, GUEST_NAME_MAX);
		memcpy(a->name, val, strlen(val) + 1);
		return 0;
	case GA_MEM:
		if (cmdline_parse_size(val, &v))
			return ga_error(c, -EINVAL, "mem=%s: not a size", val);
		if (v < GUEST_MEM_MIN)
			return ga_error(c, -ERANGE, "mem=%s: below the minimum of 1M", val);
		if (v > GUEST_MEM_MAX)
			return ga_error(c, -ERANGE, "mem=%s: above the maximum of 64G", val);
		if (v % GUEST_MEM_ALIGN)
			return ga_error(c, -EINVAL, "mem=%s: not a multiple of 4K", val);
		a->mem = v;
		return 0;
	case GA_CPUS:
		if (cmdline_parse_u64(val, &v))
			return ga_error(c, -EINVAL, "cpus=%s: not a number", val);
		if (v < 1 || v > GUEST_CPUS_MAX)
			return ga_error(c, -ERANGE, "cpus=%s: must be 1 to %d", val,
					GUEST_CPUS_MAX);
		a->cpus = (unsigned)v;
		return 0;
	case GA_CMDLINE: {
		/* cmdline_foreach() truncates values to 255 bytes: ask for one
		 * more through cmdline_get() to tell "exactly 255" from "longer". */
		char full[GUEST_CMDLINE_MAX + 2];

		if (!cmdline_get(c->line, "cmdline", full, sizeof(full)) ||
		    strlen(full) > GUEST_CMDLINE_MAX)
			return ga_error(c, -E2BIG, "cmdline: longer than %d characters",
					GUEST_CMDLINE_MAX);
		memcpy(a->cmdline, full, strlen(full) + 1);
		return 0;
	}
	case GA_FORMAT:
		for (unsigned f = 0; f < sizeof(ga_format_names) / sizeof(ga_format_names[0]);
		     f++) {
			if (!strcmp(val, ga_format_names[f])) {
				a->format = (enum guest_format)f;
				return 0;
			}
		}
		return ga_error(c, -EINVAL, "format=%s: not auto, multiboot, linux or flat", val);
	case GA_LOAD: a->has_load = true; return ga_addr(c, key, val, &a->load);
	case GA_ENTRY: a->has_entry = true; return ga_addr(c, key, val, &a->entry);
	case GA_INITRD_OF:
		if (!guest_name_valid(val))
			return ga_error(c, -EINVAL,
					"initrd-of=%s: a guest name is 1-%d characters of A-Z a-z "
					"0-9 _ -",
					val, GUEST_NAME_MAX);
		memcpy(a->initrd_of, val, strlen(val) + 1);
		return 0;
	}
	return ga_error(c, -EINVAL, "%s: unhandled key", key);
}

static int ga_word(const char *key, const char *val, void *ctx)
{
	struct ga_ctx *c = ctx;

	for (unsigned i = 0; i < sizeof(ga_keys) / sizeof(ga_keys[0]); i++) {
		if (strcmp(key, ga_keys[i].key) != 0)
			continue;
		if (c->seen & ga_keys[i].bit)
			return ga_error(c, -EINVAL, "%s: given twice", key);
		c->seen |= ga_keys[i].bit;
		if (ga_keys[i].has_value && !val)
			return ga_error(c, -EINVAL, "%s: needs a value (%s=...)", key, key);
		if (!ga_keys[i].has_value && val)
			return ga_error(c, -EINVAL, "%s=%s: %s takes no value", key, val, key);
		if (!ga_keys[i].has_value) {
			c->a->autostart = true;
			return 0;
		}
		return ga_value(c, ga_keys[i].bit, key, val);
	}
	return ga_error(c, -EINVAL,
			"%s: unknown key (known: name mem cpus autostart cmdline format load entry "
			"initrd-of)",
			key);
}

static int ga_find_initrd_of(const char *key, const char *val, void *ctx)
{
	(void)val;
	if (!strcmp(key, "initrd-of"))
		*(bool *)ctx = true;
	return 0;
}

bool guest_args_is_initrd(const char *line)
{
	bool found = false;

	/* An unterminated quote still counts what came before it. */
	cmdline_foreach(line, ga_find_initrd_of, &found);
	return found;
}

int guest_args_parse(const char *line, struct guest_args *a, char *err, size_t errlen)
{
	struct ga_ctx c = {a, line ? line : "", err, errlen, 0};
	int ret;

	if (err && errlen)
		err[0] = '\0';
	guest_args_default(a);
	ret = cmdline_foreach(c.line, ga_word, &c);
	if (ret == -EINVAL && err && errlen && !err[0])
		return ga_error(&c, -EINVAL, "unterminated quote");
	if (ret)
		return ret;
	if ((c.seen & GA_INITRD_OF) && c.seen != GA_INITRD_OF)
		return ga_error(&c, -EINVAL,
				"initrd-of=%s: an initrd module takes no other key (its guest's "
				"module has them)",
				a->initrd_of);
	if ((a->format == GUEST_FORMAT_MULTIBOOT || a->format == GUEST_FORMAT_LINUX) &&
	    (a->has_load || a->has_entry))
		return ga_error(&c, -EINVAL, "load= and entry= are for format=flat, not %s",
				guest_format_name(a->format));
	if (a->format == GUEST_FORMAT_FLAT && !a->has_load)
		return ga_error(&c, -EINVAL, "format=flat needs load=ADDR");
	if (a->has_entry && !a->has_load)
		return ga_error(&c, -EINVAL, "entry= needs load= (it is for flat images)");
	if (!a->has_entry)
		a->entry = a->load;
	return 0;
}
