/* Host tests for kernel/vdev/irq.c: the whole interrupt path of a VM with
 * several vCPUs, from a device's line through the 8259s or the IOAPIC to the
 * local APICs, IPIs between APICs, MSIs, and EOIs back to the IOAPIC. */
#include <stdint.h>

#include "tests/unit/check.h"

#include "kernel/vdev/ioapic.c"
#include "kernel/vdev/irq.c"
#include "kernel/vdev/lapic.c"
#include "kernel/vdev/pic.c"

struct fake_vm {
	uint64_t now;
	int kicks[VIRQ_MAX_VCPUS];
	int bad_kicks;
};

static struct fake_vm VM;

static void vm_kick(void *vm, unsigned id)
{
	struct fake_vm *f = vm;
	if (id < VIRQ_MAX_VCPUS)
		f->kicks[id]++;
	else
		f->bad_kicks++;
}

static uint64_t vm_now(void *vm)
{
	return ((struct fake_vm *)vm)->now;
}

static uint64_t vm_tsc(void *vm)
{
	return ((struct fake_vm *)vm)->now * 3; /* a 3 GHz guest TSC */
}

static struct virq V;
static struct vlapic L[VIRQ_MAX_VCPUS];

/* A VM with `n` vCPUs whose APICs are software-enabled. */
static void setup(unsigned n)
{
	struct virq_host host = {
		.vm = &VM,
		.kick = vm_kick,
		.now_ns = vm_now,
		.guest_tsc = vm_tsc,
		.tsc_hz = 3000000000ULL,
	};
	VM = (struct fake_vm){.now = 5000};
	virq_init(&V, &host);
	for (unsigned i = 0; i < n; i++) {
		CHECK_EQ(virq_add_vcpu(&V, i, &L[i]), 0);
		vlapic_mmio_write(&L[i], VLAPIC_SVR, 4, 0x1ff);
	}
}

static void lapic_wr(unsigned cpu, uint32_t reg, uint32_t val)
{
	vlapic_mmio_write(&L[cpu], reg, 4, val);
}

static uint32_t lapic_rd(unsigned cpu, uint32_t reg)
{
	return (uint32_t)vlapic_mmio_read(&L[cpu], reg, 4);
}

static void ioapic_wr(uint32_t index, uint32_t val)
{
	vioapic_mmio_write(&V.ioapic, VIOAPIC_REGSEL, 4, index);
	vioapic_mmio_write(&V.ioapic, VIOAPIC_WIN, 4, val);
}

static uint32_t ioapic_rd(uint32_t index)
{
	vioapic_mmio_write(&V.ioapic, VIOAPIC_REGSEL, 4, index);
	return (uint32_t)vioapic_mmio_read(&V.ioapic, VIOAPIC_WIN, 4);
}

static void route(unsigned pin, uint32_t lo, uint8_t dest)
{
	ioapic_wr(VIOAPIC_REG_RTE + 2 * pin + 1, (uint32_t)dest << 24);
	ioapic_wr(VIOAPIC_REG_RTE + 2 * pin, lo);
}

static void ipi(unsigned from, uint32_t lo, uint8_t dest)
{
	lapic_wr(from, VLAPIC_ICR_HI, (uint32_t)dest << 24);
	lapic_wr(from, VLAPIC_ICR_LO, lo);
}

/* Take and finish the interrupt the vCPU would be injected now. */
static int take(unsigned cpu)
{
	int v = vlapic_pending_vector(&L[cpu]);
	if (v < 0)
		return -1;
	return vlapic_accept(&L[cpu], v);
}

static void pic_linux_init(void)
{
	static const uint8_t seq[][2] = {
		{0x20, 0x11}, {0x21, 0x20}, {0x21, 0x04}, {0x21, 0x01},
		{0xa0, 0x11}, {0xa1, 0x28}, {0xa1, 0x02}, {0xa1, 0x01},
	};
	for (size_t i = 0; i < sizeof(seq) / sizeof(seq[0]); i++)
		vpic_io_write(&V.pic, seq[i][0], 1, seq[i][1]);
}

