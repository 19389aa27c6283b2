/* The VMCS field table (vmx/vmcs_fields.h): every encoding's width and type
 * bits agree with what it declares, nothing appears twice, lookups by encoding
 * and name work and reject what is not there, and the VM-instruction error and
 * exit-reason names follow the SDM's numbering. */
#include <stdint.h>

#include "tests/unit/check.h"

#include "vmx/vmcs_fields.c"

TEST(widths_match_encodings)
{
	CHECK(vmcs_field_count > 150);
	for (unsigned i = 0; i < vmcs_field_count; i++) {
		const struct vmcs_field_desc *d = &vmcs_field_table[i];
		if (vmcs_encoding_width(d->encoding) != d->width)
			printf("  %s: encoding 0x%04x width bits %u, declared %u\n", d->name,
			       d->encoding, vmcs_encoding_width(d->encoding), d->width);
		CHECK_EQ(vmcs_encoding_width(d->encoding), d->width);
		CHECK_EQ(d->encoding & 1, 0);          /* full fields only, no "high" halves */
		CHECK_EQ(d->encoding & (1u << 12), 0); /* reserved */
		CHECK_EQ(d->encoding >> 15, 0);
	}
}

TEST(types_match_names)
{
	for (unsigned i = 0; i < vmcs_field_count; i++) {
		const struct vmcs_field_desc *d = &vmcs_field_table[i];
		unsigned type = vmcs_encoding_type(d->encoding);
		if (!strcmp(d->name, "GUEST_PHYSICAL_ADDR") || !strcmp(d->name, "GUEST_LINEAR_ADDR"))
			CHECK_EQ(type, 1); /* exit information, read-only */
		else if (!strncmp(d->name, "GUEST_", 6))
			CHECK_EQ(type, 2);
		else if (!strncmp(d->name, "HOST_", 5))
			CHECK_EQ(type, 3);
		else if (!strncmp(d->name, "EXIT_", 5) && strcmp(d->name, "EXIT_CONTROLS") &&
			 strncmp(d->name, "EXIT_MSR_", 9))
			CHECK_EQ(type, 1);
	}
}

TEST(no_duplicates)
{
	for (unsigned i = 0; i < vmcs_field_count; i++)
		for (unsigned j = i + 1; j < vmcs_field_count; j++) {
			CHECK(vmcs_field_table[i].encoding != vmcs_field_table[j].encoding);
			CHECK(strcmp(vmcs_field_table[i].name, vmcs_field_table[j].name) != 0);
		}
}

/* Spot checks against SDM 3C appendix B. */
TEST(sdm_encodings)
{
	static const struct {
		uint32_t got, sdm;
	} t[] = {
		{ VMCS_VPID, 0x0000 },          { VMCS_GUEST_ES_SEL, 0x0800 },
		{ VMCS_HOST_TR_SEL, 0x0c0c },   { VMCS_IO_BITMAP_A, 0x2000 },
		{ VMCS_MSR_BITMAP, 0x2004 },    { VMCS_TSC_OFFSET, 0x2010 },
		{ VMCS_EPT_POINTER, 0x201a },   { VMCS_VMREAD_BITMAP, 0x2026 },
		{ VMCS_GUEST_PHYSICAL_ADDR, 0x2400 }, { VMCS_VMCS_LINK_POINTER, 0x2800 },
		{ VMCS_GUEST_EFER, 0x2806 },    { VMCS_HOST_EFER, 0x2c02 },
		{ VMCS_PIN_CONTROLS, 0x4000 },  { VMCS_PROC_CONTROLS2, 0x401e },
		{ VMCS_VM_INSN_ERROR, 0x4400 }, { VMCS_EXIT_REASON, 0x4402 },
		{ VMCS_EXIT_INSN_LEN, 0x440c }, { VMCS_GUEST_TR_AR, 0x4822 },
		{ VMCS_GUEST_INTERRUPTIBILITY, 0x4824 }, { VMCS_PREEMPTION_TIMER_VALUE, 0x482e },
		{ VMCS_HOST_SYSENTER_CS, 0x4c00 }, { VMCS_CR4_READ_SHADOW, 0x6006 },
		{ VMCS_EXIT_QUALIFICATION, 0x6400 }, { VMCS_GUEST_CR0, 0x6800 },
		{ VMCS_GUEST_RIP, 0x681e },     { VMCS_GUEST_SYSENTER_EIP, 0x6826 },
		{ VMCS_HOST_RSP, 0x6c14 },      { VMCS_HOST_RIP, 0x6c16 },
	};
	for (size_t i = 0; i < sizeof(t) / sizeof(t[0]); i++)
		CHECK_EQ(t[i].got, t[i].sdm);
}

