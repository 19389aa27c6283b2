/* Host tests for kernel/emulate.c: every supported instruction against a fake MMIO
 * page and fake RAM, in each mode; RFLAGS and bit-string addressing checked
 * against the host CPU executing the same operation (the tests run on x86-64). */
#include <stdint.h>

#include "tests/unit/check.h"

#include "kernel/emulate.c"
#include "kernel/x86_decode.c"

#define MMIO_GPA 0xfeb00000ull /* the faulting device page */
#define MMIO_LA	 0x7fff0000ull /* where the guest maps it (any page works) */
#define RAM_LA	 0x00200000ull /* a window of guest RAM for MOVS */
#define RAM_SIZE 0x4000
#define FLAGS6	 0x8d5ull /* CF PF AF ZF SF OF */

struct access {
	bool write;
	uint64_t gpa;
	unsigned int size;
	uint64_t val;
};

struct fake {
	uint8_t mmio[4096];
	uint8_t ram[RAM_SIZE];
	struct access log[5000];
	unsigned int nlog;
	int mmio_error;	   /* returned by device accesses when set */
	uint64_t ram_hole; /* a RAM page (linear) that faults, 0 if none */
	bool bad_access;   /* a device access outside the page or of a bad size */
};

static struct fake fk;

static bool dev_ok(uint64_t gpa, unsigned int size)
{
	bool ok = (size == 1 || size == 2 || size == 4 || size == 8) && gpa >= MMIO_GPA &&
		  gpa + size <= MMIO_GPA + 4096;

	if (!ok)
		fk.bad_access = true;
	return ok;
}

static int fk_mmio_read(void *ctx, uint64_t gpa, unsigned int size, uint64_t *val)
{
	uint64_t v = 0;

	CHECK(ctx == &fk);
	if (fk.mmio_error)
		return fk.mmio_error;
	if (!dev_ok(gpa, size))
		return -EIO;
	memcpy(&v, &fk.mmio[gpa - MMIO_GPA], size);
	*val = v;
	if (fk.nlog < 5000)
		fk.log[fk.nlog++] = (struct access){false, gpa, size, v};
	return 0;
}

static int fk_mmio_write(void *ctx, uint64_t gpa, unsigned int size, uint64_t val)
{
	CHECK(ctx == &fk);
	if (fk.mmio_error)
		return fk.mmio_error;
	if (!dev_ok(gpa, size))
		return -EIO;
	CHECK(size == 8 || (val >> (8 * size)) == 0); /* no stray high bits */
	memcpy(&fk.mmio[gpa - MMIO_GPA], &val, size);
	if (fk.nlog < 5000)
		fk.log[fk.nlog++] = (struct access){true, gpa, size, val};
	return 0;
}

static bool ram_ok(uint64_t la, unsigned int len)
{
	if (la < RAM_LA || la + len > RAM_LA + RAM_SIZE)
		return false;
	return !(fk.ram_hole && (la & ~0xfffull) == fk.ram_hole);
}

static int fk_mem_read(void *ctx, uint64_t la, void *buf, unsigned int len)
{
	CHECK(ctx == &fk);
	if (!ram_ok(la, len))
		return -EFAULT;
	memcpy(buf, &fk.ram[la - RAM_LA], len);
	return 0;
}

static int fk_mem_write(void *ctx, uint64_t la, const void *buf, unsigned int len)
{
	CHECK(ctx == &fk);
	if (!ram_ok(la, len))
		return -EFAULT;
	memcpy(&fk.ram[la - RAM_LA], buf, len);
	return 0;
}

static const struct x86_mem_ops fk_ops = {fk_mmio_read, fk_mmio_write, fk_mem_read, fk_mem_write};

/* A known pattern in the device page and in RAM; an empty log. */
static void fk_reset(void)
{
	static uint8_t mmio0[4096], ram0[RAM_SIZE];

	if (!mmio0[0]) {
		for (unsigned int k = 0; k < sizeof(mmio0); k++)
			mmio0[k] = (uint8_t)(k * 7 + 3);
		for (unsigned int k = 0; k < sizeof(ram0); k++)
			ram0[k] = (uint8_t)(k * 13 + 1);
	}
	memcpy(fk.mmio, mmio0, sizeof(mmio0));
	memcpy(fk.ram, ram0, sizeof(ram0));
	fk.nlog = 0;
	fk.mmio_error = 0;
	fk.ram_hole = 0;
	fk.bad_access = false;
}

/* Flat segments, as most guests have them. */
static void regs_init(struct x86_regs *r)
{
	memset(r, 0, sizeof(*r));
	r->rflags = 0x202;
	r->rip = 0x1000;
	for (int s = 0; s < X86_SEG_COUNT; s++)
		r->seg[s].limit = 0xffffffff;
}

static size_t hex_bytes(const char *s, uint8_t *out, size_t max)
{
	size_t n = 0;

	while (*s && n < max) {
		unsigned int v;
		int used;

		if (*s == ' ') {
			s++;
			continue;
		}
		if (sscanf(s, "%2x%n", &v, &used) != 1)
			break;
		out[n++] = (uint8_t)v;
		s += used;
	}
	return n;
}

/* Decodes hex in mode and emulates it against the fake page at gpa. */
static int emulate_hex(const char *hex, enum x86_mode mode, struct x86_regs *r, uint64_t gpa,
		       bool fault_write)
{
	uint8_t b[16];
	size_t n = hex_bytes(hex, b, sizeof(b));
	struct x86_insn in;
	int rc = x86_decode(b, n, mode, 0, &in);

	CHECK_EQ(rc, 0);
	if (rc)
		return -1000;
	CHECK_EQ(in.len, n);
	return x86_emulate_mmio(&in, r, gpa, fault_write, &fk_ops, &fk);
}

static uint64_t mmio_get(unsigned int off, unsigned int size)
{
	uint64_t v = 0;

	memcpy(&v, &fk.mmio[off], size);
	return v;
}

static void mmio_put(unsigned int off, unsigned int size, uint64_t v)
{
	memcpy(&fk.mmio[off], &v, size);
}

/* ---- Host oracle: the same ALU operation on this CPU. ---- */

/* The red zone below rsp is stepped over before push/popf. */
#define HOST_ALU(op, sfx, type, cons)                                        \
	static uint64_t host_##op##sfx(uint64_t a, uint64_t b, uint64_t *fl) \
	{                                                                    \
		type x = (type)a, y = (type)b;                               \
		uint64_t f = (*fl & FLAGS6) | 0x202;                         \
		__asm__ volatile("lea -128(%%rsp), %%rsp\n\t"                \
				 "push %[f]\n\t"                             \
				 "popfq\n\t" #op #sfx " %[y], %[x]\n\t"      \
				 "pushfq\n\t"                                \
				 "pop %[f]\n\t"                              \
				 "lea 128(%%rsp), %%rsp"                     \
				 : [x] "+" cons(x), [f] "+r"(f)              \
				 : [y] cons(y)                               \
				 : "cc", "memory");                          \
		*fl = f;                                                     \
		return (uint64_t)x;                                          \
	}
#define HOST_ALU4(op)                  \
	HOST_ALU(op, b, uint8_t, "q")  \
	HOST_ALU(op, w, uint16_t, "r") \
	HOST_ALU(op, l, uint32_t, "r") \
	HOST_ALU(op, q, uint64_t, "r")
HOST_ALU4(add)
HOST_ALU4(or)
HOST_ALU4(adc)
HOST_ALU4(sbb)
HOST_ALU4(and)
HOST_ALU4(sub)
HOST_ALU4(xor)
HOST_ALU4(cmp)
HOST_ALU4(test)

