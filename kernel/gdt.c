/* Per-CPU GDT and TSS; the TSS gives NMI, #DF and #MC their own stacks (IST) so a
 * fault on a broken stack still reaches the fault printer. */
#include "drivers/io.h"
#include "kernel/kstring.h"
#include "kernel/percpu.h"
#include "kernel/trap.h"

struct percpu percpu[MAX_CPUS];
uint32_t ncpus = 1;

#define GDT_CODE64 0x00af9a000000ffffULL
#define GDT_DATA 0x00cf92000000ffffULL

void cpu_tables_init(struct percpu *c, uint8_t *ist_stacks)
{
	c->self = c;
	c->ist_stacks = ist_stacks;
	memset(&c->tss, 0, sizeof(c->tss));
	for (int i = 0; i < 3; i++)
		c->tss.ist[i] = (uint64_t)(ist_stacks + (i + 1) * IST_STACK_SIZE);
	c->tss.iomap_base = sizeof(struct tss); /* no I/O bitmap */

	/* SDM 3A 8.2.3: a 16-byte available 64-bit TSS descriptor (type 9). */
	uint64_t base = (uint64_t)&c->tss, limit = sizeof(struct tss) - 1;
	c->gdt[0] = 0;
	c->gdt[1] = GDT_CODE64;
	c->gdt[2] = GDT_DATA;
	c->gdt[3] = (limit & 0xffff) | ((base & 0xffffff) << 16) | (0x89ULL << 40) |
		    (((limit >> 16) & 0xf) << 48) | (((base >> 24) & 0xff) << 56);
	c->gdt[4] = base >> 32;

	struct {
		uint16_t limit;
		uint64_t base;
	} __attribute__((packed)) gdtr = { sizeof(c->gdt) - 1, (uint64_t)c->gdt };
	__asm__ volatile("lgdt %0\n\t"
			 "pushq $0x08\n\t"
			 "leaq 1f(%%rip), %%rax\n\t"
			 "pushq %%rax\n\t"
			 "lretq\n"
			 "1:\n\t"
			 "movw $0x10, %%ax\n\t"
			 "movw %%ax, %%ds\n\t"
			 "movw %%ax, %%es\n\t"
			 "movw %%ax, %%ss\n\t"
			 "xorw %%ax, %%ax\n\t"
			 "movw %%ax, %%fs\n\t"
			 "movw %%ax, %%gs\n\t"
			 "movw $0x18, %%ax\n\t"
			 "ltr %%ax"
			 :
			 : "m"(gdtr)
			 : "rax", "memory");
	wrmsr(MSR_GS_BASE, (uint64_t)c);
	idt_load();
}
