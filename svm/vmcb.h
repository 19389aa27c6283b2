/* The VMCB (AMD APM vol. 2, appendix B): the control area at 0x000 and the state
 * save area at 0x400, each field at its hardware offset, pinned below. */
#ifndef SVM_VMCB_H
#define SVM_VMCB_H

#include <stddef.h>
#include <stdint.h>

struct vmcb_seg {
	uint16_t sel;
	uint16_t attr;
	uint32_t limit;
	uint64_t base;
} __attribute__((packed));

struct vmcb_control {
	uint32_t cr_intercepts;     /* 0x000: reads [15:0], writes [31:16] */
	uint32_t dr_intercepts;     /* 0x004 */
	uint32_t exc_intercepts;    /* 0x008 */
	uint32_t intercepts1;       /* 0x00c */
	uint32_t intercepts2;       /* 0x010 */
	uint32_t intercepts3;       /* 0x014 */
	uint8_t reserved1[0x3c - 0x18];
	uint16_t pause_threshold;   /* 0x03c */
	uint16_t pause_count;       /* 0x03e */
	uint64_t iopm_pa;           /* 0x040 */
	uint64_t msrpm_pa;          /* 0x048 */
	uint64_t tsc_offset;        /* 0x050 */
	uint32_t asid;              /* 0x058 */
	uint8_t tlb_control;        /* 0x05c */
	uint8_t reserved2[3];
	uint64_t vintr;             /* 0x060: V_TPR, V_IRQ, V_INTR_PRIO, V_INTR_MASKING, vector */
	uint64_t int_state;         /* 0x068: bit 0 interrupt shadow */
	uint64_t exitcode;          /* 0x070 */
	uint64_t exitinfo1;         /* 0x078 */
	uint64_t exitinfo2;         /* 0x080 */
	uint64_t exitintinfo;       /* 0x088 */
	uint64_t np_control;        /* 0x090: bit 0 nested paging */
	uint64_t avic_apic_bar;     /* 0x098 */
	uint64_t ghcb_pa;           /* 0x0a0 */
	uint64_t eventinj;          /* 0x0a8 */
	uint64_t ncr3;              /* 0x0b0 */
	uint64_t virt_ext;          /* 0x0b8: LBR virtualization, virtual VMLOAD/VMSAVE */
	uint32_t clean;             /* 0x0c0 */
	uint32_t reserved3;
	uint64_t next_rip;          /* 0x0c8 */
	uint8_t insn_len;           /* 0x0d0 */
	uint8_t insn_bytes[15];     /* 0x0d1 */
	uint8_t reserved4[0x400 - 0xe0];
} __attribute__((packed));

struct vmcb_save {
	struct vmcb_seg es, cs, ss, ds, fs, gs; /* 0x400 .. 0x45f */
	struct vmcb_seg gdtr, ldtr, idtr, tr;   /* 0x460 .. 0x49f */
	uint8_t reserved1[0x4cb - 0x4a0];
	uint8_t cpl;                            /* 0x4cb */
	uint32_t reserved2;
	uint64_t efer;                          /* 0x4d0 */
	uint8_t reserved3[0x548 - 0x4d8];
	uint64_t cr4;                           /* 0x548 */
	uint64_t cr3;                           /* 0x550 */
	uint64_t cr0;                           /* 0x558 */
	uint64_t dr7;                           /* 0x560 */
	uint64_t dr6;                           /* 0x568 */
	uint64_t rflags;                        /* 0x570 */
	uint64_t rip;                           /* 0x578 */
	uint8_t reserved4[0x5d8 - 0x580];
	uint64_t rsp;                           /* 0x5d8 */
	uint8_t reserved5[0x5f8 - 0x5e0];
	uint64_t rax;                           /* 0x5f8 */
	uint64_t star;                          /* 0x600 */
	uint64_t lstar;                         /* 0x608 */
	uint64_t cstar;                         /* 0x610 */
	uint64_t sfmask;                        /* 0x618 */
	uint64_t kernel_gs_base;                /* 0x620 */
	uint64_t sysenter_cs;                   /* 0x628 */
	uint64_t sysenter_esp;                  /* 0x630 */
	uint64_t sysenter_eip;                  /* 0x638 */
	uint64_t cr2;                           /* 0x640 */
	uint8_t reserved6[0x668 - 0x648];
	uint64_t g_pat;                         /* 0x668 */
	uint64_t dbgctl;                        /* 0x670 */
	uint64_t br_from, br_to, last_excp_from, last_excp_to; /* 0x678 .. 0x697 */
	uint8_t reserved7[0x1000 - 0x698];
} __attribute__((packed));

struct vmcb {
	struct vmcb_control ctl;
	struct vmcb_save save;
} __attribute__((packed));

