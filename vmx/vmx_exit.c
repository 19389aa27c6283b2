/* VT-x exits: the exit reason, qualification, instruction length and
 * interruption information turned into struct vm_exit, and the few exits only
 * VT-x has (CR0/CR4 bits VMX fixes, MONITOR/MWAIT, the NMI window) handled
 * here without the core. */
#include "kernel/kstring.h"
#include "kernel/vm.h"
#include "vmx/vmx.h"
#include "vmx/vmx_insn.h"

/* SDM 3C appendix C. */
enum {
	EXIT_R_EXCEPTION_NMI = 0,
	EXIT_R_EXT_INTR = 1,
	EXIT_R_TRIPLE_FAULT = 2,
	EXIT_R_INIT = 3,
	EXIT_R_SIPI = 4,
	EXIT_R_INTR_WINDOW = 7,
	EXIT_R_NMI_WINDOW = 8,
	EXIT_R_CPUID = 10,
	EXIT_R_HLT = 12,
	EXIT_R_VMCALL = 18,
	EXIT_R_VMCLEAR = 19,
	EXIT_R_VMXON = 27,
	EXIT_R_CR_ACCESS = 28,
	EXIT_R_IO = 30,
	EXIT_R_RDMSR = 31,
	EXIT_R_WRMSR = 32,
	EXIT_R_MWAIT = 36,
	EXIT_R_MONITOR = 39,
	EXIT_R_PAUSE = 40,
	EXIT_R_EPT_VIOLATION = 48,
	EXIT_R_INVEPT = 50,
	EXIT_R_PREEMPTION_TIMER = 52,
	EXIT_R_INVVPID = 53,
	EXIT_R_XSETBV = 55,
	EXIT_R_VMFUNC = 59,
};

#define EFER_LME_BIT (1ULL << 8)
#define EFER_LMA_BIT (1ULL << 10)
#define CR4_PAE_BIT (1ULL << 5)
#define CR4_VMXE_BIT (1ULL << 13)
#define CR0_NW_BIT (1ULL << 29)
#define CR0_CD_BIT (1ULL << 30)

void vmx_set_cr0(struct vmx_vcpu *s, uint64_t cr0)
{
	s->cr0_shadow = cr0;
	vmcs_write(VMCS_CR0_READ_SHADOW, cr0);
	vmcs_write(VMCS_GUEST_CR0, vmx_guest_cr0(&vmx_cfg, cr0));
}

void vmx_set_cr4(struct vmx_vcpu *s, uint64_t cr4)
{
	s->cr4_shadow = cr4;
	vmcs_write(VMCS_CR4_READ_SHADOW, cr4);
	vmcs_write(VMCS_GUEST_CR4, vmx_guest_cr4(&vmx_cfg, cr4));
}

uint64_t vmx_view_cr0(struct vmx_vcpu *s)
{
	uint64_t m = vmx_cr0_mask(&vmx_cfg);
	return (vmcs_read(VMCS_GUEST_CR0) & ~m) | (s->cr0_shadow & m);
}

uint64_t vmx_view_cr4(struct vmx_vcpu *s)
{
	uint64_t m = vmx_cr4_mask(&vmx_cfg);
	return (vmcs_read(VMCS_GUEST_CR4) & ~m) | (s->cr4_shadow & m);
}

static void inject_hw(struct vmx_vcpu *s, uint8_t vector, bool has_error)
{
	vmx_queue_event(s, vector | (VMX_INTR_TYPE_HW_EXC << 8) | VMX_INTR_VALID |
				   (has_error ? VMX_INTR_HAS_ERROR : 0),
			0, 0);
}

static void skip_insn(void)
{
	vmcs_write(VMCS_GUEST_RIP, vmcs_read(VMCS_GUEST_RIP) + vmcs_read(VMCS_EXIT_INSN_LEN));
	uint32_t block = (uint32_t)vmcs_read(VMCS_GUEST_INTERRUPTIBILITY);
	if (block & (VMX_BLOCK_STI | VMX_BLOCK_MOVSS))
		vmcs_write(VMCS_GUEST_INTERRUPTIBILITY, block & ~(VMX_BLOCK_STI | VMX_BLOCK_MOVSS));
}

static bool long_mode_code(void)
{
	return (vmcs_read(VMCS_GUEST_EFER) & EFER_LMA_BIT) && (vmcs_read(VMCS_GUEST_CS_AR) & (1u << 13));
}

