/* Small objects come from per-size free lists carved from single frames; each
 * frame starts with a header counting its objects in use, and goes back to the
 * frame pool when the count drops to zero, so a destroyed VM leaves nothing
 * behind in `mem`. Anything larger than the biggest class gets its own run of
 * frames. Every block has a header with its class, so kfree needs no size and
 * catches a bad pointer or a double free. */
#include "mm/heap.h"

#include <stdint.h>

#include "kernel/kstring.h"
#include "kernel/panic.h"
#include "kernel/spinlock.h"
#include "mm/mem.h"

#define HEAP_MAGIC 0x7e47a11cU
#define HEAP_FREE_MAGIC 0xf4eef4eeU
#define SLAB_MAGIC 0x51ab51abU
#define NCLASSES 7

struct block {
	uint32_t magic;
	uint32_t cls;    /* class index, or NCLASSES for a large block */
	uint64_t frames; /* large blocks: frames in the run */
	struct block *next;
	uint64_t pad;
};
_Static_assert(sizeof(struct block) == 32, "header keeps 16-byte alignment");

struct slab {
	uint32_t magic;
	uint32_t used;
	uint64_t pad[3];
};
_Static_assert(sizeof(struct slab) == 32, "slab header is one 32-byte unit");

/* Block sizes, header included: as many as fit after the slab header. */
static const uint32_t class_size[NCLASSES] = { 32, 64, 128, 256, 512, 1008, 2032 };
static struct block *free_list[NCLASSES];
static spinlock_t heap_lock;

static int class_of(size_t total)
{
	for (int c = 0; c < NCLASSES; c++)
		if (total <= class_size[c])
			return c;
	return -1;
}

static struct slab *slab_of(const void *p)
{
	return (struct slab *)((uintptr_t)p & ~(uintptr_t)(FRAME_SIZE - 1));
}

static int refill(int c)
{
	uint64_t pa = mem_alloc_frame(FRAME_HYP);

	if (!pa)
		return -1;
	struct slab *s = phys_to_virt(pa);
	s->magic = SLAB_MAGIC;
	for (size_t off = sizeof(struct slab); off + class_size[c] <= FRAME_SIZE; off += class_size[c]) {
		struct block *b = (struct block *)((uint8_t *)s + off);
		b->magic = HEAP_FREE_MAGIC;
		b->cls = (uint32_t)c;
		b->next = free_list[c];
		free_list[c] = b;
	}
	return 0;
}

void *kzalloc(size_t size)
{
	if (size > (1ULL << 32))
		return 0;
	size_t total = size + sizeof(struct block);
	int c = class_of(total);
	struct block *b;

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
	if (!free_list[c] && refill(c)) {
		spin_unlock_irqrestore(&heap_lock, f);
		return 0;
	}
	b = free_list[c];
	free_list[c] = b->next;
	slab_of(b)->used++;
	spin_unlock_irqrestore(&heap_lock, f);
	b->magic = HEAP_MAGIC;
	memset(b + 1, 0, class_size[c] - sizeof(struct block));
	return b + 1;
}

/* The slab is empty: take its blocks off the free list and free the frame. */
static void release_slab(struct slab *s, int c)
{
	struct block **pp = &free_list[c];

	while (*pp) {
		if (slab_of(*pp) == s)
			*pp = (*pp)->next;
		else
			pp = &(*pp)->next;
	}
	s->magic = 0;
	mem_free_frame(virt_to_phys(s));
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
	struct slab *s = slab_of(b);
	if (s->magic != SLAB_MAGIC || !s->used)
		panic("kfree: %p is not in a heap slab", p);
	uint64_t f = spin_lock_irqsave(&heap_lock);
	b->magic = HEAP_FREE_MAGIC;
	b->next = free_list[b->cls];
	free_list[b->cls] = b;
	if (!--s->used)
		release_slab(s, (int)b->cls);
	spin_unlock_irqrestore(&heap_lock, f);
}
