/* Guest ACPI table builder. Table layouts are drivers/acpi_parse.h's (written once
 * for both reading the host's tables and writing the guest's); AML is encoded by
 * hand after ACPI 6.5 chapter 20, resource descriptors after 6.4. */
#include "kernel/vdev/acpi_build.h"

#include "drivers/acpi_parse.h"
#include "kernel/errno.h"
#include "kernel/kstring.h"
#include "kernel/vdev/pcihost.h"
#include "kernel/vdev/pmtimer.h"
#include "kernel/vdev/rtc.h"
#include "kernel/vdev/uart.h"

#define OEM_ID	     "TRPIN "
#define OEM_TABLE_ID "TERRAPIN"
#define CREATOR_ID   "TRPN"
#define AML_MAX	     1024
#define ARRAY_LEN(a) (sizeof(a) / sizeof((a)[0]))

/* The PCI window ends where the ECAM window starts, and the MCFG is one
 * allocation with a 32-bit base (the RSDT era; Linux also refuses MCFG bases above
 * 4 GiB from old firmware). */
_Static_assert(VDEV_ACPI_PCI_MMIO_END == VDEV_PCI_ECAM_BASE, "PCI window below ECAM");
_Static_assert(VDEV_PCI_ECAM_BASE + VDEV_PCI_ECAM_SIZE <= VDEV_ACPI_IOAPIC_ADDR,
	       "ECAM below the IOAPIC");
_Static_assert((VDEV_PCI_ECAM_BASE & (VDEV_PCI_ECAM_SIZE - 1)) == 0, "ECAM aligned to its size");

/* ACPI 6.5 5.2.10 Firmware ACPI Control Structure. */
struct acpi_facs {
	char sig[4];
	uint32_t length;
	uint32_t hw_signature;
	uint32_t waking_vector;
	uint32_t global_lock;
	uint32_t flags;
	uint64_t x_waking_vector;
	uint8_t version;
	uint8_t reserved[3];
	uint32_t ospm_flags;
	uint8_t reserved2[24];
} ACPI_PACKED;
_Static_assert(sizeof(struct acpi_facs) == 64, "ACPI 5.2.10");

/* ACPI 6.5 table 5.9 FADT flags and table 5.11 boot flags used here. */
#define FADT_WBINVD	    (1u << 0)
#define FADT_PROC_C1	    (1u << 2)
#define FADT_SLP_BUTTON	    (1u << 5) /* no fixed-feature sleep button */
#define FADT_PLATFORM_CLOCK (1u << 15)
#define BOOT_ARCH_NO_VGA    (1u << 2)

/* MPS INTI flags (ACPI 6.5 table 5.50): polarity bits 1:0, trigger mode bits 3:2. */
#define INTI_CONFORMS	0x0000
#define INTI_HIGH_LEVEL 0x000d

/* ---- The blob ---- */

struct blob {
	uint8_t *buf;
	size_t cap, len;
};

static size_t align_up(size_t v, size_t a)
{
	return (v + a - 1) & ~(a - 1);
}

/* Reserves size bytes at the given alignment; returns their offset. Past cap
 * nothing is written but the size keeps counting. */
static size_t blob_take(struct blob *b, size_t size, size_t align)
{
	size_t off = align_up(b->len, align);

	b->len = off + size;
	return off;
}

static void blob_put(struct blob *b, size_t off, const void *src, size_t n)
{
	if (off <= b->cap && n <= b->cap - off)
		memcpy(b->buf + off, src, n);
}

static uint8_t sum_bytes(const uint8_t *p, size_t n)
{
	uint8_t s = 0;

	while (n--)
		s = (uint8_t)(s + *p++);
	return s;
}

/* Makes the table at off sum to zero (ACPI 6.5 5.2.6). */
static void blob_checksum(struct blob *b, size_t off)
{
	struct acpi_sdt_hdr h;

	memcpy(&h, b->buf + off, sizeof(h));
	b->buf[off + offsetof(struct acpi_sdt_hdr, checksum)] = 0;
	b->buf[off + offsetof(struct acpi_sdt_hdr, checksum)] =
		(uint8_t)-sum_bytes(b->buf + off, h.length);
}

static struct acpi_sdt_hdr sdt_hdr(const char *sig, uint32_t len, uint8_t rev)
{
	struct acpi_sdt_hdr h;

