/* Linux bzImage loader, 64-bit entry (see kernel/linux_boot.h). Pure: no
 * hardware, no logging. Every number read from the image is checked before it
 * is used, in 64-bit arithmetic so that no sum can wrap. */
#include "kernel/linux_boot.h"

#include <stdarg.h>

#include "kernel/errno.h"
#include "kernel/kstring.h"
#include "kernel/le.h"
#include "kernel/printf.h"

#define LB_KIB	  1024ULL
#define LB_MIB	  (1024ULL * LB_KIB)
#define LB_4G	  (1ULL << 32)
#define LB_PAGE	  4096ULL
#define LB_SECTOR 512ULL

/* boot.rst, "The Real-Mode Kernel Header": offsets in the image. The header
 * sits at the same offsets in boot_params, which is why it is copied to 0x1f1
 * there. */
#define HDR_START		  0x1f1 /* setup_sects, the first header byte */
#define HDR_SYSSIZE		  0x1f4 /* 2.04+: protected-mode size in 16-byte units */
#define HDR_BOOT_FLAG		  0x1fe
#define HDR_JUMP		  0x200 /* a short jump: its displacement is at 0x201 */
#define HDR_MAGIC		  0x202
#define HDR_VERSION		  0x206
#define HDR_CODE32_START	  0x214
#define HDR_TYPE_OF_LOADER	  0x210
#define HDR_LOADFLAGS		  0x211
#define HDR_RAMDISK_IMAGE	  0x218
#define HDR_RAMDISK_SIZE	  0x21c
#define HDR_HEAP_END_PTR	  0x224
#define HDR_EXT_LOADER_VER	  0x226
#define HDR_EXT_LOADER_TYPE	  0x227
#define HDR_CMD_LINE_PTR	  0x228
#define HDR_INITRD_ADDR_MAX	  0x22c /* 2.03+: highest address of the initrd's last byte */
#define HDR_KERNEL_ALIGNMENT	  0x230 /* 2.05+ */
#define HDR_RELOCATABLE		  0x234 /* 2.05+ */
#define HDR_XLOADFLAGS		  0x236 /* 2.12+ */
#define HDR_CMDLINE_SIZE	  0x238 /* 2.06+: without the terminating NUL */
#define HDR_HARDWARE_SUBARCH	  0x23c /* 2.07+ */
#define HDR_HARDWARE_SUBARCH_DATA 0x240
#define HDR_SETUP_DATA		  0x250 /* 2.09+: a list of struct setup_data */
#define HDR_PREF_ADDRESS	  0x258 /* 2.10+ */
#define HDR_INIT_SIZE		  0x260 /* 2.10+ */
#define HDR_NEEDED_END		  0x264 /* the header must reach past init_size */
#define HDR_MAX_END		  0x290 /* boot_params: edd_mbr_sig_buffer follows */

#define HDR_MAGIC_VALUE	 0x53726448u /* "HdrS" read little-endian */
#define BOOT_FLAG_VALUE	 0xaa55u
#define PROTOCOL_MIN	 0x020cu /* 2.12: xloadflags, so XLF_KERNEL_64 can be seen */
#define SETUP_SECTS_ZERO 4	 /* boot.rst: setup_sects 0 means 4 */
#define LOADED_HIGH	 (1u << 0)
#define XLF_KERNEL_64	 (1u << 0) /* the 64-bit entry at load address + 0x200 */
#define XLF_ABOVE_4G	 (1u << 1) /* kernel, boot_params, cmdline, initrd may be above 4G */
#define LOADER_UNDEFINED 0xff	   /* type_of_loader: "undefined" (no assigned ID) */
#define ENTRY_64_OFFSET	 0x200
/* A vmlinux has no header: the one Terrapin makes up for it. */
#define VMLINUX_PROTOCOL     0x020f
#define VMLINUX_ALIGN	     0x200000 /* CONFIG_PHYSICAL_ALIGN on x86-64 defaults */
#define VMLINUX_CMDLINE_SIZE 2047     /* COMMAND_LINE_SIZE 2048, less the NUL */
#define SUBARCH_PC	 0

