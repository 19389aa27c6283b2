# The test guests: build/guests/NAME.elf for each, Multiboot1 kernels that boot
# under `qemu-system-x86_64 -kernel` and as Terrapin guests. Included by the
# top Makefile (uses its BUILD and CC); `make guests` builds them all.
#
# 32-bit guests are linked as ELF32 (elf_i386). 64-bit guests are compiled
# -m64 (their entry stub is .code32 and switches to long mode), linked as
# ELF64 and then converted to an ELF32 container with objcopy, because QEMU's
# Multiboot loader refuses ELF64 kernels (hw/i386/multiboot.c). The guests
# listed in GUESTS_AOUT also carry the Multiboot header's address fields
# (flag 16), so loaders place them from those instead of the ELF headers.
# The guests need no libgcc (Debian's gcc has no 32-bit one without
# gcc-multilib): 32-bit code avoids 64-bit division.

GUEST_BUILD := $(BUILD)/guests
GUESTS32 := hello smp triple unbacked svm vmx spin hypercall echo power chaos strio
GUESTS64 := hello64 exitloop memtouch timer platform cpuidbench fpu
GUESTS := $(GUESTS32) $(GUESTS64)
GUESTS_AOUT := hello64
GUEST_ELFS := $(GUESTS:%=$(GUEST_BUILD)/%.elf)

# Sources of a guest other than guests/NAME.c (hello64 is hello.c built 64-bit).
GUEST_SRC_hello64 := guests/hello.c
GUEST_EXTRA_smp := guests/smp_tramp.S

GUEST_LIB_SRC := $(addprefix guests/lib/,entry.S idt.S guest.c serial.c printf.c string.c \
	trap.c pic.c apic.c acpi.c) kernel/kstring.c

GUEST_CFLAGS := -std=gnu11 -O2 -g -ffreestanding -fno-builtin -nostdinc \
	-isystem $(shell $(CC) -print-file-name=include) -fno-stack-protector -fno-pic \
	-fno-pie -mgeneral-regs-only -fno-asynchronous-unwind-tables -fcf-protection=none \
	-fno-tree-loop-distribute-patterns -fno-omit-frame-pointer \
	-Wall -Wextra -Werror -I. -MMD -MP
GUEST_CFLAGS_32 := -m32 -march=i686
GUEST_CFLAGS_64 := -m64 -mno-red-zone -mcmodel=small
GUEST_LDFLAGS := -nostdlib -static -no-pie -z max-page-size=0x1000 -z noexecstack \
	--no-warn-rwx-segments --build-id=none -T guests/lib/guest.ld
GUEST_LDEMU_32 := elf_i386
GUEST_LDEMU_64 := elf_x86_64

guest_bits = $(if $(filter $(1),$(GUESTS64)),64,32)
guest_srcs = $(or $(GUEST_SRC_$(1)),guests/$(1).c) $(GUEST_EXTRA_$(1))

.PHONY: guests
guests: $(GUEST_ELFS)

# The runtime, once per mode.
$(GUEST_BUILD)/obj32/%.o: %
	@mkdir -p $(@D)
	@echo "  CC32    $<"
	@$(CC) $(GUEST_CFLAGS) $(GUEST_CFLAGS_32) -c $< -o $@
$(GUEST_BUILD)/obj64/%.o: %
	@mkdir -p $(@D)
	@echo "  CC64    $<"
	@$(CC) $(GUEST_CFLAGS) $(GUEST_CFLAGS_64) -c $< -o $@

# Per guest: its own sources (they see GUEST_NAME) and its Multiboot header.
define GUEST_RULES
$(GUEST_BUILD)/$(1)/%.o: % guests/guests.mk
	@mkdir -p $$(@D)
	@echo "  CC$(call guest_bits,$(1))    $$< ($(1))"
	@$$(CC) $$(GUEST_CFLAGS) $$(GUEST_CFLAGS_$(call guest_bits,$(1))) \
		-DGUEST_NAME='"$(1)"' $(if $(filter $(1),$(GUESTS_AOUT)),-DGUEST_MB_AOUT) -c $$< -o $$@

$(GUEST_BUILD)/$(1).link.elf: $(patsubst %,$(GUEST_BUILD)/$(1)/%.o,$(call guest_srcs,$(1)) \
		guests/lib/mbheader.S) \
		$(patsubst %,$(GUEST_BUILD)/obj$(call guest_bits,$(1))/%.o,$(GUEST_LIB_SRC)) \
		guests/lib/guest.ld
	@echo "  LD      $$@"
	@$$(LD) -m $$(GUEST_LDEMU_$(call guest_bits,$(1))) $$(GUEST_LDFLAGS) -o $$@ \
		$$(filter %.o,$$^)
endef
$(foreach g,$(GUESTS),$(eval $(call GUEST_RULES,$(g))))

# 32-bit: the link is the image. 64-bit: the same bytes in an ELF32 container.
$(GUESTS32:%=$(GUEST_BUILD)/%.elf): $(GUEST_BUILD)/%.elf: $(GUEST_BUILD)/%.link.elf
	@cp $< $@
$(GUESTS64:%=$(GUEST_BUILD)/%.elf): $(GUEST_BUILD)/%.elf: $(GUEST_BUILD)/%.link.elf
	@echo "  OBJCOPY $@"
	@objcopy -I elf64-x86-64 -O elf32-i386 $< $@

-include $(shell find $(GUEST_BUILD) -name '*.d' 2>/dev/null)
