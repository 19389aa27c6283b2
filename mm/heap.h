/* The hypervisor's heap: small objects from per-size free lists, large ones as
 * whole frames. All memory is zeroed. */
#ifndef MM_HEAP_H
#define MM_HEAP_H

#include <stddef.h>

void *kzalloc(size_t size);
void kfree(void *p);

#endif
