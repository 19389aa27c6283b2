/* ACPI firmware-table discovery and parsing (ACPI 6.5 chapter 5; HPET 1.0a; VT-d 4.0
 * chapter 8; AMD IOMMU 3.08 chapter 5).
 *
 * Pure: no hardware access and no logging, so the host tests run it under ASan and
 * UBSan and fuzz it (tests/unit/test_acpi.c). Firmware tables are untrusted input:
 * every length is checked against the bytes that are really there, a table whose
 * header, length or checksum is wrong is listed with the reason and never parsed, and
 * a sub-structure that runs past its table stops the walk of that table.
 *
 * Physical memory is reached only through an acpi_map_fn: it returns a readable
 * pointer to [phys, phys + len), or NULL when that range is not accessible. The
 * pointer must stay valid until acpi_parse() returns; nothing in struct acpi_info
 * points into firmware memory afterwards. */
#ifndef DRIVERS_ACPI_PARSE_H
#define DRIVERS_ACPI_PARSE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

typedef const void *(*acpi_map_fn)(uint64_t phys, uint64_t len, void *ctx);

/* ---- Hardware layouts, written once (the table builders for guests reuse them) ---- */

#define ACPI_PACKED __attribute__((packed))

/* ACPI 6.5 5.2.3.2 Generic Address Structure. */
struct acpi_gas {
	uint8_t space;  /* enum acpi_gas_space */
	uint8_t width;  /* register bit width */
	uint8_t offset; /* register bit offset */
	uint8_t access; /* 0 undefined, 1 byte, 2 word, 3 dword, 4 qword */
	uint64_t addr;
} ACPI_PACKED;
_Static_assert(sizeof(struct acpi_gas) == 12, "ACPI 5.2.3.2");

enum acpi_gas_space {
	ACPI_GAS_MEM = 0, /* system memory */
	ACPI_GAS_IO = 1,  /* system I/O ports */
	ACPI_GAS_PCI = 2, /* PCI config space, bus 0: device<<32 | function<<16 | offset */
};

/* ACPI 6.5 5.2.5.3 Root System Description Pointer. */
struct acpi_rsdp {
	char sig[8];      /* "RSD PTR " */
	uint8_t checksum; /* over the first 20 bytes (the ACPI 1.0 part) */
	char oem[6];
	uint8_t revision; /* 0: ACPI 1.0 (20 bytes), 2: ACPI 2.0+ (36 bytes) */
	uint32_t rsdt;
	uint32_t length; /* revision >= 2: bytes covered by ext_checksum */
	uint64_t xsdt;
	uint8_t ext_checksum;
	uint8_t reserved[3];
} ACPI_PACKED;
_Static_assert(offsetof(struct acpi_rsdp, revision) == 15, "ACPI 5.2.5.3");
_Static_assert(offsetof(struct acpi_rsdp, rsdt) == 16, "ACPI 5.2.5.3");
_Static_assert(offsetof(struct acpi_rsdp, xsdt) == 24, "ACPI 5.2.5.3");
_Static_assert(sizeof(struct acpi_rsdp) == 36, "ACPI 5.2.5.3");
#define ACPI_RSDP_V1_LEN 20

/* ACPI 6.5 5.2.6 System Description Table Header. */
struct acpi_sdt_hdr {
	char sig[4];
	uint32_t length; /* whole table, header included */
	uint8_t revision;
	uint8_t checksum; /* all bytes of the table sum to zero */
	char oem[6];
	char oem_table[8];
	uint32_t oem_rev;
	uint32_t creator;
	uint32_t creator_rev;
} ACPI_PACKED;
_Static_assert(sizeof(struct acpi_sdt_hdr) == 36, "ACPI 5.2.6");

/* ACPI 6.5 5.2.9 Fixed ACPI Description Table (signature "FACP"). An ACPI 1.0 FADT
 * (revision 1) ends at 116 bytes, before reset_reg; ACPI 2.0 added the X_ fields. */
