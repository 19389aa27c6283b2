/* Formatted printing into a bounded buffer (see kernel/printf.h). Pure. */
#include "kernel/printf.h"

#include <stdbool.h>
#include <stdint.h>

struct out {
	char *buf;
	size_t size;
	size_t pos;
};

static void put(struct out *o, char c)
{
	if (o->pos + 1 < o->size)
		o->buf[o->pos] = c;
	o->pos++;
}

static void pad(struct out *o, char c, int n)
{
	while (n-- > 0)
		put(o, c);
}

struct spec {
	bool left, zero, space, plus, alt;
	int width;
	int prec; /* -1: none */
};

static void put_str(struct out *o, const struct spec *sp, const char *s)
{
	size_t n = 0;

	if (!s)
		s = "(null)";
	while ((sp->prec < 0 || n < (size_t)sp->prec) && s[n])
		n++;
	if (!sp->left)
		pad(o, ' ', sp->width - (int)n);
	for (size_t i = 0; i < n; i++)
		put(o, s[i]);
	if (sp->left)
		pad(o, ' ', sp->width - (int)n);
}

/* Print an integer magnitude `v` in `base` with sign/prefix per C's rules. */
static void put_num(struct out *o, const struct spec *sp, uint64_t v, bool neg, unsigned base,
		    bool upper, bool is_signed)
{
	const char *digits = upper ? "0123456789ABCDEF" : "0123456789abcdef";
	char tmp[24];
	int n = 0;

	while (v) {
		tmp[n++] = digits[v % base];
		v /= base;
	}
	/* C 7.21.6.1: precision is the minimum number of digits; "%.0d" of 0 prints none. */
	int prec = sp->prec < 0 ? 1 : sp->prec;
	int zeros = prec > n ? prec - n : 0;
	const char *prefix = "";

	if (neg)
		prefix = "-";
	else if (sp->plus && is_signed)
		prefix = "+";
	else if (sp->space && is_signed)
		prefix = " ";
	else if (sp->alt && base == 16 && n > 0)
		prefix = upper ? "0X" : "0x";
	else if (sp->alt && base == 8 && zeros == 0)
		zeros = 1; /* "%#o" always starts with 0 */

	int plen = 0;
	while (prefix[plen])
		plen++;
	int body = plen + zeros + n;
	int fill = sp->width > body ? sp->width - body : 0;

	if (!sp->left && !(sp->zero && sp->prec < 0))
		pad(o, ' ', fill);
	for (int i = 0; i < plen; i++)
		put(o, prefix[i]);
	if (!sp->left && sp->zero && sp->prec < 0)
		pad(o, '0', fill);
	pad(o, '0', zeros);
	while (n)
		put(o, tmp[--n]);
	if (sp->left)
		pad(o, ' ', fill);
}

enum length { LEN_INT, LEN_CHAR, LEN_SHORT, LEN_LONG, LEN_LLONG, LEN_SIZE, LEN_PTRDIFF, LEN_MAX };

static int64_t get_signed(va_list *ap, enum length len)
{
	switch (len) {
	case LEN_CHAR: return (signed char)va_arg(*ap, int);
	case LEN_SHORT: return (short)va_arg(*ap, int);
	case LEN_LONG: return va_arg(*ap, long);
	case LEN_LLONG: return va_arg(*ap, long long);
	case LEN_SIZE: return (int64_t)va_arg(*ap, size_t);
	case LEN_PTRDIFF: return va_arg(*ap, ptrdiff_t);
	case LEN_MAX: return va_arg(*ap, intmax_t);
	default: return va_arg(*ap, int);
	}
}

static uint64_t get_unsigned(va_list *ap, enum length len)
{
	switch (len) {
	case LEN_CHAR: return (unsigned char)va_arg(*ap, unsigned int);
	case LEN_SHORT: return (unsigned short)va_arg(*ap, unsigned int);
	case LEN_LONG: return va_arg(*ap, unsigned long);
	case LEN_LLONG: return va_arg(*ap, unsigned long long);
	case LEN_SIZE: return va_arg(*ap, size_t);
	case LEN_PTRDIFF: return (uint64_t)va_arg(*ap, ptrdiff_t);
	case LEN_MAX: return va_arg(*ap, uintmax_t);
	default: return va_arg(*ap, unsigned int);
	}
}

