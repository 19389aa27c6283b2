/* x86 instruction decoder (see x86_decode.h). Table-driven: the one-byte and the
 * 0F opcode maps are tables of attribute flags (SDM 2 appendix A, APM 3 appendix A);
 * the few opcodes whose length or validity depends on a prefix or on ModRM.reg are
 * settled in code after the table lookup. */
#include "kernel/x86_decode.h"

#include "kernel/errno.h"
#include "kernel/kstring.h"

/* Immediate kinds (low 4 bits of an attribute). */
enum {
	I_NONE,
	I_B,	 /* 1 byte */
	I_W,	 /* 2 bytes */
	I_Z,	 /* 2 bytes with 16-bit operand size, else 4 */
	I_V,	 /* operand size: 2, 4 or 8 (MOV r, imm64 with REX.W) */
	I_AP,	 /* far pointer: offset (2 or 4 by operand size) + selector */
	I_WB,	 /* ENTER: 2 + 1 */
	I_MOFFS, /* memory offset, address size wide (A0..A3) */
	I_JZ,	 /* near branch rel16/rel32 */
	I_D,	 /* 4 bytes (XOP map 0Ah) */
	I_BB,	 /* two 1-byte immediates (SSE4a EXTRQ/INSERTQ) */
};

#define A_IMM	  0x000f
#define A_M	  0x0010 /* a ModRM byte follows the opcode */
#define A_I64	  0x0020 /* invalid in 64-bit mode */
#define A_INV	  0x0040 /* invalid (or a prefix, handled before the table) */
#define A_D64	  0x0080 /* 64-bit mode: operand size defaults to 64 */
#define A_F64	  0x0100 /* 64-bit mode: operand size forced to 64 (near branch) */
#define A_SX	  0x0200 /* the immediate is sign-extended */
#define A_REGMOD  0x0400 /* ModRM.mod is ignored and taken as 11 (MOV CR/DR) */
#define A_SPECIAL 0x0800 /* settled in code: escape, prefix-dependent or group */
#define A_NR	  0x1000 /* invalid in real and virtual-8086 mode */
#define A_MEMONLY 0x2000 /* ModRM.mod = 11 is #UD */

/* Short names for the tables only. */
/* clang-format off */
#define M   A_M
#define IB  I_B
#define IW  I_W
#define IZ  I_Z
#define SX  A_SX
#define INV A_INV
#define I64 A_I64
#define D64 A_D64
#define F64 A_F64
#define SPC A_SPECIAL
#define PFX A_INV /* a legacy prefix: consumed before any table lookup */
#define ALU M, M, M, M, IB | SX, IZ | SX

