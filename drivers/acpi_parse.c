/* ACPI table discovery and parsing. Pure: see drivers/acpi_parse.h. */
#include "drivers/acpi_parse.h"

#include "kernel/errno.h"
#include "kernel/kstring.h"

#define ACPI_HDR_LEN ((uint32_t)sizeof(struct acpi_sdt_hdr))

/* What one acpi_parse() call carries around. */
struct acpi_parser {
	acpi_map_fn map;
	void *ctx;
	struct acpi_info *out;
	struct acpi_table scratch; /* stands in for a table the full list cannot hold */
	uint32_t seen;             /* APIC, FACP, ... already parsed: bit per kind */
};

enum { SEEN_MADT = 1, SEEN_FADT = 2, SEEN_MCFG = 4, SEEN_HPET = 8, SEEN_DMAR = 16, SEEN_IVRS = 32 };

/* ACPI 6.5 5.2.5.3 and 5.2.6: a structure is valid when all its bytes sum to zero. */
static uint8_t acpi_sum(const uint8_t *p, size_t n)
{
	uint8_t s = 0;

	while (n--)
		s = (uint8_t)(s + *p++);
	return s;
}

/* Firmware strings go to the console: keep only printable ASCII. */
static void acpi_copy_name(char *dst, const char *src, size_t n)
{
	for (size_t i = 0; i < n; i++) {
		unsigned char c = (unsigned char)src[i];
		dst[i] = (c >= 0x20 && c < 0x7f) ? (char)c : '?';
	}
	dst[n] = '\0';
}

static const void *acpi_map(struct acpi_parser *ps, uint64_t phys, uint64_t len)
{
	if (!ps->map || phys == 0 || len == 0 || phys + len < phys)
		return NULL;
	return ps->map(phys, len, ps->ctx);
}

/* Records what went wrong inside a valid table; the first reason is kept. */
static void acpi_malformed(struct acpi_table *t, const char *why)
{
	t->partial = true;
	if (!t->why)
		t->why = why;
}

static struct acpi_table *acpi_new_entry(struct acpi_parser *ps)
{
	struct acpi_info *ai = ps->out;

	if (ai->table_count < ACPI_MAX_TABLES)
		return &ai->tables[ai->table_count++];
	ai->tables_truncated = true;
	memset(&ps->scratch, 0, sizeof(ps->scratch));
	return &ps->scratch;
}

/* Maps, checks and lists the table at phys. want: the signature it must have, or
 * NULL. Returns the whole table's bytes if it is valid, else NULL (the entry then
 * says why). */
static const uint8_t *acpi_load(struct acpi_parser *ps, uint64_t phys, const char *want,
				struct acpi_table **entry)
{
	struct acpi_table *t = acpi_new_entry(ps);
	const struct acpi_sdt_hdr *h;
	const uint8_t *p;

	*entry = t;
	t->phys = phys;
	memcpy(t->sig, "????", 5);
	if (phys == 0) {
		t->why = "null address";
		return NULL;
	}
	h = acpi_map(ps, phys, ACPI_HDR_LEN);
	if (!h) {
		t->why = "unmapped";
		return NULL;
	}
	acpi_copy_name(t->sig, h->sig, sizeof(h->sig));
	acpi_copy_name(t->oem, h->oem, sizeof(h->oem));
	t->rev = h->revision;
	t->len = h->length;
	if (want && memcmp(h->sig, want, 4) != 0) {
		t->why = "wrong signature";
		return NULL;
	}
	if (t->len < ACPI_HDR_LEN) {
		t->why = "bad length";
		return NULL;
	}
	if (t->len > ACPI_TABLE_MAX_LEN) {
		t->why = "too large";
		return NULL;
	}
	p = acpi_map(ps, phys, t->len);
	if (!p) {
		t->why = "truncated";
		return NULL;
	}
	if (acpi_sum(p, t->len) != 0) {
		t->why = "bad checksum";
		return NULL;
	}
	t->valid = true;
	return p;
}

