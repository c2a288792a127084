/* x86 state as data: per-mode initial registers, register and bit names. */
#ifndef KVMRUN_CPU_H
#define KVMRUN_CPU_H

#include <linux/kvm.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "x86.h"

enum cpu_mode { MODE_REAL, MODE_PROTECTED, MODE_PAGED32, MODE_LONG };

extern const char *const cpu_mode_names[]; /* NULL-terminated */

/* The state kvmrun gives the vCPU in a mode, before entry/stack/tables. */
struct mode_state {
	const char *name;
	const char *about; /* what the mode is and why it needs its bits */
	uint64_t cr0, cr4, efer;
	struct kvm_segment code, data;
	bool gdt;          /* kvmrun writes a GDT matching code and data */
	enum pt_kind paging; /* PT_NONE, or the tables the mode needs */
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

#endif
