/* Read-only ACPI for the guests: RSDP in the BIOS area, the XSDT or RSDT, the
 * MADT and the FADT's PM timer. Every table is length- and checksum-checked
 * before use (ACPI 6.5, 5.2.5-5.2.12). */
#include "guests/lib/guest.h"
#include "guests/lib/x86.h"

#define RSDP_SCAN_START 0xe0000u
#define RSDP_SCAN_END	0x100000u
#define ACPI_TABLE_MAX	(1u << 20) /* refuse absurd lengths */
#define PM_TIMER_HZ	3579545u

bool acpi_checksum_ok(const void *p, size_t len)
{
	const uint8_t *b = p;
	uint8_t sum = 0;

	for (size_t i = 0; i < len; i++)
		sum = (uint8_t)(sum + b[i]);
	return sum == 0;
}

/* A physical address the guest can dereference: below 4 GiB in a 32-bit guest
 * (paging off), inside the 64 GiB identity map in a 64-bit one. */
static const void *phys(uint64_t a)
{
	uint64_t limit = sizeof(void *) == 8 ? (64ull << 30) : (1ull << 32);

	if (!a || a >= limit)
		return NULL;
	return (const void *)(uintptr_t)a;
}

static const struct acpi_sdt *table_at(uint64_t a)
{
	const struct acpi_sdt *t = phys(a);

	if (!t || t->len < sizeof(*t) || t->len > ACPI_TABLE_MAX)
		return NULL;
	if (!acpi_checksum_ok(t, t->len))
		return NULL;
	return t;
}

const uint8_t *acpi_rsdp(void)
{
	for (uint32_t a = RSDP_SCAN_START; a < RSDP_SCAN_END; a += 16) {
		const uint8_t *p = (const uint8_t *)(uintptr_t)a;

		if (memcmp(p, "RSD PTR ", 8) != 0 || !acpi_checksum_ok(p, 20))
			continue;
		/* ACPI 5.2.5.3: revision 2+ adds a length and an extended checksum. */
		if (p[15] >= 2) {
			uint32_t len;

			memcpy(&len, p + 20, 4);
			if (len < 36 || a + len > RSDP_SCAN_END || !acpi_checksum_ok(p, len))
				continue;
		}
		return p;
	}
	return NULL;
}

static const struct acpi_sdt *root_table;
static bool root_is_xsdt;

unsigned acpi_root(const struct acpi_sdt **root, bool *is_xsdt)
{
	if (!root_table) {
		const uint8_t *r = acpi_rsdp();
		uint64_t xsdt = 0;
		uint32_t rsdt = 0;

		if (!r)
			return 0;
		memcpy(&rsdt, r + 16, 4);
		if (r[15] >= 2)
			memcpy(&xsdt, r + 24, 8);
		if (xsdt && (root_table = table_at(xsdt)) && !memcmp(root_table->sig, "XSDT", 4))
			root_is_xsdt = true;
		else if ((root_table = table_at(rsdt)) && !memcmp(root_table->sig, "RSDT", 4))
			root_is_xsdt = false;
		else
			root_table = NULL;
	}
	if (root)
		*root = root_table;
	if (is_xsdt)
		*is_xsdt = root_is_xsdt;
	if (!root_table)
		return 0;
	return (root_table->len - sizeof(struct acpi_sdt)) / (root_is_xsdt ? 8 : 4);
}

const struct acpi_sdt *acpi_entry(unsigned i)
{
	unsigned n = acpi_root(NULL, NULL);
	const uint8_t *e;
	uint64_t a = 0;

	if (i >= n)
		return NULL;
	e = (const uint8_t *)(root_table + 1);
	if (root_is_xsdt)
		memcpy(&a, e + 8 * i, 8);
	else
		memcpy(&a, e + 4 * i, 4);
	return table_at(a);
}