/* MOV to CR0 that changes a bit VMX fixes (SDM 3C 25.6.6): the checks a real
 * CPU makes (SDM 3A 2.5, 9.8.5), then long mode switched on or off with PG as
 * the CPU would (entry control "IA-32e mode guest" follows EFER.LMA). */
static bool guest_write_cr0(struct vmx_vcpu *s, uint64_t val)
{
	uint64_t efer = vmcs_read(VMCS_GUEST_EFER);
	bool pg = val & CR0_PG, was_pg = vmx_view_cr0(s) & CR0_PG;

	if ((val >> 32) || (pg && !(val & CR0_PE)) || ((val & CR0_NW_BIT) && !(val & CR0_CD_BIT)))
		return false;
	if (pg && !was_pg && (efer & EFER_LME_BIT)) {
		if (!(vmx_view_cr4(s) & CR4_PAE_BIT))
			return false;
		efer |= EFER_LMA_BIT;
	} else if (!pg && was_pg && (efer & EFER_LMA_BIT)) {
		if (long_mode_code())
			return false;
		efer &= ~EFER_LMA_BIT;
	}
	vmcs_write(VMCS_GUEST_EFER, efer);
	s->entry_ctl = efer & EFER_LMA_BIT ? s->entry_ctl | VMX_ENTRY_IA32E_GUEST
					   : s->entry_ctl & ~VMX_ENTRY_IA32E_GUEST;
	vmcs_write(VMCS_ENTRY_CONTROLS, s->entry_ctl);
	vmx_set_cr0(s, val);
	s->flush = true;
	return true;
}

static bool guest_write_cr4(struct vmx_vcpu *s, uint64_t val)
{
	/* Bits this CPU lacks, and VMXE: VT-x is hidden from guests (CPUID). */
	uint64_t bad = ~vmx_cfg.cr4_fixed1 | CR4_VMXE_BIT;

	if ((val & bad) || ((vmcs_read(VMCS_GUEST_EFER) & EFER_LMA_BIT) && !(val & CR4_PAE_BIT)))
		return false;
	vmx_set_cr4(s, val);
	s->flush = true;
	return true;
}

/* SDM 3C 28.2.1 table 28-3: the CR-access exit qualification. */
static void cr_access(struct vmx_vcpu *s, struct vcpu *v)
{
	uint64_t q = vmcs_read(VMCS_EXIT_QUALIFICATION);
	unsigned cr = q & 15, type = (q >> 4) & 3, reg = (q >> 8) & 15;
	bool ok = true;

	if (type == 0) { /* MOV to CR */
		uint64_t val = v->gpr[reg];
		if (!long_mode_code())
			val = (uint32_t)val;
		if (cr == 0)
			ok = guest_write_cr0(s, val);
		else if (cr == 4)
			ok = guest_write_cr4(s, val);
		else if (cr == 3) {
			vmcs_write(VMCS_GUEST_CR3, val);
			s->flush = true;
		} else
			ok = false;
	} else if (type == 1) { /* MOV from CR: CR3 when the CPU forces CR3 exits */
		if (cr == 3)
			v->gpr[reg] = vmcs_read(VMCS_GUEST_CR3);
		else
			ok = false;
	} else if (type == 2) { /* CLTS */
		ok = guest_write_cr0(s, vmx_view_cr0(s) & ~(1ULL << 3));
	} else { /* LMSW: bits 3:0 only, and it never clears PE */
		uint64_t src = (q >> 16) & 0xf;
		ok = guest_write_cr0(s, (vmx_view_cr0(s) & ~0xeULL) | src);
	}
	if (ok)
		skip_insn();
	else
		inject_hw(s, 13, true);
}

