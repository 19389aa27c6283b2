/* 16550A UART model. Register behaviour follows the PC16550D data sheet, sections
 * 8.1-8.8 (register set and reset values); where QEMU differs in a way guests rely
 * on, QEMU's behaviour is kept and the comment says so. */
#include "kernel/vdev/uart.h"

#include "kernel/kstring.h"
#include "kernel/vdev/vdev_util.h"

enum {
	REG_DATA = 0, /* RBR/THR, or DLL with LCR.DLAB */
	REG_IER = 1,  /* or DLM with LCR.DLAB */
	REG_IIR = 2,  /* read: IIR; write: FCR */
	REG_LCR = 3,
	REG_MCR = 4,
	REG_LSR = 5,
	REG_MSR = 6,
	REG_SCR = 7,
};

#define IER_RDI	 0x01 /* received data available */
#define IER_THRI 0x02 /* THR empty */
#define IER_RLSI 0x04 /* receiver line status */
#define IER_MSI	 0x08 /* modem status */

/* IIR bits 3:0, highest priority first (data sheet table 4). */
#define IIR_NONE 0x01
#define IIR_RLSI 0x06
#define IIR_RDI	 0x04
#define IIR_CTI	 0x0c /* character timeout, FIFO mode */
#define IIR_THRI 0x02
#define IIR_MSI	 0x00
#define IIR_FIFO 0xc0 /* both bits set when FCR.FE */

#define FCR_FE	0x01
#define FCR_RFR 0x02 /* clear receive FIFO */
#define FCR_XFR 0x04 /* clear transmit FIFO */

#define LCR_DLAB 0x80

#define MCR_DTR	 0x01
#define MCR_RTS	 0x02
#define MCR_OUT1 0x04
#define MCR_OUT2 0x08
#define MCR_LOOP 0x10

#define LSR_DR	    0x01
#define LSR_OE	    0x02
#define LSR_BI	    0x10
#define LSR_THRE    0x20
#define LSR_TEMT    0x40
#define LSR_INT_ANY 0x1e /* OE, PE, FE, BI: the line-status interrupt sources */

#define MSR_CTS	  0x10
#define MSR_DSR	  0x20
#define MSR_RI	  0x40
#define MSR_DCD	  0x80
#define MSR_DELTA 0x0f
#define MSR_TERI  0x04

/* The modem lines outside loopback: nothing is attached, but software waits for
 * carrier and clear-to-send, so they read as asserted (QEMU's reset value). */
#define MSR_IDLE (MSR_DCD | MSR_DSR | MSR_CTS)

static uint64_t uart_now(struct vuart *u)
{
	return u->host->now_ns ? u->host->now_ns(u->host->vm) : 0;
}

/* One character on the wire at the programmed rate, in ns: start bit, 5-8 data
 * bits, optional parity, 1 or 2 stop bits. */
static uint64_t uart_char_ns(const struct vuart *u)
{
	unsigned bits =
		1 + 5 + (u->lcr & 3) + ((u->lcr & 0x08) ? 1 : 0) + ((u->lcr & 0x04) ? 2 : 1);
	uint64_t div = u->divisor ? u->divisor : 1;

	return bits * div * 16 * VDEV_NS_PER_SEC / VDEV_UART_CLOCK;
}

/* MSR's upper half in loopback: DTR->DSR, RTS->CTS, OUT1->RI, OUT2->DCD (8.6.7). */
static uint8_t uart_loop_msr(uint8_t mcr)
{
	return (uint8_t)(((mcr & MCR_DTR) << 5) | ((mcr & MCR_RTS) << 3) | ((mcr & MCR_OUT1) << 4) |
			 ((mcr & MCR_OUT2) << 4));
}

static void uart_update_irq(struct vuart *u)
{
	uint8_t id = IIR_NONE;
	bool level;

	if ((u->ier & IER_RLSI) && (u->lsr & LSR_INT_ANY))
		id = IIR_RLSI;
	else if ((u->ier & IER_RDI) && u->timeout_ipending)
		id = IIR_CTI;
	else if ((u->ier & IER_RDI) && (u->lsr & LSR_DR) &&
		 (!(u->fcr & FCR_FE) || u->rx_count >= u->rx_trigger))
		id = IIR_RDI;
	else if ((u->ier & IER_THRI) && u->thr_ipending)
		id = IIR_THRI;
	else if ((u->ier & IER_MSI) && (u->msr & MSR_DELTA))
		id = IIR_MSI;
	u->iir_id = id;

	level = id != IIR_NONE && (u->mcr & MCR_OUT2) && !(u->mcr & MCR_LOOP);
	if (level != u->irq_level) {
		u->irq_level = level;
		if (u->host->set_irq)
			u->host->set_irq(u->host->vm, VDEV_UART_GSI, level);
	}
}

