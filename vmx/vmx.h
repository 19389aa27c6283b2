/* The VT-x backend's shared internals (vmx/vmx_cpu.c, vmx_vcpu.c, vmx_state.c,
 * vmx_event.c, vmx_exit.c). The core reaches the backend only through vmx_ops
 * (kernel/virt.h). */
#ifndef VMX_VMX_H
#define VMX_VMX_H

#include <stdbool.h>
#include <stdint.h>

#include "kernel/percpu.h"
#include "kernel/vcpu_state.h"
#include "kernel/vm.h"
#include "kernel/vm_exit.h"
#include "mm/tdp.h"
#include "vmx/vmx_caps.h"

struct vm_event;

/* The MSRs the guest reaches directly whose values VM entry and exit do not
 * switch (SDM 3C 27.5, 28.5): kept in the registers while the same vCPU runs
 * on a CPU, swapped when another vCPU takes the CPU. Terrapin itself never
 * uses SYSCALL or SWAPGS. */
enum vmx_lazy_msr { VMX_STAR, VMX_LSTAR, VMX_CSTAR, VMX_SFMASK, VMX_KERNEL_GS_BASE, VMX_NLAZY };

struct vmx_cpu {
	uint64_t vmxon_pa;
	bool on;                  /* in VMX root operation */
	uint64_t current;         /* the VMCS current on this CPU, 0 for none */
	struct vmx_vcpu *msr_owner; /* whose lazy MSRs and CR2 are in the registers */
	struct vmx_vcpu *running; /* the vCPU entering or in the guest here */
	uint32_t preempt_value;   /* one host tick in VMX-preemption timer units */
};

struct vmx_vcpu {
	struct vcpu *v;
	uint64_t vmcs_pa;
	int loaded_cpu;           /* where the VMCS is active, -1 when clear */
	bool launched;            /* VMLAUNCH done since the last VMCLEAR */
	bool initialized;         /* controls written (done on the first load) */
	bool flush;               /* INVEPT/INVVPID before the next entry */
	uint16_t vpid;
	uint64_t eptp;
	uint64_t host_rsp;        /* HOST_RSP as last written */
	uint32_t proc;            /* PROC_CONTROLS as last written */
	uint32_t entry_ctl;       /* ENTRY_CONTROLS as last written */
	uint32_t entry_intr;      /* ENTRY_INTR_INFO written since the last exit */
	bool nmi_pending;         /* accepted by inject(), waiting for its window */
	uint64_t cr0_shadow, cr4_shadow; /* the read shadows (masked bits only count) */
	uint64_t lazy_msr[VMX_NLAZY];
	uint64_t cr2;             /* not in the VMCS: swapped with the lazy MSRs */
	/* State set while the VMCS is not active anywhere: written to it on the
	 * CPU that loads it next. */
	bool pending_valid;
	struct vcpu_state pending;
	/* The last failed entry, for the stop reason. */
	bool vmfail;              /* VMLAUNCH/VMRESUME failed (no exit) */
	uint32_t insn_error;      /* VM-instruction error number */
	uint32_t fail_reason;     /* entry-failure exit reason (bit 31 set) */
	uint64_t fail_qual;
};

/* The backend's half of a vCPU. */
static inline struct vmx_vcpu *vmx_of(struct vcpu *v) { return v->arch; }

extern struct vmx_cpu vmx_cpus[MAX_CPUS];
extern struct vmx_config vmx_cfg;
extern struct tdp_format vmx_ept_format;
extern uint64_t vmx_io_bitmap_pa, vmx_msr_bitmap_pa; /* I/O bitmaps A and B: 2 frames */

/* vmx_entry.S: enter the guest with the VMCS current on this CPU. Returns 0
 * after a VM exit, 1 when VMLAUNCH/VMRESUME failed (VMfail). */