bool vmx_decode_exit(struct vmx_vcpu *s, struct vcpu *v, uint32_t reason, struct vm_exit *e)
{
	memset(e, 0, sizeof(*e));
	e->hw_code = reason;
	e->hw_info1 = vmcs_read(VMCS_EXIT_QUALIFICATION);

	switch (reason) {
	case EXIT_R_EXCEPTION_NMI: {
		uint32_t info = (uint32_t)vmcs_read(VMCS_EXIT_INTR_INFO);
		e->hw_info2 = info;
		if (VMX_INTR_TYPE(info) == VMX_INTR_TYPE_NMI) {
			/* NMI exiting consumed the host's NMI: run its handler now. */
			__asm__ volatile("int $2" ::: "memory");
			e->reason = EXIT_NMI;
			break;
		}
		e->reason = EXIT_EXCEPTION;
		e->exc.vector = info & 0xff;
		e->exc.has_error = info & VMX_INTR_HAS_ERROR;
		if (e->exc.has_error)
			e->exc.error = (uint32_t)vmcs_read(VMCS_EXIT_INTR_ERROR);
		break;
	}
	case EXIT_R_EXT_INTR:
	case EXIT_R_PREEMPTION_TIMER: /* the slice is over: as a host interrupt */
		e->reason = EXIT_INTR;
		break;
	case EXIT_R_INIT:
	case EXIT_R_SIPI:
		/* Physical INIT/SIPI are not the guest's: leave, take interrupts. */
		e->reason = EXIT_INTR;
		break;
	case EXIT_R_TRIPLE_FAULT: e->reason = EXIT_SHUTDOWN; break;
	case EXIT_R_INTR_WINDOW: e->reason = EXIT_INTR_WINDOW; break;
	case EXIT_R_NMI_WINDOW:
		/* The next entry injects the NMI that waited (vmx_event.c). */
		vmcs_write(VMCS_PROC_CONTROLS, s->proc &= ~VMX_PROC_NMI_WINDOW_EXITING);
		return true;
	case EXIT_R_CPUID: e->reason = EXIT_CPUID; break;
	case EXIT_R_HLT: e->reason = EXIT_HLT; break;
	case EXIT_R_PAUSE: e->reason = EXIT_PAUSE; break;
	case EXIT_R_XSETBV: e->reason = EXIT_XSETBV; break;
	case EXIT_R_VMCALL: e->reason = EXIT_HYPERCALL; break;
	case EXIT_R_INVEPT:
	case EXIT_R_INVVPID:
	case EXIT_R_VMFUNC:
		e->reason = EXIT_VIRT_INSN;
		break;
	case EXIT_R_CR_ACCESS:
		cr_access(s, v);
		return true;
	case EXIT_R_MWAIT:
	case EXIT_R_MONITOR:
		/* CPUID says there is no MONITOR/MWAIT (kernel/exit.c). */
		inject_hw(s, 6, false);
		return true;
	case EXIT_R_IO: {
		uint64_t q = e->hw_info1; /* SDM 3C 28.2.1 table 28-5 */
		e->reason = EXIT_IO;
		e->io.size = (uint8_t)((q & 7) + 1);
		e->io.in = q & 8;
		e->io.string = q & 16;
		e->io.rep = q & 32;
		e->io.port = (uint16_t)(q >> 16);
		break;
	}
	case EXIT_R_RDMSR:
	case EXIT_R_WRMSR:
		e->reason = reason == EXIT_R_RDMSR ? EXIT_MSR_READ : EXIT_MSR_WRITE;
		e->msr.index = (uint32_t)v->gpr[RCX];
		break;
	case EXIT_R_EPT_VIOLATION: {
		uint64_t q = e->hw_info1; /* SDM 3C 28.2.1 table 28-7 */
		e->reason = EXIT_MMIO;
		e->hw_info2 = e->mmio.gpa = vmcs_read(VMCS_GUEST_PHYSICAL_ADDR);
		e->mmio.write = q & 2;
		e->mmio.fetch = q & 4;
		e->mmio.present = q & (7 << 3);
		/* SDM 3C 28.2.3: a fault in an IRET that unblocked NMIs blocks them
		 * again, unless the exit interrupted an event delivery. */
		if ((q & (1u << 12)) && vmx_cfg.nmi_window &&
		    !(vmcs_read(VMCS_IDT_VECTORING_INFO) & VMX_INTR_VALID))
			vmcs_write(VMCS_GUEST_INTERRUPTIBILITY,
				   vmcs_read(VMCS_GUEST_INTERRUPTIBILITY) | VMX_BLOCK_NMI);
		return false; /* no instruction length: the emulator decodes it */
	}
	default:
		if (reason >= EXIT_R_VMCLEAR && reason <= EXIT_R_VMXON)
			e->reason = EXIT_VIRT_INSN;
		else
			e->reason = EXIT_UNKNOWN;
		break;
	}
	/* SDM 3C 28.2.5: the length is valid for exits caused by instructions. */
	if (e->reason != EXIT_INTR && e->reason != EXIT_NMI && e->reason != EXIT_SHUTDOWN &&
	    e->reason != EXIT_INTR_WINDOW && e->reason != EXIT_EXCEPTION) {
		uint64_t len = vmcs_read(VMCS_EXIT_INSN_LEN);
		if (len >= 1 && len <= 15)
			e->insn_len = (uint8_t)len;
	}
	return false;
}