static int parse_int(const char **f)
{
	int v = 0;

	while (**f >= '0' && **f <= '9') {
		if (v < 100000)
			v = v * 10 + (**f - '0');
		(*f)++;
	}
	return v;
}

int kvsnprintf(char *buf, size_t size, const char *fmt, va_list args)
{
	struct out o = { buf, buf ? size : 0, 0 };
	va_list ap;

	va_copy(ap, args);
	for (const char *f = fmt; *f; f++) {
		if (*f != '%') {
			put(&o, *f);
			continue;
		}
		struct spec sp = { .prec = -1 };
		for (;; f++) {
			if (f[1] == '-')
				sp.left = true;
			else if (f[1] == '0')
				sp.zero = true;
			else if (f[1] == ' ')
				sp.space = true;
			else if (f[1] == '+')
				sp.plus = true;
			else if (f[1] == '#')
				sp.alt = true;
			else
				break;
		}
		f++;
		if (*f == '*') {
			sp.width = va_arg(ap, int);
			if (sp.width < 0) {
				sp.left = true;
				sp.width = sp.width == INT32_MIN ? INT32_MAX : -sp.width;
			}
			f++;
		} else {
			sp.width = parse_int(&f);
		}
		if (*f == '.') {
			f++;
			if (*f == '*') {
				sp.prec = va_arg(ap, int);
				if (sp.prec < 0)
					sp.prec = -1;
				f++;
			} else {
				sp.prec = parse_int(&f);
			}
		}
		enum length len = LEN_INT;
		if (*f == 'h') {
			len = LEN_SHORT;
			if (*++f == 'h') {
				len = LEN_CHAR;
				f++;
			}
		} else if (*f == 'l') {
			len = LEN_LONG;
			if (*++f == 'l') {
				len = LEN_LLONG;
				f++;
			}
		} else if (*f == 'z') {
			len = LEN_SIZE;
			f++;
		} else if (*f == 't') {
			len = LEN_PTRDIFF;
			f++;
		} else if (*f == 'j') {
			len = LEN_MAX;
			f++;
		}

		switch (*f) {
		case 'd':
		case 'i': {
			int64_t v = get_signed(&ap, len);
			uint64_t mag = v < 0 ? (uint64_t)0 - (uint64_t)v : (uint64_t)v;
			put_num(&o, &sp, mag, v < 0, 10, false, true);
			break;
		}
		case 'u': put_num(&o, &sp, get_unsigned(&ap, len), false, 10, false, false); break;
		case 'x': put_num(&o, &sp, get_unsigned(&ap, len), false, 16, false, false); break;
		case 'X': put_num(&o, &sp, get_unsigned(&ap, len), false, 16, true, false); break;
		case 'o': put_num(&o, &sp, get_unsigned(&ap, len), false, 8, false, false); break;
		case 'p': {
			/* Always "0x" and lowercase hex digits, NULL included ("0x0"). */
			struct spec p = sp;
			p.alt = false;
			p.prec = -1;
			p.zero = false;
			uint64_t v = (uint64_t)(uintptr_t)va_arg(ap, void *);
			char tmp[20];
			struct out t = { tmp, sizeof(tmp), 0 };
			struct spec plain = { .prec = -1 };
			put(&t, '0');
			put(&t, 'x');
			put_num(&t, &plain, v, false, 16, false, false);
			tmp[t.pos < sizeof(tmp) ? t.pos : sizeof(tmp) - 1] = 0;
			put_str(&o, &p, tmp);
			break;
		}
		case 's': put_str(&o, &sp, va_arg(ap, const char *)); break;
		case 'c': {
			char c = (char)va_arg(ap, int);
			if (!sp.left)
				pad(&o, ' ', sp.width - 1);
			put(&o, c);
			if (sp.left)
				pad(&o, ' ', sp.width - 1);
			break;
		}
		case '%': put(&o, '%'); break;
		case 0: f--; break; /* a lone '%' at the end prints nothing */
		default:
			put(&o, '%');
			put(&o, *f);
			break;
		}
	}
	va_end(ap);
	if (o.size)
		o.buf[o.pos < o.size ? o.pos : o.size - 1] = 0;
	return o.pos > INT32_MAX ? INT32_MAX : (int)o.pos;
}

int ksnprintf(char *buf, size_t size, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	int n = kvsnprintf(buf, size, fmt, ap);
	va_end(ap);
	return n;
}
