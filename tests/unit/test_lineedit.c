/* Host tests for the shell's line editor (kernel/lineedit.c). Every byte goes
 * through a small VT100 model of the terminal, so besides the line itself the
 * tests check that what the user sees (one row: prompt + line, cursor at
 * prompt + cur) matches the editor's state after every byte. */
#include "tests/unit/check.h"

#include <stdint.h>

#include "kernel/lineedit.c"

#define PROMPT "> "
#define TERM_W 1024
#define RAW_MAX 65536

/* One terminal row: printable bytes, BS, CR, LF, BEL, ESC [ K, ESC [ n C/D. Any
 * other output, or a zero/over-the-edge cursor move, marks the stream bad. */
struct term {
	char row[TERM_W];
	char prev[TERM_W + 1]; /* the row before the last LF, trailing blanks cut */
	size_t col;
	int state; /* 0 text, 1 after ESC, 2 in CSI */
	size_t param;
	bool have_param;
	bool bad;
	size_t bells, newlines;
	char raw[RAW_MAX + 1]; /* everything written, while it fits */
	size_t raw_len;
};

static void term_reset(struct term *t)
{
	memset(t, 0, sizeof(*t));
	memset(t->row, ' ', sizeof(t->row));
}

static void term_byte(struct term *t, unsigned char c)
{
	size_t n, i;

	if (t->raw_len < RAW_MAX) {
		t->raw[t->raw_len++] = (char)c;
		t->raw[t->raw_len] = '\0';
	}
	switch (t->state) {
	case 0:
		if (c == 0x1b) {
			t->state = 1;
		} else if (c == '\a') {
			t->bells++;
		} else if (c == '\b') {
			if (t->col == 0)
				t->bad = true;
			else
				t->col--;
		} else if (c == '\r') {
			t->col = 0;
		} else if (c == '\n') {
			for (n = TERM_W; n > 0 && t->row[n - 1] == ' '; n--)
				;
			memcpy(t->prev, t->row, n);
			t->prev[n] = '\0';
			memset(t->row, ' ', sizeof(t->row));
			t->newlines++;
		} else if (c >= 0x20 && c < 0x7f && t->col < TERM_W - 1) {
			t->row[t->col++] = (char)c;
		} else {
			t->bad = true;
		}
		break;
	case 1:
		t->state = 2;
		t->param = 0;
		t->have_param = false;
		if (c != '[')
			t->bad = true;
		break;
	default:
		if (c >= '0' && c <= '9' && t->param < 100000) {
			t->param = t->param * 10 + (c - '0');
			t->have_param = true;
			break;
		}
		t->state = 0;
		n = t->have_param ? t->param : 1;
		if (t->have_param && t->param == 0)
			t->bad = true; /* VT100 would read 0 as 1 */
		if (c == 'K') {
			if (t->have_param)
				t->bad = true;
			for (i = t->col; i < TERM_W; i++)
				t->row[i] = ' ';
		} else if (c == 'D') {
			if (n > t->col)
				t->bad = true;
			else
				t->col -= n;
		} else if (c == 'C') {
			if (t->col + n >= TERM_W)
				t->bad = true;
			else
				t->col += n;
		} else {
			t->bad = true;
		}
		break;
	}
}

static void term_out(void *ctx, const char *s, size_t n)
{
	struct term *t = ctx;

	for (size_t i = 0; i < n; i++)
		term_byte(t, (unsigned char)s[i]);
}

static const char *const cmds[] = { "cpuid", "help", "history", "log",	"mem",
				    "memmap", "reboot", "vm",	   "vmcs" };

static size_t complete_cmds(void *ctx, const char *prefix, const char **cands, size_t max)
{
	size_t n = 0, plen = strlen(prefix);

	(void)ctx;
	for (size_t i = 0; i < sizeof(cmds) / sizeof(cmds[0]); i++) {
		if (strncmp(cmds[i], prefix, plen) == 0) {
			if (n < max)
				cands[n] = cmds[i];
			n++;
		}
	}
	return n;
}

