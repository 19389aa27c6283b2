/* Host tests for kernel/vdev/lapic.c: one virtual local APIC against a fake
 * world (clock, TSC, 8259, IPI and EOI sinks). IPIs between two APICs through
 * the real routing are in test_virq.c. */
#include <stdint.h>

#include "tests/unit/check.h"

#include "kernel/vdev/lapic.c"

#define TSC_HZ 2000000000ULL /* the fake guest TSC: 2 ticks per ns, from 1e6 */

struct fake {
	uint64_t now;
	int kicks;
	unsigned last_kick;
	int ipis;
	uint32_t ipi_lo, ipi_hi;
	int eois;
	uint8_t eoi_vector;
	bool pic_intr;
	int pic_vector, pic_acks;
};

static uint64_t f_now(void *ctx)
{
	return ((struct fake *)ctx)->now;
}

static uint64_t f_tsc(void *ctx)
{
	return 1000000 + ((struct fake *)ctx)->now * 2;
}

static void f_kick(void *ctx, unsigned id)
{
	struct fake *f = ctx;
	f->kicks++;
	f->last_kick = id;
}

static void f_ipi(void *ctx, struct vlapic *src, uint32_t lo, uint32_t hi)
{
	struct fake *f = ctx;
	(void)src;
	f->ipis++;
	f->ipi_lo = lo;
	f->ipi_hi = hi;
}

static void f_eoi(void *ctx, uint8_t v)
{
	struct fake *f = ctx;
	f->eois++;
	f->eoi_vector = v;
}

static int f_extint(void *ctx, struct vlapic *l, bool ack)
{
	struct fake *f = ctx;
	(void)l;
	if (!f->pic_intr)
		return -1;
	if (ack) {
		f->pic_acks++;
		f->pic_intr = false;
	}
	return f->pic_vector;
}

static const struct vlapic_ops fake_ops = {
	.now_ns = f_now,
	.guest_tsc = f_tsc,
	.kick = f_kick,
	.send_ipi = f_ipi,
	.eoi = f_eoi,
	.extint = f_extint,
};

static struct fake F;

static uint32_t rd(struct vlapic *l, uint32_t reg)
{
	return (uint32_t)vlapic_mmio_read(l, reg, 4);
}

static void wr(struct vlapic *l, uint32_t reg, uint32_t v)
{
	vlapic_mmio_write(l, reg, 4, v);
}

/* An AP (vcpu 1) or the BSP (vcpu 0), software-enabled with spurious 0xff. */
static void setup(struct vlapic *l, unsigned vcpu)
{
	F = (struct fake){.now = 1000};
	vlapic_init(l, vcpu, vcpu == 0, TSC_HZ, &fake_ops, &F);
	wr(l, VLAPIC_SVR, 0x1ff);
}

static int fixed(struct vlapic *l, unsigned vector, bool level)
{
	struct vlapic_msg m = {.vector = (uint8_t)vector, .mode = VLAPIC_DM_FIXED, .level = level};
	return vlapic_deliver(l, &m);
}

static uint32_t read_esr(struct vlapic *l)
{
	wr(l, VLAPIC_ESR, 0);
	return rd(l, VLAPIC_ESR);
}

TEST(reset_registers)
{
	struct vlapic l;
	uint64_t v;

	vlapic_init(&l, 0, true, TSC_HZ, &fake_ops, &F);
	CHECK_EQ(rd(&l, VLAPIC_ID), 0);
	CHECK_EQ(rd(&l, VLAPIC_VER), 0x50014);
	CHECK_EQ(rd(&l, VLAPIC_SVR), 0xff);
	CHECK_EQ(rd(&l, VLAPIC_DFR), 0xffffffff);
	CHECK_EQ(rd(&l, VLAPIC_LDR), 0);
	CHECK_EQ(rd(&l, VLAPIC_TPR), 0);
	CHECK_EQ(rd(&l, VLAPIC_PPR), 0);
	CHECK_EQ(rd(&l, VLAPIC_LVT_TIMER), 0x10000);
	CHECK_EQ(rd(&l, VLAPIC_LVT_LINT0), 0x700); /* virtual wire on the BSP */
	CHECK_EQ(rd(&l, VLAPIC_LVT_LINT1), 0x10000);
	CHECK_EQ(rd(&l, VLAPIC_LVT_ERROR), 0x10000);
	CHECK_EQ(vlapic_msr_read(&l, MSR_IA32_APIC_BASE, &v), 0);
	CHECK_EQ(v, 0xfee00900);
	CHECK(vlapic_hw_enabled(&l));
	CHECK(!vlapic_sw_enabled(&l));

	vlapic_init(&l, 3, false, TSC_HZ, &fake_ops, &F);
	CHECK_EQ(rd(&l, VLAPIC_ID), 0x03000000);
	CHECK_EQ(rd(&l, VLAPIC_LVT_LINT0), 0x10000);
	CHECK_EQ(vlapic_msr_read(&l, MSR_IA32_APIC_BASE, &v), 0);
	CHECK_EQ(v, 0xfee00800);
	CHECK_EQ(vlapic_msr_read(&l, 0x10, &v), -ENOENT);
	CHECK_EQ(vlapic_msr_write(&l, 0x10, 0), -ENOENT);
}

