/* The debug shell: reads lines from the console through the line editor, splits
 * them into words and runs the command registered under the first word. */
#include "kernel/shell.h"

#include "drivers/io.h"
#include "kernel/console.h"
#include "kernel/kstring.h"
#include "kernel/idle.h"
#include "kernel/lineedit.h"
#include "kernel/platform.h"
#include "kernel/sched.h"
#include "kernel/vm.h"

extern const struct shell_cmd __shell_cmds_start[], __shell_cmds_end[];

#define MAX_CMDS 128
static const struct shell_cmd *cmds[MAX_CMDS];
static size_t ncmds;

static void sort_commands(void)
{
	for (const struct shell_cmd *c = __shell_cmds_start; c < __shell_cmds_end && ncmds < MAX_CMDS;
	     c++) {
		size_t i = ncmds++;
		while (i > 0 && strcmp(cmds[i - 1]->name, c->name) > 0) {
			cmds[i] = cmds[i - 1];
			i--;
		}
		cmds[i] = c;
	}
}

static const struct shell_cmd *find_command(const char *name)
{
	for (size_t i = 0; i < ncmds; i++)
		if (!strcmp(cmds[i]->name, name))
			return cmds[i];
	return 0;
}

int shell_usage(const char *name)
{
	const struct shell_cmd *c = find_command(name);

	cprintf("usage: %s %s\n", name, c ? c->args : "");
	return 1;
}

static size_t complete(void *ctx, const char *prefix, const char **cands, size_t max)
{
	size_t n = 0, plen = strlen(prefix);

	(void)ctx;
	for (size_t i = 0; i < ncmds; i++) {
		if (strncmp(cmds[i]->name, prefix, plen))
			continue;
		if (n < max)
			cands[n] = cmds[i]->name;
		n++;
	}
	return n;
}

/* Split `line` in place into words; a word may be double-quoted to hold spaces.
 * Returns the word count, or -1 when there are too many or a quote is open. */
static int split(char *line, char **argv)
{
	int argc = 0;
	char *p = line;

	for (;;) {
		while (*p == ' ' || *p == '\t')
			p++;
		if (!*p)
			return argc;
		if (argc == SHELL_MAX_ARGS)
			return -1;
		if (*p == '"') {
			argv[argc++] = ++p;
			while (*p && *p != '"')
				p++;
			if (!*p)
				return -1;
		} else {
			argv[argc++] = p;
			while (*p && *p != ' ' && *p != '\t')
				p++;
			if (!*p)
				return argc;
		}
		*p++ = 0;
	}
}

static void run_line(char *line)
{
	char *argv[SHELL_MAX_ARGS + 1];
	int argc = split(line, argv);

	if (argc < 0) {
		cprintf("error: too many words (at most %d) or an unclosed quote\n", SHELL_MAX_ARGS);
		return;
	}
	if (argc == 0)
		return;
	argv[argc] = 0;
	const struct shell_cmd *c = find_command(argv[0]);
	if (!c) {
		cprintf("unknown command '%s' (try 'help')\n", argv[0]);
		return;
	}
	c->fn(argc, argv);
}

static void out(void *ctx, const char *s, size_t n)
{
	(void)ctx;
	console_write(s, n);
}

static struct vm *attached;
static struct lineedit le;
static volatile bool at_prompt;    /* the prompt is on screen, no command runs */
static volatile bool prompt_left;  /* output has moved on from the prompt's line */
static volatile bool typed_since;  /* keys echoed on the line since that output */

void shell_print_async(const char *s, size_t n)
{
	/* Start below an idle prompt rather than after it. The prompt is not drawn
	 * again (a second prompt would look like a command finished); typing goes
	 * on where the output ended. */
	/* Nor right after what the user typed since (it stays on its own line;
	 * the line being edited is whole again at Enter). */
	if (at_prompt && !attached && (!prompt_left || typed_since)) {
		prompt_left = true;
		typed_since = false;
		console_write("\n", 1);
	}
	console_write(s, n);
}

void shell_attach(struct vm *vm)
{
	attached = vm;
	cprintf("[attached to %s's console; Ctrl-] returns to the shell]\n", vm->name);
}

struct vm *shell_attached(void) { return attached; }

/* Ctrl-] as telnet and QEMU use it. */
#define DETACH_KEY 0x1d

void shell_run(void)
{
	sort_commands();
	le_init(&le, "terrapin> ", out, complete, 0);
	le_start(&le);
	at_prompt = true;
	for (;;) {
		int c = console_getc();
		/* A VM that stops (powers off, faults) gives the terminal back. */
		if (attached && attached->state == VM_STOPPED && c < 0)
			c = DETACH_KEY;
		if (c >= 0 && attached) {
			if (c == DETACH_KEY || !vm_find(attached->name)) {
				attached = 0;
				cprintf("\n[back in the Terrapin shell]\n");
				prompt_left = typed_since = false;
				le_start(&le);
				at_prompt = true;
			} else {
				char ch = (char)c;
				platform_console_input(attached, &ch, 1);
			}
			continue;
		}
		if (c < 0) {
			/* This CPU runs vCPUs too, a slice at a time, between keystrokes. */
			idle_check();
			if (!sched_run_once())
				__asm__ volatile("sti; hlt" ::: "memory");
			continue;
		}
		if (!le_feed(&le, (char)c)) {
			typed_since = prompt_left;
			continue;
		}
		at_prompt = false;
		run_line(le.buf);
		prompt_left = typed_since = false;
		if (attached)
			continue; /* the prompt comes back with Ctrl-] */
		le_start(&le);
		at_prompt = true;
	}
}

static int cmd_help(int argc, char **argv)
{
	if (argc > 2)
		return shell_usage("help");
	if (argc == 2) {
		const struct shell_cmd *c = find_command(argv[1]);
		if (!c) {
			cprintf("help: no command '%s' (try 'help')\n", argv[1]);
			return 1;
		}
		cprintf("%s %s\n    %s\n", c->name, c->args, c->help);
		return 0;
	}
	cprintf("Commands (help CMD for one; Tab completes, Up/Down recall):\n");
	for (size_t i = 0; i < ncmds; i++)
		cprintf("  %-10s %s\n", cmds[i]->name, cmds[i]->help);
	return 0;
}
SHELL_COMMAND(help, "help", "[CMD]", "list commands, or describe one", cmd_help);
