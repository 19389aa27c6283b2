#ifndef KERNEL_KERNEL_H
#define KERNEL_KERNEL_H

#include "kernel/boot_info.h"

#define TERRAPIN_VERSION "0.1.0"

void kernel_main(const struct boot_info *bi) __attribute__((noreturn));
/* The boot information (valid after kernel_main starts). */
const struct boot_info *kernel_boot_info(void);
const char *boot_door_name(enum boot_door d);

#endif
