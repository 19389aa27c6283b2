/* MMIO instruction emulation after a nested-page (NPT/EPT) fault.
 *
 * Pure logic: the guest's registers come in a struct x86_regs, every access goes
 * through the caller's x86_mem_ops, so it compiles on the host and is tested there
 * against the host CPU's own flags.
 *
 * Supported (legacy encodings; memory operand forms only):
 *   MOV      88 89 8A 8B, C6 /0 C7 /0, A0 A1 A2 A3 (moffs)
 *   MOVZX    0F B6 0F B7      MOVSX 0F BE 0F BF      MOVSXD 63 (64-bit mode)
 *   ALU      ADD OR ADC SBB AND SUB XOR CMP: 00..3B (Eb,Gb Ev,Gv Gb,Eb Gv,Ev),
 *            80 81 82 83 /0../7
 *   TEST     84 85, F6 /0 /1, F7 /0 /1
 *   XCHG     86 87
 *   BT BTS BTR BTC   0F A3 AB B3 BB (register bit offset: the bit string may move
 *            the access away from the operand address, SDM 2 BT) and 0F BA /4../7
 *   STOS     AA AB, with REP (F3)      MOVS A4 A5, with REP (F3)
 * in real, 16-bit, 32-bit and 64-bit modes, any address size, any operand size.
 * RFLAGS: CF PF AF ZF SF OF as the hardware sets them for the ALU ops and TEST
 * (AF, which the SDM leaves undefined after AND/OR/XOR/TEST, is cleared, as the
 * Intel CPU the tests compare with does); BT* change only CF.
 * A 32-bit register destination is zero-extended to 64 bits; AH CH DH BH are
 * encodings 4..7 without REX, SPL BPL SIL DIL with any REX.
 *
 * Everything else is refused, never guessed: the caller stops the VM and shows
 * the instruction bytes (insn->bytes).
 *
 * The faulting operand must be the one the registers name: its linear address
 * must have the page offset of the fault's gpa and the access must not cross a
 * 4 KiB page (a split access has no single gpa to use).
 *
 * REP string instructions: all iterations whose MMIO address stays inside the
 * faulting 4 KiB page are done in one call; the RAM side of MOVS goes through
 * mem_read/mem_write one element at a time. When count registers remain, the
 * function returns X86_EMU_REPEAT and leaves RIP alone, so the guest re-executes
 * the instruction (taking interrupts in between, as hardware does between
 * iterations) and faults again on the next page, or runs natively on RAM. An
 * iteration after the first that fails a segment-limit check or a RAM access also
 * ends the call with X86_EMU_REPEAT: the re-executed instruction then raises the
 * exact exception in hardware.
 */
#ifndef KERNEL_EMULATE_H
#define KERNEL_EMULATE_H

#include <stdbool.h>
#include <stdint.h>

#include "kernel/x86_decode.h"

struct x86_mem_ops {
	/* A device access: size is 1, 2, 4 or 8; gpa lies in the faulting page. */
	int (*mmio_read)(void *ctx, uint64_t gpa, unsigned int size, uint64_t *val);
	int (*mmio_write)(void *ctx, uint64_t gpa, unsigned int size, uint64_t val);
	/* The RAM operand of MOVS, by guest linear address (segment base added).
	 * The caller walks the guest's page tables, enforcing canonical form and
	 * permissions, and may route to MMIO itself. Only MOVS calls these. */
	int (*mem_read)(void *ctx, uint64_t la, void *buf, unsigned int len);
	int (*mem_write)(void *ctx, uint64_t la, const void *buf, unsigned int len);
};

/* x86_emulate_mmio() results besides negative errors. */
#define X86_EMU_DONE   0 /* done: the caller advances RIP to x86_next_rip() */
#define X86_EMU_REPEAT 1 /* REP iterations remain: leave RIP, re-enter the guest */

/* Emulates the instruction i (decoded at regs->rip) that faulted on guest-physical
 * address gpa; fault_write says whether the faulting access was a write (bit 1
 * of the NPF error code in EXITINFO1, APM 2 15.25.6; bit 1 of the EPT-violation
 * exit qualification, SDM 3C). It matters only for MOVS, whose MMIO side it
 * selects: a read fault is the source, a write fault the destination.
 * regs holds the guest's GPRs, RFLAGS (DF and CF are inputs), RIP (for RIP-relative
 * operands) and, outside 64-bit mode, each segment's base and byte-granular limit
 * (the VMCB/VMCS guest segment fields; real mode: base = selector * 16); in 64-bit
 * mode only the FS and GS bases are used.
 * Updates regs (GPRs, RFLAGS) but never regs->rip.
 * Returns X86_EMU_DONE or X86_EMU_REPEAT, or:
 *   -ENOSYS  an instruction or operand form this emulator does not handle
 *   -EINVAL  a supported instruction that cannot have made this access: no
 *            memory operand (register form, AL/rAX immediate form), or a LOCK
 *            the hardware rejects
 *   -EFAULT  the operand the registers name is not the faulting one (page offset
 *            differs) or breaks the segment limit given in regs->seg
 *   other negative values: returned by ops; registers then reflect only the
 *            iterations completed (a device read may already have happened, as
 *            on hardware when MOVS from MMIO faults on its RAM destination) */
int x86_emulate_mmio(const struct x86_insn *i, struct x86_regs *regs, uint64_t gpa,
		     bool fault_write, const struct x86_mem_ops *ops, void *ctx);

#endif
