/* A guest module's argument string (the text after the image's path on a
 * `module2` line, or from the UEFI config), parsed and validated. Pure.
 *
 *   name=NAME       1-31 characters of [A-Za-z0-9_-]; optional here (empty
 *                   when absent: the caller picks one) and the caller keeps
 *                   names unique
 *   mem=SIZE        guest RAM, default 64M, 1M..64G, a multiple of 4 KiB
 *   cpus=N          vCPUs, 1..8, default 1
 *   autostart       start the VM at boot (a flag: no value)
 *   cmdline="..."   the guest's own command line, up to 255 characters
 *   format=F        auto (default: Linux when the image has the bzImage
 *                   "HdrS" header, else Multiboot when it has that header,
 *                   else Linux for an ELF64 (an uncompressed vmlinux)),
 *                   multiboot, linux (bzImage or vmlinux), or flat
 *   load=ADDR       flat images: where the bytes go (required for flat)
 *   entry=ADDR      flat images: where execution starts (default: load)
 *   initrd-of=NAME  this module is not a guest but the initrd (initramfs) of
 *                   the Linux guest named NAME; no other key may go with it
 *
 * Every key may appear once; an unknown key is an error naming it.
 *
 * A Linux guest is two modules, in either order, e.g. in grub.cfg:
 *   module2 /guests/vmlinuz name=linux mem=256M cpus=2 cmdline="console=ttyS0"
 *   module2 /guests/initrd.img initrd-of=linux
 * The kernel's module needs a name= for the initrd to refer to. */
#ifndef KERNEL_GUEST_ARGS_H
#define KERNEL_GUEST_ARGS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define GUEST_NAME_MAX	  31
#define GUEST_CMDLINE_MAX 255
#define GUEST_CPUS_MAX	  8
#define GUEST_MEM_DEFAULT (64ULL << 20)
#define GUEST_MEM_MIN	  (1ULL << 20)
#define GUEST_MEM_MAX	  (64ULL << 30)
#define GUEST_MEM_ALIGN	  4096ULL
/* A flat image runs in 32-bit protected mode: its addresses are 32-bit. */
#define GUEST_FLAT_ADDR_LIMIT (1ULL << 32)

enum guest_format {
	GUEST_FORMAT_AUTO = 0,
	GUEST_FORMAT_MULTIBOOT,
	GUEST_FORMAT_FLAT,
	GUEST_FORMAT_LINUX,
};

struct guest_args {
	char name[GUEST_NAME_MAX + 1]; /* "" when not given */
	uint64_t mem;		       /* bytes */
	unsigned cpus;
	bool autostart;
	char cmdline[GUEST_CMDLINE_MAX + 1]; /* "" when not given */
	enum guest_format format;
	bool has_load, has_entry;
	uint64_t load, entry;
	char initrd_of[GUEST_NAME_MAX + 1]; /* "" unless initrd-of= was given */
};

/* The defaults: no name, 64M, 1 vCPU, no autostart, empty cmdline, auto. */
void guest_args_default(struct guest_args *a);

/* Parses `line` into *a (defaults first). Returns 0, or a negative errno with a
 * sentence in err[0..errlen) naming the word at fault, e.g. "mem=12Q: not a
 * size". -EINVAL for malformed input, -ERANGE for a value out of range. */
int guest_args_parse(const char *line, struct guest_args *a, char *err, size_t errlen);

/* Whether `line` has the initrd-of key: the module is an initrd, not a guest
 * (guest_args_parse() then fills only initrd_of, or says what is wrong). */
bool guest_args_is_initrd(const char *line);

/* "auto", "multiboot", "flat", "linux". */
const char *guest_format_name(enum guest_format f);

/* Whether `name` is a valid guest name (1-31 of [A-Za-z0-9_-]). */
bool guest_name_valid(const char *name);

#endif
