/* Multiboot2 boot information parser (see boot/mb2_parse.h). Pure.
 *
 * Layout (Multiboot2 spec 3.6): u32 total_size, u32 reserved, then tags, each
 * u32 type, u32 size (header included, padding excluded), started on an 8-byte
 * boundary, ending with a tag of type 0 and size 8. The loader is trusted to
 * load us, not to be right: every length is checked against total_size before
 * a byte is read, and a bad tag is skipped and counted rather than believed. */
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "boot/mb2_parse.h"
#include "kernel/boot_info.h"
#include "kernel/errno.h"
#include "kernel/kstring.h"

#define MB2_HEADER_SIZE 8     /* total_size, reserved */
#define MB2_TAG_HEADER_SIZE 8 /* type, size */
#define MB2_TAG_ALIGN 8
#define MB2_MMAP_ENTRY_MIN 24 /* u64 base_addr, u64 length, u32 type, u32 reserved */
#define MB2_RSDP_V1_SIZE 20   /* ACPI 6.4 5.2.5.3: the ACPI 1.0 part of the RSDP */
#define MB2_RSDP_V2_SIZE 36

/* Byte-wise little-endian reads: the structure need not be aligned in tests. */
static uint32_t mb2_rd32(const uint8_t *p)
{
	return (uint32_t)p[0] | (uint32_t)p[1] << 8 | (uint32_t)p[2] << 16 | (uint32_t)p[3] << 24;
}

static uint64_t mb2_rd64(const uint8_t *p)
{
	return (uint64_t)mb2_rd32(p) | (uint64_t)mb2_rd32(p + 4) << 32;
}

struct mb2_state {
	struct boot_info *bi;
	bool have_meminfo;
	uint32_t mem_lower_kib, mem_upper_kib;
	bool rsdp_new; /* the ACPI 2.0+ copy wins over the 1.0 one */
};

/* Copies the string at p[0..plen) into dst[0..cap), truncated to fit and
 * NUL-terminated. Returns 1 when the string had no NUL inside the tag (it is
 * then taken as far as the tag goes), else 0. */
static int mb2_copy_str(char *dst, size_t cap, const uint8_t *p, size_t plen)
{
	size_t n = 0;

	while (n < plen && p[n])
		n++;
	if (cap) {
		size_t c = n < cap - 1 ? n : cap - 1;

		memcpy(dst, p, c);
		dst[c] = '\0';
	}
	return n == plen;
}

/* Multiboot2 spec 3.6.8. */
static uint32_t mb2_mem_type(uint32_t type)
{
	switch (type) {
	case MB2_MMAP_AVAILABLE:
		return MEM_USABLE;
	case MB2_MMAP_ACPI_RECLAIMABLE:
		return MEM_ACPI_RECLAIM;
	case MB2_MMAP_NVS:
		return MEM_ACPI_NVS;
	case MB2_MMAP_BADRAM:
		return MEM_BAD;
	default:
		return MEM_RESERVED;
	}
}

static int mb2_add_range(struct boot_info *bi, uint64_t base, uint64_t len, uint32_t type)
{
	if (bi->mmap_count >= BOOT_MAX_MMAP)
		return 1;
	bi->mmap[bi->mmap_count].base = base;
	bi->mmap[bi->mmap_count].len = len;
	bi->mmap[bi->mmap_count].type = type;
	bi->mmap_count++;
	return 0;
}

/* Spec 3.6.6: u32 mod_start, u32 mod_end, NUL-terminated string. */
static int mb2_tag_module(struct boot_info *bi, const uint8_t *p, size_t plen)
{
	struct boot_module *m;
	uint32_t start, end;

	if (plen < 8)
		return 1;
	start = mb2_rd32(p);
	end = mb2_rd32(p + 4);
	if (end < start || bi->module_count >= BOOT_MAX_MODULES)
		return 1;
	m = &bi->modules[bi->module_count++];
	m->start = start;
	m->end = end;
	return mb2_copy_str(m->args, sizeof(m->args), p + 8, plen - 8);
}

/* Spec 3.6.8: u32 entry_size, u32 entry_version, then entries of entry_size
 * bytes. A larger entry_size is allowed (future versions append fields). */
static int mb2_tag_mmap(struct boot_info *bi, const uint8_t *p, size_t plen)
{
	uint32_t esize;
	size_t count;
	int skipped = 0;

	if (plen < 8)
		return 1;
	esize = mb2_rd32(p);
	if (esize < MB2_MMAP_ENTRY_MIN)
		return 1;
	p += 8;
	plen -= 8;
	count = plen / esize;
	if (plen % esize)
		skipped++; /* a trailing partial entry */
	for (size_t i = 0; i < count; i++, p += esize)
		skipped += mb2_add_range(bi, mb2_rd64(p), mb2_rd64(p + 8), mb2_mem_type(mb2_rd32(p + 16)));
	return skipped;
}

/* Spec 3.6.11/3.6.12: a copy of the RSDP, not its address. */
static int mb2_tag_rsdp(struct mb2_state *st, const uint8_t *p, size_t plen, bool v2)
{
	size_t need = v2 ? MB2_RSDP_V2_SIZE : MB2_RSDP_V1_SIZE;
	struct boot_info *bi = st->bi;

	if (plen < need)
		return 1;
	if (!v2 && st->rsdp_new)
		return 0;
	memset(bi->rsdp, 0, sizeof(bi->rsdp));
	memcpy(bi->rsdp, p, need);
	bi->rsdp_valid = true;
	bi->rsdp_phys = 0;
	st->rsdp_new = v2;
	return 0;
}