typedef uint64_t (*host_fn)(uint64_t, uint64_t, uint64_t *);
#define HOST_ROW(op)                                                   \
	{                                                              \
		host_##op##b, host_##op##w, host_##op##l, host_##op##q \
	}
static const host_fn host_alu[9][4] = {HOST_ROW(add), HOST_ROW(or),  HOST_ROW(adc),
				       HOST_ROW(sbb), HOST_ROW(and), HOST_ROW(sub),
				       HOST_ROW(xor), HOST_ROW(cmp), HOST_ROW(test)};
static const char *const alu_name[9] = {"add", "or",  "adc", "sbb", "and",
					"sub", "xor", "cmp", "test"};

static unsigned int size_index(unsigned int size)
{
	return size == 1 ? 0 : size == 2 ? 1 : size == 4 ? 2 : 3;
}

static uint64_t sext_to(uint64_t v, unsigned int from, unsigned int to)
{
	unsigned int sh = 64 - 8 * from;
	uint64_t s = (uint64_t)((int64_t)(v << sh) >> sh);

	return to >= 8 ? s : s & ((1ull << (8 * to)) - 1);
}

enum alu_form { FORM_MEM_REG, FORM_REG_MEM, FORM_IMM8, FORM_IMMZ };

/* Builds `op [rbx], rcx` / `op rcx, [rbx]` / `op [rbx], imm`; returns the length. */
static size_t alu_encode(uint8_t *p, unsigned int op, unsigned int size, enum alu_form form,
			 uint64_t imm)
{
	size_t n = 0;
	unsigned int w = size == 1 ? 0 : 1, isize;

	if (size == 2)
		p[n++] = 0x66;
	if (size == 8)
		p[n++] = 0x48;
	if (form == FORM_MEM_REG || form == FORM_REG_MEM) {
		if (op == 8)
			p[n++] = 0x84 | w;
		else
			p[n++] = (uint8_t)(op * 8 + (form == FORM_REG_MEM ? 2 : 0) + w);
		p[n++] = (1 << 3) | 3; /* reg = rcx, [rbx] */
		return n;
	}
	if (op == 8) {
		p[n++] = 0xf6 | w;
		p[n++] = 3;
		isize = size == 1 ? 1 : size == 2 ? 2 : 4;
	} else if (size == 1) {
		p[n++] = 0x80;
		p[n++] = (uint8_t)(op << 3 | 3);
		isize = 1;
	} else {
		p[n++] = form == FORM_IMM8 ? 0x83 : 0x81;
		p[n++] = (uint8_t)(op << 3 | 3);
		isize = form == FORM_IMM8 ? 1 : size == 2 ? 2 : 4;
	}
	for (unsigned int k = 0; k < isize; k++)
		p[n++] = (uint8_t)(imm >> (8 * k));
	return n;
}

static unsigned int alu_failures;

static void alu_case(unsigned int op, unsigned int size, enum alu_form form, uint64_t a, uint64_t b,
		     uint64_t fin)
{
	uint64_t m = size == 8 ? ~0ull : (1ull << (8 * size)) - 1;
	uint64_t hf = fin, want, bv = b;
	uint8_t code[16];
	struct x86_insn in;
	struct x86_regs r;
	unsigned int off = 0x123 & ~(size - 1);
	size_t n;
	int rc;
	bool ok = true;

	/* The immediate as the instruction really carries it. */
	if (form == FORM_IMM8 && size > 1)
		bv = sext_to(b, 1, size);
	else if (form == FORM_IMMZ && size == 8)
		bv = sext_to(b, 4, 8);
	else if (form == FORM_IMM8 || form == FORM_IMMZ)
		bv = b & m;
	if (form == FORM_REG_MEM)
		want = host_alu[op][size_index(size)](b, a, &hf); /* rcx = rcx op mem */
	else
		want = host_alu[op][size_index(size)](a, bv, &hf);

	fk.nlog = 0; /* only the operand's bytes matter here */
	regs_init(&r);
	r.rflags = (fin & FLAGS6) | 0x202;
	r.gpr[X86_RBX] = MMIO_LA + off;
	/* The register operand; for a register destination, junk above its size
	 * shows whether the write merges or zero-extends. */
	r.gpr[X86_RCX] = form == FORM_REG_MEM ? (0xa5a5a5a5a5a5a5a5ull & ~m) | (b & m) : b;
	mmio_put(off, size, a);
	n = alu_encode(code, op, size, form, b);
	rc = x86_decode(code, n, X86_LONG64, 0, &in);
	ok &= rc == 0 && in.len == n;
	if (rc == 0) {
		uint64_t rcx_before = r.gpr[X86_RCX];

		rc = x86_emulate_mmio(&in, &r, MMIO_GPA + off, op != 7 && op != 8, &fk_ops, &fk);
		ok &= rc == X86_EMU_DONE;
		ok &= (r.rflags & FLAGS6) == (hf & FLAGS6);
		ok &= (r.rflags & ~FLAGS6) == 0x202;
		if (form == FORM_REG_MEM) {
			uint64_t expect_rcx;

			if (op == 7)
				expect_rcx = rcx_before;
			else if (size == 4)
				expect_rcx = want & m;
			else
				expect_rcx = (rcx_before & ~m) | (want & m);
			ok &= r.gpr[X86_RCX] == expect_rcx;
			ok &= mmio_get(off, size) == (a & m);
		} else {
			ok &= mmio_get(off, size) == ((op == 7 || op == 8) ? a & m : want & m);
			ok &= r.gpr[X86_RCX] == b;
		}
	}
	if (!ok && alu_failures++ < 10)
		printf("  %s size %u form %d a=%llx b=%llx cf=%llu: rc %d flags %llx want %llx\n",
		       alu_name[op], size, form, (unsigned long long)a, (unsigned long long)b,
		       (unsigned long long)(fin & 1), rc, (unsigned long long)(r.rflags & FLAGS6),
		       (unsigned long long)(hf & FLAGS6));
	CHECK(ok);
}

static uint64_t rng_state = 0x9e3779b97f4a7c15ull;

static uint64_t rng64(void)
{
	rng_state ^= rng_state << 13;
	rng_state ^= rng_state >> 7;
	rng_state ^= rng_state << 17;
	return rng_state;
}

TEST(alu_flags_match_host)
{
	static const uint64_t edge[] = {
		0,
		1,
		2,
		0x0f,
		0x10,
		0x7f,
		0x80,
		0x81,
		0xfe,
		0xff,
		0x100,
		0x7fff,
		0x8000,
		0xffff,
		0x7fffffff,
		0x80000000,
		0xffffffff,
		0x7fffffffffffffffull,
		0x8000000000000000ull,
		0xffffffffffffffffull,
		0x5555555555555555ull,
	};
	const size_t ne = sizeof(edge) / sizeof(edge[0]);

	for (unsigned int op = 0; op < 9; op++) {
		for (unsigned int si = 0; si < 4; si++) {
			unsigned int size = 1u << si;

			for (int form = FORM_MEM_REG; form <= FORM_IMMZ; form++) {
				if (op == 8 && (form == FORM_REG_MEM || form == FORM_IMM8))
					continue; /* TEST has Ev,Gv and Ev,Iz only */
				for (size_t x = 0; x < ne; x++)
					for (size_t y = 0; y < ne; y++)
						alu_case(op, size, form, edge[x], edge[y],
							 (x + y) & 1 ? 0x8d5 : 0);
				for (int k = 0; k < 300; k++) {
					uint64_t a = rng64(), b = rng64(), f = rng64();

					if (k & 1) { /* near-equal operands reach the edges */
						b = a + (rng64() % 5) - 2;
					}
					alu_case(op, size, form, a, b, f);
				}
			}
		}
	}
}

