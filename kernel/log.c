/* Leveled log: every message goes into a ring of fixed-size lines (so `log` can
 * show what scrolled by); those at or below the console level are printed too. */
#include "kernel/log.h"

#include "drivers/io.h"
#include "kernel/kstring.h"
#include "kernel/printf.h"
#include "kernel/shell.h"
#include "kernel/spinlock.h"
#include "kernel/time.h"

#define LOG_LINES 256
#define LOG_LINE_LEN 160

static char ring[LOG_LINES][LOG_LINE_LEN];
static unsigned ring_next, ring_count;
static spinlock_t ring_lock;
static int console_level = LOG_INFO;

static const char *const level_names[] = { "err", "warn", "info", "debug" };

void log_set_level(int level) { console_level = level; }

int log_parse_level(const char *name)
{
	for (int i = 0; i < 4; i++)
		if (!strcmp(name, level_names[i]))
			return i;
	if (name[0] >= '0' && name[0] <= '3' && !name[1])
		return name[0] - '0';
	return -1;
}

void log_printf(int level, const char *fmt, ...)
{
	char line[LOG_LINE_LEN];
	uint64_t us = time_us();
	int n = ksnprintf(line, sizeof(line), "[%5u.%06u] ", (unsigned)(us / 1000000),
			  (unsigned)(us % 1000000));
	va_list ap;

	va_start(ap, fmt);
	kvsnprintf(line + n, sizeof(line) - n, fmt, ap);
	va_end(ap);
	size_t len = strlen(line);
	if (len && line[len - 1] == '\n')
		line[--len] = 0;

	uint64_t f = spin_lock_irqsave(&ring_lock);
	memcpy(ring[ring_next], line, len + 1);
	ring_next = (ring_next + 1) % LOG_LINES;
	if (ring_count < LOG_LINES)
		ring_count++;
	spin_unlock_irqrestore(&ring_lock, f);

	if (level <= console_level) {
		line[len] = '\n';
		console_write(line, len + 1);
	}
}

void cprintf(const char *fmt, ...)
{
	char buf[512];
	va_list ap;

	va_start(ap, fmt);
	int n = kvsnprintf(buf, sizeof(buf), fmt, ap);
	va_end(ap);
	console_write(buf, n < (int)sizeof(buf) ? (size_t)n : sizeof(buf) - 1);
}

void log_dump(void (*fn)(const char *line, size_t n))
{
	/* Copy out under the lock, print without it: fn may log. */
	static char copy[LOG_LINE_LEN];
	unsigned count = ring_count, start = (ring_next + LOG_LINES - ring_count) % LOG_LINES;

	for (unsigned i = 0; i < count; i++) {
		uint64_t f = spin_lock_irqsave(&ring_lock);
		memcpy(copy, ring[(start + i) % LOG_LINES], LOG_LINE_LEN);
		spin_unlock_irqrestore(&ring_lock, f);
		fn(copy, strlen(copy));
	}
}

static void print_line(const char *line, size_t n)
{
	console_write(line, n);
	console_write("\n", 1);
}

static int cmd_log(int argc, char **argv)
{
	if (argc == 3 && !strcmp(argv[1], "level")) {
		int lvl = log_parse_level(argv[2]);
		if (lvl < 0) {
			cprintf("log: unknown level '%s' (err, warn, info, debug)\n", argv[2]);
			return 1;
		}
		console_level = lvl;
		return 0;
	}
	if (argc != 1)
		return shell_usage("log");
	log_dump(print_line);
	return 0;
}
SHELL_COMMAND(log, "log", "[level err|warn|info|debug]",
	      "print the log ring buffer, or set the console log level", cmd_log);