/* zero-page.rst: boot_params fields outside the setup header. */
#define BP_SIZE		     4096
#define BP_ACPI_RSDP_ADDR    0x070
#define BP_EXT_RAMDISK_IMAGE 0x0c0
#define BP_EXT_RAMDISK_SIZE  0x0c4
#define BP_EXT_CMD_LINE_PTR  0x0c8
#define BP_ALT_MEM_K	     0x1e0 /* KiB above 1 MiB: Linux uses it with < 2 e820 entries */
#define BP_E820_ENTRIES	     0x1e8
#define BP_SENTINEL	     0x1ef /* 0: the loader zeroed the page (we do) */
#define BP_E820_TABLE	     0x2d0
#define BP_E820_MAX	     128
#define BP_E820_ENTRY	     20		   /* u64 addr, u64 size, u32 type */
#define BP_HEAD		     BP_E820_TABLE /* the part built in one buffer */

/* e820 types (ACPI 6.5 table 15.4, as Linux's e820 numbers them). */
#define E820_USABLE   1
#define E820_RESERVED 2
#define E820_ACPI     3
#define E820_NVS      4
#define E820_UNUSABLE 5

/* Long mode (SDM 3A 9.8.5): CR4.PAE, EFER.LME and (as after the switch) LMA. */
#define LB_CR4_PAE  (1ULL << 5)
#define LB_EFER_LME (1ULL << 8)
#define LB_EFER_LMA (1ULL << 10)
/* Page-table entry bits (SDM 3A 4.5): present, writable, 2 MiB page. */
#define PTE_P	  (1ULL << 0)
#define PTE_RW	  (1ULL << 1)
#define PTE_PS	  (1ULL << 7)
#define LB_2M	  (2ULL << 20)
#define TSS_LIMIT 0x67
#define GDT_SIZE  (LINUX_BOOT_TSS + 16) /* null, null, code, data, 16-byte TSS */

struct lb {
	const uint8_t *img;
	size_t size;
	const struct loader_target *t;
	const struct mem_range *map;
	size_t nmap;
	char *err;
	size_t errlen;
	/* from the header */
	unsigned hdr_end;
	uint16_t version, xlf;
	bool relocatable;
	uint64_t setup_size, kernel_size, need, pref, align, initrd_top, cmdline_size;
	const uint8_t *hdr; /* the setup header, at its offsets (the image's, or made up) */
	/* placement */
	uint64_t load, initrd_at, entry;
};

static const uint8_t lb_zeros[512];

__attribute__((format(printf, 3, 4))) static int lb_error(struct lb *l, int ret, const char *fmt,
							  ...)
{
	va_list ap;

	if (l->err && l->errlen) {
		va_start(ap, fmt);
		kvsnprintf(l->err, l->errlen, fmt, ap);
		va_end(ap);
	}
	return ret;
}


static bool lb_overlap(uint64_t a, uint64_t alen, uint64_t b, uint64_t blen)
{
	return a < b + blen && b < a + alen;
}

/* Whether [base, base + len) lies in one usable range (len > 0, no wrap). */
static bool lb_usable(const struct lb *l, uint64_t base, uint64_t len)
{
	for (size_t i = 0; i < l->nmap; i++) {
		const struct mem_range *m = &l->map[i];

		if (m->type == MEM_USABLE && base >= m->base && len <= m->len &&
		    base - m->base <= m->len - len)
			return true;
	}
	return false;
}

bool linux_boot_detect(const uint8_t *img, size_t size)
{
	return img && size >= HDR_MAGIC + 4 && le32(img + HDR_MAGIC) == HDR_MAGIC_VALUE;
}

/* ---- the setup header's checks (boot.rst, "Details of Header Fields") ---- */

