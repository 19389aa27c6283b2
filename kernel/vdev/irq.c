/* Interrupt routing between devices, 8259s, IOAPIC and local APICs (see
 * kernel/vdev/irq.h). Pure. */
#include <stdbool.h>
#include <stdint.h>

#include "kernel/errno.h"
#include "kernel/vdev/irq.h"

/* MSI address and data (SDM 3A 11.11.1, 11.11.2). */
#define MSI_ADDR_BASE	 0xfee00000ULL
#define MSI_ADDR_MASK	 0xfffffffffff00000ULL
#define MSI_ADDR_LOGICAL (1u << 2)
#define MSI_ADDR_DEST(a) ((uint8_t)((a) >> 12))

/* ---- what the vlapics ask of the VM, through the routing ---- */

static uint64_t op_now_ns(void *ctx)
{
	struct virq *v = ctx;

	return v->host.now_ns ? v->host.now_ns(v->host.vm) : 0;
}

static uint64_t op_guest_tsc(void *ctx)
{
	struct virq *v = ctx;

	return v->host.guest_tsc ? v->host.guest_tsc(v->host.vm) : 0;
}

static void op_kick(void *ctx, unsigned vcpu_id)
{
	struct virq *v = ctx;

	if (v->host.kick)
		v->host.kick(v->host.vm, vcpu_id);
}

static bool ipi_target(const struct vlapic *l, const struct vlapic *src, uint32_t lo, uint32_t hi)
{
	switch (lo & VLAPIC_ICR_OTHERS) {
	case VLAPIC_ICR_SELF: return l == src;
	case VLAPIC_ICR_ALL: return true;
	case VLAPIC_ICR_OTHERS: return l != src;
	default: return vlapic_match_dest(l, (uint8_t)(hi >> 24), lo & VLAPIC_ICR_LOGICAL);
	}
}

/* An IPI (SDM 3A 11.6.1). */
static void op_send_ipi(void *ctx, struct vlapic *src, uint32_t lo, uint32_t hi)
{
	struct virq *v = ctx;
	struct vlapic_msg m = {
		.vector = (uint8_t)lo,
		.mode = (uint8_t)((lo >> 8) & 7),
		.dest = (uint8_t)(hi >> 24),
		.logical = lo & VLAPIC_ICR_LOGICAL,
		.level = false, /* IPIs are edge-triggered */
	};

	/* INIT level de-assert only synchronizes arbitration IDs: no effect. */
	if (m.mode == VLAPIC_DM_INIT && (lo & VLAPIC_ICR_LEVEL) && !(lo & VLAPIC_ICR_ASSERT))
		return;
	for (unsigned i = 0; i < VIRQ_MAX_VCPUS; i++) {
		struct vlapic *l = v->lapic[i];
		if (!l || !ipi_target(l, src, lo, hi))
			continue;
		/* A CPU does not INIT or start itself. */
		if ((m.mode == VLAPIC_DM_INIT || m.mode == VLAPIC_DM_SIPI) && l == src)
			continue;
		if (vlapic_deliver(l, &m) && m.mode == VLAPIC_DM_LOWEST)
			break;
	}
}

static void op_eoi(void *ctx, uint8_t vector)
{
	struct virq *v = ctx;

	vioapic_eoi(&v->ioapic, vector);
}

/* The 8259 is wired to the BSP's LINT0 only. */
static int op_extint(void *ctx, struct vlapic *l, bool ack)
{
	struct virq *v = ctx;

	if (l != v->lapic[0])
		return -1;
	return ack ? vpic_intack(&v->pic) : vpic_peek_vector(&v->pic);
}

static const struct vlapic_ops virq_lapic_ops = {
	.now_ns = op_now_ns,
	.guest_tsc = op_guest_tsc,
	.kick = op_kick,
	.send_ipi = op_send_ipi,
	.eoi = op_eoi,
	.extint = op_extint,
};

/* ---- the other wires ---- */

