/* The test guests' freestanding runtime.
 *
 * A guest is one C file with `const char guest_name[]` and `void guest_main(void)`.
 * The runtime (entry.S) is entered by a Multiboot1 loader (QEMU's -kernel, GRUB,
 * Terrapin) in 32-bit protected mode; a 64-bit guest switches to long mode with
 * the first 64 GiB identity-mapped in 2 MiB pages. Before guest_main runs, the
 * serial port (COM1, 115200 8N1, polled) is set up, the IDT catches every vector
 * (an unexpected exception ends the guest with a FAIL line), and the Multiboot
 * information (memory map, command line) is copied into guest_boot, so a guest
 * may overwrite any RAM outside its image.
 *
 * Verdicts: a guest prints "PASS" or "FAIL: reason" on a line of its own and
 * writes an exit value to QEMU's isa-debug-exit port (0xf4). Under QEMU with
 * -device isa-debug-exit,iobase=0xf4,iosize=0x04 the QEMU process exits with
 * status (value << 1) | 1; under Terrapin the VM ends with the value itself. */
#ifndef GUESTS_LIB_GUEST_H
#define GUESTS_LIB_GUEST_H

#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* Exit values written to port 0xf4 (QEMU status in brackets). */
#define GUEST_EXIT_PASS	      0 /* PASS (1) */
#define GUEST_EXIT_FAIL	      1 /* a check failed (3) */
#define GUEST_EXIT_EXCEPTION  2 /* an unexpected exception or interrupt (5) */
#define GUEST_EXIT_SURVIVED   3 /* a misbehaving guest came back from its bad act (7) */
#define GUEST_DEBUG_EXIT_PORT 0xf4

/* Defined by each guest. */
extern const char guest_name[];
void guest_main(void);

/* ---- verdicts ---- */
__attribute__((noreturn)) void guest_pass(void);
__attribute__((noreturn, format(printf, 1, 2))) void guest_fail(const char *fmt, ...);
__attribute__((noreturn, format(printf, 2, 3))) void guest_fail_code(unsigned code, const char *fmt,
								     ...);
/* Writes `code` to the debug-exit port; halts forever if that did not end the VM. */
__attribute__((noreturn)) void guest_exit(unsigned code);

/* ---- output ---- */
void serial_init(void);
void serial_putc(char c);
void serial_write(const char *s, size_t n);
/* printf-lite: %d %i %u %x %X %p %s %c %%, flags '-' '0', width, precision
 * (for %s only), length modifiers l ll z. Output goes to the serial port
 * ("\n" becomes "\r\n"). */
__attribute__((format(printf, 1, 2))) void gprintf(const char *fmt, ...);
void gvprintf(const char *fmt, va_list ap);
__attribute__((format(printf, 3, 4))) int gsnprintf(char *buf, size_t size, const char *fmt, ...);
int gvsnprintf(char *buf, size_t size, const char *fmt, va_list ap);

/* ---- boot information (copied from the Multiboot information) ---- */
#define GUEST_MMAP_MAX	    32
#define GUEST_MEM_AVAILABLE 1

struct guest_mem_range {
	uint64_t base, len;
	uint32_t type; /* Multiboot: 1 available, 2 reserved, 3 ACPI, 4 NVS, 5 bad */
};

struct guest_boot {
	bool multiboot;		       /* EAX held 0x2BADB002 at entry */
	uint32_t magic;		       /* EAX at entry */
	uint32_t info;		       /* EBX at entry: the Multiboot information's address */
	uint32_t flags;		       /* the information's flags (0 without Multiboot) */
	bool has_mem;		       /* flags bit 0 */
	uint32_t mem_lower, mem_upper; /* KiB */
	char cmdline[256];
	char loader[64];
	unsigned nmmap;
	bool mmap_truncated;
	struct guest_mem_range mmap[GUEST_MMAP_MAX];
};

extern struct guest_boot guest_boot;
/* The image in memory, from the linker script: [_image_start, _end) holds code,
 * data, bss, stacks and (64-bit) page tables. */
extern char _image_start[], _end[];

/* The command line is words separated by spaces; KEY=VALUE words are arguments
 * (QEMU puts the kernel's path first: it has no '=' and is not an argument).
 * guest_arg() copies VALUE ("" for a bare KEY) and says whether KEY is there. */
bool guest_arg(const char *key, char *val, size_t len);
/* A number argument (decimal or 0x hex, optional K/M/G suffix): `def` when
 * absent; a malformed value fails the guest, naming it. */
uint64_t guest_arg_u64(const char *key, uint64_t def);

/* ---- interrupts ---- */
#ifdef __x86_64__
struct trap_frame {
	uint64_t r15, r14, r13, r12, r11, r10, r9, r8;
	uint64_t rbp, rdi, rsi, rdx, rcx, rbx, rax;
	uint64_t vec, err;
	uint64_t ip, cs, flags, sp, ss; /* pushed by the CPU */
};
#else
struct trap_frame {
	uint32_t edi, esi, ebp, esp_pusha, ebx, edx, ecx, eax; /* PUSHA */
	uint32_t vec, err;
	uint32_t ip, cs, flags; /* pushed by the CPU (no stack switch at CPL 0) */
};
#endif

typedef void (*trap_handler)(struct trap_frame *f);
/* Install the IDT with a stub for every vector (done before guest_main). */
void trap_init(void);
/* Route vector `vec` to `fn` (NULL: back to "unexpected"). */
void trap_set(unsigned vec, trap_handler fn);
const char *trap_name(unsigned vec);