/* ---- MOV and friends. ---- */

TEST(mov_forms_long_mode)
{
	struct x86_regs r;
	uint64_t g = MMIO_GPA + 0x40;

	fk_reset();
	regs_init(&r);
	r.gpr[X86_RBX] = MMIO_LA + 0x40;

	/* 89: mov [rbx], ecx / rcx / cx / r9 */
	r.gpr[X86_RCX] = 0x1122334455667788ull;
	CHECK_EQ(emulate_hex("89 0b", X86_LONG64, &r, g, true), 0);
	CHECK_EQ(fk.nlog, 1);
	CHECK(fk.log[0].write && fk.log[0].gpa == g && fk.log[0].size == 4);
	CHECK_EQ(fk.log[0].val, 0x55667788);
	CHECK_EQ(emulate_hex("48 89 0b", X86_LONG64, &r, g, true), 0);
	CHECK_EQ(mmio_get(0x40, 8), 0x1122334455667788ull);
	CHECK_EQ(emulate_hex("66 89 0b", X86_LONG64, &r, g, true), 0);
	CHECK_EQ(fk.log[2].size, 2);
	CHECK_EQ(fk.log[2].val, 0x7788);
	r.gpr[X86_R9] = 0xcafe;
	CHECK_EQ(emulate_hex("4c 89 0b", X86_LONG64, &r, g, true), 0);
	CHECK_EQ(mmio_get(0x40, 8), 0xcafe);

	/* 88: byte stores, AH..BH without REX, SPL..DIL with it. */
	r.gpr[X86_RAX] = 0x1234;
	r.gpr[X86_RSP] = 0x77;
	CHECK_EQ(emulate_hex("88 23", X86_LONG64, &r, g, true), 0); /* mov [rbx], ah */
	CHECK_EQ(fk.log[fk.nlog - 1].val, 0x12);
	CHECK_EQ(emulate_hex("40 88 23", X86_LONG64, &r, g, true), 0); /* mov [rbx], spl */
	CHECK_EQ(fk.log[fk.nlog - 1].val, 0x77);
	r.gpr[X86_R12] = 0x99;
	CHECK_EQ(emulate_hex("44 88 23", X86_LONG64, &r, g, true), 0); /* r12b */
	CHECK_EQ(fk.log[fk.nlog - 1].val, 0x99);

	/* 8B/8A loads: 32-bit zero-extends, 16/8-bit merge. */
	mmio_put(0x40, 8, 0x8877665544332211ull);
	r.gpr[X86_RDX] = ~0ull;
	CHECK_EQ(emulate_hex("8b 13", X86_LONG64, &r, g, false), 0);
	CHECK_EQ(r.gpr[X86_RDX], 0x44332211);
	r.gpr[X86_RDX] = ~0ull;
	CHECK_EQ(emulate_hex("66 8b 13", X86_LONG64, &r, g, false), 0);
	CHECK_EQ(r.gpr[X86_RDX], 0xffffffffffff2211ull);
	r.gpr[X86_RDX] = ~0ull;
	CHECK_EQ(emulate_hex("8a 33", X86_LONG64, &r, g, false), 0); /* mov dh, [rbx] */
	CHECK_EQ(r.gpr[X86_RDX], 0xffffffffffff11ffull);
	r.gpr[X86_RSI] = ~0ull;
	CHECK_EQ(emulate_hex("40 8a 33", X86_LONG64, &r, g, false), 0); /* mov sil, [rbx] */
	CHECK_EQ(r.gpr[X86_RSI], 0xffffffffffffff11ull);
	CHECK_EQ(emulate_hex("4c 8b 3b", X86_LONG64, &r, g, false), 0); /* mov r15, [rbx] */
	CHECK_EQ(r.gpr[X86_R15], 0x8877665544332211ull);
	CHECK_EQ(r.rflags, 0x202); /* MOV leaves flags alone */

	/* C6/C7: immediates; REX.W sign-extends imm32 to a qword. */
	CHECK_EQ(emulate_hex("c6 03 ab", X86_LONG64, &r, g, true), 0);
	CHECK_EQ(fk.log[fk.nlog - 1].val, 0xab);
	CHECK_EQ(fk.log[fk.nlog - 1].size, 1);
	CHECK_EQ(emulate_hex("66 c7 03 34 12", X86_LONG64, &r, g, true), 0);
	CHECK_EQ(fk.log[fk.nlog - 1].val, 0x1234);
	CHECK_EQ(emulate_hex("c7 03 78 56 34 92", X86_LONG64, &r, g, true), 0);
	CHECK_EQ(fk.log[fk.nlog - 1].val, 0x92345678);
	CHECK_EQ(emulate_hex("48 c7 03 00 00 00 80", X86_LONG64, &r, g, true), 0);
	CHECK_EQ(fk.log[fk.nlog - 1].val, 0xffffffff80000000ull);
	CHECK_EQ(fk.log[fk.nlog - 1].size, 8);

	/* Addressing: disp32, SIB with index, rip-relative, FS override. */
	mmio_put(0x40, 8, 0x8877665544332211ull);
	r.gpr[X86_RAX] = MMIO_LA;
	r.gpr[X86_RCX] = 8;
	CHECK_EQ(emulate_hex("8b 54 c8 00", X86_LONG64, &r, g, false), 0); /* [rax+rcx*8] */
	r.rip = MMIO_LA + 0x30 - 6;
	CHECK_EQ(emulate_hex("8b 15 10 00 00 00", X86_LONG64, &r, g, false), 0); /* [rip+16] */
	r.seg[X86_SEG_FS].base = MMIO_LA;
	r.seg[X86_SEG_DS].base = 0x5010; /* ignored in 64-bit mode */
	CHECK_EQ(emulate_hex("64 8b 14 25 40 00 00 00", X86_LONG64, &r, g, false), 0);
	CHECK_EQ(r.gpr[X86_RDX], 0x44332211);
	CHECK_EQ(emulate_hex("3e 8b 14 25 40 00 ff 7f", X86_LONG64, &r, g, false), 0);
}

