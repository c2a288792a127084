/*
 * Instructions whose whole architectural effect is an exception or a
 * software interrupt: int3, int n, into (traps: RIP moves past them) and
 * ud0, ud1, ud2 (faults: RIP stays). Some KVMs (kvm-pvm) give up
 * emulating them with KVM_EXIT_INTERNAL_ERROR; the run stage then
 * delivers what hardware would have, as decided here from the bytes.
 */
#ifndef KVMRUN_X86_TRAP_H
#define KVMRUN_X86_TRAP_H

#include <linux/kvm.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define X86_MAX_INSN 15 /* bytes in the longest x86 instruction */

enum x86_trap_kind {
	X86_TRAP_NONE,      /* not one of these instructions: no decision */
	X86_TRAP_EXCEPTION, /* deliver exception (vector) */
	X86_TRAP_SOFT_INT,  /* deliver software interrupt (vector), int n */
	X86_TRAP_NOTHING,   /* into with OF clear: only RIP moves */
};

struct x86_trap {
	enum x86_trap_kind kind;
	uint8_t vector;
	uint8_t length;  /* of the instruction, prefixes included */
	bool advance;    /* a trap: RIP moves past it before delivery */
	const char *insn; /* its mnemonic, for --trace and the report */
};

/*
 * Decide from the (len) bytes at RIP (code), in 64-bit code or not
 * (long64), with RFLAGS (rflags), what the instruction raises. False,
 * with t->kind X86_TRAP_NONE, when the bytes are not one of the
 * instructions above or are cut short.
 */
bool x86_trap_decode(const uint8_t *code, size_t len, bool long64,
		     uint64_t rflags, struct x86_trap *t);

/* Copy up to (len) bytes at linear address (lin) into (buf); returns
 * how many could be read (fewer where the address leaves RAM). */
typedef size_t (*x86_fetch_fn)(void *ctx, uint64_t lin, uint8_t *buf,
			       size_t len);

/*
 * For an exit (run) with the vCPU's registers (regs, sregs): whether it
 * is KVM giving up on one of these instructions, what it raises (t) and
 * where RIP goes before delivery (next_rip), with the bytes at RIP read
 * through (fetch). Pure: the unit test gives it recorded exits.
 */
bool x86_trap_at_exit(const struct kvm_run *run, const struct kvm_regs *regs,
		      const struct kvm_sregs *sregs, x86_fetch_fn fetch,
		      void *ctx, struct x86_trap *t, uint64_t *next_rip);

#endif