/* The character timeout (data sheet 8.5): in FIFO mode, data below the trigger
 * level that nobody has read for four character times raises IIR_CTI. */
static void uart_check_timeout(struct vuart *u, uint64_t now)
{
	if (u->rx_deadline && now >= u->rx_deadline) {
		u->rx_deadline = 0;
		if ((u->fcr & FCR_FE) && u->rx_count) {
			u->timeout_ipending = true;
			uart_update_irq(u);
		}
	}
}

static void uart_arm_timeout(struct vuart *u)
{
	uint64_t t;

	if (!(u->fcr & FCR_FE) || !u->rx_count) {
		u->rx_deadline = 0;
		return;
	}
	t = uart_now(u) + 4 * uart_char_ns(u);
	u->rx_deadline = t ? t : 1;
}

static void uart_rx_clear(struct vuart *u)
{
	u->rx_head = 0;
	u->rx_count = 0;
	u->rx_deadline = 0;
	u->timeout_ipending = false;
	u->lsr &= (uint8_t) ~(LSR_DR | LSR_BI);
}

/* One byte into the receive FIFO; a full FIFO keeps its contents and flags an
 * overrun (data sheet 8.4, LSR bit 1). */
static bool uart_rx_push(struct vuart *u, uint8_t b)
{
	if (u->rx_count >= VDEV_UART_RX_SIZE) {
		u->lsr |= LSR_OE;
		return false;
	}
	u->rx[(u->rx_head + u->rx_count) % VDEV_UART_RX_SIZE] = b;
	u->rx_count++;
	u->lsr |= LSR_DR;
	return true;
}

void vdev_uart_flush(struct vuart *u)
{
	if (u->tx_len && u->host->console_out)
		u->host->console_out(u->host->vm, u->tx, u->tx_len);
	u->tx_len = 0;
}

static void uart_transmit(struct vuart *u, uint8_t b)
{
	if (u->mcr & MCR_LOOP) {
		/* Loopback: the transmitter feeds the receiver, nothing leaves. */
		uart_rx_push(u, b);
		uart_arm_timeout(u);
		return;
	}
	u->tx_bytes++;
	u->tx[u->tx_len++] = (char)b;
	if (b == '\n' || u->tx_len == VDEV_UART_TX_SIZE)
		vdev_uart_flush(u);
}

static void uart_write_fcr(struct vuart *u, uint8_t val)
{
	static const uint8_t trigger[4] = {1, 4, 8, 14};

	/* Turning the FIFOs on or off empties them (8.6.3). */
	if ((val ^ u->fcr) & FCR_FE)
		val |= FCR_RFR | FCR_XFR;
	if (val & FCR_RFR)
		uart_rx_clear(u);
	if (val & FCR_XFR)
		u->thr_ipending = true; /* THR is empty (QEMU re-arms THRE here too) */
	u->rx_trigger = trigger[val >> 6];
	u->fcr = val & 0xc9; /* RFR and XFR clear themselves */
}

static void uart_write_mcr(struct vuart *u, uint8_t val)
{
	uint8_t old = u->mcr;

	u->mcr = val & 0x1f;
	/* In loopback the modem inputs follow MCR; their changes set the delta bits
	 * as real line changes would (TERI only on RI going 1 -> 0). */
	if ((old & MCR_LOOP) && (u->mcr & MCR_LOOP)) {
		uint8_t before = uart_loop_msr(old), after = uart_loop_msr(u->mcr);
		uint8_t delta = (uint8_t)((before ^ after) >> 4);

		if (!(before & MSR_RI) || (after & MSR_RI))
			delta &= (uint8_t)~MSR_TERI;
		u->msr |= delta;
	}
}

static uint8_t uart_read(void *dev, uint16_t port)
{
	struct vuart *u = dev;
	uint8_t ret = 0;

	uart_check_timeout(u, uart_now(u));
	switch (port - VDEV_UART_BASE) {
	case REG_DATA:
		if (u->lcr & LCR_DLAB)
			return (uint8_t)u->divisor;
		if (u->rx_count) {
			ret = u->rx[u->rx_head];
			u->rx_head = (u->rx_head + 1) % VDEV_UART_RX_SIZE;
			u->rx_count--;
		}
		if (!u->rx_count)
			u->lsr &= (uint8_t) ~(LSR_DR | LSR_BI);
		u->timeout_ipending = false;
		uart_arm_timeout(u);
		uart_update_irq(u);
		return ret;
	case REG_IER: return (u->lcr & LCR_DLAB) ? (uint8_t)(u->divisor >> 8) : u->ier;
	case REG_IIR:
		ret = u->iir_id | ((u->fcr & FCR_FE) ? IIR_FIFO : 0);
		/* Reading IIR when THRE is the reported source clears it (8.6.2). */
		if (u->iir_id == IIR_THRI) {
			u->thr_ipending = false;
			uart_update_irq(u);
		}
		return ret;
	case REG_LCR: return u->lcr;
	case REG_MCR: return u->mcr;
	case REG_LSR:
		ret = u->lsr;
		if (u->lsr & (LSR_OE | LSR_BI)) {
			u->lsr &= (uint8_t) ~(LSR_OE | LSR_BI);
			uart_update_irq(u);
		}
		return ret;
	case REG_MSR:
		ret = (uint8_t)(((u->mcr & MCR_LOOP) ? uart_loop_msr(u->mcr) : MSR_IDLE) |
				(u->msr & MSR_DELTA));
		if (u->msr & MSR_DELTA) {
			u->msr &= (uint8_t)~MSR_DELTA;
			uart_update_irq(u);
		}
		return ret;
	default: return u->scr;
	}
}