static int lb_header(struct lb *l)
{
	const uint8_t *h = l->img;
	uint64_t sects, syssize, init_size;
	uint32_t align;

	if (!linux_boot_detect(h, l->size))
		return lb_error(l, -EINVAL, "not a Linux bzImage: no \"HdrS\" signature at 0x202");
	l->version = le16(h + HDR_VERSION);
	if (l->version < PROTOCOL_MIN)
		return lb_error(l, -EINVAL,
				"Linux boot protocol %u.%02u is older than 2.12, which the "
				"64-bit entry needs",
				l->version >> 8, l->version & 0xff);
	l->hdr_end = HDR_MAGIC + h[HDR_JUMP + 1];
	if (l->hdr_end < HDR_NEEDED_END || l->hdr_end > HDR_MAX_END)
		return lb_error(l, -EINVAL,
				"Linux setup header ends at 0x%x (the jump at 0x200), outside "
				"0x%x-0x%x",
				l->hdr_end, HDR_NEEDED_END, HDR_MAX_END);
	if (l->size < l->hdr_end)
		return lb_error(l, -EINVAL,
				"Linux image truncated inside its setup header (%zu bytes)",
				l->size);
	if (le16(h + HDR_BOOT_FLAG) != BOOT_FLAG_VALUE)
		return lb_error(l, -EINVAL, "Linux boot_flag is 0x%x, not 0xaa55",
				le16(h + HDR_BOOT_FLAG));
	l->xlf = le16(h + HDR_XLOADFLAGS);
	if (!(l->xlf & XLF_KERNEL_64))
		return lb_error(l, -EINVAL,
				"not a 64-bit kernel: xloadflags 0x%x lacks XLF_KERNEL_64 (the "
				"64-bit entry)",
				l->xlf);
	if (!(h[HDR_LOADFLAGS] & LOADED_HIGH))
		return lb_error(l, -EINVAL, "a zImage (loaded low) is not supported, only bzImage");

	sects = h[HDR_START] ? h[HDR_START] : SETUP_SECTS_ZERO;
	l->setup_size = (sects + 1) * LB_SECTOR;
	syssize = (uint64_t)le32(h + HDR_SYSSIZE) * 16;
	if (l->size <= l->setup_size || l->size - l->setup_size < syssize)
		return lb_error(l, -EINVAL,
				"Linux image truncated: %zu bytes, but setup takes 0x%llx and "
				"the kernel 0x%llx more (syssize)",
				l->size, (unsigned long long)l->setup_size,
				(unsigned long long)syssize);
	l->kernel_size = l->size - l->setup_size;
	init_size = le32(h + HDR_INIT_SIZE);
	l->need = init_size > l->kernel_size ? init_size : l->kernel_size;
	l->pref = le64(h + HDR_PREF_ADDRESS);
	l->relocatable = h[HDR_RELOCATABLE] != 0;
	align = le32(h + HDR_KERNEL_ALIGNMENT);
	if (l->relocatable && (align < LB_PAGE || (align & (align - 1))))
		return lb_error(l, -EINVAL,
				"Linux kernel_alignment 0x%x is not a power of two of at least "
				"4 KiB",
				align);
	l->align = align;
	/* initrd_addr_max is the last byte's address: the end may be one more. */
	l->initrd_top = (uint64_t)le32(h + HDR_INITRD_ADDR_MAX) + 1;
	l->cmdline_size = le32(h + HDR_CMDLINE_SIZE);
	return 0;
}

/* ---- placement ---- */

/* Free for the kernel: usable, below 4 GiB (the 4 GiB identity map), clear of
 * the low area. */
static bool lb_kernel_fits(const struct lb *l, uint64_t at)
{
	return at < LB_4G && l->need <= LB_4G - at && lb_usable(l, at, l->need) &&
	       !lb_overlap(at, l->need, 0, LINUX_LOW_END);
}

static int lb_place_kernel(struct lb *l)
{
	if (lb_kernel_fits(l, l->pref)) {
		l->load = l->pref;
		return 0;
	}
	if (!l->relocatable)
		return lb_error(l, -ERANGE,
				"the kernel is not relocatable and 0x%llx-0x%llx (pref_address, "
				"init_size) is not free guest RAM below 4 GiB",
				(unsigned long long)l->pref,
				(unsigned long long)(l->pref + l->need));
	for (size_t i = 0; i < l->nmap; i++) {
		const struct mem_range *m = &l->map[i];
		uint64_t at = m->base > LB_MIB ? m->base : LB_MIB;

		if (m->type != MEM_USABLE || at >= LB_4G)
			continue;
		at = (at + l->align - 1) & ~(l->align - 1); /* at < 4G, align <= 2^31 */
		if (lb_kernel_fits(l, at)) {
			l->load = at;
			return 0;
		}
	}
	return lb_error(l, -ERANGE,
			"the kernel needs %llu MiB of contiguous guest RAM below 4 GiB "
			"(init_size 0x%llx), more than the guest's %llu MiB offer",
			(unsigned long long)((l->need + LB_MIB - 1) / LB_MIB),
			(unsigned long long)l->need, (unsigned long long)(l->t->ram_size / LB_MIB));
}

