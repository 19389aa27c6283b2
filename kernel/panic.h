/* Fatal errors in the hypervisor itself. Guest input never reaches these. */
#ifndef KERNEL_PANIC_H
#define KERNEL_PANIC_H

#include <stdint.h>

struct trap_frame;

void panic(const char *fmt, ...) __attribute__((noreturn, format(printf, 1, 2)));
/* Print an exception's vector, error code, registers, CR2/CR3 and a backtrace,
 * stop the other CPUs and halt. */
void fault_report(struct trap_frame *f) __attribute__((noreturn));
/* Print a backtrace from `rip`, following the frame pointers from `rbp`; `rsp`
 * (or 0) finds the caller when `rip` is a function's first instruction. */
void backtrace_print(uint64_t rip, uint64_t rbp, uint64_t rsp);
/* Name of the function containing `addr` and the offset into it, or NULL. */
const char *ksym_lookup(uint64_t addr, uint64_t *offset);

/* Implemented by the SMP code: send an NMI to every other CPU so they halt.
 * Before SMP starts it does nothing. */
void smp_stop_others(void);

#define BUG_ON(cond)                                                           \
	do {                                                                   \
		if (cond)                                                      \
			panic("BUG_ON(%s) at %s:%d", #cond, __FILE__, __LINE__); \
	} while (0)

#endif