/* One-byte opcode map, SDM 2 table A-2. */
static const uint16_t x86_map_primary[] = {
	/* 00 */ ALU, I64, I64, ALU, I64, SPC,
	/* 10 */ ALU, I64, I64, ALU, I64, I64,
	/* 20 */ ALU, PFX, I64, ALU, PFX, I64,
	/* 30 */ ALU, PFX, I64, ALU, PFX, I64,
	/* 40 INC/DEC (REX in 64-bit mode, handled as a prefix) */
	0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0,
	/* 50 PUSH/POP */
	D64, D64, D64, D64, D64, D64, D64, D64, D64, D64, D64, D64, D64, D64, D64, D64,
	/* 60 */ I64, I64, SPC | M | A_MEMONLY | I64, M | A_NR, PFX, PFX, PFX, PFX,
	/* 68 */ IZ | SX | D64, M | IZ | SX, IB | SX | D64, M | IB | SX, 0, 0, 0, 0,
	/* 70 Jcc rel8 */
	IB | SX | F64, IB | SX | F64, IB | SX | F64, IB | SX | F64,
	IB | SX | F64, IB | SX | F64, IB | SX | F64, IB | SX | F64,
	IB | SX | F64, IB | SX | F64, IB | SX | F64, IB | SX | F64,
	IB | SX | F64, IB | SX | F64, IB | SX | F64, IB | SX | F64,
	/* 80 */ M | IB | SX, M | IZ | SX, M | IB | SX | I64, M | IB | SX, M, M, M, M,
	/* 88 */ M, M, M, M, M, M | A_MEMONLY, M, SPC | M | D64,
	/* 90 */ 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, I_AP | I64, 0, D64, D64, 0, 0,
	/* A0 */ I_MOFFS, I_MOFFS, I_MOFFS, I_MOFFS, 0, 0, 0, 0, IB | SX, IZ | SX, 0, 0, 0, 0, 0, 0,
	/* B0 MOV r8, ib; MOV r, iv */
	IB | SX, IB | SX, IB | SX, IB | SX, IB | SX, IB | SX, IB | SX, IB | SX,
	I_V | SX, I_V | SX, I_V | SX, I_V | SX, I_V | SX, I_V | SX, I_V | SX, I_V | SX,
	/* C0 */ M | IB, M | IB, IW | F64, F64, SPC | M | A_MEMONLY, SPC | M | A_MEMONLY,
	/* C6 */ SPC | M | IB | SX, SPC | M | IZ | SX,
	/* C8 */ I_WB | D64, D64, IW, 0, 0, IB, I64, 0,
	/* D0 */ M, M, M, M, IB | I64, IB | I64, I64, 0, M, M, M, M, M, M, M, M,
	/* E0 */ IB | SX | F64, IB | SX | F64, IB | SX | F64, IB | SX | F64, IB, IB, IB, IB,
	/* E8 */ I_JZ | SX | F64, I_JZ | SX | F64, I_AP | I64, IB | SX | F64, 0, 0, 0, 0,
	/* F0 */ PFX, 0, PFX, PFX, 0, 0, SPC | M, SPC | M,
	/* F8 */ 0, 0, 0, 0, 0, 0, SPC | M, SPC | M,
};

/* Two-byte (0F) opcode map, SDM 2 table A-3 (3DNow!, SSE4a: APM 3 appendix A). */
static const uint16_t x86_map_0f[] = {
	/* 00 */ M | A_NR, M, M | A_NR, M | A_NR, INV, 0, 0, 0,
	/* 08 */ 0, 0, INV, 0 /* UD2 */, INV, M, 0 /* FEMMS */, M | IB /* 3DNow! */,
	/* 10 */ M, M, M, M, M, M, M, M, M, M, M, M, M, M, M, M,
	/* 20 MOV CR/DR; 24..27 MOV TR were 486-only */
	M | A_REGMOD, M | A_REGMOD, M | A_REGMOD, M | A_REGMOD, INV, INV, INV, INV,
	/* 28 */ M, M, M, M, M, M, M, M,
	/* 30 */ 0, 0, 0, 0, 0, 0, INV, 0, SPC, INV, SPC, INV, INV, INV, INV, INV,
	/* 40 CMOVcc */
	M, M, M, M, M, M, M, M, M, M, M, M, M, M, M, M,
	/* 50 */ M, M, M, M, M, M, M, M, M, M, M, M, M, M, M, M,
	/* 60 */ M, M, M, M, M, M, M, M, M, M, M, M, M, M, M, M,
	/* 70 */ M | IB, M | IB, M | IB, M | IB, M, M, M, 0 /* EMMS */,
	/* 78 */ SPC | M, M, INV, INV, M, M, M, M,
	/* 80 Jcc rel16/32 */
	I_JZ | SX | F64, I_JZ | SX | F64, I_JZ | SX | F64, I_JZ | SX | F64,
	I_JZ | SX | F64, I_JZ | SX | F64, I_JZ | SX | F64, I_JZ | SX | F64,
	I_JZ | SX | F64, I_JZ | SX | F64, I_JZ | SX | F64, I_JZ | SX | F64,
	I_JZ | SX | F64, I_JZ | SX | F64, I_JZ | SX | F64, I_JZ | SX | F64,
	/* 90 SETcc */
	M, M, M, M, M, M, M, M, M, M, M, M, M, M, M, M,
	/* A0 */ D64, D64, 0, M, M | IB, M, INV, INV, D64, D64, 0, M, M | IB, M, M, M,
	/* B0 */ M, M, M | A_MEMONLY, M, M | A_MEMONLY, M | A_MEMONLY, M, M,
	/* B8 */ SPC | M, M /* UD1 */, SPC | M | IB, M, M, M, M, M,
	/* C0 */ M, M, M | IB, M, M | IB, M | IB, M | IB, M, 0, 0, 0, 0, 0, 0, 0, 0,
	/* D0 */ M, M, M, M, M, M, M, M, M, M, M, M, M, M, M, M,
	/* E0 */ M, M, M, M, M, M, M, M, M, M, M, M, M, M, M, M,
	/* F0 */ M, M, M, M, M, M, M, M, M, M, M, M, M, M, M, M /* UD0 */,
};

