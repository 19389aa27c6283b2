/* Host tests for the kernel's printf (kernel/printf.c). Where C defines the
 * result, kvsnprintf must agree byte for byte with the host's vsnprintf, for the
 * full output and for every truncated size (same bytes written, nothing past
 * `size` touched, same return value). Where the kernel defines its own result
 * (%p, NULL strings, malformed formats) the expected text is spelled out. */
#include "tests/unit/check.h"

#include <limits.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

#include "kernel/printf.c"

#define BUFSZ 1024
#define CANARY 0xa5
/* Truncated sizes tried: all up to this, and the exact boundaries. */
#define TRUNC_ALL 300

static void show(const char *what, const char *s, int n)
{
	printf("    %s (%d): \"", what, n);
	for (int i = 0; i < n && i < BUFSZ; i++) {
		unsigned char c = (unsigned char)s[i];
		if (c >= 0x20 && c < 0x7f && c != '"' && c != '\\')
			putchar(c);
		else
			printf("\\x%02x", c);
	}
	printf("\"\n");
}

/* One size: kernel and host write the same bytes into canary-filled buffers. */
static bool same_at(size_t size, bool null_buf, const char *fmt, va_list ap)
{
	unsigned char k[BUFSZ], h[BUFSZ];
	va_list a1, a2;
	int kn, hn;

	memset(k, CANARY, sizeof(k));
	memset(h, CANARY, sizeof(h));
	va_copy(a1, ap);
	kn = kvsnprintf(null_buf ? NULL : (char *)k, size, fmt, a1);
	va_end(a1);
	va_copy(a2, ap);
	hn = vsnprintf(null_buf ? NULL : (char *)h, size, fmt, a2);
	va_end(a2);
	return kn == hn && memcmp(k, h, sizeof(k)) == 0;
}

static void same_v(int line, const char *fmt, va_list ap)
{
	char k[BUFSZ], h[BUFSZ];
	va_list a1, a2;
	int kn, hn;
	size_t size;

	va_copy(a1, ap);
	kn = kvsnprintf(k, sizeof(k), fmt, a1);
	va_end(a1);
	va_copy(a2, ap);
	hn = vsnprintf(h, sizeof(h), fmt, a2);
	va_end(a2);
	if (kn != hn || memcmp(k, h, (size_t)(hn < BUFSZ ? hn + 1 : BUFSZ)) != 0) {
		printf("  %s:%d: format \"%s\" differs from the host\n", __FILE__, line, fmt);
		show("kernel", k, kn);
		show("host  ", h, hn);
		check_failed_ = 1;
		return;
	}
	if (!same_at(0, true, fmt, ap) || !same_at(0, false, fmt, ap)) {
		printf("  %s:%d: format \"%s\": size 0 differs from the host\n", __FILE__, line, fmt);
		check_failed_ = 1;
		return;
	}
	for (size = 1; size < BUFSZ; size++) {
		bool boundary = size + 2 >= (size_t)hn && size <= (size_t)hn + 2;

		if (size > TRUNC_ALL && !boundary)
			continue;
		if (!same_at(size, false, fmt, ap)) {
			printf("  %s:%d: format \"%s\": size %zu differs from the host\n", __FILE__,
			       line, fmt, size);
			check_failed_ = 1;
			return;
		}
	}
}

