/* The VMCS fields Terrapin knows, written once (SDM 3C appendix B): the name,
 * the encoding and the declared width. The enum of encodings, the field names
 * the shell and error messages show, and (for nesting) the vmcs12 layout and
 * the shadow-VMCS bitmaps all derive from this one list.
 *
 * An encoding is (SDM 3C 25.11.2): bit 0 access type (1: the high half of a
 * 64-bit field), bits 9:1 index, bits 11:10 type (control, read-only data,
 * guest state, host state), bit 12 reserved (0), bits 14:13 width. The unit test
 * tests/unit/test_vmcs_fields.c checks that every entry's width bits agree with
 * its declared width and that no encoding appears twice. Pure: compiles on the
 * host. */
#ifndef VMX_VMCS_FIELDS_H
#define VMX_VMCS_FIELDS_H

#include <stdbool.h>
#include <stdint.h>

/* Widths as encoded in bits 14:13. */
#define VMCS_W16 0
#define VMCS_W64 1
#define VMCS_W32 2
#define VMCS_WN 3 /* natural width: 64 bits on a 64-bit host */

/* X(NAME, encoding, width) */
#define VMCS_FIELDS(X)                                          \
	/* 16-bit control */                                    \
	X(VPID, 0x0000, VMCS_W16)                               \
	X(POSTED_INTR_NV, 0x0002, VMCS_W16)                     \
	X(EPTP_INDEX, 0x0004, VMCS_W16)                         \
	/* 16-bit guest state */                                \
	X(GUEST_ES_SEL, 0x0800, VMCS_W16)                       \
	X(GUEST_CS_SEL, 0x0802, VMCS_W16)                       \
	X(GUEST_SS_SEL, 0x0804, VMCS_W16)                       \
	X(GUEST_DS_SEL, 0x0806, VMCS_W16)                       \
	X(GUEST_FS_SEL, 0x0808, VMCS_W16)                       \
	X(GUEST_GS_SEL, 0x080a, VMCS_W16)                       \
	X(GUEST_LDTR_SEL, 0x080c, VMCS_W16)                     \
	X(GUEST_TR_SEL, 0x080e, VMCS_W16)                       \
	X(GUEST_INTR_STATUS, 0x0810, VMCS_W16)                  \
	X(GUEST_PML_INDEX, 0x0812, VMCS_W16)                    \
	/* 16-bit host state */                                 \
	X(HOST_ES_SEL, 0x0c00, VMCS_W16)                        \
	X(HOST_CS_SEL, 0x0c02, VMCS_W16)                        \
	X(HOST_SS_SEL, 0x0c04, VMCS_W16)                        \
	X(HOST_DS_SEL, 0x0c06, VMCS_W16)                        \
	X(HOST_FS_SEL, 0x0c08, VMCS_W16)                        \
	X(HOST_GS_SEL, 0x0c0a, VMCS_W16)                        \
	X(HOST_TR_SEL, 0x0c0c, VMCS_W16)                        \
	/* 64-bit control */                                    \
	X(IO_BITMAP_A, 0x2000, VMCS_W64)                        \
	X(IO_BITMAP_B, 0x2002, VMCS_W64)                        \
	X(MSR_BITMAP, 0x2004, VMCS_W64)                         \
	X(EXIT_MSR_STORE_ADDR, 0x2006, VMCS_W64)                \
	X(EXIT_MSR_LOAD_ADDR, 0x2008, VMCS_W64)                 \
	X(ENTRY_MSR_LOAD_ADDR, 0x200a, VMCS_W64)                \
	X(EXECUTIVE_VMCS_PTR, 0x200c, VMCS_W64)                 \
	X(PML_ADDR, 0x200e, VMCS_W64)                           \
	X(TSC_OFFSET, 0x2010, VMCS_W64)                         \
	X(VIRTUAL_APIC_ADDR, 0x2012, VMCS_W64)                  \
	X(APIC_ACCESS_ADDR, 0x2014, VMCS_W64)                   \
	X(POSTED_INTR_DESC_ADDR, 0x2016, VMCS_W64)              \
	X(VMFUNC_CONTROLS, 0x2018, VMCS_W64)                    \
	X(EPT_POINTER, 0x201a, VMCS_W64)                        \
	X(EOI_EXIT_BITMAP0, 0x201c, VMCS_W64)                   \
	X(EOI_EXIT_BITMAP1, 0x201e, VMCS_W64)                   \
	X(EOI_EXIT_BITMAP2, 0x2020, VMCS_W64)                   \
	X(EOI_EXIT_BITMAP3, 0x2022, VMCS_W64)                   \
	X(EPTP_LIST_ADDR, 0x2024, VMCS_W64)                     \
	X(VMREAD_BITMAP, 0x2026, VMCS_W64)                      \
	X(VMWRITE_BITMAP, 0x2028, VMCS_W64)                     \
	X(VE_INFO_ADDR, 0x202a, VMCS_W64)                       \
	X(XSS_EXIT_BITMAP, 0x202c, VMCS_W64)                    \
	X(ENCLS_EXITING_BITMAP, 0x202e, VMCS_W64)               \
	X(TSC_MULTIPLIER, 0x2032, VMCS_W64)                     \
	/* 64-bit read-only data */                             \
	X(GUEST_PHYSICAL_ADDR, 0x2400, VMCS_W64)                \
	/* 64-bit guest state */                                \
	X(VMCS_LINK_POINTER, 0x2800, VMCS_W64)                  \
	X(GUEST_DEBUGCTL, 0x2802, VMCS_W64)                     \
	X(GUEST_PAT, 0x2804, VMCS_W64)                          \
	X(GUEST_EFER, 0x2806, VMCS_W64)                         \
	X(GUEST_PERF_GLOBAL_CTRL, 0x2808, VMCS_W64)             \
	X(GUEST_PDPTE0, 0x280a, VMCS_W64)                       \
	X(GUEST_PDPTE1, 0x280c, VMCS_W64)                       \
	X(GUEST_PDPTE2, 0x280e, VMCS_W64)                       \
	X(GUEST_PDPTE3, 0x2810, VMCS_W64)                       \
	X(GUEST_BNDCFGS, 0x2812, VMCS_W64)                      \
	/* 64-bit host state */                                 \
	X(HOST_PAT, 0x2c00, VMCS_W64)                           \
	X(HOST_EFER, 0x2c02, VMCS_W64)                          \
	X(HOST_PERF_GLOBAL_CTRL, 0x2c04, VMCS_W64)              \
	/* 32-bit control */                                    \
	X(PIN_CONTROLS, 0x4000, VMCS_W32)                       \
	X(PROC_CONTROLS, 0x4002, VMCS_W32)                      \
	X(EXCEPTION_BITMAP, 0x4004, VMCS_W32)                   \
	X(PF_ERROR_MASK, 0x4006, VMCS_W32)                      \
	X(PF_ERROR_MATCH, 0x4008, VMCS_W32)                     \
	X(CR3_TARGET_COUNT, 0x400a, VMCS_W32)                   \
	X(EXIT_CONTROLS, 0x400c, VMCS_W32)                      \
	X(EXIT_MSR_STORE_COUNT, 0x400e, VMCS_W32)               \
	X(EXIT_MSR_LOAD_COUNT, 0x4010, VMCS_W32)                \
	X(ENTRY_CONTROLS, 0x4012, VMCS_W32)                     \
	X(ENTRY_MSR_LOAD_COUNT, 0x4014, VMCS_W32)               \
	X(ENTRY_INTR_INFO, 0x4016, VMCS_W32)                    \
	X(ENTRY_EXCEPTION_ERROR, 0x4018, VMCS_W32)              \
	X(ENTRY_INSN_LEN, 0x401a, VMCS_W32)                     \
	X(TPR_THRESHOLD, 0x401c, VMCS_W32)                      \
	X(PROC_CONTROLS2, 0x401e, VMCS_W32)                     \
	X(PLE_GAP, 0x4020, VMCS_W32)                            \
	X(PLE_WINDOW, 0x4022, VMCS_W32)                         \
	/* 32-bit read-only data */                             \
	X(VM_INSN_ERROR, 0x4400, VMCS_W32)                      \
	X(EXIT_REASON, 0x4402, VMCS_W32)                        \
	X(EXIT_INTR_INFO, 0x4404, VMCS_W32)                     \
	X(EXIT_INTR_ERROR, 0x4406, VMCS_W32)                    \
	X(IDT_VECTORING_INFO, 0x4408, VMCS_W32)                 \
	X(IDT_VECTORING_ERROR, 0x440a, VMCS_W32)                \
	X(EXIT_INSN_LEN, 0x440c, VMCS_W32)                      \
	X(EXIT_INSN_INFO, 0x440e, VMCS_W32)                     \
	/* 32-bit guest state */                                \
	X(GUEST_ES_LIMIT, 0x4800, VMCS_W32)                     \
	X(GUEST_CS_LIMIT, 0x4802, VMCS_W32)                     \
	X(GUEST_SS_LIMIT, 0x4804, VMCS_W32)                     \
	X(GUEST_DS_LIMIT, 0x4806, VMCS_W32)                     \
	X(GUEST_FS_LIMIT, 0x4808, VMCS_W32)                     \
	X(GUEST_GS_LIMIT, 0x480a, VMCS_W32)                     \
	X(GUEST_LDTR_LIMIT, 0x480c, VMCS_W32)                   \
	X(GUEST_TR_LIMIT, 0x480e, VMCS_W32)                     \
	X(GUEST_GDTR_LIMIT, 0x4810, VMCS_W32)                   \
	X(GUEST_IDTR_LIMIT, 0x4812, VMCS_W32)                   \
	X(GUEST_ES_AR, 0x4814, VMCS_W32)                        \
	X(GUEST_CS_AR, 0x4816, VMCS_W32)                        \
	X(GUEST_SS_AR, 0x4818, VMCS_W32)                        \
	X(GUEST_DS_AR, 0x481a, VMCS_W32)                        \
	X(GUEST_FS_AR, 0x481c, VMCS_W32)                        \
	X(GUEST_GS_AR, 0x481e, VMCS_W32)                        \
	X(GUEST_LDTR_AR, 0x4820, VMCS_W32)                      \
	X(GUEST_TR_AR, 0x4822, VMCS_W32)                        \
	X(GUEST_INTERRUPTIBILITY, 0x4824, VMCS_W32)             \
	X(GUEST_ACTIVITY_STATE, 0x4826, VMCS_W32)               \
	X(GUEST_SMBASE, 0x4828, VMCS_W32)                       \
	X(GUEST_SYSENTER_CS, 0x482a, VMCS_W32)                  \
	X(PREEMPTION_TIMER_VALUE, 0x482e, VMCS_W32)             \
	/* 32-bit host state */                                 \
	X(HOST_SYSENTER_CS, 0x4c00, VMCS_W32)                   \
	/* natural-width control */                             \
	X(CR0_GUEST_HOST_MASK, 0x6000, VMCS_WN)                 \
	X(CR4_GUEST_HOST_MASK, 0x6002, VMCS_WN)                 \
	X(CR0_READ_SHADOW, 0x6004, VMCS_WN)                     \
	X(CR4_READ_SHADOW, 0x6006, VMCS_WN)                     \
	X(CR3_TARGET0, 0x6008, VMCS_WN)                         \
	X(CR3_TARGET1, 0x600a, VMCS_WN)                         \
	X(CR3_TARGET2, 0x600c, VMCS_WN)                         \
	X(CR3_TARGET3, 0x600e, VMCS_WN)                         \
	/* natural-width read-only data */                      \
	X(EXIT_QUALIFICATION, 0x6400, VMCS_WN)                  \
	X(IO_RCX, 0x6402, VMCS_WN)                              \
	X(IO_RSI, 0x6404, VMCS_WN)                              \
	X(IO_RDI, 0x6406, VMCS_WN)                              \
	X(IO_RIP, 0x6408, VMCS_WN)                              \
	X(GUEST_LINEAR_ADDR, 0x640a, VMCS_WN)                   \
	/* natural-width guest state */                         \
	X(GUEST_CR0, 0x6800, VMCS_WN)                           \
	X(GUEST_CR3, 0x6802, VMCS_WN)                           \
	X(GUEST_CR4, 0x6804, VMCS_WN)                           \
	X(GUEST_ES_BASE, 0x6806, VMCS_WN)                       \
	X(GUEST_CS_BASE, 0x6808, VMCS_WN)                       \
	X(GUEST_SS_BASE, 0x680a, VMCS_WN)                       \
	X(GUEST_DS_BASE, 0x680c, VMCS_WN)                       \
	X(GUEST_FS_BASE, 0x680e, VMCS_WN)                       \
	X(GUEST_GS_BASE, 0x6810, VMCS_WN)                       \
	X(GUEST_LDTR_BASE, 0x6812, VMCS_WN)                     \
	X(GUEST_TR_BASE, 0x6814, VMCS_WN)                       \
	X(GUEST_GDTR_BASE, 0x6816, VMCS_WN)                     \
	X(GUEST_IDTR_BASE, 0x6818, VMCS_WN)                     \
	X(GUEST_DR7, 0x681a, VMCS_WN)                           \
	X(GUEST_RSP, 0x681c, VMCS_WN)                           \
	X(GUEST_RIP, 0x681e, VMCS_WN)                           \
	X(GUEST_RFLAGS, 0x6820, VMCS_WN)                        \
	X(GUEST_PENDING_DBG, 0x6822, VMCS_WN)                   \
	X(GUEST_SYSENTER_ESP, 0x6824, VMCS_WN)                  \
	X(GUEST_SYSENTER_EIP, 0x6826, VMCS_WN)                  \
	/* natural-width host state */                          \
	X(HOST_CR0, 0x6c00, VMCS_WN)                            \
	X(HOST_CR3, 0x6c02, VMCS_WN)                            \
	X(HOST_CR4, 0x6c04, VMCS_WN)                            \
	X(HOST_FS_BASE, 0x6c06, VMCS_WN)                        \
	X(HOST_GS_BASE, 0x6c08, VMCS_WN)                        \
	X(HOST_TR_BASE, 0x6c0a, VMCS_WN)                        \
	X(HOST_GDTR_BASE, 0x6c0c, VMCS_WN)                      \
	X(HOST_IDTR_BASE, 0x6c0e, VMCS_WN)                      \
	X(HOST_SYSENTER_ESP, 0x6c10, VMCS_WN)                   \
	X(HOST_SYSENTER_EIP, 0x6c12, VMCS_WN)                   \
	X(HOST_RSP, 0x6c14, VMCS_WN)                            \
	X(HOST_RIP, 0x6c16, VMCS_WN)

