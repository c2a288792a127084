/* The instructions at RIP for failure reports (Capstone or Zydis). */
#ifndef KVMRUN_DISASM_H
#define KVMRUN_DISASM_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* The disassembler kvmrun was built with ("capstone", "zydis"), or NULL. */
extern const char *const disasm_name;

/*
 * Decode up to (max) instructions of (code), (len) bytes at (addr), as
 * (bits)-bit code (16, 32 or 64). Calls (emit) with each one's address,
 * length and text ("ud2", "mov eax, 0x2a"); returns how many. 0 when
 * nothing decodes or there is no disassembler.
 */
size_t disasm(const uint8_t *code, size_t len, uint64_t addr, int bits,
	      size_t max, void (*emit)(void *ctx, uint64_t addr, size_t len,
				       const char *text),
	      void *ctx);

#endif
