# Terrapin: `make` builds the images, `make run` boots one under QEMU,
# `make test` runs every test. Missing Debian packages are installed first.

BUILD   ?= build
CC      := gcc
LD      := ld
HOSTCC  := gcc
QEMU    ?= qemu-system-x86_64
PYTHON  ?= python3

KCFLAGS := -std=gnu11 -O2 -g -ffreestanding -fno-builtin -nostdinc \
	-isystem $(shell $(CC) -print-file-name=include) \
	-fno-stack-protector -fno-pic -fno-pie -mno-red-zone -mgeneral-regs-only \
	-mcmodel=small -fno-omit-frame-pointer -fno-asynchronous-unwind-tables \
	-fcf-protection=none -fno-tree-loop-distribute-patterns -Wall -Wextra -Werror -I. -MMD -MP
KASFLAGS := -I. -MMD -MP
KLDFLAGS := -nostdlib -static -no-pie -z max-page-size=0x1000 -z noexecstack -T linker.ld

# Every source under the hypervisor's folders is part of the kernel, except the
# UEFI loader (built separately with GNU-EFI, see boot/efi.mk).
KDIRS := boot kernel kernel/vdev mm drivers vmx svm iommu
KSRC  := $(filter-out boot/efi%, $(foreach d,$(KDIRS),$(wildcard $(d)/*.c) $(wildcard $(d)/*.S)))
KOBJ  := $(patsubst %,$(BUILD)/obj/%.o,$(KSRC))

HOSTCFLAGS := -std=gnu11 -g -O1 -fsanitize=address,undefined -fno-sanitize-recover=all \
	-Wall -Wextra -Werror -DHOST_TEST -I.
UNIT_SRC  := $(wildcard tests/unit/test_*.c)
UNIT_BINS := $(patsubst tests/unit/%.c,$(BUILD)/host/%,$(UNIT_SRC))

DEPS_STAMP := $(BUILD)/.deps-ok

.PHONY: all deps run run-bochs run-kvm test unit bench clean
all: $(BUILD)/terrapin.elf $(BUILD)/terrapin.iso $(BUILD)/terrapin.efi guests

# Install what the build, run and tests need (a no-op when all is present).
$(DEPS_STAMP): scripts/deps.sh
	@scripts/deps.sh
	@mkdir -p $(@D) && touch $@
deps:
	@scripts/deps.sh

$(BUILD)/obj/%.c.o: %.c | $(DEPS_STAMP)
	@mkdir -p $(@D)
	@echo "  CC      $<"
	@$(CC) $(KCFLAGS) -c $< -o $@

$(BUILD)/obj/%.S.o: %.S | $(DEPS_STAMP)
	@mkdir -p $(@D)
	@echo "  AS      $<"
	@$(CC) $(KASFLAGS) -c $< -o $@

# Two links: the second adds the function symbol table (placed after the code,
# so no function moves) that fault backtraces print names from.
$(BUILD)/ksyms0.S: scripts/ksyms.sh
	@mkdir -p $(@D)
	scripts/ksyms.sh > $@
$(BUILD)/terrapin.pass1.elf: $(KOBJ) $(BUILD)/ksyms0.S.o linker.ld
	$(LD) $(KLDFLAGS) -o $@ $(KOBJ) $(BUILD)/ksyms0.S.o
$(BUILD)/ksyms.S: $(BUILD)/terrapin.pass1.elf scripts/ksyms.sh
	scripts/ksyms.sh $< > $@
$(BUILD)/%.S.o: $(BUILD)/%.S
	$(CC) -c $< -o $@
$(BUILD)/terrapin.elf: $(BUILD)/terrapin.pass1.elf $(BUILD)/ksyms.S.o
	$(LD) $(KLDFLAGS) -o $@ $(KOBJ) $(BUILD)/ksyms.S.o
	@scripts/ksyms.sh $@ | cmp -s - $(BUILD)/ksyms.S || { echo "symbols moved between links"; rm -f $@; exit 1; }

$(BUILD)/terrapin.iso: $(BUILD)/terrapin.elf scripts/mkiso.sh
	scripts/mkiso.sh -o $@ -k $<

-include boot/efi.mk
include guests/guests.mk
include guests/linux/linux.mk

# Host unit tests, with AddressSanitizer and UndefinedBehaviorSanitizer.
$(BUILD)/host/%: tests/unit/%.c | $(DEPS_STAMP)
	@mkdir -p $(@D)
	@echo "  HOSTCC  $<"
	@$(HOSTCC) $(HOSTCFLAGS) -MMD -MP $< -o $@
unit: $(UNIT_BINS)
	@for t in $(UNIT_BINS); do echo "== $$t"; $$t || exit 1; done

QEMU_RUN := $(QEMU) -accel tcg -machine q35 -cpu max -smp 2 -m 512M \
	-device isa-debug-exit,iobase=0xf4,iosize=0x04 -no-reboot -display none -serial mon:stdio
# The demo: two guests to look at (`vm list`, `console echo`, `stat`).
DEMO_GUESTS := $(BUILD)/guests/hello.elf $(BUILD)/guests/echo.elf
$(BUILD)/demo.iso: $(BUILD)/terrapin.elf $(DEMO_GUESTS) scripts/mkiso.sh
	scripts/mkiso.sh -o $@ -k $(BUILD)/terrapin.elf \
		-m "$(BUILD)/guests/hello.elf name=hello mem=32M autostart" \
		-m "$(BUILD)/guests/echo.elf name=echo mem=32M autostart"
run: $(BUILD)/demo.iso
	$(QEMU_RUN) -cdrom $<

# Bochs emulates AMD-V with next-RIP save (`ryzen`) and VT-x (`corei7_skylake_x`).
BOCHS_CPU ?= ryzen
run-bochs: $(BUILD)/demo.iso
	scripts/run-bochs.sh --cpu $(BOCHS_CPU) --iso $<

# KVM with the host CPU's VT-x or AMD-V passed through, where the host has it
# (the script checks the CPU flags, not only /dev/kvm, and says why not).
run-kvm: $(BUILD)/demo.iso
	scripts/run-kvm.sh --iso $<

test: all linux-guest $(UNIT_BINS)
	$(PYTHON) tests/run.py

bench: all
	$(PYTHON) tests/bench.py

clean:
	rm -rf $(BUILD)

-include $(KOBJ:.o=.d) $(UNIT_BINS:=.d)
