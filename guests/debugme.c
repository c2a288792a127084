/*
 * A guest to debug with gdb (built with -g): it bumps a counter three
 * times, prints its message and halts with the counter in rax. The tests
 * stop at bump and greet, watch the counter, and rewrite the message.
 * Built for long mode at -2 GiB (through page tables) and for flat
 * protected mode.
 */
#include "guest.h"

volatile unsigned long counter;
char message[] = "Hello from debugme\n";

__attribute__((noinline)) void bump(void)
{
	counter++;
}

__attribute__((noinline)) void greet(const char *s)
{
	puts_port(s);
}

__attribute__((section(".text.start"), noreturn)) void _start(void)
{
	for (int i = 0; i < 3; i++)
		bump();
	greet(message);
	halt(counter);
}