/* The highest page-aligned place for n bytes in [bottom, top), clear of the
 * kernel and the low area. */
static bool lb_initrd_fit(const struct lb *l, uint64_t n, uint64_t bottom, uint64_t top,
			  uint64_t *at)
{
	for (size_t i = l->nmap; i-- > 0;) {
		const struct mem_range *m = &l->map[i];
		uint64_t lo = m->base, hi = m->base + m->len; /* validated: no wrap */

		if (m->type != MEM_USABLE)
			continue;
		if (hi > top)
			hi = top;
		if (lo < bottom)
			lo = bottom;
		/* Each retry lowers hi strictly: a clash means the candidate
		 * ends above the start of what it clashed with. */
		while (hi > lo && hi - lo >= n) {
			uint64_t a = (hi - n) & ~(LB_PAGE - 1);

			if (a < lo)
				break;
			if (lb_overlap(a, n, l->load, l->need)) {
				hi = l->load;
				continue;
			}
			if (lb_overlap(a, n, 0, LINUX_LOW_END))
				break;
			*at = a;
			return true;
		}
	}
	return false;
}

static int lb_place_initrd(struct lb *l)
{
	uint64_t n = l->t->initrd_size, top = l->initrd_top < LB_4G ? l->initrd_top : LB_4G;

	if (!n)
		return 0;
	if (lb_initrd_fit(l, n, 0, top, &l->initrd_at))
		return 0;
	/* Only there does the flag lift initrd_addr_max (boot.rst, xloadflags). */
	if ((l->xlf & XLF_ABOVE_4G) && lb_initrd_fit(l, n, LB_4G, UINT64_MAX, &l->initrd_at))
		return 0;
	if (lb_initrd_fit(l, n, 0, UINT64_MAX, &l->initrd_at))
		return lb_error(l, -ERANGE,
				"the initrd (%llu KiB) does not fit below the kernel's "
				"initrd_addr_max 0x%llx",
				(unsigned long long)(n / LB_KIB),
				(unsigned long long)(l->initrd_top - 1));
	return lb_error(l, -ERANGE,
			"the initrd (%llu KiB) does not fit in the guest RAM the kernel "
			"leaves free (guest %llu MiB, kernel at 0x%llx-0x%llx)",
			(unsigned long long)(n / LB_KIB),
			(unsigned long long)(l->t->ram_size / LB_MIB), (unsigned long long)l->load,
			(unsigned long long)(l->load + l->need));
}

/* ---- writing guest RAM ---- */

static int lb_write(struct lb *l, uint64_t gpa, const void *src, size_t len)
{
	int ret = l->t->ram_write(l->t->ctx, gpa, src, len);

	if (ret)
		return lb_error(l, ret < 0 ? ret : -EFAULT,
				"writing 0x%zx bytes at guest address 0x%llx failed (%d)", len,
				(unsigned long long)gpa, ret);
	return 0;
}

static int lb_zero(struct lb *l, uint64_t gpa, uint64_t len)
{
	for (uint64_t done = 0; done < len;) {
		uint64_t n = len - done < sizeof(lb_zeros) ? len - done : sizeof(lb_zeros);
		int ret = lb_write(l, gpa + done, lb_zeros, (size_t)n);

		if (ret)
			return ret;
		done += n;
	}
	return 0;
}

static uint32_t lb_e820_type(uint32_t type)
{
	switch (type) {
	case MEM_USABLE: return E820_USABLE;
	case MEM_ACPI_RECLAIM: return E820_ACPI;
	case MEM_ACPI_NVS: return E820_NVS;
	case MEM_BAD: return E820_UNUSABLE;
	default: return E820_RESERVED; /* reserved, EFI runtime, unknown */
	}
}

