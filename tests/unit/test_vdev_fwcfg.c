/* Host tests for kernel/vdev/fwcfg.c: fw_cfg read the way SeaBIOS and Linux's
 * qemu_fw_cfg driver read it, through the ports, with the directory decoded by
 * hand from its big-endian layout (QEMU docs/specs/fw_cfg.rst). */
#include "tests/unit/check.h"

#include "kernel/vdev/fwcfg.c"
#include "tests/unit/vdev_fake_host.h"

static struct vfwcfg FW;

static void setup(uint64_t ram, uint32_t cpus)
{
	fake_reset();
	FV.ram = ram;
	FV.cpus = cpus;
	vdev_fwcfg_init(&FW, &FAKE_HOST);
}

static void sel(uint16_t key)
{
	io_out(&vdev_fwcfg_ops, &FW, 0x510, 2, key);
}

static uint8_t data8(void)
{
	return (uint8_t)io_in(&vdev_fwcfg_ops, &FW, 0x511, 1);
}

static void read_item(uint16_t key, uint8_t *buf, size_t n)
{
	sel(key);
	for (size_t i = 0; i < n; i++)
		buf[i] = data8();
}

static uint32_t be32(const uint8_t *p)
{
	return (uint32_t)p[0] << 24 | (uint32_t)p[1] << 16 | (uint32_t)p[2] << 8 | p[3];
}

static uint64_t le(const uint8_t *p, unsigned n)
{
	uint64_t v = 0;

	for (unsigned i = 0; i < n; i++)
		v |= (uint64_t)p[i] << (8 * i);
	return v;
}

TEST(ops_table)
{
	CHECK_EQ(vdev_fwcfg_ops.port_base, 0x510);
	CHECK_EQ(vdev_fwcfg_ops.port_count, 2); /* no DMA registers at 0x514 */
}

TEST(signature_and_id)
{
	uint8_t b[8];

	setup(128 << 20, 1);
	/* after reset the signature is selected */
	b[0] = data8();
	b[1] = data8();
	b[2] = data8();
	b[3] = data8();
	CHECK(memcmp(b, "QEMU", 4) == 0);
	CHECK_EQ(data8(), 0); /* past the end */
	CHECK_EQ(data8(), 0);
	read_item(FW_CFG_SIGNATURE, b, 4);
	CHECK(memcmp(b, "QEMU", 4) == 0);
	read_item(FW_CFG_ID, b, 5);
	CHECK_EQ(le(b, 4), 1); /* traditional interface only, no DMA */
	CHECK_EQ(b[4], 0);
	/* a byte read at the selector port reads data too (QEMU's combined port) */
	sel(FW_CFG_SIGNATURE);
	CHECK_EQ(io_in(&vdev_fwcfg_ops, &FW, 0x510, 1), 'Q');
	CHECK_EQ(data8(), 'E');
}

TEST(sizes)
{
	static const struct {
		uint64_t ram;
		uint32_t cpus;
	} t[] = {{128ull << 20, 1}, {0x123456000ull, 4}, {6ull << 30, 255}, {0, 70000}};

	for (unsigned i = 0; i < sizeof(t) / sizeof(t[0]); i++) {
		uint8_t b[9];
		uint32_t want_cpus = t[i].cpus > 0xffff ? 0xffff : t[i].cpus;

		setup(t[i].ram, t[i].cpus);
		read_item(FW_CFG_RAM_SIZE, b, 9);
		CHECK_EQ(le(b, 8), t[i].ram);
		CHECK_EQ(b[8], 0);
		read_item(FW_CFG_NB_CPUS, b, 3);
		CHECK_EQ(le(b, 2), want_cpus);
		CHECK_EQ(b[2], 0);
		read_item(FW_CFG_MAX_CPUS, b, 2);
		CHECK_EQ(le(b, 2), want_cpus);
	}
}