struct acpi_fadt {
	struct acpi_sdt_hdr hdr;
	uint32_t firmware_ctrl;
	uint32_t dsdt;
	uint8_t int_model;
	uint8_t pm_profile;
	uint16_t sci_int;
	uint32_t smi_cmd;
	uint8_t acpi_enable;
	uint8_t acpi_disable;
	uint8_t s4bios_req;
	uint8_t pstate_cnt;
	uint32_t pm1a_evt_blk;
	uint32_t pm1b_evt_blk;
	uint32_t pm1a_cnt_blk;
	uint32_t pm1b_cnt_blk;
	uint32_t pm2_cnt_blk;
	uint32_t pm_tmr_blk;
	uint32_t gpe0_blk;
	uint32_t gpe1_blk;
	uint8_t pm1_evt_len;
	uint8_t pm1_cnt_len;
	uint8_t pm2_cnt_len;
	uint8_t pm_tmr_len;
	uint8_t gpe0_blk_len;
	uint8_t gpe1_blk_len;
	uint8_t gpe1_base;
	uint8_t cst_cnt;
	uint16_t p_lvl2_lat;
	uint16_t p_lvl3_lat;
	uint16_t flush_size;
	uint16_t flush_stride;
	uint8_t duty_offset;
	uint8_t duty_width;
	uint8_t day_alrm;
	uint8_t mon_alrm;
	uint8_t century;
	uint16_t iapc_boot_arch;
	uint8_t reserved1;
	uint32_t flags; /* ACPI_FADT_* */
	struct acpi_gas reset_reg;
	uint8_t reset_value;
	uint16_t arm_boot_arch;
	uint8_t minor_version;
	uint64_t x_firmware_ctrl;
	uint64_t x_dsdt;
	struct acpi_gas x_pm1a_evt_blk;
	struct acpi_gas x_pm1b_evt_blk;
	struct acpi_gas x_pm1a_cnt_blk;
	struct acpi_gas x_pm1b_cnt_blk;
	struct acpi_gas x_pm2_cnt_blk;
	struct acpi_gas x_pm_tmr_blk;
	struct acpi_gas x_gpe0_blk;
	struct acpi_gas x_gpe1_blk;
	struct acpi_gas sleep_control;
	struct acpi_gas sleep_status;
	uint64_t hypervisor_vendor;
} ACPI_PACKED;
_Static_assert(offsetof(struct acpi_fadt, dsdt) == 40, "ACPI 5.2.9");
_Static_assert(offsetof(struct acpi_fadt, sci_int) == 46, "ACPI 5.2.9");
_Static_assert(offsetof(struct acpi_fadt, smi_cmd) == 48, "ACPI 5.2.9");
_Static_assert(offsetof(struct acpi_fadt, acpi_enable) == 52, "ACPI 5.2.9");
_Static_assert(offsetof(struct acpi_fadt, pm1a_cnt_blk) == 64, "ACPI 5.2.9");
_Static_assert(offsetof(struct acpi_fadt, pm1b_cnt_blk) == 68, "ACPI 5.2.9");
_Static_assert(offsetof(struct acpi_fadt, pm_tmr_blk) == 76, "ACPI 5.2.9");
_Static_assert(offsetof(struct acpi_fadt, pm1_cnt_len) == 89, "ACPI 5.2.9");
_Static_assert(offsetof(struct acpi_fadt, pm_tmr_len) == 91, "ACPI 5.2.9");
_Static_assert(offsetof(struct acpi_fadt, century) == 108, "ACPI 5.2.9");
_Static_assert(offsetof(struct acpi_fadt, iapc_boot_arch) == 109, "ACPI 5.2.9");
_Static_assert(offsetof(struct acpi_fadt, flags) == 112, "ACPI 5.2.9");
_Static_assert(offsetof(struct acpi_fadt, reset_reg) == 116, "ACPI 5.2.9");
_Static_assert(offsetof(struct acpi_fadt, reset_value) == 128, "ACPI 5.2.9");
_Static_assert(offsetof(struct acpi_fadt, x_dsdt) == 140, "ACPI 5.2.9");
_Static_assert(offsetof(struct acpi_fadt, x_pm1a_cnt_blk) == 172, "ACPI 5.2.9");
_Static_assert(offsetof(struct acpi_fadt, x_pm1b_cnt_blk) == 184, "ACPI 5.2.9");
_Static_assert(offsetof(struct acpi_fadt, x_pm_tmr_blk) == 208, "ACPI 5.2.9");
_Static_assert(offsetof(struct acpi_fadt, sleep_control) == 244, "ACPI 5.2.9");
_Static_assert(sizeof(struct acpi_fadt) == 276, "ACPI 5.2.9");
#define ACPI_FADT_V1_LEN 116