_Static_assert(sizeof(x86_map_primary) == 256 * sizeof(uint16_t), "one-byte map size");
_Static_assert(sizeof(x86_map_0f) == 256 * sizeof(uint16_t), "0F map size");

#undef M
#undef IB
#undef IW
#undef IZ
#undef SX
#undef INV
#undef I64
#undef D64
#undef F64
#undef SPC
#undef PFX
#undef ALU
/* clang-format on */

struct x86_dec {
	const uint8_t *code;
	size_t avail;
	unsigned int pos;
	enum x86_mode mode;
	unsigned int flags;
	struct x86_insn *i;
};

/* Whether n more bytes may be read: never past 15 (SDM 2 2.1: #GP), never past
 * what the caller has. */
static int x86_need(const struct x86_dec *d, unsigned int n)
{
	if (d->pos + n > X86_INSN_MAX)
		return -EINVAL;
	if (d->pos + n > d->avail)
		return -EAGAIN;
	return 0;
}

static int x86_fetch(struct x86_dec *d, unsigned int n, uint64_t *val)
{
	uint64_t v = 0;
	int rc = x86_need(d, n);

	if (rc)
		return rc;
	for (unsigned int k = 0; k < n; k++)
		v |= (uint64_t)d->code[d->pos + k] << (8 * k);
	d->pos += n;
	*val = v;
	return 0;
}

static int x86_fetch8(struct x86_dec *d, uint8_t *b)
{
	uint64_t v;
	int rc = x86_fetch(d, 1, &v);

	*b = (uint8_t)v;
	return rc;
}

/* The next byte without consuming it. */
static int x86_peek(const struct x86_dec *d, uint8_t *b)
{
	int rc = x86_need(d, 1);

	if (!rc)
		*b = d->code[d->pos];
	return rc;
}

static uint64_t x86_sext(uint64_t v, unsigned int bytes)
{
	unsigned int sh;

	if (bytes == 0 || bytes >= 8)
		return v;
	sh = 64 - 8 * bytes;
	return (uint64_t)((int64_t)(v << sh) >> sh);
}

/* Legacy prefixes in any order, then an optional REX (64-bit mode). A REX that
 * is followed by another prefix is ignored (SDM 2 2.2.1), hence the reset. */
static int x86_prefixes(struct x86_dec *d)
{
	struct x86_insn *i = d->i;

	for (;;) {
		uint8_t b;
		int rc = x86_peek(d, &b);

		if (rc)
			return rc;
		switch (b) {
		case 0x26: i->seg = X86_SEG_ES; break;
		case 0x2e: i->seg = X86_SEG_CS; break;
		case 0x36: i->seg = X86_SEG_SS; break;
		case 0x3e: i->seg = X86_SEG_DS; break;
		case 0x64: i->seg = X86_SEG_FS; break;
		case 0x65: i->seg = X86_SEG_GS; break;
		case 0x66: i->opsize_prefix = true; break;
		case 0x67: i->addrsize_prefix = true; break;
		case 0xf0: i->lock = true; break;
		case 0xf2:
		case 0xf3: i->rep = b; break;
		default:
			if (d->mode == X86_LONG64 && (b & 0xf0) == 0x40) {
				i->rex = b;
				d->pos++;
				continue;
			}
			return 0;
		}
		i->rex = 0;
		d->pos++;
	}
}

static bool x86_is_prot(enum x86_mode mode)
{
	return mode == X86_PROT16 || mode == X86_PROT32;
}

