/* QEMU's fw_cfg device, traditional I/O interface only (QEMU
 * docs/specs/fw_cfg.rst): a 16-bit write to 0x510 selects an item, each byte read
 * from 0x511 (or 0x510) returns the item's next byte, and reads past its end (or of
 * an item that does not exist) return 0. There is no DMA interface: FW_CFG_ID
 * reads 1 (traditional interface only) and 0x514 is not decoded.
 *
 * Items: the signature "QEMU", the ID, the RAM size (64-bit LE), the CPU counts
 * (16-bit LE), the file directory (item 0x19) and the files added with
 * vdev_fwcfg_add_file(), numbered from 0x20 in name order as QEMU does, plus raw
 * items added by key. Item data is not copied: it must stay valid and unchanged
 * while the device is in use. Not internally locked. */
#ifndef KERNEL_VDEV_FWCFG_H
#define KERNEL_VDEV_FWCFG_H

#include "kernel/vdev/vdev.h"

#define VDEV_FWCFG_PORT	     0x510 /* selector (16-bit write); data at 0x511 */
#define VDEV_FWCFG_MAX_FILES 32
#define VDEV_FWCFG_MAX_ITEMS 32 /* raw items besides the built-in ones */
#define VDEV_FWCFG_NAME_MAX  56 /* bytes of a directory name, NUL included */

/* Selector keys (QEMU include/standard-headers/linux/qemu_fw_cfg.h). */
enum {
	FW_CFG_SIGNATURE = 0x0000,
	FW_CFG_ID = 0x0001,
	FW_CFG_UUID = 0x0002,
	FW_CFG_RAM_SIZE = 0x0003,
	FW_CFG_NOGRAPHIC = 0x0004,
	FW_CFG_NB_CPUS = 0x0005,
	FW_CFG_MACHINE_ID = 0x0006,
	FW_CFG_KERNEL_ADDR = 0x0007,
	FW_CFG_KERNEL_SIZE = 0x0008,
	FW_CFG_KERNEL_CMDLINE = 0x0009,
	FW_CFG_INITRD_ADDR = 0x000a,
	FW_CFG_INITRD_SIZE = 0x000b,
	FW_CFG_BOOT_DEVICE = 0x000c,
	FW_CFG_NUMA = 0x000d,
	FW_CFG_BOOT_MENU = 0x000e,
	FW_CFG_MAX_CPUS = 0x000f,
	FW_CFG_FILE_DIR = 0x0019,
	FW_CFG_FILE_FIRST = 0x0020,
	FW_CFG_WRITE_CHANNEL = 0x4000,
	FW_CFG_ARCH_LOCAL = 0x8000,
};

struct vfwcfg_item {
	uint16_t key;
	uint32_t len;
	const uint8_t *data;
};

struct vfwcfg {
	const struct vdev_host *host;
	uint16_t cur_key;
	uint32_t cur_off;
	/* built-in items, stored in the byte order the guest reads */
	uint8_t id[4];
	uint8_t ram_size[8];
	uint8_t nb_cpus[2];
	uint8_t max_cpus[2];
	/* the directory: BE32 count, then {BE32 size, BE16 select, BE16 0, name[56]} */
	uint8_t dir[4 + 64 * VDEV_FWCFG_MAX_FILES];
	unsigned file_count;
	struct {
		const uint8_t *data;
		uint32_t len;
	} files[VDEV_FWCFG_MAX_FILES];
	struct vfwcfg_item items[VDEV_FWCFG_MAX_ITEMS];
	unsigned item_count;
};

/* Sets up the built-in items from host->ram_size() and host->vcpu_count(). */
void vdev_fwcfg_init(struct vfwcfg *fw, const struct vdev_host *host);

/* Adds file name (at most 55 characters) to the directory. Returns 0, -EINVAL for
 * a bad name, -EEXIST if the name is taken, -ENOSPC when the directory is full.
 * Selectors of files after it in name order move up by one, as in QEMU: add all
 * files before the guest runs. */
int vdev_fwcfg_add_file(struct vfwcfg *fw, const char *name, const void *data, uint32_t len);

/* Adds a raw item: key below FW_CFG_FILE_FIRST (and not a built-in one) or an
 * architecture-local key (FW_CFG_ARCH_LOCAL | n). Returns 0, -EINVAL for a key
 * that cannot be an item, -EEXIST if it is taken, -ENOSPC when the table is full. */
int vdev_fwcfg_add_item(struct vfwcfg *fw, uint16_t key, const void *data, uint32_t len);

extern const struct vdev_ops vdev_fwcfg_ops; /* 0x510-0x511 */

#endif
