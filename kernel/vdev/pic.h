/* Two cascaded Intel 8259A programmable interrupt controllers, as on every PC:
 * the master at ports 0x20/0x21, the slave at 0xa0/0xa1 on the master's IR2,
 * and the PIIX/ICH edge/level control registers (ELCR) at 0x4d0/0x4d1. Pure:
 * no hardware access, compiled on the host for tests/unit/test_vpic.c.
 *
 * What is modelled (8259A data sheet, "Programming the 8259A"): the ICW1-ICW4
 * initialization sequence, the IMR (OCW1), non-specific/specific EOI and the
 * rotation commands (OCW2), reading IRR or ISR and poll mode (OCW3), special
 * mask mode, auto-EOI, special fully nested mode, and the spurious IRQ7/IRQ15
 * an INTA cycle returns when the request went away. Not modelled: LTIM (the
 * ELCR decides edge or level, as on the PIIX), buffered mode and the
 * MCS-80/85 call format.
 *
 * Edge inputs latch a rising edge into the IRR until the INTA cycle, so a
 * device may pulse its line (true then false) at once. Level inputs show the
 * line in the IRR as long as it is high.
 *
 * Locking: the caller (the VM core) serializes every call on one VM's models
 * with its per-VM lock; the INTR callback runs with that lock held. */
#ifndef KERNEL_VDEV_PIC_H
#define KERNEL_VDEV_PIC_H

#include <stdbool.h>
#include <stdint.h>

#include "kernel/vdev/vdev.h"

#define VPIC_MASTER_PORT 0x20
#define VPIC_SLAVE_PORT	 0xa0
#define VPIC_ELCR_PORT	 0x4d0
#define VPIC_CASCADE_IRQ 2 /* the slave's INT drives the master's IR2 */

/* One 8259A. */
struct vpic_chip {
	uint8_t irr, isr, imr;
	uint8_t line;	   /* input levels, for edge detection */
	uint8_t elcr;	   /* 1: level-triggered input */
	uint8_t elcr_mask; /* inputs that may be level-triggered */
	uint8_t vector_base;
	uint8_t icw3;
	uint8_t lowest_prio; /* IR (lowest_prio + 1) & 7 has the highest priority */
	uint8_t init_step;   /* 0: operational; 2, 3, 4: expecting that ICW */
	bool need_icw4, single;
	bool auto_eoi, rotate_on_aeoi, sfnm, special_mask;
	bool read_isr, poll;
};

struct vpic {
	struct vpic_chip chip[2]; /* [0] master, [1] slave */
	bool intr;		  /* the master's INT output, as last reported */
	/* Called when INT changes (the router wires it to the BSP's LINT0). */
	void (*intr_changed)(void *ctx, bool level);
	void *ctx;
};

/* Set up and reset: both chips masked (IMR 0xff), all edge-triggered, vector
 * bases 0, as firmware would leave them before an OS programs them.
 * intr_changed may be NULL. */
void vpic_init(struct vpic *p, void (*intr_changed)(void *ctx, bool level), void *ctx);
void vpic_reset(struct vpic *p);

/* Drive ISA IRQ `irq` (0-15). IRQ2 is the internal cascade and is ignored, as
 * is any irq above 15. */
void vpic_set_irq(struct vpic *p, unsigned irq, bool level);

/* The master's INT output: an unmasked request above everything in service. */
bool vpic_intr(const struct vpic *p);
/* The vector an INTA cycle would return now, without acknowledging; -1 when INT
 * is low. */
int vpic_peek_vector(const struct vpic *p);
/* The INTA cycle: acknowledge the highest-priority request (setting its ISR bit
 * unless in auto-EOI) and return its vector; with nothing to acknowledge, the
 * spurious IRQ7 vector of the master (or of the slave for IRQ15, after the
 * master acknowledged IR2), with no ISR bit set in that chip. */
uint8_t vpic_intack(struct vpic *p);

/* Port handlers; `port` is the absolute port number (0x20, 0x21, 0xa0, 0xa1,
 * 0x4d0, 0x4d1). A 2- or 4-byte access touches consecutive ports, as the bus
 * splits it; ports outside the three pairs read all ones and ignore writes. */
uint32_t vpic_io_read(void *dev, uint16_t port, unsigned size);
void vpic_io_write(void *dev, uint16_t port, unsigned size, uint32_t val);

/* The three port ranges, each with dev = the struct vpic. */
extern const struct vdev_ops vpic_master_ops, vpic_slave_ops, vpic_elcr_ops;

#endif
