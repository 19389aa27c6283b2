/* MMIO instruction emulation (see emulate.h). */
#include "kernel/emulate.h"

#include "kernel/errno.h"

#define RFLAGS_CF    0x001
#define RFLAGS_PF    0x004
#define RFLAGS_AF    0x010
#define RFLAGS_ZF    0x040
#define RFLAGS_SF    0x080
#define RFLAGS_DF    0x400
#define RFLAGS_OF    0x800
#define RFLAGS_ARITH (RFLAGS_CF | RFLAGS_PF | RFLAGS_AF | RFLAGS_ZF | RFLAGS_SF | RFLAGS_OF)

#define EMU_PAGE 4096ull

/* ALU operations in opcode order (the /reg of group 1 and bits 5:3 of 00..3F). */
enum emu_alu { ALU_ADD, ALU_OR, ALU_ADC, ALU_SBB, ALU_AND, ALU_SUB, ALU_XOR, ALU_CMP, ALU_TEST };

struct emu {
	const struct x86_insn *i;
	struct x86_regs *r;
	uint64_t gpa;
	bool fault_write;
	const struct x86_mem_ops *ops;
	void *ctx;
};

static uint64_t emu_mask(unsigned int size)
{
	return size >= 8 ? ~0ull : (1ull << (8 * size)) - 1;
}

static uint64_t emu_sext(uint64_t v, unsigned int size)
{
	unsigned int sh = 64 - 8 * size;

	if (size >= 8)
		return v;
	return (uint64_t)((int64_t)(v << sh) >> sh);
}

/* Byte registers 4..7 are AH CH DH BH unless any REX prefix is present, then
 * SPL BPL SIL DIL (SDM 1 3.7.2.1). */
static bool emu_high_byte(const struct x86_insn *i, unsigned int reg, unsigned int size)
{
	return size == 1 && !i->rex && reg >= 4 && reg < 8;
}

static uint64_t emu_reg_get(const struct emu *e, unsigned int reg, unsigned int size)
{
	if (emu_high_byte(e->i, reg, size))
		return (e->r->gpr[reg - 4] >> 8) & 0xff;
	return e->r->gpr[reg & 15] & emu_mask(size);
}

/* 8- and 16-bit writes keep the rest of the register; 32-bit writes zero-extend
 * to 64 bits (SDM 1 3.4.1.1). */
static void emu_reg_set(struct emu *e, unsigned int reg, unsigned int size, uint64_t val)
{
	uint64_t *g;

	if (emu_high_byte(e->i, reg, size)) {
		g = &e->r->gpr[reg - 4];
		*g = (*g & ~0xff00ull) | ((val & 0xff) << 8);
		return;
	}
	g = &e->r->gpr[reg & 15];
	if (size >= 4)
		*g = val & emu_mask(size);
	else
		*g = (*g & ~emu_mask(size)) | (val & emu_mask(size));
}

static bool emu_parity_even(uint64_t v)
{
	v &= 0xff;
	v ^= v >> 4;
	v ^= v >> 2;
	v ^= v >> 1;
	return !(v & 1);
}