/* KiB of usable RAM contiguous from 1 MiB (alt_mem_k, the e801 figure). */
static uint32_t lb_alt_mem_k(const struct lb *l)
{
	uint64_t top = LB_MIB;
	bool grew = true;

	while (grew) {
		grew = false;
		for (size_t i = 0; i < l->nmap; i++) {
			const struct mem_range *m = &l->map[i];

			if (m->type == MEM_USABLE && m->base <= top && top < m->base + m->len) {
				top = m->base + m->len;
				grew = true;
			}
		}
	}
	return (top - LB_MIB) / LB_KIB > UINT32_MAX ? UINT32_MAX
						    : (uint32_t)((top - LB_MIB) / LB_KIB);
}

/* boot_params (zero-page.rst): zeroed, the image's setup header, then what a
 * boot loader writes (boot.rst marks those fields "write" or "modify"). */
/* Whether `word` (e.g. "tsc_early_khz=") starts a word of the command line. */
static bool lb_has_word(const char *cmdline, const char *word)
{
	size_t n = strlen(word);

	for (const char *p = cmdline; *p; p++)
		if ((p == cmdline || p[-1] == ' ') && !strncmp(p, word, n))
			return true;
	return false;
}

static int lb_zero_page(struct lb *l, const char *cmdline)
{
	uint8_t bp[BP_HEAD], ent[BP_E820_ENTRY];
	uint8_t hdr[HDR_MAX_END - HDR_START];
	uint64_t initrd = l->t->initrd_size ? l->initrd_at : 0, n = l->t->initrd_size;
	size_t nent = l->nmap < BP_E820_MAX ? l->nmap : BP_E820_MAX;
	int ret;

	memset(bp, 0, sizeof(bp));
	memset(hdr, 0, sizeof(hdr));
	memcpy(hdr, l->hdr + HDR_START, l->hdr_end - HDR_START);
	hdr[HDR_TYPE_OF_LOADER - HDR_START] = LOADER_UNDEFINED;
	/* Only LOADED_HIGH stays: no heap (the real-mode setup code does not
	 * run), no KEEP_SEGMENTS (a 32-bit entry matter), no QUIET. */
	hdr[HDR_LOADFLAGS - HDR_START] = LOADED_HIGH;
	put_le16(hdr + HDR_HEAP_END_PTR - HDR_START, 0);
	hdr[HDR_EXT_LOADER_VER - HDR_START] = 0;
	hdr[HDR_EXT_LOADER_TYPE - HDR_START] = 0;
	put_le32(hdr + HDR_CODE32_START - HDR_START, (uint32_t)l->load);
	put_le32(hdr + HDR_CMD_LINE_PTR - HDR_START, (uint32_t)LINUX_CMDLINE_ADDR);
	put_le32(hdr + HDR_RAMDISK_IMAGE - HDR_START, (uint32_t)initrd);
	put_le32(hdr + HDR_RAMDISK_SIZE - HDR_START, (uint32_t)n);
	put_le32(hdr + HDR_HARDWARE_SUBARCH - HDR_START, SUBARCH_PC);
	put_le64(hdr + HDR_HARDWARE_SUBARCH_DATA - HDR_START, 0);
	put_le64(hdr + HDR_SETUP_DATA - HDR_START, 0); /* no setup_data list */

	put_le64(bp + BP_ACPI_RSDP_ADDR, l->t->acpi_rsdp);
	put_le32(bp + BP_EXT_RAMDISK_IMAGE, (uint32_t)(initrd >> 32));
	put_le32(bp + BP_EXT_RAMDISK_SIZE, (uint32_t)(n >> 32));
	put_le32(bp + BP_EXT_CMD_LINE_PTR, (uint32_t)(LINUX_CMDLINE_ADDR >> 32));
	put_le32(bp + BP_ALT_MEM_K, lb_alt_mem_k(l));
	bp[BP_E820_ENTRIES] = (uint8_t)nent;
	bp[BP_SENTINEL] = 0;

	ret = lb_write(l, LINUX_ZERO_PAGE, bp, HDR_START);
	if (!ret)
		ret = lb_write(l, LINUX_ZERO_PAGE + HDR_START, hdr, sizeof(hdr));
	if (!ret)
		ret = lb_write(l, LINUX_ZERO_PAGE + HDR_MAX_END, bp + HDR_MAX_END,
			       BP_HEAD - HDR_MAX_END);
	for (size_t i = 0; !ret && i < nent; i++) {
		put_le64(ent, l->map[i].base);
		put_le64(ent + 8, l->map[i].len);
		put_le32(ent + 16, lb_e820_type(l->map[i].type));
		ret = lb_write(l, LINUX_ZERO_PAGE + BP_E820_TABLE + i * BP_E820_ENTRY, ent,
			       sizeof(ent));
	}
	if (!ret)
		ret = lb_zero(l, LINUX_ZERO_PAGE + BP_E820_TABLE + nent * BP_E820_ENTRY,
			      BP_SIZE - BP_E820_TABLE - nent * BP_E820_ENTRY);
	if (!ret)
		ret = lb_write(l, LINUX_CMDLINE_ADDR, cmdline, strlen(cmdline) + 1);
	return ret;
}