/* The struct's own invariants: what must hold after any byte whatsoever. */
static bool le_ok(const struct lineedit *le)
{
	if (le->len >= LE_LINE_MAX || le->cur > le->len || le->buf[le->len] != '\0' ||
	    strlen(le->buf) != le->len)
		return false;
	if (le->hist_count > LE_HISTORY || le->hist_head >= LE_HISTORY ||
	    le->hist_pos > le->hist_count)
		return false;
	for (size_t i = 0; i < LE_HISTORY; i++)
		if (!memchr(le->hist[i], '\0', LE_LINE_MAX))
			return false;
	return true;
}

/* The terminal shows exactly prompt + line with the cursor at cur. */
static bool term_shows(const struct term *t, const char *prompt, const struct lineedit *le)
{
	size_t p = strlen(prompt);

	if (t->bad || t->state != 0)
		return false;
	if (memcmp(t->row, prompt, p) != 0 || memcmp(t->row + p, le->buf, le->len) != 0)
		return false;
	for (size_t i = p + le->len; i < TERM_W; i++)
		if (t->row[i] != ' ')
			return false;
	return t->col == p + le->cur;
}

#define MAX_LINES 64

struct fx {
	struct lineedit le;
	struct term t;
	char lines[MAX_LINES][LE_LINE_MAX]; /* completed lines, a ring */
	size_t nlines;
	bool ok; /* invariants and screen held after every byte */
	size_t bad_at;
};

static struct fx F;

static void fx_init_with(le_complete_fn complete)
{
	memset(&F, 0, sizeof(F));
	term_reset(&F.t);
	le_init(&F.le, PROMPT, term_out, complete, &F.t);
	le_start(&F.le);
	F.ok = true;
}

static void fx_init(void)
{
	fx_init_with(complete_cmds);
}

/* Feed bytes like the shell does: on a completed line, take it and prompt again. */
static void feedn(const char *s, size_t n)
{
	for (size_t i = 0; i < n; i++) {
		bool done = le_feed(&F.le, s[i]);

		if (!le_ok(&F.le) && F.ok) {
			F.ok = false;
			F.bad_at = i;
		}
		if (done) {
			memcpy(F.lines[F.nlines % MAX_LINES], F.le.buf, LE_LINE_MAX);
			F.nlines++;
			if (F.t.col != 0 || F.t.row[0] != ' ')
				F.ok = false; /* a finished line must leave the cursor on a new row */
			le_start(&F.le);
		}
		if (!term_shows(&F.t, PROMPT, &F.le) && F.ok) {
			F.ok = false;
			F.bad_at = i;
		}
	}
}

static void feed(const char *s)
{
	feedn(s, strlen(s));
}

#define LEFT "\x1b[D"
#define RIGHT "\x1b[C"
#define UP "\x1b[A"
#define DOWN "\x1b[B"
#define HOME "\x1b[H"
#define END "\x1b[F"
#define DEL "\x1b[3~"

TEST(insert_and_enter)
{
	fx_init();
	CHECK_STR(F.t.raw, PROMPT);
	feed("hello");
	CHECK_STR(F.le.buf, "hello");
	CHECK_EQ(F.le.cur, 5);
	CHECK_STR(F.t.raw, PROMPT "hello");
	feed("\r");
	CHECK_EQ(F.nlines, 1);
	CHECK_STR(F.lines[0], "hello");
	CHECK_STR(F.le.buf, "");
	CHECK_STR(F.t.raw, PROMPT "hello\r\n" PROMPT);
	CHECK(F.ok);
}

TEST(line_kept_until_next_byte)
{
	/* The header promises the line is in buf when le_feed returns true. */
	fx_init();
	const char *s = "ls -l";
	for (const char *p = s; *p; p++)
		CHECK(!le_feed(&F.le, *p));
	CHECK(le_feed(&F.le, '\n'));
	CHECK_STR(F.le.buf, "ls -l");
	CHECK_EQ(F.le.len, 5);
	CHECK(le_ok(&F.le));
	/* Without le_start, the next byte starts a fresh line. */
	CHECK(!le_feed(&F.le, 'x'));
	CHECK_STR(F.le.buf, "x");
	CHECK(le_feed(&F.le, '\r'));
	CHECK_STR(F.le.buf, "x");
}

