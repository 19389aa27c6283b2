#ifndef KERNEL_MMIO_H
#define KERNEL_MMIO_H

#include "kernel/vm.h"
#include "kernel/x86_decode.h"

/* Emulate the access behind an MMIO exit. 0 when done (RIP advanced unless a
 * REP instruction has iterations left); -ENOENT when no device owns the address;
 * -EPERM for an instruction fetch from a device; a decode or emulation error
 * otherwise (insn then holds the bytes for the message). */
int mmio_handle(struct vcpu *v, const struct vm_exit *e, struct x86_insn *insn);

#endif
