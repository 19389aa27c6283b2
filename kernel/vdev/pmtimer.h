/* The guest's ACPI fixed hardware at q35's PM base 0x600 (ACPI 6.5 4.8; QEMU
 * hw/acpi/core.c and ich9.c):
 *   0x600 PM1a_STS (16-bit, write 1 to clear)   0x602 PM1a_EN (16-bit)
 *   0x604 PM1a_CNT (16-bit)                     0x608 PM_TMR (32-bit read, 24 bits count)
 * The PM timer counts at 3.579545 MHz of guest time and is 24 bits wide, like
 * QEMU's PIIX4 and ICH9 timers (so the FADT leaves TMR_VAL_EXT clear). Its MSB
 * toggling sets TMR_STS; the power button sets PWRBTN_STS. The SCI is GSI 9, level,
 * high while SCI_EN and an enabled status bit are set.
 *
 * Writing SLP_EN with SLP_TYP = VDEV_PM_S5_SLP_TYP (the value the DSDT's \_S5
 * gives, 0 as in QEMU, so the well-known `outw(0x604, 0x2000)` works here too)
 * powers off: host->power(vm, VDEV_POWER_OFF).
 * There is no SMI command port: SCI_EN is set from reset (ACPI mode, FADT SMI_CMD
 * is 0). Not internally locked. */
#ifndef KERNEL_VDEV_PMTIMER_H
#define KERNEL_VDEV_PMTIMER_H

#include "kernel/vdev/vdev.h"

#define VDEV_PM_BASE		  0x600
#define VDEV_PM1_EVT		  (VDEV_PM_BASE + 0) /* STS at +0, EN at +2 */
#define VDEV_PM1_EVT_LEN	  4
#define VDEV_PM1_CNT		  (VDEV_PM_BASE + 4)
#define VDEV_PM1_CNT_LEN	  2
#define VDEV_PM_TMR		  (VDEV_PM_BASE + 8)
#define VDEV_PM_TMR_LEN		  4
#define VDEV_PM_PORTS		  12
#define VDEV_PM_TMR_HZ		  3579545
#define VDEV_PM_TMR_BITS	  24
#define VDEV_PM_SCI_GSI		  9
#define VDEV_PM_S5_SLP_TYP	  0

/* PM1 status and enable bits (ACPI 6.5 tables 4.13, 4.14) */
#define VDEV_PM1_TMR	0x0001
#define VDEV_PM1_GBL	0x0020
#define VDEV_PM1_PWRBTN 0x0100
#define VDEV_PM1_SLPBTN 0x0200
#define VDEV_PM1_RTC	0x0400
#define VDEV_PM1_WAK	0x8000 /* status only */
/* PM1 control bits (ACPI 6.5 table 4.16) */
#define VDEV_PM1_SCI_EN	       0x0001
#define VDEV_PM1_SLP_TYP_SHIFT 10
#define VDEV_PM1_SLP_TYP_MASK  0x1c00
#define VDEV_PM1_SLP_EN	       0x2000

struct vpm {
	const struct vdev_host *host;
	uint16_t sts, en, cnt;
	uint64_t tmr_half; /* last (ticks >> 23) seen, for TMR_STS */
	bool sci_level;
	bool powered_off; /* an S5 request was made */
};

void vdev_pm_init(struct vpm *pm, const struct vdev_host *host);

/* The PM timer's value now (24 bits). */
uint32_t vdev_pm_timer(const struct vpm *pm);

/* A press of the (fixed-feature) power button: PWRBTN_STS, SCI if enabled. */
void vdev_pm_power_button(struct vpm *pm);

extern const struct vdev_ops vdev_pm_ops; /* 0x600-0x60b; tick updates TMR_STS */

#endif
