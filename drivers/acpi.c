/* Kernel side of ACPI: reads the firmware tables in place through the identity
 * map, logs them, keeps the result in `acpi`, and offers reset, power-off and the
 * `acpi` shell command. */
#include "drivers/acpi.h"

#include "drivers/io.h"
#include "kernel/errno.h"
#include "kernel/log.h"
#include "kernel/shell.h"

struct acpi_info acpi;
uint64_t acpi_map_limit;

static int acpi_status = -ENOENT; /* acpi_init()'s result, for the shell */
static const struct boot_info *acpi_boot;

#define SZ_4G (1ull << 32)

/* True when [phys, phys+len) lies inside one boot memory-map entry that is not
 * reserved: above 4 GiB, only RAM (ACPI tables included) is identity-mapped. */
static bool acpi_in_ram(uint64_t phys, uint64_t end)
{
	if (!acpi_boot)
		return false;
	for (uint32_t i = 0; i < acpi_boot->mmap_count && i < BOOT_MAX_MMAP; i++) {
		const struct mem_range *r = &acpi_boot->mmap[i];
		if (r->type != MEM_RESERVED && phys >= r->base && end <= r->base + r->len)
			return true;
	}
	return false;
}

/* The acpi_map_fn: identity mapping, after checking the range is mapped. Page 0 is
 * left unmapped (it catches NULL), and holes above 4 GiB are not mapped. */
static const void *acpi_map(uint64_t phys, uint64_t len, void *ctx)
{
	uint64_t end = phys + len;

	(void)ctx;
	if (len == 0 || end < phys || phys < 0x1000 || end > acpi_map_limit)
		return NULL;
	if (end > SZ_4G && !acpi_in_ram(phys, end))
		return NULL;
	return (const void *)(uintptr_t)phys;
}

static const char *acpi_space_name(uint8_t space)
{
	switch (space) {
	case ACPI_GAS_MEM:
		return "memory";
	case ACPI_GAS_IO:
		return "I/O";
	case ACPI_GAS_PCI:
		return "PCI config";
	default:
		return "unknown space";
	}
}

static const char *acpi_root_name(enum acpi_root_kind k)
{
	return k == ACPI_ROOT_XSDT ? "XSDT" : k == ACPI_ROOT_RSDT ? "RSDT" : "none";
}

static void acpi_log(void)
{
	const struct acpi_info *a = &acpi;
	uint32_t enabled = 0;

	pr_info("ACPI: RSDP %s0x%llx rev %u OEM \"%s\", root %s at 0x%llx%s\n",
		a->rsdp_phys ? "" : "(copy) ", (unsigned long long)a->rsdp_phys, a->revision, a->oem,
		acpi_root_name(a->root_kind), (unsigned long long)a->root_phys,
		a->xsdt_rejected ? " (XSDT rejected)" : "");
	for (uint32_t i = 0; i < a->table_count; i++) {
		const struct acpi_table *t = &a->tables[i];

		if (!t->valid)
			pr_warn("ACPI: %s 0x%llx len %u rejected: %s\n", t->sig,
				(unsigned long long)t->phys, t->len, t->why);
		else if (t->partial)
			pr_warn("ACPI: %s 0x%llx len %u rev %u %s: malformed (%s), partly used\n",
				t->sig, (unsigned long long)t->phys, t->len, t->rev, t->oem, t->why);
		else
			pr_info("ACPI: %s 0x%llx len %u rev %u %s%s%s\n", t->sig,
				(unsigned long long)t->phys, t->len, t->rev, t->oem,
				t->why ? ": " : "", t->why ? t->why : "");
	}
	if (a->tables_truncated)
		pr_warn("ACPI: more than %u tables; the list is cut\n", ACPI_MAX_TABLES);
	for (uint32_t i = 0; i < a->madt.cpu_count; i++)
		enabled += a->madt.cpus[i].enabled;
	if (a->madt.present)
		pr_info("ACPI: MADT: %u CPUs (%u enabled), %u IOAPICs, LAPIC at 0x%llx\n",
			a->madt.cpu_count, enabled, a->madt.ioapic_count,
			(unsigned long long)a->madt.lapic_base);
	else
		pr_warn("ACPI: no usable MADT\n");
	if (!a->fadt.present)
		pr_warn("ACPI: no usable FADT\n");
	else if (!a->s5.valid)
		pr_warn("ACPI: no \\_S5 in the DSDT: ACPI power-off unavailable\n");
}