#define LEVEL (1u << 15)
#define MASK  (1u << 16)
#define RIRR  (1u << 14)

TEST(add_vcpus)
{
	struct vlapic extra;

	setup(2);
	CHECK_EQ(virq_add_vcpu(&V, 1, &extra), -EEXIST);
	CHECK_EQ(virq_add_vcpu(&V, VIRQ_MAX_VCPUS, &extra), -EINVAL);
	CHECK_EQ(virq_add_vcpu(&V, 2, NULL), -EINVAL);
	CHECK(virq_lapic(&V, 0) == &L[0]);
	CHECK(virq_lapic(&V, 1) == &L[1]);
	CHECK(virq_lapic(&V, 2) == NULL);
	CHECK(virq_lapic(&V, 100) == NULL);
	CHECK(L[0].bsp);
	CHECK(!L[1].bsp);
	CHECK_EQ(lapic_rd(1, VLAPIC_ID), 0x01000000);
	CHECK_EQ(L[1].tsc_hz, 3000000000ULL);
}

/* The path from the brief: GSI 4 -> pin 4 -> vector 0x24 on APIC 1. */
TEST(gsi4_to_apic1_end_to_end)
{
	setup(2);
	route(4, 0x24, 1);
	virq_set_irq(&V, 4, true);
	virq_set_irq(&V, 4, false);
	CHECK_EQ(VM.kicks[1], 1);
	CHECK_EQ(VM.kicks[0], 0);
	CHECK_EQ(vlapic_pending_vector(&L[0]), -1);
	CHECK_EQ(vlapic_pending_vector(&L[1]), 0x24);
	CHECK_EQ(vlapic_accept(&L[1], 0x24), 0x24);
	CHECK_EQ(lapic_rd(1, VLAPIC_ISR + 0x10), 1u << 4);
	CHECK_EQ(vlapic_pending_vector(&L[1]), -1);
	lapic_wr(1, VLAPIC_EOI, 0);
	CHECK_EQ(lapic_rd(1, VLAPIC_ISR + 0x10), 0);
	/* The 8259 saw the edge too, but it is masked: no ExtINT for the BSP. */
	CHECK_EQ(vpic_io_read(&V.pic, 0x20, 1), 0x10);
	CHECK(!vpic_intr(&V.pic));
	/* Another edge, another interrupt. */
	virq_set_irq(&V, 4, true);
	CHECK_EQ(take(1), 0x24);
}

TEST(level_gsi_eoi_to_ioapic)
{
	setup(2);
	route(20, LEVEL | 0x55, 1);
	virq_set_irq(&V, 20, true);
	CHECK(ioapic_rd(VIOAPIC_REG_RTE + 40) & RIRR);
	CHECK_EQ(take(1), 0x55);
	CHECK_EQ(lapic_rd(1, VLAPIC_TMR + 0x20), 1u << 21);
	/* EOI with the line still asserted: delivered again. */
	lapic_wr(1, VLAPIC_EOI, 0);
	CHECK(ioapic_rd(VIOAPIC_REG_RTE + 40) & RIRR);
	CHECK_EQ(take(1), 0x55);
	/* The device is serviced, then the EOI: quiet. */
	virq_set_irq(&V, 20, false);
	lapic_wr(1, VLAPIC_EOI, 0);
	CHECK_EQ(ioapic_rd(VIOAPIC_REG_RTE + 40) & RIRR, 0);
	CHECK_EQ(vlapic_pending_vector(&L[1]), -1);
	/* GSIs 16-23 are not ISA lines: the 8259s never see them. */
	CHECK_EQ(vpic_io_read(&V.pic, 0x20, 1), 0);
	CHECK_EQ(vpic_io_read(&V.pic, 0xa0, 1), 0);
}

TEST(level_to_software_disabled_apic)
{
	setup(2);
	lapic_wr(1, VLAPIC_SVR, 0xff);
	route(21, LEVEL | 0x56, 1);
	virq_set_irq(&V, 21, true);
	/* Nobody accepted it: no remote IRR, so re-enabling and asserting works. */
	CHECK_EQ(ioapic_rd(VIOAPIC_REG_RTE + 42) & RIRR, 0);
	lapic_wr(1, VLAPIC_SVR, 0x1ff);
	virq_set_irq(&V, 21, true);
	CHECK_EQ(take(1), 0x56);
}

