/* Second-level page tables (EPT and NPT) built and walked from one format
 * description. The tables are the hypervisor's own, but every address read back
 * from an entry still goes through to_virt, and a rejected one is an error, not a
 * dereference. */
#include "mm/tdp.h"

#include "kernel/errno.h"

#define TDP_ENTRIES 512
#define TDP_LEVELS  4
#define TDP_ALL_4K  (TDP_4K - 1)

/* SDM 3C 29.3.2, tables 29-1..29-6: bits 2:0 read/write/supervisor-execute in
 * every entry; an entry is present if any of them is set. Leaves carry the
 * memory type in bits 5:3 (6 = write-back, the type of guest RAM); bit 7 is the
 * page size in PDPTEs and PDEs. Non-leaf entries grant all three so the leaves
 * alone decide. */
const struct tdp_format tdp_ept = {
	.name = "ept",
	.r = 1ULL << 0,
	.w = 1ULL << 1,
	.x = 1ULL << 2,
	.nx = false,
	.present = 7ULL,
	.large = 1ULL << 7,
	.leaf_fixed = 6ULL << 3,
	.table_fixed = 7ULL,
	.addr_mask = 0x000ffffffffff000ULL,
	.allow_1g = false,
};

/* APM 2 15.25: nested tables are long-mode page tables (APM 2 5.3.3): P bit 0,
 * R/W bit 1, U/S bit 2, PS bit 7 in PDPEs and PDEs, NX bit 63. Nested walks are
 * user accesses (APM 2 15.25.5), so U is set in every entry. There is no read
 * bit: a present entry is readable, so "r" is P and is always in leaf_fixed. */
const struct tdp_format tdp_npt = {
	.name = "npt",
	.r = 1ULL << 0,
	.w = 1ULL << 1,
	.x = 1ULL << 63,
	.nx = true,
	.present = 1ULL << 0,
	.large = 1ULL << 7,
	.leaf_fixed = (1ULL << 0) | (1ULL << 2),
	.table_fixed = (1ULL << 0) | (1ULL << 1) | (1ULL << 2),
	.addr_mask = 0x000ffffffffff000ULL,
	.allow_1g = false,
};

/* Level 4 is the root (PML4), level 1 holds 4 KiB leaves. */
static unsigned tdp_shift(int level)
{
	return 12 + 9 * (unsigned)(level - 1);
}

static uint64_t tdp_span(int level)
{
	return 1ULL << tdp_shift(level);
}

static unsigned tdp_index(uint64_t gpa, int level)
{
	return (unsigned)(gpa >> tdp_shift(level)) & (TDP_ENTRIES - 1);
}

static bool tdp_present(const struct tdp_format *fmt, uint64_t e)
{
	return (e & fmt->present) != 0;
}

/* Bit 7 means "large page" only in level-2 and level-3 entries: in an NPT PTE it
 * is PAT, and in a PML4 entry it is reserved (never set here). */
static bool tdp_is_leaf(const struct tdp_format *fmt, uint64_t e, int level)
{
	return level == 1 || (level <= 3 && (e & fmt->large));
}

/* Physical address an entry points to; a large leaf's low address bits are
 * attributes (NPT: PAT at bit 12), not address. */
static uint64_t tdp_entry_addr(const struct tdp_format *fmt, uint64_t e, int level)
{
	uint64_t a = e & fmt->addr_mask;

	return tdp_is_leaf(fmt, e, level) ? a & ~(tdp_span(level) - 1) : a;
}

unsigned tdp_entry_perms(const struct tdp_format *fmt, uint64_t entry)
{
	unsigned p = 0;

	if (!fmt || !tdp_present(fmt, entry))
		return 0;
	if (entry & fmt->r)
		p |= TDP_R;
	if (entry & fmt->w)
		p |= TDP_W;
	if (fmt->nx ? !(entry & fmt->x) : (entry & fmt->x) != 0)
		p |= TDP_X;
	return p;
}

static uint64_t tdp_perm_bits(const struct tdp_format *fmt, unsigned perms)
{
	uint64_t b = 0;

	if (perms & TDP_R)
		b |= fmt->r;
	if (perms & TDP_W)
		b |= fmt->w;
	if (fmt->nx ? !(perms & TDP_X) : (perms & TDP_X) != 0)
		b |= fmt->x;
	return b;
}

/* False when a leaf with these perms would not be present: no perms at all, or
 * no R in a format whose presence implies read (NPT). */
static bool tdp_expressible(const struct tdp_format *fmt, unsigned perms)
{
	if (!perms)
		return false;
	return (perms & TDP_R) || !(fmt->leaf_fixed & fmt->r);
}

static uint64_t tdp_leaf(const struct tdp_format *fmt, uint64_t hpa, unsigned perms, int level)
{
	return hpa | fmt->leaf_fixed | tdp_perm_bits(fmt, perms) | (level > 1 ? fmt->large : 0);
}

static uint64_t *tdp_table(const struct tdp *t, uint64_t pa)
{
	return t->mm.to_virt(t->mm.ctx, pa);
}