int acpi_init(const struct boot_info *bi)
{
	const uint8_t *copy = bi->rsdp_valid ? bi->rsdp : NULL;
	uint64_t phys = bi->rsdp_phys;
	int r = -ENOENT;

	acpi_boot = bi;
	if (acpi_map_limit == 0)
		pr_warn("ACPI: acpi_map_limit is not set: no table can be read\n");
	if (copy || phys)
		r = acpi_parse(copy, copy ? sizeof(bi->rsdp) : 0, phys, acpi_map, NULL, &acpi);
	if (r == -EINVAL || r == -EFAULT)
		pr_warn("ACPI: the boot loader's RSDP is %s\n",
			r == -EINVAL ? "invalid (signature, checksum or length)" : "not mapped");
	/* ACPI 6.5 5.2.5.1: on BIOS machines the RSDP can be searched for; UEFI gives
	 * it only through its configuration table. The EBDA pointer lives in page 0,
	 * which the direct map leaves out, so only 0xE0000-0xFFFFF is searched then. */
	if ((r == -EINVAL || r == -EFAULT || (!copy && !phys)) && !bi->firmware_efi) {
		uint64_t found = acpi_find_rsdp_bios(acpi_map, NULL);

		if (found) {
			pr_info("ACPI: RSDP found in the BIOS area at 0x%llx\n",
				(unsigned long long)found);
			phys = found;
			r = acpi_parse(NULL, 0, found, acpi_map, NULL, &acpi);
		}
	}
	acpi_status = r;
	switch (r) {
	case 0:
		acpi_log();
		break;
	case -ENOENT:
		if (acpi.table_count) {
			acpi_log();
			pr_warn("ACPI: neither XSDT nor RSDT is valid: no ACPI tables used\n");
		} else {
			pr_warn("ACPI: no RSDP: no ACPI tables\n");
		}
		break;
	case -EFAULT:
		pr_warn("ACPI: the RSDP at 0x%llx is not mapped\n", (unsigned long long)phys);
		break;
	default:
		pr_warn("ACPI: no valid RSDP: no ACPI tables\n");
		break;
	}
	return r;
}

/* ---- Registers named by a Generic Address Structure ---- */

/* System-memory registers are reached through the identity map: below 4 GiB every
 * address is mapped (holes uncached), above it only what acpi_map_limit covers. */
static bool acpi_mmio_ok(uint64_t addr, uint64_t len)
{
	return addr >= 0x1000 && addr + len > addr &&
	       (addr + len <= SZ_4G || addr + len <= acpi_map_limit);
}

static int acpi_reg_read16(const struct acpi_gas *g, uint16_t *v)
{
	if (g->space == ACPI_GAS_IO && g->addr <= 0xfffe) {
		*v = inw((uint16_t)g->addr);
		return 0;
	}
	if (g->space == ACPI_GAS_MEM && acpi_mmio_ok(g->addr, 2)) {
		*v = *(volatile uint16_t *)(uintptr_t)g->addr;
		return 0;
	}
	return -ENODEV;
}

static int acpi_reg_write16(const struct acpi_gas *g, uint16_t v)
{
	if (g->space == ACPI_GAS_IO && g->addr <= 0xfffe) {
		outw((uint16_t)g->addr, v);
		return 0;
	}
	if (g->space == ACPI_GAS_MEM && acpi_mmio_ok(g->addr, 2)) {
		*(volatile uint16_t *)(uintptr_t)g->addr = v;
		return 0;
	}
	return -ENODEV;
}