/* ACPI 6.5 Table 5.10 FADT flags. */
#define ACPI_FADT_TMR_VAL_EXT (1u << 8)    /* the PM timer counts 32 bits, not 24 */
#define ACPI_FADT_RESET_REG_SUP (1u << 10) /* reset_reg/reset_value are usable */
#define ACPI_FADT_HW_REDUCED (1u << 20)    /* no fixed hardware (no PM1, no PM timer) */
/* ACPI 6.5 Table 5.11 IA-PC boot architecture flags. */
#define ACPI_BOOT_ARCH_LEGACY_DEVICES (1u << 0)
#define ACPI_BOOT_ARCH_8042 (1u << 1)

/* ACPI 6.5 5.2.12 Multiple APIC Description Table (signature "APIC"). */
struct acpi_madt {
	struct acpi_sdt_hdr hdr;
	uint32_t lapic_addr;
	uint32_t flags; /* ACPI_MADT_PCAT_COMPAT */
} ACPI_PACKED;
_Static_assert(sizeof(struct acpi_madt) == 44, "ACPI 5.2.12");
#define ACPI_MADT_PCAT_COMPAT (1u << 0) /* dual 8259s are present */

enum acpi_madt_type {
	ACPI_MADT_LAPIC = 0,
	ACPI_MADT_IOAPIC = 1,
	ACPI_MADT_ISO = 2, /* interrupt source override */
	ACPI_MADT_NMI_SRC = 3,
	ACPI_MADT_LAPIC_NMI = 4,
	ACPI_MADT_LAPIC_OVERRIDE = 5,
	ACPI_MADT_X2APIC = 9,
	ACPI_MADT_X2APIC_NMI = 10,
};

struct acpi_madt_entry {
	uint8_t type;
	uint8_t length;
} ACPI_PACKED;

/* ACPI 6.5 5.2.12.2 */
struct acpi_madt_lapic {
	uint8_t type, length;
	uint8_t uid; /* ACPI processor UID */
	uint8_t apic_id;
	uint32_t flags; /* ACPI_MADT_CPU_* */
} ACPI_PACKED;
_Static_assert(sizeof(struct acpi_madt_lapic) == 8, "ACPI 5.2.12.2");
#define ACPI_MADT_CPU_ENABLED (1u << 0)
#define ACPI_MADT_CPU_ONLINE_CAPABLE (1u << 1) /* disabled now, may be brought up later */

/* ACPI 6.5 5.2.12.3 */
struct acpi_madt_ioapic {
	uint8_t type, length;
	uint8_t id;
	uint8_t reserved;
	uint32_t addr;
	uint32_t gsi_base;
} ACPI_PACKED;
_Static_assert(sizeof(struct acpi_madt_ioapic) == 12, "ACPI 5.2.12.3");

/* ACPI 6.5 5.2.12.5 */
struct acpi_madt_iso {
	uint8_t type, length;
	uint8_t bus; /* 0: ISA */
	uint8_t source;
	uint32_t gsi;
	uint16_t flags; /* MPS INTI flags: polarity bits 1:0, trigger mode bits 3:2 */
} ACPI_PACKED;
_Static_assert(sizeof(struct acpi_madt_iso) == 10, "ACPI 5.2.12.5");

/* ACPI 6.5 5.2.12.7 */
struct acpi_madt_lapic_nmi {
	uint8_t type, length;
	uint8_t uid; /* 0xff: all processors */
	uint16_t flags;
	uint8_t lint;
} ACPI_PACKED;
_Static_assert(sizeof(struct acpi_madt_lapic_nmi) == 6, "ACPI 5.2.12.7");

/* ACPI 6.5 5.2.12.8 */
struct acpi_madt_lapic_override {
	uint8_t type, length;
	uint16_t reserved;
	uint64_t addr;
} ACPI_PACKED;
_Static_assert(sizeof(struct acpi_madt_lapic_override) == 12, "ACPI 5.2.12.8");

