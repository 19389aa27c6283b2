/* Checks of the kernel ELF embedded in terrapin.efi and the plan for loading it.
 * Layouts are from the System V gABI, "ELF-64 Object File Format" 1.5. Fields are
 * read byte by byte as little-endian, so a hostile file cannot cause an unaligned
 * or out-of-bounds access. */
#include "boot/efi_elf.h"

#include "kernel/errno.h"

/* e_ident and header values (gABI 4.1-4.3) */
#define ELFCLASS64 2
#define ELFDATA2LSB 1
#define EV_CURRENT 1
#define ET_EXEC 2
#define EM_X86_64 62
#define PN_XNUM 0xffff

/* Sizes of the 64-bit records; larger *entsize values are accepted (gABI lets
 * producers append fields), smaller ones are not. */
#define EHDR_SIZE 64
#define PHDR_SIZE 56
#define SHDR_SIZE 64
#define SYM_SIZE 24

#define PT_LOAD 1
#define PF_X 1
#define SHT_SYMTAB 2
#define SHT_STRTAB 3
#define SHN_UNDEF 0
#define STT_NOTYPE 0
#define STT_FUNC 2

/* x86-64 physical addresses have at most 52 bits (SDM 3A 4.1.4); this also keeps
 * every end address and page rounding below far from 2^64. */
#define PHYS_LIMIT (1ull << 52)

static uint64_t elf_rd(const uint8_t *p, unsigned n)
{
	uint64_t v = 0;

	while (n--)
		v = (v << 8) | p[n];
	return v;
}

/* [off, off+len) lies inside a buffer of `size` bytes, without overflow. */
static bool in_bounds(uint64_t off, uint64_t len, uint64_t size)
{
	return off <= size && len <= size - off;
}

bool efi_elf_overlaps(uint64_t a, uint64_t alen, uint64_t b, uint64_t blen)
{
	if (!alen || !blen)
		return false;
	/* a < b + blen and b < a + alen, written so that neither side overflows */
	return (a >= b ? a - b < blen : b - a < alen);
}

static int elf_fail(const char **why, const char *msg, int err)
{
	*why = msg;
	return err;
}

static int check_header(const uint8_t *e, size_t size, const char **why)
{
	if (size < EHDR_SIZE)
		return elf_fail(why, "kernel image is smaller than an ELF header", -EINVAL);
	if (e[0] != 0x7f || e[1] != 'E' || e[2] != 'L' || e[3] != 'F')
		return elf_fail(why, "kernel image has no ELF magic", -EINVAL);
	if (e[4] != ELFCLASS64)
		return elf_fail(why, "kernel image is not a 64-bit ELF", -EINVAL);
	if (e[5] != ELFDATA2LSB || e[6] != EV_CURRENT)
		return elf_fail(why, "kernel ELF is not little-endian ELF version 1", -EINVAL);
	if (elf_rd(e + 16, 2) != ET_EXEC)
		return elf_fail(why, "kernel ELF is not an executable (ET_EXEC)", -EINVAL);
	if (elf_rd(e + 18, 2) != EM_X86_64)
		return elf_fail(why, "kernel ELF is not for x86-64", -EINVAL);
	return 0;
}

static void sort_segments(struct efi_elf_image *img)
{
	for (uint32_t i = 1; i < img->nseg; i++) {
		struct efi_elf_seg s = img->seg[i];
		uint32_t j = i;

		for (; j > 0 && img->seg[j - 1].paddr > s.paddr; j--)
			img->seg[j] = img->seg[j - 1];
		img->seg[j] = s;
	}
}

