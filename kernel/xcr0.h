/* The rules XSETBV applies to a new XCR0 (SDM 1 13.3, SDM 2 XSETBV). Pure. */
#ifndef KERNEL_XCR0_H
#define KERNEL_XCR0_H

#include <stdbool.h>
#include <stdint.h>

#define XFEATURE_X87	  (1ULL << 0)
#define XFEATURE_SSE	  (1ULL << 1)
#define XFEATURE_AVX	  (1ULL << 2)
#define XFEATURE_BNDREGS  (1ULL << 3)
#define XFEATURE_BNDCSR	  (1ULL << 4)
#define XFEATURE_AVX512	  (7ULL << 5) /* opmask, ZMM_Hi256, Hi16_ZMM */
#define XFEATURE_AMX	  (3ULL << 17) /* XTILECFG, XTILEDATA */

/* Whether XSETBV may write `val` to XCR `index` on a CPU whose XCR0 may hold
 * the bits in `supported` (CPUID 0xD.0 EDX:EAX): only XCR0 exists, x87 is
 * always on, AVX needs SSE, the three AVX-512 bits go together and need AVX,
 * the two MPX bits go together, the two AMX bits go together. False means
 * #GP(0). */
bool xcr0_valid(uint32_t index, uint64_t val, uint64_t supported);

#endif