int acpi_reset(void)
{
	const struct acpi_gas *g = &acpi.fadt.reset_reg;
	uint8_t v = acpi.fadt.reset_value;

	if (!acpi.fadt.reset_valid)
		return -ENODEV;
	switch (g->space) {
	case ACPI_GAS_IO:
		if (g->addr > 0xffff)
			return -ENODEV;
		outb((uint16_t)g->addr, v);
		return 0;
	case ACPI_GAS_MEM:
		if (!acpi_mmio_ok(g->addr, 1))
			return -ENODEV;
		*(volatile uint8_t *)(uintptr_t)g->addr = v;
		return 0;
	case ACPI_GAS_PCI: {
		/* ACPI 6.5 5.2.3.2: segment 0, bus 0; device in bits 47:32, function in
		 * 31:16, register offset in 15:0. Configuration mechanism #1. */
		uint64_t dev = (g->addr >> 32) & 0xffff, fn = (g->addr >> 16) & 0xffff;
		uint64_t off = g->addr & 0xffff;

		if (dev > 31 || fn > 7 || off > 0xff)
			return -ENODEV;
		outl(0xcf8, (uint32_t)(0x80000000u | dev << 11 | fn << 8 | (off & 0xfc)));
		outb((uint16_t)(0xcfc + (off & 3)), v);
		return 0;
	}
	default:
		return -ENODEV;
	}
}

/* PM1_CNT bits (ACPI 6.5 Table 4.13). */
#define PM1_SCI_EN (1u << 0)
#define PM1_SLP_TYP_SHIFT 10
#define PM1_SLP_TYP_MASK (7u << PM1_SLP_TYP_SHIFT)
#define PM1_SLP_EN (1u << 13)

/* ACPI 6.5 16.3.1: until SCI_EN is set the machine is in legacy mode, and power
 * management hardware may belong to SMM. The OS asks for ACPI mode by writing
 * ACPI_ENABLE to SMI_CMD; the firmware then sets SCI_EN. */
static void acpi_enter_acpi_mode(void)
{
	const struct acpi_gas *a = &acpi.fadt.pm1a_cnt;
	uint16_t v = 0;

	if (acpi_reg_read16(a, &v) || (v & PM1_SCI_EN))
		return;
	if (acpi.fadt.smi_cmd == 0 || acpi.fadt.smi_cmd > 0xffff || acpi.fadt.acpi_enable == 0)
		return;
	outb((uint16_t)acpi.fadt.smi_cmd, acpi.fadt.acpi_enable);
	for (int i = 0; i < 300000; i++) { /* ~0.3 s of port-0x80 delays */
		if (acpi_reg_read16(a, &v) || (v & PM1_SCI_EN))
			return;
		io_wait();
	}
}

int acpi_poweroff(void)
{
	const struct acpi_gas *a = &acpi.fadt.pm1a_cnt, *b = &acpi.fadt.pm1b_cnt;
	uint16_t va = 0, vb = 0;
	bool has_b = b->addr != 0;

	if (!acpi.s5.valid || a->addr == 0)
		return -ENODEV;
	if (acpi_reg_read16(a, &va) || (has_b && acpi_reg_read16(b, &vb)))
		return -ENODEV;
	acpi_enter_acpi_mode();
	acpi_reg_read16(a, &va);
	if (has_b)
		acpi_reg_read16(b, &vb);
	/* Keep the other bits (SCI_EN among them); set SLP_TYP first, then SLP_EN, in
	 * both blocks, as ACPICA does for chipsets that latch the type separately. */
	va = (uint16_t)((va & ~(PM1_SLP_TYP_MASK | PM1_SLP_EN)) |
			(uint16_t)(acpi.s5.slp_typa << PM1_SLP_TYP_SHIFT));
	vb = (uint16_t)((vb & ~(PM1_SLP_TYP_MASK | PM1_SLP_EN)) |
			(uint16_t)(acpi.s5.slp_typb << PM1_SLP_TYP_SHIFT));
	acpi_reg_write16(a, va);
	if (has_b)
		acpi_reg_write16(b, vb);
	acpi_reg_write16(a, (uint16_t)(va | PM1_SLP_EN));
	if (has_b)
		acpi_reg_write16(b, (uint16_t)(vb | PM1_SLP_EN));
	return 0;
}

/* ---- The `acpi` shell command ---- */

static void acpi_print_gas(const char *what, const struct acpi_gas *g)
{
	cprintf("%s%s 0x%llx", what, acpi_space_name(g->space), (unsigned long long)g->addr);
}

