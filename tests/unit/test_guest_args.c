/* Host tests for kernel/guest_args.c: module argument strings, good and bad. */
#include <stdint.h>

#include "tests/unit/check.h"

#include "kernel/cmdline.c"
#include "kernel/guest_args.c"
#include "kernel/printf.c"

#define M (1ULL << 20)
#define G (1ULL << 30)

struct ok_case {
	const char *line;
	const char *name;
	uint64_t mem;
	unsigned cpus;
	bool autostart;
	const char *cmdline;
	enum guest_format format;
	bool has_load;
	uint64_t load, entry;
};

static const struct ok_case ok_cases[] = {
	{"", "", 64 * M, 1, false, "", GUEST_FORMAT_AUTO, false, 0, 0},
	{NULL, "", 64 * M, 1, false, "", GUEST_FORMAT_AUTO, false, 0, 0},
	{"   ", "", 64 * M, 1, false, "", GUEST_FORMAT_AUTO, false, 0, 0},
	{"name=hello mem=32M cpus=1 autostart", "hello", 32 * M, 1, true, "", GUEST_FORMAT_AUTO,
	 false, 0, 0},
	{"autostart name=a", "a", 64 * M, 1, true, "", GUEST_FORMAT_AUTO, false, 0, 0},
	{"name=Guest_01-x cpus=8", "Guest_01-x", 64 * M, 8, false, "", GUEST_FORMAT_AUTO, false, 0,
	 0},
	/* 31 characters: the longest name. */
	{"name=abcdefghijklmnopqrstuvwxyz01234", "abcdefghijklmnopqrstuvwxyz01234", 64 * M, 1,
	 false, "", GUEST_FORMAT_AUTO, false, 0, 0},
	/* Sizes: the bounds and other spellings. */
	{"mem=1M", "", 1 * M, 1, false, "", GUEST_FORMAT_AUTO, false, 0, 0},
	{"mem=64G", "", 64 * G, 1, false, "", GUEST_FORMAT_AUTO, false, 0, 0},
	{"mem=1024K", "", 1 * M, 1, false, "", GUEST_FORMAT_AUTO, false, 0, 0},
	{"mem=0x200000", "", 2 * M, 1, false, "", GUEST_FORMAT_AUTO, false, 0, 0},
	{"mem=1052672", "", 1052672, 1, false, "", GUEST_FORMAT_AUTO, false, 0, 0},
	{"mem=3g", "", 3 * G, 1, false, "", GUEST_FORMAT_AUTO, false, 0, 0},
	/* The guest's own command line, quoted. */
	{"cmdline=\"console=ttyS0 n=5\" name=x", "x", 64 * M, 1, false, "console=ttyS0 n=5",
	 GUEST_FORMAT_AUTO, false, 0, 0},
	{"cmdline=n=5", "", 64 * M, 1, false, "n=5", GUEST_FORMAT_AUTO, false, 0, 0},
	{"cmdline=\"\"", "", 64 * M, 1, false, "", GUEST_FORMAT_AUTO, false, 0, 0},
	/* Formats. */
	{"format=multiboot", "", 64 * M, 1, false, "", GUEST_FORMAT_MULTIBOOT, false, 0, 0},
	{"format=auto", "", 64 * M, 1, false, "", GUEST_FORMAT_AUTO, false, 0, 0},
	{"format=linux", "", 64 * M, 1, false, "", GUEST_FORMAT_LINUX, false, 0, 0},
	{"name=linux mem=256M cpus=2 cmdline=\"console=ttyS0\" format=linux", "linux", 256 * M, 2,
	 false, "console=ttyS0", GUEST_FORMAT_LINUX, false, 0, 0},
	{"format=flat load=0x100000", "", 64 * M, 1, false, "", GUEST_FORMAT_FLAT, true, 0x100000,
	 0x100000},
	{"format=flat load=0x100000 entry=0x100010", "", 64 * M, 1, false, "", GUEST_FORMAT_FLAT,
	 true, 0x100000, 0x100010},
	{"load=1048576", "", 64 * M, 1, false, "", GUEST_FORMAT_AUTO, true, 0x100000, 0x100000},
	{"load=0xfffff000 format=flat", "", 64 * M, 1, false, "", GUEST_FORMAT_FLAT, true,
	 0xfffff000, 0xfffff000},
};

