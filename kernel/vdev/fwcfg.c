/* fw_cfg model, traditional I/O interface (QEMU docs/specs/fw_cfg.rst, "Legacy
 * I/O ports" and "File directory"). */
#include "kernel/vdev/fwcfg.h"

#include "kernel/errno.h"
#include "kernel/kstring.h"

#define FW_CFG_VERSION_TRAD 0x01 /* FW_CFG_ID bit 0: traditional interface */
#define DIR_ENTRY	    64
#define DIR_NAME_OFF	    8

static void put_le(uint8_t *p, uint64_t v, unsigned n)
{
	for (unsigned i = 0; i < n; i++)
		p[i] = (uint8_t)(v >> (8 * i));
}

static void put_be(uint8_t *p, uint64_t v, unsigned n)
{
	for (unsigned i = 0; i < n; i++)
		p[i] = (uint8_t)(v >> (8 * (n - 1 - i)));
}

static uint8_t *dir_entry(struct vfwcfg *fw, unsigned i)
{
	return fw->dir + 4 + (size_t)i * DIR_ENTRY;
}

static bool fwcfg_builtin(uint16_t key)
{
	switch (key) {
	case FW_CFG_SIGNATURE:
	case FW_CFG_ID:
	case FW_CFG_RAM_SIZE:
	case FW_CFG_NB_CPUS:
	case FW_CFG_MAX_CPUS:
	case FW_CFG_FILE_DIR: return true;
	default: return false;
	}
}

/* Finds the item a selector names. The write-channel bit does not change which
 * item is read (QEMU masks it the same way). */
static bool fwcfg_lookup(struct vfwcfg *fw, uint16_t key, const uint8_t **data, uint32_t *len)
{
	uint16_t k = key & (uint16_t)~FW_CFG_WRITE_CHANNEL;

	switch (k) {
	case FW_CFG_SIGNATURE:
		*data = (const uint8_t *)"QEMU";
		*len = 4;
		return true;
	case FW_CFG_ID:
		*data = fw->id;
		*len = sizeof(fw->id);
		return true;
	case FW_CFG_RAM_SIZE:
		*data = fw->ram_size;
		*len = sizeof(fw->ram_size);
		return true;
	case FW_CFG_NB_CPUS:
		*data = fw->nb_cpus;
		*len = sizeof(fw->nb_cpus);
		return true;
	case FW_CFG_MAX_CPUS:
		*data = fw->max_cpus;
		*len = sizeof(fw->max_cpus);
		return true;
	case FW_CFG_FILE_DIR:
		*data = fw->dir;
		*len = 4 + fw->file_count * DIR_ENTRY;
		return true;
	default: break;
	}
	if (!(k & FW_CFG_ARCH_LOCAL) && k >= FW_CFG_FILE_FIRST &&
	    k < FW_CFG_FILE_FIRST + fw->file_count) {
		*data = fw->files[k - FW_CFG_FILE_FIRST].data;
		*len = fw->files[k - FW_CFG_FILE_FIRST].len;
		return true;
	}
	for (unsigned i = 0; i < fw->item_count; i++) {
		if (fw->items[i].key == k) {
			*data = fw->items[i].data;
			*len = fw->items[i].len;
			return true;
		}
	}
	return false;
}

static uint8_t fwcfg_read_byte(struct vfwcfg *fw)
{
	const uint8_t *data;
	uint32_t len;

	if (!fwcfg_lookup(fw, fw->cur_key, &data, &len) || fw->cur_off >= len)
		return 0;
	return data[fw->cur_off++];
}

static uint32_t fwcfg_io_read(void *dev, uint16_t port, unsigned size)
{
	(void)port;
	/* Only byte reads are valid on the combined port pair (QEMU's
	 * fw_cfg_comb_valid); anything wider reads as an empty bus. */
	if (size != 1)
		return size >= 4 ? 0xffffffffu : (1u << (8 * size)) - 1;
	return fwcfg_read_byte(dev);
}