TEST(backspace)
{
	fx_init();
	size_t before = F.t.raw_len;
	feed("\b\x7f");
	CHECK_STR(F.le.buf, "");
	CHECK_EQ(F.t.raw_len, before); /* no-op at start: no output at all */
	feed("abc\x7f");
	CHECK_STR(F.le.buf, "ab");
	feed("\b");
	CHECK_STR(F.le.buf, "a");
	feed("xyz" HOME);
	before = F.t.raw_len;
	feed("\x7f\b");
	CHECK_STR(F.le.buf, "axyz");
	CHECK_EQ(F.t.raw_len, before);
	feed(RIGHT RIGHT "\x7f");
	CHECK_STR(F.le.buf, "ayz");
	CHECK_EQ(F.le.cur, 1);
	CHECK(F.ok);
}

TEST(ctrl_u)
{
	fx_init();
	feed("hello world" LEFT LEFT LEFT LEFT LEFT "\x15");
	CHECK_STR(F.le.buf, "world");
	CHECK_EQ(F.le.cur, 0);
	feed("\x15");
	CHECK_STR(F.le.buf, "world");
	feed(END "\x15");
	CHECK_STR(F.le.buf, "");
	CHECK(F.ok);
}

TEST(ctrl_w)
{
	static const struct {
		const char *in, *line;
		size_t cur;
	} cases[] = {
		{ "foo bar baz\x17", "foo bar ", 8 },
		{ "foo bar baz\x17\x17", "foo ", 4 },
		{ "foo bar baz\x17\x17\x17", "", 0 },
		{ "foo bar baz\x17\x17\x17\x17", "", 0 },
		{ "foo bar   \x17", "foo ", 4 },
		{ "   \x17", "", 0 },
		{ "  foo\x17", "  ", 2 },
		{ "foo bar baz" LEFT LEFT LEFT LEFT "\x17", "foo  baz", 4 },
		{ "foo bar baz" LEFT LEFT "\x17", "foo bar az", 8 },
		{ "foo" HOME "\x17", "foo", 0 },
	};

	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		fx_init();
		feed(cases[i].in);
		CHECK_STR(F.le.buf, cases[i].line);
		CHECK_EQ(F.le.cur, cases[i].cur);
		CHECK(F.ok);
	}
}

TEST(arrows_and_insert_in_middle)
{
	fx_init();
	feed("ac" LEFT);
	size_t mark = F.t.raw_len;
	feed("b");
	CHECK_STR(F.le.buf, "abc");
	CHECK_EQ(F.le.cur, 2);
	/* Redraw from the cursor to the end, then move back. */
	CHECK_STR(F.t.raw + mark, "bc\x1b[K\b");
	feed(LEFT LEFT LEFT LEFT "<" RIGHT RIGHT RIGHT RIGHT RIGHT RIGHT ">");
	CHECK_STR(F.le.buf, "<abc>");
	/* The SS3 forms (terminal in application-cursor mode). */
	feed("\x1bOD\x1bOD-\x1bOC+");
	CHECK_STR(F.le.buf, "<ab-c+>");
	CHECK_EQ(F.le.cur, 6);
	CHECK(F.ok);
}

TEST(home_end)
{
	static const char *const homes[] = { HOME, "\x1bOH", "\x1b[1~", "\x1b[7~", "\x01" };
	static const char *const ends[] = { END, "\x1bOF", "\x1b[4~", "\x1b[8~", "\x05" };

	for (size_t i = 0; i < 5; i++) {
		fx_init();
		feed("bcd");
		feed(homes[i]);
		CHECK_EQ(F.le.cur, 0);
		feed("a");
		feed(ends[i]);
		CHECK_EQ(F.le.cur, 4);
		feed("e");
		CHECK_STR(F.le.buf, "abcde");
		CHECK(F.ok);
	}
	fx_init();
	feed("abcd" LEFT);
	size_t mark = F.t.raw_len;
	feed(HOME);
	CHECK_STR(F.t.raw + mark, "\x1b[3D");
	mark = F.t.raw_len;
	feed(END);
	CHECK_STR(F.t.raw + mark, "\x1b[4C");
	mark = F.t.raw_len;
	feed(END RIGHT);
	CHECK_EQ(F.t.raw_len, mark); /* already there: nothing sent */
}

