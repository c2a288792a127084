/* Long-mode hello world: prints on port 0xE9, stores 42 at 0x400 and
 * halts with 42 in rax. */
#include "guest.h"

__attribute__((section(".text.start"), noreturn)) void _start(void)
{
	puts_port("Hello, world!\n");
	poke64(0x400, 42);
	halt(42);
}
