/* x86 instruction decoder: the length and the operands of one instruction.
 *
 * Pure logic (no hardware access), so it compiles on the host and is fuzzed there.
 * It exists because QEMU TCG never saves next-RIP on SVM exits and because MMIO
 * emulation after a nested-page fault must know the operands of the access.
 *
 * Every x86-64 encoding a guest can execute gets its exact length: legacy prefixes,
 * REX, the one-byte, 0F, 0F38 and 0F3A maps, 3DNow! (0F 0F), VEX (C4/C5), EVEX (62)
 * and AMD XOP (8F), ModRM/SIB/displacement in 16-, 32- and 64-bit addressing, and
 * all immediate kinds (checked against GNU objdump, see tests/unit/test_decode.c).
 *
 * -EINVAL: an opcode of the one-byte or 0F map undefined in this mode, an undefined
 * member of groups 4, 5, 8 and 11 or of 8F, a register form where only memory is
 * allowed (LEA, LES/LDS/BOUND, LSS/LFS/LGS, far CALL/JMP), LOCK on anything but a
 * lockable read-modify-write, 66/F2/F3/F0/REX before VEX/EVEX/XOP, a reserved VEX,
 * EVEX or XOP map, or more than 15 bytes (SDM 2 2.1: #GP).
 * Not checked one by one, because the hardware's answer is #UD, which never
 * advances RIP, and their length follows from the format alone: the opcodes of the
 * VEX, EVEX, XOP, 0F38 and 0F3A maps (all have ModRM; the imm8 depends on the map
 * and on a few 0F opcodes), SIMD opcodes with a SIMD prefix they do not define, and
 * reserved members of the x87, system and SIMD groups (0F 00, 0F 01, 0F 71..73,
 * 0F AE, 0F C7, D8..DF): those decode to the length their encoding implies.
 */
#ifndef KERNEL_X86_DECODE_H
#define KERNEL_X86_DECODE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "kernel/errno.h"

/* "Fetch more bytes": Linux's value. kernel/errno.h does not list it yet. */
#ifndef EAGAIN
#define EAGAIN 11
#endif

/* The execution mode that decides default operand and address sizes. A
 * compatibility-mode code segment is X86_PROT16 or X86_PROT32 by its D bit;
 * virtual-8086 mode decodes as X86_REAL. */
enum x86_mode {
	X86_REAL,   /* real or virtual-8086 mode: 16-bit defaults, no VEX/EVEX */
	X86_PROT16, /* protected or compatibility mode, CS.D = 0 */
	X86_PROT32, /* protected or compatibility mode, CS.D = 1 */
	X86_LONG64, /* 64-bit mode: EFER.LMA = 1 and CS.L = 1 */
};

/* x86_decode() flags. X86_DECODE_AMD: AMD rules, where in 64-bit mode a 66 prefix
 * makes near branches (E8, E9, 0F 80..8F) take a rel16 (APM 3 3.7.9, table 3-9);
 * Intel ignores the 66 there. */
#define X86_DECODE_AMD 0x1

#define X86_INSN_MAX 15 /* SDM 2 2.1: longer is #GP (or #UD) */

/* Segment registers in hardware (Sreg) order. */
enum x86_seg {
	X86_SEG_ES,
	X86_SEG_CS,
	X86_SEG_SS,
	X86_SEG_DS,
	X86_SEG_FS,
	X86_SEG_GS,
	X86_SEG_COUNT,
	X86_SEG_NONE = 0xff, /* no segment-override prefix */
};

/* General registers in hardware order (ModRM/REX numbering). */
enum x86_gpr {
	X86_RAX,
	X86_RCX,
	X86_RDX,
	X86_RBX,
	X86_RSP,
	X86_RBP,
	X86_RSI,
	X86_RDI,
	X86_R8,
	X86_R9,
	X86_R10,
	X86_R11,
	X86_R12,
	X86_R13,
	X86_R14,
	X86_R15,
	X86_GPR_COUNT,
	X86_REG_NONE = 0xff, /* no base or no index register */
};

/* Opcode maps. */
enum x86_map {
	X86_MAP_PRIMARY,   /* one-byte opcodes */
	X86_MAP_0F,	   /* 0F xx (and 3DNow!: 0F 0F with the opcode in imm) */
	X86_MAP_0F38,	   /* 0F 38 xx */
	X86_MAP_0F3A,	   /* 0F 3A xx */
	X86_MAP_EVEX5 = 5, /* EVEX maps 5 and 6 (AVX512-FP16) */
	X86_MAP_EVEX6 = 6,
	X86_MAP_XOP8 = 8, /* AMD XOP maps 8, 9, 0Ah */
	X86_MAP_XOP9 = 9,
	X86_MAP_XOPA = 10,
};

/* How the opcode was reached. */
enum x86_encoding {
	X86_ENC_LEGACY,
	X86_ENC_VEX2, /* C5 */
	X86_ENC_VEX3, /* C4 */
	X86_ENC_EVEX, /* 62 */
	X86_ENC_XOP,  /* 8F */
};

struct x86_insn {
	uint8_t len;		     /* total length in bytes, 1..15 */
	uint8_t bytes[X86_INSN_MAX]; /* the first min(avail, 15) bytes given, even
				      * on failure, so a stop message can show them */
	uint8_t nbytes;		     /* how many of bytes[] are valid */
	uint8_t mode;		     /* enum x86_mode */

