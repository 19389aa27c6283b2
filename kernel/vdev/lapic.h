/* A virtual local APIC in xAPIC mode, one per vCPU (SDM 3A chapter 11). Pure:
 * no hardware access, compiled on the host for tests/unit/test_vlapic.c.
 *
 * Registers: ID, version 0x50014 (version 0x14, six LVT entries, as QEMU's),
 * TPR, APR, PPR, EOI, LDR, DFR, SVR, ISR/TMR/IRR, ESR, ICR, LVT timer,
 * thermal, performance counter, LINT0, LINT1 and error, the timer's initial
 * count, current count and divide configuration. MSRs: IA32_APIC_BASE (0x1b)
 * and IA32_TSC_DEADLINE (0x6e0). Not modelled: x2APIC, EOI-broadcast
 * suppression, focus processor checking, SMI delivery, real lowest-priority
 * arbitration (the routing gives a lowest-priority message to the first APIC
 * that matches its destination).
 *
 * The timer counts at VLAPIC_BUS_HZ divided by the divide configuration, in
 * guest time (ops->now_ns): there is no real counter; the current count is
 * computed from the deadline when read.
 *
 * How the vCPU core uses one vlapic (all with the per-VM lock held):
 *  - MMIO: when vlapic_mmio_claims(l, gpa), forward the access of the vCPU
 *    that made it to vlapic_mmio_read/write(l, gpa - vlapic_base(l), ...).
 *  - MSRs: vlapic_msr_read/write for 0x1b and 0x6e0 (-ENOENT: not ours;
 *    -EINVAL: inject #GP).
 *  - Before each entry: vlapic_take_init/take_sipi/take_nmi for those events,
 *    then, if the guest can take an interrupt, v = vlapic_pending_vector(l)
 *    and, when v >= 0, inject vlapic_accept(l, v) (which may differ from v for
 *    an ExtINT whose request vanished: the PIC then answers with its spurious
 *    vector). Accept once per interrupt; re-injecting an event whose delivery
 *    an exit interrupted does not go through the vlapic again.
 *  - MOV to/from CR8: vlapic_set_tpr(l, cr8 << 4) / vlapic_get_tpr(l) >> 4.
 *  - Time: vlapic_tick(l, now) when a host timer fires or before entry, and
 *    vlapic_next_deadline_ns(l) to arm the host timer (or to bound a HLT),
 *    re-read after any MMIO or MSR write.
 *  - ops->kick(ctx, vcpu_id) is called whenever this APIC gets something new to
 *    deliver (an interrupt, NMI, INIT or SIPI, or a rising ExtINT request),
 *    also for the vCPU that is running the call: the core wakes a halted vCPU
 *    or interrupts a running one on another CPU; it must not take the VM lock.
 *
 * Locking: every function here expects the caller to hold the per-VM lock, so
 * state is never touched concurrently and callbacks run with the lock held. */
#ifndef KERNEL_VDEV_LAPIC_H
#define KERNEL_VDEV_LAPIC_H

#include <stdbool.h>
#include <stdint.h>

#include "kernel/vdev/vdev.h"

#define VLAPIC_DEFAULT_BASE 0xfee00000ULL
#define VLAPIC_MMIO_SIZE    0x1000
#define VLAPIC_VERSION	    0x00050014u	  /* max LVT entry 5, version 0x14 */
#define VLAPIC_BUS_HZ	    1000000000ULL /* timer input before the divider */
/* The shortest period a periodic timer may have (as KVM's min_timer_period_us):
 * keeps a guest from making the host take interrupts at gigahertz rates. */
#define VLAPIC_MIN_PERIOD_NS 100000ULL

#define MSR_IA32_APIC_BASE    0x1b
#define MSR_IA32_TSC_DEADLINE 0x6e0