/* One ALU operation at the given size; sets the six arithmetic flags exactly. */
static uint64_t emu_alu(enum emu_alu op, unsigned int size, uint64_t a, uint64_t b,
			uint64_t *rflags)
{
	uint64_t m = emu_mask(size), sign = 1ull << (8 * size - 1);
	uint64_t cin = *rflags & RFLAGS_CF, res, vec, f = 0;
	bool arith = true;

	a &= m;
	b &= m;
	switch (op) {
	case ALU_ADD:
	case ALU_ADC:
		res = (a + b + (op == ALU_ADC ? cin : 0)) & m;
		vec = (a & b) | ((a ^ b) & ~res); /* carry out of each bit */
		if (vec & sign)
			f |= RFLAGS_CF;
		if ((a ^ res) & (b ^ res) & sign)
			f |= RFLAGS_OF;
		break;
	case ALU_SUB:
	case ALU_SBB:
	case ALU_CMP:
		res = (a - b - (op == ALU_SBB ? cin : 0)) & m;
		vec = (~a & b) | (~(a ^ b) & res); /* borrow out of each bit */
		if (vec & sign)
			f |= RFLAGS_CF;
		if ((a ^ b) & (a ^ res) & sign)
			f |= RFLAGS_OF;
		break;
	case ALU_OR:
		res = a | b;
		arith = false;
		break;
	case ALU_XOR:
		res = a ^ b;
		arith = false;
		break;
	default: /* AND, TEST */
		res = a & b;
		arith = false;
		break;
	}
	if (arith && ((a ^ b ^ res) & 0x10))
		f |= RFLAGS_AF; /* carry or borrow out of bit 3 */
	if (res == 0)
		f |= RFLAGS_ZF;
	if (res & sign)
		f |= RFLAGS_SF;
	if (emu_parity_even(res))
		f |= RFLAGS_PF;
	*rflags = (*rflags & ~(uint64_t)RFLAGS_ARITH) | f;
	return res;
}

static bool emu_long(const struct emu *e)
{
	return e->i->mode == X86_LONG64;
}

/* In 64-bit mode only FS and GS have a base (SDM 3 3.2.4). */
static uint64_t emu_linear(const struct emu *e, enum x86_seg seg, uint64_t off)
{
	uint64_t base = e->r->seg[seg].base;

	if (emu_long(e))
		return (seg == X86_SEG_FS || seg == X86_SEG_GS) ? base + off : off;
	return (base + off) & 0xffffffffull;
}

/* Segment-limit check of size bytes at off (SDM 3 5.3); none in 64-bit mode. */
static bool emu_seg_ok(const struct emu *e, enum x86_seg seg, uint64_t off, unsigned int size)
{
	const struct x86_segment *s = &e->r->seg[seg];
	uint64_t last = off + size - 1;

	if (emu_long(e))
		return true;
	if (s->flags & X86_SEGF_EXPDOWN) {
		uint64_t top = (s->flags & X86_SEGF_BIG) ? 0xffffffffull : 0xffffull;

		return off > s->limit && last <= top;
	}
	return last <= s->limit;
}

/* Matches the operand at seg:off with the fault: same page offset, one page. */
static int emu_locate(const struct emu *e, enum x86_seg seg, uint64_t off, unsigned int size,
		      uint64_t *la)
{
	if (!emu_seg_ok(e, seg, off, size))
		return -EFAULT;
	*la = emu_linear(e, seg, off);
	if ((*la & (EMU_PAGE - 1)) != (e->gpa & (EMU_PAGE - 1)))
		return -EFAULT;
	if ((*la & (EMU_PAGE - 1)) + size > EMU_PAGE)
		return -ENOSYS;
	return 0;
}

/* The ModRM/moffs operand, moved by byte_adj bytes (BT's bit string). */
static int emu_operand(const struct emu *e, unsigned int size, int64_t byte_adj)
{
	const struct x86_insn *i = e->i;
	uint64_t off, la;

	if (!i->has_mem)
		return -EINVAL;
	off = x86_effective_address(i, e->r, x86_next_rip(i, e->r->rip));
	off = (off + (uint64_t)byte_adj) & emu_mask(i->addrsize);
	return emu_locate(e, x86_insn_seg(i), off, size, &la);
}

static int emu_read(const struct emu *e, unsigned int size, uint64_t *val)
{
	int rc = e->ops->mmio_read(e->ctx, e->gpa, size, val);

	*val &= emu_mask(size);
	return rc;
}

static int emu_write(const struct emu *e, unsigned int size, uint64_t val)
{
	return e->ops->mmio_write(e->ctx, e->gpa, size, val & emu_mask(size));
}

/* ALU op between memory and a register or an immediate. mem_dst: the memory
 * operand is the destination (else the register reg is). */