/* A GDT descriptor (SDM 3A 3.4.5) from the same attributes the vCPU state
 * carries, so the two cannot disagree. */
static void lb_desc(uint8_t *d, const struct seg *s)
{
	uint32_t limit = s->attr & SEG_G ? s->limit >> 12 : s->limit;

	put_le16(d, (uint16_t)limit);
	put_le16(d + 2, (uint16_t)s->base);
	d[4] = (uint8_t)(s->base >> 16);
	d[5] = (uint8_t)s->attr;
	d[6] = (uint8_t)(((limit >> 16) & 0xf) | ((s->attr >> 4) & 0xf0));
	d[7] = (uint8_t)(s->base >> 24);
	if (!(s->attr & SEG_S)) /* a system descriptor is 16 bytes in long mode */
		put_le64(d + 8, s->base >> 32);
}

static void lb_segs(struct vcpu_state *s)
{
	const struct seg code = {LINUX_BOOT_CS, SEG_CODE64, 0xffffffff, 0};
	const struct seg data = {LINUX_BOOT_DS, SEG_DATA32, 0xffffffff, 0};

	s->seg[SEG_CS] = code;
	s->seg[SEG_DS] = s->seg[SEG_ES] = s->seg[SEG_SS] = s->seg[SEG_FS] = s->seg[SEG_GS] = data;
	s->seg[SEG_TR] = (struct seg){LINUX_BOOT_TSS, SEG_TSS32_BUSY, TSS_LIMIT,
				      LINUX_GDT_ADDR + LINUX_TSS_OFF};
	s->seg[SEG_LDTR] = (struct seg){0, 0, 0, 0}; /* attr 0: unusable */
	s->gdtr = (struct dtr){LINUX_GDT_ADDR, GDT_SIZE - 1};
	s->idtr = (struct dtr){0, 0};
}

/* GDT and TSS page, the identity map of the first 4 GiB, the stack page. */
static int lb_tables(struct lb *l, const struct vcpu_state *s)
{
	uint8_t buf[512];
	int ret;

	memset(buf, 0, sizeof(buf));
	lb_desc(buf + LINUX_BOOT_CS, &s->seg[SEG_CS]);
	lb_desc(buf + LINUX_BOOT_DS, &s->seg[SEG_DS]);
	lb_desc(buf + LINUX_BOOT_TSS, &s->seg[SEG_TR]);
	ret = lb_zero(l, LINUX_GDT_ADDR, LB_PAGE);
	if (!ret)
		ret = lb_write(l, LINUX_GDT_ADDR, buf, GDT_SIZE);
	if (!ret)
		ret = lb_zero(l, LINUX_PML4_ADDR, 2 * LB_PAGE);
	put_le64(buf, LINUX_PDPT_ADDR | PTE_P | PTE_RW);
	if (!ret)
		ret = lb_write(l, LINUX_PML4_ADDR, buf, 8);
	for (unsigned i = 0; !ret && i < LINUX_PD_PAGES; i++) {
		put_le64(buf, (LINUX_PD_ADDR + i * LB_PAGE) | PTE_P | PTE_RW);
		ret = lb_write(l, LINUX_PDPT_ADDR + i * 8, buf, 8);
	}
	/* 2048 2-MiB pages, written 64 entries (one 512-byte buffer) at a time. */
	for (uint64_t gpa = 0; !ret && gpa < LINUX_IDMAP_BYTES; gpa += 64 * LB_2M) {
		for (unsigned i = 0; i < 64; i++)
			put_le64(buf + i * 8, (gpa + i * LB_2M) | PTE_P | PTE_RW | PTE_PS);
		ret = lb_write(l, LINUX_PD_ADDR + gpa / LB_2M * 8, buf, sizeof(buf));
	}
	if (!ret)
		ret = lb_zero(l, LINUX_STACK_TOP - LB_PAGE, LB_PAGE);
	return ret;
}