TEST(software_disable_masks)
{
	struct vlapic l;

	vlapic_init(&l, 1, false, TSC_HZ, &fake_ops, &F);
	F = (struct fake){0};
	/* Software-disabled: fixed interrupts are not taken, LVTs stay masked. */
	CHECK_EQ(fixed(&l, 0x40, false), 0);
	CHECK_EQ(vlapic_pending_vector(&l), -1);
	CHECK_EQ(F.kicks, 0);
	wr(&l, VLAPIC_LVT_TIMER, 0x30);
	CHECK_EQ(rd(&l, VLAPIC_LVT_TIMER), 0x10030);
	/* NMI and INIT still are. */
	struct vlapic_msg nmi = {.mode = VLAPIC_DM_NMI};
	CHECK_EQ(vlapic_deliver(&l, &nmi), 1);
	CHECK(vlapic_take_nmi(&l));
	CHECK(!vlapic_take_nmi(&l));

	wr(&l, VLAPIC_SVR, 0x1ff);
	wr(&l, VLAPIC_LVT_TIMER, 0x30);
	wr(&l, VLAPIC_LVT_LINT0, 0x700);
	CHECK_EQ(rd(&l, VLAPIC_LVT_TIMER), 0x30);
	F.kicks = 0;
	CHECK_EQ(fixed(&l, 0x40, false), 1);
	CHECK_EQ(F.kicks, 1);
	CHECK_EQ(F.last_kick, 1);
	CHECK_EQ(vlapic_pending_vector(&l), 0x40);
	/* Disabling again masks every LVT and holds the IRR back. */
	wr(&l, VLAPIC_SVR, 0xff);
	CHECK_EQ(rd(&l, VLAPIC_LVT_TIMER), 0x10030);
	CHECK_EQ(rd(&l, VLAPIC_LVT_LINT0), 0x10700);
	CHECK_EQ(vlapic_pending_vector(&l), -1);
	CHECK_EQ(vlapic_accept(&l, 0x40), -1);
	wr(&l, VLAPIC_SVR, 0x1ff);
	CHECK_EQ(vlapic_pending_vector(&l), 0x40); /* held, not lost */
}

TEST(tpr_blocks_lower_classes)
{
	static const struct {
		uint8_t tpr, vector;
		bool deliverable;
	} c[] = {
		{0x00, 0x10, true},  {0x00, 0xff, true},  {0x10, 0x1f, false}, {0x10, 0x20, true},
		{0x3f, 0x3f, false}, {0x3f, 0x40, true},  {0x40, 0x40, false}, {0x4f, 0x4f, false},
		{0xef, 0xf0, true},  {0xf0, 0xff, false}, {0x0f, 0x10, true},  {0x20, 0x2f, false},
	};
	for (size_t i = 0; i < sizeof(c) / sizeof(c[0]); i++) {
		struct vlapic l;
		setup(&l, 1);
		wr(&l, VLAPIC_TPR, c[i].tpr);
		CHECK_EQ(rd(&l, VLAPIC_PPR), c[i].tpr);
		CHECK_EQ(fixed(&l, c[i].vector, false), 1);
		int want = c[i].deliverable ? c[i].vector : -1;
		if (vlapic_pending_vector(&l) != want)
			printf("  case %zu\n", i);
		CHECK_EQ(vlapic_pending_vector(&l), want);
		/* CR8 is TPR[7:4]. */
		vlapic_set_tpr(&l, 0);
		CHECK_EQ(vlapic_pending_vector(&l), c[i].vector);
		CHECK_EQ(vlapic_get_tpr(&l), 0);
	}
}

TEST(isr_nesting_and_eoi_order)
{
	struct vlapic l;

	setup(&l, 1);
	CHECK_EQ(fixed(&l, 0x31, false), 1);
	CHECK_EQ(vlapic_pending_vector(&l), 0x31);
	CHECK_EQ(vlapic_accept(&l, 0x31), 0x31);
	CHECK_EQ(rd(&l, VLAPIC_ISR + 0x10), 1u << 17);
	CHECK_EQ(rd(&l, VLAPIC_IRR + 0x10), 0);
	CHECK_EQ(rd(&l, VLAPIC_PPR), 0x30);
	/* Same class: blocked; higher class: nests. */
	fixed(&l, 0x3a, false);
	CHECK_EQ(vlapic_pending_vector(&l), -1);
	fixed(&l, 0x52, false);
	CHECK_EQ(vlapic_pending_vector(&l), 0x52);
	CHECK_EQ(vlapic_accept(&l, 0x52), 0x52);
	CHECK_EQ(rd(&l, VLAPIC_PPR), 0x50);
	/* An accept of something not pending fails. */
	CHECK_EQ(vlapic_accept(&l, 0x99), -1);
	CHECK_EQ(vlapic_accept(&l, 5), -1);
	CHECK_EQ(vlapic_accept(&l, 300), -1);
	/* EOI retires the highest in service first. */
	wr(&l, VLAPIC_EOI, 0);
	CHECK_EQ(rd(&l, VLAPIC_ISR + 0x20), 0);
	CHECK_EQ(rd(&l, VLAPIC_ISR + 0x10), 1u << 17);
	CHECK_EQ(vlapic_pending_vector(&l), -1); /* 0x3a still behind 0x31 */
	wr(&l, VLAPIC_EOI, 0);
	CHECK_EQ(rd(&l, VLAPIC_ISR + 0x10), 0);
	CHECK_EQ(vlapic_pending_vector(&l), 0x3a);
	CHECK_EQ(F.eois, 0);   /* edge: no broadcast */
	wr(&l, VLAPIC_EOI, 0); /* nothing in service: harmless */
	CHECK_EQ(F.eois, 0);
}

TEST(level_eoi_broadcast)
{
	struct vlapic l;

	setup(&l, 1);
	fixed(&l, 0x61, true);
	CHECK_EQ(rd(&l, VLAPIC_TMR + 0x30), 1u << 1);
	vlapic_accept(&l, 0x61);
	wr(&l, VLAPIC_EOI, 0);
	CHECK_EQ(F.eois, 1);
	CHECK_EQ(F.eoi_vector, 0x61);
	/* The same vector later as edge clears its TMR bit. */
	fixed(&l, 0x61, false);
	CHECK_EQ(rd(&l, VLAPIC_TMR + 0x30), 0);
	vlapic_accept(&l, 0x61);
	wr(&l, VLAPIC_EOI, 0);
	CHECK_EQ(F.eois, 1);
}

