/*
 * The exceptions kvmrun delivers where a KVM gave up emulating the
 * instruction (KVM_EXIT_INTERNAL_ERROR, emulation): decided on exits as
 * kvm-pvm recorded them (../shared/hosts: int3 at 0x10006f, ud0 at
 * 0x1001d7 in long mode) and on the other modes' encodings.
 */
#include "kvmrun-config.h"

#include "unit.h"
#include "x86.h"
#include "x86_trap.h"

/* Guest memory of the test: (bytes) at linear (at). */
struct code {
	uint64_t at;
	const uint8_t *bytes;
	size_t len;
};

static size_t fetch(void *ctx, uint64_t lin, uint8_t *buf, size_t len)
{
	const struct code *c = ctx;
	size_t n = 0;

	for (; n < len && lin + n >= c->at && lin + n < c->at + c->len; n++)
		buf[n] = c->bytes[lin + n - c->at];
	return n;
}

static struct kvm_run emulation_failure(void)
{
	struct kvm_run run = { .exit_reason = KVM_EXIT_INTERNAL_ERROR };
	run.internal.suberror = KVM_INTERNAL_ERROR_EMULATION;
	return run;
}

enum mode { REAL, PROT32, LONG64 };

static struct kvm_sregs sregs_of(enum mode m)
{
	struct kvm_sregs s = { .cr0 = 0 };

	if (m == REAL) {
		s.cs.base = 0xf0000;
		s.cs.selector = 0xf000;
	} else if (m == PROT32) {
		s.cr0 = X86_CR0(PE);
		s.cs.db = 1;
	} else {
		s.cr0 = X86_CR0(PE) | X86_CR0(PG);
		s.cr4 = X86_CR4(PAE);
		s.efer = X86_EFER(LME) | X86_EFER(LMA);
		s.cs.l = 1;
	}
	return s;
}

/* Decide at (rip) in mode (m) with (rflags) over (bytes) placed at the
 * instruction's linear address. */
static bool decide(enum mode m, uint64_t rip, uint64_t rflags,
		   const uint8_t *bytes, size_t len, struct x86_trap *t,
		   uint64_t *next)
{
	struct kvm_run run = emulation_failure();
	struct kvm_regs regs = { .rip = rip, .rflags = rflags | 2 };
	struct kvm_sregs s = sregs_of(m);
	struct code c = { (m == LONG64 ? 0 : s.cs.base) + rip, bytes, len };

	*next = ~0ULL;
	return x86_trap_at_exit(&run, &regs, &s, fetch, &c, t, next);
}

#define BYTES(...) (const uint8_t[]){ __VA_ARGS__ }, sizeof((const uint8_t[]){ __VA_ARGS__ })

/* Delivered: (kind, vector) and RIP after it. */
static void delivers(enum mode m, uint64_t rip, uint64_t rflags,
		     const uint8_t *bytes, size_t len, enum x86_trap_kind kind,
		     unsigned vector, uint64_t want_rip, const char *insn)
{
	struct x86_trap t;
	uint64_t next;

	CHECK(decide(m, rip, rflags, bytes, len, &t, &next));
	CHECK_U64(t.kind, kind);
	if (kind != X86_TRAP_NOTHING)
		CHECK_U64(t.vector, vector);
	CHECK_U64(next, want_rip);
	CHECK(strcmp(t.insn, insn) == 0);
}

static void declines(enum mode m, uint64_t rip, const uint8_t *bytes,
		     size_t len)
{
	struct x86_trap t;
	uint64_t next;

	CHECK(!decide(m, rip, 0, bytes, len, &t, &next));
	CHECK_U64(t.kind, X86_TRAP_NONE);
}

