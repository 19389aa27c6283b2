/* Host tests for kernel/cmdline.c. */
#include <stdint.h>

#include "tests/unit/check.h"

#include "kernel/cmdline.c"

struct get_case {
	const char *line, *key;
	bool found;
	const char *val;
};

static const struct get_case get_cases[] = {
	{ "console=com1 quiet mem=32M", "console", true, "com1" },
	{ "console=com1 quiet mem=32M", "quiet", true, "" },
	{ "console=com1 quiet mem=32M", "mem", true, "32M" },
	{ "console=com1 quiet mem=32M", "loud", false, "" },
	/* Whole keys only. */
	{ "memsize=4G mem=1G", "mem", true, "1G" },
	{ "memsize=4G mem=1G", "memsize", true, "4G" },
	{ "memsize=4G", "mem", false, "" },
	{ "mem=4G", "memsize", false, "" },
	{ "mem=4G", "me", false, "" },
	{ "xmem=4G", "mem", false, "" },
	/* Separators. */
	{ "  \t a=1 \t\t b=2  ", "b", true, "2" },
	{ "a=1\tb=2", "b", true, "2" },
	{ "a=1\r\nb=2\n", "b", true, "2" },
	/* Quotes. */
	{ "cmd=\"a b  c\" x=1", "cmd", true, "a b  c" },
	{ "cmd=\"a b  c\" x=1", "x", true, "1" },
	{ "cmd=\"a b  c\" x=1", "b", false, "" },
	{ "a=\"b c\"d", "a", true, "b cd" },
	{ "a=\"\"", "a", true, "" },
	{ "x=\"mem=5 y\"", "mem", false, "" },
	{ "\"k e\"=v", "k e", true, "v" },
	/* Unterminated quote: words before it count, the rest of the line does not. */
	{ "a=1 b=\"x y c=3", "a", true, "1" },
	{ "a=1 b=\"x y c=3", "b", false, "" },
	{ "a=1 b=\"x y c=3", "y", false, "" },
	{ "a=1 b=\"x y c=3", "c", false, "" },
	/* Values. */
	{ "root=LABEL=x", "root", true, "LABEL=x" },
	{ "a=", "a", true, "" },
	{ "a=1 a=2", "a", true, "1" },
	{ "=v", "", false, "" },
	{ "", "a", false, "" },
	{ "    ", "a", false, "" },
};

TEST(get_table)
{
	for (size_t i = 0; i < sizeof(get_cases) / sizeof(get_cases[0]); i++) {
		const struct get_case *t = &get_cases[i];
		char val[32];
		bool found;

		strcpy(val, "untouched");
		found = cmdline_get(t->line, t->key, val, sizeof(val));
		if (found != t->found || (found && strcmp(val, t->val) != 0)) {
			printf("  get(\"%s\", \"%s\") = %d \"%s\", want %d \"%s\"\n", t->line, t->key,
			       found, found ? val : "", t->found, t->val);
			check_failed_ = 1;
		}
	}
}

TEST(get_truncation_and_nulls)
{
	char val[4];

	CHECK(cmdline_get("k=abcdefgh", "k", val, sizeof(val)));
	CHECK_STR(val, "abc");
	CHECK(cmdline_get("k=\"ab\"\"cd\"", "k", val, sizeof(val)));
	CHECK_STR(val, "abc");
	val[0] = 'z';
	CHECK(cmdline_get("k=abc", "k", val, 1));
	CHECK_EQ(val[0], '\0');
	/* Presence test without a buffer. */
	CHECK(cmdline_get("k=abc", "k", NULL, 0));
	CHECK(cmdline_get("k", "k", NULL, 0));
	CHECK(!cmdline_get(NULL, "k", val, sizeof(val)));
	CHECK(!cmdline_get("k", NULL, val, sizeof(val)));
	/* A key longer than foreach's 63 bytes is still matched whole. */
	char line[200], key[100];
	memset(key, 'k', 80);
	key[80] = '\0';
	snprintf(line, sizeof(line), "%s=1 %.63s=2", key, key);
	CHECK(cmdline_get(line, key, val, sizeof(val)));
	CHECK_STR(val, "1");
	key[63] = '\0';
	CHECK(cmdline_get(line, key, val, sizeof(val)));
	CHECK_STR(val, "2");
}