TEST(file_directory)
{
	static const uint8_t e820[40] = {1, 2, 3};
	static const uint8_t rsdp[36] = {'R', 'S', 'D'};
	static const char order[] = "c,a";
	static const char *const want[] = {"bootorder", "etc/acpi/rsdp", "etc/e820", "zz"};
	static const uint32_t want_len[] = {3, 36, 40, 0};
	uint8_t dir[4 + 64 * 4 + 8];
	uint8_t buf[64];

	setup(1 << 30, 2);
	CHECK_EQ(vdev_fwcfg_add_file(&FW, "etc/e820", e820, sizeof(e820)), 0);
	CHECK_EQ(vdev_fwcfg_add_file(&FW, "zz", NULL, 0), 0);
	CHECK_EQ(vdev_fwcfg_add_file(&FW, "etc/acpi/rsdp", rsdp, sizeof(rsdp)), 0);
	CHECK_EQ(vdev_fwcfg_add_file(&FW, "bootorder", order, 3), 0);

	memset(dir, 0xee, sizeof(dir));
	read_item(FW_CFG_FILE_DIR, dir, sizeof(dir));
	CHECK_EQ(be32(dir), 4);
	for (unsigned i = 0; i < 4; i++) {
		const uint8_t *e = dir + 4 + 64 * i;
		char name[57];

		CHECK_EQ(be32(e), want_len[i]);
		CHECK_EQ(e[4] << 8 | e[5], 0x20 + i); /* selectors in name order */
		CHECK_EQ(e[6], 0);
		CHECK_EQ(e[7], 0);
		memcpy(name, e + 8, 56);
		name[56] = '\0';
		CHECK_STR(name, want[i]);
		for (size_t j = strlen(want[i]); j < 56; j++)
			CHECK_EQ(e[8 + j], 0);
	}
	for (unsigned i = 4 + 64 * 4; i < sizeof(dir); i++)
		CHECK_EQ(dir[i], 0); /* past the directory's end */

	/* each file by its selector */
	read_item(0x22, buf, 41);
	CHECK(memcmp(buf, e820, 40) == 0);
	CHECK_EQ(buf[40], 0);
	read_item(0x21, buf, 3);
	CHECK(memcmp(buf, "RSD", 3) == 0);
	read_item(0x20, buf, 4);
	CHECK(memcmp(buf, "c,a", 3) == 0);
	CHECK_EQ(buf[3], 0);
	read_item(0x23, buf, 2);
	CHECK_EQ(buf[0], 0);
	/* no file 0x24 */
	read_item(0x24, buf, 4);
	CHECK_EQ(le(buf, 4), 0);
}

TEST(file_errors)
{
	char name[64];
	uint8_t one = 1;

	setup(1 << 30, 1);
	CHECK_EQ(vdev_fwcfg_add_file(&FW, "a", &one, 1), 0);
	CHECK_EQ(vdev_fwcfg_add_file(&FW, "a", &one, 1), -EEXIST);
	CHECK_EQ(vdev_fwcfg_add_file(&FW, "", &one, 1), -EINVAL);
	CHECK_EQ(vdev_fwcfg_add_file(&FW, NULL, &one, 1), -EINVAL);
	CHECK_EQ(vdev_fwcfg_add_file(&FW, "b", NULL, 1), -EINVAL);
	memset(name, 'n', sizeof(name));
	name[56] = '\0';
	CHECK_EQ(vdev_fwcfg_add_file(&FW, name, &one, 1), -EINVAL); /* 56 + NUL won't fit */
	name[55] = '\0';
	CHECK_EQ(vdev_fwcfg_add_file(&FW, name, &one, 1), 0);
	for (unsigned i = 2; i < VDEV_FWCFG_MAX_FILES; i++) {
		char n[8] = {'f', (char)('0' + i / 10), (char)('0' + i % 10), '\0'};
		CHECK_EQ(vdev_fwcfg_add_file(&FW, n, &one, 1), 0);
	}
	CHECK_EQ(vdev_fwcfg_add_file(&FW, "last", &one, 1), -ENOSPC);
	CHECK_EQ(FW.file_count, VDEV_FWCFG_MAX_FILES);
	/* the directory is still sorted and numbered */
	for (unsigned i = 1; i < FW.file_count; i++) {
		const uint8_t *a = FW.dir + 4 + 64 * (i - 1), *b = FW.dir + 4 + 64 * i;
		CHECK(strcmp((const char *)a + 8, (const char *)b + 8) < 0);
		CHECK_EQ(b[4] << 8 | b[5], 0x20 + i);
	}
}

