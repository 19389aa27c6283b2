/* File access for the UEFI door through the Simple File System protocol. */
#include "boot/efi_fs.h"

#include <efilib.h>

/* Some FAT drivers misbehave on very large single reads; 4 MiB chunks are safe
 * and still few calls for a guest kernel. */
#define EFI_FS_CHUNK (4u << 20)

EFI_FILE_HANDLE efi_fs_open_root(EFI_HANDLE device)
{
	EFI_GUID sfs_guid = EFI_SIMPLE_FILE_SYSTEM_PROTOCOL_GUID;
	EFI_SIMPLE_FILE_SYSTEM_PROTOCOL *sfs = NULL;
	EFI_FILE_HANDLE root = NULL;

	if (!device)
		return NULL;
	if (EFI_ERROR(BS->HandleProtocol(device, &sfs_guid, (void **)&sfs)) || !sfs)
		return NULL;
	if (EFI_ERROR(sfs->OpenVolume(sfs, &root)))
		return NULL;
	return root;
}

EFI_STATUS efi_fs_open(EFI_FILE_HANDLE root, CHAR16 *path, EFI_FILE_HANDLE *fh, UINT64 *size)
{
	EFI_GUID info_guid = EFI_FILE_INFO_ID;
	/* EFI_FILE_INFO plus a file name of up to 255 UCS-2 characters (FAT's limit) */
	UINT64 info_buf[(SIZE_OF_EFI_FILE_INFO + 512 + 7) / 8];
	EFI_FILE_INFO *info = (EFI_FILE_INFO *)info_buf;
	UINTN info_size = sizeof(info_buf);
	EFI_STATUS st;

	*fh = NULL;
	if (!root)
		return EFI_NOT_FOUND;
	st = root->Open(root, fh, path, EFI_FILE_MODE_READ, 0);
	if (EFI_ERROR(st)) {
		*fh = NULL;
		return st;
	}
	st = (*fh)->GetInfo(*fh, &info_guid, &info_size, info);
	if (!EFI_ERROR(st) && (info->Attribute & EFI_FILE_DIRECTORY))
		st = EFI_INVALID_PARAMETER;
	if (EFI_ERROR(st)) {
		efi_fs_close(*fh);
		*fh = NULL;
		return st;
	}
	*size = info->FileSize;
	return EFI_SUCCESS;
}

EFI_STATUS efi_fs_read(EFI_FILE_HANDLE fh, void *buf, UINT64 size)
{
	UINT8 *p = buf;
	EFI_STATUS st = fh->SetPosition(fh, 0);

	while (!EFI_ERROR(st) && size) {
		UINTN n = size < EFI_FS_CHUNK ? (UINTN)size : EFI_FS_CHUNK;

		st = fh->Read(fh, &n, p);
		if (EFI_ERROR(st))
			break;
		if (n == 0)
			return EFI_END_OF_MEDIA;
		p += n;
		size -= n;
	}
	return st;
}

void efi_fs_close(EFI_FILE_HANDLE fh)
{
	if (fh)
		fh->Close(fh);
}
