/* The one table through which the core reaches the vendor backend (SVM or VMX),
 * chosen at run time by CPUID. */
#ifndef KERNEL_VIRT_H
#define KERNEL_VIRT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "kernel/vcpu_state.h"
#include "kernel/vm_exit.h"
#include "mm/tdp.h"

struct vcpu;

/* An event to inject (SDM/APM event-injection fields, vendor-neutral). */
enum event_type { EVENT_EXTINT = 0, EVENT_NMI = 2, EVENT_EXCEPTION = 3, EVENT_SOFTINT = 4 };
struct vm_event {
	bool valid;
	uint8_t type; /* enum event_type */
	uint8_t vector;
	bool has_error;
	uint32_t error;
};

struct virt_ops {
	const char *name;
	const struct tdp_format *tdp;
	/* Enable the extension on the calling physical CPU. */
	int (*cpu_enable)(void);
	int (*vcpu_create)(struct vcpu *v);
	void (*vcpu_destroy)(struct vcpu *v);
	/* Set or read the architectural state (the GPRs live in the vcpu itself). */
	void (*set_state)(struct vcpu *v, const struct vcpu_state *s);
	void (*get_state)(struct vcpu *v, struct vcpu_state *s);
	/* Enter the guest and return at the next exit. Interrupts are off on entry
	 * and return; a host interrupt ends the run as EXIT_INTR. */
	void (*run)(struct vcpu *v, struct vm_exit *e);
	/* Queue an event for the next entry; returns false if one is pending. */
	bool (*inject)(struct vcpu *v, const struct vm_event *ev);
	/* Can an external interrupt be injected now (IF=1, no shadow, no pending
	 * event)? If not, arm an interrupt-window exit. */
	bool (*irq_window)(struct vcpu *v, bool arm);
	uint64_t (*get_rip)(struct vcpu *v);
	void (*set_rip)(struct vcpu *v, uint64_t rip);
	/* Move past an instruction of len bytes that the core emulated, as its
	 * completion would: RIP wraps at 4 GiB outside 64-bit code, the STI/MOV SS
	 * interrupt shadow ends (SDM 3A 6.8.3; APM 2 15.21.5) and RFLAGS.RF is
	 * cleared (SDM 3A, "Instruction-Breakpoint Exception Condition": RF is
	 * cleared when an instruction completes). Touches only the fields that
	 * needs, not the whole state: this is on every instruction exit's path. */
	void (*advance_rip)(struct vcpu *v, unsigned len);
	void (*set_rflags)(struct vcpu *v, uint64_t rflags);
	void (*flush_tlb)(struct vcpu *v);
	/* The guest's EFER as it sees it, and writes to it (validated by the core). */
	uint64_t (*get_efer)(struct vcpu *v);
	int (*set_efer)(struct vcpu *v, uint64_t efer);
	/* Optional: after EXIT_ENTRY_FAILED, say why in words (the VM-instruction
	 * error and its name on VT-x). */
	void (*describe_failure)(struct vcpu *v, char *buf, size_t len);
};

/* MSRs whose guest values the hardware switches on entry and exit (VMCB,
 * VMCS or a backend's lazy swap): both backends let the guest at them without
 * exits. The last one, PAT, only where the backend switches it. */
#define MSR_PAT_INDEX 0x277
extern const uint32_t virt_passthrough_msrs[];
extern const unsigned virt_npassthrough_msrs;

extern const struct virt_ops *virt;
extern const struct virt_ops svm_ops;
extern const struct virt_ops vmx_ops;

/* Pick the backend for this CPU; logs why when there is none. */
int virt_init(void);

#endif
