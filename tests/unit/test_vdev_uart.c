/* Host tests for kernel/vdev/uart.c: the 16550A as a guest driver sees it.
 * Expected register values are the PC16550D data sheet's and QEMU's, written out
 * by hand. */
#include "tests/unit/check.h"

#include "kernel/vdev/uart.c"
#include "tests/unit/vdev_fake_host.h"

static struct vuart U;

#define P(r) (VDEV_UART_BASE + (r))

static uint8_t rd(unsigned reg)
{
	return (uint8_t)io_in(&vdev_uart_ops, &U, (uint16_t)P(reg), 1);
}

static void wr(unsigned reg, uint8_t v)
{
	io_out(&vdev_uart_ops, &U, (uint16_t)P(reg), 1, v);
}

static void setup(void)
{
	fake_reset();
	vdev_uart_init(&U, &FAKE_HOST);
}

TEST(ops_table)
{
	CHECK_EQ(vdev_uart_ops.port_base, 0x3f8);
	CHECK_EQ(vdev_uart_ops.port_count, 8);
	CHECK(vdev_uart_ops.io_read && vdev_uart_ops.io_write && vdev_uart_ops.reset &&
	      vdev_uart_ops.tick);
}

TEST(reset_values)
{
	setup();
	CHECK_EQ(rd(1), 0x00); /* IER */
	CHECK_EQ(rd(2), 0x01); /* IIR: no interrupt, FIFOs off */
	CHECK_EQ(rd(3), 0x00); /* LCR */
	CHECK_EQ(rd(4), 0x08); /* MCR: OUT2, as QEMU */
	CHECK_EQ(rd(5), 0x60); /* LSR: THRE | TEMT */
	CHECK_EQ(rd(6), 0xb0); /* MSR: DCD | DSR | CTS */
	CHECK_EQ(rd(7), 0x00);
	wr(3, 0x80);
	CHECK_EQ(rd(0), 12); /* divisor 12: 9600 baud */
	CHECK_EQ(rd(1), 0);
	CHECK(!FV.level[4]);
	CHECK_EQ(FV.rises[4], 0);
}

TEST(divisor_latch)
{
	setup();
	wr(3, 0x83); /* DLAB, 8N1 */
	wr(0, 0x01);
	wr(1, 0x02);
	CHECK_EQ(rd(0), 0x01);
	CHECK_EQ(rd(1), 0x02);
	CHECK_EQ(U.divisor, 0x0201);
	CHECK_EQ(U.ier, 0);	 /* DLM write did not touch IER */
	CHECK_EQ(FV.out_len, 0); /* DLL write did not transmit */
	wr(3, 0x03);
	CHECK_EQ(rd(3), 0x03);
	CHECK_EQ(rd(1), 0x00); /* IER again */
	wr(1, 0x05);
	CHECK_EQ(rd(1), 0x05);
	wr(1, 0xff);
	CHECK_EQ(rd(1), 0x0f); /* only 4 IER bits exist */
	wr(3, 0x83);
	CHECK_EQ(rd(1), 0x02); /* the divisor survived */
}

TEST(output_batching)
{
	setup();
	wr(0, 'h');
	wr(0, 'i');
	CHECK_EQ(FV.out_calls, 0);    /* batched */
	CHECK_EQ(rd(5) & 0x60, 0x60); /* THR still reads empty */
	wr(0, '\n');
	CHECK_EQ(FV.out_calls, 1);
	CHECK_STR(FV.out, "hi\n");
	for (int i = 0; i < 64; i++)
		wr(0, (uint8_t)('a' + i % 26));
	CHECK_EQ(FV.out_calls, 2); /* a full batch went out */
	CHECK_EQ(FV.out_len, 3 + 64);
	wr(0, '$');
	vdev_uart_flush(&U);
	CHECK_EQ(FV.out_calls, 3);
	CHECK_EQ(FV.out[FV.out_len - 1], '$');
	vdev_uart_flush(&U);
	CHECK_EQ(FV.out_calls, 3); /* nothing to flush: no empty call */
	wr(0, '>');
	vdev_uart_ops.tick(&U); /* a prompt without newline appears on tick */
	CHECK_EQ(FV.out_calls, 4);
	CHECK_EQ(U.tx_bytes, 3 + 64 + 2);
	/* bytes are passed through unchanged, NUL and 0xff included */
	wr(0, 0x00);
	wr(0, 0xff);
	vdev_uart_flush(&U);
	CHECK_EQ((uint8_t)FV.out[FV.out_len - 2], 0x00);
	CHECK_EQ((uint8_t)FV.out[FV.out_len - 1], 0xff);
}