/* IA32_APIC_BASE bits (SDM 3A 11.4.4). */
#define VLAPIC_BASE_BSP	 (1ULL << 8)
#define VLAPIC_BASE_EXTD (1ULL << 10) /* x2APIC: not supported, #GP */
#define VLAPIC_BASE_EN	 (1ULL << 11)
#define VLAPIC_BASE_ADDR 0x000ffffffffff000ULL

/* Register offsets in the xAPIC page (SDM 3A table 11-1). */
enum vlapic_reg {
	VLAPIC_ID = 0x020,
	VLAPIC_VER = 0x030,
	VLAPIC_TPR = 0x080,
	VLAPIC_APR = 0x090,
	VLAPIC_PPR = 0x0a0,
	VLAPIC_EOI = 0x0b0,
	VLAPIC_RRD = 0x0c0,
	VLAPIC_LDR = 0x0d0,
	VLAPIC_DFR = 0x0e0,
	VLAPIC_SVR = 0x0f0,
	VLAPIC_ISR = 0x100, /* 8 registers, 0x10 apart */
	VLAPIC_TMR = 0x180,
	VLAPIC_IRR = 0x200,
	VLAPIC_ESR = 0x280,
	VLAPIC_ICR_LO = 0x300,
	VLAPIC_ICR_HI = 0x310,
	VLAPIC_LVT_TIMER = 0x320,
	VLAPIC_LVT_THERMAL = 0x330,
	VLAPIC_LVT_PERF = 0x340,
	VLAPIC_LVT_LINT0 = 0x350,
	VLAPIC_LVT_LINT1 = 0x360,
	VLAPIC_LVT_ERROR = 0x370,
	VLAPIC_TIMER_ICR = 0x380, /* initial count */
	VLAPIC_TIMER_CCR = 0x390, /* current count */
	VLAPIC_TIMER_DCR = 0x3e0, /* divide configuration */
};

/* Delivery modes (ICR, LVT, IOAPIC redirection entries, MSI data). */
enum vlapic_dm {
	VLAPIC_DM_FIXED = 0,
	VLAPIC_DM_LOWEST = 1,
	VLAPIC_DM_SMI = 2,
	VLAPIC_DM_NMI = 4,
	VLAPIC_DM_INIT = 5,
	VLAPIC_DM_SIPI = 6,
	VLAPIC_DM_EXTINT = 7,
};

/* Register bits. */
#define VLAPIC_SVR_ENABLE     (1u << 8)
#define VLAPIC_LVT_MASKED     (1u << 16)
#define VLAPIC_LVT_LEVEL      (1u << 15)
#define VLAPIC_TIMER_ONESHOT  (0u << 17)
#define VLAPIC_TIMER_PERIODIC (1u << 17)
#define VLAPIC_TIMER_TSCDL    (2u << 17)
#define VLAPIC_TIMER_MODE     (3u << 17)
#define VLAPIC_ICR_LOGICAL    (1u << 11)
#define VLAPIC_ICR_ASSERT     (1u << 14)
#define VLAPIC_ICR_LEVEL      (1u << 15)
#define VLAPIC_ICR_SELF	      (1u << 18)
#define VLAPIC_ICR_ALL	      (2u << 18)
#define VLAPIC_ICR_OTHERS     (3u << 18)
#define VLAPIC_ICR_DM(m)      ((uint32_t)(m) << 8)
/* ESR bits (SDM 3A 11.5.3). */
#define VLAPIC_ESR_SEND_ILLEGAL (1u << 5)
#define VLAPIC_ESR_RECV_ILLEGAL (1u << 6)
#define VLAPIC_ESR_ILLEGAL_REG	(1u << 7)

enum { VLAPIC_LVT_NR = 6 }; /* timer, thermal, perf, LINT0, LINT1, error */

/* An interrupt message on the APIC bus (from the IOAPIC, an IPI or an MSI). */
struct vlapic_msg {
	uint8_t vector;
	uint8_t mode; /* enum vlapic_dm */
	uint8_t dest; /* APIC ID (physical) or logical destination */
	bool logical; /* destination mode */
	bool level;   /* level-triggered (fixed and lowest priority only) */
};