TEST(pit_irq0_on_pin2)
{
	setup(1);
	route(0, 0x20, 0);
	route(2, 0x30, 0);
	virq_set_irq(&V, 0, true);
	virq_set_irq(&V, 0, false);
	CHECK_EQ(take(0), 0x30);
	CHECK_EQ(take(0), -1);
	lapic_wr(0, VLAPIC_EOI, 0);
	/* GSI 2 is the cascade, not a line. */
	virq_set_irq(&V, 2, true);
	CHECK_EQ(take(0), -1);
	/* Out of range. */
	virq_set_irq(&V, 24, true);
	virq_set_irq(&V, 0xffffffffu, true);
	CHECK_EQ(take(0), -1);
}

TEST(ioapic_destinations)
{
	setup(3);
	/* Flat logical IDs 1, 2, 4. */
	for (unsigned i = 0; i < 3; i++)
		lapic_wr(i, VLAPIC_LDR, 1u << (24 + i));
	static const struct {
		uint32_t lo;
		uint8_t dest;
		int got[3];
	} c[] = {
		{0x840, 0x02, {0, 1, 0}}, /* logical, one APIC */
		{0x840, 0x05, {1, 0, 1}}, /* logical, two */
		{0x840, 0xff, {1, 1, 1}}, /* logical, all */
		{0x940, 0x06, {0, 1, 0}}, /* lowest priority: the first match */
		{0x040, 0x02, {0, 0, 1}}, /* physical */
		{0x040, 0xff, {1, 1, 1}}, /* physical broadcast */
		{0x040, 0x07, {0, 0, 0}}, /* no such APIC */
		{0x140, 0xff, {1, 0, 0}}, /* lowest priority broadcast */
	};
	for (size_t i = 0; i < sizeof(c) / sizeof(c[0]); i++) {
		route(7, c[i].lo, c[i].dest);
		virq_set_irq(&V, 7, true);
		virq_set_irq(&V, 7, false);
		for (unsigned cpu = 0; cpu < 3; cpu++) {
			int want = c[i].got[cpu] ? 0x40 : -1;
			int v = take(cpu);
			if (v != want)
				printf("  case %zu cpu %u\n", i, cpu);
			CHECK_EQ(v, want);
			lapic_wr(cpu, VLAPIC_EOI, 0);
		}
	}
	/* Cluster model on APIC 2: cluster 1, bit 0. */
	lapic_wr(2, VLAPIC_DFR, 0x0fffffff);
	lapic_wr(2, VLAPIC_LDR, 0x11000000);
	route(7, 0x840, 0x11);
	virq_set_irq(&V, 7, true);
	virq_set_irq(&V, 7, false);
	CHECK_EQ(take(2), 0x40);
	CHECK_EQ(take(0), 0x40); /* flat LDR 1 matches 0x11 too */
	CHECK_EQ(take(1), -1);
}