	memset(&h, 0, sizeof(h));
	memcpy(h.sig, sig, 4);
	h.length = len;
	h.revision = rev;
	memcpy(h.oem, OEM_ID, 6);
	memcpy(h.oem_table, OEM_TABLE_ID, 8);
	h.oem_rev = 1;
	memcpy(&h.creator, CREATOR_ID, 4);
	h.creator_rev = 1;
	return h;
}

static struct acpi_gas io_gas(uint16_t port, uint8_t bytes)
{
	/* Access size 0 ("legacy") as QEMU's FADT has it. */
	struct acpi_gas g = {.space = ACPI_GAS_IO, .width = (uint8_t)(8 * bytes), .addr = port};
	return g;
}

/* ---- AML (ACPI 6.5 chapter 20) ---- */

enum {
	AML_ZERO_OP = 0x00,
	AML_ONE_OP = 0x01,
	AML_NAME_OP = 0x08,
	AML_BYTE_PREFIX = 0x0a,
	AML_WORD_PREFIX = 0x0b,
	AML_DWORD_PREFIX = 0x0c,
	AML_QWORD_PREFIX = 0x0e,
	AML_SCOPE_OP = 0x10,
	AML_BUFFER_OP = 0x11,
	AML_PACKAGE_OP = 0x12,
	AML_EXT_PREFIX = 0x5b,
	AML_DEVICE_OP = 0x82, /* after AML_EXT_PREFIX */
	AML_ROOT_CHAR = 0x5c,
};

struct aml {
	uint8_t *p;
	size_t cap, len;
	bool overflow;
};

static void aml_put(struct aml *a, const void *src, size_t n)
{
	if (a->overflow || n > a->cap - a->len) {
		a->overflow = true;
		return;
	}
	memcpy(a->p + a->len, src, n);
	a->len += n;
}

static void aml_u8(struct aml *a, uint8_t v)
{
	aml_put(a, &v, 1);
}

static void aml_le(struct aml *a, uint64_t v, unsigned n)
{
	for (unsigned i = 0; i < n; i++)
		aml_u8(a, (uint8_t)(v >> (8 * i)));
}

/* ACPI 6.5 20.2.2 NameSeg: four characters, '_'-padded. */
static void aml_nameseg(struct aml *a, const char *s)
{
	char seg[4] = {'_', '_', '_', '_'};

	for (unsigned i = 0; i < 4 && s[i]; i++)
		seg[i] = s[i];
	aml_put(a, seg, 4);
}

/* ACPI 6.5 20.2.3 the shortest ComputationalData for an integer. */
static void aml_int(struct aml *a, uint64_t v)
{
	if (v <= 1) {
		aml_u8(a, v ? AML_ONE_OP : AML_ZERO_OP);
	} else if (v <= 0xff) {
		aml_u8(a, AML_BYTE_PREFIX);
		aml_le(a, v, 1);
	} else if (v <= 0xffff) {
		aml_u8(a, AML_WORD_PREFIX);
		aml_le(a, v, 2);
	} else if (v <= 0xffffffffu) {
		aml_u8(a, AML_DWORD_PREFIX);
		aml_le(a, v, 4);
	} else {
		aml_u8(a, AML_QWORD_PREFIX);
		aml_le(a, v, 8);
	}
}

/* A package (Scope, Device, Buffer, Package) starts with a PkgLength whose size
 * depends on what follows: reserve one byte now, fix it up in aml_close(). */
static size_t aml_open(struct aml *a)
{
	size_t at = a->len;

	aml_u8(a, 0);
	return at;
}

/* ACPI 6.5 20.2.4 PkgLength: the length counts itself; one byte holds up to 63,
 * else bits 7:6 of the lead byte say how many bytes follow and its bits 3:0 are
 * the low nibble. */
static void aml_close(struct aml *a, size_t at)
{
	size_t body, total, n;

	if (a->overflow)
		return;
	body = a->len - (at + 1);
	for (n = 1; n <= 4; n++) {
		total = body + n;
		if ((n == 1 && total <= 0x3f) || (n > 1 && total < (1ul << (4 + 8 * (n - 1)))))
			break;
	}
	if (n > 4 || n - 1 > a->cap - a->len) {
		a->overflow = true;
		return;
	}
	memmove(a->p + at + n, a->p + at + 1, body);
	a->len += n - 1;
	if (n == 1) {
		a->p[at] = (uint8_t)total;
		return;
	}
	a->p[at] = (uint8_t)(((n - 1) << 6) | (total & 0x0f));
	for (size_t i = 1; i < n; i++)
		a->p[at + i] = (uint8_t)(total >> (4 + 8 * (i - 1)));
}

