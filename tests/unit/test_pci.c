/* Host tests for drivers/pci_bar.c: BAR decoding from the all-ones sizing probe
 * and the class-name table. Expected values are written out by hand from the PCI
 * Local Bus 3.0 6.2.5.1 rules, not computed the way the code computes them. */
#include "tests/unit/check.h"

#include "drivers/pci_bar.c"

#include <stdint.h>

struct bar_case {
	const char *what;
	uint32_t lo, hi, probe_lo, probe_hi;
	bool has_hi;
	int used;
	uint8_t type;
	uint64_t addr, size;
	bool prefetch, below_1m;
};

static const struct bar_case bar_cases[] = {
	/* I/O */
	{"io, 32-bit decoder", 0xc041, 0, 0xffffffe1, 0, true, 1, PCI_BAR_IO, 0xc040, 0x20, false,
	 false},
	{"io, 16-bit decoder (upper bits read 0)", 0xc041, 0, 0x0000ffe1, 0, true, 1, PCI_BAR_IO,
	 0xc040, 0x20, false, false},
	{"io, 4 bytes", 0x0cf9, 0, 0xfffffffd, 0, true, 1, PCI_BAR_IO, 0x0cf8, 0x4, false, false},
	{"io, reserved bit 1 set in the probe", 0x1001, 0, 0xffffff03, 0, true, 1, PCI_BAR_IO,
	 0x1000, 0x100, false, false},
	{"io, nothing sticks", 0x0001, 0, 0x00000001, 0, true, 1, PCI_BAR_NONE, 0, 0, false, false},
	/* 32-bit memory */
	{"mem32 16 KiB", 0xfebf0000, 0, 0xffffc000, 0, true, 1, PCI_BAR_MEM32, 0xfebf0000, 0x4000,
	 false, false},
	{"mem32 prefetchable 16 MiB", 0xfd000008, 0, 0xff000008, 0, true, 1, PCI_BAR_MEM32,
	 0xfd000000, 0x1000000, true, false},
	{"mem32 2 GiB", 0x80000000, 0, 0x80000000, 0, true, 1, PCI_BAR_MEM32, 0x80000000,
	 0x80000000, false, false},
	{"mem32 smallest (16 bytes)", 0xfebf1230, 0, 0xfffffff0, 0, true, 1, PCI_BAR_MEM32,
	 0xfebf1230, 0x10, false, false},
	{"mem32 unassigned", 0x00000000, 0, 0xfff00000, 0, true, 1, PCI_BAR_MEM32, 0, 0x100000,
	 false, false},
	{"mem32 not implemented", 0x00000000, 0, 0x00000000, 0, true, 1, PCI_BAR_NONE, 0, 0, false,
	 false},
	{"mem32 not implemented, prefetch bit hardwired", 0x00000008, 0, 0x00000008, 0, true, 1,
	 PCI_BAR_NONE, 0, 0, false, false},
	{"mem32 with holes in the mask: lowest bit wins", 0xfe000000, 0, 0xfff0f000, 0, true, 1,
	 PCI_BAR_MEM32, 0xfe000000, 0x1000, false, false},
	{"type from the value, not the probe", 0xfebf0000, 0, 0xffffffff, 0, true, 1, PCI_BAR_MEM32,
	 0xfebf0000, 0x10, false, false},
	{"below 1 MiB (type 01b)", 0x000d0002, 0, 0xfffe0002, 0, true, 1, PCI_BAR_MEM32, 0xd0000,
	 0x20000, false, true},
	/* 64-bit memory */
	{"mem64 16 KiB below 4 GiB", 0xfebf000c, 0, 0xffffc00c, 0xffffffff, true, 2, PCI_BAR_MEM64,
	 0xfebf0000, 0x4000, true, false},
	{"mem64 above 4 GiB", 0x00000004, 0xe0, 0xffffc004, 0xffffffff, true, 2, PCI_BAR_MEM64,
	 0xe000000000ULL, 0x4000, false, false},
	{"mem64 64 GiB", 0x0000000c, 0x10, 0x0000000c, 0xfffffff0, true, 2, PCI_BAR_MEM64,
	 0x1000000000ULL, 0x1000000000ULL, true, false},
	{"mem64 2^63", 0x00000004, 0x80000000, 0x00000004, 0x80000000, true, 2, PCI_BAR_MEM64,
	 0x8000000000000000ULL, 0x8000000000000000ULL, false, false},
	{"mem64 4 GiB exactly", 0x00000004, 0x1, 0x00000004, 0xffffffff, true, 2, PCI_BAR_MEM64,
	 0x100000000ULL, 0x100000000ULL, false, false},
	{"mem64 not implemented", 0x00000004, 0, 0x00000004, 0, true, 2, PCI_BAR_NONE, 0, 0, false,
	 false},
	{"mem64 in the last BAR", 0xfebf000c, 0, 0xffffc00c, 0, false, 1, PCI_BAR_BAD, 0, 0, false,
	 false},
	/* Reserved */
	{"memory type 11b", 0xfebf0006, 0, 0xfffff006, 0, true, 1, PCI_BAR_BAD, 0, 0, false, false},
};