TEST(ipi_fixed_shorthands)
{
	setup(3);
	/* Physical, to APIC 1. */
	ipi(0, 0x4051, 1);
	CHECK_EQ(take(1), 0x51);
	CHECK_EQ(take(0), -1);
	CHECK_EQ(take(2), -1);
	CHECK_EQ(VM.kicks[1], 1);
	/* Self. */
	ipi(1, VLAPIC_ICR_SELF | 0x4062, 0);
	CHECK_EQ(take(1), 0x62);
	CHECK_EQ(take(0), -1);
	/* All including self. */
	ipi(2, VLAPIC_ICR_ALL | 0x4073, 0);
	for (unsigned i = 0; i < 3; i++)
		CHECK_EQ(take(i), 0x73);
	/* All excluding self. */
	ipi(2, VLAPIC_ICR_OTHERS | 0x4084, 0);
	CHECK_EQ(take(0), 0x84);
	CHECK_EQ(take(1), 0x84);
	CHECK_EQ(take(2), -1);
	/* Logical flat. */
	lapic_wr(1, VLAPIC_LDR, 0x04000000);
	lapic_wr(2, VLAPIC_LDR, 0x08000000);
	ipi(0, VLAPIC_ICR_LOGICAL | 0x4095, 0x0c);
	CHECK_EQ(take(1), 0x95);
	CHECK_EQ(take(2), 0x95);
	CHECK_EQ(take(0), -1);
	/* Lowest priority: the first match only. */
	ipi(0, VLAPIC_ICR_LOGICAL | VLAPIC_ICR_DM(VLAPIC_DM_LOWEST) | 0x40a6, 0x0c);
	CHECK_EQ(take(1), 0xa6);
	CHECK_EQ(take(2), -1);
	/* Physical, after the guest changed an APIC ID. */
	lapic_wr(2, VLAPIC_ID, 0x09000000);
	ipi(0, 0x40b7, 9);
	CHECK_EQ(take(2), 0xb7);
	ipi(0, 0x40b8, 2);
	CHECK_EQ(take(2), -1);
	/* An illegal vector never leaves the sender. */
	ipi(0, VLAPIC_ICR_ALL | 0x4007, 0);
	for (unsigned i = 0; i < 3; i++)
		CHECK_EQ(vlapic_pending_vector(&L[i]), -1);
	CHECK_EQ(VM.bad_kicks, 0);
}

TEST(ipi_nmi_init_sipi)
{
	setup(2);
	/* NMI. */
	ipi(0, VLAPIC_ICR_DM(VLAPIC_DM_NMI) | VLAPIC_ICR_ASSERT, 1);
	CHECK(vlapic_take_nmi(&L[1]));
	CHECK(!vlapic_take_nmi(&L[0]));

	/* INIT-SIPI-SIPI as Linux sends it, with the level de-assert. */
	lapic_wr(1, VLAPIC_TPR, 0x40);
	VM.kicks[1] = 0;
	ipi(0, VLAPIC_ICR_DM(VLAPIC_DM_INIT) | VLAPIC_ICR_LEVEL | VLAPIC_ICR_ASSERT, 1);
	CHECK_EQ(VM.kicks[1], 1);
	ipi(0, VLAPIC_ICR_DM(VLAPIC_DM_INIT) | VLAPIC_ICR_LEVEL, 1); /* de-assert */
	CHECK_EQ(VM.kicks[1], 1);
	CHECK(vlapic_take_init(&L[1]));
	CHECK(!vlapic_take_init(&L[1])); /* the de-assert did not INIT again */
	CHECK_EQ(lapic_rd(1, VLAPIC_TPR), 0);
	ipi(0, VLAPIC_ICR_DM(VLAPIC_DM_SIPI) | VLAPIC_ICR_ASSERT | 0x9a, 1);
	ipi(0, VLAPIC_ICR_DM(VLAPIC_DM_SIPI) | VLAPIC_ICR_ASSERT | 0x9a, 1);
	CHECK_EQ(vlapic_take_sipi(&L[1]), 0x9a);
	CHECK_EQ(vlapic_take_sipi(&L[1]), -1);
	/* The second SIPI reached a started CPU and was dropped. */
	ipi(0, VLAPIC_ICR_DM(VLAPIC_DM_SIPI) | VLAPIC_ICR_ASSERT | 0x9b, 1);
	CHECK_EQ(vlapic_take_sipi(&L[1]), -1);
	/* The BSP was not touched. */
	CHECK(!vlapic_take_init(&L[0]));
	CHECK_EQ(vlapic_take_sipi(&L[0]), -1);

	/* The edge INIT Terrapin itself sends (drivers/lapic.c), as a broadcast
	 * to all but self: the sender is never INITed. */
	ipi(0, VLAPIC_ICR_OTHERS | VLAPIC_ICR_DM(VLAPIC_DM_INIT) | VLAPIC_ICR_ASSERT, 0);
	CHECK(vlapic_take_init(&L[1]));
	CHECK(!vlapic_take_init(&L[0]));
	ipi(1, VLAPIC_ICR_ALL | VLAPIC_ICR_DM(VLAPIC_DM_INIT) | VLAPIC_ICR_ASSERT, 0);
	CHECK(vlapic_take_init(&L[0]));
	CHECK(!vlapic_take_init(&L[1]));
	/* Only a level-triggered INIT without assert is the de-assert: an edge
	 * INIT whose level bit is clear still resets the target. */
	ipi(0, VLAPIC_ICR_DM(VLAPIC_DM_INIT), 1);
	CHECK(vlapic_take_init(&L[1]));
}

