/* Interrupt routing of one VM: the wires between devices, the two 8259s, the
 * I/O APIC and the vCPUs' local APICs, as on a PC with the MADT Terrapin gives
 * its guests. Pure: compiled on the host for tests/unit/test_virq.c.
 *
 *   device --virq_set_irq(gsi)--> 8259 input gsi (ISA IRQs 0-15, not 2)
 *                             \-> IOAPIC pin gsi (IRQ0 -> pin 2: the MADT's
 *                                 interrupt source override; GSIs 16-23 are
 *                                 IOAPIC-only, for PCI)
 *   8259 INTR ----------------> LINT0 of the BSP (vCPU 0): ExtINT in
 *                               virtual-wire mode, the vector from the 8259
 *   IOAPIC, MSI, ICR ----------> local APICs by destination (physical ID or
 *                               logical LDR/DFR; broadcast 0xff; lowest
 *                               priority goes to the first match)
 *   local APIC EOI of a level vector --> IOAPIC (remote IRR)
 *
 * The struct virq embeds the PIC and the IOAPIC; the vlapics live in the
 * vCPUs and are attached with virq_add_vcpu.
 *
 * Locking: the VM core holds its per-VM lock around every call into the
 * routing and the models it joins (port and MMIO handlers, set_irq, MSR
 * accesses, pending/accept, ticks). host.kick is called with the lock held:
 * it must only mark the vCPU and wake or IPI it, never take the lock. */
#ifndef KERNEL_VDEV_IRQ_H
#define KERNEL_VDEV_IRQ_H

#include <stdbool.h>
#include <stdint.h>

#include "kernel/vdev/ioapic.h"
#include "kernel/vdev/lapic.h"
#include "kernel/vdev/pic.h"

#define VIRQ_MAX_VCPUS 8
#define VIRQ_NR_GSI    VIOAPIC_PINS
#define VIRQ_PIT_PIN   2 /* MADT interrupt source override: IRQ0 -> GSI 2 */

/* What the routing asks of the VM. */
struct virq_host {
	void *vm;
	/* vCPU vcpu_id has something new to take: wake it if halted, IPI its
	 * physical CPU if running (a no-op for the calling vCPU is fine). */
	void (*kick)(void *vm, unsigned vcpu_id);
	uint64_t (*now_ns)(void *vm);	 /* guest time */
	uint64_t (*guest_tsc)(void *vm); /* guest TSC now */
	uint64_t tsc_hz;		 /* guest TSC frequency */
};

struct virq {
	struct virq_host host;
	struct vpic pic;
	struct vioapic ioapic;
	struct vlapic *lapic[VIRQ_MAX_VCPUS];
};

/* Set up the routing with a reset PIC and IOAPIC and no vCPU. */
void virq_init(struct virq *v, const struct virq_host *host);
/* Initialize `l` for vCPU `vcpu_id` (APIC ID = vcpu_id, BSP when 0) and wire
 * it in. -EINVAL when vcpu_id >= VIRQ_MAX_VCPUS, -EEXIST when taken. */
int virq_add_vcpu(struct virq *v, unsigned vcpu_id, struct vlapic *l);
struct vlapic *virq_lapic(struct virq *v, unsigned vcpu_id);
/* Power-on reset of the PIC, the IOAPIC and every attached vlapic. */
void virq_reset(struct virq *v);

/* Drive interrupt line `gsi` (struct vdev_host's set_irq): 0-15 are the ISA
 * IRQs, which reach both the 8259s and the IOAPIC (IRQ0 on pin 2); 16-23 are
 * IOAPIC pins only. IRQ2 (the cascade) and GSIs past 23 are ignored. A line
 * shared by several devices must be ORed by its owner before this call. */
void virq_set_irq(struct virq *v, unsigned gsi, bool level);

/* A message-signalled interrupt (a write of `data` to `addr`, SDM 3A 11.11):
 * 0, or -EINVAL when addr is not in the 0xfeexxxxx interrupt window. */
int virq_msi(struct virq *v, uint64_t addr, uint32_t data);

/* Deliver a message to the APICs it addresses (the IOAPIC's, an MSI's);
 * returns how many took it. */
int virq_deliver(struct virq *v, const struct vlapic_msg *m);

/* Fire the due timers of every vlapic; the earliest next deadline of all
 * (UINT64_MAX if none). */
void virq_tick(struct virq *v, uint64_t now_ns);
uint64_t virq_next_deadline_ns(const struct virq *v);

#endif
