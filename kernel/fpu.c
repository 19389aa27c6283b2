/* Guest FPU state switching (see kernel/fpu.h). */
#include "kernel/fpu.h"

#include "drivers/io.h"
#include "kernel/errno.h"
#include "kernel/kstring.h"
#include "kernel/log.h"
#include "kernel/vm.h"
#include "kernel/xcr0.h"
#include "mm/heap.h"

#define CPUID1_ECX_XSAVE (1u << 26)
#define CR4_OSFXSR	 (1ULL << 9)
#define CR4_OSXMMEXCPT	 (1ULL << 10)
#define LEGACY_FCW	 0  /* offsets in the FXSAVE/XSAVE legacy region */
#define LEGACY_MXCSR	 24
#define FCW_INIT	 0x037f
#define MXCSR_INIT	 0x1f80
#define FXSAVE_SIZE	 512
#define XSAVE_HEADER	 512 /* XSTATE_BV, then XCOMP_BV */
#define AREA_ALIGN	 64 /* XSAVE needs 64, FXSAVE 16 */

static bool use_xsave;
static uint64_t xcr0_supported; /* what a guest's XCR0 may hold */
static size_t area_size;

static inline void xsetbv(uint32_t index, uint64_t val)
{
	__asm__ volatile("xsetbv" : : "c"(index), "a"((uint32_t)val), "d"((uint32_t)(val >> 32)));
}

void fpu_cpu_init(void)
{
	uint64_t cr4 = read_cr4() | CR4_OSFXSR | CR4_OSXMMEXCPT;

	use_xsave = cpuid(1, 0).ecx & CPUID1_ECX_XSAVE;
	if (use_xsave) {
		write_cr4(cr4 | CR4_OSXSAVE);
		struct cpuid_regs d = cpuid(0xd, 0);
		xcr0_supported = ((uint64_t)d.edx << 32) | d.eax;
		/* Room for every supported feature: CPUID 0xD.0 ECX says so, and
		 * each component's offset and size (0xD.i EBX, EAX) must agree; an
		 * emulator that undercounts must not let XSAVE write past the area. */
		area_size = d.ecx;
		for (unsigned i = 2; i < 64; i++) {
			if (!(xcr0_supported & (1ULL << i)))
				continue;
			struct cpuid_regs c = cpuid(0xd, i);
			if ((size_t)c.ebx + c.eax > area_size)
				area_size = (size_t)c.ebx + c.eax;
		}
	} else {
		write_cr4(cr4);
		area_size = FXSAVE_SIZE;
	}
	static bool said;
	if (!said) {
		said = true;
		pr_info("fpu: guest state by %s, %zu bytes a vCPU, XCR0 may hold 0x%llx\n",
			use_xsave ? "XSAVE" : "FXSAVE", area_size, (unsigned long long)xcr0_supported);
	}
}

int fpu_vcpu_init(struct vcpu *v)
{
	/* One allocation, aligned by hand: the heap promises 16 bytes. */
	uint8_t *raw = kzalloc(area_size + AREA_ALIGN);

	if (!raw)
		return -ENOMEM;
	v->fpu_raw = raw;
	v->fpu = (uint8_t *)(((uintptr_t)raw + AREA_ALIGN - 1) & ~(uintptr_t)(AREA_ALIGN - 1));
	/* The power-on state (SDM 3A 9.1.1). With XSAVE, XSTATE_BV = 0 restores
	 * every component's initial state except MXCSR, which XRSTOR loads. */
	uint16_t fcw = FCW_INIT;
	uint32_t mxcsr = MXCSR_INIT;
	memcpy(v->fpu + LEGACY_FCW, &fcw, sizeof(fcw));
	memcpy(v->fpu + LEGACY_MXCSR, &mxcsr, sizeof(mxcsr));
	v->xcr0 = XFEATURE_X87;
	return 0;
}

void fpu_vcpu_free(struct vcpu *v)
{
	kfree(v->fpu_raw);
	v->fpu_raw = v->fpu = 0;
}

void fpu_load(struct vcpu *v)
{
	if (use_xsave) {
		xsetbv(0, v->xcr0);
		__asm__ volatile("xrstor64 %0"
				 : : "m"(*v->fpu), "a"((uint32_t)v->xcr0), "d"((uint32_t)(v->xcr0 >> 32)));
	} else {
		__asm__ volatile("fxrstor64 %0" : : "m"(*v->fpu));
	}
}

void fpu_save(struct vcpu *v)
{
	if (use_xsave) {
		/* Read back: QEMU's TCG lets XSETBV through despite the SVM
		 * intercept, so the guest may have set XCR0 itself. */
		uint32_t lo, hi;
		__asm__ volatile("xgetbv" : "=a"(lo), "=d"(hi) : "c"(0));
		v->xcr0 = ((uint64_t)hi << 32) | lo;
		__asm__ volatile("xsave64 %0"
				 : "=m"(*v->fpu) : "a"((uint32_t)v->xcr0), "d"((uint32_t)(v->xcr0 >> 32))
				 : "memory");
	} else {
		__asm__ volatile("fxsave64 %0" : "=m"(*v->fpu) : : "memory");
	}
}

int fpu_set_xcr(struct vcpu *v, uint32_t index, uint64_t val)
{
	if (!use_xsave || !xcr0_valid(index, val, xcr0_supported))
		return -EINVAL;
	/* The state of features being turned off is lost, as on hardware. */
	fpu_save(v);
	/* XRSTOR refuses a saved component XCR0 no longer enables. */
	uint64_t bv;
	memcpy(&bv, v->fpu + XSAVE_HEADER, sizeof(bv));
	bv &= val;
	memcpy(v->fpu + XSAVE_HEADER, &bv, sizeof(bv));
	v->xcr0 = val;
	fpu_load(v);
	return 0;
}