TEST(ok)
{
	for (size_t i = 0; i < sizeof(ok_cases) / sizeof(ok_cases[0]); i++) {
		const struct ok_case *c = &ok_cases[i];
		struct guest_args a;
		char err[128] = "unchanged";
		int ret = guest_args_parse(c->line, &a, err, sizeof(err));

		if (ret)
			printf("  case %zu \"%s\": %d %s\n", i, c->line ? c->line : "(null)", ret,
			       err);
		CHECK_EQ(ret, 0);
		CHECK_STR(err, "");
		CHECK_STR(a.name, c->name);
		CHECK_EQ(a.mem, c->mem);
		CHECK_EQ(a.cpus, c->cpus);
		CHECK_EQ(a.autostart, c->autostart);
		CHECK_STR(a.cmdline, c->cmdline);
		CHECK_EQ(a.format, c->format);
		CHECK_EQ(a.has_load, c->has_load);
		CHECK_EQ(a.load, c->load);
		CHECK_EQ(a.entry, c->entry);
	}
}

struct bad_case {
	const char *line;
	int ret;
	const char *err; /* the whole message */
};

static const struct bad_case bad_cases[] = {
	{"mem=12Q", -EINVAL, "mem=12Q: not a size"},
	{"mem=", -EINVAL, "mem=: not a size"},
	{"mem=-1M", -EINVAL, "mem=-1M: not a size"},
	{"mem=1023K", -ERANGE, "mem=1023K: below the minimum of 1M"},
	{"mem=0", -ERANGE, "mem=0: below the minimum of 1M"},
	{"mem=65G", -ERANGE, "mem=65G: above the maximum of 64G"},
	{"mem=68719476737", -ERANGE, "mem=68719476737: above the maximum of 64G"},
	{"mem=99999999999999999999", -EINVAL, "mem=99999999999999999999: not a size"},
	{"mem=1048577", -EINVAL, "mem=1048577: not a multiple of 4K"},
	{"mem", -EINVAL, "mem: needs a value (mem=...)"},
	{"cpus=0", -ERANGE, "cpus=0: must be 1 to 8"},
	{"cpus=9", -ERANGE, "cpus=9: must be 1 to 8"},
	{"cpus=two", -EINVAL, "cpus=two: not a number"},
	{"cpus=1x", -EINVAL, "cpus=1x: not a number"},
	{"name=", -EINVAL, "name=: a name is 1-31 characters of A-Z a-z 0-9 _ -"},
	{"name=a.b", -EINVAL, "name=a.b: a name is 1-31 characters of A-Z a-z 0-9 _ -"},
	{"name=\"a b\"", -EINVAL, "name=a b: a name is 1-31 characters of A-Z a-z 0-9 _ -"},
	{"name=abcdefghijklmnopqrstuvwxyz012345", -EINVAL,
	 "name=abcdefghijklmnopqrstuvwxyz012345: a name is 1-31 characters of A-Z a-z 0-9 _ -"},
	{"name=x name=y", -EINVAL, "name: given twice"},
	{"autostart autostart", -EINVAL, "autostart: given twice"},
	{"autostart=yes", -EINVAL, "autostart=yes: autostart takes no value"},
	{"name", -EINVAL, "name: needs a value (name=...)"},
	{"frob=1", -EINVAL,
	 "frob: unknown key (known: name mem cpus autostart cmdline format load entry "
	 "initrd-of)"},
	{"name=x Mem=1M", -EINVAL,
	 "Mem: unknown key (known: name mem cpus autostart cmdline format load entry "
	 "initrd-of)"},
	{"format=elf", -EINVAL, "format=elf: not auto, multiboot, linux or flat"},
	{"format=Linux", -EINVAL, "format=Linux: not auto, multiboot, linux or flat"},
	{"format=linux load=0x100000", -EINVAL, "load= and entry= are for format=flat, not linux"},
	{"format=linux entry=0x100000 load=0x100000", -EINVAL,
	 "load= and entry= are for format=flat, not linux"},
	/* An initrd module: a valid guest name and nothing else. */
	{"initrd-of", -EINVAL, "initrd-of: needs a value (initrd-of=...)"},
	{"initrd-of=", -EINVAL, "initrd-of=: a guest name is 1-31 characters of A-Z a-z 0-9 _ -"},
	{"initrd-of=a/b", -EINVAL,
	 "initrd-of=a/b: a guest name is 1-31 characters of A-Z a-z 0-9 _ -"},
	{"initrd-of=abcdefghijklmnopqrstuvwxyz012345", -EINVAL,
	 "initrd-of=abcdefghijklmnopqrstuvwxyz012345: a guest name is 1-31 characters of A-Z "
	 "a-z 0-9 _ -"},
	{"initrd-of=a initrd-of=b", -EINVAL, "initrd-of: given twice"},
	{"initrd-of=linux mem=64M", -EINVAL,
	 "initrd-of=linux: an initrd module takes no other key (its guest's module has them)"},
	{"name=x initrd-of=linux", -EINVAL,
	 "initrd-of=linux: an initrd module takes no other key (its guest's module has them)"},
	{"initrd-of=linux autostart", -EINVAL,
	 "initrd-of=linux: an initrd module takes no other key (its guest's module has them)"},
	{"format=flat", -EINVAL, "format=flat needs load=ADDR"},
	{"format=multiboot load=0x100000", -EINVAL,
	 "load= and entry= are for format=flat, not multiboot"},
	{"entry=0x100000", -EINVAL, "entry= needs load= (it is for flat images)"},
	{"load=0x100000000", -ERANGE,
	 "load=0x100000000: above 4 GiB (flat images start in 32-bit mode)"},
	{"load=1M", -EINVAL, "load=1M: not an address"},
	{"load=0x1000 entry=zz", -EINVAL, "entry=zz: not an address"},
	{"cmdline=\"a b", -EINVAL, "unterminated quote"},
	{"name=x cmdline=\"unterminated", -EINVAL, "unterminated quote"},
	{"cmdline", -EINVAL, "cmdline: needs a value (cmdline=...)"},
};