/* VEX, EVEX and XOP forbid 66, F2, F3, F0 and REX before them (SDM 2 2.3.2). */
static int x86_vex_prefix_check(const struct x86_insn *i)
{
	if (i->opsize_prefix || i->rep || i->lock || i->rex)
		return -EINVAL;
	return 0;
}

/* Register-extension bits of VEX/EVEX/XOP are stored inverted; they only exist in
 * 64-bit mode (in 32-bit mode R and X are 1 by construction, B is ignored). */
static void x86_vex_rxb(struct x86_dec *d, uint8_t byte1, bool has_xb)
{
	struct x86_insn *i = d->i;

	if (d->mode != X86_LONG64)
		return;
	i->rex_r = !(byte1 & 0x80);
	if (has_xb) {
		i->rex_x = !(byte1 & 0x40);
		i->rex_b = !(byte1 & 0x20);
	}
}

/* The byte VEX (last payload byte) and XOP share: W.vvvv.L.pp, then the opcode. */
static int x86_vex_tail(struct x86_dec *d, struct x86_insn *i, uint8_t b, uint8_t *op)
{
	i->vex_vvvv = (~b >> 3) & 0xf;
	i->vex_l = (b >> 2) & 1;
	i->vex_pp = b & 3;
	int rc = x86_fetch8(d, op);
	if (!rc)
		i->opcode = *op;
	return rc;
}

/* C5 (2-byte VEX) or C4 (3-byte VEX), SDM 2 2.3.5. */
static int x86_vex(struct x86_dec *d, uint8_t esc, uint16_t *attr)
{
	struct x86_insn *i = d->i;
	uint8_t b1, b2, op;
	int rc = x86_vex_prefix_check(i);

	if (rc)
		return rc;
	if ((rc = x86_fetch8(d, &b1)))
		return rc;
	if (esc == 0xc5) {
		i->encoding = X86_ENC_VEX2;
		i->map = X86_MAP_0F;
		x86_vex_rxb(d, b1, false);
		b2 = b1;
	} else {
		i->encoding = X86_ENC_VEX3;
		i->map = b1 & 0x1f;
		if (i->map < X86_MAP_0F || i->map > X86_MAP_0F3A)
			return -EINVAL;
		x86_vex_rxb(d, b1, true);
		if ((rc = x86_fetch8(d, &b2)))
			return rc;
		if (d->mode == X86_LONG64)
			i->rex_w = b2 >> 7;
	}
	if ((rc = x86_vex_tail(d, i, b2, &op)))
		return rc;
	/* Every VEX opcode has ModRM but VZEROUPPER/VZEROALL; the imm8 ones are the
	 * legacy 0F opcodes with imm8 and all of 0F3A. */
	if (i->map == X86_MAP_0F3A)
		*attr = A_M | I_B;
	else if (i->map == X86_MAP_0F && op == 0x77)
		*attr = 0;
	else if (i->map == X86_MAP_0F &&
		 ((op >= 0x70 && op <= 0x73) || op == 0xc2 || (op >= 0xc4 && op <= 0xc6)))
		*attr = A_M | I_B;
	else
		*attr = A_M;
	return 0;
}

/* 62 (EVEX), SDM 2 2.7.1: P0 = R X B R' 0 m m m, P1 = W vvvv 1 pp, P2 = z L'L b V' aaa. */
static int x86_evex(struct x86_dec *d, uint16_t *attr)
{
	struct x86_insn *i = d->i;
	uint64_t p;
	uint8_t p0, p1, p2, op;
	int rc = x86_vex_prefix_check(i);

	if (rc)
		return rc;
	if ((rc = x86_fetch(d, 3, &p)))
		return rc;
	p0 = p & 0xff;
	p1 = (p >> 8) & 0xff;
	p2 = (p >> 16) & 0xff;
	i->encoding = X86_ENC_EVEX;
	i->map = p0 & 7;
	if ((p0 & 0x08) || !(p1 & 0x04))
		return -EINVAL;
	if (i->map == 0 || i->map == 4 || i->map == 7)
		return -EINVAL;
	x86_vex_rxb(d, p0, true);
	if (d->mode == X86_LONG64)
		i->rex_w = p1 >> 7;
	i->vex_vvvv = (~p1 >> 3) & 0xf;
	i->vex_pp = p1 & 3;
	i->vex_l = (p2 >> 5) & 3;
	if ((rc = x86_fetch8(d, &op)))
		return rc;
	i->opcode = op;
	if (i->map == X86_MAP_0F3A ||
	    (i->map == X86_MAP_0F &&
	     ((op >= 0x70 && op <= 0x73) || op == 0xc2 || (op >= 0xc4 && op <= 0xc6))))
		*attr = A_M | I_B;
	else
		*attr = A_M;
	return 0;
}

