/* Terrapin's native UEFI boot door: a GNU-EFI application (terrapin.efi) that
 * carries terrapin.elf inside it, loads it at its physical addresses, gathers the
 * command line, modules, memory map and ACPI RSDP into a struct boot_info, exits
 * boot services and calls kernel_entry64(&boot_info).
 *
 * Configuration file: terrapin.cfg
 *   Looked up on the volume terrapin.efi was loaded from: first in the directory
 *   of terrapin.efi itself, then \EFI\BOOT\terrapin.cfg, then \terrapin.cfg.
 *   Without one, Terrapin boots with an empty command line and no modules.
 *   - ASCII or UTF-8 text, at most 64 KiB; one directive per line; CRLF is fine.
 *   - '#' starts a comment that runs to the end of the line (except inside
 *     double quotes); blank lines are ignored.
 *   - cmdline ARGS...
 *       Terrapin's command line, as on GRUB's multiboot2 line. Several cmdline
 *       lines are joined with one space. At most 511 bytes in all.
 *   - module PATH ARGS...
 *       Load the file PATH from the same volume as a boot module whose argument
 *       string is ARGS (as GRUB's `module2 PATH ARGS...` hands it to Terrapin).
 *       PATH is from the volume's root; '/' and '\' both separate directories;
 *       double quotes allow spaces in it. Up to 16 modules, in file order; ARGS
 *       at most 255 bytes. A module that cannot be read stops the boot.
 *   Example:
 *       # Terrapin on the ESP
 *       cmdline console=com1 loglevel=info
 *       module /guests/hello.elf name=hello mem=32M cpus=1 autostart
 * Load options: the text of the image's LoadOptions is appended to the command
 *   line: from the UEFI shell (`fs0:\EFI\BOOT\BOOTX64.EFI loglevel=debug`) or a
 *   boot entry's optional data (efibootmgr -u). The shell passes the program name
 *   first, so a first word that is a path (has '\', '/' or ':'), ends in ".efi"
 *   or names this file is skipped. Binary optional data, which firmware boot
 *   entries often carry, is ignored.
 *
 * Memory: the kernel's PT_LOAD segments go exactly at their p_paddr
 * (AllocateAddress); modules and boot_info go anywhere below 4 GiB. All of it is
 * EfiLoaderCode/Data, which the memory map hands over as usable: the kernel must
 * reserve its image, the modules and boot_info before it allocates anything. */
#include <efi.h>
#include <efilib.h>

#include "boot/efi_cfg.h"
#include "boot/efi_elf.h"
#include "boot/efi_fs.h"
#include "boot/efi_info.h"
#include "kernel/boot_info.h"
#include "kernel/errno.h"

#define WIDEN_(s) L##s
#define WIDEN(s) WIDEN_(s)

#define ENTRY_SYMBOL "kernel_entry64"
#define BELOW_4G 0xffffffffull
#define ERROR_PAUSE_US (3 * 1000 * 1000)
/* Descriptors of slack in the map buffer: allocating the buffer itself and
 * firmware activity between two GetMemoryMap calls can add a few. */
#define MMAP_SLACK_DESCS 32
#define EBS_TRIES 8
#define LOADOPT_MAX 1024

/* terrapin.elf (stripped of debug info), placed by boot/efi_blob.S */
extern const UINT8 efi_kernel_blob[] __attribute__((visibility("hidden")));
extern const UINT8 efi_kernel_blob_end[] __attribute__((visibility("hidden")));

struct alloc {
	EFI_PHYSICAL_ADDRESS base;
	UINTN pages;
};

/* Loader state. Static: the firmware's stack is small and boot_info-sized
 * objects do not belong on it. */
static struct {
	EFI_HANDLE image;
	EFI_LOADED_IMAGE *li;
	EFI_FILE_HANDLE root;
	CHAR16 self_path[EFI_CFG_PATH_MAX];
	char self_name[64];
	struct efi_elf_image kernel;
	struct efi_cfg cfg;
	struct boot_info *bi;
	struct alloc allocs[EFI_ELF_MAX_SEGS + BOOT_MAX_MODULES + 4];
	unsigned nalloc;
	bool ebs_called; /* boot services may be partly gone: no more calls */
	UINT16 loadopt[LOADOPT_MAX];
	CHAR16 wpath[EFI_CFG_PATH_MAX];
} L;