#define VMCB_AT(f, off) _Static_assert(offsetof(struct vmcb, f) == (off), #f " is at " #off)
VMCB_AT(ctl.pause_threshold, 0x03c);
VMCB_AT(ctl.iopm_pa, 0x040);
VMCB_AT(ctl.asid, 0x058);
VMCB_AT(ctl.tlb_control, 0x05c);
VMCB_AT(ctl.vintr, 0x060);
VMCB_AT(ctl.exitcode, 0x070);
VMCB_AT(ctl.exitintinfo, 0x088);
VMCB_AT(ctl.np_control, 0x090);
VMCB_AT(ctl.eventinj, 0x0a8);
VMCB_AT(ctl.ncr3, 0x0b0);
VMCB_AT(ctl.clean, 0x0c0);
VMCB_AT(ctl.next_rip, 0x0c8);
VMCB_AT(ctl.insn_bytes, 0x0d1);
VMCB_AT(save.es, 0x400);
VMCB_AT(save.gdtr, 0x460);
VMCB_AT(save.tr, 0x490);
VMCB_AT(save.cpl, 0x4cb);
VMCB_AT(save.efer, 0x4d0);
VMCB_AT(save.cr4, 0x548);
VMCB_AT(save.rflags, 0x570);
VMCB_AT(save.rip, 0x578);
VMCB_AT(save.rsp, 0x5d8);
VMCB_AT(save.rax, 0x5f8);
VMCB_AT(save.kernel_gs_base, 0x620);
VMCB_AT(save.cr2, 0x640);
VMCB_AT(save.g_pat, 0x668);
_Static_assert(sizeof(struct vmcb) == 4096, "a VMCB is one page");

/* Intercept bits (APM 2 15.9, table B-1). */
#define INTERCEPT1_INTR (1u << 0)
#define INTERCEPT1_NMI (1u << 1)
#define INTERCEPT1_VINTR (1u << 4)
#define INTERCEPT1_CPUID (1u << 18)
#define INTERCEPT1_INVD (1u << 22)
#define INTERCEPT1_PAUSE (1u << 23)
#define INTERCEPT1_HLT (1u << 24)
#define INTERCEPT1_IOIO (1u << 27)
#define INTERCEPT1_MSR (1u << 28)
#define INTERCEPT1_SHUTDOWN (1u << 31)
#define INTERCEPT2_VMRUN (1u << 0)
#define INTERCEPT2_VMMCALL (1u << 1)
#define INTERCEPT2_VMLOAD (1u << 2)
#define INTERCEPT2_VMSAVE (1u << 3)
#define INTERCEPT2_STGI (1u << 4)
#define INTERCEPT2_CLGI (1u << 5)
#define INTERCEPT2_SKINIT (1u << 6)
#define INTERCEPT2_XSETBV (1u << 13)
#define INTERCEPT1_INVLPGA (1u << 26)

/* Exit codes (APM 2 appendix C). */
#define SVM_EXIT_EXCP_BASE 0x40
#define SVM_EXIT_INTR 0x60
#define SVM_EXIT_NMI 0x61
#define SVM_EXIT_VINTR 0x64
#define SVM_EXIT_CPUID 0x72
#define SVM_EXIT_PAUSE 0x77
#define SVM_EXIT_HLT 0x78
#define SVM_EXIT_INVLPGA 0x7a
#define SVM_EXIT_IOIO 0x7b
#define SVM_EXIT_MSR 0x7c
#define SVM_EXIT_SHUTDOWN 0x7f
#define SVM_EXIT_VMRUN 0x80
#define SVM_EXIT_VMMCALL 0x81
#define SVM_EXIT_VMLOAD 0x82
#define SVM_EXIT_VMSAVE 0x83
#define SVM_EXIT_STGI 0x84
#define SVM_EXIT_CLGI 0x85
#define SVM_EXIT_SKINIT 0x86
#define SVM_EXIT_XSETBV 0x8d
#define SVM_EXIT_NPF 0x400
#define SVM_EXIT_INVALID 0xffffffffu /* QEMU stores it as 0x00000000ffffffff */

/* EVENTINJ / EXITINTINFO (APM 2 15.20). */
#define SVM_EVTINJ_VALID (1ULL << 31)
#define SVM_EVTINJ_EV (1ULL << 11)
#define SVM_EVTINJ_TYPE_SHIFT 8

/* V_INTR fields at 0x060. */
#define VINTR_IRQ (1ULL << 8)
#define VINTR_PRIO_SHIFT 16
#define VINTR_IGN_TPR (1ULL << 20)
#define VINTR_MASKING (1ULL << 24)

#define MSR_VM_HSAVE_PA 0xC0010117

#endif