TEST(esr_and_illegal_vectors)
{
	struct vlapic l;

	setup(&l, 1);
	wr(&l, VLAPIC_LVT_ERROR, 0xfe);
	CHECK_EQ(fixed(&l, 0x0f, false), 0);
	CHECK_EQ(rd(&l, VLAPIC_ESR), 0); /* not visible before a write */
	CHECK_EQ(read_esr(&l), VLAPIC_ESR_RECV_ILLEGAL);
	CHECK_EQ(read_esr(&l), 0); /* the write cleared it */
	/* The error raised the error LVT. */
	CHECK_EQ(vlapic_pending_vector(&l), 0xfe);
	/* Sending an illegal vector: the IPI does not leave. */
	wr(&l, VLAPIC_ICR_LO, 0x4003);
	CHECK_EQ(F.ipis, 0);
	CHECK_EQ(read_esr(&l), VLAPIC_ESR_SEND_ILLEGAL);
	/* Lowest priority too; NMI ignores the vector field. */
	wr(&l, VLAPIC_ICR_LO, 0x4103);
	CHECK_EQ(F.ipis, 0);
	wr(&l, VLAPIC_ICR_LO, 0x4403);
	CHECK_EQ(F.ipis, 1);
	/* A reserved register. */
	CHECK_EQ(rd(&l, 0x040), 0);
	wr(&l, 0x2f0, 1); /* CMCI: beyond this APIC's LVTs */
	CHECK_EQ(read_esr(&l), VLAPIC_ESR_SEND_ILLEGAL | VLAPIC_ESR_ILLEGAL_REG);
	/* An error LVT with an illegal vector records it without looping. */
	wr(&l, VLAPIC_LVT_ERROR, 0x05);
	fixed(&l, 0x01, false);
	CHECK_EQ(read_esr(&l), VLAPIC_ESR_RECV_ILLEGAL);
}

TEST(mmio_access_rules)
{
	struct vlapic l;

	setup(&l, 2);
	wr(&l, VLAPIC_TPR, 0x5a);
	CHECK_EQ(vlapic_mmio_read(&l, VLAPIC_TPR, 1), 0x5a);
	CHECK_EQ(vlapic_mmio_read(&l, VLAPIC_VER + 2, 1), 0x05);
	CHECK_EQ(vlapic_mmio_read(&l, VLAPIC_VER + 1, 2), 0x0500);
	CHECK_EQ(vlapic_mmio_read(&l, VLAPIC_VER, 8), 0x50014);
	CHECK_EQ(vlapic_mmio_read(&l, VLAPIC_VER + 4, 4), 0); /* rest of the slot */
	CHECK_EQ(vlapic_mmio_read(&l, VLAPIC_VER, 3), UINT64_MAX);
	CHECK_EQ(vlapic_mmio_read(&l, 0x1000, 4), 0xffffffff);
	/* Writes other than aligned dwords are dropped. */
	vlapic_mmio_write(&l, VLAPIC_TPR, 1, 0x11);
	vlapic_mmio_write(&l, VLAPIC_TPR, 8, 0x11);
	vlapic_mmio_write(&l, VLAPIC_TPR + 4, 4, 0x11);
	vlapic_mmio_write(&l, 0x1080, 4, 0x11);
	CHECK_EQ(rd(&l, VLAPIC_TPR), 0x5a);
	/* Read-only and write-masked registers. */
	wr(&l, VLAPIC_VER, 0);
	wr(&l, VLAPIC_PPR, 0xff);
	wr(&l, VLAPIC_ISR, 0xffffffff);
	wr(&l, VLAPIC_IRR + 0x70, 0xffffffff);
	wr(&l, VLAPIC_TIMER_CCR, 5);
	CHECK_EQ(rd(&l, VLAPIC_VER), 0x50014);
	CHECK_EQ(rd(&l, VLAPIC_ISR), 0);
	CHECK_EQ(rd(&l, VLAPIC_IRR + 0x70), 0);
	CHECK_EQ(rd(&l, VLAPIC_TIMER_CCR), 0);
	CHECK_EQ(vlapic_pending_vector(&l), -1);
	wr(&l, VLAPIC_ID, 0xffffffff);
	CHECK_EQ(rd(&l, VLAPIC_ID), 0xff000000);
	wr(&l, VLAPIC_LDR, 0x12345678);
	CHECK_EQ(rd(&l, VLAPIC_LDR), 0x12000000);
	wr(&l, VLAPIC_DFR, 0);
	CHECK_EQ(rd(&l, VLAPIC_DFR), 0x0fffffff);
	wr(&l, VLAPIC_SVR, 0xffffffff);
	CHECK_EQ(rd(&l, VLAPIC_SVR), 0x3ff);
	wr(&l, VLAPIC_LVT_LINT1, 0xffffffff);
	CHECK_EQ(rd(&l, VLAPIC_LVT_LINT1), 0x1a7ff);
	wr(&l, VLAPIC_LVT_ERROR, 0xffffffff);
	CHECK_EQ(rd(&l, VLAPIC_LVT_ERROR), 0x100ff);
	wr(&l, VLAPIC_TIMER_DCR, 0xffffffff);
	CHECK_EQ(rd(&l, VLAPIC_TIMER_DCR), 0xb);
	CHECK_EQ(rd(&l, VLAPIC_EOI), 0);
}

TEST(icr_write_sends)
{
	struct vlapic l;

	setup(&l, 1);
	wr(&l, VLAPIC_ICR_HI, 0x02ffffff);
	CHECK_EQ(rd(&l, VLAPIC_ICR_HI), 0x02000000);
	CHECK_EQ(F.ipis, 0);
	wr(&l, VLAPIC_ICR_LO, 0xfffff7f1); /* reserved bits and busy dropped */
	CHECK_EQ(F.ipis, 1);
	CHECK_EQ(F.ipi_lo, 0x000cc7f1);
	CHECK_EQ(F.ipi_hi, 0x02000000);
	CHECK_EQ(rd(&l, VLAPIC_ICR_LO) & (1u << 12), 0); /* idle */
}

TEST(apr_ppr)
{
	struct vlapic l;

	setup(&l, 1);
	wr(&l, VLAPIC_TPR, 0x25);
	CHECK_EQ(rd(&l, VLAPIC_APR), 0x25);
	fixed(&l, 0x41, false);
	CHECK_EQ(rd(&l, VLAPIC_APR), 0x40);
	vlapic_accept(&l, 0x41);
	CHECK_EQ(rd(&l, VLAPIC_PPR), 0x40);
	CHECK_EQ(rd(&l, VLAPIC_APR), 0x40);
	wr(&l, VLAPIC_TPR, 0x47);
	CHECK_EQ(rd(&l, VLAPIC_PPR), 0x47);
	CHECK_EQ(vlapic_get_ppr(&l), 0x47);
}

struct timer_case {
	uint32_t dcr;
	unsigned divisor;
};