TEST(thre_interrupt)
{
	setup();
	wr(1, 0x02); /* ETBEI with THR empty: THRE pending at once */
	CHECK(FV.level[4]);
	CHECK_EQ(FV.rises[4], 1);
	CHECK_EQ(rd(2), 0x02);
	/* that IIR read cleared it */
	CHECK(!FV.level[4]);
	CHECK_EQ(rd(2), 0x01);
	/* a THR write re-arms it: a fresh edge */
	wr(0, 'x');
	CHECK(FV.level[4]);
	CHECK_EQ(FV.rises[4], 2);
	/* a THR write while it is pending also drops and raises the line */
	wr(0, 'y');
	CHECK_EQ(FV.rises[4], 3);
	CHECK_EQ(rd(2), 0x02);
	/* toggling ETBEI re-raises it even after the IIR read (QEMU, Windows) */
	wr(1, 0x00);
	CHECK(!FV.level[4]);
	CHECK_EQ(rd(2), 0x01);
	wr(1, 0x02);
	CHECK(FV.level[4]);
	/* rewriting IER with ETBEI unchanged does not resample */
	CHECK_EQ(rd(2), 0x02);
	wr(1, 0x02);
	CHECK(!FV.level[4]);
	CHECK_EQ(rd(2), 0x01);
}

TEST(iir_priority)
{
	char many[80];

	setup();
	wr(1, 0x07); /* RLSI, THRI, RDI */
	CHECK_EQ(rd(2), 0x02);
	CHECK_EQ(vdev_uart_receive(&U, "ab", 2), 2);
	CHECK_EQ(rd(5) & 0x01, 0x01);
	CHECK_EQ(rd(2), 0x04); /* received data outranks THRE */
	memset(many, 'z', sizeof(many));
	CHECK_EQ(vdev_uart_receive(&U, many, sizeof(many)), 62);
	CHECK_EQ(U.rx_dropped, 18);
	CHECK_EQ(rd(2), 0x06); /* overrun: line status outranks data */
	CHECK(FV.level[4]);
	CHECK_EQ(rd(5), 0x63); /* DR | OE | THRE | TEMT */
	CHECK_EQ(rd(5), 0x61); /* OE cleared by the read */
	CHECK_EQ(rd(2), 0x04);
	CHECK_EQ(rd(0), 'a');
	CHECK_EQ(rd(0), 'b');
	for (int i = 0; i < 62; i++)
		CHECK_EQ(rd(0), 'z');
	CHECK_EQ(rd(5), 0x60);
	CHECK_EQ(rd(0), 0); /* empty: reads 0, no underflow */
	CHECK_EQ(rd(5), 0x60);
	/* THRE was acknowledged by the first IIR read and stays so */
	CHECK_EQ(rd(2), 0x01);
	CHECK(!FV.level[4]);
	/* until THR is written; then, with data waiting, RDI still comes first */
	vdev_uart_receive(&U, "c", 1);
	wr(0, '.');
	CHECK_EQ(rd(2), 0x04);
	CHECK_EQ(rd(0), 'c');
	CHECK_EQ(rd(2), 0x02);
	CHECK_EQ(rd(2), 0x01);
	CHECK(!FV.level[4]);
}

TEST(out2_gates_irq)
{
	setup();
	wr(4, 0x03); /* DTR | RTS, OUT2 off */
	wr(1, 0x01);
	vdev_uart_receive(&U, "q", 1);
	CHECK_EQ(rd(2), 0x04); /* pending inside the chip ... */
	CHECK(!FV.level[4]);   /* ... but not on the bus */
	CHECK_EQ(FV.rises[4], 0);
	wr(4, 0x0b);
	CHECK(FV.level[4]);
	CHECK_EQ(rd(0), 'q');
	CHECK(!FV.level[4]);
}

TEST(loopback)
{
	setup();
	wr(1, 0x01);
	wr(4, 0x1a);		      /* LOOP | OUT2 | RTS: Linux's 8250 autoconfig probe */
	CHECK_EQ(rd(6) & 0xf0, 0x90); /* DCD (from OUT2) | CTS (from RTS) */
	wr(4, 0x1f);
	CHECK_EQ(rd(6), 0xf0 | 0x02); /* DSR and RI rose: DDSR (TERI is for RI falling) */
	CHECK_EQ(rd(6), 0xf0);	      /* deltas clear on read */
	wr(4, 0x1b);		      /* RI (OUT1) 1 -> 0: trailing edge */
	CHECK_EQ(rd(6), 0xb4);
	wr(0, 'L');
	vdev_uart_flush(&U);
	CHECK_EQ(FV.out_len, 0); /* nothing left the chip */
	CHECK_EQ(U.tx_bytes, 0);
	CHECK_EQ(rd(5) & 0x01, 1);
	CHECK_EQ(rd(2) & 0x0f, 0x04);
	CHECK(!FV.level[4]); /* the OUT2 pin is forced inactive in loopback */
	CHECK_EQ(rd(0), 'L');
	/* the receiver is disconnected from the outside */
	CHECK_EQ(vdev_uart_receive(&U, "x", 1), 0);
	CHECK_EQ(vdev_uart_rx_space(&U), 0);
	CHECK_EQ(rd(5) & 0x01, 0);
	wr(4, 0x0b);
	CHECK_EQ(rd(6), 0xb0); /* back to the idle lines */
	CHECK_EQ(vdev_uart_rx_space(&U), VDEV_UART_RX_SIZE);
	wr(0, 'o');
	vdev_uart_flush(&U);
	CHECK_STR(FV.out, "o");
}

