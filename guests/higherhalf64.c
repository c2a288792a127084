/*
 * A long-mode guest that runs in the top 2 GiB (0xffffffff80000000), as
 * kernels do, mapped with 4 KiB pages. It checks that its code really runs
 * up there, says hello, stores 42 at physical 0x400 through the identity
 * map of low memory, and halts with 42 in rax.
 */
#include "guest.h"

static char greeting[] = "Hello from the higher half!\n";

__attribute__((section(".text.start"), noreturn)) void _start(void)
{
	uintptr_t rip;

	__asm__ volatile("lea 0(%%rip), %0" : "=r"(rip));
	if (rip < 0xffffffff80000000UL)
		halt(1);
	puts_port(greeting);
	poke64(0x400, 42);
	halt(42);
}