int vmx_enter(uint64_t *gprs, int launched);
/* Called by vmx_enter with the stack pointer the exit will resume on. */
void vmx_set_host_rsp(uint64_t rsp);
extern char vmx_exit_entry[];

/* vmx_cpu.c */
int vmx_cpu_enable(void);
/* The field of the first failed VMREAD/VMWRITE since the last call, or -1. */
int vmx_take_failed_field(bool *write);

/* vmx_vcpu.c: make s's VMCS current on this CPU (interrupts off). false when
 * it is active on another CPU and cannot be fetched from here. */
bool vmx_acquire(struct vmx_vcpu *s);

/* vmx_state.c: the lazy MSRs and CR2 saved from the registers, and switched to
 * s's on c (interrupts off). */
void vmx_lazy_save(struct vmx_vcpu *s);
void vmx_lazy_switch(struct vmx_cpu *c, struct vmx_vcpu *s);
/* Write st into s's VMCS, current on this CPU. */
void vmx_write_state(struct vmx_vcpu *s, const struct vcpu_state *st);
/* The vmx_ops entries for guest state. */
void vmx_set_state(struct vcpu *v, const struct vcpu_state *st);
void vmx_get_state(struct vcpu *v, struct vcpu_state *st);
uint64_t vmx_get_rip(struct vcpu *v);
void vmx_set_rip(struct vcpu *v, uint64_t rip);
void vmx_advance_rip(struct vcpu *v, unsigned len);
void vmx_set_rflags(struct vcpu *v, uint64_t rflags);
uint64_t vmx_get_efer(struct vcpu *v);
int vmx_set_efer(struct vcpu *v, uint64_t efer);

/* vmx_event.c: queue an event for the next entry (SDM 3C 26.6 format); false
 * if one is. */
bool vmx_queue_event(struct vmx_vcpu *s, uint32_t info, uint32_t error, uint32_t len);
/* Before each entry: inject the NMI that waits, or arm its window. */
void vmx_deliver_nmi(struct vmx_vcpu *s);
/* After each exit: queue again the event whose delivery it interrupted. */
void vmx_reinject_vectoring(struct vmx_vcpu *s);
/* The vmx_ops entries for events. */
bool vmx_inject(struct vcpu *v, const struct vm_event *ev);
bool vmx_irq_window(struct vcpu *v, bool arm);

/* vmx_exit.c: fill e from the exit just taken; true when the backend handled it
 * itself (CR accesses, MONITOR/MWAIT) and re-enters without the core. */
bool vmx_decode_exit(struct vmx_vcpu *s, struct vcpu *v, uint32_t reason, struct vm_exit *e);
void vmx_set_cr0(struct vmx_vcpu *s, uint64_t cr0);
/* CR0/CR4 as the guest sees them now: the bits it owns from the VMCS, the
 * masked ones from the read shadow. */
uint64_t vmx_view_cr0(struct vmx_vcpu *s);
uint64_t vmx_view_cr4(struct vmx_vcpu *s);
void vmx_set_cr4(struct vmx_vcpu *s, uint64_t cr4);

/* The interruption-information format (SDM 3C 25.8.3, 25.9.2). */
#define VMX_INTR_VALID (1u << 31)
#define VMX_INTR_HAS_ERROR (1u << 11)
#define VMX_INTR_TYPE(i) (((i) >> 8) & 7)
#define VMX_INTR_TYPE_EXT 0
#define VMX_INTR_TYPE_NMI 2
#define VMX_INTR_TYPE_HW_EXC 3
#define VMX_INTR_TYPE_SW_INT 4
#define VMX_INTR_TYPE_PRIV_SW_EXC 5
#define VMX_INTR_TYPE_SW_EXC 6

/* Guest interruptibility state (SDM 3C 25.4.2, table 25-3). */
#define VMX_BLOCK_STI (1u << 0)
#define VMX_BLOCK_MOVSS (1u << 1)
#define VMX_BLOCK_NMI (1u << 3)

#endif
