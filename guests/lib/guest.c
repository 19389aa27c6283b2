/* Start-up, verdicts and boot information of the test guests (see guest.h). */
#include "guests/lib/guest.h"
#include "guests/lib/x86.h"

#define MB1_BOOT_MAGIC 0x2BADB002 /* Multiboot 0.6.96, 3.2: EAX at entry */
#define MBI_MEM	       (1u << 0)
#define MBI_CMDLINE    (1u << 2)
#define MBI_MMAP       (1u << 6)
#define MBI_LOADER     (1u << 9)

/* Multiboot 0.6.96, 3.3: the boot information's fields we read, by offset. */
struct mb1_info {
	uint32_t flags;	       /* 0 */
	uint32_t mem_lower;    /* 4 */
	uint32_t mem_upper;    /* 8 */
	uint32_t boot_device;  /* 12 */
	uint32_t cmdline;      /* 16 */
	uint32_t mods_count;   /* 20 */
	uint32_t mods_addr;    /* 24 */
	uint32_t syms[4];      /* 28 */
	uint32_t mmap_length;  /* 44 */
	uint32_t mmap_addr;    /* 48 */
	uint32_t drives[2];    /* 52 */
	uint32_t config_table; /* 60 */
	uint32_t loader_name;  /* 64 */
};

struct guest_boot guest_boot;

__attribute__((noreturn)) void guest_exit(unsigned code)
{
	outb(GUEST_DEBUG_EXIT_PORT, (uint8_t)code);
	/* No debug-exit device: stop here, quietly and for good. */
	for (;;)
		__asm__ volatile("cli; hlt");
}

__attribute__((noreturn)) void guest_pass(void)
{
	gprintf("PASS\n");
	guest_exit(GUEST_EXIT_PASS);
}

static __attribute__((noreturn)) void guest_vfail(unsigned code, const char *fmt, va_list ap)
{
	gprintf("FAIL: ");
	gvprintf(fmt, ap);
	gprintf("\n");
	guest_exit(code);
}

__attribute__((noreturn)) void guest_fail(const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	guest_vfail(GUEST_EXIT_FAIL, fmt, ap);
}

__attribute__((noreturn)) void guest_fail_code(unsigned code, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	guest_vfail(code, fmt, ap);
}

/* Copies a NUL-terminated string from guest-physical `addr`, bounded. */
static void copy_str(char *dst, size_t cap, uint32_t addr)
{
	if (!addr) {
		dst[0] = '\0';
		return;
	}
	strncpy0(dst, (const char *)(uintptr_t)addr, cap);
}

/* Multiboot 0.6.96, 3.3: each map entry is "size" (not counting itself), then
 * base_addr, length, type. */
static void copy_mmap(const struct mb1_info *mi)
{
	uintptr_t p = mi->mmap_addr, end = (uintptr_t)mi->mmap_addr + mi->mmap_length;

	while (p + 24 <= end) {
		const uint8_t *e = (const uint8_t *)p;
		uint32_t size;
		struct guest_mem_range *r;

		memcpy(&size, e, 4);
		if (size < 20 || size > end - p - 4)
			break; /* malformed: stop rather than loop */
		if (guest_boot.nmmap == GUEST_MMAP_MAX) {
			guest_boot.mmap_truncated = true;
			break;
		}
		r = &guest_boot.mmap[guest_boot.nmmap++];
		memcpy(&r->base, e + 4, 8);
		memcpy(&r->len, e + 12, 8);
		memcpy(&r->type, e + 20, 4);
		p += (uintptr_t)size + 4;
	}
}

static void read_boot_info(uint32_t magic, uint32_t info)
{
	const struct mb1_info *mi = (const struct mb1_info *)(uintptr_t)info;

	guest_boot.magic = magic;
	guest_boot.info = info;
	if (magic != MB1_BOOT_MAGIC || !info)
		return;
	guest_boot.multiboot = true;
	guest_boot.flags = mi->flags;
	if (mi->flags & MBI_MEM) {
		guest_boot.has_mem = true;
		guest_boot.mem_lower = mi->mem_lower;
		guest_boot.mem_upper = mi->mem_upper;
	}
	if (mi->flags & MBI_CMDLINE)
		copy_str(guest_boot.cmdline, sizeof(guest_boot.cmdline), mi->cmdline);
	if (mi->flags & MBI_LOADER)
		copy_str(guest_boot.loader, sizeof(guest_boot.loader), mi->loader_name);
	if (mi->flags & MBI_MMAP)
		copy_mmap(mi);
}

