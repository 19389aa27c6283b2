/* printf-lite for the guests. 64-bit numbers are converted 16 bits at a time
 * so that 32-bit guests need no libgcc (__udivdi3). */
#include "guests/lib/guest.h"

struct pout {
	bool serial; /* straight to the serial port, else into buf */
	char *buf;
	size_t size, pos;
};

static void pput(struct pout *o, char c)
{
	if (o->serial)
		serial_putc(c);
	else if (o->pos + 1 < o->size)
		o->buf[o->pos] = c;
	o->pos++;
}

/* v /= base, returning the remainder, using only 32-bit division. */
static unsigned div_small(uint64_t *v, unsigned base)
{
	uint64_t n = *v, q = 0;
	uint32_t r = 0;

	for (int shift = 48; shift >= 0; shift -= 16) {
		uint32_t cur = (r << 16) | (uint32_t)((n >> shift) & 0xffff);

		q |= (uint64_t)(cur / base) << shift;
		r = cur % base;
	}
	*v = q;
	return r;
}

static void put_num(struct pout *o, uint64_t v, bool neg, unsigned base, bool upper, int width,
		    bool zero, bool left)
{
	const char *digits = upper ? "0123456789ABCDEF" : "0123456789abcdef";
	char tmp[24];
	int n = 0, len;

	do
		tmp[n++] = digits[div_small(&v, base)];
	while (v);
	len = n + (neg ? 1 : 0);
	if (!left && !zero)
		for (; width > len; width--)
			pput(o, ' ');
	if (neg)
		pput(o, '-');
	if (!left && zero)
		for (; width > len; width--)
			pput(o, '0');
	while (n)
		pput(o, tmp[--n]);
	if (left)
		for (; width > len; width--)
			pput(o, ' ');
}

static void format(struct pout *o, const char *fmt, va_list ap)
{
	for (; *fmt; fmt++) {
		bool zero = false, left = false;
		int width = 0, lng = 0, prec = -1;
		char c;

		if (*fmt != '%') {
			pput(o, *fmt);
			continue;
		}
		fmt++;
		for (;; fmt++) {
			if (*fmt == '0')
				zero = true;
			else if (*fmt == '-')
				left = true;
			else
				break;
		}
		while (*fmt >= '0' && *fmt <= '9')
			width = width * 10 + (*fmt++ - '0');
		if (*fmt == '.') { /* precision: honoured for %s only */
			prec = 0;
			for (fmt++; *fmt >= '0' && *fmt <= '9'; fmt++)
				prec = prec * 10 + (*fmt - '0');
		}
		while (*fmt == 'l' || *fmt == 'z') {
			lng += *fmt == 'z' ? (sizeof(size_t) == 8 ? 2 : 0) : 1;
			fmt++;
		}
		c = *fmt;
		if (!c)
			break;
		switch (c) {
		case 'd':
		case 'i': {
			int64_t v = lng >= 2   ? va_arg(ap, long long)
				    : lng == 1 ? va_arg(ap, long)
					       : va_arg(ap, int);
			bool neg = v < 0;

			put_num(o, neg ? (uint64_t)0 - (uint64_t)v : (uint64_t)v, neg, 10, false,
				width, zero, left);
			break;
		}
		case 'u':
		case 'x':
		case 'X': {
			uint64_t v = lng >= 2	? va_arg(ap, unsigned long long)
				     : lng == 1 ? va_arg(ap, unsigned long)
						: va_arg(ap, unsigned);

			put_num(o, v, false, c == 'u' ? 10 : 16, c == 'X', width, zero, left);
			break;
		}
		case 'p':
			pput(o, '0');
			pput(o, 'x');
			put_num(o, (uintptr_t)va_arg(ap, void *), false, 16, false, width, zero,
				left);
			break;
		case 'c': pput(o, (char)va_arg(ap, int)); break;
		case 's': {
			const char *s = va_arg(ap, const char *);
			int n;

			if (!s)
				s = "(null)";
			n = (int)(prec >= 0 ? strnlen(s, (size_t)prec) : strlen(s));
			if (!left)
				for (; width > n; width--)
					pput(o, ' ');
			for (int i = 0; i < n; i++)
				pput(o, s[i]);
			if (left)
				for (; width > n; width--)
					pput(o, ' ');
			break;
		}
		default:
			pput(o, '%');
			pput(o, c);
			break;
		}
	}
}

void gvprintf(const char *fmt, va_list ap)
{
	struct pout o = {.serial = true};

	format(&o, fmt, ap);
}

void gprintf(const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	gvprintf(fmt, ap);
	va_end(ap);
}

int gvsnprintf(char *buf, size_t size, const char *fmt, va_list ap)
{
	struct pout o = {.buf = buf, .size = size};

	format(&o, fmt, ap);
	if (size)
		buf[o.pos < size ? o.pos : size - 1] = '\0';
	return (int)o.pos;
}

int gsnprintf(char *buf, size_t size, const char *fmt, ...)
{
	va_list ap;
	int n;

	va_start(ap, fmt);
	n = gvsnprintf(buf, size, fmt, ap);
	va_end(ap);
	return n;
}
