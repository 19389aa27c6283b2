/* A virtual xAPIC (see kernel/vdev/lapic.h). Pure. */
#include <stdbool.h>
#include <stdint.h>

#include "kernel/errno.h"
#include "kernel/vdev/lapic.h"

#define NS_PER_S 1000000000ULL
_Static_assert(NS_PER_S % VLAPIC_BUS_HZ == 0, "the bus clock is a whole number of ns");

enum { LVT_TIMER, LVT_THERMAL, LVT_PERF, LVT_LINT0, LVT_LINT1, LVT_ERROR };

/* Writable bits of each LVT entry (SDM 3A figure 11-8): vector, delivery mode
 * where the entry has one, LINT polarity and trigger, mask, timer mode. */
static const uint32_t lvt_writable[VLAPIC_LVT_NR] = {
	[LVT_TIMER] = 0xff | VLAPIC_LVT_MASKED | VLAPIC_TIMER_MODE,
	[LVT_THERMAL] = 0x7ff | VLAPIC_LVT_MASKED,
	[LVT_PERF] = 0x7ff | VLAPIC_LVT_MASKED,
	[LVT_LINT0] = 0x7ff | (1u << 13) | VLAPIC_LVT_LEVEL | VLAPIC_LVT_MASKED,
	[LVT_LINT1] = 0x7ff | (1u << 13) | VLAPIC_LVT_LEVEL | VLAPIC_LVT_MASKED,
	[LVT_ERROR] = 0xff | VLAPIC_LVT_MASKED,
};

#define SVR_WRITABLE	0x3ffu	 /* vector, APIC enable, focus checking */
#define ICR_LO_WRITABLE 0xccfffu /* vector, mode, dest mode, level, trigger, shorthand */
#define DEST_BITS	0xff000000u

/* 256-bit registers as eight 32-bit words. */
static void bit_set(uint32_t *v, unsigned n)
{
	v[(n >> 5) & 7] |= 1u << (n & 31);
}

static void bit_clear(uint32_t *v, unsigned n)
{
	v[(n >> 5) & 7] &= ~(1u << (n & 31));
}

static bool bit_test(const uint32_t *v, unsigned n)
{
	return v[(n >> 5) & 7] & (1u << (n & 31));
}

static int bit_highest(const uint32_t *v)
{
	for (int i = 7; i >= 0; i--)
		if (v[i])
			return i * 32 + 31 - __builtin_clz(v[i]);
	return -1;
}

static uint64_t now_ns(struct vlapic *l)
{
	return l->ops && l->ops->now_ns ? l->ops->now_ns(l->ctx) : 0;
}

static void kick(struct vlapic *l)
{
	if (l->ops && l->ops->kick)
		l->ops->kick(l->ctx, l->vcpu_id);
}

bool vlapic_hw_enabled(const struct vlapic *l)
{
	return l->apic_base & VLAPIC_BASE_EN;
}

bool vlapic_sw_enabled(const struct vlapic *l)
{
	return l->svr & VLAPIC_SVR_ENABLE;
}

uint64_t vlapic_base(const struct vlapic *l)
{
	return l->apic_base & VLAPIC_BASE_ADDR;
}

bool vlapic_mmio_claims(const struct vlapic *l, uint64_t gpa)
{
	return vlapic_hw_enabled(l) && gpa - vlapic_base(l) < VLAPIC_MMIO_SIZE;
}

static unsigned lvt_mode(uint32_t lvt)
{
	return (lvt >> 8) & 7;
}

static unsigned timer_mode(const struct vlapic *l)
{
	return l->lvt[LVT_TIMER] & VLAPIC_TIMER_MODE;
}

/* ---- priorities (SDM 3A 11.8.3) ---- */

static int isrv(const struct vlapic *l)
{
	int v = bit_highest(l->isr);
	return v < 0 ? 0 : v;
}

