# The Linux guest: Debian's kernel and a busybox initramfs (guests/linux/build.sh
# fetches both from Debian's archive). Included by the top Makefile.
#   make linux-guest   build/linux/vmlinuz (bzImage), build/linux/vmlinux (the same
#                      kernel uncompressed) and build/linux/initramfs.cpio.gz
#   make run-linux     Terrapin under QEMU with Linux as guest `linux`
#                      (LINUX_KERNEL=vmlinux boots the uncompressed form)

LINUX_DIR := $(BUILD)/linux
LINUX_STAMP := $(LINUX_DIR)/.built
LINUX_MEM ?= 512M
LINUX_CPUS ?= 2
LINUX_KERNEL ?= vmlinuz

$(LINUX_STAMP): guests/linux/build.sh guests/linux/init guests/linux/inittab | $(DEPS_STAMP)
	guests/linux/build.sh $(LINUX_DIR)
	@touch $@
linux-guest: $(LINUX_STAMP)

$(BUILD)/linux.iso: $(BUILD)/terrapin.elf $(LINUX_STAMP) scripts/mkiso.sh guests/linux/linux.mk
	scripts/mkiso.sh -o $@ -k $(BUILD)/terrapin.elf \
		-m "$(LINUX_DIR)/$(LINUX_KERNEL) name=linux mem=$(LINUX_MEM) cpus=$(LINUX_CPUS) autostart cmdline=\"console=ttyS0\"" \
		-m "$(LINUX_DIR)/initramfs.cpio.gz initrd-of=linux"

# QEMU gets 2 GiB: the guest (up to about 1.5 GiB) plus Terrapin.
run-linux: $(BUILD)/linux.iso
	$(QEMU) -accel tcg -machine q35 -cpu max -smp 2 -m 2G \
		-device isa-debug-exit,iobase=0xf4,iosize=0x04 -no-reboot -display none \
		-serial mon:stdio -cdrom $<

.PHONY: linux-guest run-linux