TEST(bad)
{
	for (size_t i = 0; i < sizeof(bad_cases) / sizeof(bad_cases[0]); i++) {
		const struct bad_case *c = &bad_cases[i];
		struct guest_args a;
		char err[160];
		int ret = guest_args_parse(c->line, &a, err, sizeof(err));

		if (ret != c->ret)
			printf("  case %zu \"%s\": got %d (%s)\n", i, c->line, ret, err);
		CHECK_EQ(ret, c->ret);
		CHECK_STR(err, c->err);
	}
}

/* The guest's command line holds 255 characters, not 256. */
TEST(cmdline_length)
{
	char line[400], want[300], err[128];
	struct guest_args a;

	memset(want, 'x', 255);
	want[255] = '\0';
	snprintf(line, sizeof(line), "name=a cmdline=\"%s\"", want);
	CHECK_EQ(guest_args_parse(line, &a, err, sizeof(err)), 0);
	CHECK_STR(a.cmdline, want);
	CHECK_EQ(strlen(a.cmdline), 255);

	snprintf(line, sizeof(line), "cmdline=\"%sy\" name=a", want);
	CHECK_EQ(guest_args_parse(line, &a, err, sizeof(err)), -E2BIG);
	CHECK_STR(err, "cmdline: longer than 255 characters");

	/* Far longer than any internal buffer. */
	memset(want, 'z', 290);
	want[290] = '\0';
	snprintf(line, sizeof(line), "cmdline=%s", want);
	CHECK_EQ(guest_args_parse(line, &a, err, sizeof(err)), -E2BIG);
}

/* Errors land in a buffer of any size, truncated, and none is needed at all. */
TEST(error_buffer)
{
	struct guest_args a;
	char small[8];

	CHECK_EQ(guest_args_parse("mem=12Q", &a, small, sizeof(small)), -EINVAL);
	CHECK_STR(small, "mem=12Q");
	CHECK_EQ(guest_args_parse("mem=12Q", &a, NULL, 0), -EINVAL);
	CHECK_EQ(guest_args_parse("cpus=3", &a, NULL, 0), 0);
	CHECK_EQ(a.cpus, 3);
	/* A failed parse leaves no stale success message behind. */
	CHECK_EQ(guest_args_parse("x", &a, small, 1), -EINVAL);
	CHECK_STR(small, "");
}

/* Parsing starts from the defaults every time. */
TEST(defaults_reset)
{
	struct guest_args a;

	CHECK_EQ(guest_args_parse("name=a mem=2M cpus=4 autostart cmdline=q", &a, NULL, 0), 0);
	CHECK_EQ(guest_args_parse("", &a, NULL, 0), 0);
	CHECK_STR(a.name, "");
	CHECK_EQ(a.mem, GUEST_MEM_DEFAULT);
	CHECK_EQ(a.cpus, 1);
	CHECK(!a.autostart);
	CHECK_STR(a.cmdline, "");
}

TEST(names)
{
	CHECK(guest_name_valid("a"));
	CHECK(guest_name_valid("A-z_09"));
	CHECK(guest_name_valid("abcdefghijklmnopqrstuvwxyz01234"));
	CHECK(!guest_name_valid("abcdefghijklmnopqrstuvwxyz012345"));
	CHECK(!guest_name_valid(""));
	CHECK(!guest_name_valid("a/b"));
	CHECK(!guest_name_valid("\xc3\xa9"));
	CHECK_STR(guest_format_name(GUEST_FORMAT_AUTO), "auto");
	CHECK_STR(guest_format_name(GUEST_FORMAT_MULTIBOOT), "multiboot");
	CHECK_STR(guest_format_name(GUEST_FORMAT_FLAT), "flat");
	CHECK_STR(guest_format_name(GUEST_FORMAT_LINUX), "linux");
	CHECK_STR(guest_format_name((enum guest_format)7), "?");
}

