/* Where the two boot doors meet: each gets its boot information into one static
 * struct boot_info, then calls kernel_main(). */
#include <stdint.h>

#include "boot/mb2_parse.h"
#include "kernel/boot_info.h"
#include "kernel/kernel.h"
#include "kernel/kstring.h"
#include "kernel/time.h"

static struct boot_info boot_info;

#define MB2_INFO_MAX (1u << 20) /* never trust a bigger total_size */

void mb2_entry(uint32_t magic, uint32_t info);
void mb2_entry(uint32_t magic, uint32_t info)
{
	(void)magic; /* checked in boot/multiboot2.S */
	time_init();
	uint32_t total = *(const uint32_t *)(uintptr_t)info;
	int r = mb2_parse((const void *)(uintptr_t)info, total < MB2_INFO_MAX ? total : MB2_INFO_MAX,
			  &boot_info);
	boot_info.malformed = r < 0 ? 1 : (uint32_t)r;
	mb2_fix_grub_strings(&boot_info);
	kernel_main(&boot_info);
}

void efi_kernel_entry(const struct boot_info *bi);
void efi_kernel_entry(const struct boot_info *bi)
{
	time_init();
	/* The loader's copy lives in memory the frame pool will reuse: copy it first. */
	memcpy(&boot_info, bi, sizeof(boot_info));
	boot_info.door = BOOT_DOOR_UEFI;
	kernel_main(&boot_info);
}
