/* x86 state as data: per-mode initial registers, register and bit names. */
#include "kvmrun-config.h"

#include "cpu.h"

#include <elf.h>
#include <string.h>

const char *const cpu_mode_names[] = { "real", "protected", "paged32", "long",
				       NULL };

#define SEG(sel, typ, d, lng, gran, lim)                                    \
	{ .selector = (sel), .type = (typ), .present = 1, .s = 1, .db = (d), \
	  .l = (lng), .g = (gran), .limit = (lim) }

/* SSE is usable in every protected mode so that compiled C guests run. */
#define CR0_PROT (X86_CR0(PE) | X86_CR0(MP) | X86_CR0(ET) | X86_CR0(NE))
#define CR4_SSE (X86_CR4(OSFXSR) | X86_CR4(OSXMMEXCPT))
/* Paging, with WP: a page mapped without write is read-only for the
 * guest's kernel code too, as paging.map says (without WP, ring 0 may
 * write anywhere it can read). */
#define CR0_PAGED (CR0_PROT | X86_CR0(PG) | X86_CR0(WP))

static const struct mode_state modes[] = {
	[MODE_REAL] = {
		.name = "real",
		.about = "16-bit code; an address is segment * 16 + offset, "
			 "so only the first MiB is reachable. No descriptors, "
			 "no protection, no paging: the mode every x86 CPU "
			 "(and every KVM vCPU) starts in.",
		.cr0 = X86_CR0(ET),
		.code = SEG(0, X86_SEG_CODE_RX, 0, 0, 0, 0xffff),
		.data = SEG(0, X86_SEG_DATA_RW, 0, 0, 0, 0xffff),
		.elf_class = ELFCLASS32, .elf_machine = EM_386,
		.addr_limit = 0x100000,
	},
	[MODE_PROTECTED] = {
		.name = "protected",
		.about = "CR0.PE on: segment registers hold selectors into the "
			 "GDT, whose descriptors give base, limit and rights. "
			 "Flat segments (base 0, limit 4 GiB) make an offset "
			 "the linear address, and without paging the linear "
			 "address is the physical one.",
		.cr0 = CR0_PROT, .cr4 = CR4_SSE,
		.code = SEG(0x08, X86_SEG_CODE_RX, 1, 0, 1, 0xffffffff),
		.data = SEG(0x10, X86_SEG_DATA_RW, 1, 0, 1, 0xffffffff),
		.gdt = true,
		.elf_class = ELFCLASS32, .elf_machine = EM_386,
		.addr_limit = 1ULL << 32,
	},
	[MODE_PAGED32] = {
		.name = "paged32",
		.about = "Protected mode plus CR0.PG: linear addresses go "
			 "through two levels of tables. CR3 holds the page "
			 "directory; each of its 1024 entries maps a 4 MiB page "
			 "(PS, with CR4.PSE) or points to a page table of 1024 "
			 "4 KiB pages.",
		.cr0 = CR0_PAGED, .cr4 = CR4_SSE | X86_CR4(PSE),
		.code = SEG(0x08, X86_SEG_CODE_RX, 1, 0, 1, 0xffffffff),
		.data = SEG(0x10, X86_SEG_DATA_RW, 1, 0, 1, 0xffffffff),
		.gdt = true, .paging = PT_32BIT,
		.elf_class = ELFCLASS32, .elf_machine = EM_386,
		.addr_limit = 1ULL << 32,
	},
	[MODE_LONG] = {
		.name = "long",
		.about = "64-bit code. Paging is mandatory: the CPU enters long "
			 "mode when CR0.PG is turned on while CR4.PAE and "
			 "EFER.LME are set, and then sets EFER.LMA. CR3 holds a "
			 "PML4; its entries point to PDPTs, PDPT entries to page "
			 "directories (or 1 GiB pages), PD entries to page "
			 "tables (or 2 MiB pages). CS has L=1 for 64-bit code.",
		.cr0 = CR0_PAGED, .cr4 = CR4_SSE | X86_CR4(PAE),
		.efer = X86_EFER(LME) | X86_EFER(LMA),
		.code = SEG(0x08, X86_SEG_CODE_RX, 0, 1, 1, 0xffffffff),
		.data = SEG(0x10, X86_SEG_DATA_RW, 1, 0, 1, 0xffffffff),
		.gdt = true, .paging = PT_4LEVEL,
		.elf_class = ELFCLASS64, .elf_machine = EM_X86_64,
		.addr_limit = UINT64_MAX,
	},
};

