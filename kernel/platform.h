/* The virtual PC a VM gets (kernel/vdev/ models wired together), and loading the
 * guest image into it. */
#ifndef KERNEL_PLATFORM_H
#define KERNEL_PLATFORM_H

#include <stddef.h>

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
/* Bytes typed on the console while attached to this VM (`console NAME`). */
void platform_console_input(struct vm *vm, const char *buf, size_t n);

#endif
