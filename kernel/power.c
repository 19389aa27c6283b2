/* `reboot` and `poweroff`: the ACPI way first, then the legacy fallbacks. */
#include "drivers/acpi.h"
#include "drivers/io.h"
#include "kernel/kstring.h"
#include "kernel/panic.h"
#include "kernel/shell.h"
#include "kernel/time.h"

static void kbc_wait(void)
{
	for (int i = 0; i < 100000 && (inb(0x64) & 0x02); i++)
		cpu_relax();
}

static __attribute__((noreturn)) void machine_reboot(void)
{
	int r = acpi_reset();

	cprintf("reboot: %s\n", r ? "no ACPI reset register, trying the keyboard controller"
				  : "ACPI reset register written");
	udelay(100000);
	irq_disable();
	/* The 8042's pulse-reset command, then the chipset's reset control register. */
	kbc_wait();
	outb(0x64, 0xfe);
	udelay(100000);
	outb(0xcf9, 0x02);
	outb(0xcf9, 0x06);
	udelay(100000);
	/* Last resort: a triple fault (no IDT, then an exception). */
	cprintf("reboot: forcing a triple fault\n");
	struct {
		uint16_t limit;
		uint64_t base;
	} __attribute__((packed)) none = { 0, 0 };
	__asm__ volatile("lidt %0; int3" : : "m"(none));
	for (;;)
		__asm__ volatile("hlt");
}

static int cmd_reboot(int argc, char **argv)
{
	(void)argv;
	if (argc != 1)
		return shell_usage("reboot");
	machine_reboot();
}
SHELL_COMMAND(reboot, "reboot", "", "reset the machine (ACPI reset register, 8042, 0xCF9, triple fault)",
	      cmd_reboot);

static int cmd_poweroff(int argc, char **argv)
{
	(void)argv;
	if (argc != 1)
		return shell_usage("poweroff");
	cprintf("poweroff: entering ACPI S5\n");
	int r = acpi_poweroff();
	if (r == 0)
		udelay(500000);
	cprintf("poweroff: ACPI S5 %s; halting instead\n",
		r ? "is not available (no FADT PM1 control or no \\_S5 in the DSDT)" : "did not take effect");
	smp_stop_others();
	for (;;)
		__asm__ volatile("cli; hlt");
}
SHELL_COMMAND(poweroff, "poweroff", "", "turn the machine off through ACPI S5 (ends QEMU)", cmd_poweroff);