/* ---- MADT (ACPI 6.5 5.2.12) ---- */

static void madt_add_cpu(struct acpi_info *ai, uint32_t apic_id, uint32_t uid, uint32_t flags,
			 bool x2apic)
{
	struct acpi_cpu *c;

	/* Firmware may describe a CPU both as LAPIC and as x2APIC: keep the first. */
	for (uint32_t i = 0; i < ai->madt.cpu_count; i++)
		if (ai->madt.cpus[i].apic_id == apic_id)
			return;
	if (ai->madt.cpu_count >= ACPI_MAX_CPUS) {
		ai->madt.cpus_truncated = true;
		return;
	}
	c = &ai->madt.cpus[ai->madt.cpu_count++];
	c->apic_id = apic_id;
	c->uid = uid;
	c->enabled = flags & ACPI_MADT_CPU_ENABLED;
	c->online_capable = flags & ACPI_MADT_CPU_ONLINE_CAPABLE;
	c->x2apic = x2apic;
}

static void madt_entry(struct acpi_info *ai, struct acpi_table *t, const uint8_t *e, uint8_t len)
{
	switch (e[0]) {
	case ACPI_MADT_LAPIC: {
		const struct acpi_madt_lapic *l = (const void *)e;
		if (len < sizeof(*l))
			break;
		madt_add_cpu(ai, l->apic_id, l->uid, l->flags, false);
		return;
	}
	case ACPI_MADT_X2APIC: {
		const struct acpi_madt_x2apic *x = (const void *)e;
		if (len < sizeof(*x))
			break;
		madt_add_cpu(ai, x->x2apic_id, x->uid, x->flags, true);
		return;
	}
	case ACPI_MADT_IOAPIC: {
		const struct acpi_madt_ioapic *io = (const void *)e;
		struct acpi_ioapic *d;
		if (len < sizeof(*io))
			break;
		if (ai->madt.ioapic_count >= ACPI_MAX_IOAPICS) {
			ai->madt.ioapics_truncated = true;
			return;
		}
		d = &ai->madt.ioapics[ai->madt.ioapic_count++];
		d->id = io->id;
		d->addr = io->addr;
		d->gsi_base = io->gsi_base;
		return;
	}
	case ACPI_MADT_ISO: {
		const struct acpi_madt_iso *iso = (const void *)e;
		struct acpi_override *o;
		if (len < sizeof(*iso))
			break;
		if (ai->madt.override_count >= ACPI_MAX_OVERRIDES) {
			ai->madt.overrides_truncated = true;
			return;
		}
		o = &ai->madt.overrides[ai->madt.override_count++];
		o->bus = iso->bus;
		o->source = iso->source;
		o->gsi = iso->gsi;
		o->flags = iso->flags;
		return;
	}
	case ACPI_MADT_LAPIC_NMI:
		if (len < sizeof(struct acpi_madt_lapic_nmi))
			break;
		ai->madt.nmi_count++;
		return;
	case ACPI_MADT_X2APIC_NMI:
		if (len < sizeof(struct acpi_madt_x2apic_nmi))
			break;
		ai->madt.nmi_count++;
		return;
	case ACPI_MADT_LAPIC_OVERRIDE: {
		const struct acpi_madt_lapic_override *lo = (const void *)e;
		if (len < sizeof(*lo))
			break;
		ai->madt.lapic_base = lo->addr;
		return;
	}
	default:
		return; /* other interrupt models (GIC, ...) and future types */
	}
	acpi_malformed(t, "short entry");
}

static void acpi_parse_madt(struct acpi_info *ai, struct acpi_table *t, const uint8_t *p)
{
	const struct acpi_madt *m = (const void *)p;
	uint32_t off = sizeof(*m);

	if (t->len < sizeof(*m)) {
		acpi_malformed(t, "too short");
		return;
	}
	ai->madt.present = true;
	ai->madt.flags = m->flags;
	if (ai->madt.lapic_base == 0)
		ai->madt.lapic_base = m->lapic_addr;
	while (off < t->len) {
		uint32_t left = t->len - off;
		uint8_t elen = left >= 2 ? p[off + 1] : 0;

		/* An entry shorter than its own header would loop forever or read past the
		 * table: stop here and keep what came before. */
		if (elen < 2 || elen > left) {
			acpi_malformed(t, "bad entry length");
			return;
		}
		madt_entry(ai, t, p + off, elen);
		off += elen;
	}
}