TEST(extint_pic_to_bsp_lint0)
{
	setup(2);
	pic_linux_init();
	VM.kicks[0] = 0;
	virq_set_irq(&V, 1, true);
	virq_set_irq(&V, 1, false);
	CHECK_EQ(VM.kicks[0], 1); /* the BSP is woken for the ExtINT */
	CHECK_EQ(VM.kicks[1], 0);
	CHECK_EQ(vlapic_pending_vector(&L[1]), -1);
	CHECK_EQ(vlapic_pending_vector(&L[0]), 0x21);
	CHECK_EQ(vlapic_accept(&L[0], 0x21), 0x21);
	CHECK_EQ(vlapic_pending_vector(&L[0]), -1);
	vpic_io_write(&V.pic, 0x20, 1, 0x0b);
	CHECK_EQ(vpic_io_read(&V.pic, 0x20, 1), 0x02); /* in service in the 8259 */
	CHECK_EQ(lapic_rd(0, VLAPIC_ISR + 0x10), 0);   /* not in the APIC */
	vpic_io_write(&V.pic, 0x20, 1, 0x20);

	/* Through the slave: IRQ12 -> 0x2c. */
	virq_set_irq(&V, 12, true);
	virq_set_irq(&V, 12, false);
	CHECK_EQ(take(0), 0x2c);
	vpic_io_write(&V.pic, 0xa0, 1, 0x20);
	vpic_io_write(&V.pic, 0x20, 1, 0x20);

	/* An OS that moves to the IOAPIC masks LINT0: the 8259 goes unheard. */
	lapic_wr(0, VLAPIC_LVT_LINT0, 0x10700);
	virq_set_irq(&V, 1, true);
	virq_set_irq(&V, 1, false);
	CHECK(vpic_intr(&V.pic));
	CHECK_EQ(vlapic_pending_vector(&L[0]), -1);
	/* Unmasked again, the waiting request is there. */
	lapic_wr(0, VLAPIC_LVT_LINT0, 0x700);
	CHECK_EQ(take(0), 0x21);
}

TEST(extint_vanished_request_is_spurious)
{
	setup(1);
	pic_linux_init();
	vpic_io_write(&V.pic, 0x4d0, 1, 0x20); /* IRQ5 level */
	virq_set_irq(&V, 5, true);
	int v = vlapic_pending_vector(&L[0]);
	CHECK_EQ(v, 0x25);
	virq_set_irq(&V, 5, false);
	/* The core got 0x25 but the request went away: the PIC answers IRQ7... */
	CHECK_EQ(vlapic_pending_vector(&L[0]), -1);
	/* ...and accept refuses a fixed vector that is not in the IRR. */
	CHECK_EQ(vlapic_accept(&L[0], v), -1);
}

TEST(pic_intr_before_bsp_attached)
{
	struct virq_host host = {.vm = &VM, .kick = vm_kick, .now_ns = vm_now};

	VM = (struct fake_vm){0};
	virq_init(&V, &host);
	pic_linux_init();
	virq_set_irq(&V, 3, true);
	CHECK(vpic_intr(&V.pic));
	CHECK_EQ(virq_add_vcpu(&V, 0, &L[0]), 0);
	CHECK(L[0].lint[0]);
	CHECK_EQ(vlapic_pending_vector(&L[0]), 0x23);
}