static void pic_intr_changed(void *ctx, bool level)
{
	struct virq *v = ctx;

	if (v->lapic[0])
		vlapic_set_lint(v->lapic[0], 0, level);
}

int virq_deliver(struct virq *v, const struct vlapic_msg *m)
{
	int n = 0;

	for (unsigned i = 0; i < VIRQ_MAX_VCPUS; i++) {
		struct vlapic *l = v->lapic[i];
		if (!l || !vlapic_match_dest(l, m->dest, m->logical))
			continue;
		n += vlapic_deliver(l, m);
		/* Lowest priority: the first APIC that takes it (no arbitration). */
		if (n && m->mode == VLAPIC_DM_LOWEST)
			break;
	}
	return n;
}

static int ioapic_deliver(void *ctx, const struct vlapic_msg *m)
{
	return virq_deliver(ctx, m);
}

void virq_set_irq(struct virq *v, unsigned gsi, bool level)
{
	if (gsi >= VIRQ_NR_GSI)
		return;
	if (gsi < 16) {
		if (gsi == VPIC_CASCADE_IRQ)
			return;
		vpic_set_irq(&v->pic, gsi, level);
		vioapic_set_irq(&v->ioapic, gsi == 0 ? VIRQ_PIT_PIN : gsi, level);
		return;
	}
	vioapic_set_irq(&v->ioapic, gsi, level);
}

int virq_msi(struct virq *v, uint64_t addr, uint32_t data)
{
	if ((addr & MSI_ADDR_MASK) != MSI_ADDR_BASE)
		return -EINVAL;
	struct vlapic_msg m = {
		.vector = (uint8_t)data,
		.mode = (uint8_t)((data >> 8) & 7),
		.dest = MSI_ADDR_DEST(addr),
		.logical = addr & MSI_ADDR_LOGICAL,
		.level = false, /* PCI MSIs are edge-triggered */
	};
	virq_deliver(v, &m);
	return 0;
}

void virq_tick(struct virq *v, uint64_t now_ns)
{
	for (unsigned i = 0; i < VIRQ_MAX_VCPUS; i++)
		if (v->lapic[i])
			vlapic_tick(v->lapic[i], now_ns);
}

uint64_t virq_next_deadline_ns(const struct virq *v)
{
	uint64_t next = UINT64_MAX;

	for (unsigned i = 0; i < VIRQ_MAX_VCPUS; i++) {
		if (!v->lapic[i])
			continue;
		uint64_t d = vlapic_next_deadline_ns(v->lapic[i]);
		if (d < next)
			next = d;
	}
	return next;
}

struct vlapic *virq_lapic(struct virq *v, unsigned vcpu_id)
{
	return vcpu_id < VIRQ_MAX_VCPUS ? v->lapic[vcpu_id] : NULL;
}

int virq_add_vcpu(struct virq *v, unsigned vcpu_id, struct vlapic *l)
{
	if (vcpu_id >= VIRQ_MAX_VCPUS || !l)
		return -EINVAL;
	if (v->lapic[vcpu_id])
		return -EEXIST;
	vlapic_init(l, vcpu_id, vcpu_id == 0, v->host.tsc_hz, &virq_lapic_ops, v);
	v->lapic[vcpu_id] = l;
	if (vcpu_id == 0)
		vlapic_set_lint(l, 0, v->pic.intr);
	return 0;
}

void virq_reset(struct virq *v)
{
	for (unsigned i = 0; i < VIRQ_MAX_VCPUS; i++)
		if (v->lapic[i])
			vlapic_reset(v->lapic[i]);
	vioapic_reset(&v->ioapic);
	vpic_reset(&v->pic);
}

void virq_init(struct virq *v, const struct virq_host *host)
{
	v->host = *host;
	for (unsigned i = 0; i < VIRQ_MAX_VCPUS; i++)
		v->lapic[i] = NULL;
	vpic_init(&v->pic, pic_intr_changed, v);
	vioapic_init(&v->ioapic, ioapic_deliver, v);
}