static void acpi_print_tables(void)
{
	const struct acpi_info *a = &acpi;

	if (a->rsdp_phys)
		cprintf("RSDP  0x%016llx              ", (unsigned long long)a->rsdp_phys);
	else
		cprintf("RSDP  (boot loader's copy)      "); /* Multiboot2 gives no address */
	cprintf("rev %-3u %-6s  ACPI %s, root %s%s\n", a->revision, a->oem,
		a->revision >= 2 ? "2.0+" : "1.0", acpi_root_name(a->root_kind),
		a->xsdt_rejected ? " (XSDT rejected)" : "");
	for (uint32_t i = 0; i < a->table_count; i++) {
		const struct acpi_table *t = &a->tables[i];

		cprintf("%-4s  0x%016llx  len %7u  rev %-3u %-6s  ", t->sig,
			(unsigned long long)t->phys, t->len, t->rev, t->oem);
		if (!t->valid)
			cprintf("REJECTED: %s\n", t->why);
		else if (t->partial)
			cprintf("ok, malformed: %s (the part before was used)\n", t->why);
		else if (t->why)
			cprintf("ok, %s\n", t->why);
		else
			cprintf("ok\n");
	}
	if (a->tables_truncated)
		cprintf("(more than %u tables: the list is cut)\n", ACPI_MAX_TABLES);
}

static void acpi_print_madt(void)
{
	const struct acpi_info *a = &acpi;
	uint32_t enabled = 0, capable = 0, x2 = 0;

	if (!a->madt.present) {
		cprintf("CPUs: no usable MADT\n");
		return;
	}
	for (uint32_t i = 0; i < a->madt.cpu_count; i++) {
		enabled += a->madt.cpus[i].enabled;
		capable += !a->madt.cpus[i].enabled && a->madt.cpus[i].online_capable;
		x2 += a->madt.cpus[i].x2apic;
	}
	cprintf("CPUs: %u in MADT%s, %u enabled, %u online-capable, %u x2APIC; LAPIC at 0x%llx%s\n",
		a->madt.cpu_count, a->madt.cpus_truncated ? " (list cut)" : "", enabled, capable, x2,
		(unsigned long long)a->madt.lapic_base,
		a->madt.flags & ACPI_MADT_PCAT_COMPAT ? ", 8259 PICs present" : "");
	cprintf("  APIC IDs:");
	for (uint32_t i = 0; i < a->madt.cpu_count && i < 32; i++)
		cprintf(" %u%s", a->madt.cpus[i].apic_id, a->madt.cpus[i].enabled ? "" : "(off)");
	cprintf("%s\n", a->madt.cpu_count > 32 ? " ..." : "");
	cprintf("IOAPICs: %u%s\n", a->madt.ioapic_count, a->madt.ioapics_truncated ? " (list cut)" : "");
	for (uint32_t i = 0; i < a->madt.ioapic_count; i++)
		cprintf("  id %u at 0x%x, GSI base %u\n", a->madt.ioapics[i].id,
			a->madt.ioapics[i].addr, a->madt.ioapics[i].gsi_base);
	cprintf("interrupt overrides: %u%s", a->madt.override_count,
		a->madt.overrides_truncated ? " (list cut)" : "");
	for (uint32_t i = 0; i < a->madt.override_count; i++) {
		const struct acpi_override *o = &a->madt.overrides[i];
		/* MPS INTI flags: polarity 1 high, 3 low; trigger 1 edge, 3 level. */
		cprintf("%s IRQ%u->GSI%u%s%s", i ? "," : ":", o->source, o->gsi,
			(o->flags & 3) == 3 ? " low" : "", ((o->flags >> 2) & 3) == 3 ? " level" : "");
	}
	cprintf("; LAPIC NMI entries: %u\n", a->madt.nmi_count);
}

static void acpi_print_fadt(void)
{
	const struct acpi_info *a = &acpi;

	if (!a->fadt.present) {
		cprintf("FADT: none usable (no PM timer, reset register or S5)\n");
		return;
	}
	cprintf("FADT: rev %u, SCI IRQ %u, SMI_CMD 0x%x (enable 0x%x), century CMOS index %u, "
		"i8042 %s%s\n",
		a->fadt.rev, a->fadt.sci_int, a->fadt.smi_cmd, a->fadt.acpi_enable, a->fadt.century,
		a->fadt.has_8042 ? "present" : "absent",
		a->fadt.flags & ACPI_FADT_HW_REDUCED ? ", hardware-reduced" : "");
	if (a->fadt.pm_timer_present) {
		acpi_print_gas("PM timer: ", &a->fadt.pm_timer);
		cprintf(", %s\n", a->fadt.pm_timer_32bit ? "32-bit" : "24-bit");
	} else {
		cprintf("PM timer: none\n");
	}
	if (a->fadt.reset_valid) {
		acpi_print_gas("reset register: ", &a->fadt.reset_reg);
		cprintf(", value 0x%x\n", a->fadt.reset_value);
	} else {
		cprintf("reset register: none\n");
	}
	if (a->s5.valid)
		cprintf("S5: SLP_TYPa %u, SLP_TYPb %u", a->s5.slp_typa, a->s5.slp_typb);
	else
		cprintf("S5: no \\_S5 package in the DSDT");
	if (a->fadt.pm1a_cnt.addr)
		acpi_print_gas("; PM1a_CNT ", &a->fadt.pm1a_cnt);
	else
		cprintf("; no PM1a_CNT");
	if (a->fadt.pm1b_cnt.addr)
		acpi_print_gas(", PM1b_CNT ", &a->fadt.pm1b_cnt);
	cprintf("\n");
}