static const struct timer_case divides[] = {
	{0x0, 2}, {0x1, 4}, {0x2, 8}, {0x3, 16}, {0x8, 32}, {0x9, 64}, {0xa, 128}, {0xb, 1},
};

TEST(timer_one_shot_divides)
{
	for (size_t i = 0; i < sizeof(divides) / sizeof(divides[0]); i++) {
		struct vlapic l;
		unsigned d = divides[i].divisor;
		setup(&l, 1);
		wr(&l, VLAPIC_TIMER_DCR, divides[i].dcr);
		wr(&l, VLAPIC_LVT_TIMER, 0x40); /* one-shot */
		wr(&l, VLAPIC_TIMER_ICR, 1000);
		CHECK_EQ(rd(&l, VLAPIC_TIMER_ICR), 1000);
		CHECK_EQ(rd(&l, VLAPIC_TIMER_CCR), 1000);
		uint64_t due = 1000 + 1000ULL * d;
		CHECK_EQ(vlapic_next_deadline_ns(&l), due);
		F.now = 1000 + 250ULL * d;
		CHECK_EQ(rd(&l, VLAPIC_TIMER_CCR), 750);
		F.now = 1000 + 250ULL * d + 1; /* part of a count left: rounds up */
		CHECK_EQ(rd(&l, VLAPIC_TIMER_CCR), d == 1 ? 749 : 750);
		vlapic_tick(&l, due - 1);
		CHECK_EQ(vlapic_pending_vector(&l), -1);
		vlapic_tick(&l, due);
		CHECK_EQ(vlapic_pending_vector(&l), 0x40);
		F.now = due;
		CHECK_EQ(rd(&l, VLAPIC_TIMER_CCR), 0);
		CHECK_EQ(vlapic_next_deadline_ns(&l), UINT64_MAX);
		/* One shot only. */
		vlapic_accept(&l, 0x40);
		wr(&l, VLAPIC_EOI, 0);
		vlapic_tick(&l, due + 100000000);
		CHECK_EQ(vlapic_pending_vector(&l), -1);
		CHECK_EQ(rd(&l, VLAPIC_TIMER_ICR), 1000); /* stays readable */
	}
}

TEST(timer_periodic)
{
	struct vlapic l;

	setup(&l, 1);
	wr(&l, VLAPIC_TIMER_DCR, 0xb); /* divide by 1: 1 ns per count */
	wr(&l, VLAPIC_LVT_TIMER, VLAPIC_TIMER_PERIODIC | 0x50);
	wr(&l, VLAPIC_TIMER_ICR, 1000000); /* 1 ms */
	CHECK_EQ(vlapic_next_deadline_ns(&l), 1001000);
	int fired = 0;
	for (uint64_t t = 1000; t <= 1000 + 5000000; t += 1000) {
		vlapic_tick(&l, t);
		if (vlapic_pending_vector(&l) == 0x50) {
			fired++;
			vlapic_accept(&l, 0x50);
			wr(&l, VLAPIC_EOI, 0);
		}
	}
	CHECK_EQ(fired, 5);
	CHECK_EQ(vlapic_next_deadline_ns(&l), 6001000);
	F.now = 5001000 + 400000;
	CHECK_EQ(rd(&l, VLAPIC_TIMER_CCR), 600000);
	/* Late by several periods: the count still reads as the reload would have
	 * it, one interrupt is raised, and the next deadline is in the future. */
	F.now = 9001000 + 250000;
	CHECK_EQ(rd(&l, VLAPIC_TIMER_CCR), 750000);
	vlapic_tick(&l, F.now);
	CHECK_EQ(vlapic_pending_vector(&l), 0x50);
	CHECK_EQ(vlapic_next_deadline_ns(&l), 10001000);
	/* A zero initial count stops it. */
	wr(&l, VLAPIC_TIMER_ICR, 0);
	CHECK_EQ(vlapic_next_deadline_ns(&l), UINT64_MAX);
	CHECK_EQ(rd(&l, VLAPIC_TIMER_CCR), 0);
}

TEST(timer_periodic_min_period)
{
	struct vlapic l;

	setup(&l, 1);
	wr(&l, VLAPIC_TIMER_DCR, 0xb);
	wr(&l, VLAPIC_LVT_TIMER, VLAPIC_TIMER_PERIODIC | 0x50);
	wr(&l, VLAPIC_TIMER_ICR, 1); /* would be 1 GHz */
	CHECK_EQ(vlapic_next_deadline_ns(&l), 1000 + VLAPIC_MIN_PERIOD_NS);
	CHECK(rd(&l, VLAPIC_TIMER_CCR) <= 1);
	/* One-shot is not limited. */
	wr(&l, VLAPIC_LVT_TIMER, 0x50);
	wr(&l, VLAPIC_TIMER_ICR, 1);
	CHECK_EQ(vlapic_next_deadline_ns(&l), 1001);
}

TEST(timer_masked_and_divide_change)
{
	struct vlapic l;

	setup(&l, 1);
	wr(&l, VLAPIC_TIMER_DCR, 0xb);
	wr(&l, VLAPIC_LVT_TIMER, VLAPIC_LVT_MASKED | VLAPIC_TIMER_PERIODIC | 0x50);
	wr(&l, VLAPIC_TIMER_ICR, 1000000);
	/* Masked: counting goes on, nothing is raised, no wakeup is asked. */
	CHECK_EQ(vlapic_next_deadline_ns(&l), UINT64_MAX);
	vlapic_tick(&l, 1001000);
	CHECK_EQ(vlapic_pending_vector(&l), -1);
	/* Unmasked later: the periods that went by raised nothing. */
	F.now = 3501000;
	wr(&l, VLAPIC_LVT_TIMER, VLAPIC_TIMER_PERIODIC | 0x50);
	CHECK_EQ(vlapic_next_deadline_ns(&l), 4001000);
	CHECK_EQ(rd(&l, VLAPIC_TIMER_CCR), 500000);
	vlapic_tick(&l, F.now);
	CHECK_EQ(vlapic_pending_vector(&l), -1);
	/* Divide by 4 from here: 500000 counts left take 2 ms. */
	wr(&l, VLAPIC_TIMER_DCR, 0x1);
	CHECK_EQ(rd(&l, VLAPIC_TIMER_CCR), 500000);
	CHECK_EQ(vlapic_next_deadline_ns(&l), 3501000 + 2000000);
	vlapic_tick(&l, 5501000);
	CHECK_EQ(vlapic_pending_vector(&l), 0x50);
	CHECK_EQ(vlapic_next_deadline_ns(&l), 5501000 + 4000000); /* full reload */

	/* A masked one-shot that expired is gone when unmasked. */
	setup(&l, 1);
	wr(&l, VLAPIC_LVT_TIMER, VLAPIC_LVT_MASKED | 0x50);
	wr(&l, VLAPIC_TIMER_ICR, 10);
	F.now = 100000;
	wr(&l, VLAPIC_LVT_TIMER, 0x50);
	CHECK_EQ(vlapic_next_deadline_ns(&l), UINT64_MAX);
	vlapic_tick(&l, F.now);
	CHECK_EQ(vlapic_pending_vector(&l), -1);
}