const struct mode_state *cpu_mode_state(enum cpu_mode mode)
{
	return &modes[mode];
}

#define R64(n, r) { n, r, 8 }
#define R32(n, r) { n, r, 4 }
#define R16(n, r) { n, r, 2 }

static const struct reg_name reg_names[] = {
	R64("rax", GPR_RAX), R32("eax", GPR_RAX), R16("ax", GPR_RAX),
	R64("rbx", GPR_RBX), R32("ebx", GPR_RBX), R16("bx", GPR_RBX),
	R64("rcx", GPR_RCX), R32("ecx", GPR_RCX), R16("cx", GPR_RCX),
	R64("rdx", GPR_RDX), R32("edx", GPR_RDX), R16("dx", GPR_RDX),
	R64("rsi", GPR_RSI), R32("esi", GPR_RSI), R16("si", GPR_RSI),
	R64("rdi", GPR_RDI), R32("edi", GPR_RDI), R16("di", GPR_RDI),
	R64("rsp", GPR_RSP), R32("esp", GPR_RSP), R16("sp", GPR_RSP),
	R64("rbp", GPR_RBP), R32("ebp", GPR_RBP), R16("bp", GPR_RBP),
	R64("r8", GPR_R8),   R32("r8d", GPR_R8),   R16("r8w", GPR_R8),
	R64("r9", GPR_R9),   R32("r9d", GPR_R9),   R16("r9w", GPR_R9),
	R64("r10", GPR_R10), R32("r10d", GPR_R10), R16("r10w", GPR_R10),
	R64("r11", GPR_R11), R32("r11d", GPR_R11), R16("r11w", GPR_R11),
	R64("r12", GPR_R12), R32("r12d", GPR_R12), R16("r12w", GPR_R12),
	R64("r13", GPR_R13), R32("r13d", GPR_R13), R16("r13w", GPR_R13),
	R64("r14", GPR_R14), R32("r14d", GPR_R14), R16("r14w", GPR_R14),
	R64("r15", GPR_R15), R32("r15d", GPR_R15), R16("r15w", GPR_R15),
	R64("rip", GPR_RIP), R32("eip", GPR_RIP), R16("ip", GPR_RIP),
	R64("rflags", GPR_RFLAGS), R32("eflags", GPR_RFLAGS),
	R16("flags", GPR_RFLAGS),
};

#define NREG_NAMES (sizeof reg_names / sizeof reg_names[0])

const struct reg_name *cpu_reg_lookup(const char *name)
{
	for (size_t i = 0; i < NREG_NAMES; i++)
		if (strcmp(reg_names[i].name, name) == 0)
			return &reg_names[i];
	return NULL;
}

const char *const *cpu_reg_names(void)
{
	static const char *names[NREG_NAMES + 1];

	if (!names[0])
		for (size_t i = 0; i < NREG_NAMES; i++)
			names[i] = reg_names[i].name;
	return names;
}

const char *cpu_reg_name(enum reg reg)
{
	/* Every register's 64-bit name comes first in its group of three. */
	return reg_names[3 * reg].name;
}

static uint64_t *reg_slot(struct kvm_regs *regs, enum reg reg)
{
	static const size_t offsets[GPR_COUNT] = {
		offsetof(struct kvm_regs, rax), offsetof(struct kvm_regs, rbx),
		offsetof(struct kvm_regs, rcx), offsetof(struct kvm_regs, rdx),
		offsetof(struct kvm_regs, rsi), offsetof(struct kvm_regs, rdi),
		offsetof(struct kvm_regs, rsp), offsetof(struct kvm_regs, rbp),
		offsetof(struct kvm_regs, r8),  offsetof(struct kvm_regs, r9),
		offsetof(struct kvm_regs, r10), offsetof(struct kvm_regs, r11),
		offsetof(struct kvm_regs, r12), offsetof(struct kvm_regs, r13),
		offsetof(struct kvm_regs, r14), offsetof(struct kvm_regs, r15),
		offsetof(struct kvm_regs, rip), offsetof(struct kvm_regs, rflags),
	};
	return (uint64_t *)((char *)regs + offsets[reg]);
}

uint64_t cpu_reg_get(const struct kvm_regs *regs, enum reg reg)
{
	return *reg_slot((struct kvm_regs *)regs, reg);
}

void cpu_reg_set(struct kvm_regs *regs, enum reg reg, uint64_t value)
{
	*reg_slot(regs, reg) = value;
}
