/* The instructions at RIP for failure reports (Zydis, if built in). */
#include "kvmrun-config.h"

#include <stdbool.h>
#include <stdio.h>

#include "disasm.h"

#ifdef HAVE_ZYDIS
#include <Zydis/Zydis.h>

const bool disasm_available = true;

size_t disasm(const uint8_t *code, size_t len, uint64_t addr, int bits,
	      size_t max, void (*emit)(void *ctx, uint64_t addr, size_t len,
				       const char *text),
	      void *ctx)
{
	ZydisMachineMode mode = bits == 64 ? ZYDIS_MACHINE_MODE_LONG_64
				: bits == 32 ? ZYDIS_MACHINE_MODE_LEGACY_32
					     : ZYDIS_MACHINE_MODE_REAL_16;
	ZydisDisassembledInstruction insn;
	size_t n = 0, at = 0;

	while (n < max && at < len &&
	       ZYAN_SUCCESS(ZydisDisassembleIntel(mode, addr + at, code + at,
						  len - at, &insn))) {
		emit(ctx, addr + at, insn.info.length, insn.text);
		at += insn.info.length;
		n++;
	}
	return n;
}
#else
const bool disasm_available = false;

size_t disasm(const uint8_t *code, size_t len, uint64_t addr, int bits,
	      size_t max, void (*emit)(void *ctx, uint64_t addr, size_t len,
				       const char *text),
	      void *ctx)
{
	(void)code, (void)len, (void)addr, (void)bits, (void)max, (void)emit,
		(void)ctx;
	return 0;
}
#endif
