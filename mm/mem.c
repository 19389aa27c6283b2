/* Boot-time memory set-up and the locked global frame pool. */
#include "mm/mem.h"

#include "kernel/kstring.h"
#include "kernel/log.h"
#include "kernel/panic.h"
#include "kernel/shell.h"
#include "kernel/spinlock.h"
#include "mm/memmap.h"

#define MEM_MAP_MAX (BOOT_MAX_MMAP * 2)

struct mem_range mem_map[MEM_MAP_MAX];
size_t mem_map_count;

static struct frame_pool pool;
static spinlock_t pool_lock;

extern char __kernel_start[], __kernel_end[];

#define LOW_RESERVED (1ULL << 20)
#define BOOT_MAPPED_TOP (4ULL << 30) /* the boot page tables map the first 4 GiB */

void mem_init(const struct boot_info *bi)
{
	int n = memmap_normalize(bi->mmap, bi->mmap_count, mem_map, MEM_MAP_MAX);
	if (n <= 0)
		panic("memory map from the boot loader is empty or unusable (%d)", n);
	mem_map_count = (size_t)n;

	/* Where to put the frame table: usable memory that is not the image, a module
	 * or low memory, and inside the boot identity map. Work on a scratch copy. */
	static struct mem_range scratch[MEM_MAP_MAX];
	memcpy(scratch, mem_map, sizeof(mem_map[0]) * mem_map_count);
	int sn = (int)mem_map_count;
	uint64_t kstart = (uint64_t)__kernel_start, kend = (uint64_t)__kernel_end;
	sn = memmap_set_type(scratch, sn, MEM_MAP_MAX, 0, LOW_RESERVED, MEM_RESERVED);
	if (sn > 0)
		sn = memmap_set_type(scratch, sn, MEM_MAP_MAX, kstart, kend - kstart, MEM_RESERVED);
	for (uint32_t i = 0; i < bi->module_count && sn > 0; i++)
		sn = memmap_set_type(scratch, sn, MEM_MAP_MAX, bi->modules[i].start,
				     bi->modules[i].end - bi->modules[i].start, MEM_RESERVED);
	if (sn <= 0)
		panic("memory map has too many entries");

	uint64_t top = memmap_usable_top(mem_map, mem_map_count);
	uint64_t bytes = frame_table_bytes(top);
	uint64_t table = memmap_find_usable(scratch, sn, bytes, FRAME_SIZE, LOW_RESERVED);
	if (!table || table + bytes > BOOT_MAPPED_TOP)
		panic("no room below 4 GiB for the frame table (%llu KiB)",
		      (unsigned long long)(bytes >> 10));

	frame_pool_init(&pool, phys_to_virt(table), top);
	for (size_t i = 0; i < mem_map_count; i++)
		if (mem_map[i].type == MEM_USABLE)
			frame_add_usable(&pool, mem_map[i].base, mem_map[i].len);
	frame_reserve(&pool, 0, LOW_RESERVED, FRAME_KERNEL);
	frame_reserve(&pool, kstart, kend - kstart, FRAME_KERNEL);
	for (uint32_t i = 0; i < bi->module_count; i++)
		frame_reserve(&pool, bi->modules[i].start,
			      bi->modules[i].end - bi->modules[i].start, FRAME_KERNEL);
	frame_reserve(&pool, table, bytes, FRAME_HYP);

	pr_info("mem: %llu MiB usable, %llu MiB free, frame table %llu KiB at 0x%llx\n",
		(unsigned long long)(memmap_total(mem_map, mem_map_count, MEM_USABLE) >> 20),
		(unsigned long long)((pool.count[FRAME_FREE] * FRAME_SIZE) >> 20),
		(unsigned long long)(bytes >> 10), (unsigned long long)table);
}

uint64_t mem_alloc_frames(uint64_t n, uint64_t align, uint8_t owner)
{
	uint64_t f = spin_lock_irqsave(&pool_lock);
	uint64_t pa = n == 1 && align <= FRAME_SIZE ? frame_alloc(&pool, owner)
						    : frame_alloc_contig(&pool, n, align, owner);
	spin_unlock_irqrestore(&pool_lock, f);
	if (pa)
		memset(phys_to_virt(pa), 0, n * FRAME_SIZE);
	return pa;
}

uint64_t mem_alloc_frame(uint8_t owner) { return mem_alloc_frames(1, FRAME_SIZE, owner); }

void mem_free_frame(uint64_t pa)
{
	uint64_t f = spin_lock_irqsave(&pool_lock);
	int r = frame_free(&pool, pa);
	spin_unlock_irqrestore(&pool_lock, f);
	if (r)
		panic("mem: bad free of frame 0x%llx", (unsigned long long)pa);
}

uint64_t mem_free_owner(uint8_t owner)
{
	uint64_t f = spin_lock_irqsave(&pool_lock);
	uint64_t n = frame_free_owner(&pool, owner);
	spin_unlock_irqrestore(&pool_lock, f);
	return n;
}

bool mem_overlaps_ram(uint64_t pa, uint64_t len)
{
	for (size_t i = 0; i < mem_map_count; i++)
		if (mem_map[i].type == MEM_USABLE && pa < mem_map[i].base + mem_map[i].len &&
		    mem_map[i].base < pa + len)
			return true;
	return false;
}

void mem_stats(struct frame_pool *out)
{
	uint64_t f = spin_lock_irqsave(&pool_lock);
	*out = pool;
	spin_unlock_irqrestore(&pool_lock, f);
}

static void print_frames(const char *what, uint64_t n)
{
	cprintf("  %-10s %10llu frames %8llu KiB\n", what, (unsigned long long)n,
		(unsigned long long)(n * 4));
}

static int cmd_mem(int argc, char **argv)
{
	static struct frame_pool s;
	char name[24];
	uint64_t managed = 0;

	if (argc > 2 || (argc == 2 && strcmp(argv[1], "map")))
		return shell_usage("mem");
	if (argc == 2) {
		for (size_t i = 0; i < mem_map_count; i++)
			cprintf("  0x%016llx-0x%016llx %-12s %8llu KiB\n",
				(unsigned long long)mem_map[i].base,
				(unsigned long long)(mem_map[i].base + mem_map[i].len - 1),
				memmap_type_name(mem_map[i].type),
				(unsigned long long)(mem_map[i].len >> 10));
		return 0;
	}
	mem_stats(&s);
	for (int o = FRAME_FREE; o < FRAME_OWNER_MAX; o++)
		managed += s.count[o];
	cprintf("physical memory: %llu MiB in the map, %llu MiB managed\n",
		(unsigned long long)(memmap_total(mem_map, mem_map_count, MEM_USABLE) >> 20),
		(unsigned long long)((managed * FRAME_SIZE) >> 20));
	print_frames("total", managed);
	for (int o = FRAME_FREE; o < FRAME_OWNER_MAX; o++)
		if (s.count[o] || o <= FRAME_PGTABLE)
			print_frames(frame_owner_name((uint8_t)o, name, sizeof(name)), s.count[o]);
	return 0;
}
SHELL_COMMAND(mem, "mem", "[map]", "physical frames: total, free, by owner; 'map' shows the memory map", cmd_mem);
