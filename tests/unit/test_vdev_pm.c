/* Host tests for the devices that end or power a guest: kernel/vdev/pmtimer.c (ACPI
 * PM1 registers and PM timer) and kernel/vdev/debugexit.c (QEMU's isa-debug-exit). */
#include "tests/unit/check.h"

#include "kernel/vdev/debugexit.c"
#include "kernel/vdev/pmtimer.c"
#include "tests/unit/vdev_fake_host.h"

static struct vpm PM;
static struct vdebugexit DX;

static void setup(void)
{
	fake_reset();
	vdev_pm_init(&PM, &FAKE_HOST);
	vdev_debugexit_init(&DX, &FAKE_HOST);
}

static uint32_t pm_in(uint16_t port, unsigned size)
{
	return io_in(&vdev_pm_ops, &PM, port, size);
}

static void pm_out(uint16_t port, unsigned size, uint32_t v)
{
	io_out(&vdev_pm_ops, &PM, port, size, v);
}

#define AT(k) vdev_ticks_to_ns((k), VDEV_PM_TMR_HZ)

TEST(ops_tables)
{
	CHECK_EQ(vdev_pm_ops.port_base, 0x600);
	CHECK_EQ(vdev_pm_ops.port_count, 12);
	CHECK(vdev_pm_ops.tick != NULL);
	CHECK_EQ(vdev_debugexit_ops.port_base, 0xf4);
	CHECK_EQ(vdev_debugexit_ops.port_count, 4);
}

TEST(pm_timer_counts_24_bits)
{
	setup();
	CHECK_EQ(pm_in(0x608, 4), 0);
	FV.now = 1000000000;
	CHECK_EQ(pm_in(0x608, 4), 3579545); /* one second */
	CHECK_EQ(vdev_pm_timer(&PM), 3579545);
	/* byte lanes of the same value; bits 31:24 read 0 */
	CHECK_EQ(pm_in(0x608, 1), 0x99);
	CHECK_EQ(pm_in(0x609, 1), 0x9e);
	CHECK_EQ(pm_in(0x60a, 1), 0x36);
	CHECK_EQ(pm_in(0x60b, 1), 0x00);
	CHECK_EQ(pm_in(0x60a, 2), 0x0036);
	/* it wraps at 2^24, about every 4.69 s */
	FV.now = AT((1u << 24) + 5);
	CHECK_EQ(pm_in(0x608, 4), 5);
	FV.now = AT(7ull << 24) - 1;
	CHECK_EQ(pm_in(0x608, 4), 0xffffff);
	/* writes to it do nothing */
	pm_out(0x608, 4, 0x12345678);
	CHECK_EQ(pm_in(0x608, 4), 0xffffff);
}

TEST(tmr_sts_and_sci)
{
	setup();
	CHECK_EQ(pm_in(0x600, 2), 0);
	FV.now = AT((1u << 23) - 1);
	vdev_pm_ops.tick(&PM);
	CHECK_EQ(pm_in(0x600, 2), 0);
	FV.now = AT(1u << 23); /* bit 23 goes 0 -> 1 */
	vdev_pm_ops.tick(&PM);
	CHECK_EQ(pm_in(0x600, 2), VDEV_PM1_TMR);
	CHECK(!FV.level[9]); /* not enabled */
	pm_out(0x602, 2, VDEV_PM1_TMR);
	CHECK(FV.level[9]);
	CHECK_EQ(FV.rises[9], 1);
	pm_out(0x600, 2, VDEV_PM1_TMR); /* write 1 to clear */
	CHECK_EQ(pm_in(0x600, 2), 0);
	CHECK(!FV.level[9]);
	FV.now = AT(1u << 24); /* 1 -> 0 sets it too */
	vdev_pm_ops.tick(&PM);
	CHECK(FV.level[9]);
	/* SCI_EN off: no SCI (events would be SMIs) */
	pm_out(0x604, 2, 0x0000);
	CHECK(!FV.level[9]);
	pm_out(0x604, 2, VDEV_PM1_SCI_EN);
	CHECK(FV.level[9]);
	pm_out(0x602, 2, 0);
	CHECK(!FV.level[9]);
	CHECK_EQ(FV.bad_gsi, 0);
}

TEST(power_button)
{
	setup();
	pm_out(0x602, 2, VDEV_PM1_PWRBTN);
	vdev_pm_power_button(&PM);
	CHECK_EQ(pm_in(0x600, 2), VDEV_PM1_PWRBTN);
	CHECK(FV.level[9]);
	/* writing 0 or other bits leaves it; its own bit clears it */
	pm_out(0x600, 2, 0x0000);
	pm_out(0x600, 1, 0xff);
	CHECK_EQ(pm_in(0x600, 2), VDEV_PM1_PWRBTN);
	pm_out(0x601, 1, 0x01);
	CHECK_EQ(pm_in(0x600, 2), 0);
	CHECK(!FV.level[9]);
}