uint8_t vlapic_get_ppr(const struct vlapic *l)
{
	uint32_t tpr = l->tpr & 0xff, isr = (uint32_t)isrv(l);

	return (uint8_t)((tpr >> 4) >= (isr >> 4) ? tpr : isr & 0xf0);
}

static uint8_t get_apr(const struct vlapic *l)
{
	uint32_t tpr = l->tpr & 0xff, isr = (uint32_t)isrv(l);
	int irr = bit_highest(l->irr);
	uint32_t irrv = irr < 0 ? 0 : (uint32_t)irr;

	if ((tpr >> 4) >= (irrv >> 4) && (tpr >> 4) > (isr >> 4))
		return (uint8_t)tpr;
	uint32_t hi = tpr >> 4;
	if ((isr >> 4) > hi)
		hi = isr >> 4;
	if ((irrv >> 4) > hi)
		hi = irrv >> 4;
	return (uint8_t)(hi << 4);
}

uint8_t vlapic_get_tpr(const struct vlapic *l)
{
	return (uint8_t)l->tpr;
}

void vlapic_set_tpr(struct vlapic *l, uint8_t tpr)
{
	l->tpr = tpr;
}

/* ---- errors and local interrupts ---- */

static void local_deliver(struct vlapic *l, unsigned lvt_index);

/* Record errors; a new one raises the error LVT (SDM 3A 11.5.3). */
static void set_error(struct vlapic *l, uint32_t bits)
{
	uint32_t fresh = bits & ~l->esr_pending;

	l->esr_pending |= bits;
	if (fresh)
		local_deliver(l, LVT_ERROR);
}

/* Accept a fixed vector into the IRR. */
static int accept_fixed(struct vlapic *l, unsigned vector, bool level)
{
	if (vector < 16) {
		/* SDM 3A 11.5.3: vectors 0-15 are illegal, the interrupt is dropped. */
		set_error(l, VLAPIC_ESR_RECV_ILLEGAL);
		return 0;
	}
	if (!vlapic_sw_enabled(l))
		return 0;
	bit_set(l->irr, vector);
	if (level)
		bit_set(l->tmr, vector);
	else
		bit_clear(l->tmr, vector);
	kick(l);
	return 1;
}

/* An interrupt from an LVT entry (timer, error, LINT): fixed vector or NMI;
 * nothing when masked. */
static void local_deliver(struct vlapic *l, unsigned lvt_index)
{
	uint32_t lvt = l->lvt[lvt_index];
	unsigned vector = lvt & 0xff;

	if (lvt & VLAPIC_LVT_MASKED)
		return;
	switch (lvt_index == LVT_TIMER || lvt_index == LVT_ERROR ? VLAPIC_DM_FIXED
								 : lvt_mode(lvt)) {
	case VLAPIC_DM_FIXED:
		if (vector < 16 && lvt_index == LVT_ERROR) {
			/* Record it without raising the error LVT again. */
			l->esr_pending |= VLAPIC_ESR_RECV_ILLEGAL;
			return;
		}
		accept_fixed(l, vector, false);
		break;
	case VLAPIC_DM_NMI:
		l->nmi_pending = true;
		kick(l);
		break;
	case VLAPIC_DM_INIT:
		l->init_pending = true;
		kick(l);
		break;
	case VLAPIC_DM_EXTINT:
		kick(l); /* the vector is read from the 8259 at injection */
		break;
	/* SMI and reserved modes: not modelled */
	default: break;
	}
}

/* ---- the timer (SDM 3A 11.5.4) ---- */

/* ceil(ticks * 10^9 / hz), saturating, without 128-bit division. */
static uint64_t ticks_to_ns_ceil(uint64_t ticks, uint64_t hz)
{
	uint64_t sec = ticks / hz, rem = ticks % hz, frac;

	if (hz <= UINT64_MAX / NS_PER_S)
		frac = (rem * NS_PER_S + hz - 1) / hz;
	else
		frac = rem / (hz / NS_PER_S) + 1;
	if (sec > (UINT64_MAX - frac) / NS_PER_S)
		return UINT64_MAX;
	return sec * NS_PER_S + frac;
}