/* ---- FADT (ACPI 6.5 5.2.9) ---- */

/* True when a FADT of len bytes reaches the end of field. */
#define FADT_HAS(len, field) \
	((len) >= offsetof(struct acpi_fadt, field) + sizeof(((struct acpi_fadt *)0)->field))

static struct acpi_gas acpi_io_reg(uint32_t port, uint8_t bytes)
{
	struct acpi_gas g = { .space = ACPI_GAS_IO, .width = (uint8_t)(bytes * 8), .addr = port };
	return g;
}

static bool acpi_gas_usable(const struct acpi_gas *g)
{
	return g->addr != 0 && (g->space == ACPI_GAS_IO || g->space == ACPI_GAS_MEM);
}

static void acpi_parse_fadt(struct acpi_info *ai, const uint8_t *p, uint32_t len)
{
	struct acpi_fadt f;

	/* Fields past the table's end read as zero, i.e. absent: an ACPI 1.0 FADT is
	 * 116 bytes and has no reset register and no X_ fields. */
	memset(&f, 0, sizeof(f));
	memcpy(&f, p, len < sizeof(f) ? len : sizeof(f));

	ai->fadt.present = true;
	ai->fadt.rev = f.hdr.revision;
	ai->fadt.flags = f.flags;
	ai->fadt.sci_int = f.sci_int;
	ai->fadt.smi_cmd = f.smi_cmd;
	ai->fadt.acpi_enable = f.acpi_enable;
	ai->fadt.acpi_disable = f.acpi_disable;
	ai->fadt.century = f.century;

	ai->fadt.dsdt = f.dsdt;
	if (FADT_HAS(len, x_dsdt) && f.x_dsdt != 0)
		ai->fadt.dsdt = f.x_dsdt;

	/* IAPC_BOOT_ARCH came with ACPI 2.0 (FADT revision 3); before it, those bytes
	 * were reserved and an i8042 is assumed, as on any PC of that time. */
	ai->fadt.boot_arch_valid = f.hdr.revision >= 3 && FADT_HAS(len, iapc_boot_arch);
	ai->fadt.boot_arch = ai->fadt.boot_arch_valid ? f.iapc_boot_arch : 0;
	ai->fadt.has_8042 = !ai->fadt.boot_arch_valid || (f.iapc_boot_arch & ACPI_BOOT_ARCH_8042);

	/* PM timer: ACPI 6.5 4.8.3.3, the block is 4 bytes when present. */
	if (FADT_HAS(len, x_pm_tmr_blk) && acpi_gas_usable(&f.x_pm_tmr_blk)) {
		ai->fadt.pm_timer = f.x_pm_tmr_blk;
		ai->fadt.pm_timer_present = true;
	} else if (f.pm_tmr_blk != 0 && f.pm_tmr_len >= 4) {
		ai->fadt.pm_timer = acpi_io_reg(f.pm_tmr_blk, 4);
		ai->fadt.pm_timer_present = true;
	}
	ai->fadt.pm_timer_32bit = ai->fadt.pm_timer_present && (f.flags & ACPI_FADT_TMR_VAL_EXT);

	/* Reset register: ACPI 6.5 4.8.4.6, usable only with RESET_REG_SUP. */
	if ((f.flags & ACPI_FADT_RESET_REG_SUP) && FADT_HAS(len, reset_value) &&
	    f.reset_reg.addr != 0 && f.reset_reg.space <= ACPI_GAS_PCI) {
		ai->fadt.reset_valid = true;
		ai->fadt.reset_reg = f.reset_reg;
		ai->fadt.reset_value = f.reset_value;
	}

	/* PM1 control blocks (ACPI 6.5 4.8.3.2), where SLP_TYP and SLP_EN live. */
	if (FADT_HAS(len, x_pm1a_cnt_blk) && acpi_gas_usable(&f.x_pm1a_cnt_blk))
		ai->fadt.pm1a_cnt = f.x_pm1a_cnt_blk;
	else if (f.pm1a_cnt_blk != 0)
		ai->fadt.pm1a_cnt = acpi_io_reg(f.pm1a_cnt_blk, f.pm1_cnt_len);
	if (FADT_HAS(len, x_pm1b_cnt_blk) && acpi_gas_usable(&f.x_pm1b_cnt_blk))
		ai->fadt.pm1b_cnt = f.x_pm1b_cnt_blk;
	else if (f.pm1b_cnt_blk != 0)
		ai->fadt.pm1b_cnt = acpi_io_reg(f.pm1b_cnt_blk, f.pm1_cnt_len);
}