TEST(delete_key)
{
	fx_init();
	feed("abcd" HOME DEL);
	CHECK_STR(F.le.buf, "bcd");
	CHECK_EQ(F.le.cur, 0);
	feed(RIGHT DEL);
	CHECK_STR(F.le.buf, "bd");
	CHECK_EQ(F.le.cur, 1);
	size_t mark = F.t.raw_len;
	feed(END DEL);
	CHECK_STR(F.le.buf, "bd");
	CHECK_STR(F.t.raw + mark, "\x1b[1C"); /* only the End move */
	/* Delete with modifiers (ESC [ 3 ; 5 ~) is not a plain delete. */
	feed(HOME "\x1b[3;5~");
	CHECK_STR(F.le.buf, "bd");
	CHECK(F.ok);
}

TEST(history_browse)
{
	fx_init();
	feed("one\rtwo\rtw");
	feed(UP);
	CHECK_STR(F.le.buf, "two");
	CHECK_EQ(F.le.cur, 3);
	feed(UP);
	CHECK_STR(F.le.buf, "one");
	feed(UP); /* oldest: stays */
	CHECK_STR(F.le.buf, "one");
	feed(DOWN);
	CHECK_STR(F.le.buf, "two");
	feed(DOWN); /* back to the partially typed line */
	CHECK_STR(F.le.buf, "tw");
	CHECK_EQ(F.le.cur, 2);
	feed(DOWN);
	CHECK_STR(F.le.buf, "tw");
	/* Editing a recalled line does not change the history. */
	feed(UP "\x7f\x7f" "X" UP DOWN);
	CHECK_STR(F.le.buf, "two");
	feed(DOWN);
	CHECK_STR(F.le.buf, "tw");
	/* A recalled line can be edited and entered. */
	feed(UP UP LEFT "Z\r");
	CHECK_STR(F.lines[2], "onZe");
	CHECK_EQ(F.le.hist_count, 3);
	feed(UP);
	CHECK_STR(F.le.buf, "onZe");
	/* Up with no history at all does nothing. */
	fx_init();
	feed("abc" UP);
	CHECK_STR(F.le.buf, "abc");
	CHECK(F.ok);
}

TEST(history_limit_and_duplicates)
{
	char line[16];

	fx_init();
	for (int i = 0; i < LE_HISTORY + 4; i++) {
		snprintf(line, sizeof(line), "c%d\r", i);
		feed(line);
	}
	CHECK_EQ(F.le.hist_count, LE_HISTORY);
	for (int i = 0; i < LE_HISTORY; i++)
		feed(UP);
	CHECK_STR(F.le.buf, "c4"); /* the oldest kept: c0..c3 fell off */
	feed(UP);
	CHECK_STR(F.le.buf, "c4");
	for (int i = 0; i < LE_HISTORY; i++)
		feed(DOWN);
	CHECK_STR(F.le.buf, "");
	CHECK(F.ok);

	/* Consecutive repeats and empty lines are not stored; other repeats are. */
	fx_init();
	feed("a\ra\r\r\rb\ra\ra\r");
	CHECK_EQ(F.nlines, 7);
	CHECK_EQ(F.le.hist_count, 3);
	feed(UP);
	CHECK_STR(F.le.buf, "a");
	feed(UP);
	CHECK_STR(F.le.buf, "b");
	feed(UP);
	CHECK_STR(F.le.buf, "a");
	feed(UP);
	CHECK_STR(F.le.buf, "a");
	CHECK(F.ok);
}

TEST(complete_none)
{
	fx_init();
	feed("xyz\t");
	CHECK_STR(F.le.buf, "xyz");
	CHECK_EQ(F.t.bells, 1);
	CHECK(F.ok);
}

TEST(complete_one)
{
	fx_init();
	feed("he\t");
	CHECK_STR(F.le.buf, "help ");
	CHECK_EQ(F.le.cur, 5);
	feed("x\r");
	CHECK_STR(F.lines[0], "help x");
	/* Already complete: just the space. */
	feed("reboot\t");
	CHECK_STR(F.le.buf, "reboot ");
	/* A following space is stepped over, not doubled. */
	fx_init();
	feed("cp 1" LEFT LEFT "\t");
	CHECK_STR(F.le.buf, "cpuid 1");
	CHECK_EQ(F.le.cur, 6);
	/* Leading blanks are not part of the command name. */
	fx_init();
	feed("  lo\t");
	CHECK_STR(F.le.buf, "  log ");
	CHECK_EQ(F.t.bells, 0);
	CHECK(F.ok);
}

