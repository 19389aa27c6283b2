# The native UEFI door (GNU-EFI) and the OVMF run targets. Included by the
# top-level Makefile (include boot/efi.mk); paths are relative to the repository root.
#
#   $(BUILD)/terrapin.efi  terrapin.elf wrapped in a GNU-EFI application
#   $(BUILD)/esp.img       a FAT ESP with \EFI\BOOT\BOOTX64.EFI, terrapin.cfg and
#                          modules (from ESP_CMDLINE / ESP_MODULES)
#   make run-uefi          boot $(BUILD)/terrapin.iso (GRUB) under OVMF
#   make run-efi           boot $(BUILD)/esp.img (terrapin.efi) under OVMF
#
# ESP_MODULES is a ';'-separated list of "HOSTFILE ARGS..." entries, e.g.
#   make run-efi ESP_CMDLINE="loglevel=debug" \
#                ESP_MODULES="build/guests/hello.elf name=hello mem=32M autostart"
# QEMU_EXTRA adds QEMU options to both run targets (e.g. -no-reboot, -s -S).

BUILD ?= build
QEMU ?= qemu-system-x86_64

EFI_CC ?= gcc
EFI_LD ?= ld
EFI_OBJCOPY ?= objcopy
GNUEFI_INC ?= /usr/include/efi
GNUEFI_LIB ?= /usr/lib
GNUEFI_CRT0 ?= $(GNUEFI_LIB)/crt0-efi-x86_64.o
GNUEFI_LDS ?= $(GNUEFI_LIB)/elf_x86_64_efi.lds
OVMF_CODE ?= /usr/share/OVMF/OVMF_CODE_4M.fd
OVMF_VARS ?= /usr/share/OVMF/OVMF_VARS_4M.fd

ESP_CMDLINE ?=
ESP_MODULES ?=
QEMU_EXTRA ?=

# GNU-EFI 3.0.15 with GNU_EFI_USE_MS_ABI: firmware calls are plain calls through
# ms_abi function pointers (no uefi_call_wrapper thunks); efi_main itself is
# called by crt0 with the SysV ABI.
EFI_CFLAGS := -std=gnu11 -O2 -g -Wall -Wextra -Werror -ffreestanding -fpic -fshort-wchar \
	-mno-red-zone -fno-stack-protector -fno-strict-aliasing -maccumulate-outgoing-args \
	-DGNU_EFI_USE_MS_ABI -I$(GNUEFI_INC) -I$(GNUEFI_INC)/x86_64 -I. -MMD -MP

EFI_DIR := $(BUILD)/efi
EFI_SRCS := boot/efi.c boot/efi_cfg.c boot/efi_elf.c boot/efi_fs.c boot/efi_info.c
EFI_OBJS := $(patsubst boot/%.c,$(EFI_DIR)/%.o,$(EFI_SRCS)) $(EFI_DIR)/efi_blob.o
# what objcopy keeps of the shared object: code, data (which holds .rodata and the
# kernel blob), and what GNU-EFI's _relocate and the PE loader need
EFI_SECTIONS := -j .text -j .sdata -j .data -j .rodata -j .dynamic -j .dynsym -j .rel \
	-j .rela -j '.rel.*' -j '.rela.*' -j .reloc

EFI_QEMU_FLAGS := -machine q35 -cpu max -smp 2 -m 512M -accel tcg -serial mon:stdio \
	-display none
EFI_PFLASH = -drive if=pflash,format=raw,unit=0,readonly=on,file=$(OVMF_CODE) \
	-drive if=pflash,format=raw,unit=1,file=$(1)

.PHONY: efi run-uefi run-efi efi-always

efi: $(BUILD)/terrapin.efi

# $(DEPS_STAMP), when the top-level Makefile defines it, installs gnu-efi first.
$(EFI_DIR)/%.o: boot/%.c | $(DEPS_STAMP)
	@mkdir -p $(@D)
	$(EFI_CC) $(EFI_CFLAGS) -c $< -o $@

# The kernel travels without its debug info; .symtab stays (for kernel_entry64).
$(EFI_DIR)/kernel.elf: $(BUILD)/terrapin.elf
	@mkdir -p $(@D)
	$(EFI_OBJCOPY) --strip-debug $< $@

$(EFI_DIR)/efi_blob.o: boot/efi_blob.S $(EFI_DIR)/kernel.elf | $(DEPS_STAMP)
	@mkdir -p $(@D)
	$(EFI_CC) $(EFI_CFLAGS) -DEFI_KERNEL_BLOB='"$(EFI_DIR)/kernel.elf"' -c $< -o $@

$(EFI_DIR)/terrapin.so: $(EFI_OBJS)
	@test -f $(GNUEFI_CRT0) || { echo "efi: gnu-efi is missing (run scripts/deps.sh)" >&2; exit 1; }
	$(EFI_LD) -nostdlib -znocombreloc -T $(GNUEFI_LDS) -shared -Bsymbolic \
		$(GNUEFI_CRT0) $(EFI_OBJS) -L$(GNUEFI_LIB) -lefi -lgnuefi -o $@

$(BUILD)/terrapin.efi: $(EFI_DIR)/terrapin.so
	$(EFI_OBJCOPY) $(EFI_SECTIONS) --target efi-app-x86_64 --subsystem=10 $< $@

# Rebuilt every time: it is quick, and it depends on files named in ESP_MODULES.
$(BUILD)/esp.img: $(BUILD)/terrapin.efi scripts/mkesp.sh efi-always
	@set -e; set -- -o $@ -e $(BUILD)/terrapin.efi -c '$(ESP_CMDLINE)'; \
	mods='$(ESP_MODULES)'; IFS=';'; \
	for m in $$mods; do set -- "$$@" -m "$$m"; done; \
	unset IFS; scripts/mkesp.sh "$$@"

efi-always:

# A fresh copy of the OVMF variable store per target, so runs never share or
# inherit boot entries.
run-uefi: $(BUILD)/terrapin.iso
	cp $(OVMF_VARS) $(BUILD)/ovmf-vars-uefi.fd
	$(QEMU) $(EFI_QEMU_FLAGS) $(call EFI_PFLASH,$(BUILD)/ovmf-vars-uefi.fd) \
		-drive file=$(BUILD)/terrapin.iso,format=raw,media=cdrom $(QEMU_EXTRA)

run-efi: $(BUILD)/esp.img
	cp $(OVMF_VARS) $(BUILD)/ovmf-vars-efi.fd
	$(QEMU) $(EFI_QEMU_FLAGS) $(call EFI_PFLASH,$(BUILD)/ovmf-vars-efi.fd) \
		-drive file=$(BUILD)/esp.img,format=raw $(QEMU_EXTRA)

-include $(EFI_OBJS:.o=.d)