static uint64_t add_sat(uint64_t a, uint64_t b)
{
	return a > UINT64_MAX - b ? UINT64_MAX : a + b;
}

/* Divide configuration (SDM 3A figure 11-10): bits 3, 1, 0; 111 is 1. */
static uint64_t dcr_divisor(uint32_t dcr)
{
	unsigned v = (dcr & 3) | ((dcr >> 1) & 4);

	return v == 7 ? 1 : 2ULL << v;
}

static void timer_start(struct vlapic *l, uint64_t now)
{
	uint64_t len = (uint64_t)l->timer_icr * l->timer_count_ns;

	if (!l->timer_icr) {
		l->timer_armed = false; /* a 0 initial count stops the timer */
		return;
	}
	if (timer_mode(l) == VLAPIC_TIMER_PERIODIC && len < VLAPIC_MIN_PERIOD_NS)
		len = VLAPIC_MIN_PERIOD_NS;
	l->timer_period_ns = len;
	l->timer_expire_ns = add_sat(now, len);
	l->timer_armed = true;
}

/* The current count at `now`: counts left until the next expiry. */
static uint32_t timer_ccr(const struct vlapic *l, uint64_t now)
{
	uint64_t left;

	if (!l->timer_armed || timer_mode(l) == VLAPIC_TIMER_TSCDL)
		return 0;
	if (now < l->timer_expire_ns) {
		left = l->timer_expire_ns - now;
	} else if (timer_mode(l) == VLAPIC_TIMER_PERIODIC && l->timer_period_ns) {
		/* Expired periods the tick has not caught up with yet. */
		left = l->timer_period_ns - (now - l->timer_expire_ns) % l->timer_period_ns;
	} else {
		return 0;
	}
	uint64_t count = (left + l->timer_count_ns - 1) / l->timer_count_ns;
	return count > l->timer_icr ? l->timer_icr : (uint32_t)count;
}

void vlapic_tick(struct vlapic *l, uint64_t now)
{
	if (!l->timer_armed || now < l->timer_expire_ns)
		return;
	/* Missed periods coalesce into one interrupt, as they would in the IRR. */
	local_deliver(l, LVT_TIMER);
	switch (timer_mode(l)) {
	case VLAPIC_TIMER_PERIODIC: {
		uint64_t missed = (now - l->timer_expire_ns) / l->timer_period_ns;
		uint64_t advance = (missed + 1) * l->timer_period_ns;
		if (missed >= UINT64_MAX / l->timer_period_ns)
			advance = UINT64_MAX;
		l->timer_expire_ns = add_sat(l->timer_expire_ns, advance);
		break;
	}
	case VLAPIC_TIMER_TSCDL:
		/* SDM 3A 11.5.4.1: the timer disarms itself and clears the MSR. */
		l->tsc_deadline = 0;
		l->timer_armed = false;
		break;
	default: l->timer_armed = false; break;
	}
}

uint64_t vlapic_next_deadline_ns(const struct vlapic *l)
{
	if (!l->timer_armed || (l->lvt[LVT_TIMER] & VLAPIC_LVT_MASKED))
		return UINT64_MAX;
	return l->timer_expire_ns;
}

static void write_tsc_deadline(struct vlapic *l, uint64_t val)
{
	/* SDM 3A 11.5.4.1: outside TSC-deadline mode writes are ignored. */
	if (timer_mode(l) != VLAPIC_TIMER_TSCDL)
		return;
	l->tsc_deadline = val;
	if (!val) {
		l->timer_armed = false;
		return;
	}
	uint64_t now = now_ns(l);
	uint64_t tsc = l->ops && l->ops->guest_tsc ? l->ops->guest_tsc(l->ctx) : 0;
	uint64_t delay = 0;
	/* Never early: round the wait up (without a known frequency, fire now). */
	if (val > tsc && l->tsc_hz)
		delay = ticks_to_ns_ceil(val - tsc, l->tsc_hz);
	l->timer_expire_ns = add_sat(now, delay);
	l->timer_armed = true;
	vlapic_tick(l, now); /* a deadline already passed fires at once */
}

