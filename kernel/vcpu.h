/* Running a vCPU: time slices, instruction fetch and the exit loop. */
#ifndef KERNEL_VCPU_H
#define KERNEL_VCPU_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "kernel/vm.h"
#include "kernel/x86_decode.h"

struct vcpu *vcpu_create(struct vm *vm, unsigned id);
void vcpu_destroy(struct vcpu *v);
/* Runnable, or halted with an interrupt to take. */
bool vcpu_wants_cpu(struct vcpu *v);
/* Run until the host tick, a halt or the VM leaving the running state. */
void vcpu_run_slice(struct vcpu *v);

/* Decode the instruction at the guest's RIP: 0, or -EFAULT when it cannot be
 * fetched, -EINVAL when it is not a valid instruction (insn->bytes then holds
 * what was fetched). */
int vcpu_decode_insn(struct vcpu *v, struct x86_insn *insn);
/* The same with the state the caller has already read. */
int vcpu_decode_at(struct vcpu *v, const struct vcpu_state *s, struct x86_insn *insn);
/* Advance RIP past the instruction that exited (length from the hardware when
 * given, else decoded). 0 or the decode error. */
int vcpu_skip_insn(struct vcpu *v, const struct vm_exit *e);
/* The state after INIT and a startup IPI with this vector (SDM 3A 9.1.1,
 * APM 2 14.1.5): real mode at CS = vector << 8, IP 0. Real mode runs as is
 * under SVM and as an unrestricted guest under VT-x. */
void vcpu_state_after_sipi(struct vcpu_state *s, uint8_t vector);
/* Inject an exception (#GP, #UD...) into the guest. */
void vcpu_inject_exception(struct vcpu *v, uint8_t vector, bool has_error, uint32_t error);
/* Copy between guest-linear memory (through the guest's page tables, as state s
 * sets them up) and buf; -EFAULT if any byte is not the guest's RAM. */
int vcpu_copy_linear(struct vcpu *v, const struct vcpu_state *s, uint64_t la, void *buf,
		     size_t len, bool write);

#endif