/* 8F with ModRM.reg != 0 (POP Ev has only /0) is AMD's XOP escape, APM 6 1.1:
 * byte 1 = R X B mmmmm (map 8, 9 or 0Ah), byte 2 = W vvvv L pp. */
static int x86_xop(struct x86_dec *d, uint16_t *attr)
{
	struct x86_insn *i = d->i;
	uint8_t b1, b2, op;
	int rc = x86_vex_prefix_check(i);

	if (rc)
		return rc;
	if (d->mode == X86_REAL)
		return -EINVAL;
	if ((rc = x86_fetch8(d, &b1)))
		return rc;
	i->encoding = X86_ENC_XOP;
	i->map = b1 & 0x1f;
	if (i->map < X86_MAP_XOP8 || i->map > X86_MAP_XOPA)
		return -EINVAL;
	x86_vex_rxb(d, b1, true);
	if ((rc = x86_fetch8(d, &b2)))
		return rc;
	if (d->mode == X86_LONG64)
		i->rex_w = b2 >> 7;
	if ((rc = x86_vex_tail(d, i, b2, &op)))
		return rc;
	*attr = A_M | (i->map == X86_MAP_XOP8 ? I_B : i->map == X86_MAP_XOPA ? I_D : I_NONE);
	return 0;
}

/* In 16/32-bit protected mode, C4, C5 and 62 are VEX/EVEX only when the next byte
 * would be a register-form ModRM (mod = 11), which LES, LDS and BOUND cannot use
 * (SDM 2 2.3.5.2); in 64-bit mode they always are; in real and virtual-8086
 * mode never (VEX and EVEX are #UD there). */
static int x86_is_vex_escape(const struct x86_dec *d, bool *vex)
{
	uint8_t next;
	int rc;

	*vex = false;
	if (d->mode == X86_LONG64) {
		*vex = true;
		return 0;
	}
	if (!x86_is_prot(d->mode))
		return 0;
	if ((rc = x86_peek(d, &next)))
		return rc;
	*vex = (next >> 6) == 3;
	return 0;
}

/* The opcode bytes, through escapes; sets map, opcode and the table attribute. */
static int x86_opcode(struct x86_dec *d, uint16_t *attr)
{
	struct x86_insn *i = d->i;
	uint8_t op, next;
	bool vex;
	int rc;

	if ((rc = x86_fetch8(d, &op)))
		return rc;
	switch (op) {
	case 0x0f:
		if ((rc = x86_fetch8(d, &op)))
			return rc;
		if (op == 0x38 || op == 0x3a) {
			i->map = op == 0x38 ? X86_MAP_0F38 : X86_MAP_0F3A;
			if ((rc = x86_fetch8(d, &op)))
				return rc;
			i->opcode = op;
			/* Every 0F38 and 0F3A opcode has ModRM; 0F3A's have an imm8. */
			*attr = A_M | (i->map == X86_MAP_0F3A ? I_B : I_NONE);
			return 0;
		}
		i->map = X86_MAP_0F;
		i->opcode = op;
		*attr = x86_map_0f[op];
		return 0;
	case 0xc4:
	case 0xc5:
	case 0x62:
		if ((rc = x86_is_vex_escape(d, &vex)))
			return rc;
		if (vex)
			return op == 0x62 ? x86_evex(d, attr) : x86_vex(d, op, attr);
		break;
	case 0x8f:
		if ((rc = x86_peek(d, &next)))
			return rc;
		if ((next >> 3) & 7)
			return x86_xop(d, attr);
		break;
	}
	i->map = X86_MAP_PRIMARY;
	i->opcode = op;
	*attr = x86_map_primary[op];
	return 0;
}