static void lb_state(const struct lb *l, struct vcpu_state *s)
{
	memset(s, 0, sizeof(*s));
	lb_segs(s);
	s->rip = l->entry;
	s->gpr[RSI] = LINUX_ZERO_PAGE;
	s->gpr[RSP] = LINUX_STACK_TOP;
	s->rflags = RFLAGS_FIXED; /* interrupts off */
	s->cr0 = CR0_PE | CR0_ET | CR0_NE | CR0_PG;
	s->cr3 = LINUX_PML4_ADDR;
	s->cr4 = LB_CR4_PAE;
	s->efer = LB_EFER_LME | LB_EFER_LMA;
}

/* What both kernel forms share once the kernel's place is known: the command
 * line, the initrd, boot_params, the page tables, the vCPU state. The bzImage's
 * protected-mode code is written here too (write_kernel). */
static int lb_finish(struct lb *l, const struct guest_args *args, bool write_kernel,
		     struct loader_result *out)
{
	const struct loader_target *t = l->t;
	char cmdline[GUEST_CMDLINE_MAX + 32];
	size_t cmdlen;
	int ret;

	cmdlen = strnlen(args->cmdline, sizeof(args->cmdline));
	if (cmdlen >= sizeof(args->cmdline) || cmdlen > l->cmdline_size)
		return lb_error(l, -ERANGE,
				"cmdline is %zu characters, the kernel takes at most %llu "
				"(cmdline_size)",
				cmdlen, (unsigned long long)l->cmdline_size);
	ksnprintf(cmdline, sizeof(cmdline), "%s", args->cmdline);
	if (t->tsc_khz && !lb_has_word(cmdline, "tsc_early_khz=")) {
		int n = ksnprintf(cmdline + cmdlen, sizeof(cmdline) - cmdlen, "%stsc_early_khz=%u",
				  cmdlen ? " " : "", t->tsc_khz);
		if (n < 0 || cmdlen + (size_t)n >= sizeof(cmdline) ||
		    cmdlen + (size_t)n > l->cmdline_size)
			cmdline[cmdlen] = 0; /* no room: Linux calibrates for itself */
	}
	ret = lb_place_initrd(l);
	if (ret)
		return ret;

	lb_state(l, &out->vcpu);
	if (write_kernel)
		ret = lb_write(l, l->load, l->img + l->setup_size, (size_t)l->kernel_size);
	if (!ret && t->initrd_size)
		ret = lb_write(l, l->initrd_at, t->initrd, t->initrd_size);
	if (!ret)
		ret = lb_zero_page(l, cmdline);
	if (!ret)
		ret = lb_tables(l, &out->vcpu);
	if (ret)
		return ret;
	out->format = GUEST_FORMAT_LINUX;
	out->image_start = l->load;
	out->image_end = l->load + l->need;
	out->entry = out->vcpu.rip;
	out->info_start = LINUX_ZERO_PAGE;
	out->info_end = LINUX_ZERO_PAGE + BP_SIZE;
	if (t->initrd_size) {
		out->initrd_start = l->initrd_at;
		out->initrd_end = l->initrd_at + t->initrd_size;
	}
	return 0;
}

static int lb_check_args(struct lb *l, const struct guest_args *args, struct loader_result *out)
{
	const struct loader_target *t = l->t;

	if (!args || !t || !t->ram_write || !l->map || !out || (!t->initrd && t->initrd_size))
		return lb_error(l, -EINVAL, "linux loader: missing argument");
	memset(out, 0, sizeof(*out));
	if (!lb_usable(l, LINUX_LOW_START, LINUX_LOW_END - LINUX_LOW_START))
		return lb_error(l, -ERANGE,
				"guest RAM at 0x%llx-0x%llx (boot_params, command line, GDT, "
				"page tables) is not usable",
				LINUX_LOW_START, LINUX_LOW_END);
	return 0;
}

