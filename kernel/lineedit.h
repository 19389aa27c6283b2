/* The shell's line editor: a pure state machine fed one input byte at a time,
 * producing terminal output through a callback. Compiled on the host for tests.
 * Keys: printable ASCII inserts at the cursor; Backspace/DEL deletes left;
 * Ctrl-U kills to start of line; Ctrl-W kills the previous word; Ctrl-A/Ctrl-E
 * home/end; Ctrl-C discards the line; ESC [ C / ESC [ D move right/left;
 * ESC [ A / ESC [ B walk the history; Tab completes a command name; CR or LF ends
 * the line (CR LF counts once). Other control bytes and unknown escape sequences
 * are ignored. A line never exceeds LE_LINE_MAX - 1 bytes: extra input is dropped
 * (the bell is rung). */
#ifndef KERNEL_LINEEDIT_H
#define KERNEL_LINEEDIT_H

#include <stdbool.h>
#include <stddef.h>

#define LE_LINE_MAX 256
#define LE_HISTORY 16

struct lineedit;
typedef void (*le_out_fn)(void *ctx, const char *s, size_t n);
/* Completion: return the number of candidates that start with `prefix`, storing up
 * to `max` pointers to them (static strings). */
typedef size_t (*le_complete_fn)(void *ctx, const char *prefix, const char **cands, size_t max);

struct lineedit {
	char buf[LE_LINE_MAX];
	size_t len, cur;
	char hist[LE_HISTORY][LE_LINE_MAX];
	size_t hist_count;  /* entries stored (<= LE_HISTORY) */
	size_t hist_head;   /* index where the next entry is written */
	size_t hist_pos;    /* 0 = editing the new line, k = k-th most recent */
	char saved[LE_LINE_MAX]; /* the new line while browsing history */
	int esc;            /* escape-sequence parser state */
	bool last_cr;
	le_out_fn out;
	le_complete_fn complete;
	void *ctx;
	const char *prompt;
};

void le_init(struct lineedit *le, const char *prompt, le_out_fn out, le_complete_fn complete,
	     void *ctx);
/* Print the prompt (and the current line). */
void le_start(struct lineedit *le);
/* Feed one byte. Returns true when a line is complete: it is then in le->buf
 * (NUL-terminated), added to the history if non-empty and not a repeat, and the
 * editor is reset for the next line (call le_start to prompt again). */
bool le_feed(struct lineedit *le, char c);

#endif
