/* A VM exit in vendor-neutral form: the backends fill it, kernel/exit.c handles
 * the common reasons once for both vendors. The reason table is written once. */
#ifndef KERNEL_VM_EXIT_H
#define KERNEL_VM_EXIT_H

#include <stdbool.h>
#include <stdint.h>

/* X(name, shown as) */
#define VM_EXIT_REASONS(X)                            \
	X(EXIT_NONE, "none")                          \
	X(EXIT_CPUID, "cpuid")                        \
	X(EXIT_MSR_READ, "msr-read")                  \
	X(EXIT_MSR_WRITE, "msr-write")                \
	X(EXIT_IO, "io")                              \
	X(EXIT_MMIO, "mmio")                          \
	X(EXIT_HLT, "hlt")                            \
	X(EXIT_INTR, "host-interrupt")                \
	X(EXIT_INTR_WINDOW, "interrupt-window")       \
	X(EXIT_NMI, "host-nmi")                       \
	X(EXIT_SHUTDOWN, "shutdown")                  \
	X(EXIT_HYPERCALL, "hypercall")                \
	X(EXIT_VIRT_INSN, "virtualization-insn")      \
	X(EXIT_EXCEPTION, "exception")                \
	X(EXIT_PAUSE, "pause")                        \
	X(EXIT_XSETBV, "xsetbv")                      \
	X(EXIT_ENTRY_FAILED, "entry-failed")          \
	X(EXIT_UNKNOWN, "unknown")

enum vm_exit_reason {
#define X(n, s) n,
	VM_EXIT_REASONS(X)
#undef X
	EXIT_REASONS
};

const char *vm_exit_name(enum vm_exit_reason r);

struct vm_exit {
	enum vm_exit_reason reason;
	uint64_t hw_code;   /* the vendor's exit code, for messages */
	uint64_t hw_info1, hw_info2;
	uint8_t insn_len;   /* 0: not known from the hardware, decode it */
	union {
		struct {
			uint16_t port;
			uint8_t size; /* 1, 2, 4 */
			bool in, string, rep;
		} io;
		struct {
			uint32_t index;
		} msr;
		struct {
			uint64_t gpa;
			bool write, fetch, present;
		} mmio;
		struct {
			uint8_t vector;
			bool has_error;
			uint32_t error;
		} exc;
	};
};

#endif
