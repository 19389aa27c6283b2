/* `selftest`: deliberately exercise paths that must work when things go wrong,
 * so tests can check them (available in every build). */
#include "kernel/kstring.h"
#include "kernel/panic.h"
#include "kernel/shell.h"

/* noinline so the backtrace shows a named frame between the shell and the fault. */
static __attribute__((noinline)) void fault_pf(void)
{
	volatile uintptr_t addr = 0x8; /* page 0 is never mapped */
	(void)*(volatile uint64_t *)addr;
}

static __attribute__((noinline)) void fault_ud(void) { __asm__ volatile("ud2"); }

static __attribute__((noinline)) void fault_de(void)
{
	volatile uint32_t zero = 0, x = 1;
	x /= zero;
}

static __attribute__((noinline)) void fault_wp(void)
{
	/* Code is mapped read-only: writing over it must fault, not succeed. */
	volatile uint8_t *code = (volatile uint8_t *)(uintptr_t)fault_ud;
	*code = 0x90;
}

static int cmd_selftest(int argc, char **argv)
{
	if (argc == 3 && !strcmp(argv[1], "fault")) {
		if (!strcmp(argv[2], "pf"))
			fault_pf();
		else if (!strcmp(argv[2], "ud"))
			fault_ud();
		else if (!strcmp(argv[2], "de"))
			fault_de();
		else if (!strcmp(argv[2], "wp"))
			fault_wp();
		else if (!strcmp(argv[2], "panic"))
			panic("selftest: panic on request");
		else
			return shell_usage("selftest");
		cprintf("selftest: fault %s did not fault!\n", argv[2]);
		return 1;
	}
	if (argc == 2 && !strcmp(argv[1], "fault")) {
		fault_pf();
		cprintf("selftest: page fault did not fault!\n");
		return 1;
	}
	return shell_usage("selftest");
}
SHELL_COMMAND(selftest, "selftest", "fault [pf|ud|de|wp|panic]",
	      "stop Terrapin with a deliberate fault (register dump and backtrace)", cmd_selftest);