static UINTN pages_for(UINT64 bytes)
{
	return (UINTN)((bytes + EFI_PAGE - 1) / EFI_PAGE);
}

static EFI_STATUS alloc_pages(EFI_ALLOCATE_TYPE how, EFI_MEMORY_TYPE type, UINTN pages,
			      EFI_PHYSICAL_ADDRESS *addr)
{
	EFI_STATUS st;

	if (L.nalloc == sizeof(L.allocs) / sizeof(L.allocs[0]))
		return EFI_OUT_OF_RESOURCES;
	st = BS->AllocatePages(how, type, pages, addr);
	if (!EFI_ERROR(st)) {
		L.allocs[L.nalloc].base = *addr;
		L.allocs[L.nalloc].pages = pages;
		L.nalloc++;
	}
	return st;
}

/* Give everything back when the boot stops, so the boot manager can go on. */
static void free_all(void)
{
	while (L.nalloc) {
		L.nalloc--;
		BS->FreePages(L.allocs[L.nalloc].base, L.allocs[L.nalloc].pages);
	}
}

/* --- the kernel image -------------------------------------------------------- */

static EFI_STATUS load_kernel(void)
{
	UINTN size = (UINTN)(efi_kernel_blob_end - efi_kernel_blob);
	UINT64 self_base = (UINT64)(UINTN)L.li->ImageBase, self_len = L.li->ImageSize;
	struct efi_elf_image *k = &L.kernel;
	const char *why = "";
	EFI_STATUS st;

	if (efi_elf_load_plan(efi_kernel_blob, size, ENTRY_SYMBOL, k, &why)) {
		Print(L"error: the embedded terrapin.elf is unusable: %a\r\n", why);
		return EFI_LOAD_ERROR;
	}
	for (UINT32 i = 0; i < k->nrange; i++) {
		UINT64 base = k->range[i].base, len = k->range[i].pages * EFI_PAGE;

		if (efi_elf_overlaps(base, len, self_base, self_len)) {
			Print(L"error: kernel range 0x%lx-0x%lx overlaps this loader at 0x%lx-0x%lx\r\n",
			      base, base + len - 1, self_base, self_base + self_len - 1);
			return EFI_LOAD_ERROR;
		}
	}
	for (UINT32 i = 0; i < k->nrange; i++) {
		EFI_PHYSICAL_ADDRESS base = k->range[i].base;
		UINT64 len = k->range[i].pages * EFI_PAGE;

		/* EfiLoaderCode, not Data: firmware with an NX policy for
		 * EfiLoaderData (EDK II PcdDxeNxMemoryProtectionPolicy) would make
		 * the kernel's first instruction fault. */
		st = alloc_pages(AllocateAddress, EfiLoaderCode, k->range[i].pages, &base);
		if (EFI_ERROR(st)) {
			Print(L"error: cannot allocate the kernel's memory 0x%lx-0x%lx (%r): "
			      L"the firmware already uses part of it\r\n",
			      k->range[i].base, k->range[i].base + len - 1, st);
			return st;
		}
		SetMem((void *)(UINTN)base, len, 0);
	}
	for (UINT32 i = 0; i < k->nseg; i++) {
		const struct efi_elf_seg *s = &k->seg[i];

		/* the rest of [paddr, paddr + memsz) stays zero from above (.bss) */
		CopyMem((void *)(UINTN)s->paddr, (void *)(efi_kernel_blob + s->offset), s->filesz);
	}
	Print(L"kernel: 0x%lx-0x%lx, entry 0x%lx\r\n", k->seg[0].paddr,
	      k->seg[k->nseg - 1].paddr + k->seg[k->nseg - 1].memsz - 1, k->entry);
	return EFI_SUCCESS;
}

/* --- configuration ------------------------------------------------------------ */

