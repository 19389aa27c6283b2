/* timer: interrupt delivery from four sources, each of which must deliver at
 * least TICKS interrupts within a generous bound:
 *   pit-pic    the PIT (IRQ0) through the 8259 (remapped to 0x20), also waking
 *              HLT;
 *   lapic      the local APIC timer, periodic, through its MMIO registers;
 *   pit-ioapic the PIT through the IOAPIC, at the GSI the MADT's interrupt
 *              source override gives for ISA IRQ0 (2 on a PC);
 *   rtc-ioapic the RTC's periodic interrupt (IRQ8) through the IOAPIC.
 * cmdline skip=NAME[,NAME...] leaves sources out. */
#include "guests/lib/guest.h"
#include "guests/lib/x86.h"

const char guest_name[] = GUEST_NAME;

#define TICKS		   10
#define HLT_WAKEUPS	   3
#define VEC_PIT_PIC	   (PIC_VECTOR_BASE + 0)
#define VEC_LAPIC_TIMER	   0x40
#define VEC_PIT_IOAPIC	   0x50
#define VEC_RTC_IOAPIC	   0x51
#define LVT_TIMER_PERIODIC (1u << 17)
#define LAPIC_DIV_16	   0x3
#define LAPIC_TIMER_COUNT  100000
#define CMOS_INDEX	   0x70
#define CMOS_DATA	   0x71
#define RTC_REG_A	   0x0a
#define RTC_REG_B	   0x0b
#define RTC_REG_C	   0x0c
#define RTC_B_PIE	   0x40
#define RTC_RATE_1024HZ	   6

static volatile unsigned ticks;
static struct acpi_madt_info madt;
static uintptr_t ioapic;
static char skip[64];

static bool skipped(const char *name)
{
	size_t n = strlen(name);

	for (const char *p = skip; *p;) {
		const char *e = p;

		while (*e && *e != ',')
			e++;
		if ((size_t)(e - p) == n && !strncmp(p, name, n))
			return true;
		p = *e ? e + 1 : e;
	}
	return false;
}

static void on_pit_pic(struct trap_frame *f)
{
	(void)f;
	ticks++;
	pic_eoi(0);
}

static void on_lapic(struct trap_frame *f)
{
	(void)f;
	ticks++;
	lapic_eoi();
}

static uint8_t cmos_read(uint8_t reg)
{
	outb(CMOS_INDEX, reg);
	return inb(CMOS_DATA);
}

static void cmos_write(uint8_t reg, uint8_t v)
{
	outb(CMOS_INDEX, reg);
	outb(CMOS_DATA, v);
}

static void on_rtc(struct trap_frame *f)
{
	(void)f;
	ticks++;
	(void)cmos_read(RTC_REG_C); /* acknowledges: the RTC raises no more until read */
	lapic_eoi();
}

/* Interrupts on until `ticks` reaches `want` or the bound passes. */
static unsigned wait_ticks(const char *what, unsigned want)
{
	struct guest_deadline d;

	deadline_start(&d);
	sti();
	while (ticks < want && !deadline_passed(&d))
		pause();
	cli();
	if (ticks < want)
		guest_fail("%s: %u interrupts, expected at least %u within the time bound", what,
			   ticks, want);
	return ticks;
}

static void test_pit_pic(void)
{
	ticks = 0;
	trap_set(VEC_PIT_PIC, on_pit_pic);
	pic_init();
	pit_periodic(1000);
	pic_unmask(0);
	wait_ticks("PIT via 8259", TICKS);
	/* HLT must wake on the next tick (the PIT is known to be ticking now). */
	for (unsigned i = 0; i < HLT_WAKEUPS; i++) {
		unsigned before = ticks;

		sti_hlt();
		cli();
		if (ticks == before)
			guest_fail("PIT via 8259: HLT woke up without the interrupt");
	}
	pic_mask_all();
	gprintf("timer: pit-pic: %u interrupts, HLT woke %u times\n", ticks, HLT_WAKEUPS);
}

static void test_lapic(void)
{
	ticks = 0;
	trap_set(VEC_LAPIC_TIMER, on_lapic);
	lapic_write(LAPIC_TIMER_DIV, LAPIC_DIV_16);
	lapic_write(LAPIC_LVT_TIMER, LVT_TIMER_PERIODIC | VEC_LAPIC_TIMER);
	lapic_write(LAPIC_TIMER_INIT, LAPIC_TIMER_COUNT);
	wait_ticks("LAPIC timer", TICKS);
	lapic_write(LAPIC_LVT_TIMER, LAPIC_LVT_MASKED | VEC_LAPIC_TIMER);
	lapic_write(LAPIC_TIMER_INIT, 0);
	gprintf("timer: lapic: %u interrupts\n", ticks);
}