/* EISAID("PNPxxxx") (ACPI 6.5 19.6.44): three letters in 5 bits each, then four
 * hex digits, stored big-endian in a DWORD. */
static uint32_t eisa_id(const char *id)
{
	uint32_t v = ((uint32_t)(id[0] - '@') << 26) | ((uint32_t)(id[1] - '@') << 21) |
		     ((uint32_t)(id[2] - '@') << 16);

	for (unsigned i = 3; i < 7; i++) {
		char c = id[i];
		uint32_t d = (uint32_t)(c >= 'A' ? c - 'A' + 10 : c - '0');
		v |= d << (4 * (6 - i));
	}
	return (v >> 24) | ((v >> 8) & 0xff00) | ((v << 8) & 0xff0000) | (v << 24);
}

static void aml_name_int(struct aml *a, const char *name, uint64_t v)
{
	aml_u8(a, AML_NAME_OP);
	aml_nameseg(a, name);
	aml_int(a, v);
}

static void aml_hid(struct aml *a, const char *pnp)
{
	aml_u8(a, AML_NAME_OP);
	aml_nameseg(a, "_HID");
	aml_u8(a, AML_DWORD_PREFIX);
	aml_le(a, eisa_id(pnp), 4);
}

/* Name(_CRS, Buffer(){ descriptors, EndTag }) */
static void aml_crs(struct aml *a, const uint8_t *res, size_t n)
{
	static const uint8_t end_tag[2] = {0x79, 0x00}; /* 6.4.2.9, checksum 0: none */
	size_t at;

	aml_u8(a, AML_NAME_OP);
	aml_nameseg(a, "_CRS");
	aml_u8(a, AML_BUFFER_OP);
	at = aml_open(a);
	aml_int(a, n + sizeof(end_tag));
	aml_put(a, res, n);
	aml_put(a, end_tag, sizeof(end_tag));
	aml_close(a, at);
}

/* ---- Resource descriptors (ACPI 6.5 6.4) ---- */

struct res {
	uint8_t b[128];
	size_t len;
};

static void res_le(struct res *r, uint64_t v, unsigned n)
{
	for (unsigned i = 0; i < n && r->len < sizeof(r->b); i++)
		r->b[r->len++] = (uint8_t)(v >> (8 * i));
}

/* 6.4.2.5 I/O port descriptor, 16-bit decode. */
static void res_io(struct res *r, uint16_t min, uint16_t max, uint8_t align, uint8_t len)
{
	res_le(r, 0x47, 1);
	res_le(r, 0x01, 1);
	res_le(r, min, 2);
	res_le(r, max, 2);
	res_le(r, align, 1);
	res_le(r, len, 1);
}

/* 6.4.2.1 IRQ descriptor without flags (edge, active high, exclusive). */
static void res_irq(struct res *r, unsigned irq)
{
	res_le(r, 0x22, 1);
	res_le(r, 1u << irq, 2);
}

enum { RES_MEM = 0, RES_IO = 1, RES_BUS = 2 };
/* General flags: _MIF and _MAF fixed, positive decode, producer (6.4.3.5.3). */
#define RES_FIXED_PRODUCER 0x0c
#define RES_IO_ENTIRE	   0x03 /* I/O type-specific _RNG: ISA and non-ISA ranges */
#define RES_MEM_RW	   0x01 /* memory type-specific _RW; _MEM 0: non-cacheable */

/* 6.4.3.4 32-Bit Fixed Memory Range Descriptor, read-write. */
static void res_mem32_fixed(struct res *r, uint32_t base, uint32_t len)
{
	res_le(r, 0x86, 1);
	res_le(r, 0x09, 2);
	res_le(r, RES_MEM_RW, 1);
	res_le(r, base, 4);
	res_le(r, len, 4);
}

