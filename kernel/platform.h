/* The virtual PC a VM gets (kernel/vdev/ models wired together), and loading the
 * guest image into it. */
#ifndef KERNEL_PLATFORM_H
#define KERNEL_PLATFORM_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "kernel/vcpu_state.h"

struct vm;
struct vcpu;

int platform_create(struct vm *vm);
void platform_destroy(struct vm *vm);
/* Push out buffered guest console output. */
void platform_flush(struct vm *vm);
/* Load the VM's image into its RAM; fills the boot vCPU's initial state. On
 * failure err says why. */
int platform_load_image(struct vm *vm, struct vcpu_state *boot, char *err, size_t len);
/* The state of an application processor waiting for its startup IPI. */
void platform_ap_reset_state(struct vm *vm, struct vcpu *v);
/* Before each entry: device and APIC timers, INIT/SIPI, NMI and interrupt
 * injection (or an interrupt-window request). */
void platform_deliver_events(struct vcpu *v);
/* For a halted vCPU or one waiting for SIPI: make it runnable if it has
 * something to take. */
void platform_wake_check(struct vcpu *v);
/* The vCPU's local APIC: its page (which moves with IA32_APIC_BASE) and MSRs
 * (0x1b, 0x6e0; -ENOENT for any other MSR). MMIO calls hold the VM lock. */
bool platform_lapic_claims(struct vcpu *v, uint64_t gpa);
uint64_t platform_lapic_read(struct vcpu *v, uint64_t gpa, unsigned size);
void platform_lapic_write(struct vcpu *v, uint64_t gpa, unsigned size, uint64_t val);
int platform_lapic_msr(struct vcpu *v, uint32_t msr, uint64_t *val, bool write);

/* Bytes typed on the console while attached to this VM (`console NAME`). */
void platform_console_input(struct vm *vm, const char *buf, size_t n);

#endif
