/* The diagnostic IDT page: gates, stubs and (long mode) the IST stack. */
#include "kvmrun-config.h"

#include "idt.h"

#include <string.h>

#include "x86.h"

/* The opcodes of a stub: push imm8, out imm8, al, hlt. The same bytes
 * in 32- and 64-bit code: push pushes the operand size of the mode. */
enum { OP_PUSH_IMM8 = 0x6a, OP_OUT_IMM8 = 0xe6, OP_HLT = 0xf4, OP_NOP = 0x90 };

static void put16(uint8_t *p, uint16_t v)
{
	p[0] = (uint8_t)v;
	p[1] = (uint8_t)(v >> 8);
}

static void put32(uint8_t *p, uint32_t v)
{
	put16(p, (uint16_t)v);
	put16(p + 2, (uint16_t)(v >> 16));
}

static void put64(uint8_t *p, uint64_t v)
{
	put32(p, (uint32_t)v);
	put32(p + 4, (uint32_t)(v >> 32));
}

/* An interrupt gate to (target): 8 bytes, or 16 in long mode with IST1. */
static void gate(uint8_t *g, uint64_t target, bool long_mode, uint16_t cs)
{
	put16(g, (uint16_t)target);
	put16(g + 2, cs);
	g[4] = long_mode ? 1 : 0; /* IST1 */
	g[5] = 0x80 | X86_GATE_INT; /* present, DPL 0 */
	put16(g + 6, (uint16_t)(target >> 16));
	if (long_mode)
		put32(g + 8, (uint32_t)(target >> 32));
}

/* Vector (v)'s stub: the frame it leaves is, from the stack pointer up,
 * the vector, the error code (0 if the CPU pushes none), then the CPU's
 * own frame. Padded with hlt. */
static void stub(uint8_t *s, unsigned v, uint8_t port)
{
	const struct x86_exception *e = x86_exception(v);
	size_t n = 0;

	if (e && e->has_error_code) {
		s[n++] = OP_NOP;
		s[n++] = OP_NOP;
	} else {
		s[n++] = OP_PUSH_IMM8;
		s[n++] = 0;
	}
	s[n++] = OP_PUSH_IMM8;
	s[n++] = (uint8_t)v;
	s[n++] = OP_OUT_IMM8;
	s[n++] = port;
	while (n < IDT_STUB_SIZE)
		s[n++] = OP_HLT;
}

uint16_t idt_limit(bool long_mode)
{
	return (uint16_t)(IDT_VECTORS * (long_mode ? 16 : 8) - 1);
}

void idt_build(uint8_t page[IDT_PAGE], uint64_t base, bool long_mode,
	       uint16_t cs, uint8_t port)
{
	size_t size = long_mode ? 16 : 8;

	memset(page, 0, IDT_PAGE);
	for (unsigned v = 0; v < IDT_VECTORS; v++) {
		uint64_t at = IDT_STUBS + (uint64_t)v * IDT_STUB_SIZE;
		gate(page + v * size, base + at, long_mode, cs);
		stub(page + at, v, port);
	}
	if (long_mode) {
		put64(page + IDT_TSS + 0x24, base + IDT_PAGE); /* IST1: the top */
		put16(page + IDT_TSS + 0x66, IDT_TSS_LIMIT + 1); /* no I/O map */
	}
}

int idt_stub_vector(uint64_t base, uint64_t addr)
{
	uint64_t first = base + IDT_STUBS;

	if (addr < first || addr >= first + IDT_VECTORS * IDT_STUB_SIZE)
		return -1;
	return (int)((addr - first) / IDT_STUB_SIZE);
}
