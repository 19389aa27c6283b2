/* The IDT: every vector has a stub (idt.S); trap_dispatch() calls the handler a
 * guest installed, ignores LAPIC spurious interrupts, and ends the guest with a
 * FAIL line for anything else, so a stray exception reads as a reason instead
 * of a silent triple fault. */
#include "guests/lib/guest.h"

#define SEL_CODE32 0x08
#define SEL_CODE64 0x18
#define GATE_INTR  0x8e /* present, DPL 0, interrupt gate (IF cleared on entry) */
#define STUB_SIZE  16

extern const char trap_stubs[];

#ifdef __x86_64__
struct idt_gate {
	uint16_t off_lo, sel;
	uint8_t ist, type;
	uint16_t off_mid;
	uint32_t off_hi, zero;
} __attribute__((packed));
#else
struct idt_gate {
	uint16_t off_lo, sel;
	uint8_t zero, type;
	uint16_t off_hi;
} __attribute__((packed));
#endif

struct idt_desc {
	uint16_t limit;
	uintptr_t base;
} __attribute__((packed));

static struct idt_gate idt[256] __attribute__((aligned(16)));
static trap_handler handlers[256];

static const char *const exc_names[32] = {
	"#DE", "#DB", "NMI", "#BP", "#OF", "#BR", "#UD", "#NM", "#DF", "CSO", "#TS",
	"#NP", "#SS", "#GP", "#PF", "RSV", "#MF", "#AC", "#MC", "#XM", "#VE", "#CP",
};

const char *trap_name(unsigned vec)
{
	if (vec < 32 && exc_names[vec])
		return exc_names[vec];
	return vec < 32 ? "exception" : "interrupt";
}

void trap_init(void)
{
	struct idt_desc d;

	for (unsigned v = 0; v < 256; v++) {
		uintptr_t a = (uintptr_t)trap_stubs + v * STUB_SIZE;
		struct idt_gate *g = &idt[v];

		memset(g, 0, sizeof(*g));
		g->off_lo = (uint16_t)a;
		g->type = GATE_INTR;
#ifdef __x86_64__
		g->sel = SEL_CODE64;
		g->off_mid = (uint16_t)(a >> 16);
		g->off_hi = (uint32_t)(a >> 32);
#else
		g->sel = SEL_CODE32;
		g->off_hi = (uint16_t)(a >> 16);
#endif
	}
	d.limit = sizeof(idt) - 1;
	d.base = (uintptr_t)idt;
	__asm__ volatile("lidt %0" : : "m"(d));
}

void trap_set(unsigned vec, trap_handler fn)
{
	if (vec < 256)
		handlers[vec] = fn;
}

void trap_dispatch(struct trap_frame *f);
void trap_dispatch(struct trap_frame *f)
{
	unsigned vec = (unsigned)f->vec;

	if (vec < 256 && handlers[vec]) {
		handlers[vec](f);
		return;
	}
	if (vec == LAPIC_SPURIOUS_VECTOR)
		return; /* SDM 3A 11.9: no EOI for a spurious interrupt */
	if (vec == 14) {
		uintptr_t cr2;

		__asm__ volatile("mov %%cr2, %0" : "=r"(cr2));
		guest_fail_code(GUEST_EXIT_EXCEPTION,
				"unexpected #PF at ip 0x%lx, address 0x%lx, error code 0x%lx",
				(unsigned long)f->ip, (unsigned long)cr2, (unsigned long)f->err);
	}
	guest_fail_code(GUEST_EXIT_EXCEPTION,
			"unexpected %s (vector %u) at ip 0x%lx, error code 0x%lx", trap_name(vec),
			vec, (unsigned long)f->ip, (unsigned long)f->err);
}
