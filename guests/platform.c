/* platform: the small PC a guest expects. Checks
 *   fw_cfg: signature "QEMU", CPU count equal to the MADT's enabled CPUs, RAM
 *           size consistent with the memory map, a well-formed file directory;
 *   ACPI:   the RSDP in 0xE0000-0xFFFFF, the XSDT (or RSDT) and every table it
 *           lists checksummed, MADT and FADT present;
 *   the PM timer advances;
 *   CMOS memory size fields (0x30/0x31 and 0x34/0x35) agree with the RAM size;
 *   a PCI host bridge answers at 00:00.0. */
#include "guests/lib/guest.h"
#include "guests/lib/x86.h"

const char guest_name[] = GUEST_NAME;

/* QEMU's fw_cfg (docs/specs/fw_cfg.rst): select with a 16-bit write to 0x510,
 * then read bytes from 0x511. */
#define FW_CFG_SEL	  0x510
#define FW_CFG_DATA	  0x511
#define FW_CFG_SIGNATURE  0x00
#define FW_CFG_RAM_SIZE	  0x03
#define FW_CFG_NB_CPUS	  0x05
#define FW_CFG_FILE_DIR	  0x19
#define FW_CFG_FILE_FIRST 0x20
#define FW_CFG_MAX_FILES  4096

#define CMOS_INDEX 0x70
#define CMOS_DATA  0x71
#define MiB	   (1ull << 20)

static void fw_cfg_read(uint16_t key, void *buf, size_t n)
{
	uint8_t *b = buf;

	outw(FW_CFG_SEL, key);
	for (size_t i = 0; i < n; i++)
		b[i] = inb(FW_CFG_DATA);
}

static uint32_t be32(const uint8_t *p)
{
	return (uint32_t)p[0] << 24 | (uint32_t)p[1] << 16 | (uint32_t)p[2] << 8 | p[3];
}

static uint8_t cmos(uint8_t reg)
{
	outb(CMOS_INDEX, reg);
	return inb(CMOS_DATA);
}

static unsigned check_acpi(struct acpi_madt_info *madt)
{
	const struct acpi_sdt *root;
	const uint8_t *rsdp = acpi_rsdp();
	bool xsdt;
	unsigned n;

	if (!rsdp)
		guest_fail("no RSDP with a valid checksum in 0xE0000-0xFFFFF");
	gprintf("platform: RSDP at 0x%lx, revision %u\n", (unsigned long)(uintptr_t)rsdp, rsdp[15]);
	n = acpi_root(&root, &xsdt);
	if (!root)
		guest_fail("the RSDP points to no valid XSDT or RSDT");
	gprintf("platform: %s at 0x%lx with %u tables\n", xsdt ? "XSDT" : "RSDT",
		(unsigned long)(uintptr_t)root, n);
	for (unsigned i = 0; i < n; i++) {
		const struct acpi_sdt *t = acpi_entry(i);

		if (!t)
			guest_fail("%s entry %u: missing, too long or bad checksum",
				   xsdt ? "XSDT" : "RSDT", i);
		gprintf("platform:   %.4s len %u rev %u\n", t->sig, t->len, t->rev);
	}
	if (!acpi_find("FACP"))
		guest_fail("no FADT (FACP)");
	if (!acpi_madt(madt))
		guest_fail("no MADT (APIC)");
	if (madt->bad)
		guest_fail("the MADT has an entry running past its end");
	return n;
}

static void check_pm_timer(void)
{
	uint16_t port = acpi_pm_timer_port();
	uint32_t a, b = 0;
	unsigned tries = 0;

	if (!port)
		guest_fail("the FADT has no PM timer");
	a = inl(port);
	/* The timer runs at 3.58 MHz: it moves between any two reads that are a
	 * microsecond apart, and certainly within a million reads. */
	while (tries++ < 1000000 && (b = inl(port)) == a)
		pause();
	if (b == a)
		guest_fail("the PM timer at port 0x%x does not advance (0x%x)", port, a);
	gprintf("platform: PM timer at port 0x%x: 0x%x then 0x%x\n", port, a, b);
}