int main(void)
{
	enum { BP = 3, OF = 4, UD = 6 };
	const uint64_t of = 1 << 11;

	/* As kvm-pvm stopped tests/exceptions/breakpoint.yaml and
	 * ud-expected.yaml: #BP is a trap, #UD a fault. */
	delivers(LONG64, 0x10006f, 0, BYTES(0xcc, 0x90), X86_TRAP_EXCEPTION, BP,
		 0x100070, "int3");
	delivers(LONG64, 0x1001d7, 0, BYTES(0x0f, 0xff, 0xc0), X86_TRAP_EXCEPTION,
		 UD, 0x1001d7, "ud0");
	delivers(LONG64, 0x1000, 0, BYTES(0x0f, 0xb9, 0x00), X86_TRAP_EXCEPTION,
		 UD, 0x1000, "ud1");
	delivers(LONG64, 0x1000, 0, BYTES(0x48, 0x0f, 0x0b), X86_TRAP_EXCEPTION,
		 UD, 0x1000, "ud2");
	/* int n: a software interrupt, RIP past its two bytes. */
	delivers(LONG64, 0x2000, 0, BYTES(0xcd, 0x80), X86_TRAP_SOFT_INT, 0x80,
		 0x2002, "int");
	delivers(PROT32, 0x2000, 0, BYTES(0xcd, 0x21), X86_TRAP_SOFT_INT, 0x21,
		 0x2002, "int");
	/* into: #OF only with OF set; no instruction in 64-bit code. */
	delivers(PROT32, 0x3000, of, BYTES(0xce), X86_TRAP_EXCEPTION, OF, 0x3001,
		 "into");
	delivers(PROT32, 0x3000, 0, BYTES(0xce), X86_TRAP_NOTHING, 0, 0x3001,
		 "into");
	delivers(LONG64, 0x3000, of, BYTES(0xce), X86_TRAP_EXCEPTION, UD, 0x3000,
		 "into");
	/* Prefixes count in the length. */
	delivers(PROT32, 0x4000, 0, BYTES(0x2e, 0x66, 0xcc), X86_TRAP_EXCEPTION,
		 BP, 0x4003, "int3");
	/* Real mode: linear is CS.base + IP, and IP wraps at 64 KiB. */
	delivers(REAL, 0xffff, 0, BYTES(0xcc), X86_TRAP_EXCEPTION, BP, 0, "int3");
	delivers(REAL, 0x7c00, 0, BYTES(0xcd, 0x10), X86_TRAP_SOFT_INT, 0x10,
		 0x7c02, "int");

	/* Anything else stays KVM's internal error. */
	declines(LONG64, 0x5000, BYTES(0x0f, 0x01, 0xca)); /* clac */
	declines(PROT32, 0x5000, BYTES(0x40, 0xcc)); /* inc eax: no REX here */
	declines(LONG64, 0x5000, BYTES(0xcd));       /* cut short */
	declines(LONG64, 0x5000, BYTES(0x0f));
	declines(LONG64, 0x5000, BYTES(0x66, 0x66, 0x66, 0x66, 0x66, 0x66,
				       0x66, 0x66, 0x66, 0x66, 0x66, 0x66,
				       0x66, 0x66, 0x66, 0xcc)); /* past 15 */
	{
		struct x86_trap t;
		uint64_t next;
		/* RIP outside guest memory: nothing to read. */
		struct kvm_run run = emulation_failure();
		struct kvm_regs regs = { .rip = 0x6000 };
		struct kvm_sregs s = sregs_of(LONG64);
		struct code none = { 0x9000, BYTES(0xcc) };
		CHECK(!x86_trap_at_exit(&run, &regs, &s, fetch, &none, &t, &next));
		/* Not an emulation failure, or not an internal error. */
		struct code here = { 0x6000, BYTES(0xcc) };
		run.internal.suberror = KVM_INTERNAL_ERROR_DELIVERY_EV;
		CHECK(!x86_trap_at_exit(&run, &regs, &s, fetch, &here, &t, &next));
		run.exit_reason = KVM_EXIT_HLT;
		run.internal.suberror = KVM_INTERNAL_ERROR_EMULATION;
		CHECK(!x86_trap_at_exit(&run, &regs, &s, fetch, &here, &t, &next));
	}
	UNIT_DONE();
}
