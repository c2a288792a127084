/* The IVT of a boot sector: every vector reports that no BIOS is here. */
#include "kvmrun-config.h"

#include "ivt.h"

#include <string.h>

/* pop bx; pop cx; mov ax, imm16; mov dx, imm16; out dx, ax; then hlt. */
enum { OP_POP_BX = 0x5b, OP_POP_CX = 0x59, OP_MOV_AX = 0xb8,
       OP_MOV_DX = 0xba, OP_OUT_DX_AX = 0xef, OP_HLT = 0xf4 };

static void put16(uint8_t *p, uint16_t v)
{
	p[0] = (uint8_t)v;
	p[1] = (uint8_t)(v >> 8);
}

void ivt_build(uint8_t out[IVT_BYTES], uint16_t port)
{
	memset(out, 0, IVT_BYTES);
	for (unsigned v = 0; v < IVT_VECTORS; v++) {
		uint16_t at = (uint16_t)(IVT_STUBS + v * IVT_STUB_SIZE);
		uint8_t *s = out + at;
		put16(out + 4 * v, at); /* offset, then segment 0 */
		memset(s, OP_HLT, IVT_STUB_SIZE);
		s[0] = OP_POP_BX;
		s[1] = OP_POP_CX;
		s[2] = OP_MOV_AX;
		put16(s + 3, (uint16_t)(IVT_STATUS + v));
		s[5] = OP_MOV_DX;
		put16(s + 6, port);
		s[8] = OP_OUT_DX_AX;
	}
}

int ivt_stub_vector(uint64_t addr)
{
	if (addr < IVT_STUBS || addr >= IVT_BYTES)
		return -1;
	return (int)((addr - IVT_STUBS) / IVT_STUB_SIZE);
}