/* 6.4.3.5.3 Word Address Space Descriptor. */
static void res_word(struct res *r, uint8_t type, uint8_t tflags, uint16_t min, uint16_t max)
{
	res_le(r, 0x88, 1);
	res_le(r, 0x0d, 2);
	res_le(r, type, 1);
	res_le(r, RES_FIXED_PRODUCER, 1);
	res_le(r, tflags, 1);
	res_le(r, 0, 2); /* granularity */
	res_le(r, min, 2);
	res_le(r, max, 2);
	res_le(r, 0, 2); /* translation */
	res_le(r, (uint32_t)max - min + 1, 2);
}

/* 6.4.3.5.2 DWord Address Space Descriptor. */
static void res_dword_mem(struct res *r, uint32_t min, uint32_t max)
{
	res_le(r, 0x87, 1);
	res_le(r, 0x17, 2);
	res_le(r, RES_MEM, 1);
	res_le(r, RES_FIXED_PRODUCER, 1);
	res_le(r, RES_MEM_RW, 1);
	res_le(r, 0, 4); /* granularity */
	res_le(r, min, 4);
	res_le(r, max, 4);
	res_le(r, 0, 4); /* translation */
	res_le(r, (uint64_t)max - min + 1, 4);
}

/* ---- DSDT ---- */

/*  Name (_S5, Package (4) { S5, S5, 0, 0 })
 *  Scope (\_SB) {
 *      Device (PCI0) { _HID PNP0A03, _UID 0, _CRS: the buses ECAM covers, the config
 *                      ports, I/O 0-0xcf7 and 0xd00-0xffff, memory from RAM's end
 *                      to the ECAM window }
 *      Device (COM1) { _HID PNP0501, _UID 1, _CRS: I/O 0x3f8-0x3ff, IRQ 4 }
 *      Device (RTC_) { _HID PNP0B00, _CRS: I/O 0x70-0x71, IRQ 8 }
 *      Device (MRES) { _HID PNP0C02, _CRS: memory, the ECAM window }
 *  }
 * PCI0's bus range is the MCFG's: Linux warns about a host bridge whose buses the
 * MCFG only partly covers. The ECAM window is outside PCI0's window and reserved
 * by a PNP0C02 device's _CRS, as PCI Firmware 3.2 4.1.2 asks (and as Linux checks
 * when it validates an MCFG region against ACPI). */
static void dsdt_body(struct aml *a, uint32_t pci_mem_start)
{
	struct res r = {.len = 0};
	size_t scope, dev, pkg;

	aml_u8(a, AML_NAME_OP);
	aml_nameseg(a, "_S5_");
	aml_u8(a, AML_PACKAGE_OP);
	pkg = aml_open(a);
	aml_u8(a, 4); /* NumElements */
	aml_int(a, VDEV_PM_S5_SLP_TYP);
	aml_int(a, VDEV_PM_S5_SLP_TYP);
	aml_int(a, 0);
	aml_int(a, 0);
	aml_close(a, pkg);

	aml_u8(a, AML_SCOPE_OP);
	scope = aml_open(a);
	aml_u8(a, AML_ROOT_CHAR);
	aml_nameseg(a, "_SB_");

	aml_u8(a, AML_EXT_PREFIX);
	aml_u8(a, AML_DEVICE_OP);
	dev = aml_open(a);
	aml_nameseg(a, "PCI0");
	aml_hid(a, "PNP0A03");
	aml_name_int(a, "_UID", 0);
	res_word(&r, RES_BUS, 0, 0x00, VDEV_PCI_ECAM_BUS_END);
	res_io(&r, VDEV_PCI_ADDR_PORT, VDEV_PCI_ADDR_PORT, 1, 8);
	res_word(&r, RES_IO, RES_IO_ENTIRE, 0x0000, VDEV_PCI_ADDR_PORT - 1);
	res_word(&r, RES_IO, RES_IO_ENTIRE, VDEV_PCI_ADDR_PORT + 8, 0xffff);
	res_dword_mem(&r, pci_mem_start, VDEV_ACPI_PCI_MMIO_END - 1);
	aml_crs(a, r.b, r.len);
	aml_close(a, dev);

	aml_u8(a, AML_EXT_PREFIX);
	aml_u8(a, AML_DEVICE_OP);
	dev = aml_open(a);
	aml_nameseg(a, "COM1");
	aml_hid(a, "PNP0501");
	aml_name_int(a, "_UID", 1);
	r.len = 0;
	res_io(&r, VDEV_UART_BASE, VDEV_UART_BASE, 0, 8);
	res_irq(&r, VDEV_UART_GSI);
	aml_crs(a, r.b, r.len);
	aml_close(a, dev);

	aml_u8(a, AML_EXT_PREFIX);
	aml_u8(a, AML_DEVICE_OP);
	dev = aml_open(a);
	aml_nameseg(a, "RTC_");
	aml_hid(a, "PNP0B00");
	r.len = 0;
	res_io(&r, VDEV_RTC_BASE, VDEV_RTC_BASE, 1, 2);
	res_irq(&r, VDEV_RTC_GSI);
	aml_crs(a, r.b, r.len);
	aml_close(a, dev);

	aml_u8(a, AML_EXT_PREFIX);
	aml_u8(a, AML_DEVICE_OP);
	dev = aml_open(a);
	aml_nameseg(a, "MRES");
	aml_hid(a, "PNP0C02");
	r.len = 0;
	res_mem32_fixed(&r, (uint32_t)VDEV_PCI_ECAM_BASE, (uint32_t)VDEV_PCI_ECAM_SIZE);
	aml_crs(a, r.b, r.len);
	aml_close(a, dev);

	aml_close(a, scope);
}

