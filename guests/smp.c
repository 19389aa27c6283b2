/* smp: starts the second CPU. Finds an enabled CPU other than itself in the
 * MADT, copies a real-mode trampoline to 0x8000 and sends INIT, SIPI, SIPI
 * (SDM 3A 9.4.4.1, with its 10 ms and 200 us waits); the AP increments a
 * counter and sends an IPI back. Passes when the IPI arrived and the counter
 * is 1. Needs 2 vCPUs. */
#include "guests/lib/guest.h"
#include "guests/lib/x86.h"

const char guest_name[] = GUEST_NAME;

#define TRAMP_BASE 0x8000u
#define VEC_AP_IPI 0x60
#define ICR_INIT   0x00004500u /* INIT, level assert */
#define ICR_SIPI   0x00004600u /* start-up, vector = page number */

extern char tramp_start[], tramp_end[], tramp_args[];

static volatile uint32_t ap_counter;
static volatile unsigned ipis;

static void on_ipi(struct trap_frame *f)
{
	(void)f;
	ipis++;
	lapic_eoi();
}

void guest_main(void)
{
	struct acpi_madt_info madt;
	uint32_t args[4];
	unsigned bsp, ap = ~0u;
	size_t tramp_len = (size_t)(tramp_end - tramp_start);
	struct guest_deadline d;

	if (!lapic_base())
		guest_fail("the local APIC is disabled");
	if (!acpi_madt(&madt))
		guest_fail("no MADT");
	bsp = lapic_id();
	for (unsigned i = 0; i < madt.ncpus && i < ARRAY_SIZE(madt.cpus); i++) {
		gprintf("smp: MADT CPU %u: APIC ID %u, %s\n", i, madt.cpus[i].apic_id,
			madt.cpus[i].enabled ? "enabled" : "disabled");
		if (madt.cpus[i].enabled && madt.cpus[i].apic_id != bsp && ap == ~0u)
			ap = madt.cpus[i].apic_id;
	}
	if (ap == ~0u)
		guest_fail("the MADT lists no enabled CPU besides the BSP (APIC ID %u): give the "
			   "VM 2 vCPUs",
			   bsp);
	if (ap > 0xff)
		guest_fail("AP APIC ID %u needs x2APIC", ap);
	gprintf("smp: BSP APIC ID %u, starting APIC ID %u\n", bsp, ap);

	args[0] = (uint32_t)(uintptr_t)&ap_counter;
	args[1] = (uint32_t)lapic_base();
	args[2] = bsp;
	args[3] = VEC_AP_IPI;
	memcpy(tramp_args, args, sizeof(args));
	memcpy((void *)(uintptr_t)TRAMP_BASE, tramp_start, tramp_len);

	trap_set(VEC_AP_IPI, on_ipi);
	pic_init(); /* masked: only the IPI may interrupt */
	lapic_enable();
	sti();
	if (!lapic_ipi(ap, ICR_INIT))
		guest_fail("INIT IPI stayed pending");
	delay_us(10000);
	for (int i = 0; i < 2; i++) {
		if (!lapic_ipi(ap, ICR_SIPI | (TRAMP_BASE >> 12)))
			guest_fail("SIPI %d stayed pending", i + 1);
		delay_us(200);
	}
	deadline_start(&d);
	while (!ipis && !deadline_passed(&d))
		pause();
	cli();
	if (!ipis)
		guest_fail("no IPI from the AP (counter %u)", ap_counter);
	if (ap_counter != 1)
		guest_fail("the AP counter is %u, expected 1", ap_counter);
	gprintf("smp: the AP ran (counter %u) and its IPI arrived\n", ap_counter);
	guest_pass();
}