/* ---- platform helpers (guests/lib/pic.c, apic.c, acpi.c, pit.c) ---- */
#define PIC_VECTOR_BASE 0x20 /* IRQ n of the 8259 pair arrives at 0x20 + n */
void pic_init(void);	     /* remap to 0x20/0x28, everything masked */
void pic_unmask(unsigned irq);
void pic_mask_all(void);
void pic_eoi(unsigned irq);

#define PIT_HZ 1193182u
void pit_periodic(unsigned hz); /* channel 0, mode 2 */
void pit_stop(void);

#define LAPIC_DEFAULT_BASE    0xfee00000u
#define LAPIC_ID	      0x20
#define LAPIC_VERSION	      0x30
#define LAPIC_TPR	      0x80
#define LAPIC_EOI	      0xb0
#define LAPIC_SVR	      0xf0
#define LAPIC_ICR_LO	      0x300
#define LAPIC_ICR_HI	      0x310
#define LAPIC_LVT_TIMER	      0x320
#define LAPIC_LVT_LINT0	      0x350
#define LAPIC_LVT_LINT1	      0x360
#define LAPIC_TIMER_INIT      0x380
#define LAPIC_TIMER_CUR	      0x390
#define LAPIC_TIMER_DIV	      0x3e0
#define LAPIC_SPURIOUS_VECTOR 0xff
#define LAPIC_LVT_MASKED      (1u << 16)
#define LAPIC_ICR_PENDING     (1u << 12)

/* The LAPIC's base from IA32_APIC_BASE (0 if it is globally disabled). */
uintptr_t lapic_base(void);
uint32_t lapic_read(unsigned reg);
void lapic_write(unsigned reg, uint32_t v);
/* Software-enable the LAPIC and put LINT0 in ExtINT mode so the 8259's
 * interrupts still reach the CPU (the virtual-wire mode a BIOS would have
 * set; a guest started without a BIOS finds LINT0 masked). */
void lapic_enable(void);
void lapic_eoi(void);
unsigned lapic_id(void);
/* Sends an IPI (ICR low word `lo`) to `dest`; false if it stayed pending. */
bool lapic_ipi(unsigned dest, uint32_t lo);

#define IOAPIC_DEFAULT_BASE 0xfec00000u
uint32_t ioapic_read(uintptr_t base, unsigned reg);
void ioapic_write(uintptr_t base, unsigned reg, uint32_t v);
/* Redirection entry for `gsi`: fixed delivery of `vec` to `dest`, with the MADT
 * flags' polarity/trigger (ACPI 5.2.12.5 MPS INTI flags); masked if `masked`. */
void ioapic_route(uintptr_t base, unsigned gsi, unsigned vec, unsigned dest, uint16_t mps_flags,
		  bool masked);

/* ---- ACPI (guests/lib/acpi.c): read-only, checksums verified ---- */
struct acpi_sdt {
	char sig[4];
	uint32_t len;
	uint8_t rev, checksum;
	char oem[6], oem_table[8];
	uint32_t oem_rev, creator, creator_rev;
} __attribute__((packed));

bool acpi_checksum_ok(const void *p, size_t len);
/* The RSDP in the BIOS area 0xE0000-0xFFFFF (ACPI 5.2.5.1), checksum-verified. */
const uint8_t *acpi_rsdp(void);
/* The root table's entries: the XSDT when the RSDP has one (revision >= 2),
 * else the RSDT. Returns the count and sets *root. */
unsigned acpi_root(const struct acpi_sdt **root, bool *is_xsdt);
const struct acpi_sdt *acpi_entry(unsigned i);
/* The first table with this signature (NULL if none or a bad checksum). */
const struct acpi_sdt *acpi_find(const char *sig);

struct acpi_cpu {
	uint32_t apic_id;
	bool enabled;
};
struct acpi_madt_info {
	uint32_t lapic_addr;
	unsigned ncpus, nenabled;
	struct acpi_cpu cpus[16];
	uint32_t ioapic_addr; /* the first IOAPIC, 0 if none */
	uint32_t ioapic_gsi_base;
	/* ISA IRQ -> GSI and MPS flags, from the interrupt source overrides */
	uint32_t isa_gsi[16];
	uint16_t isa_flags[16];
	bool bad; /* an entry ran past the table's end */
};
/* Parses the MADT (ACPI 5.2.12); false when there is none. */
bool acpi_madt(struct acpi_madt_info *out);
/* The PM timer's port from the FADT (0 when none). */
uint16_t acpi_pm_timer_port(void);
/* Busy-waits `us` microseconds on the PM timer (3.579545 MHz), or spins a
 * fixed count when there is none. */
void delay_us(unsigned us);

/* ---- strings (kernel/kstring.c, and strncpy0 in guests/lib/string.c): the
 * compiler may call these too ---- */
void *memcpy(void *dst, const void *src, size_t n);
void *memmove(void *dst, const void *src, size_t n);
void *memset(void *dst, int c, size_t n);
int memcmp(const void *a, const void *b, size_t n);
size_t strlen(const char *s);
size_t strnlen(const char *s, size_t max);
int strcmp(const char *a, const char *b);
int strncmp(const char *a, const char *b, size_t n);
char *strncpy0(char *dst, const char *src, size_t cap); /* always NUL-terminates */

/* ---- time bounds ---- */
/* A generous bound for "this should happen soon": TSC cycles (about 10 s at
 * 3 GHz) and, independent of the TSC, a count of polls. */
#define GUEST_WAIT_CYCLES 30000000000ull
#define GUEST_WAIT_POLLS  400000000ull
struct guest_deadline {
	uint64_t start;
	uint64_t polls;
};
void deadline_start(struct guest_deadline *d);
bool deadline_passed(struct guest_deadline *d);

#define ARRAY_SIZE(a) (sizeof(a) / sizeof((a)[0]))

#endif
