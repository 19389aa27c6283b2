/* Lookups derived from the VMCS field table, and the names of VM-instruction
 * errors and exit reasons. Pure: compiles on the host for the unit tests. */
#include "vmx/vmcs_fields.h"

#include "kernel/kstring.h"

const struct vmcs_field_desc vmcs_field_table[] = {
#define X(n, enc, width) { #n, (enc), (width) },
	VMCS_FIELDS(X)
#undef X
};
const unsigned vmcs_field_count = sizeof(vmcs_field_table) / sizeof(vmcs_field_table[0]);

const struct vmcs_field_desc *vmcs_field_find(uint32_t encoding)
{
	for (unsigned i = 0; i < vmcs_field_count; i++)
		if (vmcs_field_table[i].encoding == encoding)
			return &vmcs_field_table[i];
	return 0;
}

const char *vmcs_field_name(uint32_t encoding)
{
	const struct vmcs_field_desc *d = vmcs_field_find(encoding);
	return d ? d->name : "unknown";
}

const struct vmcs_field_desc *vmcs_field_by_name(const char *name)
{
	if (!name)
		return 0;
	for (unsigned i = 0; i < vmcs_field_count; i++)
		if (!strcmp(vmcs_field_table[i].name, name))
			return &vmcs_field_table[i];
	return 0;
}

unsigned vmcs_width_bits(unsigned width)
{
	static const unsigned bits[4] = { 16, 64, 32, 64 };
	return bits[width & 3];
}

/* SDM 3C 31.4, table 31-1. Numbers 14, 21 and 27 are not defined. */
static const char *const insn_errors[] = {
	[1] = "VMCALL executed in VMX root operation",
	[2] = "VMCLEAR with invalid physical address",
	[3] = "VMCLEAR with VMXON pointer",
	[4] = "VMLAUNCH with non-clear VMCS",
	[5] = "VMRESUME with non-launched VMCS",
	[6] = "VMRESUME after VMXOFF",
	[7] = "VM entry with invalid control field(s)",
	[8] = "VM entry with invalid host-state field(s)",
	[9] = "VMPTRLD with invalid physical address",
	[10] = "VMPTRLD with VMXON pointer",
	[11] = "VMPTRLD with incorrect VMCS revision identifier",
	[12] = "VMREAD/VMWRITE from/to unsupported VMCS component",
	[13] = "VMWRITE to read-only VMCS component",
	[15] = "VMXON executed in VMX root operation",
	[16] = "VM entry with invalid executive-VMCS pointer",
	[17] = "VM entry with non-launched executive VMCS",
	[18] = "VM entry with executive-VMCS pointer not VMXON pointer",
	[19] = "VMCALL with non-clear VMCS",
	[20] = "VMCALL with invalid VM-exit control fields",
	[22] = "VMCALL with incorrect MSEG revision identifier",
	[23] = "VMXOFF under dual-monitor treatment of SMIs and SMM",
	[24] = "VMCALL with invalid SMM-monitor features",
	[25] = "VM entry with invalid VM-execution control fields in executive VMCS",
	[26] = "VM entry with events blocked by MOV SS",
	[28] = "invalid operand to INVEPT/INVVPID",
};

const char *vmx_insn_error_name(uint32_t err)
{
	if (err < sizeof(insn_errors) / sizeof(insn_errors[0]) && insn_errors[err])
		return insn_errors[err];
	return "unknown error";
}

/* SDM 3C appendix C. */
static const char *const exit_reasons[] = {
	[0] = "exception or NMI",
	[1] = "external interrupt",
	[2] = "triple fault",
	[3] = "INIT signal",
	[4] = "start-up IPI",
	[5] = "I/O SMI",
	[6] = "other SMI",
	[7] = "interrupt window",
	[8] = "NMI window",
	[9] = "task switch",
	[10] = "CPUID",
	[11] = "GETSEC",
	[12] = "HLT",
	[13] = "INVD",
	[14] = "INVLPG",
	[15] = "RDPMC",
	[16] = "RDTSC",
	[17] = "RSM",
	[18] = "VMCALL",
	[19] = "VMCLEAR",
	[20] = "VMLAUNCH",
	[21] = "VMPTRLD",
	[22] = "VMPTRST",
	[23] = "VMREAD",
	[24] = "VMRESUME",
	[25] = "VMWRITE",
	[26] = "VMXOFF",
	[27] = "VMXON",
	[28] = "control-register access",
	[29] = "MOV DR",
	[30] = "I/O instruction",
	[31] = "RDMSR",
	[32] = "WRMSR",
	[33] = "VM-entry failure: invalid guest state",
	[34] = "VM-entry failure: MSR loading",
	[36] = "MWAIT",
	[37] = "monitor trap flag",
	[39] = "MONITOR",
	[40] = "PAUSE",
	[41] = "VM-entry failure: machine-check event",
	[43] = "TPR below threshold",
	[44] = "APIC access",
	[45] = "virtualized EOI",
	[46] = "GDTR/IDTR access",
	[47] = "LDTR/TR access",
	[48] = "EPT violation",
	[49] = "EPT misconfiguration",
	[50] = "INVEPT",
	[51] = "RDTSCP",
	[52] = "VMX-preemption timer expired",
	[53] = "INVVPID",
	[54] = "WBINVD",
	[55] = "XSETBV",
	[56] = "APIC write",
	[57] = "RDRAND",
	[58] = "INVPCID",
	[59] = "VMFUNC",
	[60] = "ENCLS",
	[61] = "RDSEED",
	[62] = "page-modification log full",
	[63] = "XSAVES",
	[64] = "XRSTORS",
};

const char *vmx_exit_reason_name(uint32_t reason)
{
	if (reason < sizeof(exit_reasons) / sizeof(exit_reasons[0]) && exit_reasons[reason])
		return exit_reasons[reason];
	return "unknown";
}
