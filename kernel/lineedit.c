/* The debug shell's line editor (see kernel/lineedit.h). A pure state machine:
 * each byte from the serial console goes through le_feed, which edits le->buf
 * and echoes through le->out with plain VT100 sequences, so the same code runs
 * in host unit tests. The bytes come from whatever is on the other end of the
 * wire, so no byte sequence may grow the line past LE_LINE_MAX - 1 or leave the
 * editor stuck in an escape sequence. */
#include <stdbool.h>
#include <stddef.h>

#include "kernel/kstring.h"
#include "kernel/lineedit.h"

/* Longest escape sequence parsed, ESC included. Real keys send at most ~7 bytes
 * ("ESC [ 1 ; 5 C"); longer is line noise and is dropped so it cannot wedge us. */
#define LE_ESC_MAX 16
/* Completion candidates looked at per Tab (the shell has far fewer commands). */
#define LE_COMPLETE_MAX 64

enum le_esc_state {
	LE_ESC_NONE,
	LE_ESC_START, /* ESC seen */
	LE_ESC_INTER, /* ESC then intermediate bytes (ECMA-48 5.3: ESC I..I F) */
	LE_ESC_CSI,   /* ESC [ (ECMA-48 5.4: parameters, intermediates, final byte) */
	LE_ESC_SS3,   /* ESC O: cursor keys in the terminal's "application" mode */
};

/* le->esc packs the parser state into the one int the header gives it:
 * bits 0-2 state, 3-7 bytes seen, 8-17 numeric parameter (saturating),
 * bit 18 a digit was seen, bit 19 a parameter form we do not act on (several
 * parameters, private markers, intermediates). Bit 20 is not escape state: it
 * marks that buf still holds a completed line, cleared at the next byte or
 * le_start (the header keeps the line readable after le_feed returns true). */
#define LE_ESC_STATE_MASK 0x7u
#define LE_ESC_COUNT_SHIFT 3
#define LE_ESC_COUNT_MASK 0x1fu
#define LE_ESC_PARAM_SHIFT 8
#define LE_ESC_PARAM_MASK 0x3ffu
#define LE_ESC_DIGIT (1u << 18)
#define LE_ESC_ODD (1u << 19)
#define LE_DONE (1u << 20)

struct le_esc {
	unsigned state, count, param;
	bool digit, odd;
};

static struct le_esc le_esc_get(const struct lineedit *le)
{
	unsigned v = (unsigned)le->esc;
	struct le_esc e = {
		.state = v & LE_ESC_STATE_MASK,
		.count = (v >> LE_ESC_COUNT_SHIFT) & LE_ESC_COUNT_MASK,
		.param = (v >> LE_ESC_PARAM_SHIFT) & LE_ESC_PARAM_MASK,
		.digit = (v & LE_ESC_DIGIT) != 0,
		.odd = (v & LE_ESC_ODD) != 0,
	};
	return e;
}

static void le_esc_set(struct lineedit *le, const struct le_esc *e)
{
	unsigned v = (unsigned)le->esc & LE_DONE;

	v |= e->state & LE_ESC_STATE_MASK;
	v |= (e->count & LE_ESC_COUNT_MASK) << LE_ESC_COUNT_SHIFT;
	v |= (e->param & LE_ESC_PARAM_MASK) << LE_ESC_PARAM_SHIFT;
	v |= e->digit ? LE_ESC_DIGIT : 0;
	v |= e->odd ? LE_ESC_ODD : 0;
	le->esc = (int)v;
}

static void le_esc_reset(struct lineedit *le)
{
	struct le_esc e = { .state = LE_ESC_NONE };

	le_esc_set(le, &e);
}

static void le_write(struct lineedit *le, const char *s, size_t n)
{
	if (n && le->out)
		le->out(le->ctx, s, n);
}

static void le_puts(struct lineedit *le, const char *s)
{
	le_write(le, s, strlen(s));
}

/* Move the terminal cursor n columns: CUB "ESC [ n D" or CUF "ESC [ n C". A zero
 * count is never sent: VT100 reads a parameter of 0 as 1. */