/* Expiries that passed while the timer was masked raised nothing: move a
 * periodic timer past them, drop an expired one-shot. */
static void timer_skip_masked(struct vlapic *l, uint64_t now)
{
	if (!l->timer_armed || now < l->timer_expire_ns)
		return;
	if (timer_mode(l) != VLAPIC_TIMER_PERIODIC) {
		l->timer_armed = false;
		l->tsc_deadline = 0;
		return;
	}
	uint64_t missed = (now - l->timer_expire_ns) / l->timer_period_ns;
	if (missed >= UINT64_MAX / l->timer_period_ns)
		l->timer_armed = false;
	else
		l->timer_expire_ns = add_sat(l->timer_expire_ns, (missed + 1) * l->timer_period_ns);
}

static void write_lvt_timer(struct vlapic *l, uint32_t val)
{
	uint32_t old_mode = timer_mode(l);

	if ((l->lvt[LVT_TIMER] & VLAPIC_LVT_MASKED) && !(val & VLAPIC_LVT_MASKED))
		timer_skip_masked(l, now_ns(l));

	if ((val & VLAPIC_TIMER_MODE) == VLAPIC_TIMER_MODE) /* reserved mode */
		val = (val & ~VLAPIC_TIMER_MODE) | old_mode;
	l->lvt[LVT_TIMER] = val;
	if ((val & VLAPIC_TIMER_MODE) != old_mode) {
		/* SDM 3A 11.5.4.1: changing the mode disarms the timer. */
		l->timer_armed = false;
		l->tsc_deadline = 0;
	}
}

static void write_dcr(struct vlapic *l, uint32_t val)
{
	uint64_t now = now_ns(l);

	vlapic_tick(l, now); /* what is due fires at the old rate */
	uint32_t left = timer_ccr(l, now);

	l->timer_dcr = val & 0xb;
	l->timer_count_ns = dcr_divisor(l->timer_dcr) * (NS_PER_S / VLAPIC_BUS_HZ);
	/* A running count goes on at the new rate from where it is. */
	if (l->timer_armed && timer_mode(l) != VLAPIC_TIMER_TSCDL) {
		uint64_t len = (uint64_t)l->timer_icr * l->timer_count_ns;
		if (timer_mode(l) == VLAPIC_TIMER_PERIODIC && len < VLAPIC_MIN_PERIOD_NS)
			len = VLAPIC_MIN_PERIOD_NS;
		l->timer_period_ns = len;
		l->timer_expire_ns = add_sat(now, (uint64_t)left * l->timer_count_ns);
	}
}

/* ---- reset ---- */

/* Everything but the ID, IA32_APIC_BASE and the pending SIPI: the INIT state
 * (SDM 3A 11.4.7.3) and, with the ID, the power-on state. */
static void regs_reset(struct vlapic *l)
{
	l->tpr = 0;
	l->ldr = 0;
	l->dfr = 0xffffffff;
	l->svr = 0xff;
	l->esr = l->esr_pending = 0;
	l->icr_lo = l->icr_hi = 0;
	for (unsigned i = 0; i < VLAPIC_LVT_NR; i++)
		l->lvt[i] = VLAPIC_LVT_MASKED;
	/* Virtual-wire mode on the BSP, as QEMU and KVM leave it. */
	if (l->bsp)
		l->lvt[LVT_LINT0] = VLAPIC_DM_EXTINT << 8;
	for (unsigned i = 0; i < 8; i++)
		l->isr[i] = l->tmr[i] = l->irr[i] = 0;
	l->timer_icr = 0;
	l->timer_dcr = 0;
	l->timer_count_ns = dcr_divisor(0) * (NS_PER_S / VLAPIC_BUS_HZ);
	l->timer_armed = false;
	l->timer_expire_ns = l->timer_period_ns = 0;
	l->tsc_deadline = 0;
	l->nmi_pending = false;
	l->init_pending = false;
}