/* ---- The tables ---- */

static void put_fadt(struct blob *b, size_t off, uint64_t base, size_t facs, size_t dsdt)
{
	struct acpi_fadt f;

	memset(&f, 0, sizeof(f));
	f.hdr = sdt_hdr("FACP", sizeof(f), 6);
	f.firmware_ctrl = (uint32_t)(base + facs); /* X_FIRMWARE_CTRL stays 0 (5.2.9) */
	f.dsdt = (uint32_t)(base + dsdt);
	f.x_dsdt = base + dsdt;
	f.int_model = 1; /* ACPI 1.0 meaning: APIC model, as QEMU sets it */
	f.sci_int = VDEV_PM_SCI_GSI;
	/* No SMI_CMD: the PM registers start in ACPI mode (SCI_EN set). */
	f.pm1a_evt_blk = VDEV_PM1_EVT;
	f.pm1a_cnt_blk = VDEV_PM1_CNT;
	f.pm_tmr_blk = VDEV_PM_TMR;
	f.pm1_evt_len = VDEV_PM1_EVT_LEN;
	f.pm1_cnt_len = VDEV_PM1_CNT_LEN;
	f.pm_tmr_len = VDEV_PM_TMR_LEN;
	f.x_pm1a_evt_blk = io_gas(VDEV_PM1_EVT, VDEV_PM1_EVT_LEN);
	f.x_pm1a_cnt_blk = io_gas(VDEV_PM1_CNT, VDEV_PM1_CNT_LEN);
	f.x_pm_tmr_blk = io_gas(VDEV_PM_TMR, VDEV_PM_TMR_LEN);
	/* C2 and C3 latencies above 100 and 1000 us: not supported (5.2.9). */
	f.p_lvl2_lat = 0x0fff;
	f.p_lvl3_lat = 0x0fff;
	f.century = VDEV_RTC_CENTURY;
	/* ISA-style devices (COM1, RTC, PIT) but no i8042 and no VGA. */
	f.iapc_boot_arch = ACPI_BOOT_ARCH_LEGACY_DEVICES | BOOT_ARCH_NO_VGA;
	/* TMR_VAL_EXT clear: the PM timer is 24 bits (pmtimer.h). */
	f.flags = FADT_WBINVD | FADT_PROC_C1 | FADT_SLP_BUTTON | ACPI_FADT_RESET_REG_SUP |
		  FADT_PLATFORM_CLOCK;
	f.reset_reg = io_gas(VDEV_PCI_RESET_PORT, 1);
	f.reset_value = VDEV_RESET_VALUE;
	blob_put(b, off, &f, sizeof(f));
}

static void put_facs(struct blob *b, size_t off)
{
	struct acpi_facs f;

	memset(&f, 0, sizeof(f));
	memcpy(f.sig, "FACS", 4);
	f.length = sizeof(f);
	f.version = 2;
	blob_put(b, off, &f, sizeof(f));
}

static size_t madt_len(uint32_t cpus)
{
	return sizeof(struct acpi_madt) + cpus * sizeof(struct acpi_madt_lapic) +
	       sizeof(struct acpi_madt_ioapic) + 2 * sizeof(struct acpi_madt_iso) +
	       sizeof(struct acpi_madt_lapic_nmi);
}