static void le_move(struct lineedit *le, size_t n, char dir)
{
	char seq[24];
	size_t i = sizeof(seq);

	if (n == 0)
		return;
	if (n == 1 && dir == 'D') {
		le_puts(le, "\b");
		return;
	}
	seq[--i] = dir;
	do {
		seq[--i] = (char)('0' + n % 10);
		n /= 10;
	} while (n);
	seq[--i] = '[';
	seq[--i] = '\x1b';
	le_write(le, seq + i, sizeof(seq) - i);
}

/* The terminal cursor is at column `from` of the line: repaint from there to the
 * end, clear what a longer old line left behind, and put the cursor at le->cur. */
static void le_redraw_from(struct lineedit *le, size_t from)
{
	le_write(le, le->buf + from, le->len - from);
	le_puts(le, "\x1b[K");
	le_move(le, le->len - le->cur, 'D');
}

static void le_clear(struct lineedit *le)
{
	le->buf[0] = '\0';
	le->len = 0;
	le->cur = 0;
	le->hist_pos = 0;
}

/* Insert n bytes at the cursor; what does not fit is dropped and rings the bell.
 * Returns whether everything fitted. */
static bool le_insert(struct lineedit *le, const char *s, size_t n)
{
	size_t room = LE_LINE_MAX - 1 - le->len;
	size_t at = le->cur;
	bool fits = n <= room;

	if (!fits)
		n = room;
	if (n) {
		memmove(le->buf + at + n, le->buf + at, le->len - at + 1);
		memcpy(le->buf + at, s, n);
		le->len += n;
		le->cur += n;
		if (le->cur == le->len)
			le_write(le, s, n); /* appending: the echo is all it takes */
		else
			le_redraw_from(le, at);
	}
	if (!fits)
		le_puts(le, "\a");
	return fits;
}

/* Remove n bytes starting at `from` (from <= cur) and leave the cursor there. */
static void le_delete(struct lineedit *le, size_t from, size_t n)
{
	le_move(le, le->cur - from, 'D');
	memmove(le->buf + from, le->buf + from + n, le->len - from - n + 1);
	le->len -= n;
	le->cur = from;
	le_redraw_from(le, from);
}

/* Ctrl-W: the spaces before the cursor, then the word before them. */
static void le_kill_word(struct lineedit *le)
{
	size_t i = le->cur;

	while (i > 0 && le->buf[i - 1] == ' ')
		i--;
	while (i > 0 && le->buf[i - 1] != ' ')
		i--;
	if (i < le->cur)
		le_delete(le, i, le->cur - i);
}

static void le_home(struct lineedit *le)
{
	le_move(le, le->cur, 'D');
	le->cur = 0;
}

static void le_end(struct lineedit *le)
{
	le_move(le, le->len - le->cur, 'C');
	le->cur = le->len;
}

/* k-th most recent history entry, 1 <= k <= hist_count. */
static const char *le_hist_entry(const struct lineedit *le, size_t k)
{
	return le->hist[(le->hist_head + LE_HISTORY - k) % LE_HISTORY];
}

static void le_replace_line(struct lineedit *le, const char *s)
{
	size_t n = strnlen(s, LE_LINE_MAX - 1);

	le_move(le, le->cur, 'D');
	memcpy(le->buf, s, n);
	le->buf[n] = '\0';
	le->len = n;
	le->cur = n;
	le_redraw_from(le, 0);
}

static void le_hist_up(struct lineedit *le)
{
	if (le->hist_pos >= le->hist_count)
		return;
	if (le->hist_pos == 0)
		memcpy(le->saved, le->buf, le->len + 1);
	le->hist_pos++;
	le_replace_line(le, le_hist_entry(le, le->hist_pos));
}

static void le_hist_down(struct lineedit *le)
{
	if (le->hist_pos == 0)
		return;
	le->hist_pos--;
	le_replace_line(le, le->hist_pos ? le_hist_entry(le, le->hist_pos) : le->saved);
}