void vlapic_reset(struct vlapic *l)
{
	l->apic_base = VLAPIC_DEFAULT_BASE | VLAPIC_BASE_EN | (l->bsp ? VLAPIC_BASE_BSP : 0);
	l->id = (uint32_t)l->vcpu_id << 24;
	l->lint[0] = l->lint[1] = false;
	l->sipi_pending = false;
	l->wait_for_sipi = false;
	l->sipi_vector = 0;
	regs_reset(l);
}

void vlapic_init(struct vlapic *l, unsigned vcpu_id, bool bsp, uint64_t tsc_hz,
		 const struct vlapic_ops *ops, void *ctx)
{
	l->ops = ops;
	l->ctx = ctx;
	l->vcpu_id = vcpu_id;
	l->bsp = bsp;
	l->tsc_hz = tsc_hz;
	vlapic_reset(l);
}

/* ---- registers ---- */

static void write_svr(struct vlapic *l, uint32_t val)
{
	l->svr = val & SVR_WRITABLE;
	/* SDM 3A 11.4.7.2: software-disabled, every LVT entry is masked. */
	if (!vlapic_sw_enabled(l))
		for (unsigned i = 0; i < VLAPIC_LVT_NR; i++)
			l->lvt[i] |= VLAPIC_LVT_MASKED;
}

static void write_eoi(struct vlapic *l)
{
	int v = bit_highest(l->isr);

	if (v < 0)
		return;
	bit_clear(l->isr, (unsigned)v);
	/* A level-triggered interrupt's EOI goes on to the IOAPIC (11.8.5). */
	if (bit_test(l->tmr, (unsigned)v) && l->ops && l->ops->eoi)
		l->ops->eoi(l->ctx, (uint8_t)v);
}

static bool reg_is_lvt(uint32_t reg)
{
	return reg >= VLAPIC_LVT_TIMER && reg <= VLAPIC_LVT_ERROR;
}

/* Whether `reg` (16-byte aligned) is a register of this APIC. */
static bool reg_exists(uint32_t reg)
{
	switch (reg) {
	case VLAPIC_ID:
	case VLAPIC_VER:
	case VLAPIC_TPR:
	case VLAPIC_APR:
	case VLAPIC_PPR:
	case VLAPIC_EOI:
	case VLAPIC_RRD:
	case VLAPIC_LDR:
	case VLAPIC_DFR:
	case VLAPIC_SVR:
	case VLAPIC_ESR:
	case VLAPIC_ICR_LO:
	case VLAPIC_ICR_HI:
	case VLAPIC_TIMER_ICR:
	case VLAPIC_TIMER_CCR:
	case VLAPIC_TIMER_DCR: return true;
	default: return (reg >= VLAPIC_ISR && reg < VLAPIC_IRR + 0x80) || reg_is_lvt(reg);
	}
}

static uint32_t read_reg(struct vlapic *l, uint32_t reg)
{
	if (reg >= VLAPIC_ISR && reg < VLAPIC_ISR + 0x80)
		return l->isr[(reg - VLAPIC_ISR) >> 4];
	if (reg >= VLAPIC_TMR && reg < VLAPIC_TMR + 0x80)
		return l->tmr[(reg - VLAPIC_TMR) >> 4];
	if (reg >= VLAPIC_IRR && reg < VLAPIC_IRR + 0x80)
		return l->irr[(reg - VLAPIC_IRR) >> 4];
	if (reg_is_lvt(reg))
		return l->lvt[(reg - VLAPIC_LVT_TIMER) >> 4];
	switch (reg) {
	case VLAPIC_ID: return l->id;
	case VLAPIC_VER: return VLAPIC_VERSION;
	case VLAPIC_TPR: return l->tpr;
	case VLAPIC_APR: return get_apr(l);
	case VLAPIC_PPR: return vlapic_get_ppr(l);
	case VLAPIC_LDR: return l->ldr;
	case VLAPIC_DFR: return l->dfr;
	case VLAPIC_SVR: return l->svr;
	case VLAPIC_ESR: return l->esr;
	case VLAPIC_ICR_LO: return l->icr_lo;
	case VLAPIC_ICR_HI: return l->icr_hi;
	case VLAPIC_TIMER_ICR: return l->timer_icr;
	case VLAPIC_TIMER_CCR: return timer_ccr(l, now_ns(l));
	case VLAPIC_TIMER_DCR: return l->timer_dcr;
	default: return 0; /* EOI and remote read: write-only or unused */
	}
}

