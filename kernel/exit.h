/* Handling of the exits common to both vendors. */
#ifndef KERNEL_EXIT_H
#define KERNEL_EXIT_H

#include <stdbool.h>

#include "kernel/vm.h"

/* Handle one exit. Returns true when the vCPU should leave the CPU (it halted,
 * or its VM stopped). */
bool exit_handle(struct vcpu *v, const struct vm_exit *e);

/* Hypercall ABI (VMMCALL; VMCALL on VT-x): function in RAX, arguments in RBX,
 * RCX, RDX; result in RAX (negative errno on failure). */
#define HC_ABI_VERSION 1
enum hypercall {
	HC_VERSION = 0,       /* -> HC_ABI_VERSION */
	HC_CONSOLE_WRITE = 1, /* RBX = guest-physical address, RCX = length (<= 4096) */
	HC_EXIT = 2,          /* RBX = exit status: the VM stops with it */
};

#endif