TEST(enable_and_control_registers)
{
	setup();
	CHECK_EQ(pm_in(0x604, 2), VDEV_PM1_SCI_EN); /* ACPI mode from reset */
	pm_out(0x602, 2, 0xffff);
	CHECK_EQ(pm_in(0x602, 2), 0x0721); /* TMR GBL PWRBTN SLPBTN RTC */
	CHECK_EQ(pm_in(0x600, 4), 0x07210000);
	/* SLP_TYP sticks, SLP_EN and GBL_RLS read 0 */
	pm_out(0x604, 2, 0x1405); /* SLP_TYP 5, GBL_RLS, SCI_EN; no SLP_EN */
	CHECK_EQ(pm_in(0x604, 2), 0x1401);
	CHECK_EQ(FV.powers, 0);
	/* a sleep type other than S5 is ignored (no S1-S4 here) */
	pm_out(0x604, 2, 0x2000 | 1 << 10 | VDEV_PM1_SCI_EN);
	CHECK_EQ(FV.powers, 0);
	CHECK(!PM.powered_off);
	CHECK_EQ(pm_in(0x604, 2), 1 << 10 | VDEV_PM1_SCI_EN); /* SLP_EN reads 0 */
	CHECK_EQ(pm_in(0x606, 2), 0xffff);		      /* nothing at 0x606 */
}

TEST(poweroff)
{
	/* the well-known QEMU q35 shutdown: outw(0x604, 0x2000) */
	setup();
	pm_out(0x604, 2, 0x2000);
	CHECK_EQ(FV.powers, 1);
	CHECK_EQ(FV.power_req, VDEV_POWER_OFF);
	CHECK_EQ(FV.exits, 0);
	CHECK(PM.powered_off);
	/* what ACPICA writes: SLP_TYP from \_S5 with SCI_EN kept, then SLP_EN */
	setup();
	pm_out(0x604, 2, VDEV_PM_S5_SLP_TYP << 10 | VDEV_PM1_SCI_EN);
	CHECK_EQ(FV.powers, 0);
	pm_out(0x604, 2, VDEV_PM_S5_SLP_TYP << 10 | VDEV_PM1_SCI_EN | VDEV_PM1_SLP_EN);
	CHECK_EQ(FV.powers, 1);
	/* byte-wise: the high byte carries SLP_EN */
	setup();
	pm_out(0x604, 1, 0x01);
	CHECK_EQ(FV.powers, 0);
	pm_out(0x605, 1, 0x20);
	CHECK_EQ(FV.powers, 1);
	/* reset forgets it */
	vdev_pm_ops.reset(&PM);
	CHECK(!PM.powered_off);
	CHECK_EQ(pm_in(0x604, 2), VDEV_PM1_SCI_EN);
}

TEST(debug_exit)
{
	static const struct {
		uint16_t port;
		unsigned size;
		uint32_t val;
		uint32_t status;
	} t[] = {
		{0xf4, 1, 0x10, 0x10},
		{0xf4, 1, 0x1ff, 0xff},
		{0xf4, 2, 0x12345, 0x2345},
		{0xf4, 4, 0x12345678, 0x12345678},
		{0xf5, 1, 0x31, 0x31},
		{0xf6, 2, 0xffff, 0xffff},
		{0xf4, 4, 0, 0},
	};

	for (unsigned i = 0; i < sizeof(t) / sizeof(t[0]); i++) {
		setup();
		io_out(&vdev_debugexit_ops, &DX, t[i].port, t[i].size, t[i].val);
		CHECK_EQ(FV.exits, 1);
		CHECK_EQ((uint32_t)FV.exit_status, t[i].status);
		CHECK(DX.fired);
		CHECK_EQ(DX.value, t[i].status);
	}
	/* reads return 0 (QEMU's debug_exit_read), and end nothing */
	setup();
	CHECK_EQ(io_in(&vdev_debugexit_ops, &DX, 0xf4, 1), 0);
	CHECK_EQ(io_in(&vdev_debugexit_ops, &DX, 0xf4, 4), 0);
	CHECK_EQ(io_in(&vdev_debugexit_ops, &DX, 0xf7, 1), 0);
	CHECK_EQ(FV.exits, 0);
	/* a host without the callback does not crash */
	{
		struct vdev_host h = FAKE_HOST;
		struct vdebugexit d;

		h.request_exit = NULL;
		vdev_debugexit_init(&d, &h);
		io_out(&vdev_debugexit_ops, &d, 0xf4, 1, 1);
		CHECK(d.fired);
		vdev_debugexit_ops.reset(&d);
		CHECK(!d.fired);
	}
}

int main(void)
{
	RUN(ops_tables);
	RUN(pm_timer_counts_24_bits);
	RUN(tmr_sts_and_sci);
	RUN(power_button);
	RUN(enable_and_control_registers);
	RUN(poweroff);
	RUN(debug_exit);
	return CHECK_DONE();
}