static void write_reg(struct vlapic *l, uint32_t reg, uint32_t val)
{
	if (reg_is_lvt(reg)) {
		unsigned i = (reg - VLAPIC_LVT_TIMER) >> 4;
		val &= lvt_writable[i];
		if (!vlapic_sw_enabled(l))
			val |= VLAPIC_LVT_MASKED;
		if (i == LVT_TIMER)
			write_lvt_timer(l, val);
		else
			l->lvt[i] = val;
		return;
	}
	switch (reg) {
	case VLAPIC_ID: l->id = val & DEST_BITS; break;
	case VLAPIC_TPR: l->tpr = val & 0xff; break;
	case VLAPIC_EOI: write_eoi(l); break;
	case VLAPIC_LDR: l->ldr = val & DEST_BITS; break;
	case VLAPIC_DFR:
		l->dfr = val | 0x0fffffff; /* only the model bits 31:28 are writable */
		break;
	case VLAPIC_SVR: write_svr(l, val); break;
	case VLAPIC_ESR:
		/* SDM 3A 11.5.3: a write makes the errors since the last one readable. */
		l->esr = l->esr_pending;
		l->esr_pending = 0;
		break;
	case VLAPIC_ICR_HI: l->icr_hi = val & DEST_BITS; break;
	case VLAPIC_ICR_LO:
		/* Delivery is immediate: the delivery status bit always reads idle. */
		l->icr_lo = val & ICR_LO_WRITABLE;
		if (lvt_mode(val) <= VLAPIC_DM_LOWEST && (val & 0xff) < 16) {
			/* SDM 3A 11.5.3: an illegal vector is not sent. */
			set_error(l, VLAPIC_ESR_SEND_ILLEGAL);
			break;
		}
		if (l->ops && l->ops->send_ipi)
			l->ops->send_ipi(l->ctx, l, l->icr_lo, l->icr_hi);
		break;
	case VLAPIC_TIMER_ICR:
		/* SDM 3A 11.5.4.1: ignored in TSC-deadline mode. */
		if (timer_mode(l) == VLAPIC_TIMER_TSCDL)
			break;
		l->timer_icr = val;
		timer_start(l, now_ns(l));
		break;
	case VLAPIC_TIMER_DCR: write_dcr(l, val); break;
	/* read-only registers */
	default: break;
	}
}

uint64_t vlapic_mmio_read(struct vlapic *l, uint64_t offset, unsigned size)
{
	if (size != 1 && size != 2 && size != 4 && size != 8)
		return UINT64_MAX;
	uint64_t ones = size == 8 ? UINT64_MAX : (1ULL << (8 * size)) - 1;
	if (!vlapic_hw_enabled(l) || offset >= VLAPIC_MMIO_SIZE)
		return ones;
	uint32_t reg = (uint32_t)offset & ~0xfu, byte = (uint32_t)offset & 0xf;
	if (!reg_exists(reg)) {
		set_error(l, VLAPIC_ESR_ILLEGAL_REG);
		return 0;
	}
	if (byte >= 4)
		return 0; /* the rest of a 16-byte slot */
	return (read_reg(l, reg) >> (8 * byte)) & ones;
}

