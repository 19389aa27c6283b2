/* IDT set-up and dispatch. */
#include "kernel/trap.h"

#include "drivers/io.h"
#include "kernel/log.h"
#include "kernel/panic.h"

struct idt_entry {
	uint16_t off0;
	uint16_t sel;
	uint8_t ist;
	uint8_t type;
	uint16_t off1;
	uint32_t off2;
	uint32_t zero;
} __attribute__((packed));
_Static_assert(sizeof(struct idt_entry) == 16, "IDT gate is 16 bytes");

extern const uint64_t isr_table[256];
static struct idt_entry idt[256];
static irq_handler_t handlers[256];

static void set_gate(int vec, uint64_t addr, int ist)
{
	idt[vec] = (struct idt_entry){
		.off0 = addr & 0xffff,
		.sel = 0x08,
		.ist = (uint8_t)ist,
		.type = 0x8e, /* present, DPL 0, 64-bit interrupt gate */
		.off1 = (addr >> 16) & 0xffff,
		.off2 = addr >> 32,
	};
}

void idt_init(void)
{
	for (int v = 0; v < 256; v++)
		set_gate(v, isr_table[v], 0);
	set_gate(2, isr_table[2], 1);  /* NMI */
	set_gate(8, isr_table[8], 2);  /* #DF */
	set_gate(18, isr_table[18], 3); /* #MC */
}

void idt_load(void)
{
	struct {
		uint16_t limit;
		uint64_t base;
	} __attribute__((packed)) idtr = { sizeof(idt) - 1, (uint64_t)idt };
	__asm__ volatile("lidt %0" : : "m"(idtr));
}

void irq_register(uint8_t vector, irq_handler_t fn) { handlers[vector] = fn; }

void trap_dispatch(struct trap_frame *f);
void trap_dispatch(struct trap_frame *f)
{
	uint64_t v = f->vector;

	if (v < 32 && !(v == 2 && handlers[2])) {
		fault_report(f);
		return; /* not reached */
	}
	if (v < 256 && handlers[v]) {
		handlers[v](f);
		return;
	}
	if (v == VEC_SPURIOUS)
		return;
	pr_warn("trap: unexpected vector %llu on the CPU\n", (unsigned long long)v);
}