/* ACPI 6.5 5.2.12.12 */
struct acpi_madt_x2apic {
	uint8_t type, length;
	uint16_t reserved;
	uint32_t x2apic_id;
	uint32_t flags; /* ACPI_MADT_CPU_* */
	uint32_t uid;
} ACPI_PACKED;
_Static_assert(sizeof(struct acpi_madt_x2apic) == 16, "ACPI 5.2.12.12");

/* ACPI 6.5 5.2.12.13 */
struct acpi_madt_x2apic_nmi {
	uint8_t type, length;
	uint16_t flags;
	uint32_t uid;
	uint8_t lint;
	uint8_t reserved[3];
} ACPI_PACKED;
_Static_assert(sizeof(struct acpi_madt_x2apic_nmi) == 12, "ACPI 5.2.12.13");

/* PCI Firmware Specification 3.2 4.1.2 (signature "MCFG"). */
struct acpi_mcfg {
	struct acpi_sdt_hdr hdr;
	uint8_t reserved[8];
} ACPI_PACKED;
_Static_assert(sizeof(struct acpi_mcfg) == 44, "PCI FW 4.1.2");

struct acpi_mcfg_entry {
	uint64_t base; /* ECAM base of bus 0 of the segment, even if bus_start > 0 */
	uint16_t segment;
	uint8_t bus_start;
	uint8_t bus_end;
	uint32_t reserved;
} ACPI_PACKED;
_Static_assert(sizeof(struct acpi_mcfg_entry) == 16, "PCI FW 4.1.2");

/* IA-PC HPET Specification 1.0a 3.2.4 (signature "HPET"). */
struct acpi_hpet {
	struct acpi_sdt_hdr hdr;
	uint32_t block_id; /* copy of the capabilities register's low half */
	struct acpi_gas base;
	uint8_t number;
	uint16_t min_tick;
	uint8_t page_prot;
} ACPI_PACKED;
_Static_assert(offsetof(struct acpi_hpet, base) == 40, "HPET 3.2.4");
_Static_assert(sizeof(struct acpi_hpet) == 56, "HPET 3.2.4");

/* Intel VT-d 4.0 8.1 DMA Remapping Reporting table (signature "DMAR"). */
struct acpi_dmar {
	struct acpi_sdt_hdr hdr;
	uint8_t haw; /* host address width minus one */
	uint8_t flags;
	uint8_t reserved[10];
} ACPI_PACKED;
_Static_assert(sizeof(struct acpi_dmar) == 48, "VT-d 8.1");
#define ACPI_DMAR_INTR_REMAP (1u << 0)
#define ACPI_DMAR_X2APIC_OPT_OUT (1u << 1)

enum acpi_dmar_type { ACPI_DMAR_DRHD = 0, ACPI_DMAR_RMRR = 1, ACPI_DMAR_ATSR = 2 };

struct acpi_dmar_remap {
	uint16_t type;
	uint16_t length;
} ACPI_PACKED;

/* VT-d 4.0 8.3 DMA-remapping hardware unit definition. */
struct acpi_dmar_drhd {
	uint16_t type, length;
	uint8_t flags; /* bit 0 INCLUDE_PCI_ALL */
	uint8_t size;
	uint16_t segment;
	uint64_t base;
	/* device scopes follow */
} ACPI_PACKED;
_Static_assert(sizeof(struct acpi_dmar_drhd) == 16, "VT-d 8.3");
#define ACPI_DRHD_INCLUDE_PCI_ALL (1u << 0)

/* AMD IOMMU 3.08 5.2 I/O Virtualization Reporting Structure (signature "IVRS"). */
struct acpi_ivrs {
	struct acpi_sdt_hdr hdr;
	uint32_t ivinfo;
	uint8_t reserved[8];
} ACPI_PACKED;
_Static_assert(sizeof(struct acpi_ivrs) == 48, "AMD IOMMU 5.2.1");

/* AMD IOMMU 3.08 5.2.2 I/O virtualization hardware definition block. Types 11h and
 * 40h are longer, but start with the same 24 bytes. */
