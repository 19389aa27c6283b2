/* Per-CPU data, reached through GS (GS base = the CPU's struct percpu). */
#ifndef KERNEL_PERCPU_H
#define KERNEL_PERCPU_H

#include <stdbool.h>
#include <stdint.h>

#define MAX_CPUS 64
#define IST_STACK_SIZE 8192

/* 64-bit TSS (SDM 3A 8.7). */
struct tss {
	uint32_t reserved0;
	uint64_t rsp[3];
	uint64_t reserved1;
	uint64_t ist[7];
	uint64_t reserved2;
	uint16_t reserved3;
	uint16_t iomap_base;
} __attribute__((packed));
_Static_assert(sizeof(struct tss) == 104, "TSS is 104 bytes");

struct percpu {
	struct percpu *self; /* at GS:0 so this_cpu() is one load */
	uint32_t index;      /* 0 = bootstrap processor */
	uint32_t apic_id;
	volatile bool online;
	uint32_t tsc_khz;
	uint64_t stack_top;
	uint64_t gdt[5]; /* null, code, data, TSS (two slots) */
	struct tss tss;
	uint8_t *ist_stacks; /* IST 1 NMI, 2 #DF, 3 #MC; each IST_STACK_SIZE */
};

extern struct percpu percpu[MAX_CPUS];
extern uint32_t ncpus; /* CPUs known (from the MADT), online or not */

static inline struct percpu *this_cpu(void)
{
	struct percpu *p;
	__asm__ volatile("movq %%gs:0, %0" : "=r"(p));
	return p;
}

/* Load GDT, TSS, IDT and GS base for CPU `c`. ist_stacks must hold 3 stacks. */
void cpu_tables_init(struct percpu *c, uint8_t *ist_stacks);

#endif
