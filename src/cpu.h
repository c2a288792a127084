/* x86 state as data: per-mode initial registers, register and bit names. */
#ifndef KVMRUN_CPU_H
#define KVMRUN_CPU_H

#include <linux/kvm.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define X86_CR0_PE (1ULL << 0)
#define X86_CR0_MP (1ULL << 1)
#define X86_CR0_EM (1ULL << 2)
#define X86_CR0_TS (1ULL << 3)
#define X86_CR0_ET (1ULL << 4)
#define X86_CR0_NE (1ULL << 5)
#define X86_CR0_WP (1ULL << 16)
#define X86_CR0_AM (1ULL << 18)
#define X86_CR0_NW (1ULL << 29)
#define X86_CR0_CD (1ULL << 30)
#define X86_CR0_PG (1ULL << 31)

#define X86_CR4_VME (1ULL << 0)
#define X86_CR4_PVI (1ULL << 1)
#define X86_CR4_TSD (1ULL << 2)
#define X86_CR4_DE (1ULL << 3)
#define X86_CR4_PSE (1ULL << 4)
#define X86_CR4_PAE (1ULL << 5)
#define X86_CR4_MCE (1ULL << 6)
#define X86_CR4_PGE (1ULL << 7)
#define X86_CR4_PCE (1ULL << 8)
#define X86_CR4_OSFXSR (1ULL << 9)
#define X86_CR4_OSXMMEXCPT (1ULL << 10)
#define X86_CR4_UMIP (1ULL << 11)
#define X86_CR4_LA57 (1ULL << 12)
#define X86_CR4_FSGSBASE (1ULL << 16)
#define X86_CR4_PCIDE (1ULL << 17)
#define X86_CR4_OSXSAVE (1ULL << 18)
#define X86_CR4_SMEP (1ULL << 20)
#define X86_CR4_SMAP (1ULL << 21)
#define X86_CR4_PKE (1ULL << 22)

#define X86_EFER_SCE (1ULL << 0)
#define X86_EFER_LME (1ULL << 8)
#define X86_EFER_LMA (1ULL << 10)
#define X86_EFER_NXE (1ULL << 11)

#define X86_RFLAGS_FIXED (1ULL << 1)

enum cpu_mode { MODE_REAL, MODE_PROTECTED, MODE_PAGED32, MODE_LONG };

extern const char *const cpu_mode_names[]; /* NULL-terminated */

/* The state kvmrun gives the vCPU in a mode, before entry/stack/tables. */
struct mode_state {
	const char *name;
	const char *about; /* what the mode is and why it needs its bits */
	uint64_t cr0, cr4, efer;
	struct kvm_segment code, data;
	bool gdt;          /* kvmrun writes a GDT matching code and data */
	int paging;        /* 0, or the paging levels: 2 (32-bit) or 4 */
	int elf_class;     /* ELFCLASS32 or ELFCLASS64 */
	int elf_machine;   /* EM_386 or EM_X86_64 */
	uint64_t addr_limit; /* first address the entry can not reach */
};

const struct mode_state *cpu_mode_state(enum cpu_mode mode);

/* General registers in the order of struct kvm_regs. */
enum reg {
	GPR_RAX, GPR_RBX, GPR_RCX, GPR_RDX, GPR_RSI, GPR_RDI, GPR_RSP, GPR_RBP,
	GPR_R8, GPR_R9, GPR_R10, GPR_R11, GPR_R12, GPR_R13, GPR_R14, GPR_R15,
	GPR_RIP, GPR_RFLAGS, GPR_COUNT
};

struct reg_name {
	const char *name;
	enum reg reg;
	unsigned width; /* bytes: 2, 4 or 8 */
};

/* The register called (name) ("rax", "eax", "ax", "r8d"...), or NULL. */
const struct reg_name *cpu_reg_lookup(const char *name);

/* A NULL-terminated list of every register name, for suggestions. */
const char *const *cpu_reg_names(void);

/* The 64-bit name of (reg). */
const char *cpu_reg_name(enum reg reg);

uint64_t cpu_reg_get(const struct kvm_regs *regs, enum reg reg);
void cpu_reg_set(struct kvm_regs *regs, enum reg reg, uint64_t value);

struct bit_name {
	unsigned bit;
	const char *name;
	const char *what; /* one line on what the bit does */
};

extern const struct bit_name cpu_cr0_bits[], cpu_cr4_bits[], cpu_efer_bits[],
	cpu_rflags_bits[];

/* Write the names of the set bits of (value) to (buf), like "PE|PG". */
const char *cpu_bits_str(const struct bit_name *table, uint64_t value,
			 char *buf, size_t size);

/* The name of (bit) in (table), or NULL. */
const char *cpu_bit_name(const struct bit_name *table, unsigned bit);

#endif