	/* Prefixes. */
	uint8_t seg;	      /* enum x86_seg: the last segment override, or X86_SEG_NONE */
	uint8_t rep;	      /* 0, 0xF2 or 0xF3: the last of those prefixes */
	bool lock;	      /* F0 */
	bool opsize_prefix;   /* 66 */
	bool addrsize_prefix; /* 67 */
	uint8_t rex;	      /* the REX byte in force (0x40..0x4F), 0 if none; a REX that
			       * is not last before the opcode is ignored (SDM 2 2.2.1) */
	bool rex_w, rex_r, rex_x, rex_b; /* from REX, or from VEX/EVEX/XOP */

	/* Sizes in bytes. */
	uint8_t opsize;	  /* 2, 4 or 8 (1-byte opcodes' byte size is implicit) */
	uint8_t addrsize; /* 2, 4 or 8 */

	/* Opcode. */
	uint8_t encoding; /* enum x86_encoding */
	uint8_t map;	  /* enum x86_map */
	uint8_t opcode;	  /* the last opcode byte (for 3DNow! 0F, suffix in imm) */
	uint8_t vex_l;	  /* VEX.L / EVEX.L'L */
	uint8_t vex_pp;	  /* implied SIMD prefix: 0 none, 1 66, 2 F3, 3 F2 */
	uint8_t vex_vvvv; /* un-inverted register specifier */

	/* ModRM and memory operand. reg and rm include REX.R and REX.B. */
	bool has_modrm;
	uint8_t modrm;
	uint8_t mod, reg, rm; /* mod is 3 for MOV CR/DR, whose mod is ignored */
	bool has_sib;
	uint8_t sib;
	/* Decoded memory operand (mod != 3, and moffs A0..A3): base and index
	 * register numbers or X86_REG_NONE, scale 1/2/4/8. 16-bit forms are
	 * expressed the same way ([bp+si] = base RBP, index RSI, scale 1). */
	bool has_mem;
	bool rip_relative;
	uint8_t base, index, scale;
	uint8_t disp_size; /* 0, 1, 2, 4 or 8 (moffs) */
	int64_t disp;	   /* sign-extended; moffs zero-extended */

	/* Immediates. imm is sign-extended where the instruction sign-extends
	 * it (ALU, MOV, PUSH, IMUL, relative branches), zero-extended otherwise
	 * (ports, INT n, shift counts, ENTER/RET sizes, SSE and bit selectors).
	 * imm2 is ENTER's level, a far pointer's selector, or EXTRQ/INSERTQ's
	 * second byte. */
	uint8_t imm_size, imm2_size;
	uint64_t imm, imm2;
};

/* Decodes the instruction at code[0..avail). Returns 0 and fills *out; -EINVAL
 * for an invalid or undefined encoding in this mode, or one longer than 15
 * bytes; -EAGAIN when avail bytes end before the instruction does (fetch more:
 * the instruction may cross a page). Reads no byte at or past code[avail] and
 * none past code[14]. */
int x86_decode(const uint8_t *code, size_t avail, enum x86_mode mode, unsigned int flags,
	       struct x86_insn *out);

/* Whether LOCK is allowed on this instruction: read-modify-write forms with a
 * memory destination (SDM 2 LOCK) and AMD's LOCK MOV CR0 (MOV CR8). x86_decode()
 * rejects any other LOCK as #UD. */
bool x86_insn_lockable(const struct x86_insn *i);

/* The mode from the CPU state that selects it (SDM 3 2.2, APM 2 1.2). */
enum x86_mode x86_mode_of(bool cr0_pe, bool rflags_vm, bool efer_lma, bool cs_l, bool cs_db);

/* Guest registers as the emulator sees them. seg[] holds the hidden part of the
 * segment registers (base, byte-granular limit, expand-down and B flags); the
 * decoder's helpers ignore it. */
#define X86_SEGF_EXPDOWN 0x1 /* data segment, expand-down */
#define X86_SEGF_BIG	 0x2 /* D/B = 1: an expand-down segment ends at 4 GiB - 1 */
struct x86_segment {
	uint64_t base;
	uint32_t limit;
	uint32_t flags;
};

struct x86_regs {
	uint64_t gpr[X86_GPR_COUNT]; /* rax rcx rdx rbx rsp rbp rsi rdi r8..r15 */
	uint64_t rip, rflags;
	struct x86_segment seg[X86_SEG_COUNT];
};

/* The address following the instruction at rip: 32-bit wrap outside 64-bit mode. */
uint64_t x86_next_rip(const struct x86_insn *i, uint64_t rip);

/* The offset (effective address, before the segment base) of the ModRM or moffs
 * memory operand, wrapped to the address size. next_rip is the address after
 * the instruction (x86_next_rip), the base of RIP-relative operands. Returns 0 if
 * the instruction has no such operand (check has_mem). */
uint64_t x86_effective_address(const struct x86_insn *i, const struct x86_regs *regs,
			       uint64_t next_rip);

/* The segment of the ModRM or moffs memory operand: the override, else SS for a
 * base of rSP or rBP, else DS (SDM 1 3.7.4). */
enum x86_seg x86_insn_seg(const struct x86_insn *i);

#endif