static void find_self(void)
{
	EFI_DEVICE_PATH *dp = L.li->FilePath;
	int n = -1;

	if (dp)
		n = efi_cfg_devpath_file((const uint8_t *)dp, DevicePathSize(dp), L.self_path,
					 EFI_CFG_PATH_MAX);
	if (n <= 0) {
		L.self_path[0] = 0;
		L.self_name[0] = '\0';
		return;
	}
	efi_cfg_basename(L.self_path, L.self_name, sizeof(L.self_name));
}

static bool wstr_eq(const CHAR16 *a, const CHAR16 *b)
{
	while (*a && *a == *b) {
		a++;
		b++;
	}
	return *a == *b;
}

/* Read and parse one config file. EFI_NOT_FOUND lets the caller try the next place. */
static EFI_STATUS read_config_at(CHAR16 *path)
{
	EFI_FILE_HANDLE fh;
	UINT64 size;
	char *text = NULL;
	struct efi_cfg_error err;
	EFI_STATUS st;

	st = efi_fs_open(L.root, path, &fh, &size);
	if (st == EFI_NOT_FOUND || st == EFI_INVALID_PARAMETER)
		return EFI_NOT_FOUND;
	if (EFI_ERROR(st)) {
		Print(L"error: cannot open %s: %r\r\n", path, st);
		return st;
	}
	if (size > EFI_CFG_FILE_MAX) {
		Print(L"error: %s is larger than 64 KiB\r\n", path);
		efi_fs_close(fh);
		return EFI_BAD_BUFFER_SIZE;
	}
	st = BS->AllocatePool(EfiLoaderData, (UINTN)size + 1, (void **)&text);
	if (!EFI_ERROR(st))
		st = efi_fs_read(fh, text, size);
	efi_fs_close(fh);
	if (EFI_ERROR(st)) {
		Print(L"error: cannot read %s: %r\r\n", path, st);
	} else if (efi_cfg_parse(text, (size_t)size, &L.cfg, &err)) {
		Print(L"error: %s line %d: %a\r\n", path, err.line, err.why);
		st = EFI_LOAD_ERROR;
	} else {
		Print(L"config: %s\r\n", path);
	}
	if (text)
		BS->FreePool(text);
	return st;
}

static EFI_STATUS read_config(void)
{
	static CHAR16 boot_dir[] = L"\\EFI\\BOOT\\" WIDEN(EFI_CFG_NAME);
	static CHAR16 root_dir[] = L"\\" WIDEN(EFI_CFG_NAME);
	CHAR16 *tries[3];
	unsigned ntries = 0;
	EFI_STATUS st;

	if (L.self_path[0] &&
	    efi_cfg_sibling(L.self_path, EFI_CFG_NAME, L.wpath, EFI_CFG_PATH_MAX) > 0)
		tries[ntries++] = L.wpath;
	tries[ntries++] = boot_dir;
	tries[ntries++] = root_dir;

	L.cfg.cmdline[0] = '\0';
	L.cfg.module_count = 0;
	for (unsigned i = 0; i < ntries; i++) {
		if (i > 0 && wstr_eq(tries[i], tries[i - 1]))
			continue;
		st = read_config_at(tries[i]);
		if (st != EFI_NOT_FOUND)
			return st;
	}
	if (!L.root)
		Print(L"note: the boot device has no file system this loader can read\r\n");
	Print(L"note: no %a (looked in this loader's directory, \\EFI\\BOOT and \\): "
	      L"booting with an empty command line and no modules\r\n", EFI_CFG_NAME);
	return EFI_SUCCESS;
}

