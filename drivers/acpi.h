/* The machine's ACPI tables as found at boot (drivers/acpi.c), the `acpi` shell
 * command, and the two ACPI actions: reset and power-off (S5). The parsing itself
 * is drivers/acpi_parse.c. */
#ifndef DRIVERS_ACPI_H
#define DRIVERS_ACPI_H

#include <stdint.h>

#include "drivers/acpi_parse.h"
#include "kernel/boot_info.h"

/* What acpi_init() found; all zero (nothing present) before it or without ACPI. */
extern struct acpi_info acpi;

/* Firmware tables are read in place through the identity map: only ranges below
 * this address are read. The memory code sets it to the top of the direct map
 * before acpi_init(); while it is 0 nothing is read and acpi_init() fails. */
extern uint64_t acpi_map_limit;

/* Finds the RSDP (the boot loader's copy or address, else on BIOS machines the
 * legacy search), parses the tables and logs what it found. Returns 0 or the
 * negative errno of acpi_parse() (-ENOENT: no ACPI). */
int acpi_init(const struct boot_info *bi);

/* Writes the FADT reset value to the reset register (ACPI 6.5 4.8.4.6). Returns
 * -ENODEV when the FADT gives no usable reset register; on success the machine is
 * normally resetting when it returns. */
int acpi_reset(void);

/* Enters S5 (soft off): SLP_TYP from \_S5, then SLP_EN, in PM1a_CNT and PM1b_CNT
 * (ACPI 6.5 7.4.2 and 4.8.3.2.1). Returns -ENODEV when there is no PM1a control
 * block or no \_S5 package; on success the machine is normally off. */
int acpi_poweroff(void);

#endif