static void le_hist_add(struct lineedit *le)
{
	if (le->len == 0)
		return;
	if (le->hist_count && strcmp(le_hist_entry(le, 1), le->buf) == 0)
		return;
	memcpy(le->hist[le->hist_head], le->buf, le->len + 1);
	le->hist_head = (le->hist_head + 1) % LE_HISTORY;
	if (le->hist_count < LE_HISTORY)
		le->hist_count++;
}

/* Repaint the prompt and line on a fresh row (after listing candidates). */
static void le_reprint(struct lineedit *le)
{
	le_puts(le, le->prompt);
	le_write(le, le->buf, le->len);
	le_move(le, le->len - le->cur, 'D');
}

/* Tab: complete the command name, i.e. the first word, with the cursor at its
 * end. One candidate: finish it and add a space. Several: extend to their
 * longest common prefix, or list them if that adds nothing. */
static void le_complete(struct lineedit *le)
{
	const char *cands[LE_COMPLETE_MAX];
	char prefix[LE_LINE_MAX];
	size_t ws = 0, plen, n, got = 0, i, j, common;
	bool all;

	if (!le->complete)
		return;
	while (ws < le->len && le->buf[ws] == ' ')
		ws++;
	if (le->cur < ws || (le->cur < le->len && le->buf[le->cur] != ' '))
		return;
	for (i = ws; i < le->cur; i++)
		if (le->buf[i] == ' ')
			return; /* an argument, not the command name */
	plen = le->cur - ws;
	memcpy(prefix, le->buf + ws, plen);
	prefix[plen] = '\0';

	memset(cands, 0, sizeof(cands)); /* a callback may store fewer than it counts */
	n = le->complete(le->ctx, prefix, cands, LE_COMPLETE_MAX);
	all = n <= LE_COMPLETE_MAX;
	/* Only trust what really extends the prefix. */
	for (i = 0; i < n && i < LE_COMPLETE_MAX; i++)
		if (cands[i] && strncmp(cands[i], prefix, plen) == 0)
			cands[got++] = cands[i];
	if (got == 0) {
		le_puts(le, "\a");
		return;
	}
	if (all && got == 1) {
		if (!le_insert(le, cands[0] + plen, strlen(cands[0] + plen)))
			return;
		if (le->cur < le->len && le->buf[le->cur] == ' ') {
			le_move(le, 1, 'C');
			le->cur++;
		} else {
			le_insert(le, " ", 1);
		}
		return;
	}
	common = strlen(cands[0]);
	for (i = 1; i < got; i++) {
		for (j = plen; j < common && cands[i][j] == cands[0][j]; j++)
			;
		common = j;
	}
	if (all && common > plen) {
		le_insert(le, cands[0] + plen, common - plen);
		return;
	}
	le_puts(le, "\r\n");
	for (i = 0; i < got; i++) {
		if (i)
			le_puts(le, "  ");
		le_puts(le, cands[i]);
	}
	if (!all)
		le_puts(le, "  ...");
	le_puts(le, "\r\n");
	le_reprint(le);
}

/* A complete CSI or SS3 sequence: act on the keys we know (xterm/VT100 cursor
 * keys, VT220 "ESC [ n ~" editing keys), ignore the rest. */
static void le_esc_key(struct lineedit *le, const struct le_esc *e, unsigned char fin)
{
	if (e->odd)
		return;
	if (!e->digit) {
		switch (fin) {
		case 'A': le_hist_up(le); break;
		case 'B': le_hist_down(le); break;
		case 'C':
			if (le->cur < le->len) {
				le_move(le, 1, 'C');
				le->cur++;
			}
			break;
		case 'D':
			if (le->cur > 0) {
				le_move(le, 1, 'D');
				le->cur--;
			}
			break;
		case 'H': le_home(le); break;
		case 'F': le_end(le); break;
		}
		return;
	}
	if (fin != '~' || e->state != LE_ESC_CSI)
		return;
	switch (e->param) {
	case 1:
	case 7: le_home(le); break;
	case 4:
	case 8: le_end(le); break;
	case 3:
		if (le->cur < le->len)
			le_delete(le, le->cur, 1);
		break;
	}
}

