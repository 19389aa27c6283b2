/* The guest's COM1: a 16550A UART at 0x3f8-0x3ff on ISA IRQ 4, as QEMU's `pc` and
 * `q35` machines have it (National Semiconductor PC16550D data sheet; QEMU's
 * hw/char/serial.c for the reset values and the THRE-interrupt behaviour guests
 * have come to rely on).
 *
 * Output is immediate, so THR is always empty (LSR.THRE and TEMT stay set); bytes
 * are batched and handed to host->console_out on '\n', on a full batch, on each
 * tick and on vdev_uart_flush(). In loopback mode (MCR.LOOP) output goes to the
 * receiver instead, as on the chip. Input comes from vdev_uart_receive() into a
 * 64-byte receive FIFO.
 *
 * The interrupt line is level: high while an enabled interrupt is pending, gated
 * by MCR.OUT2 as the PC's IRQ buffer is (and so low in loopback, where the chip
 * forces the OUT2 pin inactive). QEMU resets MCR with OUT2 set; so do we.
 *
 * Not internally locked: the caller serializes all calls on one struct vuart. */
#ifndef KERNEL_VDEV_UART_H
#define KERNEL_VDEV_UART_H

#include "kernel/vdev/vdev.h"

#define VDEV_UART_BASE	  0x3f8
#define VDEV_UART_GSI	  4
#define VDEV_UART_RX_SIZE 64	  /* receive FIFO, bytes */
#define VDEV_UART_TX_SIZE 64	  /* output batch, bytes */
#define VDEV_UART_CLOCK	  1843200 /* Hz; 115200 baud at divisor 1 */

struct vuart {
	const struct vdev_host *host;
	uint8_t ier, fcr, lcr, mcr, lsr, msr, scr;
	uint16_t divisor;
	uint8_t iir_id;	       /* IIR bits 3:0 as last computed */
	uint8_t rx_trigger;    /* FIFO trigger level in bytes */
	bool thr_ipending;     /* THRE interrupt armed (cleared by an IIR read) */
	bool timeout_ipending; /* character timeout (FIFO mode) */
	bool irq_level;	       /* what the line was last driven to */
	uint64_t rx_deadline;  /* guest ns when a character timeout fires; 0: none */
	uint8_t rx[VDEV_UART_RX_SIZE];
	unsigned rx_head, rx_count;
	char tx[VDEV_UART_TX_SIZE];
	unsigned tx_len;
	uint64_t rx_dropped; /* bytes vdev_uart_receive() could not queue */
	uint64_t tx_bytes;   /* bytes the guest wrote to THR (not in loopback) */
};

/* Resets the UART and remembers host (kept, not copied). */
void vdev_uart_init(struct vuart *u, const struct vdev_host *host);

/* Queues input from the console. Bytes that do not fit in the receive FIFO are
 * dropped, counted in rx_dropped, and reported to the guest as an overrun (LSR.OE),
 * as the chip does. In loopback mode the receiver is disconnected and nothing is
 * taken. Returns the number of bytes queued. */
size_t vdev_uart_receive(struct vuart *u, const char *buf, size_t n);

/* Bytes the receive FIFO can still take. */
size_t vdev_uart_rx_space(const struct vuart *u);

/* Hands any batched output to host->console_out. */
void vdev_uart_flush(struct vuart *u);

/* Ports 0x3f8-0x3ff; tick flushes output and fires the character timeout. */
extern const struct vdev_ops vdev_uart_ops;

#endif
