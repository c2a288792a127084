/* The instructions at RIP for failure reports (Capstone, if built in). */
#include "kvmrun-config.h"

#include <stdbool.h>
#include <stdio.h>

#include "disasm.h"

#ifdef HAVE_CAPSTONE
#include <capstone/capstone.h>

const bool disasm_available = true;

size_t disasm(const uint8_t *code, size_t len, uint64_t addr, int bits,
	      size_t max, void (*emit)(void *ctx, uint64_t addr, size_t len,
				       const char *text),
	      void *ctx)
{
	cs_mode mode = bits == 64 ? CS_MODE_64 : bits == 32 ? CS_MODE_32 : CS_MODE_16;
	csh cs;
	cs_insn *insn;
	char text[200];

	if (cs_open(CS_ARCH_X86, mode, &cs) != CS_ERR_OK)
		return 0;
	size_t n = cs_disasm(cs, code, len, addr, max, &insn);
	for (size_t i = 0; i < n; i++) {
		snprintf(text, sizeof text, "%s%s%s", insn[i].mnemonic,
			 insn[i].op_str[0] ? " " : "", insn[i].op_str);
		emit(ctx, insn[i].address, insn[i].size, text);
	}
	if (n)
		cs_free(insn, n);
	cs_close(&cs);
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