static void test_pit_ioapic(void)
{
	unsigned gsi = madt.isa_gsi[0] - madt.ioapic_gsi_base;

	ticks = 0;
	trap_set(VEC_PIT_IOAPIC, on_lapic);
	pic_mask_all();
	pit_periodic(1000);
	ioapic_route(ioapic, gsi, VEC_PIT_IOAPIC, lapic_id(), madt.isa_flags[0], false);
	wait_ticks("PIT via IOAPIC", TICKS);
	ioapic_route(ioapic, gsi, VEC_PIT_IOAPIC, lapic_id(), madt.isa_flags[0], true);
	pit_stop();
	gprintf("timer: pit-ioapic: %u interrupts at GSI %u\n", ticks, madt.isa_gsi[0]);
}

static void test_rtc_ioapic(void)
{
	unsigned gsi = madt.isa_gsi[8] - madt.ioapic_gsi_base;
	uint8_t b;

	ticks = 0;
	trap_set(VEC_RTC_IOAPIC, on_rtc);
	ioapic_route(ioapic, gsi, VEC_RTC_IOAPIC, lapic_id(), madt.isa_flags[8], false);
	cmos_write(RTC_REG_A, (uint8_t)((cmos_read(RTC_REG_A) & 0xf0) | RTC_RATE_1024HZ));
	b = cmos_read(RTC_REG_B);
	cmos_write(RTC_REG_B, b | RTC_B_PIE);
	(void)cmos_read(RTC_REG_C);
	wait_ticks("RTC via IOAPIC", TICKS);
	cmos_write(RTC_REG_B, b & (uint8_t)~RTC_B_PIE);
	(void)cmos_read(RTC_REG_C);
	ioapic_route(ioapic, gsi, VEC_RTC_IOAPIC, lapic_id(), madt.isa_flags[8], true);
	gprintf("timer: rtc-ioapic: %u interrupts at GSI %u\n", ticks, madt.isa_gsi[8]);
}

void guest_main(void)
{
	uintptr_t base = lapic_base();
	unsigned done = 0, maxpin;

	guest_arg("skip", skip, sizeof(skip));
	if (!(cpuid(1, 0).edx & (1u << 9)))
		guest_fail("CPUID 1 EDX bit 9: no local APIC");
	if (base != LAPIC_DEFAULT_BASE)
		guest_fail("IA32_APIC_BASE says 0x%lx, expected 0x%x (and enabled)",
			   (unsigned long)base, LAPIC_DEFAULT_BASE);
	lapic_enable();
	gprintf("timer: LAPIC id %u, version 0x%x\n", lapic_id(), lapic_read(LAPIC_VERSION));

	if (!skipped("pit-pic")) {
		test_pit_pic();
		done++;
	}
	if (!skipped("lapic")) {
		test_lapic();
		done++;
	}
	if (!skipped("pit-ioapic") || !skipped("rtc-ioapic")) {
		if (!acpi_madt(&madt))
			guest_fail("no MADT: cannot find the IOAPIC");
		ioapic = madt.ioapic_addr;
		if (ioapic != IOAPIC_DEFAULT_BASE)
			guest_fail("the MADT puts the IOAPIC at 0x%lx, expected 0x%x",
				   (unsigned long)ioapic, IOAPIC_DEFAULT_BASE);
		maxpin = (ioapic_read(ioapic, 1) >> 16) & 0xff;
		gprintf("timer: IOAPIC at 0x%lx, version 0x%x, %u pins\n", (unsigned long)ioapic,
			ioapic_read(ioapic, 1) & 0xff, maxpin + 1);
		if (madt.isa_gsi[0] - madt.ioapic_gsi_base > maxpin ||
		    madt.isa_gsi[8] - madt.ioapic_gsi_base > maxpin)
			guest_fail("ISA IRQ0/IRQ8 map to GSIs %u/%u, beyond the IOAPIC's %u pins",
				   madt.isa_gsi[0], madt.isa_gsi[8], maxpin + 1);
		if (!skipped("pit-ioapic")) {
			test_pit_ioapic();
			done++;
		}
		if (!skipped("rtc-ioapic")) {
			test_rtc_ioapic();
			done++;
		}
	}
	gprintf("timer: %u sources delivered interrupts\n", done);
	guest_pass();
}
