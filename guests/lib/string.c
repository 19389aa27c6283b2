/* The guest's one string helper of its own; memcpy, strcmp and the rest are the
 * hypervisor's kernel/kstring.c, built into the guest runtime too. */
#include "guests/lib/guest.h"

char *strncpy0(char *dst, const char *src, size_t cap)
{
	size_t i = 0;

	if (!cap)
		return dst;
	for (; i + 1 < cap && src[i]; i++)
		dst[i] = src[i];
	dst[i] = '\0';
	return dst;
}