struct vlapic;

/* What a vlapic asks of the world: the routing (kernel/vdev/irq.c) fills this
 * in for the VM's vlapics; a test may supply its own. Any pointer may be NULL
 * (a missing clock or TSC reads 0). */
struct vlapic_ops {
	uint64_t (*now_ns)(void *ctx);	  /* guest time, monotonic */
	uint64_t (*guest_tsc)(void *ctx); /* the guest's TSC now (TSC deadline) */
	void (*kick)(void *ctx, unsigned vcpu_id);
	/* An IPI written to the ICR (low word last); the router delivers it. */
	void (*send_ipi)(void *ctx, struct vlapic *src, uint32_t icr_lo, uint32_t icr_hi);
	/* EOI of a level-triggered vector: broadcast to the IOAPIC. */
	void (*eoi)(void *ctx, uint8_t vector);
	/* The 8259's answer for an ExtINT on this APIC's LINT0: with ack false,
	 * the vector an INTA would give now or -1 when INTR is low; with ack
	 * true, the INTA cycle itself. */
	int (*extint)(void *ctx, struct vlapic *l, bool ack);
};

struct vlapic {
	const struct vlapic_ops *ops;
	void *ctx;
	unsigned vcpu_id; /* the index the kick callback gets */
	bool bsp;
	uint64_t tsc_hz; /* guest TSC frequency, for TSC-deadline mode */

	uint64_t apic_base; /* IA32_APIC_BASE */
	uint32_t id, tpr, ldr, dfr, svr;
	uint32_t esr, esr_pending; /* visible ESR; errors since the last write */
	uint32_t icr_lo, icr_hi;
	uint32_t lvt[VLAPIC_LVT_NR];
	uint32_t isr[8], tmr[8], irr[8];
	uint32_t timer_icr, timer_dcr;
	bool timer_armed;
	uint64_t timer_expire_ns; /* when armed: guest ns of the next interrupt */
	uint64_t timer_period_ns; /* periodic mode */
	uint64_t timer_count_ns;  /* ns per count (the divider at bus speed) */
	uint64_t tsc_deadline;	  /* IA32_TSC_DEADLINE as the guest sees it */
	bool lint[2];		  /* LINT0/LINT1 input levels */

	bool nmi_pending, init_pending, sipi_pending, wait_for_sipi;
	uint8_t sipi_vector;
};

/* Power-on state for vCPU `vcpu_id`: APIC ID = vcpu_id, IA32_APIC_BASE
 * 0xfee00900 for the BSP (0xfee00800 otherwise), SVR 0xff (software
 * disabled), every LVT masked except the BSP's LINT0, which is ExtINT
 * (virtual-wire mode, as firmware leaves it: the 8259 reaches the BSP). */
void vlapic_init(struct vlapic *l, unsigned vcpu_id, bool bsp, uint64_t tsc_hz,
		 const struct vlapic_ops *ops, void *ctx);
/* Power-on reset of the registers (the ID too); pending events are dropped. */
void vlapic_reset(struct vlapic *l);

/* IA32_APIC_BASE.EN (hardware enable) and SVR bit 8 (software enable). */
bool vlapic_hw_enabled(const struct vlapic *l);
bool vlapic_sw_enabled(const struct vlapic *l);
uint64_t vlapic_base(const struct vlapic *l);
/* Whether an access to `gpa` goes to this APIC's register page (which is
 * there only while the APIC is hardware-enabled). */
bool vlapic_mmio_claims(const struct vlapic *l, uint64_t gpa);

/* Register accesses at `offset` in the page. Writes must be 4 bytes at a
 * 16-byte aligned offset (others are ignored); reads of 1-4 bytes return
 * those bytes of the 32-bit register, 8-byte reads the register zero-extended.
 * A reserved register sets ESR "illegal register address". */