struct acpi_ivhd {
	uint8_t type; /* 10h, 11h, 40h; IVMD blocks are 20h..22h */
	uint8_t flags;
	uint16_t length;
	uint16_t devid; /* the IOMMU's own PCI requester ID */
	uint16_t cap_offset;
	uint64_t base;
	uint16_t segment;
	uint16_t info;
	uint32_t feature;
} ACPI_PACKED;
_Static_assert(sizeof(struct acpi_ivhd) == 24, "AMD IOMMU 5.2.2");

/* ---- What acpi_parse() finds ---- */

#define ACPI_MAX_TABLES 64
#define ACPI_MAX_CPUS 256
#define ACPI_MAX_IOAPICS 16
#define ACPI_MAX_OVERRIDES 32
#define ACPI_MAX_MCFG 16
#define ACPI_MAX_IOMMUS 8
#define ACPI_TABLE_MAX_LEN (16u << 20) /* larger than any real table: refused */
#define ACPI_RSDP_MAX_LEN 4096

enum acpi_root_kind { ACPI_ROOT_NONE = 0, ACPI_ROOT_RSDT = 1, ACPI_ROOT_XSDT = 2 };

/* One table as found. valid: mapped, header sane, checksum zero, so it was parsed.
 * why: when !valid, the reason it was refused ("bad checksum", "truncated",
 * "unmapped", ...); when valid, an optional note ("duplicate, ignored", or with
 * partial set, what stopped the walk of a malformed table whose earlier part was used). */
struct acpi_table {
	char sig[5]; /* unprintable bytes shown as '?'; "????" when unreadable */
	char oem[7];
	uint8_t rev;
	bool valid;
	bool partial;
	uint32_t len;
	uint64_t phys;
	const char *why; /* static string */
};

struct acpi_cpu {
	uint32_t apic_id;
	uint32_t uid;
	bool enabled;
	bool online_capable;
	bool x2apic; /* from an x2APIC entry (type 9) */
};

struct acpi_ioapic {
	uint8_t id;
	uint32_t addr;
	uint32_t gsi_base;
};

struct acpi_override {
	uint8_t bus;
	uint8_t source; /* ISA IRQ */
	uint32_t gsi;
	uint16_t flags; /* MPS INTI: polarity bits 1:0, trigger bits 3:2 */
};

struct acpi_mcfg_seg {
	uint64_t base;
	uint16_t segment;
	uint8_t bus_start;
	uint8_t bus_end;
};

struct acpi_iommu_unit {
	uint8_t type;   /* DMAR: 0 (DRHD); IVRS: IVHD type 10h/11h/40h */
	uint8_t flags;  /* DRHD flags or IVHD flags */
	uint16_t segment;
	uint16_t devid; /* IVHD: the IOMMU's PCI requester ID */
	uint64_t base;  /* register block */
};

struct acpi_info {
	/* The RSDP */
	uint64_t rsdp_phys; /* 0 if only a copy was known */
	uint8_t revision;   /* RSDP revision: 0 = ACPI 1.0, 2 = ACPI 2.0 and later */
	char oem[7];
	enum acpi_root_kind root_kind;
	uint64_t root_phys;
	bool xsdt_rejected; /* an XSDT was given but refused; the RSDT was used instead */

	uint32_t table_count;
	bool tables_truncated; /* more tables than ACPI_MAX_TABLES: the rest was still
				* parsed but is not listed (or was not walked at all
				* past ACPI_MAX_TABLES root entries) */
	struct acpi_table tables[ACPI_MAX_TABLES];

	struct {
		bool present;
		uint64_t lapic_base; /* the 64-bit override (type 5) wins */
		uint32_t flags;      /* ACPI_MADT_PCAT_COMPAT */
		uint32_t cpu_count;  /* unique APIC IDs, enabled or not */
		bool cpus_truncated;
		struct acpi_cpu cpus[ACPI_MAX_CPUS];
		uint32_t ioapic_count;
		bool ioapics_truncated;
		struct acpi_ioapic ioapics[ACPI_MAX_IOAPICS];
		uint32_t override_count;
		bool overrides_truncated;
		struct acpi_override overrides[ACPI_MAX_OVERRIDES];
		uint32_t nmi_count; /* LAPIC NMI entries (types 4 and 10) */
	} madt;

