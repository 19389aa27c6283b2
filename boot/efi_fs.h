/* Reading whole files from the volume the UEFI door was loaded from
 * (EFI_SIMPLE_FILE_SYSTEM_PROTOCOL, UEFI 2.10 13.4-13.5). Firmware code: only for
 * the GNU-EFI build, before ExitBootServices. */
#ifndef BOOT_EFI_FS_H
#define BOOT_EFI_FS_H

#include <efi.h>

/* The root directory of the file system on `device`, or NULL when it has none. */
EFI_FILE_HANDLE efi_fs_open_root(EFI_HANDLE device);

/* Open the regular file `path` (absolute, '\' separators) for reading and report
 * its size. EFI_NOT_FOUND when it does not exist, EFI_INVALID_PARAMETER when it is
 * a directory, other firmware errors as returned. */
EFI_STATUS efi_fs_open(EFI_FILE_HANDLE root, CHAR16 *path, EFI_FILE_HANDLE *fh, UINT64 *size);

/* Read exactly `size` bytes from the start of fh into buf (EFI_END_OF_MEDIA when
 * the file turns out shorter). */
EFI_STATUS efi_fs_read(EFI_FILE_HANDLE fh, void *buf, UINT64 size);

void efi_fs_close(EFI_FILE_HANDLE fh);

#endif