/* ---- \_S5 in AML (ACPI 6.5 20.2) ---- */

enum {
	AML_ZERO = 0x00,
	AML_ONE = 0x01,
	AML_NAME = 0x08,
	AML_BYTE = 0x0a,
	AML_WORD = 0x0b,
	AML_DWORD = 0x0c,
	AML_QWORD = 0x0e,
	AML_PACKAGE = 0x12,
	AML_ROOT = 0x5c, /* '\' */
	AML_ONES = 0xff,
};

/* ACPI 6.5 20.2.4 PkgLength: bits 7:6 of the lead byte count the bytes that follow;
 * with none, bits 5:0 are the length, else bits 3:0 are its low nibble. The length
 * counts itself. Returns the bytes consumed, 0 if it does not fit. */
static size_t aml_pkg_length(const uint8_t *p, size_t left, uint32_t *len)
{
	size_t n;

	if (left == 0)
		return 0;
	n = (size_t)(p[0] >> 6);
	if (n + 1 > left)
		return 0;
	if (n == 0) {
		*len = p[0] & 0x3f;
		return 1;
	}
	*len = p[0] & 0x0f;
	for (size_t i = 1; i <= n; i++)
		*len |= (uint32_t)p[i] << (4 + 8 * (i - 1));
	return n + 1;
}

/* One integer data object (ACPI 6.5 20.2.3 ComputationalData). Returns the bytes
 * consumed, 0 if it is not a constant integer or does not fit. */
static size_t aml_integer(const uint8_t *p, size_t left, uint64_t *v)
{
	size_t n;

	switch (p[0]) {
	case AML_ZERO:
		*v = 0;
		return 1;
	case AML_ONE:
		*v = 1;
		return 1;
	case AML_ONES:
		*v = ~0ull;
		return 1;
	case AML_BYTE:
		n = 1;
		break;
	case AML_WORD:
		n = 2;
		break;
	case AML_DWORD:
		n = 4;
		break;
	case AML_QWORD:
		n = 8;
		break;
	default:
		return 0;
	}
	if (n + 1 > left)
		return 0;
	*v = 0;
	for (size_t i = 0; i < n; i++)
		*v |= (uint64_t)p[1 + i] << (8 * i);
	return n + 1;
}

/* Decodes the package that starts at p[0] == AML_PACKAGE and ends by aml_end. */
static int aml_s5_package(const uint8_t *p, const uint8_t *aml_end, uint8_t *a, uint8_t *b)
{
	const uint8_t *q = p + 1, *end;
	uint32_t pkg_len;
	uint64_t v[2] = { 0, 0 };
	size_t n, count;

	n = aml_pkg_length(q, (size_t)(aml_end - q), &pkg_len);
	if (n == 0 || pkg_len < n || pkg_len > (size_t)(aml_end - q))
		return -EINVAL;
	end = q + pkg_len;
	q += n;
	if (q >= end)
		return -EINVAL;
	count = *q++;
	if (count == 0)
		return -EINVAL;
	for (size_t i = 0; i < 2 && i < count; i++) {
		if (q >= end)
			return -EINVAL;
		n = aml_integer(q, (size_t)(end - q), &v[i]);
		if (n == 0)
			return -EINVAL;
		q += n;
	}
	/* Some old firmware packs both values in one element: SLP_TYPa in bits 7:0,
	 * SLP_TYPb in bits 15:8. */
	if (count == 1) {
		v[1] = (v[0] >> 8) & 0xff;
		v[0] &= 0xff;
	}
	/* SLP_TYPx is a 3-bit field of PM1x_CNT (ACPI 6.5 4.8.3.2.1). */
	if (v[0] > 7 || v[1] > 7)
		return -EINVAL;
	*a = (uint8_t)v[0];
	*b = (uint8_t)v[1];
	return 0;
}