static void fwcfg_io_write(void *dev, uint16_t port, unsigned size, uint32_t val)
{
	struct vfwcfg *fw = dev;

	/* A 16-bit write selects; byte writes to the data port were the old write
	 * interface, removed from QEMU in 2.4, and are ignored like there. */
	if (size == 2 && port == VDEV_FWCFG_PORT) {
		fw->cur_key = (uint16_t)val;
		fw->cur_off = 0;
	}
}

static void fwcfg_reset(void *dev)
{
	struct vfwcfg *fw = dev;

	fw->cur_key = FW_CFG_SIGNATURE;
	fw->cur_off = 0;
}

void vdev_fwcfg_init(struct vfwcfg *fw, const struct vdev_host *host)
{
	uint64_t ram = host->ram_size ? host->ram_size(host->vm) : 0;
	uint32_t cpus = host->vcpu_count ? host->vcpu_count(host->vm) : 1;

	memset(fw, 0, sizeof(*fw));
	fw->host = host;
	if (cpus > 0xffff)
		cpus = 0xffff;
	put_le(fw->id, FW_CFG_VERSION_TRAD, sizeof(fw->id));
	put_le(fw->ram_size, ram, sizeof(fw->ram_size));
	put_le(fw->nb_cpus, cpus, sizeof(fw->nb_cpus));
	put_le(fw->max_cpus, cpus, sizeof(fw->max_cpus)); /* no CPU hotplug */
	fwcfg_reset(fw);
}

int vdev_fwcfg_add_file(struct vfwcfg *fw, const char *name, const void *data, uint32_t len)
{
	size_t n;
	unsigned at;

	if (!name || (!data && len))
		return -EINVAL;
	n = strnlen(name, VDEV_FWCFG_NAME_MAX);
	if (n == 0 || n >= VDEV_FWCFG_NAME_MAX)
		return -EINVAL;
	for (unsigned i = 0; i < fw->file_count; i++)
		if (strcmp((const char *)dir_entry(fw, i) + DIR_NAME_OFF, name) == 0)
			return -EEXIST;
	if (fw->file_count >= VDEV_FWCFG_MAX_FILES)
		return -ENOSPC;

	/* Keep the directory sorted by name (QEMU does for current machine types). */
	for (at = fw->file_count;
	     at > 0 && strcmp(name, (const char *)dir_entry(fw, at - 1) + DIR_NAME_OFF) < 0; at--)
		;
	for (unsigned i = fw->file_count; i > at; i--) {
		memcpy(dir_entry(fw, i), dir_entry(fw, i - 1), DIR_ENTRY);
		put_be(dir_entry(fw, i) + 4, FW_CFG_FILE_FIRST + i, 2);
		fw->files[i] = fw->files[i - 1];
	}
	memset(dir_entry(fw, at), 0, DIR_ENTRY);
	put_be(dir_entry(fw, at), len, 4);
	put_be(dir_entry(fw, at) + 4, FW_CFG_FILE_FIRST + at, 2);
	memcpy(dir_entry(fw, at) + DIR_NAME_OFF, name, n);
	fw->files[at].data = data;
	fw->files[at].len = len;
	fw->file_count++;
	put_be(fw->dir, fw->file_count, 4);
	return 0;
}

int vdev_fwcfg_add_item(struct vfwcfg *fw, uint16_t key, const void *data, uint32_t len)
{
	if (!data && len)
		return -EINVAL;
	if (key & FW_CFG_WRITE_CHANNEL)
		return -EINVAL;
	if (!(key & FW_CFG_ARCH_LOCAL) && (key >= FW_CFG_FILE_FIRST || fwcfg_builtin(key)))
		return -EINVAL;
	for (unsigned i = 0; i < fw->item_count; i++)
		if (fw->items[i].key == key)
			return -EEXIST;
	if (fw->item_count >= VDEV_FWCFG_MAX_ITEMS)
		return -ENOSPC;
	fw->items[fw->item_count].key = key;
	fw->items[fw->item_count].data = data;
	fw->items[fw->item_count].len = len;
	fw->item_count++;
	return 0;
}

const struct vdev_ops vdev_fwcfg_ops = {
	.name = "fw_cfg",
	.port_base = VDEV_FWCFG_PORT,
	.port_count = 2,
	.io_read = fwcfg_io_read,
	.io_write = fwcfg_io_write,
	.reset = fwcfg_reset,
};