int linux_boot_load(const uint8_t *img, size_t size, const struct guest_args *args,
		    const struct loader_target *t, const struct mem_range *map, size_t nmap,
		    struct loader_result *out, char *err, size_t errlen)
{
	struct lb l = {.img = img,
		       .hdr = img,
		       .size = size,
		       .t = t,
		       .map = map,
		       .nmap = nmap,
		       .err = err,
		       .errlen = errlen};
	int ret;

	if (!img)
		return lb_error(&l, -EINVAL, "linux loader: missing argument");
	ret = lb_check_args(&l, args, out);
	if (!ret)
		ret = lb_header(&l);
	if (!ret)
		ret = lb_place_kernel(&l);
	if (ret)
		return ret;
	l.entry = l.load + ENTRY_64_OFFSET;
	return lb_finish(&l, args, true, out);
}

/* The setup header a vmlinux lacks, as the bzImage around it would have it:
 * what Linux reads from boot_params (protocol 2.15: the ext_* fields count),
 * and what lb_finish() places the initrd and checks the command line by. */
static void lb_make_header(uint8_t *h, uint64_t start, uint64_t end)
{
	memset(h, 0, HDR_MAX_END);
	put_le16(h + HDR_BOOT_FLAG, BOOT_FLAG_VALUE);
	h[HDR_JUMP + 1] = (uint8_t)(HDR_MAX_END - HDR_MAGIC);
	put_le32(h + HDR_MAGIC, HDR_MAGIC_VALUE);
	put_le16(h + HDR_VERSION, VMLINUX_PROTOCOL);
	h[HDR_LOADFLAGS] = LOADED_HIGH;
	put_le32(h + HDR_INITRD_ADDR_MAX, 0xffffffffu);
	put_le32(h + HDR_KERNEL_ALIGNMENT, VMLINUX_ALIGN);
	h[HDR_RELOCATABLE] = 1;
	put_le16(h + HDR_XLOADFLAGS, XLF_KERNEL_64);
	put_le32(h + HDR_CMDLINE_SIZE, VMLINUX_CMDLINE_SIZE);
	put_le64(h + HDR_PREF_ADDRESS, start);
	put_le32(h + HDR_INIT_SIZE, (uint32_t)(end - start));
}

int linux_boot_load_vmlinux(const struct guest_args *args, const struct loader_target *t,
			    const struct mem_range *map, size_t nmap, uint64_t start, uint64_t end,
			    uint64_t entry, struct loader_result *out, char *err, size_t errlen)
{
	static uint8_t hdr[HDR_MAX_END]; /* pure data; a loader runs at a time */
	struct lb l = {.hdr = hdr, .t = t, .map = map, .nmap = nmap, .err = err, .errlen = errlen};
	int ret = lb_check_args(&l, args, out);

	if (ret)
		return ret;
	if (end <= start || end > LB_4G || entry < start || entry >= end)
		return lb_error(&l, -EINVAL,
				"vmlinux: segments 0x%llx-0x%llx or entry 0x%llx unusable (the "
				"64-bit entry needs all below 4 GiB, the entry inside)",
				(unsigned long long)start, (unsigned long long)end,
				(unsigned long long)entry);
	if (lb_overlap(start, end - start, 0, LINUX_LOW_END))
		return lb_error(&l, -ERANGE,
				"vmlinux: its segments at 0x%llx reach the boot area below 0x%llx",
				(unsigned long long)start, LINUX_LOW_END);
	lb_make_header(hdr, start, end);
	l.hdr_end = HDR_MAX_END;
	l.version = VMLINUX_PROTOCOL;
	l.xlf = XLF_KERNEL_64;
	l.load = start;
	l.need = end - start;
	l.initrd_top = LB_4G;
	l.cmdline_size = VMLINUX_CMDLINE_SIZE;
	l.entry = entry;
	return lb_finish(&l, args, false, out);
}
