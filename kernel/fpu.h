/* Guest x87/SSE/AVX state. Terrapin never uses these registers itself (it is
 * built with -mgeneral-regs-only), so while a vCPU runs they hold its state.
 * Each vCPU has its own save area and XCR0: restored when its time slice
 * starts, saved when it ends, so vCPUs sharing a CPU never see each other's
 * registers. XSAVE where the CPU has it, FXSAVE otherwise. */
#ifndef KERNEL_FPU_H
#define KERNEL_FPU_H

#include <stdint.h>

struct vcpu;

/* On every CPU before it runs a vCPU: CR4.OSFXSR, and CR4.OSXSAVE with XSAVE. */
void fpu_cpu_init(void);
/* A vCPU's save area in its power-on state (XCR0 = x87). 0 or -ENOMEM. */
int fpu_vcpu_init(struct vcpu *v);
void fpu_vcpu_free(struct vcpu *v);
/* Around a time slice, interrupts off. */
void fpu_load(struct vcpu *v);
void fpu_save(struct vcpu *v);
/* The guest's XSETBV: 0, or -EINVAL for #GP (the rules of kernel/xcr0.h, and
 * only features the host supports). */
int fpu_set_xcr(struct vcpu *v, uint32_t index, uint64_t val);

#endif