TEST(lookup)
{
	CHECK_STR(vmcs_field_name(0x681e), "GUEST_RIP");
	CHECK_STR(vmcs_field_name(VMCS_EPT_POINTER), "EPT_POINTER");
	CHECK_STR(vmcs_field_name(0x681f), "unknown");     /* a high half: not listed */
	CHECK_STR(vmcs_field_name(0xffffffff), "unknown");
	CHECK(vmcs_field_find(0x4401) == 0);
	const struct vmcs_field_desc *d = vmcs_field_by_name("HOST_GS_BASE");
	CHECK(d != 0);
	if (d) {
		CHECK_EQ(d->encoding, 0x6c08);
		CHECK_EQ(d->width, VMCS_WN);
	}
	CHECK(vmcs_field_by_name("host_gs_base") == 0);
	CHECK(vmcs_field_by_name("") == 0);
	CHECK(vmcs_field_by_name(0) == 0);
	CHECK(vmcs_field_by_name("GUEST_RIP_") == 0);
	/* Every name finds its own entry. */
	for (unsigned i = 0; i < vmcs_field_count; i++)
		CHECK(vmcs_field_by_name(vmcs_field_table[i].name) == &vmcs_field_table[i]);
	CHECK_EQ(vmcs_width_bits(VMCS_W16), 16);
	CHECK_EQ(vmcs_width_bits(VMCS_W32), 32);
	CHECK_EQ(vmcs_width_bits(VMCS_W64), 64);
	CHECK_EQ(vmcs_width_bits(VMCS_WN), 64);
}

TEST(insn_error_names)
{
	CHECK_STR(vmx_insn_error_name(7), "VM entry with invalid control field(s)");
	CHECK_STR(vmx_insn_error_name(8), "VM entry with invalid host-state field(s)");
	CHECK_STR(vmx_insn_error_name(5), "VMRESUME with non-launched VMCS");
	CHECK_STR(vmx_insn_error_name(28), "invalid operand to INVEPT/INVVPID");
	CHECK_STR(vmx_insn_error_name(0), "unknown error");
	CHECK_STR(vmx_insn_error_name(14), "unknown error"); /* not defined */
	CHECK_STR(vmx_insn_error_name(21), "unknown error");
	CHECK_STR(vmx_insn_error_name(29), "unknown error");
	CHECK_STR(vmx_insn_error_name(0xffffffffu), "unknown error");
}

TEST(exit_reason_names)
{
	CHECK_STR(vmx_exit_reason_name(0), "exception or NMI");
	CHECK_STR(vmx_exit_reason_name(30), "I/O instruction");
	CHECK_STR(vmx_exit_reason_name(33), "VM-entry failure: invalid guest state");
	CHECK_STR(vmx_exit_reason_name(48), "EPT violation");
	CHECK_STR(vmx_exit_reason_name(64), "XRSTORS");
	CHECK_STR(vmx_exit_reason_name(35), "unknown"); /* not defined */
	CHECK_STR(vmx_exit_reason_name(65), "unknown");
	CHECK_STR(vmx_exit_reason_name(0x80000021u), "unknown"); /* callers strip bit 31 */
}

int main(void)
{
	RUN(widths_match_encodings);
	RUN(types_match_names);
	RUN(no_duplicates);
	RUN(sdm_encodings);
	RUN(lookup);
	RUN(insn_error_names);
	RUN(exit_reason_names);
	return CHECK_DONE();
}