static int emu_alu_mem(struct emu *e, enum emu_alu op, unsigned int size, bool mem_dst,
		       bool use_imm)
{
	const struct x86_insn *i = e->i;
	uint64_t mem, other, res;
	int rc;

	if ((rc = emu_operand(e, size, 0)) || (rc = emu_read(e, size, &mem)))
		return rc;
	other = use_imm ? i->imm : emu_reg_get(e, i->reg, size);
	if (mem_dst) {
		uint64_t flags = e->r->rflags;

		res = emu_alu(op, size, mem, other, &flags);
		if (op != ALU_CMP && op != ALU_TEST && (rc = emu_write(e, size, res)))
			return rc;
		e->r->rflags = flags;
	} else {
		res = emu_alu(op, size, other, mem, &e->r->rflags);
		if (op != ALU_CMP)
			emu_reg_set(e, i->reg, size, res);
	}
	return 0;
}

static int emu_load(struct emu *e, unsigned int src_size, unsigned int dst_size, bool sx,
		    unsigned int reg)
{
	uint64_t v;
	int rc;

	if ((rc = emu_operand(e, src_size, 0)) || (rc = emu_read(e, src_size, &v)))
		return rc;
	emu_reg_set(e, reg, dst_size, sx ? emu_sext(v, src_size) : v);
	return 0;
}

static int emu_store(struct emu *e, unsigned int size, uint64_t val)
{
	int rc = emu_operand(e, size, 0);

	return rc ? rc : emu_write(e, size, val);
}

static int emu_xchg(struct emu *e, unsigned int size)
{
	uint64_t old;
	int rc;

	if ((rc = emu_operand(e, size, 0)) || (rc = emu_read(e, size, &old)))
		return rc;
	if ((rc = emu_write(e, size, emu_reg_get(e, e->i->reg, size))))
		return rc;
	emu_reg_set(e, e->i->reg, size, old);
	return 0;
}

/* BT (0), BTS (1), BTR (2), BTC (3). A register bit offset is signed and selects
 * the operand-sized word at EA + size * (offset SAR log2(bits)) (SDM 2 BT). */
static int emu_bt(struct emu *e, unsigned int kind, bool imm)
{
	const struct x86_insn *i = e->i;
	unsigned int size = i->opsize, bits = 8 * size, shift = size == 2 ? 4 : size == 4 ? 5 : 6;
	int64_t adj = 0;
	uint64_t v, bit;
	int rc;

	if (imm) {
		bit = i->imm & (bits - 1);
	} else {
		int64_t off = (int64_t)emu_sext(emu_reg_get(e, i->reg, size), size);

		bit = (uint64_t)off & (bits - 1);
		adj = (off >> shift) * (int64_t)size;
	}
	if ((rc = emu_operand(e, size, adj)) || (rc = emu_read(e, size, &v)))
		return rc;
	if (kind) {
		uint64_t nv = v ^ (1ull << bit); /* BTC */

		if (kind == 1)
			nv = v | (1ull << bit); /* BTS */
		else if (kind == 2)
			nv = v & ~(1ull << bit); /* BTR */
		if ((rc = emu_write(e, size, nv)))
			return rc;
	}
	e->r->rflags = (e->r->rflags & ~(uint64_t)RFLAGS_CF) | ((v >> bit) & 1);
	return 0;
}

/* Adds delta to an address-size register: 16-bit keeps bits 63:16, 32-bit
 * clears 63:32 (a 32-bit register write). */
static void emu_addr_reg_add(struct x86_regs *r, unsigned int reg, unsigned int asz, int64_t delta)
{
	uint64_t v = r->gpr[reg] + (uint64_t)delta;

	if (asz == 2)
		r->gpr[reg] = (r->gpr[reg] & ~0xffffull) | (v & 0xffff);
	else if (asz == 4)
		r->gpr[reg] = v & 0xffffffffull;
	else
		r->gpr[reg] = v;
}

