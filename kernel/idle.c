/* on_idle=: what Terrapin does once every VM has stopped. `shell` (the default)
 * keeps the shell; `exit` powers the machine off, and under QEMU with its
 * isa-debug-exit device leaves through it with the last VM's exit status, so
 * `qemu ... terrapin.iso; echo $?` gives a CI job its guest's verdict (QEMU exits
 * with (status << 1) | 1; a VM stopped without a status of its own, by a fault or
 * from the shell, counts as status 255). */
#include "kernel/idle.h"

#include "drivers/acpi.h"
#include "drivers/io.h"
#include "kernel/cmdline.h"
#include "kernel/kstring.h"
#include "kernel/log.h"
#include "kernel/time.h"
#include "kernel/vm.h"

static bool exit_when_idle;
static bool saw_vm;
static struct vm *last_stopped;
static uint64_t last_stop_seen;

int idle_init(const char *cmdline)
{
	char val[16];

	if (!cmdline_get(cmdline, "on_idle", val, sizeof(val)))
		return 0;
	if (!strcmp(val, "exit")) {
		exit_when_idle = true;
	} else if (strcmp(val, "shell")) {
		pr_warn("on_idle=%s unknown (shell or exit): keeping the shell\n", val);
		return -1;
	}
	return 0;
}

/* QEMU answers "QEMU" on its fw_cfg port: only then is port 0xf4 its
 * isa-debug-exit (if the user added it) rather than some board's register. */
static bool under_qemu(void)
{
	char sig[4];

	outw(0x510, 0);
	for (int i = 0; i < 4; i++)
		sig[i] = (char)inb(0x511);
	return !memcmp(sig, "QEMU", 4);
}

void idle_check(void)
{
	unsigned running = 0;
	struct vm *last = 0;

	if (!exit_when_idle)
		return;
	for (unsigned i = 0; i < VM_MAX; i++) {
		struct vm *vm = vms[i];
		if (!vm)
			continue;
		saw_vm = true;
		if (vm->state == VM_RUNNING || vm->state == VM_PAUSED || vm->state == VM_CREATED)
			running++;
		else
			last = vm;
	}
	if (!saw_vm || running)
		return;
	if (last != last_stopped) {
		last_stopped = last;
		last_stop_seen = time_us();
	}
	/* Let the guest's last console lines drain. */
	if (time_us() - last_stop_seen < 100000)
		return;
	/* A VM that Terrapin or the user stopped has no status of its own: 255 says so. */
	int status = last && last->has_status ? last->exit_status : 255;
	pr_info("on_idle=exit: every VM has stopped (last: %s, status %d); powering off\n",
		last ? last->name : "-", status);
	if (under_qemu())
		outl(0xf4, (uint32_t)status);
	acpi_poweroff();
	pr_err("on_idle=exit: power-off failed; staying in the shell\n");
	exit_when_idle = false;
}
