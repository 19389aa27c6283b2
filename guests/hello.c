/* hello: the smallest guest. Prints "Hello from NAME" (NAME from the command
 * line's name=, else the guest's own name) and passes. Built twice: `hello`
 * (32-bit, loaded from its ELF32 program headers) and `hello64` (long mode,
 * loaded from the Multiboot header's address fields). */
#include "guests/lib/guest.h"

const char guest_name[] = GUEST_NAME;

void guest_main(void)
{
	char name[64];

	if (!guest_arg("name", name, sizeof(name)) || !name[0])
		strncpy0(name, guest_name, sizeof(name));
	gprintf("Hello from %s\n", name);
	guest_pass();
}