TEST(fifo_and_timeout)
{
	setup();
	wr(3, 0x83);
	wr(0, 1); /* 115200 baud */
	wr(1, 0);
	wr(3, 0x03);
	wr(1, 0x01);
	wr(2, 0xc7); /* FIFO on, clear both, trigger 14 */
	CHECK_EQ(rd(2), 0xc1);
	vdev_uart_receive(&U, "abc", 3);
	CHECK_EQ(rd(2), 0xc1); /* below the trigger level: no RDI yet */
	CHECK(!FV.level[4]);
	/* 4 characters at 115200 8N1 = 4 * 10 * 16 / 1843200 s = 347.2 us */
	FV.now += 347000;
	vdev_uart_ops.tick(&U);
	CHECK(!FV.level[4]);
	FV.now += 1000;
	vdev_uart_ops.tick(&U);
	CHECK(FV.level[4]);
	CHECK_EQ(rd(2), 0xcc); /* character timeout */
	CHECK_EQ(rd(0), 'a');
	CHECK(!FV.level[4]); /* reading data clears the timeout */
	FV.now += 400000;
	CHECK_EQ(rd(2), 0xcc); /* and it comes back for the rest */
	CHECK_EQ(rd(0), 'b');
	CHECK_EQ(rd(0), 'c');
	FV.now += 10000000;
	vdev_uart_ops.tick(&U);
	CHECK_EQ(rd(2), 0xc1);
	/* at the trigger level, RDI at once */
	vdev_uart_receive(&U, "0123456789abcd", 14);
	CHECK_EQ(rd(2), 0xc4);
	/* turning the FIFO off empties it */
	wr(2, 0x00);
	CHECK_EQ(rd(2), 0x01);
	CHECK_EQ(rd(5), 0x60);
	CHECK(!FV.level[4]);
}

TEST(trigger_levels)
{
	static const struct {
		uint8_t fcr;
		unsigned level;
	} t[] = {{0x01, 1}, {0x41, 4}, {0x81, 8}, {0xc1, 14}};

	for (unsigned i = 0; i < sizeof(t) / sizeof(t[0]); i++) {
		char buf[14];

		setup();
		memset(buf, 'x', sizeof(buf));
		wr(1, 0x01);
		wr(2, t[i].fcr);
		vdev_uart_receive(&U, buf, t[i].level - 1);
		CHECK_EQ(rd(2), 0xc1);
		vdev_uart_receive(&U, buf, 1);
		CHECK_EQ(rd(2), 0xc4);
	}
}

TEST(wide_and_odd_accesses)
{
	setup();
	wr(7, 0x5a);
	/* a 16-bit IN at 0x3fe reads MSR then SCR */
	CHECK_EQ(io_in(&vdev_uart_ops, &U, 0x3fe, 2), 0x5ab0);
	/* past the last port reads as an empty bus */
	CHECK_EQ(io_in(&vdev_uart_ops, &U, 0x3ff, 2), 0xff5a);
	CHECK_EQ(io_in(&vdev_uart_ops, &U, 0x3ff, 4), 0xffffff5a);
	/* a 16-bit OUT at 0x3fb writes LCR then MCR */
	io_out(&vdev_uart_ops, &U, 0x3fb, 2, 0x0b03);
	CHECK_EQ(rd(3), 0x03);
	CHECK_EQ(rd(4), 0x0b);
	/* writes to LSR and MSR are ignored */
	wr(5, 0x00);
	wr(6, 0x00);
	CHECK_EQ(rd(5), 0x60);
	CHECK_EQ(rd(6), 0xb0);
	/* garbage in every register never breaks it */
	for (unsigned i = 0; i < 4096; i++)
		wr(i % 8, (uint8_t)(i * 37));
	for (unsigned i = 0; i < 4096; i++)
		(void)rd(i % 8);
	CHECK(U.rx_count <= VDEV_UART_RX_SIZE);
	CHECK(U.tx_len < VDEV_UART_TX_SIZE);
}

TEST(reset_clears_state)
{
	setup();
	wr(1, 0x0f);
	wr(2, 0x01);
	vdev_uart_receive(&U, "abc", 3);
	wr(0, 'p');
	CHECK(FV.level[4]);
	vdev_uart_ops.reset(&U);
	CHECK(!FV.level[4]);
	CHECK_STR(FV.out, "p"); /* pending output is not lost */
	CHECK_EQ(rd(1), 0);
	CHECK_EQ(rd(2), 0x01);
	CHECK_EQ(rd(5), 0x60);
	CHECK_EQ(vdev_uart_rx_space(&U), VDEV_UART_RX_SIZE);
	CHECK_EQ(vdev_uart_receive(&U, "", 0), 0);
}

int main(void)
{
	RUN(ops_table);
	RUN(reset_values);
	RUN(divisor_latch);
	RUN(output_batching);
	RUN(thre_interrupt);
	RUN(iir_priority);
	RUN(out2_gates_irq);
	RUN(loopback);
	RUN(fifo_and_timeout);
	RUN(trigger_levels);
	RUN(wide_and_odd_accesses);
	RUN(reset_clears_state);
	return CHECK_DONE();
}