/* foreach collects "key" or "key=val" strings. */
struct collect {
	char words[8][400];
	int n;
	int stop_at; /* return 7 on this word, -1 never */
};

static int collect_fn(const char *key, const char *val, void *ctx)
{
	struct collect *c = ctx;

	if (c->n < 8) {
		if (val)
			snprintf(c->words[c->n], sizeof(c->words[0]), "%s=%s", key, val);
		else
			snprintf(c->words[c->n], sizeof(c->words[0]), "%s", key);
	}
	c->n++;
	return c->n - 1 == c->stop_at ? 7 : 0;
}

struct foreach_case {
	const char *line;
	int stop_at, ret, n;
	const char *words[6];
};

static const struct foreach_case foreach_cases[] = {
	{ "", -1, 0, 0, { NULL } },
	{ " \t ", -1, 0, 0, { NULL } },
	{ "quiet", -1, 0, 1, { "quiet" } },
	{ "a=1  b   c=\"x y\"\td=", -1, 0, 4, { "a=1", "b", "c=x y", "d=" } },
	{ "a=1 b=\"open c=2", -1, -EINVAL, 1, { "a=1" } },
	{ "\"", -1, -EINVAL, 0, { NULL } },
	{ "a b c d", 1, 7, 2, { "a", "b" } },
	{ "k=v=w", -1, 0, 1, { "k=v=w" } },
	{ "=v", -1, 0, 1, { "=v" } },
};

TEST(foreach_table)
{
	for (size_t i = 0; i < sizeof(foreach_cases) / sizeof(foreach_cases[0]); i++) {
		const struct foreach_case *t = &foreach_cases[i];
		struct collect c = { .n = 0, .stop_at = t->stop_at };
		int ret = cmdline_foreach(t->line, collect_fn, &c);

		if (ret != t->ret || c.n != t->n) {
			printf("  foreach(\"%s\") = %d with %d words, want %d with %d\n", t->line,
			       ret, c.n, t->ret, t->n);
			check_failed_ = 1;
			continue;
		}
		for (int w = 0; w < t->n; w++)
			CHECK_STR(c.words[w], t->words[w]);
	}
	CHECK_EQ(cmdline_foreach("a", NULL, NULL), -EINVAL);
	CHECK_EQ(cmdline_foreach(NULL, collect_fn, NULL), 0);
}

TEST(foreach_truncates)
{
	char line[1000];
	struct collect c = { .n = 0, .stop_at = -1 };

	memset(line, 'k', 100);
	line[100] = '=';
	memset(line + 101, 'v', 400);
	line[501] = '\0';
	CHECK_EQ(cmdline_foreach(line, collect_fn, &c), 0);
	CHECK_EQ(c.n, 1);
	CHECK_EQ(strlen(c.words[0]), 63 + 1 + 255);
	CHECK_EQ(strchr(c.words[0], '=') - c.words[0], 63);
}

struct num_case {
	const char *s;
	int ret;
	uint64_t val;
};

static const struct num_case u64_cases[] = {
	{ "0", 0, 0 },
	{ "123", 0, 123 },
	{ "007", 0, 7 },
	{ "0x1f", 0, 0x1f },
	{ "0XfF", 0, 0xff },
	{ "0x0", 0, 0 },
	{ "18446744073709551615", 0, UINT64_MAX },
	{ "0xffffffffffffffff", 0, UINT64_MAX },
	{ "0x00000000000000000001", 0, 1 },
	{ "18446744073709551616", -EINVAL, 0 },
	{ "99999999999999999999", -EINVAL, 0 },
	{ "0x10000000000000000", -EINVAL, 0 },
	{ "", -EINVAL, 0 },
	{ "0x", -EINVAL, 0 },
	{ "x10", -EINVAL, 0 },
	{ "12a", -EINVAL, 0 },
	{ "0x1g", -EINVAL, 0 },
	{ "-1", -EINVAL, 0 },
	{ "+1", -EINVAL, 0 },
	{ " 1", -EINVAL, 0 },
	{ "1 ", -EINVAL, 0 },
	{ "1K", -EINVAL, 0 },
};