static void put_madt(struct blob *b, size_t off, const struct vdev_acpi_config *cfg)
{
	struct acpi_madt m;
	struct acpi_madt_ioapic io;
	struct acpi_madt_iso iso;
	struct acpi_madt_lapic_nmi nmi;
	size_t at = off + sizeof(m);

	memset(&m, 0, sizeof(m));
	m.hdr = sdt_hdr("APIC", (uint32_t)madt_len(cfg->cpus), 4);
	m.lapic_addr = VDEV_ACPI_LAPIC_ADDR;
	m.flags = ACPI_MADT_PCAT_COMPAT; /* the 8259s are there (kernel/vdev/pic.c) */
	blob_put(b, off, &m, sizeof(m));

	for (uint32_t i = 0; i < cfg->cpus; i++) {
		struct acpi_madt_lapic l = {
			.type = ACPI_MADT_LAPIC,
			.length = sizeof(l),
			.uid = (uint8_t)i,
			.apic_id = (uint8_t)i,
			.flags = ACPI_MADT_CPU_ENABLED,
		};
		blob_put(b, at, &l, sizeof(l));
		at += sizeof(l);
	}

	memset(&io, 0, sizeof(io));
	io.type = ACPI_MADT_IOAPIC;
	io.length = sizeof(io);
	io.id = cfg->ioapic_id;
	io.addr = VDEV_ACPI_IOAPIC_ADDR;
	io.gsi_base = 0;
	blob_put(b, at, &io, sizeof(io));
	at += sizeof(io);

	/* The PIT's IRQ 0 is wired to IOAPIC pin 2; the SCI is level, active high. */
	memset(&iso, 0, sizeof(iso));
	iso.type = ACPI_MADT_ISO;
	iso.length = sizeof(iso);
	iso.bus = 0;
	iso.source = 0;
	iso.gsi = 2;
	iso.flags = INTI_CONFORMS;
	blob_put(b, at, &iso, sizeof(iso));
	at += sizeof(iso);
	iso.source = VDEV_PM_SCI_GSI;
	iso.gsi = VDEV_PM_SCI_GSI;
	iso.flags = INTI_HIGH_LEVEL;
	blob_put(b, at, &iso, sizeof(iso));
	at += sizeof(iso);

	/* NMI arrives on LINT1 of every processor, as on a PC. */
	memset(&nmi, 0, sizeof(nmi));
	nmi.type = ACPI_MADT_LAPIC_NMI;
	nmi.length = sizeof(nmi);
	nmi.uid = 0xff;
	nmi.flags = INTI_CONFORMS;
	nmi.lint = 1;
	blob_put(b, at, &nmi, sizeof(nmi));
}

/* PCI Firmware 3.2 4.1.2: one allocation, segment 0, the buses the window covers;
 * its base is that of bus 0. */
static size_t mcfg_len(void)
{
	return sizeof(struct acpi_mcfg) + sizeof(struct acpi_mcfg_entry);
}

static void put_mcfg(struct blob *b, size_t off)
{
	struct acpi_mcfg m;
	struct acpi_mcfg_entry e;

	memset(&m, 0, sizeof(m));
	m.hdr = sdt_hdr("MCFG", (uint32_t)mcfg_len(), 1);
	blob_put(b, off, &m, sizeof(m));
	memset(&e, 0, sizeof(e));
	e.base = VDEV_PCI_ECAM_BASE;
	e.segment = 0;
	e.bus_start = 0;
	e.bus_end = VDEV_PCI_ECAM_BUS_END;
	blob_put(b, off + sizeof(m), &e, sizeof(e));
}

static void put_roots(struct blob *b, size_t rsdt, size_t xsdt, uint64_t base, const size_t *tables,
		      unsigned n)
{
	struct acpi_sdt_hdr h = sdt_hdr("RSDT", (uint32_t)(sizeof(h) + 4 * n), 1);

	blob_put(b, rsdt, &h, sizeof(h));
	for (unsigned i = 0; i < n; i++) {
		uint32_t a = (uint32_t)(base + tables[i]);
		blob_put(b, rsdt + sizeof(h) + 4 * i, &a, 4);
	}
	h = sdt_hdr("XSDT", (uint32_t)(sizeof(h) + 8 * n), 1);
	blob_put(b, xsdt, &h, sizeof(h));
	for (unsigned i = 0; i < n; i++) {
		uint64_t a = base + tables[i];
		blob_put(b, xsdt + sizeof(h) + 8 * i, &a, 8);
	}
}

