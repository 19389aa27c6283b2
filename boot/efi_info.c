/* Firmware data to boot_info for the UEFI door. The memory map is converted after
 * the last GetMemoryMap, possibly after ExitBootServices, so nothing here may
 * allocate or call the firmware. */
#include "boot/efi_info.h"

#include "kernel/errno.h"

#define EFI_PAGE_SHIFT 12

uint32_t efi_info_mem_type(uint32_t efi_type)
{
	switch (efi_type) {
	case EFI_MT_CONVENTIONAL:
	case EFI_MT_BOOT_SERVICES_CODE:
	case EFI_MT_BOOT_SERVICES_DATA:
	case EFI_MT_LOADER_CODE:
	case EFI_MT_LOADER_DATA:
		return MEM_USABLE;
	case EFI_MT_RUNTIME_SERVICES_CODE:
	case EFI_MT_RUNTIME_SERVICES_DATA:
		return MEM_FIRMWARE;
	case EFI_MT_ACPI_RECLAIM:
		return MEM_ACPI_RECLAIM;
	case EFI_MT_ACPI_NVS:
		return MEM_ACPI_NVS;
	case EFI_MT_UNUSABLE:
		return MEM_BAD;
	default:
		/* reserved, MMIO, port space, PAL code, persistent, unaccepted and
		 * types newer than this code: leave them alone */
		return MEM_RESERVED;
	}
}

static uint64_t info_rd(const uint8_t *p, unsigned n)
{
	uint64_t v = 0;

	while (n--)
		v = (v << 8) | p[n];
	return v;
}

static void remove_at(struct mem_range *out, uint32_t *n, uint32_t i)
{
	for (uint32_t k = i + 1; k < *n; k++)
		out[k - 1] = out[k];
	(*n)--;
}

/* Insert r into the sorted out[0..*n), merging with same-type neighbours it touches. */
static void insert_range(struct mem_range *out, uint32_t *n, uint32_t cap, struct mem_range r,
			 struct efi_mmap_stats *st)
{
	uint32_t i = 0;

	while (i < *n && out[i].base <= r.base)
		i++;
	if (i > 0 && out[i - 1].type == r.type && out[i - 1].base + out[i - 1].len == r.base) {
		struct mem_range *prev = &out[i - 1];

		prev->len += r.len;
		if (i < *n && out[i].type == prev->type && prev->base + prev->len == out[i].base) {
			prev->len += out[i].len;
			remove_at(out, n, i);
		}
		return;
	}
	if (i < *n && out[i].type == r.type && r.base + r.len == out[i].base) {
		out[i].base = r.base;
		out[i].len += r.len;
		return;
	}
	if (*n == cap) {
		st->dropped++;
		return;
	}
	for (uint32_t k = *n; k > i; k--)
		out[k] = out[k - 1];
	out[i] = r;
	(*n)++;
}

int efi_info_convert_mmap(const void *map, size_t map_size, size_t desc_size, struct mem_range *out,
			  uint32_t cap, struct efi_mmap_stats *st)
{
	const uint8_t *p = map;
	uint32_t n = 0;

	st->descs = st->dropped = st->bad = 0;
	if (desc_size < EFI_MD_MIN_SIZE)
		return -EINVAL;
	for (size_t off = 0; off < map_size && map_size - off >= desc_size; off += desc_size) {
		const uint8_t *d = p + off;
		struct mem_range r;
		uint64_t pages = info_rd(d + 24, 8);

		st->descs++;
		r.base = info_rd(d + 8, 8);
		r.type = efi_info_mem_type((uint32_t)info_rd(d, 4));
		if (pages == 0 || pages > ((UINT64_MAX - r.base) >> EFI_PAGE_SHIFT) ||
		    (r.base & ((1u << EFI_PAGE_SHIFT) - 1))) {
			st->bad++;
			continue;
		}
		r.len = pages << EFI_PAGE_SHIFT;
		insert_range(out, &n, cap, r, st);
	}
	return (int)n;
}

int efi_info_rsdp_len(const uint8_t *p)
{
	static const char sig[8] = { 'R', 'S', 'D', ' ', 'P', 'T', 'R', ' ' };
	uint8_t sum = 0;

	for (int i = 0; i < 8; i++)
		if (p[i] != (uint8_t)sig[i])
			return -EINVAL;
	for (int i = 0; i < 20; i++)
		sum = (uint8_t)(sum + p[i]);
	if (sum)
		return -EINVAL;
	if (p[15] < 2)
		return 20;
	if (info_rd(p + 20, 4) < 36)
		return -EINVAL;
	for (int i = 0; i < 36; i++)
		sum = (uint8_t)(sum + p[i]);
	return sum ? -EINVAL : 36;
}

/* Append s to out at *n, keeping a NUL and never passing cap. */
static void name_put(char *out, size_t cap, size_t *n, const char *s)
{
	while (*s && *n + 1 < cap)
		out[(*n)++] = *s++;
	out[*n] = '\0';
}

static void put_uint(char *out, size_t cap, size_t *n, uint32_t v)
{
	char buf[11];
	int i = (int)sizeof(buf) - 1;

	buf[i] = '\0';
	do {
		buf[--i] = (char)('0' + v % 10);
		v /= 10;
	} while (v);
	name_put(out, cap, n, buf + i);
}

void efi_info_loader_name(char *out, size_t cap, const uint16_t *vendor, uint32_t rev)
{
	size_t n = 0;
	uint32_t minor = rev & 0xffff;

	if (cap == 0)
		return;
	out[0] = '\0';
	name_put(out, cap, &n, "Terrapin EFI loader (");
	if (vendor && vendor[0]) {
		char v[25];
		size_t k = 0;

		for (; k < 24 && vendor[k]; k++)
			v[k] = (vendor[k] >= 0x20 && vendor[k] <= 0x7e) ? (char)vendor[k] : '?';
		v[k] = '\0';
		name_put(out, cap, &n, v);
		name_put(out, cap, &n, ", ");
	}
	/* UEFI 2.10 4.2.1: "2.70" is (2 << 16) | 70; 2.3.1 is (2 << 16) | 31 */
	name_put(out, cap, &n, "UEFI ");
	put_uint(out, cap, &n, rev >> 16);
	name_put(out, cap, &n, ".");
	put_uint(out, cap, &n, minor / 10);
	if (minor % 10) {
		name_put(out, cap, &n, ".");
		put_uint(out, cap, &n, minor % 10);
	}
	name_put(out, cap, &n, ")");
}