TEST(timer_tsc_deadline)
{
	struct vlapic l;
	uint64_t v;

	setup(&l, 1);
	/* Outside TSC-deadline mode the MSR reads 0 and ignores writes. */
	CHECK_EQ(vlapic_msr_write(&l, MSR_IA32_TSC_DEADLINE, 12345), 0);
	CHECK_EQ(vlapic_msr_read(&l, MSR_IA32_TSC_DEADLINE, &v), 0);
	CHECK_EQ(v, 0);
	CHECK_EQ(vlapic_next_deadline_ns(&l), UINT64_MAX);

	wr(&l, VLAPIC_LVT_TIMER, VLAPIC_TIMER_TSCDL | 0x60);
	/* TSC now: 1e6 + 2 * 1000. 4001 TSC ticks ahead is 2000.5 ns: round up. */
	uint64_t tsc = f_tsc(&F);
	CHECK_EQ(vlapic_msr_write(&l, MSR_IA32_TSC_DEADLINE, tsc + 4001), 0);
	CHECK_EQ(vlapic_msr_read(&l, MSR_IA32_TSC_DEADLINE, &v), 0);
	CHECK_EQ(v, tsc + 4001);
	CHECK_EQ(vlapic_next_deadline_ns(&l), 1000 + 2001);
	/* Count registers do nothing in this mode. */
	wr(&l, VLAPIC_TIMER_ICR, 5);
	CHECK_EQ(rd(&l, VLAPIC_TIMER_ICR), 0);
	CHECK_EQ(rd(&l, VLAPIC_TIMER_CCR), 0);
	vlapic_tick(&l, 3000);
	CHECK_EQ(vlapic_pending_vector(&l), -1);
	vlapic_tick(&l, 3001);
	CHECK_EQ(vlapic_pending_vector(&l), 0x60);
	/* Fired: disarmed and the MSR cleared. */
	CHECK_EQ(vlapic_msr_read(&l, MSR_IA32_TSC_DEADLINE, &v), 0);
	CHECK_EQ(v, 0);
	CHECK_EQ(vlapic_next_deadline_ns(&l), UINT64_MAX);
	vlapic_accept(&l, 0x60);
	wr(&l, VLAPIC_EOI, 0);

	/* A deadline already passed fires on the write. */
	F.kicks = 0;
	CHECK_EQ(vlapic_msr_write(&l, MSR_IA32_TSC_DEADLINE, 1), 0);
	CHECK_EQ(vlapic_pending_vector(&l), 0x60);
	CHECK_EQ(F.kicks, 1);
	vlapic_accept(&l, 0x60);
	wr(&l, VLAPIC_EOI, 0);

	/* Writing 0 disarms. */
	vlapic_msr_write(&l, MSR_IA32_TSC_DEADLINE, f_tsc(&F) + 100);
	CHECK(vlapic_next_deadline_ns(&l) != UINT64_MAX);
	vlapic_msr_write(&l, MSR_IA32_TSC_DEADLINE, 0);
	CHECK_EQ(vlapic_next_deadline_ns(&l), UINT64_MAX);

	/* Changing the mode disarms and clears the deadline. */
	vlapic_msr_write(&l, MSR_IA32_TSC_DEADLINE, f_tsc(&F) + 100);
	wr(&l, VLAPIC_LVT_TIMER, 0x60);
	CHECK_EQ(vlapic_next_deadline_ns(&l), UINT64_MAX);
	wr(&l, VLAPIC_LVT_TIMER, VLAPIC_TIMER_TSCDL | 0x60);
	CHECK_EQ(vlapic_msr_read(&l, MSR_IA32_TSC_DEADLINE, &v), 0);
	CHECK_EQ(v, 0);
	/* So does a one-shot -> periodic change. */
	wr(&l, VLAPIC_LVT_TIMER, 0x60);
	wr(&l, VLAPIC_TIMER_ICR, 100);
	wr(&l, VLAPIC_LVT_TIMER, VLAPIC_TIMER_PERIODIC | 0x60);
	CHECK_EQ(vlapic_next_deadline_ns(&l), UINT64_MAX);
	/* The reserved mode 3 keeps the old mode. */
	wr(&l, VLAPIC_LVT_TIMER, VLAPIC_TIMER_MODE | 0x60);
	CHECK_EQ(rd(&l, VLAPIC_LVT_TIMER), VLAPIC_TIMER_PERIODIC | 0x60);
}

TEST(ticks_to_ns_rounding)
{
	static const struct {
		uint64_t ticks, hz, ns;
	} c[] = {
		{2000, 2000000000ULL, 1000},
		{2001, 2000000000ULL, 1001},
		{1, 3000000000ULL, 1},
		{3000000000ULL, 3000000000ULL, 1000000000ULL},
		{UINT64_MAX, 1, UINT64_MAX},
		{UINT64_MAX, 20000000000ULL, 922337203685477581ULL}, /* > 1.8e10 Hz path */
	};
	for (size_t i = 0; i < sizeof(c) / sizeof(c[0]); i++)
		CHECK_EQ(ticks_to_ns_ceil(c[i].ticks, c[i].hz), c[i].ns);
}