static void x86_sizes(struct x86_dec *d, uint16_t attr)
{
	struct x86_insn *i = d->i;

	if (d->mode == X86_LONG64) {
		i->addrsize = i->addrsize_prefix ? 4 : 8;
		if (i->rex_w)
			i->opsize = 8;
		else if ((attr & A_F64) && !(d->flags & X86_DECODE_AMD))
			i->opsize = 8; /* Intel ignores 66 on near branches */
		else if (i->opsize_prefix)
			i->opsize = 2;
		else if (attr & (A_D64 | A_F64))
			i->opsize = 8;
		else
			i->opsize = 4;
		return;
	}
	i->opsize = (d->mode == X86_PROT32) ^ i->opsize_prefix ? 4 : 2;
	i->addrsize = (d->mode == X86_PROT32) ^ i->addrsize_prefix ? 4 : 2;
}

/* 16-bit ModRM forms, SDM 2 table 2-1: rm -> base, index. */
/* clang-format off */
#define NONE X86_REG_NONE
static const uint8_t x86_base16[8] = { X86_RBX, X86_RBX, X86_RBP, X86_RBP,
				       X86_RSI, X86_RDI, X86_RBP, X86_RBX };
static const uint8_t x86_index16[8] = { X86_RSI, X86_RDI, X86_RSI, X86_RDI,
					NONE,    NONE,    NONE,    NONE };
#undef NONE
/* clang-format on */

static int x86_modrm(struct x86_dec *d, bool regmod)
{
	struct x86_insn *i = d->i;
	unsigned int dsize = 0;
	uint64_t disp;
	uint8_t m, rm;
	int rc;

	if ((rc = x86_fetch8(d, &m)))
		return rc;
	i->has_modrm = true;
	i->modrm = m;
	i->mod = regmod ? 3 : m >> 6;
	i->reg = ((m >> 3) & 7) | (i->rex_r << 3);
	rm = m & 7;
	i->rm = rm | (i->rex_b << 3);
	if (i->mod == 3)
		return 0;

	i->has_mem = true;
	i->scale = 1;
	if (i->addrsize == 2) {
		if (i->mod == 0 && rm == 6) {
			dsize = 2; /* [disp16] */
		} else {
			i->base = x86_base16[rm];
			i->index = x86_index16[rm];
			dsize = i->mod == 1 ? 1 : i->mod == 2 ? 2 : 0;
		}
	} else {
		if (rm == 4) {
			uint8_t s, idx, b;

			if ((rc = x86_fetch8(d, &s)))
				return rc;
			i->has_sib = true;
			i->sib = s;
			i->scale = 1 << (s >> 6);
			idx = ((s >> 3) & 7) | (i->rex_x << 3);
			i->index = idx == X86_RSP ? X86_REG_NONE : idx;
			b = s & 7;
			if (b == 5 && i->mod == 0)
				dsize = 4; /* no base, disp32 (REX.B does not matter) */
			else
				i->base = b | (i->rex_b << 3);
		} else if (rm == 5 && i->mod == 0) {
			dsize = 4;
			i->rip_relative = d->mode == X86_LONG64; /* else [disp32] */
		} else {
			i->base = rm | (i->rex_b << 3);
		}
		if (i->mod == 1)
			dsize = 1;
		else if (i->mod == 2)
			dsize = 4;
	}
	if (dsize) {
		if ((rc = x86_fetch(d, dsize, &disp)))
			return rc;
		i->disp_size = dsize;
		i->disp = (int64_t)x86_sext(disp, dsize);
	}
	return 0;
}

/* Opcodes whose validity, operand size or immediate depends on ModRM.reg or on a
 * mandatory prefix. */
