/* The guest's 8254 programmable interval timer at 0x40-0x43, and the speaker/NMI
 * status port 0x61 that gates and reads back its channel 2 (Intel 8254 data sheet,
 * order 231164; QEMU's hw/timer/i8254.c and hw/audio/pcspk.c for the PC wiring).
 *
 * The counters run at 1.193182 MHz of guest time (host->now_ns) and are computed
 * when read, not stepped. Modes 0-5 count as the data sheet says; BCD counting is
 * not modelled (the BCD bit is kept for the status byte, the count stays binary).
 *
 * Channel 0 drives ISA IRQ 0: this model raises GSI 0 and the interrupt
 * controllers route it (to IOAPIC pin 2 per the MADT override). Rising edges of
 * OUT0 are delivered from tick (and from any port access): at most one edge per
 * call, no closer than half a period to the previous one, with at most
 * VDEV_PIT_MAX_PENDING edges owed, the rest dropped. A descheduled guest so gets a
 * few catch-up ticks, never a storm. vdev_pit_next_deadline_ns() says when the
 * next edge is due so the core can wake up for it precisely.
 *
 * Two vdev_ops share one struct vpit: vdev_pit_ops (0x40-0x43) and
 * vdev_pit_port61_ops (0x61). Not internally locked. */
#ifndef KERNEL_VDEV_PIT_H
#define KERNEL_VDEV_PIT_H

#include "kernel/vdev/vdev.h"

#define VDEV_PIT_BASE	     0x40
#define VDEV_PIT_PORT61	     0x61
#define VDEV_PIT_HZ	     1193182
#define VDEV_PIT_GSI	     0
#define VDEV_PIT_MAX_PENDING 4

struct vpit_channel {
	uint32_t count; /* initial count, 1..0x10000 (0 written means 0x10000) */
	uint8_t mode;	/* as programmed, 0-7 (6 and 7 act as 2 and 3) */
	uint8_t rw;	/* access: 1 LSB, 2 MSB, 3 LSB then MSB */
	uint8_t bcd;
	bool armed; /* a count was written after the control word */
	bool gate;
	bool triggered; /* modes 1 and 5: a gate rising edge started counting */
	bool counting;
	uint64_t start_tick; /* PIT tick at which the current counting stretch began */
	uint64_t held;	     /* ticks counted before the current stretch */
	uint8_t read_state, write_state, write_lsb;
	uint8_t latch_state; /* 0: no latched count, else which byte comes next */
	uint16_t latched;
	bool status_latched;
	uint8_t status;
	uint64_t edges_seen; /* channel 0: OUT rising edges accounted for */
};

struct vpit {
	const struct vdev_host *host;
	struct vpit_channel ch[3];
	uint8_t port61;	      /* bits 3:0 as last written */
	unsigned irq_pending; /* channel 0 edges owed to the guest */
	uint64_t last_edge_ns;
	bool edge_sent;	      /* last_edge_ns is valid */
	uint64_t irq_edges;   /* edges raised, for statistics */
	uint64_t irq_dropped; /* edges coalesced away */
};

void vdev_pit_init(struct vpit *p, const struct vdev_host *host);

/* Guest ns at which the next channel 0 edge is due (may be <= now: call tick);
 * UINT64_MAX when none will come. */
uint64_t vdev_pit_next_deadline_ns(const struct vpit *p);

/* Channel 2's OUT, the speaker input (port 0x61 bit 5). */
bool vdev_pit_out2(const struct vpit *p);

extern const struct vdev_ops vdev_pit_ops;	  /* 0x40-0x43, tick delivers IRQ 0 */
extern const struct vdev_ops vdev_pit_port61_ops; /* 0x61 */

#endif