TEST(msi)
{
	setup(2);
	CHECK_EQ(virq_msi(&V, 0xfee01000, 0x0041), 0);
	CHECK_EQ(take(1), 0x41);
	CHECK_EQ(take(0), -1);
	lapic_wr(0, VLAPIC_LDR, 0x01000000);
	CHECK_EQ(virq_msi(&V, 0xfee01004, 0x4052), 0); /* logical 1 */
	CHECK_EQ(take(0), 0x52);
	CHECK_EQ(virq_msi(&V, 0xfeeff000, VLAPIC_DM_NMI << 8), 0); /* broadcast NMI */
	CHECK(vlapic_take_nmi(&L[0]));
	CHECK(vlapic_take_nmi(&L[1]));
	CHECK_EQ(virq_msi(&V, 0xfed00000, 0x41), -EINVAL);
	CHECK_EQ(virq_msi(&V, 0x1fee00000ULL, 0x41), -EINVAL);
	CHECK_EQ(take(0), -1);
	CHECK_EQ(take(1), -1);
}

TEST(timers_across_vcpus)
{
	setup(2);
	CHECK_EQ(virq_next_deadline_ns(&V), UINT64_MAX);
	lapic_wr(0, VLAPIC_TIMER_DCR, 0xb);
	lapic_wr(0, VLAPIC_LVT_TIMER, 0xec);
	lapic_wr(0, VLAPIC_TIMER_ICR, 30000);
	lapic_wr(1, VLAPIC_LVT_TIMER, VLAPIC_TIMER_TSCDL | 0xed);
	/* 3 GHz TSC: 30000 ticks ahead is 10 us. */
	CHECK_EQ(vlapic_msr_write(&L[1], MSR_IA32_TSC_DEADLINE, vm_tsc(&VM) + 30000), 0);
	CHECK_EQ(virq_next_deadline_ns(&V), 5000 + 10000);
	virq_tick(&V, 15000);
	CHECK_EQ(take(1), 0xed);
	CHECK_EQ(take(0), -1);
	CHECK_EQ(virq_next_deadline_ns(&V), 5000 + 30000);
	virq_tick(&V, 35000);
	CHECK_EQ(take(0), 0xec);
	CHECK_EQ(virq_next_deadline_ns(&V), UINT64_MAX);
}

TEST(reset_everything)
{
	setup(2);
	pic_linux_init();
	route(4, 0x24, 1);
	virq_set_irq(&V, 4, true);
	virq_set_irq(&V, 1, true);
	lapic_wr(1, VLAPIC_LVT_TIMER, 0x30);
	lapic_wr(1, VLAPIC_TIMER_ICR, 100);
	virq_reset(&V);
	CHECK_EQ(vlapic_pending_vector(&L[0]), -1);
	CHECK_EQ(vlapic_pending_vector(&L[1]), -1);
	CHECK_EQ(ioapic_rd(VIOAPIC_REG_RTE + 8), MASK);
	CHECK_EQ(vpic_io_read(&V.pic, 0x21, 1), 0xff);
	CHECK_EQ(virq_next_deadline_ns(&V), UINT64_MAX);
	CHECK_EQ(lapic_rd(0, VLAPIC_LVT_LINT0), 0x700);
	CHECK(!vpic_intr(&V.pic));
}