/* A fresh table, zeroed here too: a stale entry would be a guest mapping. */
static int tdp_alloc(struct tdp *t, uint64_t *pa_out, uint64_t **tab_out)
{
	uint64_t pa = t->mm.alloc_table(t->mm.ctx);
	uint64_t *tab = NULL;

	if (!pa)
		return -ENOMEM;
	if (!(pa & TDP_ALL_4K) && !(pa & ~t->fmt->addr_mask))
		tab = tdp_table(t, pa);
	if (!tab) {
		t->mm.free_table(t->mm.ctx, pa);
		return -EFAULT;
	}
	for (int i = 0; i < TDP_ENTRIES; i++)
		tab[i] = 0;
	t->tables++;
	*pa_out = pa;
	*tab_out = tab;
	return 0;
}

/* Free the table at pa, whose entries are at `level`, and every table below. */
static void tdp_free_tree(struct tdp *t, uint64_t pa, int level)
{
	const struct tdp_format *fmt = t->fmt;
	uint64_t *tab = tdp_table(t, pa);

	if (tab && level > 1) {
		for (int i = 0; i < TDP_ENTRIES; i++) {
			uint64_t e = tab[i];

			if (tdp_present(fmt, e) && !tdp_is_leaf(fmt, e, level))
				tdp_free_tree(t, e & fmt->addr_mask, level - 1);
		}
	}
	t->mm.free_table(t->mm.ctx, pa);
	if (t->tables)
		t->tables--;
}

static bool tdp_empty(const uint64_t *tab)
{
	for (int i = 0; i < TDP_ENTRIES; i++)
		if (tab[i])
			return false;
	return true;
}

/* Replace the large leaf *e (level 2 or 3) by a table of leaves one level down
 * that map the same memory with the same attributes, so the part of it outside
 * the range being changed keeps its mapping. */
static int tdp_split(struct tdp *t, uint64_t *e, int level, uint64_t **child)
{
	const struct tdp_format *fmt = t->fmt;
	uint64_t big = *e, pa;
	uint64_t base = tdp_entry_addr(fmt, big, level);
	uint64_t attrs = big & ~fmt->addr_mask & ~fmt->large;
	uint64_t step = tdp_span(level - 1);
	uint64_t large = level - 1 > 1 ? fmt->large : 0;
	int rc = tdp_alloc(t, &pa, child);

	if (rc)
		return rc;
	for (int i = 0; i < TDP_ENTRIES; i++)
		(*child)[i] = (base + (uint64_t)i * step) | attrs | large;
	/* Only now is the new table visible: it is complete. */
	*e = pa | fmt->table_fixed;
	return 0;
}

struct tdp_op {
	bool map;
	unsigned perms;
};

static int tdp_set(struct tdp *t, uint64_t *tab, int level, uint64_t gpa, uint64_t end,
		   uint64_t hpa, const struct tdp_op *op);

/* Apply op to the part [gpa, end) of the region entry *e covers, through the
 * table below it (made or split as needed). */
static int tdp_descend(struct tdp *t, uint64_t *e, int level, uint64_t gpa, uint64_t end,
		       uint64_t hpa, const struct tdp_op *op)
{
	const struct tdp_format *fmt = t->fmt;
	uint64_t old = *e, pa;
	uint64_t *child;
	int rc;

	if (level <= 1)
		return -EINVAL; /* 4 KiB entries are always whole: not reached */
	if (!tdp_present(fmt, old)) {
		if (!op->map)
			return 0;
		rc = tdp_alloc(t, &pa, &child);
		if (rc)
			return rc;
		*e = pa | fmt->table_fixed;
	} else if (tdp_is_leaf(fmt, old, level)) {
		rc = tdp_split(t, e, level, &child);
		if (rc)
			return rc;
	} else {
		child = tdp_table(t, old & fmt->addr_mask);
		if (!child)
			return -EFAULT;
	}
	rc = tdp_set(t, child, level - 1, gpa, end, hpa, op);
	/* A successful map leaves present leaves below; otherwise the table may
	 * now be empty, and an empty table is freed so `tables` stays exact. */
	if ((rc || !op->map) && tdp_empty(child)) {
		pa = *e & fmt->addr_mask;
		*e = 0;
		tdp_free_tree(t, pa, level - 1);
	}
	return rc;
}

/* Apply op to [gpa, end), which lies inside the region table tab (at level)
 * covers; hpa is the host address for gpa. */