static void uart_write(void *dev, uint16_t port, uint8_t val)
{
	struct vuart *u = dev;
	uint8_t changed;

	uart_check_timeout(u, uart_now(u));
	switch (port - VDEV_UART_BASE) {
	case REG_DATA:
		if (u->lcr & LCR_DLAB) {
			u->divisor = (uint16_t)((u->divisor & 0xff00) | val);
			break;
		}
		/* As in QEMU: the write takes THRE away, the immediate transmission
		 * gives it back, so the line drops and rises again: a fresh edge for
		 * an edge-triggered PIC input. */
		u->thr_ipending = false;
		uart_update_irq(u);
		uart_transmit(u, val);
		u->thr_ipending = true;
		break;
	case REG_IER:
		if (u->lcr & LCR_DLAB) {
			u->divisor = (uint16_t)((u->divisor & 0x00ff) | (val << 8));
			break;
		}
		changed = (uint8_t)((u->ier ^ val) & 0x0f);
		u->ier = val & 0x0f;
		/* Enabling ETBEI with THR empty raises THRE at once, even if an IIR read
		 * had cleared it; Windows depends on this (QEMU, Bochs do the same). */
		if (changed & IER_THRI)
			u->thr_ipending = (u->ier & IER_THRI) && (u->lsr & LSR_THRE);
		break;
	case REG_IIR: uart_write_fcr(u, val); break;
	case REG_LCR: u->lcr = val; break;
	case REG_MCR: uart_write_mcr(u, val); break;
	case REG_LSR:
	case REG_MSR: break; /* factory test registers on the chip: writes ignored */
	default: u->scr = val; break;
	}
	uart_update_irq(u);
}

static uint32_t uart_io_read(void *dev, uint16_t port, unsigned size)
{
	return vdev_read_bytes(dev, port, size, VDEV_UART_BASE + 7, uart_read);
}

static void uart_io_write(void *dev, uint16_t port, unsigned size, uint32_t val)
{
	vdev_write_bytes(dev, port, size, val, VDEV_UART_BASE + 7, uart_write);
}

static void uart_reset(void *dev)
{
	struct vuart *u = dev;

	vdev_uart_flush(u);
	u->ier = 0;
	u->fcr = 0;
	u->lcr = 0;
	u->mcr = MCR_OUT2; /* QEMU's reset value, so guests that never touch MCR
			    * still get interrupts */
	u->lsr = LSR_THRE | LSR_TEMT;
	u->msr = 0;
	u->scr = 0;
	u->divisor = 12; /* 9600 baud */
	u->rx_trigger = 1;
	u->thr_ipending = false;
	uart_rx_clear(u);
	/* Drive the line low once so the interrupt controller agrees with us. */
	u->irq_level = true;
	uart_update_irq(u);
}

static void uart_tick(void *dev)
{
	struct vuart *u = dev;

	vdev_uart_flush(u);
	uart_check_timeout(u, uart_now(u));
}

void vdev_uart_init(struct vuart *u, const struct vdev_host *host)
{
	memset(u, 0, sizeof(*u));
	u->host = host;
	uart_reset(u);
}

size_t vdev_uart_rx_space(const struct vuart *u)
{
	if (u->mcr & MCR_LOOP)
		return 0;
	return VDEV_UART_RX_SIZE - u->rx_count;
}

size_t vdev_uart_receive(struct vuart *u, const char *buf, size_t n)
{
	size_t taken = 0;

	if (!n || (u->mcr & MCR_LOOP))
		return 0;
	for (; taken < n; taken++)
		if (!uart_rx_push(u, (uint8_t)buf[taken]))
			break;
	u->rx_dropped += n - taken;
	uart_arm_timeout(u);
	uart_update_irq(u);
	return taken;
}

const struct vdev_ops vdev_uart_ops = {
	.name = "uart",
	.port_base = VDEV_UART_BASE,
	.port_count = 8,
	.io_read = uart_io_read,
	.io_write = uart_io_write,
	.reset = uart_reset,
	.tick = uart_tick,
};
