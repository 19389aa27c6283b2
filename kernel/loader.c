/* Guest image loader (see kernel/loader.h). Pure: no hardware, no logging;
 * every number read from the image is checked before it is used, in 64-bit
 * arithmetic so that no sum can wrap. */
#include "kernel/loader.h"

#include <stdarg.h>

#include "kernel/errno.h"
#include "kernel/kstring.h"
#include "kernel/le.h"
#include "kernel/linux_boot.h"
#include "kernel/printf.h"

#define KiB	      1024ULL
#define MiB	      (1024ULL * KiB)
#define LIMIT_4G      (1ULL << 32)
#define LOW_RAM_END   0x9fc00ULL /* default map: conventional memory, EBDA excluded */
#define LOW_MEM_LIMIT 0xa0000ULL /* mem_lower counts at most 640 KiB (3.3) */
#define PAGE	      4096ULL

/* Multiboot 0.6.96, 3.1.2: header flags. Bits 0-15 are requirements a loader
 * must refuse when it does not know them. */
#define MB1_F_PAGE_ALIGN     (1u << 0) /* modules page-aligned: there are none */
#define MB1_F_MEMORY	     (1u << 1) /* mem_* and mmap: always given */
#define MB1_F_VIDEO	     (1u << 2) /* a video mode: none (as QEMU, ignored) */
#define MB1_F_KNOWN_REQUIRED (MB1_F_PAGE_ALIGN | MB1_F_MEMORY | MB1_F_VIDEO)
#define MB1_F_AOUT_KLUDGE    (1u << 16)
#define MB1_HEADER_MIN	     12 /* magic, flags, checksum */
#define MB1_HEADER_AOUT	     32 /* ... and the five address fields */

/* 3.3: the information structure's flags and field offsets. */
#define MBI_F_MEMORY	  (1u << 0)
#define MBI_F_CMDLINE	  (1u << 2)
#define MBI_F_MMAP	  (1u << 6)
#define MBI_F_LOADER_NAME (1u << 9)
#define MBI_FLAGS	  0
#define MBI_MEM_LOWER	  4
#define MBI_MEM_UPPER	  8
#define MBI_CMDLINE	  16
#define MBI_MMAP_LENGTH	  44
#define MBI_MMAP_ADDR	  48
#define MBI_LOADER_NAME	  64
#define MBI_SIZE	  128 /* the 0.6.96 structure is 116 bytes; the rest stays 0 */
#define MBI_NAME_SIZE	  16
#define MBI_MMAP_ENTRY	  24 /* size (20, not counting itself), base, length, type */
/* Layout of the information area: structure, loader name, cmdline, map. */
#define INFO_NAME_OFF	 MBI_SIZE
#define INFO_CMDLINE_OFF (INFO_NAME_OFF + MBI_NAME_SIZE)
#define INFO_MMAP_OFF	 (INFO_CMDLINE_OFF + GUEST_CMDLINE_MAX + 1)

/* ELF (System V gABI; ELF32 and ELF64 headers). */
#define EI_CLASS    4
#define EI_DATA	    5
#define EI_VERSION  6
#define ELFCLASS32  1
#define ELFCLASS64  2
#define ELFDATA2LSB 1
#define ET_EXEC	    2
#define EM_386	    3
#define EM_X86_64   62
#define PT_LOAD	    1
#define ELF32_EHDR  52
#define ELF64_EHDR  64
#define ELF32_PHDR  32
#define ELF64_PHDR  56

struct ld_seg {
	uint64_t gpa, off, filesz, memsz;
};

struct ld {
	const uint8_t *img;
	size_t size;
	const struct guest_args *args;
	const struct loader_target *t;
	struct loader_result *out;
	char *err;
	size_t errlen;
	struct mem_range map[LOADER_MAX_RANGES];
	size_t nmap;
	struct ld_seg segs[LOADER_MAX_SEGMENTS];
	unsigned nsegs;
};