/* Append the text of LoadOptions after the program name, if any. */
static EFI_STATUS add_load_options(void)
{
	UINT32 bytes = L.li->LoadOptionsSize;
	char text[BOOT_CMDLINE_MAX];
	int n;

	if (!L.li->LoadOptions || bytes == 0)
		return EFI_SUCCESS;
	if (bytes > sizeof(L.loadopt)) {
		Print(L"note: ignoring load options longer than %d bytes\r\n", (int)sizeof(L.loadopt));
		return EFI_SUCCESS;
	}
	/* copied: the firmware's buffer need not be 2-byte aligned */
	CopyMem(L.loadopt, L.li->LoadOptions, bytes);
	n = efi_cfg_load_options(L.loadopt, bytes, L.self_name, text, sizeof(text));
	if (n == -EINVAL || n == 0)
		return EFI_SUCCESS; /* binary data from a boot entry, or nothing after the name */
	if (n < 0 || efi_cfg_append(L.cfg.cmdline, sizeof(L.cfg.cmdline), text)) {
		Print(L"error: the command line with the load options is longer than %d bytes\r\n",
		      BOOT_CMDLINE_MAX - 1);
		return EFI_BAD_BUFFER_SIZE;
	}
	Print(L"load options added to the command line: %a\r\n", text);
	return EFI_SUCCESS;
}

/* --- modules ------------------------------------------------------------------ */

static EFI_STATUS load_module(UINT32 i)
{
	const struct efi_cfg_module *m = &L.cfg.modules[i];
	struct boot_module *bm = &L.bi->modules[i];
	EFI_PHYSICAL_ADDRESS addr = BELOW_4G;
	EFI_FILE_HANDLE fh;
	UINT64 size;
	EFI_STATUS st;

	if (!L.root) {
		Print(L"error: module %d: the boot device has no file system to read %a from\r\n", i,
		      m->path);
		return EFI_NOT_FOUND;
	}
	if (efi_cfg_path_to_ucs2(m->path, L.wpath, EFI_CFG_PATH_MAX) < 0) {
		Print(L"error: module %d: bad path \"%a\"\r\n", i, m->path);
		return EFI_INVALID_PARAMETER;
	}
	st = efi_fs_open(L.root, L.wpath, &fh, &size);
	if (st == EFI_NOT_FOUND || st == EFI_INVALID_PARAMETER) {
		Print(L"error: module %d: cannot open %s: %a\r\n", i, L.wpath,
		      st == EFI_NOT_FOUND ? "no such file" : "it is a directory");
		return st;
	}
	if (EFI_ERROR(st)) {
		Print(L"error: module %d: cannot open %s: %r\r\n", i, L.wpath, st);
		return st;
	}
	if (size > BELOW_4G) {
		Print(L"error: module %d: %s is larger than 4 GiB\r\n", i, L.wpath);
		efi_fs_close(fh);
		return EFI_BAD_BUFFER_SIZE;
	}
	/* an empty module still gets a page, so that start is a real address */
	st = alloc_pages(AllocateMaxAddress, EfiLoaderData, size ? pages_for(size) : 1, &addr);
	if (EFI_ERROR(st)) {
		Print(L"error: module %d: no room below 4 GiB for %s (%ld bytes): %r\r\n", i, L.wpath,
		      size, st);
		efi_fs_close(fh);
		return st;
	}
	st = efi_fs_read(fh, (void *)(UINTN)addr, size);
	efi_fs_close(fh);
	if (EFI_ERROR(st)) {
		Print(L"error: module %d: cannot read %s: %r\r\n", i, L.wpath, st);
		return st;
	}
	bm->start = addr;
	bm->end = addr + size;
	CopyMem(bm->args, (void *)m->args, sizeof(bm->args));
	L.bi->module_count = i + 1;
	Print(L"module %d: %s at 0x%lx-0x%lx, %ld bytes, args \"%a\"\r\n", i, L.wpath, bm->start,
	      bm->end, size, bm->args);
	return EFI_SUCCESS;
}

/* --- firmware tables ------------------------------------------------------------ */