void vlapic_mmio_write(struct vlapic *l, uint64_t offset, unsigned size, uint64_t val)
{
	/* SDM 3A 11.4.1: registers are written as aligned 32-bit quantities. */
	if (!vlapic_hw_enabled(l) || size != 4 || offset >= VLAPIC_MMIO_SIZE || (offset & 0xf))
		return;
	if (!reg_exists((uint32_t)offset)) {
		set_error(l, VLAPIC_ESR_ILLEGAL_REG);
		return;
	}
	write_reg(l, (uint32_t)offset, (uint32_t)val);
}

/* ---- MSRs ---- */

static int write_apic_base(struct vlapic *l, uint64_t val)
{
	const uint64_t valid = VLAPIC_BASE_BSP | VLAPIC_BASE_EN | VLAPIC_BASE_ADDR;
	bool was_enabled = vlapic_hw_enabled(l);

	/* Reserved bits #GP; so does x2APIC mode, which is not offered. */
	if (val & ~valid)
		return -EINVAL;
	/* The BSP flag is fixed at reset. */
	l->apic_base = (val & ~VLAPIC_BASE_BSP) | (l->apic_base & VLAPIC_BASE_BSP);
	/* SDM 3A 11.4.3: a globally disabled APIC loses its state; enabled again,
	 * it is as at power-up. */
	if (was_enabled && !vlapic_hw_enabled(l)) {
		regs_reset(l);
		l->sipi_pending = l->wait_for_sipi = false;
	}
	return 0;
}

int vlapic_msr_read(struct vlapic *l, uint32_t msr, uint64_t *val)
{
	switch (msr) {
	case MSR_IA32_APIC_BASE: *val = l->apic_base; return 0;
	case MSR_IA32_TSC_DEADLINE:
		/* Reads 0 outside TSC-deadline mode and once the timer fired. */
		*val = timer_mode(l) == VLAPIC_TIMER_TSCDL ? l->tsc_deadline : 0;
		return 0;
	default: return -ENOENT;
	}
}

int vlapic_msr_write(struct vlapic *l, uint32_t msr, uint64_t val)
{
	switch (msr) {
	case MSR_IA32_APIC_BASE: return write_apic_base(l, val);
	case MSR_IA32_TSC_DEADLINE:
		if (vlapic_hw_enabled(l))
			write_tsc_deadline(l, val);
		return 0;
	default: return -ENOENT;
	}
}

/* ---- the vCPU side ---- */

bool vlapic_accepts_extint(const struct vlapic *l)
{
	uint32_t lint0 = l->lvt[LVT_LINT0];

	/* SDM 3A 11.4.3: with the APIC disabled, LINT0 is the CPU's INTR pin. */
	if (!vlapic_hw_enabled(l))
		return true;
	return !(lint0 & VLAPIC_LVT_MASKED) && lvt_mode(lint0) == VLAPIC_DM_EXTINT;
}

static int extint_vector(struct vlapic *l, bool ack)
{
	if (!vlapic_accepts_extint(l) || !l->ops || !l->ops->extint)
		return -1;
	return l->ops->extint(l->ctx, l, ack);
}

static int fixed_pending(const struct vlapic *l)
{
	int v;

	if (!vlapic_hw_enabled(l) || !vlapic_sw_enabled(l))
		return -1;
	v = bit_highest(l->irr);
	if (v < 0 || (v & 0xf0) <= (vlapic_get_ppr(l) & 0xf0))
		return -1;
	return v;
}

int vlapic_pending_vector(struct vlapic *l)
{
	int v = extint_vector(l, false);

	return v >= 0 ? v : fixed_pending(l);
}

int vlapic_accept(struct vlapic *l, int vector)
{
	/* The same choice as vlapic_pending_vector: an ExtINT goes first. */
	if (extint_vector(l, false) >= 0)
		return extint_vector(l, true);
	if (vector < 16 || vector > 255 || !vlapic_hw_enabled(l) || !vlapic_sw_enabled(l) ||
	    !bit_test(l->irr, (unsigned)vector))
		return -1;
	bit_clear(l->irr, (unsigned)vector);
	bit_set(l->isr, (unsigned)vector);
	return vector;
}