TEST(moffs_each_address_size)
{
	struct x86_regs r;

	fk_reset();
	regs_init(&r);
	mmio_put(0x80, 8, 0x0807060504030201ull);
	/* 64-bit: an 8-byte offset; with 67, a 4-byte one. */
	CHECK_EQ(emulate_hex("48 a1 80 00 ff 7f 00 00 00 00", X86_LONG64, &r, MMIO_GPA + 0x80,
			     false),
		 0);
	CHECK_EQ(r.gpr[X86_RAX], 0x0807060504030201ull);
	CHECK_EQ(emulate_hex("67 a0 80 00 ff 7f", X86_LONG64, &r, MMIO_GPA + 0x80, false), 0);
	CHECK_EQ(r.gpr[X86_RAX], 0x0807060504030201ull); /* only AL written */
	r.gpr[X86_RAX] = 0xaabbccdd;
	CHECK_EQ(emulate_hex("a3 80 00 ff 7f 00 00 00 00", X86_LONG64, &r, MMIO_GPA + 0x80, true),
		 0);
	CHECK_EQ(mmio_get(0x80, 8), 0x08070605aabbccddull);
	CHECK_EQ(emulate_hex("a2 80 00 ff 7f 00 00 00 00", X86_LONG64, &r, MMIO_GPA + 0x80, true),
		 0);
	CHECK_EQ(fk.log[fk.nlog - 1].size, 1);
	CHECK_EQ(fk.log[fk.nlog - 1].val, 0xdd);
	/* 32-bit mode, DS base added; 16-bit moffs via 67. */
	mmio_put(0x80, 8, 0x0807060504030201ull);
	r.seg[X86_SEG_DS].base = 0x10000000;
	r.gpr[X86_RAX] = ~0ull;
	CHECK_EQ(emulate_hex("a1 80 00 ff 6f", X86_PROT32, &r, MMIO_GPA + 0x80, false), 0);
	CHECK_EQ(r.gpr[X86_RAX], 0x04030201);
	r.seg[X86_SEG_DS].base = MMIO_LA;
	r.gpr[X86_RAX] = ~0ull;
	CHECK_EQ(emulate_hex("67 66 a1 80 00", X86_PROT32, &r, MMIO_GPA + 0x80, false), 0);
	CHECK_EQ(r.gpr[X86_RAX], 0xffffffffffff0201ull); /* ax merged */
	/* Real mode: ES override, base = selector * 16 (a VGA-like window). */
	r.seg[X86_SEG_ES].base = 0xb8000;
	r.seg[X86_SEG_ES].limit = 0xffff;
	r.seg[X86_SEG_DS].base = MMIO_LA + 0x10;
	CHECK_EQ(emulate_hex("26 a2 34 12", X86_REAL, &r, MMIO_GPA + 0x234, true), 0);
	CHECK_EQ(fk.log[fk.nlog - 1].gpa, MMIO_GPA + 0x234);
	CHECK_EQ(fk.log[fk.nlog - 1].val, 0x01);
	CHECK_EQ(emulate_hex("a2 34 12", X86_REAL, &r, MMIO_GPA + 0x234, true), -EFAULT); /* DS */
	CHECK_EQ(emulate_hex("a2 24 12", X86_REAL, &r, MMIO_GPA + 0x234, true), 0);
}

TEST(movzx_movsx_movsxd)
{
	struct x86_regs r;
	uint64_t g = MMIO_GPA + 0x10;

	fk_reset();
	regs_init(&r);
	r.gpr[X86_RSI] = MMIO_LA + 0x10;
	mmio_put(0x10, 2, 0x8081);
	r.gpr[X86_RAX] = ~0ull;
	CHECK_EQ(emulate_hex("0f b6 06", X86_LONG64, &r, g, false), 0);
	CHECK_EQ(r.gpr[X86_RAX], 0x81);
	CHECK_EQ(fk.log[0].size, 1);
	CHECK_EQ(emulate_hex("0f be 06", X86_LONG64, &r, g, false), 0);
	CHECK_EQ(r.gpr[X86_RAX], 0xffffff81);
	CHECK_EQ(emulate_hex("48 0f be 06", X86_LONG64, &r, g, false), 0);
	CHECK_EQ(r.gpr[X86_RAX], 0xffffffffffffff81ull);
	r.gpr[X86_RAX] = 0x1111111111111111ull;
	CHECK_EQ(emulate_hex("66 0f be 06", X86_LONG64, &r, g, false), 0);
	CHECK_EQ(r.gpr[X86_RAX], 0x111111111111ff81ull);
	CHECK_EQ(emulate_hex("0f b7 06", X86_LONG64, &r, g, false), 0);
	CHECK_EQ(r.gpr[X86_RAX], 0x8081);
	CHECK_EQ(fk.log[fk.nlog - 1].size, 2);
	CHECK_EQ(emulate_hex("48 0f bf 06", X86_LONG64, &r, g, false), 0);
	CHECK_EQ(r.gpr[X86_RAX], 0xffffffffffff8081ull);
	CHECK_EQ(emulate_hex("44 0f b6 06", X86_LONG64, &r, g, false), 0); /* r8d */
	CHECK_EQ(r.gpr[X86_R8], 0x81);

	mmio_put(0x10, 4, 0x80000001);
	CHECK_EQ(emulate_hex("48 63 06", X86_LONG64, &r, g, false), 0); /* movsxd rax, [rsi] */
	CHECK_EQ(r.gpr[X86_RAX], 0xffffffff80000001ull);
	CHECK_EQ(fk.log[fk.nlog - 1].size, 4);
	r.gpr[X86_RAX] = ~0ull;
	CHECK_EQ(emulate_hex("63 06", X86_LONG64, &r, g, false), 0); /* without REX.W: a mov */
	CHECK_EQ(r.gpr[X86_RAX], 0x80000001);
	CHECK_EQ(emulate_hex("63 06", X86_PROT32, &r, g, false), -ENOSYS); /* arpl */

	/* 16-bit code: movzx eax, byte [si] with 66. */
	r.gpr[X86_RSI] = 0x10;
	r.seg[X86_SEG_DS].base = MMIO_LA;
	r.seg[X86_SEG_DS].limit = 0xffff;
	CHECK_EQ(emulate_hex("66 0f b6 04", X86_REAL, &r, g, false), 0);
	CHECK_EQ(r.gpr[X86_RAX], 0x01);
}

TEST(real_and_protected_addressing)
{
	struct x86_regs r;

	fk_reset();
	regs_init(&r);
	/* Real mode: mov [bp+si+4], ax uses SS; bx+si wraps at 64 KiB. */
	r.seg[X86_SEG_SS].base = MMIO_LA;
	r.seg[X86_SEG_SS].limit = 0xffff;
	r.seg[X86_SEG_DS].base = MMIO_LA + 0x100;
	r.seg[X86_SEG_DS].limit = 0xffff;
	r.gpr[X86_RBP] = 0xffff0200;
	r.gpr[X86_RSI] = 0x10;
	r.gpr[X86_RAX] = 0xbeef;
	CHECK_EQ(emulate_hex("89 42 04", X86_REAL, &r, MMIO_GPA + 0x214, true), 0);
	CHECK_EQ(mmio_get(0x214, 2), 0xbeef);
	r.gpr[X86_RBX] = 0xfff8;
	CHECK_EQ(emulate_hex("88 20", X86_REAL, &r, MMIO_GPA + 0x108, true), 0); /* [bx+si] */
	CHECK_EQ(fk.log[fk.nlog - 1].val, 0xbe);
	CHECK_EQ(emulate_hex("66 89 06 20 00", X86_REAL, &r, MMIO_GPA + 0x120, true), 0);
	CHECK_EQ(fk.log[fk.nlog - 1].size, 4);

	/* 16-bit limit: a word at 0xffff goes past it. */
	r.gpr[X86_RBX] = 0xffff;
	r.seg[X86_SEG_DS].base = MMIO_LA + 1;
	CHECK_EQ(emulate_hex("8b 07", X86_REAL, &r, MMIO_GPA, false), -EFAULT);
	CHECK_EQ(emulate_hex("8a 07", X86_REAL, &r, MMIO_GPA, false), 0);

	/* Protected mode: a segment limit and an expand-down segment. */
	r.seg[X86_SEG_DS].base = MMIO_LA;
	r.seg[X86_SEG_DS].limit = 0x7ff;
	r.gpr[X86_RBX] = 0x7fe;
	CHECK_EQ(emulate_hex("8b 03", X86_PROT32, &r, MMIO_GPA + 0x7fe, false), -EFAULT);
	CHECK_EQ(emulate_hex("66 8b 03", X86_PROT32, &r, MMIO_GPA + 0x7fe, false), 0);
	r.seg[X86_SEG_DS].flags = X86_SEGF_EXPDOWN | X86_SEGF_BIG;
	CHECK_EQ(emulate_hex("66 8b 03", X86_PROT32, &r, MMIO_GPA + 0x7fe, false), -EFAULT);
	r.gpr[X86_RBX] = 0x800;
	CHECK_EQ(emulate_hex("8b 03", X86_PROT32, &r, MMIO_GPA + 0x800, false), 0);
	r.seg[X86_SEG_DS].flags = X86_SEGF_EXPDOWN; /* ends at 0xffff */
	r.seg[X86_SEG_DS].base = MMIO_LA - 0xf000;
	r.gpr[X86_RBX] = 0xfffe;
	CHECK_EQ(emulate_hex("8b 03", X86_PROT32, &r, MMIO_GPA + 0xffe, false), -EFAULT);
	CHECK_EQ(emulate_hex("66 8b 03", X86_PROT32, &r, MMIO_GPA + 0xffe, false), 0);

	/* 32-bit linear addresses wrap at 4 GiB. */
	r.seg[X86_SEG_DS] = (struct x86_segment){0xfffff000, 0xffffffff, 0};
	r.gpr[X86_RBX] = 0x1010;
	CHECK_EQ(emulate_hex("8b 03", X86_PROT32, &r, MMIO_GPA + 0x10, false), 0);
	CHECK_EQ(emulate_hex("8b 07", X86_PROT16, &r, MMIO_GPA + 0x10, false), 0);    /* [bx] */
	CHECK_EQ(emulate_hex("67 8b 03", X86_PROT16, &r, MMIO_GPA + 0x10, false), 0); /* [ebx] */
	CHECK_EQ(emulate_hex("8b 03", X86_PROT16, &r, MMIO_GPA + 0x10, false),
		 -EFAULT); /* [bp+di] */
}