static int read_segments(const uint8_t *e, size_t size, struct efi_elf_image *img,
			 const char **why)
{
	uint64_t phoff = elf_rd(e + 32, 8);
	uint64_t phentsize = elf_rd(e + 54, 2);
	uint64_t phnum = elf_rd(e + 56, 2);

	if (phnum == 0 || phnum == PN_XNUM)
		return elf_fail(why, "kernel ELF has no (or too many) program headers", -EINVAL);
	if (phentsize < PHDR_SIZE)
		return elf_fail(why, "kernel ELF program header size is too small", -EINVAL);
	if (!in_bounds(phoff, phnum * phentsize, size))
		return elf_fail(why, "kernel ELF program headers lie outside the file", -EINVAL);

	img->nseg = 0;
	for (uint64_t i = 0; i < phnum; i++) {
		const uint8_t *ph = e + phoff + i * phentsize;
		struct efi_elf_seg s;

		if (elf_rd(ph, 4) != PT_LOAD)
			continue;
		s.flags = (uint32_t)elf_rd(ph + 4, 4);
		s.offset = elf_rd(ph + 8, 8);
		s.paddr = elf_rd(ph + 24, 8);
		s.filesz = elf_rd(ph + 32, 8);
		s.memsz = elf_rd(ph + 40, 8);
		if (s.memsz == 0)
			continue;
		if (elf_rd(ph + 16, 8) != s.paddr)
			return elf_fail(why, "kernel ELF segment has p_vaddr != p_paddr (must be identity-mapped)",
				    -EINVAL);
		if (s.filesz > s.memsz)
			return elf_fail(why, "kernel ELF segment has p_filesz > p_memsz", -EINVAL);
		if (!in_bounds(s.offset, s.filesz, size))
			return elf_fail(why, "kernel ELF segment data lies outside the file", -EINVAL);
		if (s.paddr >= PHYS_LIMIT || s.memsz > PHYS_LIMIT - s.paddr)
			return elf_fail(why, "kernel ELF segment lies above the 52-bit physical limit",
				    -ERANGE);
		if (img->nseg == EFI_ELF_MAX_SEGS)
			return elf_fail(why, "kernel ELF has too many PT_LOAD segments", -E2BIG);
		img->seg[img->nseg++] = s;
	}
	if (img->nseg == 0)
		return elf_fail(why, "kernel ELF has no PT_LOAD segment", -EINVAL);

	sort_segments(img);
	for (uint32_t i = 1; i < img->nseg; i++) {
		const struct efi_elf_seg *a = &img->seg[i - 1], *b = &img->seg[i];

		if (efi_elf_overlaps(a->paddr, a->memsz, b->paddr, b->memsz))
			return elf_fail(why, "kernel ELF PT_LOAD segments overlap each other", -EINVAL);
	}
	return 0;
}

/* Segments may share a page at their edges, so the pages to allocate are the
 * page-rounded segments merged where they touch or overlap. */
static void plan_ranges(struct efi_elf_image *img)
{
	img->nrange = 0;
	for (uint32_t i = 0; i < img->nseg; i++) {
		uint64_t base = img->seg[i].paddr & ~(EFI_PAGE - 1);
		uint64_t end = (img->seg[i].paddr + img->seg[i].memsz + EFI_PAGE - 1) & ~(EFI_PAGE - 1);
		struct efi_elf_range *last = img->nrange ? &img->range[img->nrange - 1] : NULL;

		if (last && base <= last->base + last->pages * EFI_PAGE) {
			uint64_t last_end = last->base + last->pages * EFI_PAGE;

			if (end > last_end)
				last->pages = (end - last->base) / EFI_PAGE;
			continue;
		}
		img->range[img->nrange].base = base;
		img->range[img->nrange].pages = (end - base) / EFI_PAGE;
		img->nrange++;
	}
}

struct shdr {
	uint32_t type;
	uint64_t offset;
	uint64_t size;
	uint32_t link;
	uint64_t entsize;
};

static void read_shdr(const uint8_t *sh, struct shdr *s)
{
	s->type = (uint32_t)elf_rd(sh + 4, 4);
	s->offset = elf_rd(sh + 24, 8);
	s->size = elf_rd(sh + 32, 8);
	s->link = (uint32_t)elf_rd(sh + 40, 4);
	s->entsize = elf_rd(sh + 56, 8);
}