const struct acpi_sdt *acpi_find(const char *sig)
{
	unsigned n = acpi_root(NULL, NULL);

	for (unsigned i = 0; i < n; i++) {
		const struct acpi_sdt *t = acpi_entry(i);

		if (t && !memcmp(t->sig, sig, 4))
			return t;
	}
	return NULL;
}

bool acpi_madt(struct acpi_madt_info *out)
{
	const struct acpi_sdt *t = acpi_find("APIC");
	const uint8_t *p, *end;

	memset(out, 0, sizeof(*out));
	for (unsigned i = 0; i < 16; i++)
		out->isa_gsi[i] = i; /* identity unless overridden (5.2.12.5) */
	if (!t || t->len < 44)
		return false;
	p = (const uint8_t *)t;
	memcpy(&out->lapic_addr, p + 36, 4);
	end = p + t->len;
	p += 44;
	while (p + 2 <= end) {
		uint8_t type = p[0], len = p[1];
		uint32_t flags = 0, id = 0;

		if (len < 2 || p + len > end) {
			out->bad = true;
			break;
		}
		if (type == 0 && len >= 8) { /* Processor Local APIC */
			id = p[3];
			memcpy(&flags, p + 4, 4);
		} else if (type == 9 && len >= 16) { /* Processor Local x2APIC */
			memcpy(&id, p + 4, 4);
			memcpy(&flags, p + 8, 4);
		} else if (type == 1 && len >= 12 && !out->ioapic_addr) {
			memcpy(&out->ioapic_addr, p + 4, 4);
			memcpy(&out->ioapic_gsi_base, p + 8, 4);
		} else if (type == 2 && len >= 10 && p[2] == 0 && p[3] < 16) {
			memcpy(&out->isa_gsi[p[3]], p + 4, 4);
			memcpy(&out->isa_flags[p[3]], p + 8, 2);
		}
		if ((type == 0 && len >= 8) || (type == 9 && len >= 16)) {
			if (out->ncpus < ARRAY_SIZE(out->cpus)) {
				out->cpus[out->ncpus].apic_id = id;
				out->cpus[out->ncpus].enabled = flags & 1;
			}
			out->ncpus++;
			if (flags & 1)
				out->nenabled++;
		}
		p += len;
	}
	return true;
}

static bool pm_ext; /* a 32-bit counter (FADT flags bit 8, TMR_VAL_EXT) */

uint16_t acpi_pm_timer_port(void)
{
	const struct acpi_sdt *t = acpi_find("FACP");
	const uint8_t *f = (const uint8_t *)t;
	uint32_t port = 0, flags = 0;

	if (!t || t->len < 80)
		return 0;
	memcpy(&port, f + 76, 4); /* PM_TMR_BLK */
	if (t->len >= 116)
		memcpy(&flags, f + 112, 4);
	pm_ext = flags & (1u << 8);
	/* X_PM_TMR_BLK (a GAS at 208) wins when it is there and in I/O space. */
	if (t->len >= 220 && f[208] == 1) {
		uint64_t x;

		memcpy(&x, f + 212, 8);
		if (x && x <= 0xffff)
			port = (uint32_t)x;
	}
	return port <= 0xffff ? (uint16_t)port : 0;
}

void delay_us(unsigned us)
{
	static int port = -1;
	struct guest_deadline d;
	uint32_t mask, start, ticks;

	if (port < 0)
		port = acpi_pm_timer_port();
	if (!port) {
		for (unsigned i = 0; i < us * 100u; i++)
			pause();
		return;
	}
	mask = pm_ext ? 0xffffffffu : 0xffffffu;
	/* 3.579545 ticks per microsecond; 3.58 is close enough for a delay. */
	ticks = us * 3u + us * 58u / 100u + 1;
	start = inl((uint16_t)port) & mask;
	deadline_start(&d);
	while (((inl((uint16_t)port) - start) & mask) < ticks && !deadline_passed(&d))
		pause();
}