/* STOS (movs = false) or MOVS; see emulate.h for the REP policy. */
static int emu_string(struct emu *e, bool movs, unsigned int size)
{
	const struct x86_insn *i = e->i;
	struct x86_regs *r = e->r;
	unsigned int asz = i->addrsize;
	uint64_t amask = emu_mask(asz), la0 = 0, la, other_la;
	int64_t delta = (r->rflags & RFLAGS_DF) ? -(int64_t)size : (int64_t)size;
	enum x86_seg src_seg = i->seg == X86_SEG_NONE ? X86_SEG_DS : (enum x86_seg)i->seg;
	bool rep = i->rep == 0xf3, mmio_is_dst = !movs || e->fault_write;
	enum x86_seg mseg = mmio_is_dst ? X86_SEG_ES : src_seg;
	enum x86_seg oseg = mmio_is_dst ? src_seg : X86_SEG_ES;
	unsigned int mreg = mmio_is_dst ? X86_RDI : X86_RSI;
	unsigned int oreg = mmio_is_dst ? X86_RSI : X86_RDI;
	uint64_t val;
	int rc;

	if (i->rep == 0xf2)
		return -ENOSYS; /* REPNE on MOVS/STOS: not architecturally defined */
	if (rep && (r->gpr[X86_RCX] & amask) == 0)
		return X86_EMU_DONE; /* zero iterations; cannot really have faulted */

	for (uint64_t k = 0;; k++) {
		uint64_t moff = r->gpr[mreg] & amask, ooff = r->gpr[oreg] & amask;
		uint64_t gpa;

		if (k == 0) {
			if ((rc = emu_locate(e, mseg, moff, size, &la0)))
				return rc;
			la = la0;
		} else {
			/* Later iterations: only while contiguous in the same page
			 * and within the segment; otherwise let the guest re-execute. */
			la = emu_linear(e, mseg, moff);
			if (!emu_seg_ok(e, mseg, moff, size) ||
			    la != la0 + (uint64_t)((int64_t)k * delta) ||
			    (la & ~(EMU_PAGE - 1)) != (la0 & ~(EMU_PAGE - 1)) ||
			    (la & (EMU_PAGE - 1)) + size > EMU_PAGE)
				return X86_EMU_REPEAT;
		}
		gpa = e->gpa + (la - la0);

		if (!movs) {
			rc = e->ops->mmio_write(e->ctx, gpa, size,
						r->gpr[X86_RAX] & emu_mask(size));
		} else {
			if (!emu_seg_ok(e, oseg, ooff, size))
				return k ? X86_EMU_REPEAT : -EFAULT;
			other_la = emu_linear(e, oseg, ooff);
			val = 0;
			if (mmio_is_dst) {
				rc = e->ops->mem_read(e->ctx, other_la, &val, size);
				if (rc)
					return k ? X86_EMU_REPEAT : rc;
				rc = e->ops->mmio_write(e->ctx, gpa, size, val & emu_mask(size));
			} else {
				rc = e->ops->mmio_read(e->ctx, gpa, size, &val);
				if (!rc) {
					rc = e->ops->mem_write(e->ctx, other_la, &val, size);
					if (rc && k)
						return X86_EMU_REPEAT;
				}
			}
		}
		if (rc)
			return rc;

		emu_addr_reg_add(r, X86_RDI, asz, delta);
		if (movs)
			emu_addr_reg_add(r, X86_RSI, asz, delta);
		if (!rep)
			return X86_EMU_DONE;
		emu_addr_reg_add(r, X86_RCX, asz, -1);
		if ((r->gpr[X86_RCX] & amask) == 0)
			return X86_EMU_DONE;
	}
}