static int x86_special(struct x86_dec *d, uint16_t *attr)
{
	struct x86_insn *i = d->i;
	unsigned int reg = (i->modrm >> 3) & 7;

	if (i->map == X86_MAP_PRIMARY) {
		switch (i->opcode) {
		case 0xf6: /* group 3: only TEST (/0, and its alias /1) has an immediate */
		case 0xf7:
			if (reg <= 1)
				*attr |= (i->opcode == 0xf6 ? I_B : I_Z) | A_SX;
			break;
		case 0xfe: /* group 4: INC, DEC */
			if (reg >= 2)
				return -EINVAL;
			break;
		case 0xff: /* group 5 */
			if (reg == 7 || ((reg == 3 || reg == 5) && i->mod == 3))
				return -EINVAL;
			if (reg == 2 || reg == 4)
				*attr |= A_F64;
			else if (reg == 6)
				*attr |= A_D64;
			break;
		case 0xc6: /* group 11: MOV /0, XABORT/XBEGIN = C6 F8 / C7 F8 only */
		case 0xc7:
			if (reg != 0 && i->modrm != 0xf8)
				return -EINVAL;
			break;
		case 0x8f: /* group 1A: POP Ev (other reg values are XOP) */
		case 0x62: /* BOUND */
		case 0xc4: /* LES, LDS */
		case 0xc5: break;
		}
		return 0;
	}
	switch (i->opcode) {
	case 0x78: /* AMD SSE4a EXTRQ/INSERTQ with two imm8, else VMREAD */
		if (i->opsize_prefix || i->rep == 0xf2)
			*attr |= I_BB;
		break;
	case 0xb8: /* POPCNT is F3 0F B8; without F3 it is JMPE (Itanium only): #UD */
		if (i->rep != 0xf3)
			return -EINVAL;
		break;
	case 0xba: /* group 8: BT, BTS, BTR, BTC with imm8 are /4../7 */
		if (reg < 4)
			return -EINVAL;
		break;
	}
	return 0;
}

/* LOCK is #UD except on these read-modify-write forms with a memory destination
 * (SDM 2 LOCK), plus AMD's LOCK MOV CR0 alias for MOV CR8 (APM 3 MOV CRn). */
bool x86_insn_lockable(const struct x86_insn *i)
{
	unsigned int reg = i->reg & 7;
	uint8_t op = i->opcode;

	if (i->encoding != X86_ENC_LEGACY)
		return false;
	if (i->map == X86_MAP_0F && (op == 0x20 || op == 0x22))
		return true;
	if (!i->has_modrm || i->mod == 3)
		return false;
	if (i->map == X86_MAP_PRIMARY) {
		if (op < 0x40 && (op & 7) <= 1)
			return (op & 0x38) != 0x38; /* ADD..XOR Eb,Gb / Ev,Gv but CMP */
		if (op >= 0x80 && op <= 0x83)
			return reg != 7;
		if (op == 0x86 || op == 0x87)
			return true;
		if (op == 0xf6 || op == 0xf7)
			return reg == 2 || reg == 3; /* NOT, NEG */
		if (op == 0xfe || op == 0xff)
			return reg <= 1; /* INC, DEC */
		return false;
	}
	if (i->map == X86_MAP_0F) {
		switch (op) {
		case 0xab: /* BTS */
		case 0xb3: /* BTR */
		case 0xbb: /* BTC */
		case 0xb0: /* CMPXCHG */
		case 0xb1:
		case 0xc0: /* XADD */
		case 0xc1: return true;
		case 0xba: return reg >= 5;
		case 0xc7: return reg == 1; /* CMPXCHG8B/16B */
		}
	}
	return false;
}

static int x86_immediates(struct x86_dec *d, uint16_t attr)
{
	struct x86_insn *i = d->i;
	unsigned int size = 0, size2 = 0;
	uint64_t v;
	int rc;

	switch (attr & A_IMM) {
	case I_NONE: return 0;
	case I_B: size = 1; break;
	case I_W: size = 2; break;
	case I_Z:
	case I_JZ: size = i->opsize == 2 ? 2 : 4; break;
	case I_V: size = i->opsize; break;
	case I_AP:
		size = i->opsize == 2 ? 2 : 4;
		size2 = 2;
		break;
	case I_WB:
		size = 2;
		size2 = 1;
		break;
	case I_D: size = 4; break;
	case I_BB:
		size = 1;
		size2 = 1;
		break;
	case I_MOFFS:
		if ((rc = x86_fetch(d, i->addrsize, &v)))
			return rc;
		i->has_mem = true;
		i->scale = 1;
		i->disp_size = i->addrsize;
		i->disp = (int64_t)v;
		return 0;
	default: return -EINVAL;
	}
	if ((rc = x86_fetch(d, size, &v)))
		return rc;
	i->imm_size = size;
	i->imm = (attr & A_SX) ? x86_sext(v, size) : v;
	if (size2) {
		if ((rc = x86_fetch(d, size2, &v)))
			return rc;
		i->imm2_size = size2;
		i->imm2 = v;
	}
	return 0;
}

