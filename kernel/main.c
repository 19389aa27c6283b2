/* kernel_main: bring the machine up in dependency order, then the shell. */
#include "kernel/kernel.h"

#include "drivers/acpi.h"
#include "drivers/io.h"
#include "drivers/lapic.h"
#include "drivers/pci.h"
#include "drivers/tsc.h"
#include "kernel/cmdline.h"
#include "kernel/console.h"
#include "kernel/cpu.h"
#include "kernel/guest_args.h"
#include "kernel/idle.h"
#include "kernel/log.h"
#include "kernel/percpu.h"
#include "kernel/shell.h"
#include "kernel/smp.h"
#include "kernel/time.h"
#include "kernel/trap.h"
#include "kernel/virt.h"
#include "kernel/vm.h"
#include "mm/mem.h"
#include "mm/paging.h"

static const struct boot_info *boot;
static uint8_t bsp_ist[3 * IST_STACK_SIZE] __attribute__((aligned(16)));

const struct boot_info *kernel_boot_info(void) { return boot; }

const char *boot_door_name(enum boot_door d)
{
	switch (d) {
	case BOOT_DOOR_MULTIBOOT2: return "Multiboot2";
	case BOOT_DOOR_UEFI: return "UEFI";
	default: return "unknown";
	}
}

static void console_from_cmdline(const char *line)
{
	struct console_opt con = { 0x3f8, 115200 };
	char val[64];

	if (cmdline_get(line, "console", val, sizeof(val)) && cmdline_parse_console(val, &con)) {
		console_init(0x3f8, 115200);
		pr_warn("console: bad option console=%s, using com1,115200\n", val);
		return;
	}
	console_init(con.port, con.baud);
}

/* An initrd module (initrd-of=NAME) joins the VM of that name; one that cannot
 * is reported and left out. */
static void initrd_from_module(const struct boot_module *m)
{
	struct guest_args ga;
	char err[128];
	struct vm *vm;

	if (guest_args_parse(m->args, &ga, err, sizeof(err))) {
		pr_err("initrd module \"%s\": %s; ignored\n", m->args, err);
		return;
	}
	vm = vm_find(ga.initrd_of);
	if (!vm) {
		pr_err("initrd module: initrd-of=%s names no VM; ignored\n", ga.initrd_of);
		return;
	}
	if (vm_attach_initrd(vm, phys_to_virt(m->start), m->end - m->start, err, sizeof(err)))
		pr_err("initrd module for %s: %s; ignored\n", ga.initrd_of, err);
}

/* Each boot module is a guest, or the initrd of one (in any order: guests
 * first, then initrds, then autostart). A module that cannot be used is
 * reported and the others still start. */
static void vms_from_modules(const struct boot_info *bi)
{
	for (uint32_t i = 0; i < bi->module_count; i++) {
		const struct boot_module *m = &bi->modules[i];
		if (!guest_args_is_initrd(m->args))
			vm_create(m->args, phys_to_virt(m->start), m->end - m->start);
	}
	for (uint32_t i = 0; i < bi->module_count; i++)
		if (guest_args_is_initrd(bi->modules[i].args))
			initrd_from_module(&bi->modules[i]);
	for (unsigned i = 0; i < VM_MAX; i++) {
		struct vm *vm = vms[i];
		if (vm && vm->autostart && vm->state == VM_CREATED)
			vm_start(vm);
	}
}

void kernel_main(const struct boot_info *bi)
{
	char val[32];

	boot = bi;
	console_from_cmdline(bi->cmdline);
	if (cmdline_get(bi->cmdline, "loglevel", val, sizeof(val))) {
		int lvl = log_parse_level(val);
		if (lvl < 0)
			pr_warn("loglevel=%s unknown (err, warn, info, debug or 0-3)\n", val);
		else
			log_set_level(lvl);
	}
	pr_info("Terrapin %s: door %s, loader \"%s\", firmware %s\n", TERRAPIN_VERSION,
		boot_door_name(bi->door), bi->loader, bi->firmware_efi ? "UEFI" : "BIOS");
	pr_info("command line: \"%s\"\n", bi->cmdline);
	if (bi->malformed)
		pr_warn("boot: %u malformed boot-information items skipped\n", bi->malformed);

	idt_init();
	percpu[0].index = 0;
	percpu[0].online = true;
	percpu[0].stack_top = 0;
	cpu_tables_init(&percpu[0], bsp_ist);

	cpu_detect();
	mem_init(bi);
	paging_init();
	acpi_map_limit = paging_direct_top;
	acpi_init(bi);
	lapic_init();        /* masks the 8259s; before any sti */
	tsc_calibrate();     /* HPET, PM timer or PIT (needs acpi) */
	lapic_timer_init();  /* against the TSC; starts the tick, enables interrupts */
	virt_init(); /* before the APs start: each enables it for itself */
	smp_init();
	pci_init();
	idle_init(bi->cmdline);
	vms_from_modules(bi);

	pr_info("init done in %llu us\n", (unsigned long long)time_us());
	shell_run();
}