TEST(operand_must_match_fault)
{
	struct x86_regs r;

	fk_reset();
	regs_init(&r);
	r.gpr[X86_RBX] = MMIO_LA + 0x40;
	CHECK_EQ(emulate_hex("8b 03", X86_LONG64, &r, MMIO_GPA + 0x44, false), -EFAULT);
	CHECK_EQ(emulate_hex("8b 43 04", X86_LONG64, &r, MMIO_GPA + 0x44, false), 0);
	/* A split access (crossing the page end) has no single gpa. */
	r.gpr[X86_RBX] = MMIO_LA + 0xffe;
	CHECK_EQ(emulate_hex("8b 03", X86_LONG64, &r, MMIO_GPA + 0xffe, false), -ENOSYS);
	CHECK_EQ(emulate_hex("66 8b 03", X86_LONG64, &r, MMIO_GPA + 0xffe, false), 0);
	CHECK_EQ(fk.nlog, 2); /* "8b 43 04" and this one */
	CHECK(!fk.bad_access);
}

TEST(alu_byte_registers_and_lock)
{
	struct x86_regs r;
	uint64_t g = MMIO_GPA + 0x20;

	fk_reset();
	regs_init(&r);
	r.gpr[X86_RBX] = MMIO_LA + 0x20;
	mmio_put(0x20, 1, 0x0f);
	r.gpr[X86_RAX] = 0xf000;
	CHECK_EQ(emulate_hex("08 23", X86_LONG64, &r, g, true), 0); /* or [rbx], ah */
	CHECK_EQ(mmio_get(0x20, 1), 0xff);
	CHECK_EQ(r.rflags & FLAGS6, 0x84); /* SF PF */
	r.gpr[X86_RDX] = 0x0100;
	CHECK_EQ(emulate_hex("02 33", X86_LONG64, &r, g, false), 0); /* add dh, [rbx] */
	CHECK_EQ(r.gpr[X86_RDX], 0x0000);
	CHECK_EQ(r.rflags & (RFLAGS_CF | RFLAGS_ZF), RFLAGS_CF | RFLAGS_ZF);
	r.gpr[X86_RSI] = 0x01;
	CHECK_EQ(emulate_hex("40 02 33", X86_LONG64, &r, g, false), 0); /* add sil, [rbx] */
	CHECK_EQ(r.gpr[X86_RSI], 0x00);

	/* LOCK: fine on a memory destination; the decoder refuses it elsewhere,
	 * and so does the emulator when handed such an instruction. */
	mmio_put(0x20, 4, 1);
	r.gpr[X86_RAX] = 2;
	CHECK_EQ(emulate_hex("f0 01 03", X86_LONG64, &r, g, true), 0);
	CHECK_EQ(mmio_get(0x20, 4), 3);
	CHECK_EQ(emulate_hex("f0 83 0b 10", X86_LONG64, &r, g, true), 0);
	CHECK_EQ(mmio_get(0x20, 4), 0x13);
	{
		struct x86_insn in;
		uint8_t b[] = {0x8b, 0x03};

		CHECK_EQ(x86_decode(b, 2, X86_LONG64, 0, &in), 0);
		in.lock = true;
		CHECK_EQ(x86_emulate_mmio(&in, &r, g, false, &fk_ops, &fk), -EINVAL);
	}
}

TEST(refused_forms)
{
	static const struct {
		const char *hex;
		int want;
	} c[] = {
		{"01 c8", -EINVAL}, /* register form */
		{"8b c3", -EINVAL},
		{"04 01", -EINVAL}, /* add al, imm: no memory */
		{"3d 01 00 00 00", -EINVAL},
		{"0f b6 c3", -EINVAL},
		{"0f a3 c3", -EINVAL},
		{"86 c3", -EINVAL},
		{"0f af 03", -ENOSYS}, /* imul */
		{"f7 13", -ENOSYS},    /* not */
		{"f7 1b", -ENOSYS},    /* neg */
		{"f7 33", -ENOSYS},    /* div */
		{"ff 03", -ENOSYS},    /* inc */
		{"ff 33", -ENOSYS},    /* push [rbx] */
		{"8f 03", -ENOSYS},    /* pop [rbx] */
		{"d1 23", -ENOSYS},    /* shl */
		{"0f b1 0b", -ENOSYS}, /* cmpxchg */
		{"0f c1 0b", -ENOSYS}, /* xadd */
		{"a6", -ENOSYS},       /* cmpsb */
		{"ac", -ENOSYS},       /* lodsb */
		{"ae", -ENOSYS},       /* scasb */
		{"6c", -ENOSYS},       /* insb */
		{"f2 a4", -ENOSYS},    /* repne movsb */
		{"f2 aa", -ENOSYS},
		{"0f 6f 03", -ENOSYS},		/* movq mm0, [rbx] */
		{"66 0f 6f 03", -ENOSYS},	/* movdqa */
		{"0f c3 0b", -ENOSYS},		/* movnti */
		{"c5 fe 6f 03", -ENOSYS},	/* vmovdqu */
		{"62 f1 7c 48 10 03", -ENOSYS}, /* evex vmovups */
		{"0f 38 f0 03", -ENOSYS},	/* movbe */
		{"8c 03", -ENOSYS},		/* mov [rbx], es */
		{"c7 f8 00 00 00 00", -ENOSYS}, /* xbegin */
		{"d8 03", -ENOSYS},		/* fadd */
		{"0f 01 d8", -ENOSYS},		/* vmrun */
	};
	for (size_t k = 0; k < sizeof(c) / sizeof(c[0]); k++) {
		struct x86_regs r;
		int rc;

		fk_reset();
		regs_init(&r);
		r.gpr[X86_RBX] = MMIO_LA;
		r.gpr[X86_RSI] = MMIO_LA;
		r.gpr[X86_RDI] = MMIO_LA;
		rc = emulate_hex(c[k].hex, X86_LONG64, &r, MMIO_GPA, false);
		if (rc != c[k].want)
			printf("  \"%s\": %d, want %d\n", c[k].hex, rc, c[k].want);
		CHECK_EQ(rc, c[k].want);
		CHECK_EQ(fk.nlog, 0);
	}
}

