/* `info`: what this Terrapin is and what it found. */
#include "kernel/cpu.h"
#include "kernel/kernel.h"
#include "kernel/percpu.h"
#include "kernel/shell.h"
#include "kernel/time.h"
#include "mm/frame.h"
#include "mm/mem.h"
#include "mm/memmap.h"

static int cmd_info(int argc, char **argv)
{
	const struct boot_info *bi = kernel_boot_info();
	static struct frame_pool s;
	uint32_t online = 0;

	(void)argv;
	if (argc != 1)
		return shell_usage("info");
	mem_stats(&s);
	for (uint32_t i = 0; i < ncpus; i++)
		online += percpu[i].online;
	cprintf("Terrapin %s, built %s %s\n", TERRAPIN_VERSION, __DATE__, __TIME__);
	cprintf("boot door:    %s (loader \"%s\", firmware %s)\n", boot_door_name(bi->door),
		bi->loader, bi->firmware_efi ? "UEFI" : "BIOS");
	cprintf("command line: \"%s\"\n", bi->cmdline);
	cprintf("modules:      %u\n", bi->module_count);
	cprintf("memory:       %llu MiB usable, %llu MiB free\n",
		(unsigned long long)(memmap_total(mem_map, mem_map_count, MEM_USABLE) >> 20),
		(unsigned long long)((s.count[FRAME_FREE] * FRAME_SIZE) >> 20));
	cprintf("cpu:          %s \"%s\" family %u model %u stepping %u\n", cpu.vendor_str,
		cpu.brand, cpu.family, cpu.model, cpu.stepping);
	cprintf("cpus:         %u online of %u, TSC %u kHz\n", online, ncpus, tsc_khz);
	cpu_print_features();
	return 0;
}
SHELL_COMMAND(info, "info", "", "version, boot door, command line, memory, CPU and virtualization features", cmd_info);