/* Name at strtab[off] equals `want`, with the string NUL-terminated inside the table. */
static bool name_is(const uint8_t *strtab, uint64_t strsize, uint64_t off, const char *want)
{
	for (;; off++, want++) {
		if (off >= strsize)
			return false;
		if (strtab[off] != (uint8_t)*want)
			return false;
		if (*want == '\0')
			return true;
	}
}

static bool entry_in_code(const struct efi_elf_image *img, uint64_t addr)
{
	for (uint32_t i = 0; i < img->nseg; i++) {
		const struct efi_elf_seg *s = &img->seg[i];

		if ((s->flags & PF_X) && addr >= s->paddr && addr - s->paddr < s->filesz)
			return true;
	}
	return false;
}

static int find_symbol(const uint8_t *e, size_t size, const char *name, struct efi_elf_image *img,
		       const char **why)
{
	uint64_t shoff = elf_rd(e + 40, 8);
	uint64_t shentsize = elf_rd(e + 58, 2);
	uint64_t shnum = elf_rd(e + 60, 2);
	struct shdr sh0;

	if (shoff == 0)
		return elf_fail(why, "kernel ELF has no section headers (was it stripped?)", -ENOENT);
	if (shentsize < SHDR_SIZE)
		return elf_fail(why, "kernel ELF section header size is too small", -EINVAL);
	if (!in_bounds(shoff, shentsize, size))
		return elf_fail(why, "kernel ELF section headers lie outside the file", -EINVAL);
	/* gABI 4.2: with 0xff00 or more sections e_shnum is 0 and section 0's
	 * sh_size holds the real count. */
	read_shdr(e + shoff, &sh0);
	if (shnum == 0)
		shnum = sh0.size;
	if (shnum == 0 || shnum > (size - shoff) / shentsize)
		return elf_fail(why, "kernel ELF section headers lie outside the file", -EINVAL);

	bool have_symtab = false;

	for (uint64_t i = 0; i < shnum; i++) {
		struct shdr sym, str;

		read_shdr(e + shoff + i * shentsize, &sym);
		if (sym.type != SHT_SYMTAB)
			continue;
		have_symtab = true;
		if (sym.entsize < SYM_SIZE || !in_bounds(sym.offset, sym.size, size))
			return elf_fail(why, "kernel ELF .symtab is malformed or outside the file", -EINVAL);
		if (sym.link == 0 || sym.link >= shnum)
			return elf_fail(why, "kernel ELF .symtab has no valid string table", -EINVAL);
		read_shdr(e + shoff + (uint64_t)sym.link * shentsize, &str);
		if (str.type != SHT_STRTAB || !in_bounds(str.offset, str.size, size))
			return elf_fail(why, "kernel ELF .strtab is malformed or outside the file", -EINVAL);

		for (uint64_t k = 0; k < sym.size / sym.entsize; k++) {
			const uint8_t *s = e + sym.offset + k * sym.entsize;
			unsigned type = s[4] & 0xf;

			if (!name_is(e + str.offset, str.size, elf_rd(s, 4), name))
				continue;
			if (elf_rd(s + 6, 2) == SHN_UNDEF || (type != STT_FUNC && type != STT_NOTYPE))
				continue;
			img->entry = elf_rd(s + 8, 8);
			if (!entry_in_code(img, img->entry))
				return elf_fail(why, "kernel entry symbol is not inside an executable segment",
					    -EINVAL);
			return 0;
		}
	}
	if (!have_symtab)
		return elf_fail(why, "kernel ELF has no .symtab (was it stripped?)", -ENOENT);
	return elf_fail(why, "kernel ELF has no defined kernel_entry64 symbol in .symtab", -ENOENT);
}

int efi_elf_load_plan(const void *elf, size_t size, const char *entry_sym, struct efi_elf_image *img,
		      const char **why)
{
	const uint8_t *e = elf;
	int err;

	img->nseg = 0;
	img->nrange = 0;
	img->entry = 0;
	err = check_header(e, size, why);
	if (!err)
		err = read_segments(e, size, img, why);
	if (err)
		return err;
	plan_ranges(img);
	return find_symbol(e, size, entry_sym, img, why);
}