static void put_rsdp(struct blob *b, size_t off, uint64_t base, size_t rsdt, size_t xsdt)
{
	struct acpi_rsdp r;

	memset(&r, 0, sizeof(r));
	memcpy(r.sig, "RSD PTR ", 8);
	memcpy(r.oem, OEM_ID, 6);
	r.revision = 2;
	r.rsdt = (uint32_t)(base + rsdt);
	r.length = sizeof(r);
	r.xsdt = base + xsdt;
	r.checksum = (uint8_t)-sum_bytes((const uint8_t *)&r, ACPI_RSDP_V1_LEN);
	r.ext_checksum = (uint8_t)-sum_bytes((const uint8_t *)&r, sizeof(r));
	blob_put(b, off, &r, sizeof(r));
}

int vdev_acpi_build(const struct vdev_acpi_config *cfg, void *buf, size_t cap, size_t *len)
{
	struct blob b = {.buf = buf, .cap = buf ? cap : 0, .len = 0};
	uint8_t aml_buf[AML_MAX];
	struct aml a = {.p = aml_buf, .cap = sizeof(aml_buf)};
	size_t rsdp, rsdt, xsdt, facs, fadt, dsdt, madt, mcfg, tables[3];
	uint64_t pci_start;
	struct acpi_sdt_hdr dh;

	*len = 0;
	if (!cfg || cfg->cpus == 0 || cfg->cpus > VDEV_ACPI_MAX_CPUS || (cfg->base & 15))
		return -EINVAL;
	pci_start = (cfg->ram_below_4g + 0xfffff) & ~0xfffffull;
	if (pci_start < 0x100000)
		pci_start = 0x100000;
	if (pci_start >= VDEV_ACPI_PCI_MMIO_END)
		return -EINVAL;

	dsdt_body(&a, (uint32_t)pci_start);
	if (a.overflow)
		return -EINVAL; /* cannot happen: the DSDT does not depend on cfg's size */

	/* Layout: RSDP first (it must be where the guest looks), FACS 64-byte
	 * aligned (5.2.10), everything else 16-byte aligned. */
	rsdp = blob_take(&b, sizeof(struct acpi_rsdp), 16);
	rsdt = blob_take(&b, sizeof(struct acpi_sdt_hdr) + 4 * ARRAY_LEN(tables), 16);
	xsdt = blob_take(&b, sizeof(struct acpi_sdt_hdr) + 8 * ARRAY_LEN(tables), 16);
	facs = blob_take(&b, sizeof(struct acpi_facs), 64);
	fadt = blob_take(&b, sizeof(struct acpi_fadt), 16);
	dsdt = blob_take(&b, sizeof(struct acpi_sdt_hdr) + a.len, 16);
	madt = blob_take(&b, madt_len(cfg->cpus), 16);
	mcfg = blob_take(&b, mcfg_len(), 16);
	*len = b.len;
	if (cfg->base + b.len > 0x100000000ull || cfg->base + b.len < cfg->base)
		return -EINVAL;
	if (b.len > b.cap)
		return -ENOSPC;

	memset(buf, 0, b.len);
	tables[0] = fadt;
	tables[1] = madt;
	tables[2] = mcfg;
	put_roots(&b, rsdt, xsdt, cfg->base, tables, ARRAY_LEN(tables));
	put_facs(&b, facs);
	put_fadt(&b, fadt, cfg->base, facs, dsdt);
	dh = sdt_hdr("DSDT", (uint32_t)(sizeof(dh) + a.len), 2); /* rev 2: 64-bit integers */
	blob_put(&b, dsdt, &dh, sizeof(dh));
	blob_put(&b, dsdt + sizeof(dh), aml_buf, a.len);
	put_madt(&b, madt, cfg);
	put_mcfg(&b, mcfg);
	blob_checksum(&b, rsdt);
	blob_checksum(&b, xsdt);
	blob_checksum(&b, fadt);
	blob_checksum(&b, dsdt);
	blob_checksum(&b, madt);
	blob_checksum(&b, mcfg);
	put_rsdp(&b, rsdp, cfg->base, rsdt, xsdt);
	return 0;
}