static void acpi_print_others(void)
{
	const struct acpi_info *a = &acpi;

	cprintf("MCFG: %s", a->mcfg.count ? "" : "none");
	for (uint32_t i = 0; i < a->mcfg.count; i++)
		cprintf("%ssegment %u buses %02x-%02x at 0x%llx", i ? ", " : "", a->mcfg.segs[i].segment,
			a->mcfg.segs[i].bus_start, a->mcfg.segs[i].bus_end,
			(unsigned long long)a->mcfg.segs[i].base);
	cprintf("\n");
	if (a->hpet.present)
		cprintf("HPET: %s 0x%llx, %u comparators, %s counter%s, vendor %04x\n",
			acpi_space_name(a->hpet.space), (unsigned long long)a->hpet.base,
			a->hpet.comparators, a->hpet.counter_64bit ? "64-bit" : "32-bit",
			a->hpet.legacy_route ? ", legacy routing" : "", a->hpet.vendor);
	else
		cprintf("HPET: none\n");
	if (a->dmar.present) {
		cprintf("DMAR: at 0x%llx len %u, host address width %u%s, %u DRHD",
			(unsigned long long)a->dmar.phys, a->dmar.len, a->dmar.haw,
			a->dmar.flags & ACPI_DMAR_INTR_REMAP ? ", interrupt remapping" : "",
			a->dmar.unit_count);
		for (uint32_t i = 0; i < a->dmar.unit_count; i++)
			cprintf("%s0x%llx%s", i ? ", " : ": ", (unsigned long long)a->dmar.units[i].base,
				a->dmar.units[i].flags & ACPI_DRHD_INCLUDE_PCI_ALL ? " (all PCI)" : "");
		cprintf("%s\n", a->dmar.rmrr_count ? ", with RMRRs" : "");
	} else {
		cprintf("DMAR: none\n");
	}
	if (a->ivrs.present) {
		cprintf("IVRS: at 0x%llx len %u, %u IVHD", (unsigned long long)a->ivrs.phys,
			a->ivrs.len, a->ivrs.unit_count);
		for (uint32_t i = 0; i < a->ivrs.unit_count; i++)
			cprintf("%stype %02xh 0x%llx (device %02x:%02x.%u)", i ? ", " : ": ",
				a->ivrs.units[i].type, (unsigned long long)a->ivrs.units[i].base,
				a->ivrs.units[i].devid >> 8, (a->ivrs.units[i].devid >> 3) & 0x1f,
				a->ivrs.units[i].devid & 7);
		cprintf("\n");
	} else {
		cprintf("IVRS: none\n");
	}
}

static int cmd_acpi(int argc, char **argv)
{
	(void)argv;
	if (argc != 1)
		return shell_usage("acpi");
	if (acpi.table_count == 0) {
		cprintf("acpi: no ACPI tables (%s)\n",
			acpi_status == -EINVAL ? "the RSDP was invalid"
			: acpi_status == -EFAULT ? "the RSDP was not reachable"
						 : "no RSDP was found");
		return 0;
	}
	acpi_print_tables();
	if (acpi_status != 0) {
		cprintf("no valid root table: nothing from ACPI is used\n");
		return 0;
	}
	acpi_print_madt();
	acpi_print_fadt();
	acpi_print_others();
	return 0;
}
SHELL_COMMAND(acpi, "acpi", "", "firmware ACPI tables: each with its checks, then what they describe",
	      cmd_acpi);