TEST(bar_table)
{
	for (size_t i = 0; i < sizeof(bar_cases) / sizeof(bar_cases[0]); i++) {
		const struct bar_case *c = &bar_cases[i];
		struct pci_bar b;
		memset(&b, 0xa5, sizeof(b)); /* decode must overwrite every field */
		int used = pci_bar_decode(c->lo, c->hi, c->probe_lo, c->probe_hi, c->has_hi, &b);
		int ok = used == c->used && b.type == c->type && b.addr == c->addr &&
			 b.size == c->size && b.prefetch == c->prefetch &&
			 b.below_1m == c->below_1m;
		if (!ok)
			printf("  case \"%s\": used %d type %u addr 0x%llx size 0x%llx pf %d 1m "
			       "%d\n",
			       c->what, used, b.type, (unsigned long long)b.addr,
			       (unsigned long long)b.size, b.prefetch, b.below_1m);
		CHECK(ok);
	}
}

TEST(is_mem64)
{
	CHECK(pci_bar_is_mem64(0x4));
	CHECK(pci_bar_is_mem64(0xfebf000c));
	CHECK(!pci_bar_is_mem64(0x0));
	CHECK(!pci_bar_is_mem64(0x2)); /* below 1 MiB */
	CHECK(!pci_bar_is_mem64(0x6)); /* reserved */
	CHECK(!pci_bar_is_mem64(0x5)); /* I/O with bit 2 set is an address bit */
	CHECK(!pci_bar_is_mem64(0xffffffff));
}

TEST(bar_type_names)
{
	CHECK_STR(pci_bar_type_name(PCI_BAR_IO), "io");
	CHECK_STR(pci_bar_type_name(PCI_BAR_MEM32), "mem32");
	CHECK_STR(pci_bar_type_name(PCI_BAR_MEM64), "mem64");
	CHECK_STR(pci_bar_type_name(PCI_BAR_NONE), "none");
	CHECK_STR(pci_bar_type_name(PCI_BAR_BAD), "bad");
	CHECK_STR(pci_bar_type_name(200), "bad");
}

/* Any probe a device (or a broken one) can return decodes to a consistent BAR. */
TEST(bar_random_invariants)
{
	uint64_t x = 0x9e3779b97f4a7c15ULL;

	for (int i = 0; i < 200000; i++) {
		uint32_t v[4];
		for (int k = 0; k < 4; k++) {
			x ^= x << 13, x ^= x >> 7, x ^= x << 17; /* xorshift64 */
			v[k] = (uint32_t)x;
			/* Bias towards realistic probes: a run of ones from the top. */
			if (k >= 2 && (x >> 40) % 3 == 0)
				v[k] = ~0u << ((x >> 32) % 32);
		}
		bool has_hi = (x >> 50) & 1;
		struct pci_bar b;
		int used = pci_bar_decode(v[0], v[1], v[2], v[3], has_hi, &b);

		CHECK(used == 1 || used == 2);
		if (used == 2)
			CHECK(has_hi && pci_bar_is_mem64(v[0]));
		if (b.type == PCI_BAR_NONE || b.type == PCI_BAR_BAD) {
			CHECK(b.size == 0 && b.addr == 0 && !b.prefetch);
			continue;
		}
		CHECK((b.size & (b.size - 1)) == 0); /* a power of two */
		if (b.type == PCI_BAR_IO)
			CHECK(b.size >= 4 && b.size <= (1ULL << 31) && !b.prefetch &&
			      b.addr <= 0xfffffffcu);
		if (b.type == PCI_BAR_MEM32)
			CHECK(b.size >= 16 && b.size <= (1ULL << 31) && b.addr <= 0xfffffff0u);
		if (b.type == PCI_BAR_MEM64)
			CHECK(b.size >= 16 && used == 2);
		if (check_failed_) {
			printf("  lo 0x%x hi 0x%x probe 0x%x/0x%x has_hi %d\n", v[0], v[1], v[2],
			       v[3], has_hi);
			return;
		}
	}
}