static const struct num_case size_cases[] = {
	{ "32M", 0, 33554432 },
	{ "1K", 0, 1024 },
	{ "4k", 0, 4096 },
	{ "3m", 0, 3 << 20 },
	{ "1G", 0, 1ULL << 30 },
	{ "2g", 0, 2ULL << 30 },
	{ "1T", 0, 1ULL << 40 },
	{ "5t", 0, 5ULL << 40 },
	{ "0x10M", 0, 16ULL << 20 },
	{ "0xfK", 0, 15 * 1024 },
	{ "4096", 0, 4096 },
	{ "0", 0, 0 },
	{ "0K", 0, 0 },
	{ "16777215T", 0, 16777215ULL << 40 },
	{ "16777216T", -ERANGE, 0 },
	{ "17179869184G", -ERANGE, 0 },
	{ "18446744073709551615", 0, UINT64_MAX },
	{ "18446744073709551616", -ERANGE, 0 },
	{ "0x10000000000000000K", -ERANGE, 0 },
	{ "", -EINVAL, 0 },
	{ "M", -EINVAL, 0 },
	{ "0xM", -EINVAL, 0 },
	{ "12MB", -EINVAL, 0 },
	{ "12KM", -EINVAL, 0 },
	{ "1.5G", -EINVAL, 0 },
	{ "-1M", -EINVAL, 0 },
	{ "1P", -EINVAL, 0 },
	{ " 1M", -EINVAL, 0 },
};

static void run_num_cases(const char *what, int (*fn)(const char *, uint64_t *),
			  const struct num_case *cases, size_t n)
{
	for (size_t i = 0; i < n; i++) {
		uint64_t v = 0x5a5a;
		int ret = fn(cases[i].s, &v);

		if (ret != cases[i].ret || v != (ret ? 0x5a5a : cases[i].val)) {
			printf("  %s(\"%s\") = %d, 0x%llx; want %d, 0x%llx\n", what, cases[i].s,
			       ret, (unsigned long long)v, cases[i].ret,
			       (unsigned long long)cases[i].val);
			check_failed_ = 1;
		}
	}
}

TEST(parse_u64_table)
{
	uint64_t v;

	run_num_cases("parse_u64", cmdline_parse_u64, u64_cases,
		      sizeof(u64_cases) / sizeof(u64_cases[0]));
	CHECK_EQ(cmdline_parse_u64(NULL, &v), -EINVAL);
	CHECK_EQ(cmdline_parse_u64("1", NULL), -EINVAL);
}

TEST(parse_size_table)
{
	uint64_t v;

	run_num_cases("parse_size", cmdline_parse_size, size_cases,
		      sizeof(size_cases) / sizeof(size_cases[0]));
	CHECK_EQ(cmdline_parse_size(NULL, &v), -EINVAL);
	CHECK_EQ(cmdline_parse_size("1M", NULL), -EINVAL);
}

struct console_case {
	const char *s;
	int ret;
	uint16_t port;
	uint32_t baud;
};

