/*
 * The registers gdb sees: one table per CPU mode, from which both the
 * target description (XML) and the g/G/p/P packets are made, so that the
 * two cannot disagree. Pure: no KVM calls here.
 */
#ifndef KVMRUN_GDB_REGS_H
#define KVMRUN_GDB_REGS_H

#include <linux/kvm.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* What gdb is told the target is. */
enum gdb_arch { GDB_I8086, GDB_I386, GDB_AMD64 };

/* The vCPU state the registers come from and go to. */
struct gdb_cpu {
	struct kvm_regs regs;
	struct kvm_sregs sregs;
	struct kvm_fpu fpu;
};

/* The architecture of a vCPU in the state (s): long mode, protected or
 * real. */
enum gdb_arch gdb_arch_of(const struct kvm_sregs *s);

/* The target description for (arch), NUL-terminated, static. */
const char *gdb_target_xml(enum gdb_arch arch);

/* Number of registers of (arch), and the bytes of all of them. */
size_t gdb_reg_count(enum gdb_arch arch);

/* Register (n) of (cpu) as hex into (out) (room for 33 bytes); false if
 * there is no such register. */
bool gdb_reg_get(enum gdb_arch arch, const struct gdb_cpu *cpu, size_t n,
		 char *out);

/* All registers as hex (the g packet), NUL-terminated; (out) has room
 * for gdb_regs_hex_size(arch). */
size_t gdb_regs_hex_size(enum gdb_arch arch);
void gdb_regs_get(enum gdb_arch arch, const struct gdb_cpu *cpu, char *out);

/* Set register (n) from hex; only general registers, the instruction
 * pointer and flags can be written. False if (n) cannot be or the hex is
 * bad. */
bool gdb_reg_set(enum gdb_arch arch, struct gdb_cpu *cpu, size_t n,
		 const char *hex);

/* The G packet: set what can be written from (hex), which holds every
 * register in order; false if it is short or bad. */
bool gdb_regs_set(enum gdb_arch arch, struct gdb_cpu *cpu, const char *hex);

#endif
