/* The instructions at RIP for failure reports: Capstone (the default) or
 * Zydis, whichever kvmrun was built with. */
#include "kvmrun-config.h"

#include <stdbool.h>
#include <stdio.h>

#include "disasm.h"

#if defined(HAVE_CAPSTONE)
#include <capstone/capstone.h>

const char *const disasm_name = "capstone";

size_t disasm(const uint8_t *code, size_t len, uint64_t addr, int bits,
	      size_t max, void (*emit)(void *ctx, uint64_t addr, size_t len,
				       const char *text),
	      void *ctx)
{
	cs_mode mode = bits == 64 ? CS_MODE_64 : bits == 32 ? CS_MODE_32
							     : CS_MODE_16;
	char text[192];
	cs_insn *insn;
	csh h;

	if (cs_open(CS_ARCH_X86, mode, &h) != CS_ERR_OK)
		return 0;
	size_t n = cs_disasm(h, code, len, addr, max, &insn);
	for (size_t i = 0; i < n; i++) {
		snprintf(text, sizeof text, "%s%s%s", insn[i].mnemonic,
			 insn[i].op_str[0] ? " " : "", insn[i].op_str);
		emit(ctx, insn[i].address, insn[i].size, text);
	}
	if (n)
		cs_free(insn, n);
	cs_close(&h);
	return n;
}
#elif defined(HAVE_ZYDIS)
#include <Zydis/Zydis.h>

const char *const disasm_name = "zydis";

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
const char *const disasm_name = NULL;

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