/* VMCS_GUEST_RIP == 0x681e and so on: call sites name fields, never numbers. */
enum vmcs_field {
#define X(name, enc, width) VMCS_##name = (enc),
	VMCS_FIELDS(X)
#undef X
};

struct vmcs_field_desc {
	const char *name;
	uint32_t encoding;
	uint8_t width; /* VMCS_W16 ... VMCS_WN */
};

extern const struct vmcs_field_desc vmcs_field_table[];
extern const unsigned vmcs_field_count;

/* The width an encoding declares in bits 14:13. */
static inline unsigned vmcs_encoding_width(uint32_t enc) { return (enc >> 13) & 3; }
/* The type in bits 11:10: 0 control, 1 read-only data, 2 guest state, 3 host state. */
static inline unsigned vmcs_encoding_type(uint32_t enc) { return (enc >> 10) & 3; }

/* The table entry for an encoding, or 0 when Terrapin does not know it. */
const struct vmcs_field_desc *vmcs_field_find(uint32_t encoding);
/* Its name ("GUEST_RIP"), or "unknown" (never 0). */
const char *vmcs_field_name(uint32_t encoding);
/* The field called name (case-sensitive, without the VMCS_ prefix), or 0. */
const struct vmcs_field_desc *vmcs_field_by_name(const char *name);
/* Bits a field holds: 16, 32 or 64. */
unsigned vmcs_width_bits(unsigned width);

/* SDM 3C 31.4: the VM-instruction error numbers, named; "unknown error" for
 * any other number. */
const char *vmx_insn_error_name(uint32_t err);
/* SDM 3C appendix C: a basic exit reason's name, or "unknown". */
const char *vmx_exit_reason_name(uint32_t reason);

#endif