void guest_start(uint32_t magic, uint32_t info);
void guest_start(uint32_t magic, uint32_t info)
{
	serial_init();
	trap_init();
	read_boot_info(magic, info);
	gprintf("\n== guest %s (%s) ==\n", guest_name,
		sizeof(void *) == 8 ? "64-bit long mode" : "32-bit protected mode");
	if (guest_boot.multiboot)
		gprintf("%s: loaded by \"%s\", cmdline \"%s\", %u KiB + %u KiB RAM, %u map "
			"entries\n",
			guest_name, guest_boot.loader, guest_boot.cmdline, guest_boot.mem_lower,
			guest_boot.mem_upper, guest_boot.nmmap);
	else
		gprintf("%s: no Multiboot information (EAX=0x%x)\n", guest_name, magic);
	guest_main();
	guest_fail("guest_main returned without a verdict");
}

static bool is_space(char c)
{
	return c == ' ' || c == '\t' || c == '\n' || c == '\r';
}

bool guest_arg(const char *key, char *val, size_t len)
{
	const char *p = guest_boot.cmdline;
	size_t klen = strlen(key);

	while (*p) {
		const char *w;
		size_t n;

		while (is_space(*p))
			p++;
		w = p;
		while (*p && !is_space(*p))
			p++;
		n = (size_t)(p - w);
		if (n < klen || strncmp(w, key, klen) != 0)
			continue;
		if (n == klen) {
			if (val && len)
				val[0] = '\0';
			return true;
		}
		if (w[klen] != '=')
			continue;
		if (val && len) {
			size_t vlen = n - klen - 1;

			if (vlen >= len)
				vlen = len - 1;
			memcpy(val, w + klen + 1, vlen);
			val[vlen] = '\0';
		}
		return true;
	}
	return false;
}

uint64_t guest_arg_u64(const char *key, uint64_t def)
{
	char buf[32];
	const char *s = buf;
	uint64_t v = 0;
	unsigned base = 10, shift = 0;
	size_t n;

	if (!guest_arg(key, buf, sizeof(buf)))
		return def;
	n = strlen(buf);
	if (n && (buf[n - 1] == 'K' || buf[n - 1] == 'k'))
		shift = 10;
	else if (n && (buf[n - 1] == 'M' || buf[n - 1] == 'm'))
		shift = 20;
	else if (n && (buf[n - 1] == 'G' || buf[n - 1] == 'g'))
		shift = 30;
	if (shift)
		buf[--n] = '\0';
	if (s[0] == '0' && (s[1] == 'x' || s[1] == 'X')) {
		base = 16;
		s += 2;
	}
	if (!*s)
		guest_fail("%s=%s: not a number", key, buf);
	for (; *s; s++) {
		unsigned d;

		if (*s >= '0' && *s <= '9')
			d = (unsigned)(*s - '0');
		else if (base == 16 && *s >= 'a' && *s <= 'f')
			d = (unsigned)(*s - 'a' + 10);
		else if (base == 16 && *s >= 'A' && *s <= 'F')
			d = (unsigned)(*s - 'A' + 10);
		else
			guest_fail("%s=%s: not a number", key, buf);
		if (v >> 59)
			guest_fail("%s=%s: too large", key, buf);
		v = (base == 16 ? v << 4 : (v << 3) + (v << 1)) + d;
	}
	if (shift && v >> (64 - shift))
		guest_fail("%s=%s: too large", key, buf);
	return v << shift;
}

void deadline_start(struct guest_deadline *d)
{
	d->start = rdtsc();
	d->polls = 0;
}

bool deadline_passed(struct guest_deadline *d)
{
	d->polls++;
	return rdtsc() - d->start > GUEST_WAIT_CYCLES || d->polls > GUEST_WAIT_POLLS;
}