/* Feed a byte to an escape sequence in progress. Returns false when the byte
 * cannot belong to one: the sequence is dropped and the byte handled as input
 * (so Ctrl-C, Enter or a new ESC always get through). */
static bool le_esc_feed(struct lineedit *le, unsigned char c)
{
	struct le_esc e = le_esc_get(le);

	if (c < 0x20 || c >= 0x7f) {
		le_esc_reset(le);
		return false;
	}
	e.count++;
	switch (e.state) {
	case LE_ESC_START:
	case LE_ESC_INTER:
		if (e.state == LE_ESC_START && c == '[') {
			e.state = LE_ESC_CSI;
		} else if (e.state == LE_ESC_START && c == 'O') {
			e.state = LE_ESC_SS3;
		} else if (c < 0x30) {
			e.state = LE_ESC_INTER;
		} else {
			le_esc_reset(le); /* final byte: a key we do not use (Alt-x...) */
			return true;
		}
		break;
	default: /* CSI or SS3 */
		if (c >= 0x40) {
			le_esc_reset(le);
			le_esc_key(le, &e, c);
			return true;
		}
		if (c >= '0' && c <= '9') {
			e.param = e.param * 10 + (unsigned)(c - '0');
			if (e.param > LE_ESC_PARAM_MASK)
				e.param = LE_ESC_PARAM_MASK;
			e.digit = true;
		} else {
			e.odd = true; /* ';', private markers, intermediates */
		}
		break;
	}
	if (e.count >= LE_ESC_MAX) {
		le_esc_reset(le); /* no final byte in sight: give up on it */
		return true;
	}
	le_esc_set(le, &e);
	return true;
}

void le_init(struct lineedit *le, const char *prompt, le_out_fn out, le_complete_fn complete,
	     void *ctx)
{
	memset(le, 0, sizeof(*le));
	le->out = out;
	le->complete = complete;
	le->ctx = ctx;
	le->prompt = prompt ? prompt : "";
}

/* A line handed out by le_feed stays in buf until the editor moves on. */
static void le_take_done(struct lineedit *le)
{
	if ((unsigned)le->esc & LE_DONE) {
		le->esc = (int)((unsigned)le->esc & ~LE_DONE);
		le_clear(le);
	}
}

void le_start(struct lineedit *le)
{
	le_take_done(le);
	le_reprint(le);
}

bool le_feed(struct lineedit *le, char ch)
{
	unsigned char c = (unsigned char)ch;
	bool after_cr = le->last_cr;

	le->last_cr = false;
	le_take_done(le);
	if ((le_esc_get(le).state != LE_ESC_NONE) && le_esc_feed(le, c))
		return false;

	switch (c) {
	case '\n':
		if (after_cr)
			return false; /* the LF of a CR LF pair */
		/* fall through */
	case '\r':
		le->last_cr = c == '\r';
		le_puts(le, "\r\n");
		le_hist_add(le);
		le->hist_pos = 0;
		le->cur = le->len;
		le->esc = (int)((unsigned)le->esc | LE_DONE);
		return true;
	case 0x01: /* Ctrl-A */
		le_home(le);
		break;
	case 0x03: /* Ctrl-C */
		le_puts(le, "^C\r\n");
		le_clear(le);
		le_puts(le, le->prompt);
		break;
	case 0x05: /* Ctrl-E */
		le_end(le);
		break;
	case '\b':
	case 0x7f: /* what most terminals send for Backspace */
		if (le->cur > 0)
			le_delete(le, le->cur - 1, 1);
		break;
	case '\t':
		le_complete(le);
		break;
	case 0x15: /* Ctrl-U */
		if (le->cur > 0)
			le_delete(le, 0, le->cur);
		break;
	case 0x17: /* Ctrl-W */
		le_kill_word(le);
		break;
	case 0x1b: {
		struct le_esc e = { .state = LE_ESC_START, .count = 1 };

		le_esc_set(le, &e);
		break;
	}
	default:
		if (c >= 0x20 && c < 0x7f)
			le_insert(le, &ch, 1);
		break; /* other control bytes and non-ASCII: ignored */
	}
	return false;
}
