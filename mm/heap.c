/* Size classes of 32..2048 bytes carved from frames; anything larger gets its
 * own run of frames. Every block has a header with its class so kfree needs no
 * size and can catch a bad pointer or a double free. */
#include "mm/heap.h"

#include <stdint.h>

#include "kernel/kstring.h"
#include "kernel/panic.h"
#include "kernel/spinlock.h"
#include "mm/mem.h"

#define HEAP_MAGIC 0x7e47a11cU
#define HEAP_FREE_MAGIC 0xf4eef4eeU
#define NCLASSES 7 /* 32 << 0 .. 32 << 6 = 2048 */

struct block {
	uint32_t magic;
	uint32_t cls;    /* class index, or NCLASSES for a large block */
	uint64_t frames; /* large blocks: frames in the run */
	struct block *next;
	uint64_t pad;
};
_Static_assert(sizeof(struct block) == 32, "header keeps 16-byte alignment");

static struct block *free_list[NCLASSES];
static spinlock_t heap_lock;

static int class_of(size_t total)
{
	for (int c = 0; c < NCLASSES; c++)
		if (total <= (32u << c))
			return c;
	return -1;
}

void *kzalloc(size_t size)
{
	size_t total = size + sizeof(struct block);
	int c = class_of(total);
	struct block *b;

	if (size > (1ULL << 32))
		return 0;
	if (c < 0) {
		uint64_t n = (total + FRAME_SIZE - 1) / FRAME_SIZE;
		uint64_t pa = mem_alloc_frames(n, FRAME_SIZE, FRAME_HYP);
		if (!pa)
			return 0;
		b = phys_to_virt(pa);
		b->magic = HEAP_MAGIC;
		b->cls = NCLASSES;
		b->frames = n;
		return b + 1;
	}
	uint64_t f = spin_lock_irqsave(&heap_lock);
	if (!free_list[c]) {
		uint64_t pa = mem_alloc_frame(FRAME_HYP);
		if (!pa) {
			spin_unlock_irqrestore(&heap_lock, f);
			return 0;
		}
		size_t bs = 32u << c;
		for (size_t off = 0; off + bs <= FRAME_SIZE; off += bs) {
			struct block *nb = (struct block *)((uint8_t *)phys_to_virt(pa) + off);
			nb->magic = HEAP_FREE_MAGIC;
			nb->cls = (uint32_t)c;
			nb->next = free_list[c];
			free_list[c] = nb;
		}
	}
	b = free_list[c];
	free_list[c] = b->next;
	spin_unlock_irqrestore(&heap_lock, f);
	b->magic = HEAP_MAGIC;
	memset(b + 1, 0, (32u << c) - sizeof(struct block));
	return b + 1;
}

void kfree(void *p)
{
	if (!p)
		return;
	struct block *b = (struct block *)p - 1;
	if (b->magic != HEAP_MAGIC || b->cls > NCLASSES)
		panic("kfree: bad or freed pointer %p", p);
	if (b->cls == NCLASSES) {
		uint64_t pa = virt_to_phys(b), n = b->frames;
		b->magic = 0;
		for (uint64_t i = 0; i < n; i++)
			mem_free_frame(pa + i * FRAME_SIZE);
		return;
	}
	uint64_t f = spin_lock_irqsave(&heap_lock);
	b->magic = HEAP_FREE_MAGIC;
	b->next = free_list[b->cls];
	free_list[b->cls] = b;
	spin_unlock_irqrestore(&heap_lock, f);
}