int acpi_aml_find_s5(const uint8_t *aml, size_t len, uint8_t *slp_typa, uint8_t *slp_typb)
{
	const uint8_t *end = aml + len;

	/* A full AML interpreter is not needed for this one object: look for the name
	 * as the target of a NameOp, whose value is a PackageOp, as every OS does. */
	for (size_t i = 1; i + 5 <= len; i++) {
		if (memcmp(aml + i, "_S5_", 4) != 0)
			continue;
		if (!(aml[i - 1] == AML_NAME ||
		      (i >= 2 && aml[i - 1] == AML_ROOT && aml[i - 2] == AML_NAME)))
			continue;
		if (aml[i + 4] != AML_PACKAGE)
			continue;
		if (aml_s5_package(aml + i + 4, end, slp_typa, slp_typb) == 0)
			return 0;
	}
	return -ENOENT;
}

/* ---- MCFG, HPET, DMAR, IVRS ---- */

static void acpi_parse_mcfg(struct acpi_info *ai, struct acpi_table *t, const uint8_t *p)
{
	uint32_t off = sizeof(struct acpi_mcfg);

	if (t->len < off) {
		acpi_malformed(t, "too short");
		return;
	}
	if ((t->len - off) % sizeof(struct acpi_mcfg_entry) != 0)
		acpi_malformed(t, "partial entry");
	for (; t->len - off >= sizeof(struct acpi_mcfg_entry); off += sizeof(struct acpi_mcfg_entry)) {
		const struct acpi_mcfg_entry *e = (const void *)(p + off);
		struct acpi_mcfg_seg *s;

		if (e->bus_end < e->bus_start || e->base == 0) {
			acpi_malformed(t, "bad segment entry");
			continue;
		}
		if (ai->mcfg.count >= ACPI_MAX_MCFG) {
			ai->mcfg.truncated = true;
			break;
		}
		s = &ai->mcfg.segs[ai->mcfg.count++];
		s->base = e->base;
		s->segment = e->segment;
		s->bus_start = e->bus_start;
		s->bus_end = e->bus_end;
	}
}

static void acpi_parse_hpet(struct acpi_info *ai, struct acpi_table *t, const uint8_t *p)
{
	const struct acpi_hpet *h = (const void *)p;

	if (t->len < sizeof(*h)) {
		acpi_malformed(t, "too short");
		return;
	}
	ai->hpet.present = true;
	ai->hpet.base = h->base.addr;
	ai->hpet.space = h->base.space;
	/* HPET 1.0a 2.3.4: NUM_TIM_CAP (bits 12:8) is the number of the last timer. */
	ai->hpet.comparators = (uint8_t)(((h->block_id >> 8) & 0x1f) + 1);
	ai->hpet.counter_64bit = h->block_id & (1u << 13);
	ai->hpet.legacy_route = h->block_id & (1u << 15);
	ai->hpet.vendor = (uint16_t)(h->block_id >> 16);
	ai->hpet.number = h->number;
	ai->hpet.min_tick = h->min_tick;
}

static bool acpi_add_unit(struct acpi_iommu_unit *units, uint32_t *count, bool *truncated,
			  const struct acpi_iommu_unit *u)
{
	if (*count >= ACPI_MAX_IOMMUS) {
		*truncated = true;
		return false;
	}
	units[(*count)++] = *u;
	return true;
}

