/* The VMX instructions, and the only accessors through which the VMCS is read
 * and written: fields are named by enum vmcs_field (vmx/vmcs_fields.h), never
 * by number. A VMfail (CF or ZF set, SDM 3C 31.2) is recorded, not ignored. */
#ifndef VMX_VMX_INSN_H
#define VMX_VMX_INSN_H

#include <stdbool.h>
#include <stdint.h>

#include "vmx/vmcs_fields.h"

/* Remember the first field a VMREAD/VMWRITE failed on (for the report when the
 * next entry fails). */
void vmx_field_failed(enum vmcs_field f, bool write);

static inline uint64_t vmcs_read(enum vmcs_field f)
{
	uint64_t v = 0;
	uint8_t bad;

	__asm__ volatile("vmread %2, %1; setna %0" : "=qm"(bad), "=r"(v) : "r"((uint64_t)f) : "cc");
	if (__builtin_expect(bad, 0))
		vmx_field_failed(f, false);
	return v;
}

static inline void vmcs_write(enum vmcs_field f, uint64_t v)
{
	uint8_t bad;

	__asm__ volatile("vmwrite %2, %1; setna %0" : "=qm"(bad) : "r"((uint64_t)f), "rm"(v) : "cc", "memory");
	if (__builtin_expect(bad, 0))
		vmx_field_failed(f, true);
}

/* 0, or -1 on VMfail. */
static inline int vmx_vmxon(uint64_t pa)
{
	uint8_t bad;
	__asm__ volatile("vmxon %1; setna %0" : "=qm"(bad) : "m"(pa) : "cc", "memory");
	return bad ? -1 : 0;
}

static inline int vmx_vmptrld(uint64_t pa)
{
	uint8_t bad;
	__asm__ volatile("vmptrld %1; setna %0" : "=qm"(bad) : "m"(pa) : "cc", "memory");
	return bad ? -1 : 0;
}

static inline int vmx_vmclear(uint64_t pa)
{
	uint8_t bad;
	__asm__ volatile("vmclear %1; setna %0" : "=qm"(bad) : "m"(pa) : "cc", "memory");
	return bad ? -1 : 0;
}

/* SDM 3C 31.3 INVEPT: type 1 single-context (eptp), 2 all-context. */
static inline int vmx_invept(uint64_t type, uint64_t eptp)
{
	struct {
		uint64_t eptp, zero;
	} d = { eptp, 0 };
	uint8_t bad;
	__asm__ volatile("invept %1, %2; setna %0" : "=qm"(bad) : "m"(d), "r"(type) : "cc", "memory");
	return bad ? -1 : 0;
}

/* INVVPID: type 1 single-context (vpid), 2 all-context. */
static inline int vmx_invvpid(uint64_t type, uint16_t vpid)
{
	struct {
		uint64_t vpid, addr;
	} d = { vpid, 0 };
	uint8_t bad;
	__asm__ volatile("invvpid %1, %2; setna %0" : "=qm"(bad) : "m"(d), "r"(type) : "cc", "memory");
	return bad ? -1 : 0;
}

#endif
