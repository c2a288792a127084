/*
 * The diagnostic IDT: one page kvmrun plants for a guest in protected,
 * paged32 or long mode, so that an exception the guest has no handler
 * for is named instead of ending as a bare triple fault. Each vector's
 * stub pushes the vector (and a 0 where the CPU pushes no error code)
 * and writes one byte to a port of kvmrun's: the run stops there with
 * every register as the exception left it, and the frame on the stack.
 * In long mode every gate switches to a stack of the page's own (IST1),
 * so that even a fault of the guest's stack is delivered.
 */
#ifndef KVMRUN_IDT_H
#define KVMRUN_IDT_H

#include <stdbool.h>
#include <stdint.h>

#define IDT_PAGE 4096
#define IDT_STUBS 0x200   /* offset of the stubs: 8 bytes per vector */
#define IDT_STUB_SIZE 8
#define IDT_TSS 0x300     /* long mode: the TSS that holds IST1 */
#define IDT_TSS_LIMIT 0x67
#define IDT_VECTORS 32    /* the exceptions; interrupts are not caught */

/* The page for an IDT at (base) in (long_mode) or 32-bit protected mode,
 * whose gates use code selector (cs) and whose stubs write to (port). */
void idt_build(uint8_t page[IDT_PAGE], uint64_t base, bool long_mode,
	       uint16_t cs, uint8_t port);

/* The IDT limit of such a page. */
uint16_t idt_limit(bool long_mode);

/* The vector whose stub holds linear address (addr), or -1. */
int idt_stub_vector(uint64_t base, uint64_t addr);

#endif
