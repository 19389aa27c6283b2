/* Minimal unit-test harness for host tests. A test file #includes the .c files it
 * tests, defines TEST(name) functions and lists them in main() with RUN(name).
 * Every test case prints "PASS name" or "FAIL name: file:line: expr"; the runner
 * (tests/run.py) counts those lines. Built with -fsanitize=address,undefined. */
#ifndef TESTS_UNIT_CHECK_H
#define TESTS_UNIT_CHECK_H

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static int check_failed_;
static int check_total_failed_;

#define TEST(name) static void test_##name(void)

#define CHECK(expr)                                                                   \
	do {                                                                          \
		if (!(expr)) {                                                        \
			printf("  %s:%d: CHECK(%s) failed\n", __FILE__, __LINE__, #expr); \
			check_failed_ = 1;                                            \
		}                                                                     \
	} while (0)

#define CHECK_EQ(a, b)                                                                     \
	do {                                                                               \
		unsigned long long a_ = (unsigned long long)(a), b_ = (unsigned long long)(b); \
		if (a_ != b_) {                                                            \
			printf("  %s:%d: %s == %s failed: 0x%llx != 0x%llx\n", __FILE__,   \
			       __LINE__, #a, #b, a_, b_);                                  \
			check_failed_ = 1;                                                 \
		}                                                                          \
	} while (0)

#define CHECK_STR(a, b)                                                                  \
	do {                                                                             \
		const char *a_ = (a), *b_ = (b);                                         \
		if (strcmp(a_, b_) != 0) {                                               \
			printf("  %s:%d: %s == %s failed: \"%s\" != \"%s\"\n", __FILE__, \
			       __LINE__, #a, #b, a_, b_);                                \
			check_failed_ = 1;                                               \
		}                                                                        \
	} while (0)

#define RUN(name)                                                        \
	do {                                                             \
		setvbuf(stdout, NULL, _IOLBF, 0);                        \
		check_failed_ = 0;                                       \
		test_##name();                                           \
		printf("%s %s\n", check_failed_ ? "FAIL" : "PASS", #name); \
		check_total_failed_ |= check_failed_;                    \
	} while (0)

#define CHECK_DONE() (check_total_failed_ ? 1 : 0)

#endif