static void acpi_parse_dmar(struct acpi_info *ai, struct acpi_table *t, const uint8_t *p)
{
	const struct acpi_dmar *d = (const void *)p;
	uint32_t off = sizeof(*d);

	ai->dmar.present = true;
	ai->dmar.phys = t->phys;
	ai->dmar.len = t->len;
	if (t->len < sizeof(*d)) {
		acpi_malformed(t, "too short");
		return;
	}
	/* VT-d 4.0 8.1: the field holds the width minus one. */
	ai->dmar.haw = (uint8_t)(d->haw + 1);
	ai->dmar.flags = d->flags;
	while (off < t->len) {
		const struct acpi_dmar_remap *r = (const void *)(p + off);
		uint32_t left = t->len - off;

		if (left < sizeof(*r) || r->length < sizeof(*r) || r->length > left) {
			acpi_malformed(t, "bad structure length");
			return;
		}
		if (r->type == ACPI_DMAR_DRHD) {
			const struct acpi_dmar_drhd *h = (const void *)r;
			struct acpi_iommu_unit u = { 0 };

			if (r->length < sizeof(*h)) {
				acpi_malformed(t, "short DRHD");
			} else {
				u.type = ACPI_DMAR_DRHD;
				u.flags = h->flags;
				u.segment = h->segment;
				u.base = h->base;
				acpi_add_unit(ai->dmar.units, &ai->dmar.unit_count,
					      &ai->dmar.units_truncated, &u);
			}
		} else if (r->type == ACPI_DMAR_RMRR) {
			ai->dmar.rmrr_count++;
		}
		off += r->length;
	}
}

static void acpi_parse_ivrs(struct acpi_info *ai, struct acpi_table *t, const uint8_t *p)
{
	const struct acpi_ivrs *v = (const void *)p;
	uint32_t off = sizeof(*v);

	ai->ivrs.present = true;
	ai->ivrs.phys = t->phys;
	ai->ivrs.len = t->len;
	if (t->len < sizeof(*v)) {
		acpi_malformed(t, "too short");
		return;
	}
	ai->ivrs.ivinfo = v->ivinfo;
	while (off < t->len) {
		const uint8_t *b = p + off;
		uint32_t left = t->len - off;
		uint16_t blen;

		/* AMD IOMMU 3.08 5.2: every block starts type, flags, 16-bit length. */
		if (left < 4) {
			acpi_malformed(t, "bad block length");
			return;
		}
		blen = (uint16_t)(b[2] | b[3] << 8);
		if (blen < 4 || blen > left) {
			acpi_malformed(t, "bad block length");
			return;
		}
		if (b[0] == 0x10 || b[0] == 0x11 || b[0] == 0x40) {
			const struct acpi_ivhd *h = (const void *)b;
			struct acpi_iommu_unit u = { 0 };

			if (blen < sizeof(*h)) {
				acpi_malformed(t, "short IVHD");
			} else {
				u.type = h->type;
				u.flags = h->flags;
				u.segment = h->segment;
				u.devid = h->devid;
				u.base = h->base;
				acpi_add_unit(ai->ivrs.units, &ai->ivrs.unit_count,
					      &ai->ivrs.units_truncated, &u);
			}
		} else if (b[0] >= 0x20 && b[0] <= 0x22) {
			ai->ivrs.ivmd_count++;
		}
		off += blen;
	}
}

/* ---- Tables reached from the root ---- */

static void acpi_load_dsdt(struct acpi_parser *ps)
{
	struct acpi_info *ai = ps->out;
	struct acpi_table *t;
	const uint8_t *p = acpi_load(ps, ai->fadt.dsdt, "DSDT", &t);

	/* Only AML whose checksum holds is searched: a corrupt DSDT could name any
	 * SLP_TYP, and a wrong one may put the machine in a state other than off. */
	if (!p)
		return;
	if (acpi_aml_find_s5(p + ACPI_HDR_LEN, t->len - ACPI_HDR_LEN, &ai->s5.slp_typa,
			     &ai->s5.slp_typb) == 0)
		ai->s5.valid = true;
}