static const struct console_case console_cases[] = {
	{ "com1", 0, 0x3f8, 115200 },
	{ "com2", 0, 0x2f8, 115200 },
	{ "com3", 0, 0x3e8, 115200 },
	{ "com4", 0, 0x2e8, 115200 },
	{ "COM2", 0, 0x2f8, 115200 },
	{ "0x2f8", 0, 0x2f8, 115200 },
	{ "760", 0, 0x2f8, 115200 },
	{ "0xffff", 0, 0xffff, 115200 },
	{ "com1,9600", 0, 0x3f8, 9600 },
	{ "com2,115200", 0, 0x2f8, 115200 },
	{ "0x3e8,57600", 0, 0x3e8, 57600 },
	{ "com1,1", 0, 0x3f8, 1 },
	{ "com4,38400", 0, 0x2e8, 38400 },
	{ "com1,0", -EINVAL, 0, 0 },
	{ "com1,7", -EINVAL, 0, 0 },
	{ "com1,14400", 0, 0x3f8, 14400 },
	{ "com1,28000", -EINVAL, 0, 0 },
	{ "com1,230400", -EINVAL, 0, 0 },
	{ "com1,", -EINVAL, 0, 0 },
	{ "com1,9600,8n1", -EINVAL, 0, 0 },
	{ "com1,fast", -EINVAL, 0, 0 },
	{ "com1,-9600", -EINVAL, 0, 0 },
	{ "com5", -EINVAL, 0, 0 },
	{ "com", -EINVAL, 0, 0 },
	{ "com10", -EINVAL, 0, 0 },
	{ "ttyS0", -EINVAL, 0, 0 },
	{ "", -EINVAL, 0, 0 },
	{ ",9600", -EINVAL, 0, 0 },
	{ "0", -EINVAL, 0, 0 },
	{ "0x10000", -EINVAL, 0, 0 },
	{ "0x2f8 ", -EINVAL, 0, 0 },
	{ "99999999999999999999999", -EINVAL, 0, 0 },
};

TEST(console_table)
{
	for (size_t i = 0; i < sizeof(console_cases) / sizeof(console_cases[0]); i++) {
		const struct console_case *t = &console_cases[i];
		struct console_opt o = { .port = 0x1234, .baud = 42 };
		int ret = cmdline_parse_console(t->s, &o);
		bool ok = ret == t->ret &&
			  (ret ? o.port == 0x1234 && o.baud == 42 /* untouched on error */
			       : o.port == t->port && o.baud == t->baud);

		if (!ok) {
			printf("  console(\"%s\") = %d {0x%x, %u}, want %d {0x%x, %u}\n", t->s, ret,
			       o.port, o.baud, t->ret, t->port, t->baud);
			check_failed_ = 1;
		}
	}
	struct console_opt o;
	CHECK_EQ(cmdline_parse_console(NULL, &o), -EINVAL);
	CHECK_EQ(cmdline_parse_console("com1", NULL), -EINVAL);
}

/* Every prefix of a tricky line, and random bytes: no crash, sane results. */
static uint64_t rng_state = 0x853c49e6748fea9bULL;
static uint64_t rng(void)
{
	rng_state ^= rng_state << 13;
	rng_state ^= rng_state >> 7;
	rng_state ^= rng_state << 17;
	return rng_state;
}

static int count_fn(const char *key, const char *val, void *ctx)
{
	(void)key;
	if (strlen(key) > 63 || (val && strlen(val) > 255))
		return -100;
	(*(int *)ctx)++;
	return 0;
}

TEST(random_lines)
{
	static const char alphabet[] = "ab=\" \t,0xM1";

	for (int iter = 0; iter < 20000; iter++) {
		size_t n = rng() % 40;
		char *line = malloc(n + 1), val[8];
		uint64_t v;
		struct console_opt o;
		int words = 0, ret;

		for (size_t i = 0; i < n; i++)
			line[i] = iter % 2 ? alphabet[rng() % (sizeof(alphabet) - 1)]
					   : (char)(1 + rng() % 255);
		line[n] = '\0';
		ret = cmdline_foreach(line, count_fn, &words);
		CHECK(ret == 0 || ret == -EINVAL);
		/* An unterminated quote is an odd number of quote characters. */
		size_t quotes = 0;
		for (size_t i = 0; i < n; i++)
			quotes += line[i] == '"';
		CHECK_EQ(ret == -EINVAL, quotes % 2 == 1);
		cmdline_get(line, "a", val, sizeof(val));
		cmdline_parse_size(line, &v);
		cmdline_parse_u64(line, &v);
		cmdline_parse_console(line, &o);
		free(line);
		if (check_failed_)
			return;
	}
}

int main(void)
{
	RUN(get_table);
	RUN(get_truncation_and_nulls);
	RUN(foreach_table);
	RUN(foreach_truncates);
	RUN(parse_u64_table);
	RUN(parse_size_table);
	RUN(console_table);
	RUN(random_lines);
	return CHECK_DONE();
}
