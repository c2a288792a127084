/*
 * The IVT of a boot sector (boot: sector): a PC's BIOS would answer its
 * int 0x10, 0x13 and 0x16; kvmrun has none, so every vector of the real
 * mode interrupt table at address 0 leads to a stub that says so. The
 * stub takes the caller's return address into BX (IP) and CX (CS) and
 * writes 0x100 + the vector to the config's exit port: the run ends
 * there, and the failure report's hint names the call (check/hints.c).
 */
#ifndef KVMRUN_IVT_H
#define KVMRUN_IVT_H

#include <stdint.h>

#define IVT_STUBS 0x500     /* after the BIOS data area, as free RAM is */
#define IVT_STUB_SIZE 16
#define IVT_VECTORS 256
#define IVT_BYTES (IVT_STUBS + IVT_VECTORS * IVT_STUB_SIZE)
#define IVT_STATUS 0x100    /* the status is this plus the vector */

/* The bytes of [0, IVT_BYTES): the table and its stubs writing to (port). */
void ivt_build(uint8_t out[IVT_BYTES], uint16_t port);

/* The vector whose stub holds linear address (addr), or -1. */
int ivt_stub_vector(uint64_t addr);

#endif