TEST(apic_base_msr)
{
	struct vlapic l;
	uint64_t v;

	setup(&l, 0);
	/* Reserved bits and x2APIC #GP. */
	CHECK_EQ(vlapic_msr_write(&l, MSR_IA32_APIC_BASE, 0xfee00900 | (1ULL << 10)), -EINVAL);
	CHECK_EQ(vlapic_msr_write(&l, MSR_IA32_APIC_BASE, 0xfee00900 | 1), -EINVAL);
	CHECK_EQ(vlapic_msr_write(&l, MSR_IA32_APIC_BASE, 0xfee00900 | (1ULL << 9)), -EINVAL);
	CHECK_EQ(vlapic_msr_write(&l, MSR_IA32_APIC_BASE, 0xfee00900 | (1ULL << 52)), -EINVAL);
	CHECK_EQ(vlapic_msr_read(&l, MSR_IA32_APIC_BASE, &v), 0);
	CHECK_EQ(v, 0xfee00900);
	/* Relocation; the BSP flag cannot be changed. */
	CHECK_EQ(vlapic_msr_write(&l, MSR_IA32_APIC_BASE, 0x1fee10800ULL), 0);
	CHECK_EQ(vlapic_msr_read(&l, MSR_IA32_APIC_BASE, &v), 0);
	CHECK_EQ(v, 0x1fee10900ULL);
	CHECK_EQ(vlapic_base(&l), 0x1fee10000ULL);
	CHECK(vlapic_mmio_claims(&l, 0x1fee10000ULL));
	CHECK(vlapic_mmio_claims(&l, 0x1fee10fffULL));
	CHECK(!vlapic_mmio_claims(&l, 0x1fee11000ULL));
	CHECK(!vlapic_mmio_claims(&l, 0xfee00000ULL));
	CHECK(!vlapic_mmio_claims(&l, 0x1fee0ffffULL));

	/* Global disable: the page goes away, state is lost, messages bounce. */
	wr(&l, VLAPIC_TPR, 0x20);
	fixed(&l, 0x80, false);
	CHECK_EQ(vlapic_msr_write(&l, MSR_IA32_APIC_BASE, 0xfee00000), 0);
	CHECK(!vlapic_hw_enabled(&l));
	CHECK(!vlapic_mmio_claims(&l, 0xfee00000));
	CHECK_EQ(vlapic_mmio_read(&l, VLAPIC_VER, 4), 0xffffffff);
	wr(&l, VLAPIC_TPR, 0x30); /* ignored */
	CHECK_EQ(fixed(&l, 0x80, false), 0);
	struct vlapic_msg nmi = {.mode = VLAPIC_DM_NMI};
	CHECK_EQ(vlapic_deliver(&l, &nmi), 0);
	/* TSC deadline writes are ignored too. */
	CHECK_EQ(vlapic_msr_write(&l, MSR_IA32_TSC_DEADLINE, 5), 0);
	/* Enabled again: as at power-up. */
	CHECK_EQ(vlapic_msr_write(&l, MSR_IA32_APIC_BASE, 0xfee00800), 0);
	CHECK(vlapic_hw_enabled(&l));
	CHECK_EQ(rd(&l, VLAPIC_TPR), 0);
	CHECK_EQ(rd(&l, VLAPIC_SVR), 0xff);
	CHECK_EQ(rd(&l, VLAPIC_IRR + 0x40), 0);
	CHECK_EQ(rd(&l, VLAPIC_ID), 0); /* the ID survives */
}

TEST(destination_matching)
{
	static const struct {
		uint32_t id, ldr, dfr;
		uint8_t dest;
		bool logical, match;
	} c[] = {
		/* physical */
		{0x01000000, 0, 0xffffffff, 0x01, false, true},
		{0x01000000, 0, 0xffffffff, 0x02, false, false},
		{0x01000000, 0, 0xffffffff, 0xff, false, true}, /* broadcast */
		{0x00000000, 0, 0xffffffff, 0x00, false, true},
		/* logical flat: any common bit */
		{0, 0x02000000, 0xffffffff, 0x02, true, true},
		{0, 0x02000000, 0xffffffff, 0x03, true, true},
		{0, 0x02000000, 0xffffffff, 0x01, true, false},
		{0, 0x02000000, 0xffffffff, 0xff, true, true},
		{0, 0x00000000, 0xffffffff, 0xff, true, false}, /* LDR 0: never */
		/* logical cluster: cluster 7:4 must match (15 = all), bits 3:0 */
		{0, 0x21000000, 0x0fffffff, 0x21, true, true},
		{0, 0x21000000, 0x0fffffff, 0x23, true, true},
		{0, 0x21000000, 0x0fffffff, 0x11, true, false},
		{0, 0x21000000, 0x0fffffff, 0x22, true, false},
		{0, 0x21000000, 0x0fffffff, 0xf1, true, true},
		{0, 0x21000000, 0x0fffffff, 0xff, true, true},
	};
	for (size_t i = 0; i < sizeof(c) / sizeof(c[0]); i++) {
		struct vlapic l;
		setup(&l, 1);
		wr(&l, VLAPIC_ID, c[i].id);
		wr(&l, VLAPIC_LDR, c[i].ldr);
		wr(&l, VLAPIC_DFR, c[i].dfr);
		if (vlapic_match_dest(&l, c[i].dest, c[i].logical) != c[i].match)
			printf("  case %zu\n", i);
		CHECK_EQ(vlapic_match_dest(&l, c[i].dest, c[i].logical), c[i].match);
	}
}