struct class_case {
	uint8_t cls, sub, progif;
	const char *name;
};

static const struct class_case class_cases[] = {
	{0x01, 0x06, 0x01, "SATA controller"},
	{0x01, 0x01, 0x80, "IDE interface"},
	{0x01, 0x08, 0x02, "NVMe controller"},
	{0x01, 0x08, 0x03, "Non-Volatile memory controller"},
	{0x01, 0x77, 0x00, "Mass storage controller"},
	{0x02, 0x00, 0x00, "Ethernet controller"},
	{0x02, 0x80, 0x00, "Network controller"},
	{0x03, 0x00, 0x00, "VGA compatible controller"},
	{0x06, 0x00, 0x00, "Host bridge"},
	{0x06, 0x01, 0x00, "ISA bridge"},
	{0x06, 0x04, 0x01, "PCI bridge"},
	{0x06, 0x80, 0x00, "Bridge"},
	{0x08, 0x06, 0x00, "IOMMU"},
	{0x0c, 0x03, 0x00, "USB controller (UHCI)"},
	{0x0c, 0x03, 0x30, "USB controller (xHCI)"},
	{0x0c, 0x03, 0xfe, "USB controller"},
	{0x0c, 0x05, 0x00, "SMBus"},
	{0x00, 0xff, 0x00, "Unclassified device"},
	{0xff, 0x00, 0x00, "Unassigned class"},
	{0x14, 0x00, 0x00, "unknown class"},
	{0xfe, 0xff, 0xff, "unknown class"},
};

TEST(class_names)
{
	for (size_t i = 0; i < sizeof(class_cases) / sizeof(class_cases[0]); i++) {
		const struct class_case *c = &class_cases[i];
		CHECK_STR(pci_class_name(c->cls, c->sub, c->progif), c->name);
	}
}

/* The lookup takes the first match, so a catch-all must come after every more
 * specific entry of its class, or those entries could never be found. */
TEST(class_table_order)
{
	size_t n = sizeof(class_names) / sizeof(class_names[0]);

	for (size_t i = 0; i < n; i++) {
		const char *got = pci_class_name(
			(uint8_t)class_names[i].cls,
			class_names[i].sub == ANY ? 0xee : (uint8_t)class_names[i].sub,
			class_names[i].progif == ANY ? 0xee : (uint8_t)class_names[i].progif);
		/* 0xee is no subclass or prog-if in the table, so a wildcard entry
		 * is reached exactly when nothing more specific matches it. */
		CHECK(got != NULL && got[0] != 0);
		if (class_names[i].sub != ANY && class_names[i].progif != ANY)
			CHECK_STR(got, class_names[i].name);
		for (size_t j = 0; j < i; j++) {
			if (class_names[j].cls != class_names[i].cls)
				continue;
			bool j_covers = (class_names[j].sub == ANY ||
					 class_names[j].sub == class_names[i].sub) &&
					(class_names[j].progif == ANY ||
					 class_names[j].progif == class_names[i].progif);
			if (j_covers)
				printf("  entry %zu (%s) is shadowed by entry %zu (%s)\n", i,
				       class_names[i].name, j, class_names[j].name);
			CHECK(!j_covers);
		}
	}
}

TEST(class_names_total)
{
	/* Every code has a printable name. */
	for (unsigned c = 0; c < 256; c++)
		for (unsigned s = 0; s < 256; s += 5)
			for (unsigned p = 0; p < 256; p += 51) {
				const char *n = pci_class_name((uint8_t)c, (uint8_t)s, (uint8_t)p);
				CHECK(n && n[0]);
			}
}

int main(void)
{
	RUN(bar_table);
	RUN(is_mem64);
	RUN(bar_type_names);
	RUN(bar_random_invariants);
	RUN(class_names);
	RUN(class_table_order);
	RUN(class_names_total);
	return CHECK_DONE();
}