TEST(device_errors_propagate)
{
	struct x86_regs r, before;

	fk_reset();
	regs_init(&r);
	r.gpr[X86_RBX] = MMIO_LA;
	r.gpr[X86_RCX] = 5;
	before = r;
	fk.mmio_error = -EIO;
	CHECK_EQ(emulate_hex("8b 0b", X86_LONG64, &r, MMIO_GPA, false), -EIO);
	CHECK_EQ(emulate_hex("01 0b", X86_LONG64, &r, MMIO_GPA, true), -EIO);
	CHECK_EQ(emulate_hex("87 0b", X86_LONG64, &r, MMIO_GPA, true), -EIO);
	CHECK_EQ(emulate_hex("0f ab 0b", X86_LONG64, &r, MMIO_GPA, true), -EIO);
	CHECK(memcmp(&r, &before, sizeof(r)) == 0);
}

TEST(xchg)
{
	struct x86_regs r;

	fk_reset();
	regs_init(&r);
	r.gpr[X86_RBX] = MMIO_LA + 0x8;
	mmio_put(0x8, 8, 0x1111111122222222ull);
	r.gpr[X86_RCX] = 0xffffffff33333333ull;
	CHECK_EQ(emulate_hex("87 0b", X86_LONG64, &r, MMIO_GPA + 8, true), 0);
	CHECK_EQ(r.gpr[X86_RCX], 0x22222222);
	CHECK_EQ(mmio_get(0x8, 8), 0x1111111133333333ull);
	CHECK_EQ(fk.nlog, 2);
	CHECK(!fk.log[0].write && fk.log[1].write);
	r.gpr[X86_RCX] = 0xaabb;
	CHECK_EQ(emulate_hex("86 2b", X86_LONG64, &r, MMIO_GPA + 8, true), 0); /* xchg [rbx], ch */
	CHECK_EQ(r.gpr[X86_RCX], 0x33bb);
	CHECK_EQ(mmio_get(0x8, 1), 0xaa);
	r.gpr[X86_R10] = 0x0102030405060708ull;
	CHECK_EQ(emulate_hex("f0 4c 87 13", X86_LONG64, &r, MMIO_GPA + 8, true), 0);
	CHECK_EQ(mmio_get(0x8, 8), 0x0102030405060708ull);
	CHECK_EQ(r.gpr[X86_R10], 0x11111111333333aaull);
}

/* ---- BT family: the host's own memory is the oracle for bit-string addressing. ---- */

#define HOST_BT(name, insn, type, sfx)                                   \
	static int host_##name##sfx(uint8_t *p, int64_t off)             \
	{                                                                \
		uint8_t cf;                                              \
		type o = (type)off;                                      \
		__asm__ volatile(insn #sfx " %[o], (%[p])\n\tsetc %[cf]" \
				 : [cf] "=q"(cf)                         \
				 : [o] "r"(o), [p] "r"(p)                \
				 : "cc", "memory");                      \
		return cf;                                               \
	}
