/* ACPI PM1 event/control registers and PM timer (ACPI 6.5 4.8.3). */
#include "kernel/vdev/pmtimer.h"

#include "kernel/kstring.h"
#include "kernel/vdev/vdev_util.h"

#define STS_W1C                                                                           \
	(VDEV_PM1_TMR | VDEV_PM1_GBL | VDEV_PM1_PWRBTN | VDEV_PM1_SLPBTN | VDEV_PM1_RTC | \
	 VDEV_PM1_WAK)
#define EN_WRITABLE (VDEV_PM1_TMR | VDEV_PM1_GBL | VDEV_PM1_PWRBTN | VDEV_PM1_SLPBTN | VDEV_PM1_RTC)
/* SCI_EN, BM_RLD, SLP_TYP; GBL_RLS and SLP_EN are write-only and read 0
 * (ACPI 6.5 table 4.16). */
#define CNT_KEPT 0x1c03
#define TMR_MASK ((1u << VDEV_PM_TMR_BITS) - 1)

static uint64_t pm_ticks(const struct vpm *pm)
{
	uint64_t now = pm->host->now_ns ? pm->host->now_ns(pm->host->vm) : 0;

	return vdev_ns_to_ticks(now, VDEV_PM_TMR_HZ);
}

uint32_t vdev_pm_timer(const struct vpm *pm)
{
	return (uint32_t)pm_ticks(pm) & TMR_MASK;
}

static void pm_update_sci(struct vpm *pm)
{
	bool level = (pm->cnt & VDEV_PM1_SCI_EN) && (pm->sts & pm->en & EN_WRITABLE);

	if (level != pm->sci_level) {
		pm->sci_level = level;
		if (pm->host->set_irq)
			pm->host->set_irq(pm->host->vm, VDEV_PM_SCI_GSI, level);
	}
}

/* ACPI 6.5 4.8.3.3: TMR_STS is set each time the timer's top bit changes. */
static void pm_update_timer(struct vpm *pm)
{
	uint64_t half = pm_ticks(pm) >> (VDEV_PM_TMR_BITS - 1);

	if (half != pm->tmr_half) {
		pm->tmr_half = half;
		pm->sts |= VDEV_PM1_TMR;
	}
	pm_update_sci(pm);
}

void vdev_pm_power_button(struct vpm *pm)
{
	pm->sts |= VDEV_PM1_PWRBTN;
	pm_update_sci(pm);
}

static void pm_write_cnt_hi(struct vpm *pm, uint8_t b)
{
	uint16_t v = (uint16_t)((pm->cnt & 0x00ff) | (uint16_t)b << 8);

	pm->cnt = v & CNT_KEPT;
	if ((v & VDEV_PM1_SLP_EN) &&
	    ((v & VDEV_PM1_SLP_TYP_MASK) >> VDEV_PM1_SLP_TYP_SHIFT) == VDEV_PM_S5_SLP_TYP) {
		pm->powered_off = true;
		if (pm->host->power)
			pm->host->power(pm->host->vm, VDEV_POWER_OFF);
	}
}

static uint8_t pm_read(void *dev, uint16_t port)
{
	struct vpm *pm = dev;
	unsigned off = port - VDEV_PM_BASE;

	switch (off) {
	case 0:
	case 1: return (uint8_t)(pm->sts >> (8 * off));
	case 2:
	case 3: return (uint8_t)(pm->en >> (8 * (off - 2)));
	case 4:
	case 5: return (uint8_t)(pm->cnt >> (8 * (off - 4)));
	case 8:
	case 9:
	case 10:
	case 11: return (uint8_t)(vdev_pm_timer(pm) >> (8 * (off - 8)));
	default: return 0xff; /* 0x606-0x607 decode nothing */
	}
}

/* Byte lanes, so a 16-bit write and two byte writes do the same. */
static void pm_write(void *dev, uint16_t port, uint8_t b)
{
	struct vpm *pm = dev;
	unsigned off = port - VDEV_PM_BASE;

	switch (off) {
	case 0:
	case 1: pm->sts &= (uint16_t) ~((uint16_t)b << (8 * off) & STS_W1C); break;
	case 2:
	case 3: {
		unsigned s = 8 * (off - 2);
		pm->en = (uint16_t)((pm->en & ~(0xffu << s)) | (((unsigned)b << s) & EN_WRITABLE));
		break;
	}
	case 4: pm->cnt = (uint16_t)((pm->cnt & 0xff00) | b) & CNT_KEPT; break;
	case 5: pm_write_cnt_hi(pm, b); break;
	default: break; /* the timer is read-only */
	}
}

static uint32_t pm_io_read(void *dev, uint16_t port, unsigned size)
{
	struct vpm *pm = dev;
	uint32_t v = 0;

	pm_update_timer(pm);
	for (unsigned i = 0; i < size && i < 4; i++) {
		unsigned p = port + i;
		uint8_t b = p < VDEV_PM_BASE + VDEV_PM_PORTS ? pm_read(pm, (uint16_t)p) : 0xff;
		v |= (uint32_t)b << (8 * i);
	}
	return v;
}

static void pm_io_write(void *dev, uint16_t port, unsigned size, uint32_t val)
{
	struct vpm *pm = dev;

	pm_update_timer(pm);
	/* The high byte of PM1_CNT goes last so SLP_EN acts on the whole value. */
	for (unsigned i = 0; i < size && i < 4; i++) {
		unsigned p = port + i;
		if (p < VDEV_PM_BASE + VDEV_PM_PORTS)
			pm_write(pm, (uint16_t)p, (uint8_t)(val >> (8 * i)));
	}
	pm_update_sci(pm);
}

static void pm_reset(void *dev)
{
	struct vpm *pm = dev;

	pm->sts = 0;
	pm->en = 0;
	pm->cnt = VDEV_PM1_SCI_EN; /* no firmware to switch to ACPI mode: start there */
	pm->tmr_half = pm_ticks(pm) >> (VDEV_PM_TMR_BITS - 1);
	pm->powered_off = false;
	pm->sci_level = true; /* force the line to be driven low */
	pm_update_sci(pm);
}

static void pm_tick(void *dev)
{
	pm_update_timer(dev);
}

void vdev_pm_init(struct vpm *pm, const struct vdev_host *host)
{
	memset(pm, 0, sizeof(*pm));
	pm->host = host;
	pm_reset(pm);
}

const struct vdev_ops vdev_pm_ops = {
	.name = "acpi-pm",
	.port_base = VDEV_PM_BASE,
	.port_count = VDEV_PM_PORTS,
	.io_read = pm_io_read,
	.io_write = pm_io_write,
	.reset = pm_reset,
	.tick = pm_tick,
};