static const uint8_t ld_zeros[256];

__attribute__((format(printf, 3, 4))) static int ld_error(struct ld *l, int ret, const char *fmt,
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


/* ---- the guest's memory map ---- */

static int ld_map(struct ld *l)
{
	const struct loader_target *t = l->t;

	if (!t->map) {
		uint64_t ram = t->ram_size;

		l->map[0] =
			(struct mem_range){0, ram < LOW_RAM_END ? ram : LOW_RAM_END, MEM_USABLE};
		l->nmap = 1;
		if (ram > MiB)
			l->map[l->nmap++] = (struct mem_range){MiB, ram - MiB, MEM_USABLE};
		if (!ram)
			return ld_error(l, -EINVAL, "guest RAM size is 0");
		return 0;
	}
	if (t->map_count == 0 || t->map_count > LOADER_MAX_RANGES)
		return ld_error(l, -EINVAL, "guest memory map: %zu ranges (1 to %d allowed)",
				t->map_count, LOADER_MAX_RANGES);
	for (size_t i = 0; i < t->map_count; i++) {
		const struct mem_range *m = &t->map[i];

		if (!m->len || m->base + m->len < m->base)
			return ld_error(l, -EINVAL, "guest memory map: range %zu is empty or wraps",
					i);
		if (i && m->base < t->map[i - 1].base + t->map[i - 1].len)
			return ld_error(l, -EINVAL,
					"guest memory map: range %zu overlaps or is out of order",
					i);
		l->map[i] = *m;
	}
	l->nmap = t->map_count;
	return 0;
}

/* Whether [base, base + len) lies in one usable range (len > 0, no wrap). */
static bool ld_usable(const struct ld *l, uint64_t base, uint64_t len)
{
	for (size_t i = 0; i < l->nmap; i++) {
		const struct mem_range *m = &l->map[i];

		if (m->type == MEM_USABLE && base >= m->base && len <= m->len &&
		    base - m->base <= m->len - len)
			return true;
	}
	return false;
}

static int ld_place(struct ld *l, const char *what, uint64_t base, uint64_t len)
{
	if (base >= LIMIT_4G || len > LIMIT_4G - base)
		return ld_error(l, -ERANGE, "%s at 0x%llx (0x%llx bytes) does not end below 4 GiB",
				what, (unsigned long long)base, (unsigned long long)len);
	if (!ld_usable(l, base, len))
		return ld_error(l, -ERANGE, "%s at 0x%llx-0x%llx is not in guest RAM (%llu MiB)",
				what, (unsigned long long)base, (unsigned long long)(base + len),
				(unsigned long long)(l->t->ram_size / MiB));
	return 0;
}

static int ld_add_seg(struct ld *l, uint64_t gpa, uint64_t off, uint64_t filesz, uint64_t memsz)
{
	char what[32];
	int ret;

	ksnprintf(what, sizeof(what), "segment %u", l->nsegs);
	if (l->nsegs == LOADER_MAX_SEGMENTS)
		return ld_error(l, -EINVAL, "more than %d loadable segments", LOADER_MAX_SEGMENTS);
	ret = ld_place(l, what, gpa, memsz);
	if (ret)
		return ret;
	for (unsigned i = 0; i < l->nsegs; i++) {
		const struct ld_seg *s = &l->segs[i];

		if (gpa < s->gpa + s->memsz && s->gpa < gpa + memsz)
			return ld_error(l, -EINVAL, "segments %u and %u overlap at 0x%llx", i,
					l->nsegs,
					(unsigned long long)(gpa > s->gpa ? gpa : s->gpa));
	}
	l->segs[l->nsegs++] = (struct ld_seg){gpa, off, filesz, memsz};
	return 0;
}

/* ---- Multiboot header ---- */

int loader_find_mb1(const uint8_t *img, size_t size, struct mb1_header *h, size_t *bad_checksum_at)
{
	size_t end = size < MB1_SEARCH_BYTES ? size : MB1_SEARCH_BYTES;

	if (bad_checksum_at)
		*bad_checksum_at = SIZE_MAX;
	if (!img)
		return 0;
	/* 3.1.1: 32-bit aligned, entirely within the first 8192 bytes. */
	for (size_t off = 0; off + MB1_HEADER_MIN <= end; off += 4) {
		uint32_t magic = le32(img + off), flags = le32(img + off + 4);

		if (magic != MB1_HEADER_MAGIC)
			continue;
		if ((uint32_t)(magic + flags + le32(img + off + 8)) != 0) {
			if (bad_checksum_at && *bad_checksum_at == SIZE_MAX)
				*bad_checksum_at = off;
			continue;
		}
		memset(h, 0, sizeof(*h));
		h->offset = off;
		h->flags = flags;
		if ((flags & MB1_F_AOUT_KLUDGE) && off + MB1_HEADER_AOUT <= end) {
			h->header_addr = le32(img + off + 12);
			h->load_addr = le32(img + off + 16);
			h->load_end_addr = le32(img + off + 20);
			h->bss_end_addr = le32(img + off + 24);
			h->entry_addr = le32(img + off + 28);
		}
		return 1;
	}
	return 0;
}

/* 3.1.3: the address fields. The file offset of load_addr is the header's
 * offset minus (header_addr - load_addr). */
static int ld_aout(struct ld *l, const struct mb1_header *h)
{
	uint64_t text_off, load_size, mem_end;
	int ret;

	if (h->offset + MB1_HEADER_AOUT > MB1_SEARCH_BYTES || h->offset + MB1_HEADER_AOUT > l->size)
		return ld_error(l, -EINVAL,
				"multiboot header at offset 0x%zx: the address fields run past "
				"the first 8192 bytes or the file",
				h->offset);
	if (h->header_addr < h->load_addr)
		return ld_error(l, -EINVAL, "multiboot header_addr 0x%x is below load_addr 0x%x",
				h->header_addr, h->load_addr);
	if ((uint64_t)h->header_addr - h->load_addr > h->offset)
		return ld_error(
			l, -EINVAL,
			"multiboot load_addr 0x%x would start 0x%x bytes before the header, "
			"which is only at file offset 0x%zx",
			h->load_addr, h->header_addr - h->load_addr, h->offset);
	text_off = h->offset - ((uint64_t)h->header_addr - h->load_addr);
	if (h->load_end_addr) {
		if (h->load_end_addr <= h->load_addr)
			return ld_error(l, -EINVAL,
					"multiboot load_end_addr 0x%x is not above load_addr 0x%x",
					h->load_end_addr, h->load_addr);
		load_size = (uint64_t)h->load_end_addr - h->load_addr;
		if (load_size > l->size - text_off)
			return ld_error(
				l, -EINVAL,
				"multiboot load_end_addr asks for 0x%llx bytes, the file has "
				"0x%llx from offset 0x%llx",
				(unsigned long long)load_size,
				(unsigned long long)(l->size - text_off),
				(unsigned long long)text_off);
	} else {
		load_size = l->size - text_off; /* 0: to the end of the file */
	}
	mem_end = h->load_addr + load_size;
	if (h->bss_end_addr) {
		if (h->bss_end_addr < mem_end)
			return ld_error(
				l, -EINVAL,
				"multiboot bss_end_addr 0x%x is below the loaded end 0x%llx",
				h->bss_end_addr, (unsigned long long)mem_end);
		mem_end = h->bss_end_addr;
	}
	if (h->entry_addr < h->load_addr || h->entry_addr >= mem_end)
		return ld_error(l, -EINVAL,
				"multiboot entry_addr 0x%x is outside the image 0x%x-0x%llx",
				h->entry_addr, h->load_addr, (unsigned long long)mem_end);
	ret = ld_add_seg(l, h->load_addr, text_off, load_size, mem_end - h->load_addr);
	if (ret)
		return ret;
	l->out->aout = true;
	l->out->entry = h->entry_addr;
	return 0;
}

/* ELF32 or ELF64 executable: every PT_LOAD goes to its physical address. */
static int ld_elf(struct ld *l)
{
	const uint8_t *e = l->img;
	bool is64;
	uint64_t entry, phoff, phentsize, phnum, vaddr_entry;
	bool entry_found = false;
	int ret;

	if (l->size < 4 || e[0] != 0x7f || e[1] != 'E' || e[2] != 'L' || e[3] != 'F')
		return ld_error(l, -EINVAL,
				"no multiboot address fields and not an ELF file (bad magic)");
	if (l->size < ELF32_EHDR)
		return ld_error(l, -EINVAL, "ELF header truncated (%zu bytes)", l->size);
	if (e[EI_CLASS] != ELFCLASS32 && e[EI_CLASS] != ELFCLASS64)
		return ld_error(l, -EINVAL, "ELF class %u is neither 32- nor 64-bit", e[EI_CLASS]);
	is64 = e[EI_CLASS] == ELFCLASS64;
	if (is64 && l->size < ELF64_EHDR)
		return ld_error(l, -EINVAL, "ELF64 header truncated (%zu bytes)", l->size);
	if (e[EI_DATA] != ELFDATA2LSB || e[EI_VERSION] != 1)
		return ld_error(l, -EINVAL, "ELF is not little-endian version 1");
	if (le16(e + 16) != ET_EXEC)
		return ld_error(l, -EINVAL, "ELF type %u is not an executable (ET_EXEC)",
				le16(e + 16));
	if (le16(e + 18) != (is64 ? EM_X86_64 : EM_386))
		return ld_error(l, -EINVAL, "ELF machine %u is not %s", le16(e + 18),
				is64 ? "x86-64" : "i386");
	if (is64) {
		entry = le64(e + 24);
		phoff = le64(e + 32);
		phentsize = le16(e + 54);
		phnum = le16(e + 56);
	} else {
		entry = le32(e + 24);
		phoff = le32(e + 28);
		phentsize = le16(e + 42);
		phnum = le16(e + 44);
	}
	l->out->elf_class = is64 ? 64 : 32;
	if (phnum == 0 || phnum > LOADER_MAX_PHDRS)
		return ld_error(l, -EINVAL, "ELF has %llu program headers (1 to %d allowed)",
				(unsigned long long)phnum, LOADER_MAX_PHDRS);
	if (phentsize < (is64 ? ELF64_PHDR : ELF32_PHDR))
		return ld_error(l, -EINVAL, "ELF program header size %llu is too small",
				(unsigned long long)phentsize);
	/* phnum and phentsize are 16-bit: their product cannot overflow. */
	if (phoff > l->size || phnum * phentsize > l->size - phoff)
		return ld_error(l, -EINVAL,
				"ELF program headers (offset 0x%llx, %llu x %llu bytes) run past "
				"the end of the file (%zu bytes)",
				(unsigned long long)phoff, (unsigned long long)phnum,
				(unsigned long long)phentsize, l->size);
	vaddr_entry = entry;
	for (uint64_t i = 0; i < phnum; i++) {
		const uint8_t *p = e + phoff + i * phentsize;
		uint64_t off, vaddr, paddr, filesz, memsz;

		if (le32(p) != PT_LOAD)
			continue;
		if (is64) {
			off = le64(p + 8);
			vaddr = le64(p + 16);
			paddr = le64(p + 24);
			filesz = le64(p + 32);
			memsz = le64(p + 40);
		} else {
			off = le32(p + 4);
			vaddr = le32(p + 8);
			paddr = le32(p + 12);
			filesz = le32(p + 16);
			memsz = le32(p + 20);
		}
		if (!memsz)
			continue;
		if (filesz > memsz)
			return ld_error(
				l, -EINVAL,
				"ELF program header %llu: file size 0x%llx exceeds memory size "
				"0x%llx",
				(unsigned long long)i, (unsigned long long)filesz,
				(unsigned long long)memsz);
		if (off > l->size || filesz > l->size - off)
			return ld_error(
				l, -EINVAL,
				"ELF program header %llu: bytes 0x%llx+0x%llx run past the end "
				"of the file (%zu bytes)",
				(unsigned long long)i, (unsigned long long)off,
				(unsigned long long)filesz, l->size);
		ret = ld_add_seg(l, paddr, off, filesz, memsz);
		if (ret)
			return ret;
		/* An entry given as a virtual address inside this segment runs
		 * at the matching physical address (the loader has no paging). */
		if (!entry_found && vaddr_entry >= vaddr && vaddr_entry - vaddr < memsz) {
			entry = paddr + (vaddr_entry - vaddr);
			entry_found = true;
		}
	}
	if (!l->nsegs)
		return ld_error(l, -EINVAL, "ELF has no loadable segment");
	if (!entry_found) {
		for (unsigned i = 0; i < l->nsegs; i++)
			if (entry >= l->segs[i].gpa && entry - l->segs[i].gpa < l->segs[i].memsz)
				entry_found = true;
	}
	if (!entry_found)
		return ld_error(l, -EINVAL, "ELF entry point 0x%llx is in no loadable segment",
				(unsigned long long)vaddr_entry);
	l->out->entry = entry;
	return 0;
}

static int ld_flat(struct ld *l)
{
	const struct guest_args *a = l->args;
	uint64_t entry = a->has_entry ? a->entry : a->load;
	int ret;

	if (!l->size)
		return ld_error(l, -EINVAL, "flat image is empty");
	ret = ld_add_seg(l, a->load, 0, l->size, l->size);
	if (ret)
		return ret;
	if (entry < a->load || entry - a->load >= l->size)
		return ld_error(l, -EINVAL, "entry=0x%llx is outside the image 0x%llx-0x%llx",
				(unsigned long long)entry, (unsigned long long)a->load,
				(unsigned long long)(a->load + l->size));
	l->out->entry = entry;
	return 0;
}

/* ---- writing guest RAM ---- */

static int ld_write(struct ld *l, uint64_t gpa, const void *src, size_t len)
{
	int ret = l->t->ram_write(l->t->ctx, gpa, src, len);

	if (ret)
		return ld_error(l, ret < 0 ? ret : -EFAULT,
				"writing 0x%zx bytes at guest address 0x%llx failed (%d)", len,
				(unsigned long long)gpa, ret);
	return 0;
}

static int ld_copy(struct ld *l)
{
	for (unsigned i = 0; i < l->nsegs; i++) {
		const struct ld_seg *s = &l->segs[i];
		int ret;

		if (s->filesz) {
			ret = ld_write(l, s->gpa, l->img + s->off, (size_t)s->filesz);
			if (ret)
				return ret;
		}
		/* The bss: ELF memsz beyond filesz, or up to bss_end_addr (3.1.3). */
		for (uint64_t z = s->filesz; z < s->memsz;) {
			uint64_t n = s->memsz - z;

			if (n > sizeof(ld_zeros))
				n = sizeof(ld_zeros);
			ret = ld_write(l, s->gpa + z, ld_zeros, (size_t)n);
			if (ret)
				return ret;
			z += n;
		}
	}
	return 0;
}

/* ---- the Multiboot information ---- */

static void ld_mem_sizes(struct ld *l)
{
	uint64_t top = MiB;
	bool grew = true;

	l->out->mem_lower_kib = 0;
	for (size_t i = 0; i < l->nmap; i++) {
		const struct mem_range *m = &l->map[i];

		if (m->type == MEM_USABLE && m->base == 0) {
			uint64_t end = m->len < LOW_MEM_LIMIT ? m->len : LOW_MEM_LIMIT;

			l->out->mem_lower_kib = end / KiB;
		}
	}
	/* 3.3: mem_upper runs from 1 MiB to the first hole above it. */
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
	l->out->mem_upper_kib = (top - MiB) / KiB;
	if (l->out->mem_upper_kib > UINT32_MAX)
		l->out->mem_upper_kib = UINT32_MAX;
}

static bool ld_info_fits(const struct ld *l, uint64_t at, uint64_t len)
{
	if (at >= LIMIT_4G || len > LIMIT_4G - at || !ld_usable(l, at, len))
		return false;
	for (unsigned i = 0; i < l->nsegs; i++) {
		const struct ld_seg *s = &l->segs[i];

		if (at < s->gpa + s->memsz && s->gpa < at + len)
			return false;
	}
	return true;
}

/* Free RAM for the information: 0x9000 if it is free (QEMU's choice), else
 * the lowest free page below 640 KiB (page 0 stays untouched), else the page
 * after the image. */
static int ld_info_place(struct ld *l, uint64_t len, uint64_t *at)
{
	uint64_t after = (l->out->image_end + PAGE - 1) & ~(PAGE - 1);

	if (ld_info_fits(l, LOADER_INFO_ADDR, len)) {
		*at = LOADER_INFO_ADDR;
		return 0;
	}
	for (uint64_t a = PAGE; a + len <= LOW_MEM_LIMIT; a += PAGE) {
		if (ld_info_fits(l, a, len)) {
			*at = a;
			return 0;
		}
	}
	if (ld_info_fits(l, after, len)) {
		*at = after;
		return 0;
	}
	return ld_error(l, -ENOSPC, "no free guest RAM for the multiboot information (%llu bytes)",
			(unsigned long long)len);
}

static uint32_t ld_mb_type(uint32_t type)
{
	/* 3.3: 1 available, 3 ACPI, 4 preserve on hibernation, 5 bad; anything
	 * else is reserved. Terrapin's mem_type uses the same numbers. */
	return type >= MEM_USABLE && type <= MEM_BAD ? type : MEM_RESERVED;
}

static int ld_info(struct ld *l)
{
	uint8_t mbi[MBI_SIZE], ent[MBI_MMAP_ENTRY];
	char name[MBI_NAME_SIZE] = LOADER_NAME;
	const char *cmdline = l->args->cmdline;
	size_t cmdlen = strnlen(cmdline, GUEST_CMDLINE_MAX);
	uint64_t len = INFO_MMAP_OFF + l->nmap * MBI_MMAP_ENTRY, at = 0;
	int ret;

	ret = ld_info_place(l, len, &at);
	if (ret)
		return ret;
	memset(mbi, 0, sizeof(mbi));
	put_le32(mbi + MBI_FLAGS, MBI_F_MEMORY | MBI_F_CMDLINE | MBI_F_MMAP | MBI_F_LOADER_NAME);
	put_le32(mbi + MBI_MEM_LOWER, (uint32_t)l->out->mem_lower_kib);
	put_le32(mbi + MBI_MEM_UPPER, (uint32_t)l->out->mem_upper_kib);
	put_le32(mbi + MBI_CMDLINE, (uint32_t)(at + INFO_CMDLINE_OFF));
	put_le32(mbi + MBI_MMAP_LENGTH, (uint32_t)(l->nmap * MBI_MMAP_ENTRY));
	put_le32(mbi + MBI_MMAP_ADDR, (uint32_t)(at + INFO_MMAP_OFF));
	put_le32(mbi + MBI_LOADER_NAME, (uint32_t)(at + INFO_NAME_OFF));
	ret = ld_write(l, at, mbi, sizeof(mbi));
	if (!ret)
		ret = ld_write(l, at + INFO_NAME_OFF, name, sizeof(name));
	if (!ret)
		ret = ld_write(l, at + INFO_CMDLINE_OFF, cmdline, cmdlen);
	if (!ret)
		ret = ld_write(l, at + INFO_CMDLINE_OFF + cmdlen, ld_zeros,
			       GUEST_CMDLINE_MAX + 1 - cmdlen);
	for (size_t i = 0; !ret && i < l->nmap; i++) {
		put_le32(ent, MBI_MMAP_ENTRY - 4);
		put_le64(ent + 4, l->map[i].base);
		put_le64(ent + 12, l->map[i].len);
		put_le32(ent + 20, ld_mb_type(l->map[i].type));
		ret = ld_write(l, at + INFO_MMAP_OFF + i * MBI_MMAP_ENTRY, ent, sizeof(ent));
	}
	if (ret)
		return ret;
	l->out->info_start = at;
	l->out->info_end = at + len;
	return 0;
}

/* ---- the initial vCPU state ---- */

static void ld_state(struct vcpu_state *s, uint64_t entry, uint32_t eax, uint32_t ebx)
{
	const struct seg code = {LOADER_SEL_CODE, SEG_CODE32, 0xffffffff, 0};
	const struct seg data = {LOADER_SEL_DATA, SEG_DATA32, 0xffffffff, 0};

	memset(s, 0, sizeof(*s));
	s->gpr[RAX] = eax;
	s->gpr[RBX] = ebx;
	s->rip = entry;
	s->rflags = RFLAGS_FIXED; /* IF clear (3.2) */
	s->cr0 = CR0_PE | CR0_ET; /* protected mode, paging off */
	s->seg[SEG_CS] = code;
	s->seg[SEG_DS] = s->seg[SEG_ES] = s->seg[SEG_FS] = s->seg[SEG_GS] = s->seg[SEG_SS] = data;
	/* SDM 3C 26.3.1.2 / APM 2 15.5: a usable TR, busy TSS type. */
	s->seg[SEG_TR] = (struct seg){LOADER_SEL_TSS, SEG_TSS32_BUSY, 0x67, 0};
	s->seg[SEG_LDTR] = (struct seg){0, 0, 0, 0}; /* attr 0: unusable */
}

static bool ld_is_elf(const uint8_t *e, size_t size)
{
	return size >= 4 && e[0] == 0x7f && e[1] == 'E' && e[2] == 'L' && e[3] == 'F';
}

static bool ld_is_elf64(const uint8_t *e, size_t size)
{
	return ld_is_elf(e, size) && size >= ELF64_EHDR && e[EI_CLASS] == ELFCLASS64;
}

/* An uncompressed Linux (vmlinux): its segments go where its program headers
 * say, as for a Multiboot ELF; the rest is the Linux boot protocol's. */
static int ld_vmlinux(struct ld *l)
{
	uint64_t start = UINT64_MAX, end = 0;
	int ret = ld_elf(l);

	if (!ret && l->out->elf_class != 64)
		ret = ld_error(l, -EINVAL, "a vmlinux must be ELF64 (x86-64)");
	if (ret)
		return ret;
	for (unsigned i = 0; i < l->nsegs; i++) {
		if (l->segs[i].gpa < start)
			start = l->segs[i].gpa;
		if (l->segs[i].gpa + l->segs[i].memsz > end)
			end = l->segs[i].gpa + l->segs[i].memsz;
	}
	ret = ld_copy(l);
	if (ret)
		return ret;
	return linux_boot_load_vmlinux(l->args, l->t, l->map, l->nmap, start, end, l->out->entry,
				       l->out, l->err, l->errlen);
}

bool loader_is_linux(const uint8_t *img, size_t size, enum guest_format format)
{
	struct mb1_header h;

	if (format == GUEST_FORMAT_LINUX)
		return true;
	return format == GUEST_FORMAT_AUTO && img &&
	       (linux_boot_detect(img, size) ||
		(ld_is_elf64(img, size) && !loader_find_mb1(img, size, &h, NULL)));
}

int loader_load(const void *image, size_t size, const struct guest_args *args,
		const struct loader_target *t, struct loader_result *out, char *err, size_t errlen)
{
	struct ld l = {.img = image,
		       .size = size,
		       .args = args,
		       .t = t,
		       .out = out,
		       .err = err,
		       .errlen = errlen};
	struct mb1_header h;
	size_t bad_at = SIZE_MAX;
	int found, ret;

	if (err && errlen)
		err[0] = '\0';
	if (!out || !args || !t || !t->ram_write || (!image && size))
		return ld_error(&l, -EINVAL, "loader: missing argument");
	memset(out, 0, sizeof(*out));
	ret = ld_map(&l);
	if (ret)
		return ret;
	found = args->format == GUEST_FORMAT_FLAT ? 0 : loader_find_mb1(l.img, size, &h, &bad_at);
	if (loader_is_linux(l.img, size, args->format)) {
		if (args->has_load || args->has_entry)
			return ld_error(&l, -EINVAL, "load=/entry= are for flat images, not Linux");
		if (linux_boot_detect(l.img, size) || !ld_is_elf(l.img, size))
			return linux_boot_load(l.img, size, args, t, l.map, l.nmap, out, err,
					       errlen);
		return ld_vmlinux(&l);
	}
	if (t->initrd_size)
		return ld_error(&l, -EINVAL,
				"an initrd was given, but this is not a Linux kernel (a bzImage "
				"with \"HdrS\" at 0x202, or a 64-bit vmlinux)");

	if (args->format == GUEST_FORMAT_FLAT ||
	    (args->format == GUEST_FORMAT_AUTO && !found && args->has_load)) {
		if (!args->has_load)
			return ld_error(&l, -EINVAL, "format=flat needs load=ADDR");
		out->format = GUEST_FORMAT_FLAT;
		ret = ld_flat(&l);
	} else if (!found) {
		if (bad_at != SIZE_MAX)
			return ld_error(&l, -EINVAL,
					"the multiboot header at offset 0x%zx has a bad checksum",
					bad_at);
		return ld_error(&l, -EINVAL,
				"no multiboot header in the first %d bytes (a flat image needs "
				"format=flat load=ADDR)",
				MB1_SEARCH_BYTES);
	} else {
		if (args->has_load || args->has_entry)
			return ld_error(&l, -EINVAL,
					"load=/entry= are for flat images, but this one has a "
					"multiboot header (use format=flat to load it flat)");
		if (h.flags & 0xffffu & ~MB1_F_KNOWN_REQUIRED)
			return ld_error(&l, -EINVAL,
					"the multiboot header requires features Terrapin lacks "
					"(flags 0x%x)",
					h.flags & 0xffffu & ~MB1_F_KNOWN_REQUIRED);
		out->format = GUEST_FORMAT_MULTIBOOT;
		ret = (h.flags & MB1_F_AOUT_KLUDGE) ? ld_aout(&l, &h) : ld_elf(&l);
	}
	if (ret)
		return ret;

	out->image_start = UINT64_MAX;
	for (unsigned i = 0; i < l.nsegs; i++) {
		if (l.segs[i].gpa < out->image_start)
			out->image_start = l.segs[i].gpa;
		if (l.segs[i].gpa + l.segs[i].memsz > out->image_end)
			out->image_end = l.segs[i].gpa + l.segs[i].memsz;
	}
	ld_mem_sizes(&l);
	ret = ld_copy(&l);
	if (ret)
		return ret;
	if (out->format == GUEST_FORMAT_FLAT) {
		ld_state(&out->vcpu, out->entry, 0, 0);
		return 0;
	}
	ret = ld_info(&l);
	if (ret)
		return ret;
	ld_state(&out->vcpu, out->entry, MB1_BOOT_MAGIC, (uint32_t)out->info_start);
	return 0;
}