static void find_rsdp(EFI_SYSTEM_TABLE *st)
{
	EFI_GUID acpi20 = ACPI_20_TABLE_GUID, acpi10 = ACPI_TABLE_GUID;
	const UINT8 *rsdp = NULL;
	int len;

	for (UINTN pass = 0; pass < 2 && !rsdp; pass++) {
		for (UINTN i = 0; i < st->NumberOfTableEntries; i++) {
			EFI_CONFIGURATION_TABLE *t = &st->ConfigurationTable[i];

			if (t->VendorTable &&
			    CompareGuid(&t->VendorGuid, pass == 0 ? &acpi20 : &acpi10) == 0) {
				rsdp = t->VendorTable;
				break;
			}
		}
	}
	if (!rsdp) {
		Print(L"note: the firmware publishes no ACPI RSDP\r\n");
		return;
	}
	L.bi->rsdp_phys = (UINT64)(UINTN)rsdp;
	len = efi_info_rsdp_len(rsdp);
	if (len < 0) {
		Print(L"note: the ACPI RSDP at 0x%lx fails its checksum; not copied\r\n",
		      L.bi->rsdp_phys);
		return;
	}
	CopyMem(L.bi->rsdp, (void *)rsdp, (UINTN)len);
	L.bi->rsdp_valid = true;
}

/* --- leaving the firmware ------------------------------------------------------ */

static void __attribute__((noreturn)) jump_to_kernel(UINT64 entry, struct boot_info *bi)
{
	/* The contract of kernel_entry64: long mode, interrupts off, the firmware's
	 * identity map live, RDI = &boot_info, never returns. The call keeps the SysV
	 * stack alignment; the kernel moves to its own stack at once. */
	__asm__ volatile("cli\n\t"
			 "and $-16, %%rsp\n\t"
			 "call *%0\n\t"
			 "1: hlt\n\t"
			 "jmp 1b"
			 :
			 : "r"(entry), "D"(bi)
			 : "memory");
	__builtin_unreachable();
}

/* UEFI 2.10 7.4.6: ExitBootServices needs the key of the current memory map; if
 * anything changed the map since, it fails with EFI_INVALID_PARAMETER and the map
 * must be fetched again. After the first attempt only GetMemoryMap and
 * ExitBootServices may be called, so the buffer (with slack) and every message
 * come before it, and the conversion into boot_info allocates nothing. */
static EFI_STATUS exit_and_boot(void)
{
	UINTN size = 0, key = 0, dsize = 0, cap;
	UINT32 dver = 0;
	EFI_PHYSICAL_ADDRESS buf = BELOW_4G;
	struct efi_mmap_stats stats;
	EFI_STATUS st;
	int n;

	st = BS->GetMemoryMap(&size, NULL, &key, &dsize, &dver);
	if (st != EFI_BUFFER_TOO_SMALL || dsize < EFI_MD_MIN_SIZE) {
		Print(L"error: GetMemoryMap: %r\r\n", st);
		return EFI_ERROR(st) ? st : EFI_LOAD_ERROR;
	}
	cap = size + MMAP_SLACK_DESCS * dsize;
	st = alloc_pages(AllocateMaxAddress, EfiLoaderData, pages_for(cap), &buf);
	if (EFI_ERROR(st)) {
		Print(L"error: no memory for the memory map: %r\r\n", st);
		return st;
	}
	cap = pages_for(cap) * EFI_PAGE;

	/* A trial conversion, while messages can still be printed. */
	size = cap;
	st = BS->GetMemoryMap(&size, (EFI_MEMORY_DESCRIPTOR *)(UINTN)buf, &key, &dsize, &dver);
	if (EFI_ERROR(st)) {
		Print(L"error: GetMemoryMap: %r\r\n", st);
		return st;
	}
	n = efi_info_convert_mmap((void *)(UINTN)buf, size, dsize, L.bi->mmap, BOOT_MAX_MMAP, &stats);
	if (n < 0) {
		Print(L"error: the firmware's memory map is malformed\r\n");
		return EFI_LOAD_ERROR;
	}
	if (stats.dropped)
		Print(L"note: memory map has more than %d ranges after merging; %d dropped\r\n",
		      BOOT_MAX_MMAP, stats.dropped);
	Print(L"boot_info at 0x%lx, %d memory ranges; exiting boot services\r\n",
	      (UINT64)(UINTN)L.bi, n);

	for (unsigned tries = 0; tries < EBS_TRIES; tries++) {
		size = cap;
		st = BS->GetMemoryMap(&size, (EFI_MEMORY_DESCRIPTOR *)(UINTN)buf, &key, &dsize, &dver);
		if (EFI_ERROR(st))
			break;
		L.ebs_called = true;
		st = BS->ExitBootServices(L.image, key);
		if (st == EFI_SUCCESS) {
			n = efi_info_convert_mmap((void *)(UINTN)buf, size, dsize, L.bi->mmap,
						  BOOT_MAX_MMAP, &stats);
			L.bi->mmap_count = n < 0 ? 0 : (uint32_t)n;
			/* descriptors that were malformed or did not fit */
			L.bi->malformed = stats.bad + stats.dropped;
			jump_to_kernel(L.kernel.entry, L.bi);
		}
		if (st != EFI_INVALID_PARAMETER)
			break;
	}
	if (!L.ebs_called)
		Print(L"error: GetMemoryMap: %r\r\n", st);
	return st;
}

