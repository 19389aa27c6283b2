/* The UEFI door's configuration: terrapin.cfg, the image's load options and the
 * file paths built from them. Pure: no firmware calls, compiled on the host for
 * tests. The file format is described at the top of boot/efi.c. */
#ifndef BOOT_EFI_CFG_H
#define BOOT_EFI_CFG_H

#include <stddef.h>
#include <stdint.h>

#include "kernel/boot_info.h"

#define EFI_CFG_NAME "terrapin.cfg"
#define EFI_CFG_PATH_MAX 256     /* bytes of a module path, with its NUL */
#define EFI_CFG_FILE_MAX 65536u  /* a larger terrapin.cfg is refused */

struct efi_cfg_module {
	char path[EFI_CFG_PATH_MAX]; /* as written: '/' or '\' separators */
	char args[BOOT_MODARGS_MAX]; /* what follows the path, as GRUB's module2 passes it */
};

struct efi_cfg {
	char cmdline[BOOT_CMDLINE_MAX];
	uint32_t module_count;
	struct efi_cfg_module modules[BOOT_MAX_MODULES];
};

/* Where a parse failed: 1-based line (0 for the whole file) and why. */
struct efi_cfg_error {
	unsigned line;
	const char *why;
};

/* Parse terrapin.cfg from text[0..len) (not NUL-terminated). Returns 0, or a
 * negative errno with *err filled; *cfg is then partly filled and must not be used. */
int efi_cfg_parse(const char *text, size_t len, struct efi_cfg *cfg, struct efi_cfg_error *err);

/* Append `src` to the NUL-terminated string in dst[0..cap), separated by one space
 * when both are non-empty. -E2BIG (dst unchanged) when the result does not fit. */
int efi_cfg_append(char *dst, size_t cap, const char *src);

/* The image's LoadOptions (UCS-2, `bytes` long, maybe not NUL-terminated) as
 * command-line text in out[0..cap). The UEFI shell passes the whole command,
 * program name first; a boot entry usually passes only arguments. So the first
 * word is skipped when it is a path (has '\', '/' or ':') or names this program
 * (`self`, e.g. "BOOTX64.EFI", compared without case, with or without ".efi").
 * Returns the length written (0: nothing to add), -EINVAL when the options are not
 * printable ASCII text (firmware boot entries often carry binary data there), or
 * -E2BIG when the text does not fit. */
int efi_cfg_load_options(const uint16_t *opts, size_t bytes, const char *self, char *out,
			 size_t cap);

/* A config path ("/guests/a.elf", "guests\a.elf") as an absolute UCS-2 file path
 * for EFI_FILE_PROTOCOL.Open: '\' separators, a leading '\', no repeated
 * separators. Returns the length in characters, -EINVAL for an empty path or a
 * character outside printable ASCII, -E2BIG when out[0..cap) is too small. */
int efi_cfg_path_to_ucs2(const char *path, uint16_t *out, size_t cap);

/* The file path of a device path (UEFI 2.10 10.3.5.4: the media file path nodes,
 * type 4 subtype 4, joined in order) from dp[0..len) into out[0..cap) as UCS-2,
 * NUL-terminated, with a leading '\'. Returns its length, -ENOENT when the path
 * has no file path node, -EINVAL when a node is malformed, -E2BIG when too long. */
int efi_cfg_devpath_file(const uint8_t *dp, size_t len, uint16_t *out, size_t cap);

/* The file `name` in the directory of the UCS-2 file path `file`
 * ("\EFI\BOOT\BOOTX64.EFI" + "terrapin.cfg" -> "\EFI\BOOT\terrapin.cfg").
 * Returns the length or -E2BIG. */
int efi_cfg_sibling(const uint16_t *file, const char *name, uint16_t *out, size_t cap);

/* The last component of a UCS-2 path as ASCII ('?' for other characters). */
void efi_cfg_basename(const uint16_t *file, char *out, size_t cap);

#endif