/* initrd-of=NAME: recognised before parsing, parsed into initrd_of only. */
TEST(initrd_of)
{
	static const struct {
		const char *line;
		bool is_initrd;
	} cases[] = {
		{"initrd-of=linux", true},
		{"  initrd-of=linux  ", true},
		{"initrd-of=\"linux\"", true},
		{"initrd-of", true},
		{"initrd-of=bad!name", true},
		{"mem=1M initrd-of=x", true},
		{"name=initrd-of", false},
		{"cmdline=\"initrd-of=x\"", false},
		{"initrd=x", false},
		{"initrd-of-x=1", false},
		{"", false},
		{NULL, false},
		{"initrd-ofs=x", false},
		{"Initrd-of=x", false},
	};
	struct guest_args a;
	char err[160];

	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		if (guest_args_is_initrd(cases[i].line) != cases[i].is_initrd)
			printf("  case %zu \"%s\"\n", i, cases[i].line ? cases[i].line : "(null)");
		CHECK_EQ(guest_args_is_initrd(cases[i].line), cases[i].is_initrd);
	}
	CHECK_EQ(guest_args_parse("initrd-of=linux", &a, err, sizeof(err)), 0);
	CHECK_STR(a.initrd_of, "linux");
	CHECK_STR(a.name, "");
	CHECK_EQ(a.format, GUEST_FORMAT_AUTO);
	CHECK_EQ(guest_args_parse(" initrd-of=\"Lx_2-a\" ", &a, err, sizeof(err)), 0);
	CHECK_STR(a.initrd_of, "Lx_2-a");
	/* The longest name; and a guest module's parse leaves initrd_of empty. */
	CHECK_EQ(
		guest_args_parse("initrd-of=abcdefghijklmnopqrstuvwxyz01234", &a, err, sizeof(err)),
		0);
	CHECK_STR(a.initrd_of, "abcdefghijklmnopqrstuvwxyz01234");
	CHECK_EQ(guest_args_parse("name=linux", &a, err, sizeof(err)), 0);
	CHECK_STR(a.initrd_of, "");
}

/* Random words built from pieces of valid and invalid syntax: never a crash,
 * always either success with in-range values or an error sentence. */
TEST(fuzz)
{
	static const char *const pieces[] = {
		"name=",     "mem=",  "cpus=",	"autostart",  "cmdline=",
		"format=",   "load=", "entry=", "initrd-of=", "linux",
		"\"",	     " ",     "=",	"0x",	      "1",
		"9",	     "G",     "M",	"K",	      "flat",
		"multiboot", "abc",   "-",	"\t",	      "99999999999999999999",
		"\\",	     "x",
	};
	uint32_t seed = 12345;

	for (int iter = 0; iter < 20000; iter++) {
		char line[200] = "", err[128];
		struct guest_args a;
		int n = (int)(seed % 12), ret;

		for (int i = 0; i < n; i++) {
			seed = seed * 1103515245u + 12345u;
			strncat(line, pieces[(seed >> 16) % (sizeof(pieces) / sizeof(pieces[0]))],
				sizeof(line) - strlen(line) - 1);
		}
		seed = seed * 1103515245u + 12345u;
		ret = guest_args_parse(line, &a, err, sizeof(err));
		if (ret) {
			CHECK(ret < 0);
			CHECK(err[0] != '\0');
		} else {
			CHECK(a.mem >= GUEST_MEM_MIN && a.mem <= GUEST_MEM_MAX);
			CHECK(a.mem % GUEST_MEM_ALIGN == 0);
			CHECK(a.cpus >= 1 && a.cpus <= GUEST_CPUS_MAX);
			CHECK(!a.name[0] || guest_name_valid(a.name));
			CHECK(strlen(a.cmdline) <= GUEST_CMDLINE_MAX);
			CHECK(a.format != GUEST_FORMAT_FLAT || a.has_load);
			CHECK(a.load < GUEST_FLAT_ADDR_LIMIT && a.entry < GUEST_FLAT_ADDR_LIMIT);
			CHECK(!a.initrd_of[0] || guest_name_valid(a.initrd_of));
			CHECK(!a.initrd_of[0] || guest_args_is_initrd(line));
			CHECK(a.format != GUEST_FORMAT_LINUX || !a.has_load);
		}
	}
}

int main(void)
{
	RUN(ok);
	RUN(bad);
	RUN(cmdline_length);
	RUN(error_buffer);
	RUN(defaults_reset);
	RUN(names);
	RUN(initrd_of);
	RUN(fuzz);
	return CHECK_DONE();
}