/* --- the door -------------------------------------------------------------------- */

static EFI_STATUS boot(EFI_HANDLE image, EFI_SYSTEM_TABLE *st)
{
	EFI_GUID li_guid = EFI_LOADED_IMAGE_PROTOCOL_GUID;
	EFI_PHYSICAL_ADDRESS bi_addr = BELOW_4G;
	EFI_STATUS s;

	L.image = image;
	s = BS->HandleProtocol(image, &li_guid, (void **)&L.li);
	if (EFI_ERROR(s) || !L.li) {
		Print(L"error: no LoadedImage protocol: %r\r\n", s);
		return EFI_ERROR(s) ? s : EFI_LOAD_ERROR;
	}
	/* The kernel's fixed addresses first, before anything else takes them. */
	s = load_kernel();
	if (EFI_ERROR(s))
		return s;

	s = alloc_pages(AllocateMaxAddress, EfiLoaderData, pages_for(sizeof(struct boot_info)),
			&bi_addr);
	if (EFI_ERROR(s)) {
		Print(L"error: no memory below 4 GiB for boot_info: %r\r\n", s);
		return s;
	}
	L.bi = (struct boot_info *)(UINTN)bi_addr;
	SetMem(L.bi, sizeof(*L.bi), 0);

	L.root = efi_fs_open_root(L.li->DeviceHandle);
	find_self();
	s = read_config();
	if (!EFI_ERROR(s))
		s = add_load_options();
	if (EFI_ERROR(s))
		return s;
	CopyMem(L.bi->cmdline, L.cfg.cmdline, sizeof(L.bi->cmdline));
	Print(L"cmdline: \"%a\"\r\n", L.bi->cmdline);
	for (UINT32 i = 0; i < L.cfg.module_count; i++) {
		s = load_module(i);
		if (EFI_ERROR(s))
			return s;
	}
	if (L.root)
		efi_fs_close(L.root);
	L.root = NULL;

	L.bi->door = BOOT_DOOR_UEFI;
	L.bi->firmware_efi = true;
	efi_info_loader_name(L.bi->loader, sizeof(L.bi->loader), st->FirmwareVendor,
			     st->Hdr.Revision);
	L.bi->efi_system_table = (UINT64)(UINTN)st;
	find_rsdp(st);
	return exit_and_boot();
}

EFI_STATUS efi_main(EFI_HANDLE image, EFI_SYSTEM_TABLE *st)
{
	EFI_STATUS s;

	InitializeLib(image, st);
	Print(L"Terrapin EFI loader\r\n");
	/* The boot manager's 5-minute watchdog must not fire while modules load. */
	BS->SetWatchdogTimer(0, 0, 0, NULL);

	s = boot(image, st);

	/* Only reached when the boot stopped. After a failed ExitBootServices the
	 * firmware may be half shut down (UEFI 2.10 7.4.6): just return the status. */
	if (L.ebs_called)
		return s;
	if (L.root)
		efi_fs_close(L.root);
	free_all();
	Print(L"Terrapin EFI loader: boot stopped (%r); returning to the firmware\r\n", s);
	BS->Stall(ERROR_PAUSE_US);
	return s;
}
