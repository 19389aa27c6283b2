/* Interrupt and exception entry. Vectors 0-31 are exceptions; an exception in
 * the hypervisor is fatal and prints everything needed to debug it. */
#ifndef KERNEL_TRAP_H
#define KERNEL_TRAP_H

#include <stdint.h>

/* Layout pushed by boot/isr.S; keep in sync with it. */
struct trap_frame {
	uint64_t r15, r14, r13, r12, r11, r10, r9, r8;
	uint64_t rbp, rdi, rsi, rdx, rcx, rbx, rax;
	uint64_t vector, error;
	uint64_t rip, cs, rflags, rsp, ss; /* pushed by the CPU */
};

typedef void (*irq_handler_t)(struct trap_frame *f);

void idt_init(void);
void idt_load(void);
/* Route a vector (32-255) to a handler; the handler must send its own EOI. */
void irq_register(uint8_t vector, irq_handler_t fn);

/* Vectors Terrapin uses. */
#define VEC_LAPIC_TIMER 0x40
#define VEC_IPI_CALL 0x41
#define VEC_KICK 0x42 /* make a CPU leave its guest: the next entry delivers */
#define VEC_SPURIOUS 0xff

#endif