int x86_decode(const uint8_t *code, size_t avail, enum x86_mode mode, unsigned int flags,
	       struct x86_insn *out)
{
	struct x86_dec d = {code, avail, 0, mode, flags, out};
	uint16_t attr = 0;
	int rc;

	memset(out, 0, sizeof(*out));
	out->nbytes = avail < X86_INSN_MAX ? (uint8_t)avail : X86_INSN_MAX;
	if (out->nbytes)
		memcpy(out->bytes, code, out->nbytes);
	out->mode = (uint8_t)mode;
	out->seg = X86_SEG_NONE;
	out->base = X86_REG_NONE;
	out->index = X86_REG_NONE;
	if ((unsigned int)mode > X86_LONG64)
		return -EINVAL;

	if ((rc = x86_prefixes(&d)))
		goto fail;
	if (out->rex) {
		out->rex_w = (out->rex >> 3) & 1;
		out->rex_r = (out->rex >> 2) & 1;
		out->rex_x = (out->rex >> 1) & 1;
		out->rex_b = out->rex & 1;
	}
	if ((rc = x86_opcode(&d, &attr)))
		goto fail;
	rc = -EINVAL;
	if ((attr & A_INV) || ((attr & A_I64) && mode == X86_LONG64) ||
	    ((attr & A_NR) && mode == X86_REAL))
		goto fail;
	x86_sizes(&d, attr);
	if (attr & A_M) {
		if ((rc = x86_modrm(&d, attr & A_REGMOD)))
			goto fail;
		rc = -EINVAL;
		if ((attr & A_MEMONLY) && out->mod == 3)
			goto fail;
	}
	if (attr & A_SPECIAL) {
		if ((rc = x86_special(&d, &attr)))
			goto fail;
		x86_sizes(&d, attr); /* group 5's operand size depends on reg */
	}
	if ((rc = x86_immediates(&d, attr)))
		goto fail;
	rc = -EINVAL;
	if (out->lock && !x86_insn_lockable(out))
		goto fail;
	out->len = (uint8_t)d.pos;
	return 0;
fail:
	out->len = 0;
	return rc;
}

enum x86_mode x86_mode_of(bool cr0_pe, bool rflags_vm, bool efer_lma, bool cs_l, bool cs_db)
{
	if (!cr0_pe || rflags_vm)
		return X86_REAL;
	if (efer_lma && cs_l)
		return X86_LONG64;
	return cs_db ? X86_PROT32 : X86_PROT16;
}

uint64_t x86_next_rip(const struct x86_insn *i, uint64_t rip)
{
	uint64_t next = rip + i->len;

	return i->mode == X86_LONG64 ? next : (next & 0xffffffffull);
}

static uint64_t x86_addr_mask(unsigned int addrsize)
{
	return addrsize >= 8 ? ~0ull : (1ull << (8 * addrsize)) - 1;
}

uint64_t x86_effective_address(const struct x86_insn *i, const struct x86_regs *regs,
			       uint64_t next_rip)
{
	uint64_t ea = (uint64_t)i->disp;

	if (!i->has_mem)
		return 0;
	if (i->rip_relative)
		ea += next_rip;
	if (i->base != X86_REG_NONE)
		ea += regs->gpr[i->base & 15];
	if (i->index != X86_REG_NONE)
		ea += regs->gpr[i->index & 15] * i->scale;
	return ea & x86_addr_mask(i->addrsize);
}

enum x86_seg x86_insn_seg(const struct x86_insn *i)
{
	if (i->seg != X86_SEG_NONE)
		return (enum x86_seg)i->seg;
	if (i->has_mem && (i->base == X86_RSP || i->base == X86_RBP))
		return X86_SEG_SS;
	return X86_SEG_DS;
}