bool vlapic_take_nmi(struct vlapic *l)
{
	bool p = l->nmi_pending;

	l->nmi_pending = false;
	return p;
}

bool vlapic_take_init(struct vlapic *l)
{
	if (!l->init_pending)
		return false;
	regs_reset(l);
	l->wait_for_sipi = !l->bsp;
	return true;
}

int vlapic_take_sipi(struct vlapic *l)
{
	/* An INIT not taken yet comes first. */
	if (!l->sipi_pending || l->init_pending)
		return -1;
	l->sipi_pending = false;
	l->wait_for_sipi = false;
	return l->sipi_vector;
}

bool vlapic_has_event(struct vlapic *l)
{
	return l->nmi_pending || l->init_pending || l->sipi_pending ||
	       vlapic_pending_vector(l) >= 0;
}

/* ---- the APIC bus side ---- */

bool vlapic_match_dest(const struct vlapic *l, uint8_t dest, bool logical)
{
	uint8_t id = (uint8_t)(l->id >> 24), ldr = (uint8_t)(l->ldr >> 24);

	if (!logical)
		return dest == 0xff || dest == id; /* 0xff: broadcast */
	if ((l->dfr >> 28) == 0xf)
		return ldr & dest; /* flat model: a bit per APIC */
	/* Cluster model (SDM 3A 11.6.2.2): cluster in 7:4 (15 = all), bits in 3:0. */
	if ((dest >> 4) != 0xf && (dest >> 4) != (ldr >> 4))
		return false;
	return ldr & dest & 0xf;
}

int vlapic_deliver(struct vlapic *l, const struct vlapic_msg *m)
{
	if (!vlapic_hw_enabled(l))
		return 0;
	switch (m->mode) {
	case VLAPIC_DM_FIXED:
	case VLAPIC_DM_LOWEST: return accept_fixed(l, m->vector, m->level);
	case VLAPIC_DM_NMI:
		l->nmi_pending = true;
		kick(l);
		return 1;
	case VLAPIC_DM_INIT:
		l->init_pending = true;
		kick(l);
		return 1;
	case VLAPIC_DM_SIPI:
		/* SDM 3A 9.4.4: only a processor waiting for SIPI responds. */
		if (l->bsp || (!l->wait_for_sipi && !l->init_pending))
			return 0;
		l->sipi_vector = m->vector;
		l->sipi_pending = true;
		kick(l);
		return 1;
	/* SMI, ExtINT messages: not modelled */
	default: return 0;
	}
}

void vlapic_set_lint(struct vlapic *l, unsigned pin, bool level)
{
	if (pin > 1)
		return;
	bool rising = level && !l->lint[pin];
	l->lint[pin] = level;
	if (!rising)
		return;
	if (!vlapic_hw_enabled(l)) {
		/* LINT0 is INTR, LINT1 is NMI (SDM 3A 11.4.3). */
		if (pin == 1)
			l->nmi_pending = true;
		kick(l);
		return;
	}
	local_deliver(l, pin ? LVT_LINT1 : LVT_LINT0);
}

/* ---- as a device ---- */

static uint64_t vlapic_dev_read(void *dev, uint64_t offset, unsigned size)
{
	return vlapic_mmio_read(dev, offset, size);
}

static void vlapic_dev_write(void *dev, uint64_t offset, unsigned size, uint64_t val)
{
	vlapic_mmio_write(dev, offset, size, val);
}

static void vlapic_dev_reset(void *dev)
{
	vlapic_reset(dev);
}

static void vlapic_dev_tick(void *dev)
{
	struct vlapic *l = dev;

	vlapic_tick(l, now_ns(l));
}

const struct vdev_ops vlapic_vdev_ops = {
	.name = "lapic",
	.mmio_base = VLAPIC_DEFAULT_BASE,
	.mmio_size = VLAPIC_MMIO_SIZE,
	.mmio_read = vlapic_dev_read,
	.mmio_write = vlapic_dev_write,
	.reset = vlapic_dev_reset,
	.tick = vlapic_dev_tick,
};