/* Parses a table of a known kind once; later copies are listed but not used. */
static void acpi_dispatch(struct acpi_parser *ps, struct acpi_table *t, const uint8_t *p)
{
	static const struct {
		char sig[5];
		uint32_t bit;
	} kinds[] = {
		{ "APIC", SEEN_MADT }, { "FACP", SEEN_FADT }, { "MCFG", SEEN_MCFG },
		{ "HPET", SEEN_HPET }, { "DMAR", SEEN_DMAR }, { "IVRS", SEEN_IVRS },
	};
	struct acpi_info *ai = ps->out;
	uint32_t bit = 0;

	for (size_t i = 0; i < sizeof(kinds) / sizeof(kinds[0]); i++)
		if (memcmp(t->sig, kinds[i].sig, 4) == 0)
			bit = kinds[i].bit;
	if (!bit)
		return;
	if (ps->seen & bit) {
		t->why = "duplicate, ignored";
		return;
	}
	ps->seen |= bit;
	switch (bit) {
	case SEEN_MADT:
		acpi_parse_madt(ai, t, p);
		break;
	case SEEN_FADT:
		acpi_parse_fadt(ai, p, t->len);
		acpi_load_dsdt(ps);
		break;
	case SEEN_MCFG:
		acpi_parse_mcfg(ai, t, p);
		break;
	case SEEN_HPET:
		acpi_parse_hpet(ai, t, p);
		break;
	case SEEN_DMAR:
		acpi_parse_dmar(ai, t, p);
		break;
	case SEEN_IVRS:
		acpi_parse_ivrs(ai, t, p);
		break;
	}
}

/* Walks an XSDT (8-byte entries) or RSDT (4-byte entries). */
static void acpi_walk_root(struct acpi_parser *ps, struct acpi_table *root, const uint8_t *p,
			   uint32_t entry_size)
{
	uint32_t n = (root->len - ACPI_HDR_LEN) / entry_size;

	if ((root->len - ACPI_HDR_LEN) % entry_size != 0)
		acpi_malformed(root, "partial entry");
	if (n > ACPI_MAX_TABLES) {
		n = ACPI_MAX_TABLES;
		ps->out->tables_truncated = true;
	}
	for (uint32_t i = 0; i < n; i++) {
		const uint8_t *e = p + ACPI_HDR_LEN + (size_t)i * entry_size;
		uint64_t phys = 0;
		struct acpi_table *t;
		const uint8_t *tp;

		for (uint32_t b = 0; b < entry_size; b++)
			phys |= (uint64_t)e[b] << (8 * b);
		tp = acpi_load(ps, phys, NULL, &t);
		if (tp)
			acpi_dispatch(ps, t, tp);
	}
}

/* ACPI 6.5 5.2.5.3: checks the RSDP at p (avail bytes readable). For revision >= 2
 * the extended part must be in avail too; *need is set to its length when not. */
static int acpi_rsdp_check(const uint8_t *p, size_t avail, uint32_t *need)
{
	const struct acpi_rsdp *r = (const void *)p;

	*need = 0;
	if (avail < ACPI_RSDP_V1_LEN || memcmp(r->sig, "RSD PTR ", 8) != 0 ||
	    acpi_sum(p, ACPI_RSDP_V1_LEN) != 0)
		return -EINVAL;
	if (r->revision < 2)
		return 0;
	if (avail < offsetof(struct acpi_rsdp, xsdt)) {
		*need = sizeof(*r);
		return -E2BIG;
	}
	if (r->length < sizeof(*r) || r->length > ACPI_RSDP_MAX_LEN)
		return -EINVAL;
	if (r->length > avail) {
		*need = r->length;
		return -E2BIG;
	}
	return acpi_sum(p, r->length) == 0 ? 0 : -EINVAL;
}

