/* Which exception an instruction raises, when that is all it does. */
#include "kvmrun-config.h"

#include "x86_trap.h"


#include "x86.h"

#define RFLAGS_OF (1ULL << 11)

/* Legacy prefixes: lock, rep, the segment overrides, operand and
 * address size. */
static bool is_prefix(uint8_t b)
{
	switch (b) {
	case 0xf0: case 0xf2: case 0xf3: case 0x2e: case 0x36: case 0x3e:
	case 0x26: case 0x64: case 0x65: case 0x66: case 0x67:
		return true;
	default:
		return false;
	}
}

/* Two-byte opcodes 0f xx that only raise #UD. */
static const struct { uint8_t op; const char *insn; } undefined[] = {
	{ 0x0b, "ud2" }, { 0xb9, "ud1" }, { 0xff, "ud0" },
};

enum { VECTOR_BP = 3, VECTOR_OF = 4, VECTOR_UD = 6 };

static bool set(struct x86_trap *t, enum x86_trap_kind kind, unsigned vector,
		size_t length, bool advance, const char *insn)
{
	*t = (struct x86_trap){ kind, (uint8_t)vector, (uint8_t)length,
				advance, insn };
	return true;
}

bool x86_trap_decode(const uint8_t *code, size_t len, bool long64,
		     uint64_t rflags, struct x86_trap *t)
{
	size_t i = 0;

	*t = (struct x86_trap){ .kind = X86_TRAP_NONE };
	if (len > X86_MAX_INSN)
		len = X86_MAX_INSN;
	while (i < len && is_prefix(code[i]))
		i++;
	if (long64 && i < len && (code[i] & 0xf0) == 0x40)
		i++; /* REX */
	if (i >= len)
		return false;
	switch (code[i]) {
	case 0xcc:
		return set(t, X86_TRAP_EXCEPTION, VECTOR_BP, i + 1, true, "int3");
	case 0xcd:
		if (i + 1 >= len)
			return false;
		return set(t, X86_TRAP_SOFT_INT, code[i + 1], i + 2, true, "int");
	case 0xce:
		if (long64) /* not an instruction in 64-bit mode */
			return set(t, X86_TRAP_EXCEPTION, VECTOR_UD, i + 1,
				   false, "into");
		if (rflags & RFLAGS_OF)
			return set(t, X86_TRAP_EXCEPTION, VECTOR_OF, i + 1,
				   true, "into");
		return set(t, X86_TRAP_NOTHING, 0, i + 1, true, "into");
	case 0x0f:
		if (i + 1 >= len)
			return false;
		for (size_t k = 0; k < sizeof undefined / sizeof *undefined; k++)
			if (code[i + 1] == undefined[k].op)
				return set(t, X86_TRAP_EXCEPTION, VECTOR_UD,
					   i + 2, false, undefined[k].insn);
		return false;
	default:
		return false;
	}
}

bool x86_trap_at_exit(const struct kvm_run *run, const struct kvm_regs *regs,
		      const struct kvm_sregs *sregs, x86_fetch_fn fetch,
		      void *ctx, struct x86_trap *t, uint64_t *next_rip)
{
	uint8_t code[X86_MAX_INSN];
	bool long64 = (sregs->efer & X86_EFER(LMA)) && sregs->cs.l;
	/* IP wraps at the code segment's size outside 64-bit code. */
	uint64_t mask = long64 ? ~0ULL : sregs->cs.db ? 0xffffffffULL : 0xffffULL;

	*t = (struct x86_trap){ .kind = X86_TRAP_NONE };
	if (run->exit_reason != KVM_EXIT_INTERNAL_ERROR ||
	    run->internal.suberror != KVM_INTERNAL_ERROR_EMULATION)
		return false;
	uint64_t lin = long64 ? regs->rip : sregs->cs.base + (regs->rip & mask);
	size_t got = fetch(ctx, lin, code, sizeof code);
	if (!x86_trap_decode(code, got, long64, regs->rflags, t))
		return false;
	*next_rip = t->advance ? (regs->rip + t->length) & mask : regs->rip;
	return true;
}