TEST(complete_many)
{
	fx_init();
	feed("me\t");
	CHECK_STR(F.le.buf, "mem"); /* mem, memmap: extended to the common prefix */
	CHECK_EQ(F.t.newlines, 0);
	feed("\t"); /* nothing more to add: list them */
	CHECK_STR(F.le.buf, "mem");
	CHECK_STR(F.t.prev, "mem  memmap");
	CHECK_EQ(F.t.newlines, 2);
	feed("m\t");
	CHECK_STR(F.le.buf, "memmap ");

	fx_init();
	feed("h\t");
	CHECK_STR(F.le.buf, "h");
	CHECK_STR(F.t.prev, "help  history");
	CHECK_STR(F.t.raw, PROMPT "h\r\nhelp  history\r\n" PROMPT "h");

	/* Listing with the cursor inside the line puts it back. */
	fx_init();
	feed("v arg" LEFT LEFT LEFT LEFT "\t");
	CHECK_STR(F.le.buf, "vm arg");
	CHECK_EQ(F.le.cur, 2);
	feed("\t");
	CHECK_STR(F.t.prev, "vm  vmcs");
	CHECK_EQ(F.le.cur, 2);

	/* Empty line: everything. */
	fx_init();
	feed("\t");
	CHECK_STR(F.t.prev, "cpuid  help  history  log  mem  memmap  reboot  vm  vmcs");
	CHECK(F.ok);
}

TEST(complete_first_word_only)
{
	fx_init();
	feed("help he");
	size_t mark = F.t.raw_len;
	feed("\t");
	CHECK_STR(F.le.buf, "help he");
	CHECK_EQ(F.t.raw_len, mark);
	/* Cursor inside the word: no completion. */
	feed(HOME RIGHT);
	mark = F.t.raw_len;
	feed("\t");
	CHECK_STR(F.le.buf, "help he");
	CHECK_EQ(F.t.raw_len, mark);
	/* No callback: Tab is ignored. */
	fx_init_with(NULL);
	feed("he\t");
	CHECK_STR(F.le.buf, "he");
	CHECK(F.ok);
}

TEST(complete_fills_line)
{
	char in[LE_LINE_MAX + 8];

	/* "he" + ' ' + 251 x = 254 bytes: only one byte of "lp" fits. */
	fx_init();
	memset(in, 'x', sizeof(in));
	memcpy(in, "he ", 3);
	feedn(in, 254);
	CHECK_EQ(F.le.len, 254);
	feed(HOME RIGHT RIGHT "\t");
	CHECK_EQ(F.le.len, LE_LINE_MAX - 1);
	CHECK(strncmp(F.le.buf, "hel xx", 6) == 0);
	CHECK_EQ(F.le.cur, 3);
	CHECK_EQ(F.t.bells, 1);
	CHECK(F.ok);
}

/* Hostile completion callbacks: claim more than they store, store NULLs or
 * strings that do not match. */
static size_t complete_flood(void *ctx, const char *prefix, const char **cands, size_t max)
{
	(void)ctx;
	(void)prefix;
	for (size_t i = 0; i < max; i++)
		cands[i] = i % 3 == 0 ? NULL : (i % 3 == 1 ? "aa" : "ab");
	return 100000;
}

static size_t complete_liar(void *ctx, const char *prefix, const char **cands, size_t max)
{
	(void)ctx;
	(void)prefix;
	if (max > 0)
		cands[0] = "nomatch";
	return 1;
}

static size_t complete_empty_handed(void *ctx, const char *prefix, const char **cands,
				    size_t max)
{
	(void)ctx;
	(void)prefix;
	(void)cands;
	(void)max;
	return 5; /* counts candidates but stores none */
}

TEST(complete_hostile_callback)
{
	fx_init_with(complete_flood);
	feed("a\t");
	CHECK_STR(F.le.buf, "a"); /* not all seen: never extend */
	CHECK(strncmp(F.t.prev, "aa  ab  aa", 10) == 0);
	CHECK(strlen(F.t.prev) > 5 && strcmp(F.t.prev + strlen(F.t.prev) - 5, "  ...") == 0);
	CHECK(F.ok);

	fx_init_with(complete_liar);
	feed("he\t");
	CHECK_STR(F.le.buf, "he");
	CHECK_EQ(F.t.bells, 1);
	CHECK(F.ok);

	fx_init_with(complete_empty_handed);
	feed("he\t");
	CHECK_STR(F.le.buf, "he");
	CHECK_EQ(F.t.bells, 1);
	CHECK(F.ok);
}