uint64_t vlapic_mmio_read(struct vlapic *l, uint64_t offset, unsigned size);
void vlapic_mmio_write(struct vlapic *l, uint64_t offset, unsigned size, uint64_t val);

/* IA32_APIC_BASE and IA32_TSC_DEADLINE. Return 0, -ENOENT for another MSR, or
 * -EINVAL for a write the CPU would #GP on (reserved bits, x2APIC enable). */
int vlapic_msr_read(struct vlapic *l, uint32_t msr, uint64_t *val);
int vlapic_msr_write(struct vlapic *l, uint32_t msr, uint64_t val);

uint8_t vlapic_get_tpr(const struct vlapic *l);
void vlapic_set_tpr(struct vlapic *l, uint8_t tpr);
uint8_t vlapic_get_ppr(const struct vlapic *l);

/* The interrupt to inject next, or -1: an ExtINT from the 8259 when LINT0 is
 * an unmasked ExtINT input (or the APIC is hardware-disabled, when LINT0 is
 * the CPU's INTR pin) and INTR is high, the PIC giving the vector; else the
 * highest IRR vector whose priority class is above the PPR's. */
int vlapic_pending_vector(struct vlapic *l);
/* The core injects `vector` (the value vlapic_pending_vector just returned):
 * an ExtINT runs the PIC's INTA cycle, a fixed interrupt moves from IRR to
 * ISR. Returns the vector to inject, or -1 if it is no longer pending. */
int vlapic_accept(struct vlapic *l, int vector);

/* Pending NMI, INIT and SIPI, each cleared as it is taken. Taking an INIT
 * resets the APIC to its INIT state (all but the ID and IA32_APIC_BASE, SDM
 * 3A 11.4.7.3) and, on an AP, enters wait-for-SIPI: then the next SIPI is
 * latched and vlapic_take_sipi returns its vector (the vCPU starts in real
 * mode at CS = vector << 8, IP 0), -1 when there is none. The BSP restarts at
 * the reset vector instead and ignores SIPIs. */
bool vlapic_take_nmi(struct vlapic *l);
bool vlapic_take_init(struct vlapic *l);
int vlapic_take_sipi(struct vlapic *l);
/* Whether anything at all is pending (to wake a halted vCPU). */
bool vlapic_has_event(struct vlapic *l);

/* Fire a due timer (one-shot, periodic or TSC deadline) at guest time now. */
void vlapic_tick(struct vlapic *l, uint64_t now_ns);
/* When the next timer interrupt is due (guest ns), UINT64_MAX if none. */
uint64_t vlapic_next_deadline_ns(const struct vlapic *l);

/* The message side, for the routing. */
bool vlapic_match_dest(const struct vlapic *l, uint8_t dest, bool logical);
/* Accept a message: 1 if this APIC took it, 0 if not (hardware-disabled,
 * software-disabled for fixed interrupts, illegal vector below 16, SIPI when
 * not waiting for one, or a mode not modelled). */
int vlapic_deliver(struct vlapic *l, const struct vlapic_msg *m);
/* Drive the LINT0/LINT1 input pin: a rising edge delivers per the LVT entry
 * (fixed vector, NMI); ExtINT is not latched: the request is read from the
 * 8259 through ops->extint while the pin is high. */
void vlapic_set_lint(struct vlapic *l, unsigned pin, bool level);
/* Whether LINT0 passes the 8259's INTR through (ExtINT, or hardware-disabled). */
bool vlapic_accepts_extint(const struct vlapic *l);

/* The register page as a device, dev = the struct vlapic; mmio_base is the
 * default one (the core routes by vlapic_mmio_claims, as the page moves with
 * IA32_APIC_BASE and is per vCPU). tick reads ops->now_ns. */
extern const struct vdev_ops vlapic_vdev_ops;

#endif