static int emu_primary(struct emu *e)
{
	const struct x86_insn *i = e->i;
	uint8_t op = i->opcode;
	unsigned int osz = i->opsize, reg = i->reg & 7;

	if (op < 0x40 && (op & 7) < 4) /* ADD..CMP Eb,Gb Ev,Gv Gb,Eb Gv,Ev */
		return emu_alu_mem(e, (enum emu_alu)(op >> 3), (op & 1) ? osz : 1, !(op & 2),
				   false);
	if (op < 0x40 && (op & 7) < 6) /* AL/rAX, imm: no memory operand */
		return -EINVAL;
	switch (op) {
	case 0x63: /* MOVSXD, 64-bit mode only (else ARPL) */
		if (i->mode != X86_LONG64)
			return -ENOSYS;
		if (osz == 8)
			return emu_load(e, 4, 8, true, i->reg);
		return emu_load(e, osz, osz, false, i->reg);
	case 0x80:
	case 0x82: return emu_alu_mem(e, (enum emu_alu)reg, 1, true, true);
	case 0x81:
	case 0x83: return emu_alu_mem(e, (enum emu_alu)reg, osz, true, true);
	case 0x84:
	case 0x85: return emu_alu_mem(e, ALU_TEST, op == 0x84 ? 1 : osz, true, false);
	case 0x86:
	case 0x87: return emu_xchg(e, op == 0x86 ? 1 : osz);
	case 0x88:
	case 0x89:
		return emu_store(e, op == 0x88 ? 1 : osz,
				 emu_reg_get(e, i->reg, op == 0x88 ? 1 : osz));
	case 0x8a:
	case 0x8b: return emu_load(e, op == 0x8a ? 1 : osz, op == 0x8a ? 1 : osz, false, i->reg);
	case 0xa0:
	case 0xa1: return emu_load(e, op == 0xa0 ? 1 : osz, op == 0xa0 ? 1 : osz, false, X86_RAX);
	case 0xa2:
	case 0xa3:
		return emu_store(e, op == 0xa2 ? 1 : osz,
				 emu_reg_get(e, X86_RAX, op == 0xa2 ? 1 : osz));
	case 0xa4:
	case 0xa5: return emu_string(e, true, op == 0xa4 ? 1 : osz);
	case 0xaa:
	case 0xab: return emu_string(e, false, op == 0xaa ? 1 : osz);
	case 0xc6:
	case 0xc7:
		if (reg != 0)
			return -ENOSYS; /* XABORT, XBEGIN */
		return emu_store(e, op == 0xc6 ? 1 : osz, i->imm);
	case 0xf6:
	case 0xf7:
		if (reg > 1)
			return -ENOSYS; /* NOT NEG MUL IMUL DIV IDIV */
		return emu_alu_mem(e, ALU_TEST, op == 0xf6 ? 1 : osz, true, true);
	}
	return -ENOSYS;
}

static int emu_0f(struct emu *e)
{
	const struct x86_insn *i = e->i;

	switch (i->opcode) {
	case 0xb6: /* MOVZX Gv, Eb / Ew */
	case 0xb7: return emu_load(e, i->opcode == 0xb6 ? 1 : 2, i->opsize, false, i->reg);
	case 0xbe: /* MOVSX */
	case 0xbf: return emu_load(e, i->opcode == 0xbe ? 1 : 2, i->opsize, true, i->reg);
	case 0xa3: return emu_bt(e, 0, false);
	case 0xab: return emu_bt(e, 1, false);
	case 0xb3: return emu_bt(e, 2, false);
	case 0xbb: return emu_bt(e, 3, false);
	case 0xba: /* group 8: /4 BT, /5 BTS, /6 BTR, /7 BTC */
		if ((i->reg & 7) < 4)
			return -EINVAL;
		return emu_bt(e, (i->reg & 7) - 4, true);
	}
	return -ENOSYS;
}

int x86_emulate_mmio(const struct x86_insn *i, struct x86_regs *regs, uint64_t gpa,
		     bool fault_write, const struct x86_mem_ops *ops, void *ctx)
{
	struct emu e = {i, regs, gpa, fault_write, ops, ctx};

	if (i->len == 0 || i->len > X86_INSN_MAX || i->mode > X86_LONG64)
		return -EINVAL;
	if (i->encoding != X86_ENC_LEGACY)
		return -ENOSYS; /* VEX/EVEX/XOP: vector accesses are not emulated */
	if (i->lock && !x86_insn_lockable(i))
		return -EINVAL;
	if (i->map == X86_MAP_PRIMARY)
		return emu_primary(&e);
	if (i->map == X86_MAP_0F)
		return emu_0f(&e);
	return -ENOSYS;
}