#define HOST_BT3(name)                    \
	HOST_BT(name, #name, uint16_t, w) \
	HOST_BT(name, #name, uint32_t, l) HOST_BT(name, #name, uint64_t, q)
HOST_BT3(bt)
HOST_BT3(bts)
HOST_BT3(btr)
HOST_BT3(btc)

typedef int (*host_bt_fn)(uint8_t *, int64_t);
static const host_bt_fn host_bt[4][3] = {
	{host_btw, host_btl, host_btq},
	{host_btsw, host_btsl, host_btsq},
	{host_btrw, host_btrl, host_btrq},
	{host_btcw, host_btcl, host_btcq},
};

TEST(bt_register_offset_matches_host)
{
	static const uint8_t opc[4] = {0xa3, 0xab, 0xb3, 0xbb};
	const unsigned int mid = 0x800; /* the operand address inside the page */

	for (unsigned int kind = 0; kind < 4; kind++) {
		for (unsigned int si = 0; si < 3; si++) {
			unsigned int size = 2u << si;

			for (int64_t off = -300; off <= 300; off += 7) {
				uint8_t host[4096], code[8];
				struct x86_insn in;
				struct x86_regs r;
				size_t n = 0;
				int64_t adj = (off >= 0 ? off / (8 * size)
							: -((-off + 8 * (int64_t)size - 1) /
							    (8 * (int64_t)size))) *
					      (int64_t)size;
				int cf, rc;

				fk_reset();
				memcpy(host, fk.mmio, sizeof(host));
				cf = host_bt[kind][si](host + mid, off);
				if (size == 2)
					code[n++] = 0x66;
				if (size == 8)
					code[n++] = 0x48;
				code[n++] = 0x0f;
				code[n++] = opc[kind];
				code[n++] = 0x03; /* [rbx], eax */
				regs_init(&r);
				r.rflags |= RFLAGS_CF * (uint64_t)!cf; /* must change */
				r.gpr[X86_RBX] = MMIO_LA + mid;
				r.gpr[X86_RAX] = (uint64_t)off;
				if (size == 2)
					r.gpr[X86_RAX] = (uint16_t)off | 0x55550000ull;
				CHECK_EQ(x86_decode(code, n, X86_LONG64, 0, &in), 0);
				rc = x86_emulate_mmio(&in, &r, MMIO_GPA + mid + adj, kind != 0,
						      &fk_ops, &fk);
				CHECK_EQ(rc, 0);
				CHECK_EQ(r.rflags & RFLAGS_CF, (uint64_t)cf);
				CHECK(memcmp(host, fk.mmio, sizeof(host)) == 0);
				CHECK_EQ(fk.nlog, kind ? 2 : 1);
				CHECK_EQ(fk.log[0].size, size);
				if (check_failed_) {
					printf("  kind %u size %u off %lld\n", kind, size,
					       (long long)off);
					return;
				}
			}
		}
	}
}

TEST(bt_immediate)
{
	struct x86_regs r;

	fk_reset();
	regs_init(&r);
	r.gpr[X86_RBX] = MMIO_LA + 0x10;
	mmio_put(0x10, 8, 0);
	CHECK_EQ(emulate_hex("48 0f ba 2b 3f", X86_LONG64, &r, MMIO_GPA + 0x10, true), 0);
	CHECK_EQ(mmio_get(0x10, 8), 0x8000000000000000ull); /* bts bit 63 */
	CHECK_EQ(r.rflags & RFLAGS_CF, 0);
	CHECK_EQ(emulate_hex("0f ba 3b 45", X86_LONG64, &r, MMIO_GPA + 0x10, true), 0);
	CHECK_EQ(mmio_get(0x10, 8), 0x8000000000000020ull); /* btc: 0x45 mod 32 = 5 */
	CHECK_EQ(emulate_hex("66 0f ba 33 05", X86_LONG64, &r, MMIO_GPA + 0x10, true), 0);
	CHECK_EQ(r.rflags & RFLAGS_CF, RFLAGS_CF); /* btr word bit 5: was set */
	CHECK_EQ(mmio_get(0x10, 8), 0x8000000000000000ull);
	CHECK_EQ(emulate_hex("48 0f ba 23 3f", X86_LONG64, &r, MMIO_GPA + 0x10, false), 0);
	CHECK_EQ(r.rflags & RFLAGS_CF, RFLAGS_CF);
	CHECK_EQ(fk.log[fk.nlog - 1].write, false); /* bt only reads */
}

/* ---- String instructions. ---- */

TEST(stos_single_and_rep)
{
	struct x86_regs r;

	fk_reset();
	regs_init(&r);
	r.gpr[X86_RDI] = MMIO_LA + 0x100;
	r.gpr[X86_RAX] = 0x1122334455667788ull;
	CHECK_EQ(emulate_hex("aa", X86_LONG64, &r, MMIO_GPA + 0x100, true), X86_EMU_DONE);
	CHECK_EQ(r.gpr[X86_RDI], MMIO_LA + 0x101);
	CHECK_EQ(fk.log[0].val, 0x88);
	CHECK_EQ(emulate_hex("48 ab", X86_LONG64, &r, MMIO_GPA + 0x101, true), X86_EMU_DONE);
	CHECK_EQ(r.gpr[X86_RDI], MMIO_LA + 0x109);
	CHECK_EQ(mmio_get(0x101, 8), 0x1122334455667788ull);
	r.rflags |= RFLAGS_DF;
	CHECK_EQ(emulate_hex("66 ab", X86_LONG64, &r, MMIO_GPA + 0x109, true), X86_EMU_DONE);
	CHECK_EQ(r.gpr[X86_RDI], MMIO_LA + 0x107);
	r.rflags &= ~RFLAGS_DF;

	/* rep stosd, all inside the page: one call does every iteration. */
	fk_reset();
	r.gpr[X86_RDI] = MMIO_LA + 0x200;
	r.gpr[X86_RCX] = 10;
	CHECK_EQ(emulate_hex("f3 ab", X86_LONG64, &r, MMIO_GPA + 0x200, true), X86_EMU_DONE);
	CHECK_EQ(r.gpr[X86_RCX], 0);
	CHECK_EQ(r.gpr[X86_RDI], MMIO_LA + 0x228);
	CHECK_EQ(fk.nlog, 10);
	for (unsigned int k = 0; k < fk.nlog; k++) {
		CHECK_EQ(fk.log[k].gpa, MMIO_GPA + 0x200 + 4 * k);
		CHECK_EQ(fk.log[k].val, 0x55667788);
	}

	/* Up to the page end, then REPEAT with the rest in rcx. */
	fk_reset();
	r.gpr[X86_RDI] = MMIO_LA + 0xff0;
	r.gpr[X86_RCX] = 0x100;
	CHECK_EQ(emulate_hex("f3 aa", X86_LONG64, &r, MMIO_GPA + 0xff0, true), X86_EMU_REPEAT);
	CHECK_EQ(fk.nlog, 16);
	CHECK_EQ(r.gpr[X86_RCX], 0xf0);
	CHECK_EQ(r.gpr[X86_RDI], MMIO_LA + 0x1000);
	CHECK(!fk.bad_access);

	/* Downwards (DF = 1) to the page start. */
	fk_reset();
	r.rflags |= RFLAGS_DF;
	r.gpr[X86_RDI] = MMIO_LA + 0x8;
	r.gpr[X86_RCX] = 5;
	CHECK_EQ(emulate_hex("f3 ab", X86_LONG64, &r, MMIO_GPA + 0x8, true), X86_EMU_REPEAT);
	CHECK_EQ(fk.nlog, 3); /* 8, 4, 0 */
	CHECK_EQ(fk.log[2].gpa, MMIO_GPA);
	CHECK_EQ(r.gpr[X86_RCX], 2);
	CHECK_EQ(r.gpr[X86_RDI], MMIO_LA - 4);
	r.rflags &= ~RFLAGS_DF;

	/* rcx = 0: nothing at all. */
	fk_reset();
	r.gpr[X86_RCX] = 0;
	CHECK_EQ(emulate_hex("f3 aa", X86_LONG64, &r, MMIO_GPA, true), X86_EMU_DONE);
	CHECK_EQ(fk.nlog, 0);
	/* 32-bit address size in 64-bit mode: ecx counts, upper halves clear. */
	r.gpr[X86_RCX] = 0xffffffff00000002ull;
	r.gpr[X86_RDI] = 0xabcd000000000000ull | (MMIO_LA + 0x10);
	CHECK_EQ(emulate_hex("67 f3 aa", X86_LONG64, &r, MMIO_GPA + 0x10, true), X86_EMU_DONE);
	CHECK_EQ(r.gpr[X86_RCX], 0);
	CHECK_EQ(r.gpr[X86_RDI], MMIO_LA + 0x12);
}

TEST(stos_16bit_wrap_and_limits)
{
	struct x86_regs r;

	/* Real mode, di wraps from 0xffff to 0: the linear address jumps back, so
	 * the batch stops there; bits 63:16 of rdi and rcx are kept. */
	fk_reset();
	regs_init(&r);
	r.seg[X86_SEG_ES].base = MMIO_LA - 0xf000;
	r.seg[X86_SEG_ES].limit = 0xffff;
	r.gpr[X86_RDI] = 0xdead0000fffeull;
	r.gpr[X86_RCX] = 0x77770004;
	r.gpr[X86_RAX] = 0x4142;
	CHECK_EQ(emulate_hex("f3 aa", X86_REAL, &r, MMIO_GPA + 0xffe, true), X86_EMU_REPEAT);
	CHECK_EQ(fk.nlog, 2);
	CHECK_EQ(r.gpr[X86_RDI], 0xdead00000000ull);
	CHECK_EQ(r.gpr[X86_RCX], 0x77770002);

	/* Protected mode: ES limit in the middle of the page ends the batch; the
	 * guest re-executes and takes #GP in hardware. */
	fk_reset();
	r.seg[X86_SEG_ES] = (struct x86_segment){MMIO_LA, 0x10f, 0};
	r.gpr[X86_RDI] = 0x100;
	r.gpr[X86_RCX] = 100;
	CHECK_EQ(emulate_hex("f3 ab", X86_PROT32, &r, MMIO_GPA + 0x100, true), X86_EMU_REPEAT);
	CHECK_EQ(fk.nlog, 4); /* 0x100, 0x104, 0x108, 0x10c */
	CHECK_EQ(r.gpr[X86_RCX], 96);
	/* The first iteration beyond the limit cannot have faulted on MMIO. */
	CHECK_EQ(emulate_hex("f3 ab", X86_PROT32, &r, MMIO_GPA + 0x110, true), -EFAULT);
	CHECK_EQ(r.gpr[X86_RCX], 96);
}

TEST(movs_between_ram_and_mmio)
{
	struct x86_regs r;

	/* RAM -> MMIO: a write fault, rep movsd. */
	fk_reset();
	regs_init(&r);
	r.gpr[X86_RSI] = RAM_LA + 0x40;
	r.gpr[X86_RDI] = MMIO_LA + 0x300;
	r.gpr[X86_RCX] = 4;
	CHECK_EQ(emulate_hex("f3 a5", X86_LONG64, &r, MMIO_GPA + 0x300, true), X86_EMU_DONE);
	CHECK(memcmp(&fk.mmio[0x300], &fk.ram[0x40], 16) == 0);
	CHECK_EQ(fk.nlog, 4);
	CHECK_EQ(r.gpr[X86_RSI], RAM_LA + 0x50);
	CHECK_EQ(r.gpr[X86_RDI], MMIO_LA + 0x310);
	CHECK_EQ(r.gpr[X86_RCX], 0);

	/* MMIO -> RAM: a read fault; the page offsets are equal on purpose, only
	 * the access type tells the sides apart. */
	fk_reset();
	r.gpr[X86_RSI] = MMIO_LA + 0x40;
	r.gpr[X86_RDI] = RAM_LA + 0x1040;
	r.gpr[X86_RCX] = 3;
	CHECK_EQ(emulate_hex("f3 48 a5", X86_LONG64, &r, MMIO_GPA + 0x40, false), X86_EMU_DONE);
	CHECK(memcmp(&fk.ram[0x1040], &fk.mmio[0x40], 24) == 0);
	CHECK_EQ(fk.nlog, 3);
	CHECK(!fk.log[0].write && fk.log[0].size == 8);

	/* Single movsb with an FS source in 64-bit mode. */
	fk_reset();
	r.seg[X86_SEG_FS].base = MMIO_LA;
	r.gpr[X86_RSI] = 0x77;
	r.gpr[X86_RDI] = RAM_LA + 5;
	CHECK_EQ(emulate_hex("64 a4", X86_LONG64, &r, MMIO_GPA + 0x77, false), X86_EMU_DONE);
	CHECK_EQ(fk.ram[5], fk.mmio[0x77]);
	CHECK_EQ(r.gpr[X86_RSI], 0x78);

	/* RAM side faults on the first iteration: the error goes to the caller
	 * (which injects #PF), registers untouched; on a later one: REPEAT. */
	fk_reset();
	fk.ram_hole = RAM_LA + 0x2000;
	r.gpr[X86_RSI] = RAM_LA + 0x2000;
	r.gpr[X86_RDI] = MMIO_LA;
	r.gpr[X86_RCX] = 8;
	CHECK_EQ(emulate_hex("f3 a4", X86_LONG64, &r, MMIO_GPA, true), -EFAULT);
	CHECK_EQ(r.gpr[X86_RCX], 8);
	CHECK_EQ(r.gpr[X86_RSI], RAM_LA + 0x2000);
	CHECK_EQ(fk.nlog, 0);
	r.gpr[X86_RSI] = RAM_LA + 0x1ffe;
	CHECK_EQ(emulate_hex("f3 a4", X86_LONG64, &r, MMIO_GPA, true), X86_EMU_REPEAT);
	CHECK_EQ(r.gpr[X86_RCX], 6);
	CHECK_EQ(r.gpr[X86_RSI], RAM_LA + 0x2000);
	CHECK_EQ(r.gpr[X86_RDI], MMIO_LA + 2);
	CHECK_EQ(fk.nlog, 2);

	/* The MMIO side named by the access type must match the fault. */
	fk_reset();
	r.gpr[X86_RSI] = RAM_LA + 0x10;
	r.gpr[X86_RDI] = MMIO_LA + 0x20;
	CHECK_EQ(emulate_hex("a4", X86_LONG64, &r, MMIO_GPA + 0x20, false), -EFAULT);
	CHECK_EQ(fk.nlog, 0);

	/* 16-bit: movsw in real mode with DS:SI -> ES:DI. */
	fk_reset();
	regs_init(&r);
	r.seg[X86_SEG_DS] = (struct x86_segment){RAM_LA, 0xffff, 0};
	r.seg[X86_SEG_ES] = (struct x86_segment){MMIO_LA, 0xffff, 0};
	r.gpr[X86_RSI] = 0x10;
	r.gpr[X86_RDI] = 0x20;
	r.gpr[X86_RCX] = 2;
	CHECK_EQ(emulate_hex("f3 a5", X86_REAL, &r, MMIO_GPA + 0x20, true), X86_EMU_DONE);
	CHECK(memcmp(&fk.mmio[0x20], &fk.ram[0x10], 4) == 0);
	CHECK_EQ(fk.log[0].size, 2);
	CHECK_EQ(r.gpr[X86_RDI], 0x24);
}

/* ---- Random instructions: no crash, sane results, accesses inside the page. ---- */

TEST(fuzz_random_instructions)
{
	unsigned int done = 0;

	for (unsigned int n = 0; n < 60000; n++) {
		enum x86_mode mode = (enum x86_mode)(n & 3);
		uint8_t b[15];
		struct x86_insn in;
		struct x86_regs r, before;
		uint64_t gpa;
		int rc;

		for (unsigned int k = 0; k < sizeof(b); k++)
			b[k] = (uint8_t)rng64();
		if (n & 4) { /* bias towards the supported opcodes */
			static const uint8_t ops[] = {0x01, 0x0a, 0x13, 0x1b, 0x21, 0x2a, 0x33,
						      0x38, 0x63, 0x80, 0x81, 0x83, 0x84, 0x87,
						      0x88, 0x8b, 0xa1, 0xa2, 0xa4, 0xa5, 0xaa,
						      0xab, 0xc6, 0xc7, 0xf6, 0xf7};
			unsigned int k = 0;

			if (rng64() & 1)
				b[k++] = (uint8_t[]){0x66, 0x67, 0xf3, 0xf0, 0x64}[rng64() % 5];
			if (mode == X86_LONG64 && (rng64() & 1))
				b[k++] = 0x40 | (rng64() & 15);
			if (rng64() % 4 == 0) {
				b[k++] = 0x0f;
				b[k++] = (uint8_t[]){0xb6, 0xb7, 0xbe, 0xbf, 0xa3,
						     0xab, 0xb3, 0xbb, 0xba}[rng64() % 9];
			} else {
				b[k++] = ops[rng64() % sizeof(ops)];
			}
		}
		if (x86_decode(b, sizeof(b), mode, 0, &in))
			continue;
		fk_reset();
		regs_init(&r);
		for (int g = 0; g < 16; g++)
			r.gpr[g] = (rng64() & 1) ? MMIO_LA + (rng64() & 0xfff) : rng64();
		r.gpr[X86_RCX] &= 0xffff;
		r.rflags = (rng64() & (FLAGS6 | RFLAGS_DF)) | 0x202;
		gpa = MMIO_GPA + (rng64() & 0xfff);
		if (in.has_mem && (rng64() & 1)) /* make the operand match the fault */
			gpa = MMIO_GPA +
			      (x86_effective_address(&in, &r, x86_next_rip(&in, r.rip)) & 0xfff);
		else if (rng64() & 1)
			gpa = MMIO_GPA + (r.gpr[X86_RDI] & 0xfff);
		before = r;
		rc = x86_emulate_mmio(&in, &r, gpa, rng64() & 1, &fk_ops, &fk);
		CHECK(rc == X86_EMU_DONE || rc == X86_EMU_REPEAT || rc == -ENOSYS ||
		      rc == -EINVAL || rc == -EFAULT);
		CHECK(!fk.bad_access);
		CHECK_EQ(r.rip, before.rip);
		CHECK((r.rflags & ~(FLAGS6)) == (before.rflags & ~(FLAGS6)));
		if (rc < 0)
			CHECK(memcmp(&r, &before, sizeof(r)) == 0);
		if (rc >= 0)
			done++;
		if (check_failed_) {
			printf("  mode %d rc %d bytes", mode, rc);
			for (unsigned int k = 0; k < in.len; k++)
				printf(" %02x", b[k]);
			printf("\n");
			return;
		}
	}
	CHECK(done > 1000); /* the bias must reach the emulation paths */
}

int main(void)
{
	RUN(alu_flags_match_host);
	RUN(mov_forms_long_mode);
	RUN(moffs_each_address_size);
	RUN(movzx_movsx_movsxd);
	RUN(real_and_protected_addressing);
	RUN(operand_must_match_fault);
	RUN(alu_byte_registers_and_lock);
	RUN(refused_forms);
	RUN(device_errors_propagate);
	RUN(xchg);
	RUN(bt_register_offset_matches_host);
	RUN(bt_immediate);
	RUN(stos_single_and_rep);
	RUN(stos_16bit_wrap_and_limits);
	RUN(movs_between_ram_and_mmio);
	RUN(fuzz_random_instructions);
	return CHECK_DONE();
}