TEST(ctrl_c)
{
	fx_init();
	feed("abc");
	size_t mark = F.t.raw_len;
	feed("\x03");
	CHECK_STR(F.le.buf, "");
	CHECK_EQ(F.nlines, 0);
	CHECK_STR(F.t.raw + mark, "^C\r\n" PROMPT);
	CHECK_EQ(F.le.hist_count, 0);
	/* Also mid-escape and while browsing history. */
	feed("x\r" "y" UP "\x1b[\x03" "z\r");
	CHECK_EQ(F.nlines, 2);
	CHECK_STR(F.lines[1], "z");
	CHECK_EQ(F.le.hist_count, 2);
	CHECK(F.ok);
}

TEST(line_endings)
{
	fx_init();
	feed("a\r\nb\n\rc\r\r\n\n");
	CHECK_EQ(F.nlines, 6);
	CHECK_STR(F.lines[0], "a");
	CHECK_STR(F.lines[1], "b");
	CHECK_STR(F.lines[2], "");
	CHECK_STR(F.lines[3], "c");
	CHECK_STR(F.lines[4], "");
	CHECK_STR(F.lines[5], "");
	/* A byte between CR and LF breaks the pair. */
	fx_init();
	feed("a\r\x80\n");
	CHECK_EQ(F.nlines, 2);
	CHECK(F.ok);
}

TEST(long_line)
{
	static char in[4096];

	fx_init();
	memset(in, 'q', sizeof(in));
	feedn(in, sizeof(in));
	CHECK_EQ(F.le.len, LE_LINE_MAX - 1);
	CHECK_EQ(F.le.cur, LE_LINE_MAX - 1);
	CHECK_EQ(F.t.bells, sizeof(in) - (LE_LINE_MAX - 1));
	/* Full line: inserting in the middle is refused too. */
	feed(HOME "z");
	CHECK_EQ(F.le.buf[0], 'q');
	feed("\r");
	CHECK_EQ(F.nlines, 1);
	CHECK_EQ(strlen(F.lines[0]), LE_LINE_MAX - 1);
	CHECK(strspn(F.lines[0], "q") == LE_LINE_MAX - 1);
	CHECK(F.ok);
}

TEST(ignored_bytes)
{
	static const struct {
		const char *in, *line;
	} cases[] = {
		{ "a\xc3\xa9" "b\xff\x80", "ab" },	       /* non-ASCII */
		{ "a\x02\x04\x07\x0b\x0c\x0e\x1f" "b", "ab" }, /* other control bytes */
		{ "a\x1b[1;5Cb", "ab" },		       /* Ctrl-Right */
		{ "a\x1b[?25hb", "ab" },		       /* private parameter */
		{ "a\x1b" "xb", "ab" },			       /* Alt-x */
		{ "a\x1b(Bb", "ab" },			       /* ESC, intermediate, final */
		{ "a\x1b[200~b\x1b[201~", "ab" },	       /* bracketed paste markers */
		{ "a\x1b[5~b\x1b[Z", "ab" },		       /* PgUp, Shift-Tab */
		{ "a\x1bOPb", "ab" },			       /* F1 */
		{ "ab\x1b\x1b[D", "ab" },		       /* ESC restarts: a real Left */
		{ "ab\x1b[99999999999999999999D", "ab999999D" }, /* 16-byte cap, rest is text */
		{ "ab\x1b[\xc3\xa9", "ab" },		       /* non-ASCII ends the sequence */
		{ "ab\x1b[1\x7f", "a" },		       /* DEL ends it and is a key */
	};

	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		fx_init();
		feed(cases[i].in);
		CHECK_STR(F.le.buf, cases[i].line);
		CHECK(F.ok);
	}
	/* Enter inside an escape sequence still ends the line. */
	fx_init();
	feed("ab\x1b[1\r");
	CHECK_EQ(F.nlines, 1);
	CHECK_STR(F.lines[0], "ab");
	CHECK(le_feed(&F.le, 'x') == false);
	/* A NUL byte is just ignored. */
	fx_init();
	feedn("a\0b", 3);
	CHECK_STR(F.le.buf, "ab");
	CHECK(F.ok);
}