static uint64_t check_fw_cfg(unsigned madt_cpus)
{
	uint8_t sig[4], hdr[4];
	uint16_t ncpus;
	uint64_t ram;
	uint32_t nfiles;

	fw_cfg_read(FW_CFG_SIGNATURE, sig, 4);
	if (memcmp(sig, "QEMU", 4) != 0)
		guest_fail("fw_cfg signature is %02x %02x %02x %02x, expected \"QEMU\"", sig[0],
			   sig[1], sig[2], sig[3]);
	fw_cfg_read(FW_CFG_NB_CPUS, &ncpus, 2);
	fw_cfg_read(FW_CFG_RAM_SIZE, &ram, 8);
	gprintf("platform: fw_cfg: %u CPUs, RAM 0x%llx (%llu MiB)\n", ncpus,
		(unsigned long long)ram, (unsigned long long)(ram >> 20));
	if (ncpus != madt_cpus)
		guest_fail("fw_cfg says %u CPUs, the MADT enables %u", ncpus, madt_cpus);
	if (ram < MiB)
		guest_fail("fw_cfg RAM size 0x%llx is below 1 MiB", (unsigned long long)ram);

	/* The directory: a big-endian count, then 64-byte entries (size, select,
	 * reserved, 56-byte name), all big-endian. */
	fw_cfg_read(FW_CFG_FILE_DIR, hdr, 4);
	nfiles = be32(hdr);
	if (nfiles > FW_CFG_MAX_FILES)
		guest_fail("fw_cfg file directory claims %u files", nfiles);
	for (uint32_t i = 0; i < nfiles; i++) {
		uint8_t e[64];
		uint16_t sel;

		for (size_t j = 0; j < sizeof(e); j++)
			e[j] = inb(FW_CFG_DATA);
		sel = (uint16_t)(e[4] << 8 | e[5]);
		if (strnlen((const char *)e + 8, 56) == 56)
			guest_fail("fw_cfg file %u: name not NUL-terminated", i);
		if (sel < FW_CFG_FILE_FIRST)
			guest_fail("fw_cfg file %u (%s): select 0x%x below 0x20", i,
				   (const char *)e + 8, sel);
		if (i < 8)
			gprintf("platform:   fw_cfg file 0x%x %s (%u bytes)\n", sel,
				(const char *)e + 8, be32(e));
	}
	gprintf("platform: fw_cfg file directory: %u files\n", nfiles);
	return ram;
}

static void check_ram(uint64_t ram)
{
	uint64_t avail = 0, top = 0;

	for (unsigned i = 0; i < guest_boot.nmmap; i++) {
		const struct guest_mem_range *m = &guest_boot.mmap[i];

		if (m->type != GUEST_MEM_AVAILABLE)
			continue;
		avail += m->len;
		if (m->base + m->len > top)
			top = m->base + m->len;
	}
	if (!guest_boot.nmmap)
		guest_fail("the loader gave no memory map");
	gprintf("platform: memory map: %llu KiB available, top 0x%llx\n",
		(unsigned long long)(avail >> 10), (unsigned long long)top);
	/* Firmware and tables take a little of the RAM; the map never shows more. */
	if (avail > ram || ram - avail > 16 * MiB)
		guest_fail("the memory map shows %llu KiB available, fw_cfg says %llu KiB of RAM",
			   (unsigned long long)(avail >> 10), (unsigned long long)(ram >> 10));
}

/* CMOS 0x30/0x31: KiB above 1 MiB (the 1-16 MiB range; QEMU stores up to 65535
 * there); 0x34/0x35: 64 KiB units above 16 MiB, both capped at 0xffff. Only
 * RAM below 4 GiB counts; on a PC that is all of it below 2.75 GiB. */
static void check_cmos(uint64_t ram)
{
	unsigned ext = cmos(0x30) | cmos(0x31) << 8;
	unsigned above16 = cmos(0x34) | cmos(0x35) << 8;
	uint64_t kib = ram > MiB ? (ram - MiB) >> 10 : 0, want16;

	gprintf("platform: CMOS: 0x30/0x31 = %u KiB, 0x34/0x35 = %u x 64 KiB\n", ext, above16);
	if (ram >= 0xb0000000ull) {
		/* The split below 4 GiB depends on the machine: just sanity. */
		if (above16 < (uint64_t)(1024 - 16) * 16)
			guest_fail("CMOS 0x34/0x35 = %u: less than 1 GiB for %llu MiB of RAM",
				   above16, (unsigned long long)(ram >> 20));
		return;
	}
	want16 = ram > 16 * MiB ? (ram - 16 * MiB) >> 16 : 0;
	if (want16 > 0xffff)
		want16 = 0xffff;
	if (above16 != want16)
		guest_fail("CMOS 0x34/0x35 = %u, expected %llu for %llu MiB", above16,
			   (unsigned long long)want16, (unsigned long long)(ram >> 20));
	if (kib > 0xffff)
		kib = 0xffff;
	if (ext != kib && !(ram >= 16 * MiB && ext == 15 * 1024))
		guest_fail("CMOS 0x30/0x31 = %u KiB, expected %llu (or 15360)", ext,
			   (unsigned long long)kib);
}

static void check_pci(void)
{
	uint32_t id;

	outl(0xcf8, 0x80000000u); /* bus 0, device 0, function 0, register 0 */
	id = inl(0xcfc);
	if ((id & 0xffff) == 0xffff)
		guest_fail("no PCI host bridge at 00:00.0 (read 0x%x)", id);
	gprintf("platform: PCI 00:00.0 is %04x:%04x\n", id & 0xffff, id >> 16);
}

void guest_main(void)
{
	struct acpi_madt_info madt;
	uint64_t ram;

	check_acpi(&madt);
	gprintf("platform: MADT: %u CPUs, %u enabled, IOAPIC at 0x%x\n", madt.ncpus, madt.nenabled,
		madt.ioapic_addr);
	check_pm_timer();
	ram = check_fw_cfg(madt.nenabled);
	check_ram(ram);
	check_cmos(ram);
	check_pci();
	guest_pass();
}