/* One well-framed tag (its payload p[0..plen) lies inside the structure). */
static int mb2_tag(struct mb2_state *st, uint32_t type, const uint8_t *p, size_t plen)
{
	struct boot_info *bi = st->bi;

	switch (type) {
	case MB2_TAG_CMDLINE:
		return mb2_copy_str(bi->cmdline, sizeof(bi->cmdline), p, plen);
	case MB2_TAG_LOADER_NAME:
		return mb2_copy_str(bi->loader, sizeof(bi->loader), p, plen);
	case MB2_TAG_MODULE:
		return mb2_tag_module(bi, p, plen);
	case MB2_TAG_BASIC_MEMINFO: /* spec 3.6.3: u32 mem_lower, u32 mem_upper, KiB */
		if (plen < 8)
			return 1;
		st->have_meminfo = true;
		st->mem_lower_kib = mb2_rd32(p);
		st->mem_upper_kib = mb2_rd32(p + 4);
		return 0;
	case MB2_TAG_MMAP:
		return mb2_tag_mmap(bi, p, plen);
	case MB2_TAG_ACPI_OLD:
		return mb2_tag_rsdp(st, p, plen, false);
	case MB2_TAG_ACPI_NEW:
		return mb2_tag_rsdp(st, p, plen, true);
	case MB2_TAG_EFI64: /* spec 3.6.14: u64 pointer */
		bi->firmware_efi = true;
		if (plen < 8)
			return 1;
		bi->efi_system_table = mb2_rd64(p);
		return 0;
	case MB2_TAG_EFI32:
	case MB2_TAG_EFI_MMAP:
	case MB2_TAG_EFI_BS:
	case MB2_TAG_EFI32_IH:
	case MB2_TAG_EFI64_IH:
		/* Only an EFI loader produces these. A 32-bit system table is of no
		 * use to a 64-bit hypervisor, so it is not recorded. */
		bi->firmware_efi = true;
		return 0;
	default:
		return 0; /* tags we do not use, and types from later spec versions */
	}
}

int mb2_parse(const void *info, size_t avail, struct boot_info *bi)
{
	const uint8_t *base = info;
	struct mb2_state st = { .bi = bi };
	uint64_t total, off = MB2_HEADER_SIZE;
	bool have_end = false;
	int skipped = 0;

	if (!bi)
		return -EINVAL;
	memset(bi, 0, sizeof(*bi));
	if (!info || avail < MB2_HEADER_SIZE + MB2_TAG_HEADER_SIZE)
		return -EINVAL;
	total = mb2_rd32(base);
	if (total < MB2_HEADER_SIZE + MB2_TAG_HEADER_SIZE || total > avail)
		return -EINVAL;
	bi->door = BOOT_DOOR_MULTIBOOT2;

	/* Invariant: off <= total and off is a multiple of 8. */
	while (total - off >= MB2_TAG_HEADER_SIZE) {
		uint32_t type = mb2_rd32(base + off);
		uint32_t size = mb2_rd32(base + off + 4);
		uint64_t next;

		if (size < MB2_TAG_HEADER_SIZE || size > total - off) {
			/* The size cannot be believed: skip only the header and
			 * look for the next tag on the next 8-byte boundary. */
			skipped++;
			off += MB2_TAG_HEADER_SIZE;
			continue;
		}
		if (type == MB2_TAG_END) {
			have_end = true;
			break;
		}
		skipped += mb2_tag(&st, type, base + off + MB2_TAG_HEADER_SIZE,
				   size - MB2_TAG_HEADER_SIZE);
		next = off + (((uint64_t)size + MB2_TAG_ALIGN - 1) & ~(uint64_t)(MB2_TAG_ALIGN - 1));
		if (next > total)
			break; /* the padding runs past the end: no room for an end tag */
		off = next;
	}
	if (!have_end) {
		memset(bi, 0, sizeof(*bi));
		return -EINVAL;
	}

	/* Spec 3.6.3: lower memory starts at 0, upper memory at 1 MiB. Only a
	 * fallback: the memory map (3.6.8) also tells where the holes are. */
	if (bi->mmap_count == 0 && st.have_meminfo) {
		if (st.mem_lower_kib)
			mb2_add_range(bi, 0, (uint64_t)st.mem_lower_kib * 1024, MEM_USABLE);
		if (st.mem_upper_kib)
			mb2_add_range(bi, 0x100000, (uint64_t)st.mem_upper_kib * 1024, MEM_USABLE);
	}
	return skipped;
}

void mb2_grub_unquote(char *s)
{
	char *d = s;

	for (; *s; s++) {
		if (*s == '\\' && s[1])
			*d++ = *++s; /* an escaped character stands for itself */
		else if (*s != '"')
			*d++ = *s;   /* unescaped quotes are GRUB's word wrappers */
	}
	*d = '\0';
}

void mb2_fix_grub_strings(struct boot_info *bi)
{
	if (strncmp(bi->loader, "GRUB", 4) != 0)
		return;
	mb2_grub_unquote(bi->cmdline);
	for (uint32_t i = 0; i < bi->module_count; i++)
		mb2_grub_unquote(bi->modules[i].args);
}
