/* Debug shell commands register themselves from their own subsystem:
 *
 *   static int cmd_mem(int argc, char **argv) { ... }
 *   SHELL_COMMAND(mem, "mem", "", "physical frames: total, free, by owner", cmd_mem);
 *
 * The linker gathers them into the .shell_cmds section (see linker.ld); the shell
 * sorts them by name for `help` and tab completion. A command prints with cprintf()
 * and returns 0, or prints a one-line error and returns non-zero. argv[0] is the
 * command name; argc is at most SHELL_MAX_ARGS. */
#ifndef KERNEL_SHELL_H
#define KERNEL_SHELL_H

#include "kernel/log.h"

#define SHELL_MAX_ARGS 16

struct shell_cmd {
	const char *name;
	const char *args; /* argument synopsis for help, e.g. "[NAME]" */
	const char *help; /* one line */
	int (*fn)(int argc, char **argv);
};

#define SHELL_COMMAND(ident, name, args, help, fn)                                        \
	static const struct shell_cmd shell_cmd_##ident                                   \
		__attribute__((used, section(".shell_cmds"), aligned(8))) = { name, args, \
									      help, fn }

/* Print "usage: NAME ARGS" for the command; returns 1 (for `return shell_usage(..)`). */
int shell_usage(const char *name);

struct vm;
/* Send console input to this VM's UART until the user presses Ctrl-]. */
void shell_attach(struct vm *vm);
/* The VM the console is attached to, or NULL. */
struct vm *shell_attached(void);

/* Output that arrives on its own (a guest's console lines): printed on a line
 * of its own, with the prompt drawn again below it. */
void shell_print_async(const char *s, size_t n);

/* Run the shell on the console forever. */
void shell_run(void) __attribute__((noreturn));

#endif