/* Random traffic from a hostile guest on every interface at once. */
TEST(fuzz_whole_vm)
{
	static const uint16_t ports[] = {0x20, 0x21, 0xa0, 0xa1, 0x4d0, 0x4d1};
	static const uint32_t regs[] = {
		VLAPIC_TPR,	  VLAPIC_EOI,	    VLAPIC_LDR,	      VLAPIC_DFR,
		VLAPIC_SVR,	  VLAPIC_ICR_LO,    VLAPIC_ICR_HI,    VLAPIC_LVT_TIMER,
		VLAPIC_LVT_LINT0, VLAPIC_LVT_ERROR, VLAPIC_TIMER_ICR, VLAPIC_TIMER_DCR,
		VLAPIC_ID,	  VLAPIC_ESR,
	};
	uint64_t x = 0x0123456789abcdefULL;
	unsigned injected = 0, extints = 0;

	setup(4);
	pic_linux_init();
	for (int i = 0; i < 200000; i++) {
		x ^= x << 13;
		x ^= x >> 7;
		x ^= x << 17;
		uint32_t arg = (uint32_t)(x >> 24);
		unsigned cpu = arg % 4;
		switch (x % 12) {
		case 0: vpic_io_write(&V.pic, ports[arg % 6], 1, (uint8_t)(x >> 40)); break;
		case 1:
			vioapic_mmio_write(&V.ioapic, VIOAPIC_REGSEL, 4, 0x10 + (arg >> 2) % 48);
			break;
		case 2:
			vioapic_mmio_write(&V.ioapic, VIOAPIC_WIN, 4,
					   (uint32_t)(x >> 32) & ~(arg & 4 ? MASK : 0));
			break;
		case 3: {
			uint32_t reg = regs[(arg >> 2) % (sizeof(regs) / sizeof(regs[0]))];
			uint32_t val = (uint32_t)(x >> 32);
			if (reg == VLAPIC_SVR)
				val |= 0x100;
			if (reg == VLAPIC_TIMER_ICR)
				val %= 50000;
			lapic_wr(cpu, reg, val);
			break;
		}
		case 4:
		case 5: virq_set_irq(&V, (arg >> 2) % 26, (arg >> 8) & 1); break;
		case 6:
		case 7: {
			int v = vlapic_pending_vector(&L[cpu]);
			CHECK(v >= -1 && v <= 255);
			if (v < 0)
				break;
			bool ext = vlapic_accepts_extint(&L[cpu]) && cpu == 0 && vpic_intr(&V.pic);
			if (!ext)
				CHECK(v >= 16);
			int got = vlapic_accept(&L[cpu], v);
			CHECK(got >= 0 && got <= 255);
			if (!ext)
				CHECK_EQ(got, v);
			injected++;
			extints += ext;
			break;
		}
		case 8:
			lapic_wr(cpu, VLAPIC_EOI, 0);
			if (arg & 16)
				vpic_io_write(&V.pic, arg & 32 ? 0xa0 : 0x20, 1, 0x20);
			break;
		case 9:
			VM.now += arg % 20000;
			virq_tick(&V, VM.now);
			CHECK(virq_next_deadline_ns(&V) > VM.now);
			break;
		case 10:
			virq_msi(&V, 0xfee00000 | ((arg & 0xff) << 12) | (arg & 4),
				 (uint32_t)(x >> 40));
			break;
		default:
			vlapic_take_nmi(&L[cpu]);
			vlapic_take_init(&L[cpu]);
			vlapic_take_sipi(&L[cpu]);
			break;
		}
		for (unsigned c = 0; c < 4; c++) {
			CHECK_EQ(L[c].irr[0] & 0xffff, 0);
			CHECK_EQ(L[c].isr[0] & 0xffff, 0);
		}
		for (unsigned pin = 0; pin < VIOAPIC_PINS; pin++)
			if (V.ioapic.rte[pin] & VIOAPIC_RTE_RIRR)
				CHECK(V.ioapic.rte[pin] & VIOAPIC_RTE_LEVEL);
		CHECK_EQ(VM.bad_kicks, 0);
		if (check_failed_)
			break;
	}
	CHECK(injected > 1000);
	CHECK(extints > 100);
}

int main(void)
{
	RUN(add_vcpus);
	RUN(gsi4_to_apic1_end_to_end);
	RUN(level_gsi_eoi_to_ioapic);
	RUN(level_to_software_disabled_apic);
	RUN(pit_irq0_on_pin2);
	RUN(ioapic_destinations);
	RUN(ipi_fixed_shorthands);
	RUN(ipi_nmi_init_sipi);
	RUN(extint_pic_to_bsp_lint0);
	RUN(extint_vanished_request_is_spurious);
	RUN(pic_intr_before_bsp_attached);
	RUN(msi);
	RUN(timers_across_vcpus);
	RUN(reset_everything);
	RUN(fuzz_whole_vm);
	return CHECK_DONE();
}