static void same(int line, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
static void same(int line, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	same_v(line, fmt, ap);
	va_end(ap);
}

/* Compared with the host; the format attribute keeps the arguments honest. */
#define SAME(...) same(__LINE__, __VA_ARGS__)

/* The same, for flag combinations C defines but gcc's -Wformat flags as
 * pointless ('0' with '-', '+' with %u...): no format attribute here. */
static void same_flags(int line, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	same_v(line, fmt, ap);
	va_end(ap);
}

#define SAME_FLAGS(...) same_flags(__LINE__, __VA_ARGS__)

/* For kernel-defined results: no format attribute, so malformed formats compile. */
static int kfmt(char *buf, size_t size, const char *fmt, ...)
{
	va_list ap;
	int n;

	va_start(ap, fmt);
	n = kvsnprintf(buf, size, fmt, ap);
	va_end(ap);
	return n;
}

#define EXPECT(want, ...)                                                              \
	do {                                                                           \
		char b_[BUFSZ];                                                        \
		int n_ = kfmt(b_, sizeof(b_), __VA_ARGS__);                            \
		CHECK_STR(b_, want);                                                   \
		CHECK_EQ(n_, strlen(want));                                            \
	} while (0)

TEST(signed_ints)
{
	SAME("%d", 0);
	SAME("%d", 1);
	SAME("%d", -1);
	SAME("%d", 42);
	SAME("%d", INT_MAX);
	SAME("%d", INT_MIN);
	SAME("%i", INT_MIN);
	SAME("%ld", LONG_MIN);
	SAME("%ld", LONG_MAX);
	SAME("%li", LONG_MIN);
	SAME("%lld", LLONG_MIN);
	SAME("%lld", LLONG_MAX);
	SAME("%lli", -1LL);
	SAME("[%d|%i|%ld|%lld]", -7, 8, -9L, 10LL);
}

TEST(unsigned_ints)
{
	SAME("%u", 0u);
	SAME("%u", UINT_MAX);
	SAME("%lu", ULONG_MAX);
	SAME("%llu", ULLONG_MAX);
	SAME("%x", 0u);
	SAME("%x", 255u);
	SAME("%x", UINT_MAX);
	SAME("%X", 0xdeadbeefu);
	SAME("%lx", ULONG_MAX);
	SAME("%llx", ULLONG_MAX);
	SAME("%llX", 0x0123456789abcdefULL);
	SAME("%o", 0u);
	SAME("%o", 8u);
	SAME("%o", UINT_MAX);
	SAME("%lo", ULONG_MAX);
	SAME("%llo", ULLONG_MAX);
}

TEST(alternate_form)
{
	SAME("%#x", 0u);
	SAME("%#x", 255u);
	SAME("%#X", 255u);
	SAME("%#llx", ULLONG_MAX);
	SAME("%#o", 0u);
	SAME("%#o", 8u);
	SAME("%#llo", ULLONG_MAX);
	SAME("%#8x", 0xbeefu);
	SAME("%#08x", 0xbeefu);
	SAME("%#-8x|", 0xbeefu);
	SAME("%#010o", 8u);
	SAME("%#5o", 0u);
	SAME("%#.0x", 0u);
	SAME("%#.0o", 0u);
	SAME("%#.3o", 8u);
	SAME("%#.5o", 8u);
	SAME("%#8.5o", 0u);
	SAME("%#.5x", 255u);
	SAME("%#10.5x", 255u);
	SAME("%#5.0x", 0u);
}

TEST(width_and_flags)
{
	SAME("%5d", 42);
	SAME("%-5d|", 42);
	SAME("%05d", 42);
	SAME("%05d", -42);
	SAME_FLAGS("%-05d|", 42);
	SAME_FLAGS("%0-5d|", -42);
	SAME("%1d", 12345);
	SAME("%+d", 5);
	SAME("%+d", -5);
	SAME("%+d", 0);
	SAME("% d", 5);
	SAME("% d", -5);
	SAME_FLAGS("%+ d", 5);
	SAME_FLAGS("% +d", 5);
	SAME("% 05d", 42);
	SAME("%+05d", 42);
	SAME_FLAGS("%--+  5d|", 42);
	SAME("%20lld", LLONG_MIN);
	SAME("%-25llu|", ULLONG_MAX);
	SAME("%025lld", LLONG_MIN);
	SAME("%08x", 0xbeefu);
	SAME("%-8X|", 0xbeefu);
	SAME_FLAGS("%+x", 5u); /* '+' and ' ' only apply to signed conversions */
	SAME_FLAGS("% x", 5u);
	SAME_FLAGS("%+o", 5u);
	SAME_FLAGS("%+u", 5u);
	SAME_FLAGS("% u", 5u);
	SAME("%300d", 1);
	SAME("%-300d|", -1);
}

TEST(int_precision)
{
	SAME("%.0d", 0);
	SAME("%.0d", 1);
	SAME("%5.0d", 0);
	SAME("%-5.0d|", 0);
	SAME("%+.0d", 0);
	SAME("% .0d", 0);
	SAME("%.0u", 0u);
	SAME("%.0x", 0u);
	SAME("%.0o", 0u);
	SAME("%.3d", 7);
	SAME("%.3d", -7);
	SAME("%8.3d", -7);
	SAME_FLAGS("%08.3d", -7); /* '0' is ignored when a precision is given */
	SAME("%-8.3d|", -7);
	SAME("%+.3d", 7);
	SAME("% .3d", 7);
	SAME("%.10d", INT_MIN);
	SAME("%.25lld", LLONG_MIN);
	SAME("%.3x", 0xau);
	SAME("%.d", 0);
	SAME("%.200d", 5);
}

TEST(star_width_precision)
{
	SAME("%*d", 5, 42);
	SAME("%*d", -5, 42);
	SAME("%-*d|", 5, 42);
	SAME("%0*d", 5, -42);
	SAME("%0*d|", -5, 42);
	SAME("%*d", 0, 42);
	SAME("%.*d", 3, 7);
	SAME("%.*d", 0, 0);
	SAME("%.*d", -1, 7);
	SAME_FLAGS("%0.*d", -1, 7);
	SAME_FLAGS("%0*.*d", 8, 3, -7);
	SAME("%*.*s", 6, 2, "hello");
	SAME("%-*.*s|", 6, 2, "hello");
	SAME("%.*s", 0, "abc");
	SAME("%.*s", 2, "abc");
	SAME("%.*s", -1, "abc");
	SAME("%.*s", -5, "abc");
	SAME("%.*d", -5, 7);
	SAME("%.*s", 10, "abc");
	SAME("%*s", -6, "ab");
	SAME("%*c|", -3, 'x');
}

TEST(strings_and_chars)
{
	SAME("%s", "");
	SAME("%s", "hello");
	SAME("%10s", "hello");
	SAME("%-10s|", "hello");
	SAME("%.2s", "hello");
	SAME("%10.2s", "hello");
	SAME("%-10.2s|", "hello");
	SAME("%.0s", "hello");
	SAME("%1s", "hello");
	SAME("%s%s%s", "a", "", "bc");
	SAME("%s", "tab\there\nnewline");
	SAME("%c", 'a');
	SAME("%5c", 'a');
	SAME("%-5c|", 'a');
	SAME("%c", 0);
	SAME("a%cb", 0);
	SAME("%c", 0xff);
	SAME("%c", 0x141); /* converted to unsigned char */
	SAME("%%");
	SAME("100%%");
	SAME("%5d%%", 42);
	SAME("%%%d%%", 1);
	SAME("no conversions at all");
	SAME("[%d|%s|%c|%x|%5.1s|%-3d]", -1, "str", 'c', 0xabcu, "xyz", 7);
}

TEST(length_modifiers)
{
	SAME("%hhd", 200);
	SAME("%hhd", -129);
	SAME("%hhi", 127);
	SAME("%hhu", 300);
	SAME("%hhx", -1);
	SAME("%hho", 511);
	SAME("%hd", 70000);
	SAME("%hi", -32768);
	SAME("%hu", -1);
	SAME("%hx", 0x12345);
	SAME("%hX", 0xfffff);
	SAME("%zu", SIZE_MAX);
	SAME("%zx", (size_t)0xabc);
	SAME("%zd", (ssize_t)-1);
	SAME("%zd", (ssize_t)SSIZE_MAX);
	SAME("%td", PTRDIFF_MIN);
	SAME("%td", PTRDIFF_MAX);
	SAME("%tx", (ptrdiff_t)-1);
	SAME("%jd", INTMAX_MIN);
	SAME("%jd", INTMAX_MAX);
	SAME("%ju", UINTMAX_MAX);
	SAME("%jx", UINTMAX_MAX);
	SAME("%jo", UINTMAX_MAX);
	/* A modifier applies to one conversion only. */
	SAME("%hhd %d %lld %d", 200, 200, LLONG_MIN, -1);
}

TEST(truncation_and_return)
{
	char buf[16];

	/* Size 0 with a NULL buffer: the length, nothing written. */
	CHECK_EQ(ksnprintf(NULL, 0, "%d-%s", 12345, "abc"), 9);
	/* A NULL buffer with a non-zero size is treated as size 0, not written. */
	CHECK_EQ(ksnprintf(NULL, 16, "%s", "hello"), 5);
	/* Size 1: just the terminator. */
	memset(buf, 'X', sizeof(buf));
	CHECK_EQ(ksnprintf(buf, 1, "hello"), 5);
	CHECK_EQ(buf[0], '\0');
	CHECK_EQ(buf[1], 'X');
	/* Exact fit, one short. */
	memset(buf, 'X', sizeof(buf));
	CHECK_EQ(ksnprintf(buf, 6, "hello"), 5);
	CHECK_STR(buf, "hello");
	CHECK_EQ(buf[6], 'X');
	memset(buf, 'X', sizeof(buf));
	CHECK_EQ(ksnprintf(buf, 5, "hello"), 5);
	CHECK_STR(buf, "hell");
	CHECK_EQ(buf[5], 'X');
	/* Padding longer than the buffer: counted, not written past the end. */
	memset(buf, 'X', sizeof(buf));
	CHECK_EQ(ksnprintf(buf, 8, "%100000d", 7), 100000);
	CHECK_STR(buf, "       ");
	CHECK_EQ(buf[8], 'X');
	/* Every conversion in a long format is cut at the same place as the host's. */
	SAME("%s=%#x (%5d) [%-4c] %.3s %%", "key", 0x1234u, -12, 'q', "abcdef");
	SAME("%5000d", 7);
	SAME("%s", "0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef");
}

TEST(pointers)
{
	char want[64];
	int local;
	static const uintptr_t vals[] = { 1, 0x1234, 0xdeadbeef, 0x7fffffffffffull,
					  0xffff800000000000ull, UINTPTR_MAX };

	/* The kernel's %p: "0x" and lowercase hex, NULL included. */
	for (size_t i = 0; i < sizeof(vals) / sizeof(vals[0]); i++) {
		snprintf(want, sizeof(want), "0x%jx", (uintmax_t)vals[i]);
		EXPECT(want, "%p", (void *)vals[i]);
	}
	snprintf(want, sizeof(want), "0x%jx", (uintmax_t)(uintptr_t)&local);
	EXPECT(want, "%p", (void *)&local);
	EXPECT("0x0", "%p", (void *)NULL);
	EXPECT("            0x1234", "%18p", (void *)0x1234);
	EXPECT("0x1234    |", "%-10p|", (void *)0x1234);
	EXPECT("0x0 0xff", "%p %p", (void *)NULL, (void *)0xff);
	/* Flags that mean nothing for %p do not change it. */
	EXPECT("0xab", "%#p", (void *)0xab);
	EXPECT("  0xab", "%06p", (void *)0xab);
	/* Truncated like everything else. */
	char b[5];
	CHECK_EQ(ksnprintf(b, sizeof(b), "%p", (void *)0xabcdef), 8);
	CHECK_STR(b, "0xab");
}

TEST(null_string)
{
	const char *volatile nul = NULL;

	EXPECT("(null)", "%s", nul);
	EXPECT("  (null)", "%8s", nul);
	EXPECT("(null)  |", "%-8s|", nul);
	EXPECT("a(null)b", "a%sb", nul);
}

TEST(malformed_formats)
{
	/* Kernel format strings are our own, but a typo must not crash or eat
	 * arguments: an unknown conversion prints itself, a trailing '%' nothing. */
	EXPECT("%q", "%q");
	EXPECT("%q 5", "%q %d", 5);
	EXPECT("abc", "abc%");
	EXPECT("abc", "abc%-");
	EXPECT("abc", "abc%ll");
	EXPECT("abc", "abc%5.3");
	EXPECT("%n", "%n");
	EXPECT("%y7", "%y%d", 7);
}

/* Last, and flushing first: an out-of-bounds read here aborts under ASan. */
TEST(string_precision_reads_no_further)
{
	/* C11 7.21.6.1p8: with a precision, %s needs no NUL within that many bytes. */
	char *p = malloc(3);
	char buf[8];

	memcpy(p, "abc", 3);
	printf("  (an AddressSanitizer report below means %%.Ns reads past N bytes)\n");
	fflush(stdout);
	CHECK_EQ(ksnprintf(buf, sizeof(buf), "%.2s", p), 2);
	CHECK_STR(buf, "ab");
	CHECK_EQ(ksnprintf(buf, sizeof(buf), "%.3s", p), 3);
	CHECK_STR(buf, "abc");
	CHECK_EQ(ksnprintf(buf, sizeof(buf), "%5.3s|", p), 6);
	CHECK_STR(buf, "  abc|");
	free(p);
}

int main(void)
{
	/* Line-buffered, so a sanitizer abort still shows the results before it. */
	setvbuf(stdout, NULL, _IOLBF, 0);
	RUN(signed_ints);
	RUN(unsigned_ints);
	RUN(alternate_form);
	RUN(width_and_flags);
	RUN(int_precision);
	RUN(star_width_precision);
	RUN(strings_and_chars);
	RUN(length_modifiers);
	RUN(truncation_and_return);
	RUN(pointers);
	RUN(null_string);
	RUN(malformed_formats);
	RUN(string_precision_reads_no_further);
	return CHECK_DONE();
}