TEST(raw_items)
{
	static const uint8_t e820[20] = {0xaa, 0xbb};
	static const uint8_t sz[4] = {0x00, 0x10, 0x00, 0x00};
	uint8_t b[4];

	setup(1 << 30, 1);
	CHECK_EQ(vdev_fwcfg_add_item(&FW, FW_CFG_ARCH_LOCAL | 3, e820, sizeof(e820)), 0);
	CHECK_EQ(vdev_fwcfg_add_item(&FW, FW_CFG_INITRD_SIZE, sz, 4), 0);
	CHECK_EQ(vdev_fwcfg_add_item(&FW, FW_CFG_INITRD_SIZE, sz, 4), -EEXIST);
	CHECK_EQ(vdev_fwcfg_add_item(&FW, FW_CFG_FILE_DIR, sz, 4), -EINVAL);
	CHECK_EQ(vdev_fwcfg_add_item(&FW, FW_CFG_SIGNATURE, sz, 4), -EINVAL);
	CHECK_EQ(vdev_fwcfg_add_item(&FW, FW_CFG_FILE_FIRST, sz, 4), -EINVAL);
	CHECK_EQ(vdev_fwcfg_add_item(&FW, FW_CFG_WRITE_CHANNEL | 2, sz, 4), -EINVAL);
	CHECK_EQ(vdev_fwcfg_add_item(&FW, 2, NULL, 4), -EINVAL);
	read_item(FW_CFG_ARCH_LOCAL | 3, b, 2);
	CHECK_EQ(b[0], 0xaa);
	CHECK_EQ(b[1], 0xbb);
	read_item(FW_CFG_INITRD_SIZE, b, 4);
	CHECK_EQ(le(b, 4), 0x1000);
	/* the write-channel bit selects the same item */
	read_item(FW_CFG_WRITE_CHANNEL | FW_CFG_INITRD_SIZE, b, 4);
	CHECK_EQ(le(b, 4), 0x1000);
	/* an item nobody added reads zeros */
	read_item(FW_CFG_ARCH_LOCAL | 4, b, 4);
	CHECK_EQ(le(b, 4), 0);
	read_item(0x3fff, b, 4);
	CHECK_EQ(le(b, 4), 0);
	/* two are in; the table takes VDEV_FWCFG_MAX_ITEMS - 2 more */
	for (unsigned i = 0; i < VDEV_FWCFG_MAX_ITEMS; i++) {
		int err =
			vdev_fwcfg_add_item(&FW, (uint16_t)(FW_CFG_ARCH_LOCAL | (0x10 + i)), sz, 4);
		CHECK_EQ(err, i < VDEV_FWCFG_MAX_ITEMS - 2 ? 0 : -ENOSPC);
	}
}

TEST(port_rules)
{
	setup(1 << 30, 1);
	sel(FW_CFG_SIGNATURE);
	CHECK_EQ(data8(), 'Q');
	/* reselecting starts the item over */
	sel(FW_CFG_SIGNATURE);
	CHECK_EQ(data8(), 'Q');
	/* wide reads are not valid on these ports: empty bus, offset unchanged */
	CHECK_EQ(io_in(&vdev_fwcfg_ops, &FW, 0x511, 2), 0xffff);
	CHECK_EQ(io_in(&vdev_fwcfg_ops, &FW, 0x510, 4), 0xffffffff);
	CHECK_EQ(data8(), 'E');
	/* byte writes (the removed write interface) and 32-bit writes do nothing */
	io_out(&vdev_fwcfg_ops, &FW, 0x511, 1, 0x55);
	io_out(&vdev_fwcfg_ops, &FW, 0x510, 1, FW_CFG_ID);
	io_out(&vdev_fwcfg_ops, &FW, 0x510, 4, FW_CFG_ID);
	CHECK_EQ(data8(), 'M');
	/* reset goes back to the signature */
	sel(FW_CFG_RAM_SIZE);
	vdev_fwcfg_ops.reset(&FW);
	CHECK_EQ(data8(), 'Q');
	/* reading far past the end stays at zero, never past the data */
	sel(FW_CFG_NB_CPUS);
	for (unsigned i = 0; i < 100000; i++)
		(void)data8();
	CHECK_EQ(data8(), 0);
	CHECK_EQ(FW.cur_off, 2);
}

int main(void)
{
	RUN(ops_table);
	RUN(signature_and_id);
	RUN(sizes);
	RUN(file_directory);
	RUN(file_errors);
	RUN(raw_items);
	RUN(port_rules);
	return CHECK_DONE();
}