TEST(extint_through_lint0)
{
	struct vlapic l;

	setup(&l, 0);
	F.pic_vector = 0x21;
	CHECK(vlapic_accepts_extint(&l));
	CHECK_EQ(vlapic_pending_vector(&l), -1);
	F.pic_intr = true;
	vlapic_set_lint(&l, 0, true);
	CHECK_EQ(F.kicks, 1);
	/* ExtINT goes first and ignores the TPR. */
	fixed(&l, 0xe0, false);
	wr(&l, VLAPIC_TPR, 0xff);
	CHECK_EQ(vlapic_pending_vector(&l), 0x21);
	CHECK_EQ(vlapic_accept(&l, 0x21), 0x21);
	CHECK_EQ(F.pic_acks, 1);
	CHECK_EQ(rd(&l, VLAPIC_ISR + 0x10), 0); /* not in the APIC's ISR */
	CHECK_EQ(vlapic_pending_vector(&l), -1);
	wr(&l, VLAPIC_TPR, 0);
	CHECK_EQ(vlapic_pending_vector(&l), 0xe0);

	/* LINT0 masked or in another mode: the 8259 is not heard. */
	F.pic_intr = true;
	wr(&l, VLAPIC_LVT_LINT0, 0x10700);
	CHECK(!vlapic_accepts_extint(&l));
	CHECK_EQ(vlapic_pending_vector(&l), 0xe0);
	wr(&l, VLAPIC_LVT_LINT0, 0x00000);
	CHECK(!vlapic_accepts_extint(&l));
	/* Hardware-disabled: LINT0 is INTR. */
	vlapic_msr_write(&l, MSR_IA32_APIC_BASE, 0xfee00000);
	CHECK(vlapic_accepts_extint(&l));
	CHECK_EQ(vlapic_pending_vector(&l), 0x21);
	CHECK_EQ(vlapic_accept(&l, 0x21), 0x21);
	CHECK_EQ(F.pic_acks, 2);
	CHECK_EQ(vlapic_pending_vector(&l), -1);
}

TEST(lint_fixed_and_nmi)
{
	struct vlapic l;

	setup(&l, 1);
	wr(&l, VLAPIC_LVT_LINT1, VLAPIC_DM_NMI << 8);
	vlapic_set_lint(&l, 1, true);
	CHECK(vlapic_take_nmi(&l));
	vlapic_set_lint(&l, 1, true); /* no new edge */
	CHECK(!vlapic_take_nmi(&l));
	vlapic_set_lint(&l, 1, false);
	vlapic_set_lint(&l, 1, true);
	CHECK(vlapic_take_nmi(&l));
	wr(&l, VLAPIC_LVT_LINT0, 0x45);
	vlapic_set_lint(&l, 0, true);
	CHECK_EQ(vlapic_pending_vector(&l), 0x45);
	vlapic_set_lint(&l, 2, true); /* no such pin */
	/* Masked: nothing. */
	wr(&l, VLAPIC_LVT_LINT1, VLAPIC_LVT_MASKED | (VLAPIC_DM_NMI << 8));
	vlapic_set_lint(&l, 1, false);
	vlapic_set_lint(&l, 1, true);
	CHECK(!vlapic_take_nmi(&l));
}

TEST(init_and_sipi)
{
	struct vlapic l;
	struct vlapic_msg init = {.mode = VLAPIC_DM_INIT};
	struct vlapic_msg sipi = {.mode = VLAPIC_DM_SIPI, .vector = 0x9a};

	setup(&l, 2);
	/* A running AP ignores SIPI. */
	CHECK_EQ(vlapic_deliver(&l, &sipi), 0);
	CHECK_EQ(vlapic_take_sipi(&l), -1);
	wr(&l, VLAPIC_TPR, 0x30);
	wr(&l, VLAPIC_ID, 0x07000000);
	fixed(&l, 0x44, false);
	F.kicks = 0;
	CHECK_EQ(vlapic_deliver(&l, &init), 1);
	CHECK_EQ(F.kicks, 1);
	CHECK(vlapic_has_event(&l));
	/* A SIPI that comes before the INIT is taken waits for it. */
	CHECK_EQ(vlapic_deliver(&l, &sipi), 1);
	CHECK_EQ(vlapic_take_sipi(&l), -1);
	CHECK(vlapic_take_init(&l));
	CHECK(!vlapic_take_init(&l));
	CHECK_EQ(rd(&l, VLAPIC_TPR), 0);
	CHECK_EQ(rd(&l, VLAPIC_SVR), 0xff);
	CHECK_EQ(rd(&l, VLAPIC_IRR + 0x40), 0);
	CHECK_EQ(rd(&l, VLAPIC_ID), 0x07000000); /* INIT keeps the ID */
	CHECK_EQ(vlapic_take_sipi(&l), 0x9a);
	CHECK_EQ(vlapic_take_sipi(&l), -1);
	CHECK(!vlapic_has_event(&l));
	/* Started: the next SIPI is ignored. */
	CHECK_EQ(vlapic_deliver(&l, &sipi), 0);

	/* The usual order: INIT taken, then SIPI. */
	vlapic_deliver(&l, &init);
	vlapic_take_init(&l);
	sipi.vector = 0x10;
	CHECK_EQ(vlapic_deliver(&l, &sipi), 1);
	CHECK_EQ(vlapic_take_sipi(&l), 0x10);

	/* The BSP does not wait for SIPI. */
	setup(&l, 0);
	vlapic_deliver(&l, &init);
	CHECK(vlapic_take_init(&l));
	CHECK_EQ(vlapic_deliver(&l, &sipi), 0);
	CHECK_EQ(rd(&l, VLAPIC_LVT_LINT0), 0x700); /* virtual wire again */

	/* Not modelled: SMI, ExtINT messages. */
	struct vlapic_msg smi = {.mode = VLAPIC_DM_SMI};
	struct vlapic_msg ext = {.mode = VLAPIC_DM_EXTINT};
	CHECK_EQ(vlapic_deliver(&l, &smi), 0);
	CHECK_EQ(vlapic_deliver(&l, &ext), 0);
}

TEST(vdev_ops)
{
	struct vlapic l;

	setup(&l, 1);
	CHECK_EQ(vlapic_vdev_ops.mmio_base, 0xfee00000);
	CHECK_EQ(vlapic_vdev_ops.mmio_size, 0x1000);
	vlapic_vdev_ops.mmio_write(&l, VLAPIC_LVT_TIMER, 4, 0x70);
	vlapic_vdev_ops.mmio_write(&l, VLAPIC_TIMER_DCR, 4, 0xb);
	vlapic_vdev_ops.mmio_write(&l, VLAPIC_TIMER_ICR, 4, 10);
	CHECK_EQ(vlapic_vdev_ops.mmio_read(&l, VLAPIC_TIMER_ICR, 4), 10);
	F.now += 10;
	vlapic_vdev_ops.tick(&l);
	CHECK_EQ(vlapic_pending_vector(&l), 0x70);
	vlapic_vdev_ops.reset(&l);
	CHECK_EQ(vlapic_pending_vector(&l), -1);
	CHECK_EQ(rd(&l, VLAPIC_SVR), 0xff);
}