TEST(redraw_with_le_start)
{
	fx_init();
	feed("abc" LEFT LEFT);
	size_t mark = F.t.raw_len;
	le_start(&F.le); /* e.g. after a log message: prompt and line again */
	CHECK_STR(F.t.raw + mark, PROMPT "abc\x1b[2D");
	CHECK_STR(F.le.buf, "abc");
	CHECK_EQ(F.le.cur, 1);
}

TEST(null_out_and_prompt)
{
	struct lineedit le;

	le_init(&le, NULL, NULL, complete_cmds, NULL);
	le_start(&le);
	for (const char *p = "he\tx" LEFT "\x7f" UP "\x03"; *p; p++)
		CHECK(!le_feed(&le, *p));
	CHECK(!le_feed(&le, 'q'));
	CHECK(le_feed(&le, '\r'));
	CHECK_STR(le.buf, "q");
	CHECK(le_ok(&le));
}

static uint64_t rng_state;

static uint64_t rng(void)
{
	/* xorshift64: fixed seed, same bytes every run. */
	rng_state ^= rng_state << 13;
	rng_state ^= rng_state >> 7;
	rng_state ^= rng_state << 17;
	return rng_state;
}

static char fuzz_byte(int mix)
{
	static const char keys[] = "ABCDHF~;?0123456789O[";
	unsigned r = (unsigned)(rng() % 100);

	if (mix == 0)
		return (char)(rng() & 0xff);
	if (r < 22)
		return '\x1b';
	if (r < 40)
		return '[';
	if (r < 60)
		return keys[rng() % (sizeof(keys) - 1)];
	if (r < 80)
		return (char)(0x20 + rng() % 0x5f);
	if (r < 86)
		return (char)(rng() % 0x20);
	if (r < 90)
		return (char)(0x80 + rng() % 0x80);
	if (r < 93)
		return '\t';
	if (r < 96)
		return '\x7f';
	return mix == 1 ? 'x' : '\r'; /* mix 1 builds long lines, mix 2 many short ones */
}

static void null_out(void *ctx, const char *s, size_t n)
{
	(void)ctx;
	(void)s;
	(void)n;
}

/* The "help\r" probe: after Ctrl-C, whatever came before, "help" comes out. */
static bool probe_help(const struct lineedit *src)
{
	static struct lineedit le;
	const char *probe = "\x03help\r";

	memcpy(&le, src, sizeof(le));
	le.out = null_out;
	le.ctx = NULL;
	for (const char *p = probe; *p; p++) {
		bool done = le_feed(&le, *p);

		if (done != (p[1] == '\0'))
			return false;
	}
	return strcmp(le.buf, "help") == 0 && le.len == 4;
}

TEST(fuzz)
{
	bool probes_ok = true;

	fx_init();
	rng_state = 0x9e3779b97f4a7c15ull;
	for (int i = 0; i < 200000 && F.ok; i++) {
		char c = fuzz_byte((i / 20000) % 3);

		feedn(&c, 1);
		if (i % 997 == 0 && !probe_help(&F.le))
			probes_ok = false;
	}
	CHECK(F.ok);
	CHECK(probes_ok);
	CHECK(F.nlines > 100);
	CHECK(F.le.hist_count == LE_HISTORY);
	feed("\x03help\r");
	CHECK_STR(F.lines[(F.nlines - 1) % MAX_LINES], "help");
	CHECK(F.ok);
}

int main(void)
{
	/* Line-buffered, so a sanitizer abort still shows the results before it. */
	setvbuf(stdout, NULL, _IOLBF, 0);
	RUN(insert_and_enter);
	RUN(line_kept_until_next_byte);
	RUN(backspace);
	RUN(ctrl_u);
	RUN(ctrl_w);
	RUN(arrows_and_insert_in_middle);
	RUN(home_end);
	RUN(delete_key);
	RUN(history_browse);
	RUN(history_limit_and_duplicates);
	RUN(complete_none);
	RUN(complete_one);
	RUN(complete_many);
	RUN(complete_first_word_only);
	RUN(complete_fills_line);
	RUN(complete_hostile_callback);
	RUN(ctrl_c);
	RUN(line_endings);
	RUN(long_line);
	RUN(ignored_bytes);
	RUN(redraw_with_le_start);
	RUN(null_out_and_prompt);
	RUN(fuzz);
	return CHECK_DONE();
}
