/* The 8259A pair (8259A data sheet: ICW1-ICW4, OCW1-OCW2) and the PIT (8254). */
#include "guests/lib/guest.h"
#include "guests/lib/x86.h"

#define PIC1_CMD       0x20
#define PIC1_DATA      0x21
#define PIC2_CMD       0xa0
#define PIC2_DATA      0xa1
#define ICW1_INIT_ICW4 0x11 /* edge-triggered, cascade, ICW4 follows */
#define ICW4_8086      0x01
#define OCW2_EOI       0x20

#define PIT_CH0		   0x40
#define PIT_CMD		   0x43
#define PIT_CH0_LOHI_MODE2 0x34 /* channel 0, lobyte/hibyte, rate generator */
#define PIT_CH0_LOHI_MODE0 0x30 /* channel 0, interrupt on terminal count */

static uint8_t pic_masks[2] = {0xff, 0xff};

void pic_init(void)
{
	outb(PIC1_CMD, ICW1_INIT_ICW4);
	outb(PIC2_CMD, ICW1_INIT_ICW4);
	outb(PIC1_DATA, PIC_VECTOR_BASE); /* ICW2: vector base */
	outb(PIC2_DATA, PIC_VECTOR_BASE + 8);
	outb(PIC1_DATA, 1u << 2); /* ICW3: slave on IRQ2 */
	outb(PIC2_DATA, 2);	  /* ICW3: slave identity */
	outb(PIC1_DATA, ICW4_8086);
	outb(PIC2_DATA, ICW4_8086);
	pic_mask_all();
}

void pic_mask_all(void)
{
	pic_masks[0] = pic_masks[1] = 0xff;
	outb(PIC1_DATA, 0xff);
	outb(PIC2_DATA, 0xff);
}

void pic_unmask(unsigned irq)
{
	if (irq >= 16)
		return;
	if (irq >= 8) {
		pic_masks[1] &= (uint8_t) ~(1u << (irq - 8));
		pic_masks[0] &= (uint8_t) ~(1u << 2); /* the cascade */
	} else {
		pic_masks[0] &= (uint8_t) ~(1u << irq);
	}
	outb(PIC1_DATA, pic_masks[0]);
	outb(PIC2_DATA, pic_masks[1]);
}

void pic_eoi(unsigned irq)
{
	if (irq >= 8)
		outb(PIC2_CMD, OCW2_EOI);
	outb(PIC1_CMD, OCW2_EOI);
}

void pit_periodic(unsigned hz)
{
	uint32_t div = hz ? PIT_HZ / hz : 0;

	if (div < 2)
		div = 2;
	if (div > 0xffff)
		div = 0; /* 0 means 65536 */
	outb(PIT_CMD, PIT_CH0_LOHI_MODE2);
	outb(PIT_CH0, (uint8_t)div);
	outb(PIT_CH0, (uint8_t)(div >> 8));
}

void pit_stop(void)
{
	/* Mode 0 with a count and no reload: at most one more edge, then quiet. */
	outb(PIT_CMD, PIT_CH0_LOHI_MODE0);
	outb(PIT_CH0, 0xff);
	outb(PIT_CH0, 0xff);
}