int acpi_parse(const uint8_t *rsdp_copy, size_t rsdp_len, uint64_t rsdp_phys, acpi_map_fn map,
	       void *ctx, struct acpi_info *out)
{
	struct acpi_parser ps = { .map = map, .ctx = ctx, .out = out };
	const struct acpi_rsdp *r;
	const uint8_t *p = rsdp_copy;
	size_t avail = rsdp_len;
	struct acpi_table *root;
	const uint8_t *rp = NULL;
	uint32_t need;
	int err;

	memset(out, 0, sizeof(*out));
	out->rsdp_phys = rsdp_phys;
	if (!p) {
		avail = ACPI_RSDP_V1_LEN;
		p = acpi_map(&ps, rsdp_phys, avail);
		if (!p)
			return rsdp_phys ? -EFAULT : -ENOENT;
	}
	err = acpi_rsdp_check(p, avail, &need);
	if (err == -E2BIG) {
		/* Revision 2 needs more than we hold: read it where it lives. */
		avail = need;
		p = acpi_map(&ps, rsdp_phys, avail);
		if (!p)
			return -EFAULT;
		err = acpi_rsdp_check(p, avail, &need);
	}
	if (err)
		return -EINVAL;

	r = (const void *)p;
	out->revision = r->revision;
	acpi_copy_name(out->oem, r->oem, sizeof(r->oem));

	/* ACPI 6.5 5.2.5.3: a 2.0+ OS uses the XSDT when there is one. A refused XSDT
	 * is listed; the RSDT (its own checksum checked) is the fallback. */
	if (r->revision >= 2 && r->xsdt != 0) {
		rp = acpi_load(&ps, r->xsdt, "XSDT", &root);
		if (rp) {
			out->root_kind = ACPI_ROOT_XSDT;
			out->root_phys = r->xsdt;
			acpi_walk_root(&ps, root, rp, 8);
			return 0;
		}
		out->xsdt_rejected = true;
	}
	if (r->rsdt != 0) {
		rp = acpi_load(&ps, r->rsdt, "RSDT", &root);
		if (rp) {
			out->root_kind = ACPI_ROOT_RSDT;
			out->root_phys = r->rsdt;
			acpi_walk_root(&ps, root, rp, 4);
			return 0;
		}
	}
	return -ENOENT;
}

/* ---- Legacy BIOS search ---- */

static uint64_t acpi_scan(acpi_map_fn map, void *ctx, uint64_t base, uint32_t len)
{
	const uint8_t *p = map(base, len, ctx);
	uint32_t need;

	if (!p)
		return 0;
	for (uint32_t off = 0; off + ACPI_RSDP_V1_LEN <= len; off += 16) {
		/* A 2.0 RSDP must be whole inside the area; a stale copy with a bad
		 * extended checksum is passed over. */
		if (acpi_rsdp_check(p + off, len - off, &need) == 0)
			return base + off;
	}
	return 0;
}

uint64_t acpi_find_rsdp_bios(acpi_map_fn map, void *ctx)
{
	const uint8_t *bda;
	uint64_t found;

	if (!map)
		return 0;
	/* ACPI 6.5 5.2.5.1: the EBDA's real-mode segment is the word at 40:0Eh. */
	bda = map(0x40e, 2, ctx);
	if (bda) {
		uint64_t ebda = (uint64_t)(bda[0] | bda[1] << 8) << 4;

		/* The EBDA is in conventional memory, below the 640 KiB hole. */
		if (ebda >= 0x500 && ebda + 1024 <= 0xa0000) {
			found = acpi_scan(map, ctx, ebda, 1024);
			if (found)
				return found;
		}
	}
	return acpi_scan(map, ctx, 0xe0000, 0x20000);
}

const struct acpi_table *acpi_table_find(const struct acpi_info *ai, const char *sig)
{
	for (uint32_t i = 0; i < ai->table_count; i++)
		if (ai->tables[i].valid && memcmp(ai->tables[i].sig, sig, 4) == 0)
			return &ai->tables[i];
	return NULL;
}