	struct {
		bool present;
		uint8_t rev;
		uint32_t flags; /* ACPI_FADT_* */
		uint64_t dsdt;  /* X_DSDT when set, else DSDT */
		uint16_t sci_int;
		uint32_t smi_cmd;
		uint8_t acpi_enable;
		uint8_t acpi_disable;
		uint8_t century; /* CMOS index of the century, 0 if none */
		bool boot_arch_valid; /* IAPC_BOOT_ARCH exists (FADT revision >= 3) */
		uint16_t boot_arch;
		bool has_8042; /* i8042 present: the flag, or assumed when the field is absent */
		bool pm_timer_present;
		bool pm_timer_32bit;      /* ACPI_FADT_TMR_VAL_EXT */
		struct acpi_gas pm_timer; /* X_PM_TMR_BLK when usable, else PM_TMR_BLK (I/O) */
		bool reset_valid;         /* RESET_REG_SUP set and the FADT is long enough */
		struct acpi_gas reset_reg;
		uint8_t reset_value;
		struct acpi_gas pm1a_cnt; /* addr 0: absent */
		struct acpi_gas pm1b_cnt;
	} fadt;

	/* \_S5 from the DSDT: the SLP_TYP values that make PM1x_CNT power off. */
	struct {
		bool valid;
		uint8_t slp_typa;
		uint8_t slp_typb;
	} s5;

	struct {
		uint32_t count;
		bool truncated;
		struct acpi_mcfg_seg segs[ACPI_MAX_MCFG];
	} mcfg;

	struct {
		bool present;
		uint64_t base;
		uint8_t space;       /* normally ACPI_GAS_MEM */
		uint8_t comparators; /* in the first timer block */
		bool counter_64bit;
		bool legacy_route;
		uint16_t vendor;
		uint8_t number;
		uint16_t min_tick;
	} hpet;

	struct {
		bool present;
		uint64_t phys;
		uint32_t len;
		uint8_t haw; /* host address width in bits */
		uint8_t flags;
		uint32_t unit_count; /* DRHDs */
		bool units_truncated;
		struct acpi_iommu_unit units[ACPI_MAX_IOMMUS];
		uint32_t rmrr_count;
	} dmar;

	struct {
		bool present;
		uint64_t phys;
		uint32_t len;
		uint32_t ivinfo;
		uint32_t unit_count; /* IVHD blocks (one IOMMU may have several types) */
		bool units_truncated;
		struct acpi_iommu_unit units[ACPI_MAX_IOMMUS];
		uint32_t ivmd_count;
	} ivrs;
};

/* Parses the tables reached from an RSDP. rsdp_copy/rsdp_len: the RSDP's bytes (the
 * Multiboot2 tag's copy); when rsdp_copy is NULL the RSDP is read at rsdp_phys. out is
 * always cleared and filled with what could be used.
 * Returns 0, -EINVAL for a bad RSDP (signature, checksum, length), -EFAULT when the
 * RSDP cannot be mapped, -ENOENT when no root table (XSDT or RSDT) is valid. */
int acpi_parse(const uint8_t *rsdp_copy, size_t rsdp_len, uint64_t rsdp_phys, acpi_map_fn map,
	       void *ctx, struct acpi_info *out);

/* The legacy BIOS search (ACPI 6.5 5.2.5.1): the first KiB of the EBDA (its segment
 * is the word at 0x40E), then 0xE0000-0xFFFFF, on 16-byte boundaries, for "RSD PTR "
 * with a valid checksum. Returns the RSDP's physical address, 0 if none. */
uint64_t acpi_find_rsdp_bios(acpi_map_fn map, void *ctx);

/* The first valid table with signature sig (4 characters), or NULL. */
const struct acpi_table *acpi_table_find(const struct acpi_info *ai, const char *sig);

/* Finds Name(_S5_, Package(){a, b, ...}) in AML bytes (a DSDT's body) and decodes
 * the first two elements. Returns 0, or -ENOENT if there is none that decodes. */
int acpi_aml_find_s5(const uint8_t *aml, size_t len, uint8_t *slp_typa, uint8_t *slp_typb);

#endif