static int tdp_set(struct tdp *t, uint64_t *tab, int level, uint64_t gpa, uint64_t end,
		   uint64_t hpa, const struct tdp_op *op)
{
	const struct tdp_format *fmt = t->fmt;
	uint64_t span = tdp_span(level);
	int max_leaf = fmt->allow_1g ? 3 : 2;

	while (gpa < end) {
		uint64_t *e = &tab[tdp_index(gpa, level)];
		uint64_t next = (gpa & ~(span - 1)) + span;
		uint64_t stop = next < end ? next : end;
		bool whole = !(gpa & (span - 1)) && stop == next;
		int rc;

		if (whole && (!op->map || (level <= max_leaf && !(hpa & (span - 1))))) {
			uint64_t old = *e;

			*e = op->map ? tdp_leaf(fmt, hpa, op->perms, level) : 0;
			/* Freed after the entry stops pointing at it. */
			if (tdp_present(fmt, old) && !tdp_is_leaf(fmt, old, level))
				tdp_free_tree(t, old & fmt->addr_mask, level - 1);
		} else {
			rc = tdp_descend(t, e, level, gpa, stop, hpa, op);
			if (rc)
				return rc;
		}
		hpa += stop - gpa;
		gpa = stop;
	}
	return 0;
}

/* [gpa, gpa+size) must be 4 KiB aligned and below TDP_GPA_LIMIT. */
static int tdp_check_gpa(const struct tdp *t, uint64_t gpa, uint64_t size)
{
	if (!t || !t->fmt || !t->root)
		return -EINVAL;
	if ((gpa | size) & TDP_ALL_4K)
		return -EINVAL;
	if (gpa >= TDP_GPA_LIMIT || size > TDP_GPA_LIMIT - gpa)
		return -EINVAL;
	return 0;
}

static int tdp_apply(struct tdp *t, uint64_t gpa, uint64_t hpa, uint64_t size,
		     const struct tdp_op *op)
{
	uint64_t *root;

	if (!size)
		return 0;
	root = tdp_table(t, t->root);
	if (!root)
		return -EFAULT;
	return tdp_set(t, root, TDP_LEVELS, gpa, gpa + size, hpa, op);
}

int tdp_init(struct tdp *t, const struct tdp_format *fmt, const struct tdp_mm *mm)
{
	uint64_t *tab;
	int rc;

	if (!t || !fmt || !mm || !mm->alloc_table || !mm->free_table || !mm->to_virt)
		return -EINVAL;
	t->fmt = fmt;
	t->mm = *mm;
	t->root = 0;
	t->tables = 0;
	rc = tdp_alloc(t, &t->root, &tab);
	if (rc)
		t->root = 0;
	return rc;
}

int tdp_map(struct tdp *t, uint64_t gpa, uint64_t hpa, uint64_t size, unsigned perms)
{
	struct tdp_op op = {.map = true, .perms = perms};
	uint64_t max_pa;
	int rc = tdp_check_gpa(t, gpa, size);

	if (rc)
		return rc;
	if (perms & ~TDP_RWX)
		return -EINVAL;
	/* SDM 3C 29.3.3.1: write-only and write-execute are misconfigurations;
	 * NPT has no way to say it either. */
	if ((perms & TDP_W) && !(perms & TDP_R))
		return -EINVAL;
	max_pa = t->fmt->addr_mask | TDP_ALL_4K;
	if ((hpa & TDP_ALL_4K) || hpa > max_pa || (size && size - 1 > max_pa - hpa))
		return -EINVAL;
	if (!tdp_expressible(t->fmt, perms))
		op.map = false;
	return tdp_apply(t, gpa, hpa, size, &op);
}

int tdp_unmap(struct tdp *t, uint64_t gpa, uint64_t size)
{
	struct tdp_op op = {.map = false, .perms = 0};
	int rc = tdp_check_gpa(t, gpa, size);

	if (rc)
		return rc;
	return tdp_apply(t, gpa, 0, size, &op);
}

int tdp_walk(const struct tdp *t, uint64_t gpa, struct tdp_walk *w)
{
	const struct tdp_format *fmt;
	unsigned perms = TDP_RWX;
	uint64_t pa;

	if (!w)
		return -EINVAL;
	*w = (struct tdp_walk){0};
	if (!t || !t->fmt || !t->root || gpa >= TDP_GPA_LIMIT)
		return -EINVAL;
	fmt = t->fmt;
	pa = t->root;
	for (int level = TDP_LEVELS; level >= 1; level--) {
		const uint64_t *tab = tdp_table(t, pa);
		uint64_t e;

		if (!tab)
			return -EFAULT;
		e = tab[tdp_index(gpa, level)];
		w->table[w->levels] = pa;
		w->entry[w->levels] = e;
		w->levels++;
		w->page_size = tdp_span(level);
		if (!tdp_present(fmt, e))
			return 0;
		/* SDM 3C 29.3.3.2, APM 2 5.6: an access needs the right in
		 * every entry of the walk. */
		perms &= tdp_entry_perms(fmt, e);
		if (tdp_is_leaf(fmt, e, level)) {
			w->mapped = true;
			w->hpa = tdp_entry_addr(fmt, e, level) | (gpa & (tdp_span(level) - 1));
			w->perms = perms;
			return 0;
		}
		pa = e & fmt->addr_mask;
	}
	return 0;
}

void tdp_destroy(struct tdp *t)
{
	if (!t || !t->fmt || !t->root)
		return;
	tdp_free_tree(t, t->root, TDP_LEVELS);
	t->root = 0;
}