static bool bit(const uint32_t *v, unsigned n)
{
	return v[n / 32] & (1u << (n % 32));
}

TEST(fuzz_registers_and_messages)
{
	static const uint32_t regs[] = {
		VLAPIC_ID,
		VLAPIC_TPR,
		VLAPIC_EOI,
		VLAPIC_LDR,
		VLAPIC_DFR,
		VLAPIC_SVR,
		VLAPIC_ESR,
		VLAPIC_ICR_LO,
		VLAPIC_ICR_HI,
		VLAPIC_LVT_TIMER,
		VLAPIC_LVT_LINT0,
		VLAPIC_LVT_LINT1,
		VLAPIC_LVT_ERROR,
		VLAPIC_TIMER_ICR,
		VLAPIC_TIMER_DCR,
		VLAPIC_TIMER_CCR,
		VLAPIC_ISR,
		VLAPIC_IRR + 0x70,
		0x040,
		0x2f0,
		0xff0,
	};
	uint64_t x = 0x2545f4914f6cdd1dULL;
	unsigned accepted = 0, timer_fired = 0;
	struct vlapic l;

	setup(&l, 0);
	for (int i = 0; i < 200000; i++) {
		x ^= x << 13;
		x ^= x >> 7;
		x ^= x << 17;
		uint32_t arg = (uint32_t)(x >> 16);
		switch (x % 10) {
		case 0:
		case 1: {
			uint32_t reg = regs[arg % (sizeof(regs) / sizeof(regs[0]))];
			uint32_t val = (uint32_t)(x >> 32);
			if (reg == VLAPIC_SVR)
				val |= 0x100; /* mostly enabled, to reach the rest */
			if (reg == VLAPIC_TIMER_ICR)
				val %= 100000; /* counts that run out within the walk */
			vlapic_mmio_write(&l, reg, (arg >> 8) % 5 ? 4 : 2, val);
			break;
		}
		case 2: (void)vlapic_mmio_read(&l, arg % 0x1100, 1u << (arg % 4)); break;
		case 3: {
			struct vlapic_msg m = {
				.vector = (uint8_t)arg,
				.mode = (uint8_t)((arg >> 8) % 8),
				.dest = (uint8_t)(arg >> 12),
				.logical = arg & (1u << 20),
				.level = arg & (1u << 21),
			};
			if (vlapic_match_dest(&l, m.dest, m.logical))
				vlapic_deliver(&l, &m);
			break;
		}
		case 4: {
			int v = vlapic_pending_vector(&l);
			CHECK(v == -1 || (v >= 16 && v <= 255));
			if (v < 0)
				break;
			bool ext = vlapic_accepts_extint(&l) && F.pic_intr;
			if (!ext)
				CHECK((v & 0xf0) > (vlapic_get_ppr(&l) & 0xf0));
			int got = vlapic_accept(&l, v);
			CHECK_EQ(got, v);
			if (!ext) {
				CHECK(bit(l.isr, (unsigned)v));
				CHECK(!bit(l.irr, (unsigned)v));
			}
			accepted++;
			break;
		}
		case 5:
			F.now += arg % 200000;
			timer_fired += l.timer_armed && F.now >= l.timer_expire_ns;
			vlapic_tick(&l, F.now);
			CHECK(!l.timer_armed || l.timer_expire_ns > F.now ||
			      timer_mode(&l) == VLAPIC_TIMER_TSCDL);
			break;
		case 6:
			vlapic_msr_write(&l, arg & 1 ? MSR_IA32_TSC_DEADLINE : MSR_IA32_APIC_BASE,
					 arg & 1 ? f_tsc(&F) + (x >> 40)
						 : 0xfee00000 | ((arg & 2) ? VLAPIC_BASE_EN : 0) |
							   ((arg & 4) ? 1 : 0));
			break;
		case 7:
			F.pic_intr = arg & 1;
			F.pic_vector = 0x20 + (arg >> 1) % 8;
			vlapic_set_lint(&l, (arg >> 4) & 1, (arg >> 5) & 1);
			break;
		case 8:
			vlapic_take_nmi(&l);
			vlapic_take_init(&l);
			vlapic_take_sipi(&l);
			break;
		default:
			if (arg % 64 == 0)
				setup(&l, arg & 64 ? 0 : 1);
			break;
		}
		/* Vectors 0-15 never reach the IRR or ISR. */
		CHECK_EQ(l.irr[0] & 0xffff, 0);
		CHECK_EQ(l.isr[0] & 0xffff, 0);
		CHECK(l.timer_count_ns >= 1 && l.timer_count_ns <= 128);
		/* Software-disabled, LVTs are masked (but for the BSP's LINT0
		 * in virtual-wire mode, which reset leaves open). */
		if (!vlapic_sw_enabled(&l))
			for (unsigned k = 0; k < VLAPIC_LVT_NR; k++)
				CHECK((l.lvt[k] & VLAPIC_LVT_MASKED) ||
				      (k == LVT_LINT0 && l.bsp && l.lvt[k] == 0x700));
		if (check_failed_)
			break;
	}
	CHECK(accepted > 1000);
	CHECK(timer_fired > 10);
}

int main(void)
{
	RUN(reset_registers);
	RUN(software_disable_masks);
	RUN(tpr_blocks_lower_classes);
	RUN(isr_nesting_and_eoi_order);
	RUN(level_eoi_broadcast);
	RUN(esr_and_illegal_vectors);
	RUN(mmio_access_rules);
	RUN(icr_write_sends);
	RUN(apr_ppr);
	RUN(timer_one_shot_divides);
	RUN(timer_periodic);
	RUN(timer_periodic_min_period);
	RUN(timer_masked_and_divide_change);
	RUN(timer_tsc_deadline);
	RUN(ticks_to_ns_rounding);
	RUN(apic_base_msr);
	RUN(destination_matching);
	RUN(extint_through_lint0);
	RUN(lint_fixed_and_nmi);
	RUN(init_and_sipi);
	RUN(vdev_ops);
	RUN(fuzz_registers_and_messages);
	return CHECK_DONE();
}
