/* Freestanding helpers for the test guests (32- and 64-bit). */
#ifndef GUEST_H
#define GUEST_H

#include <stdint.h>

#define CONSOLE_PORT 0xe9
#define EXIT_PORT 0xf4

static inline void outb(uint16_t port, uint8_t v)
{
	__asm__ volatile("outb %0, %1" : : "a"(v), "Nd"(port));
}

static inline void outl(uint16_t port, uint32_t v)
{
	__asm__ volatile("outl %0, %1" : : "a"(v), "Nd"(port));
}

static inline uint8_t inb(uint16_t port)
{
	uint8_t v;
	__asm__ volatile("inb %1, %0" : "=a"(v) : "Nd"(port));
	return v;
}

/* Stores to fixed addresses, out of the compiler's sight (GCC 12 treats
 * a constant pointer below 4 KiB as out of bounds). */
static inline void poke32(uintptr_t addr, uint32_t v)
{
	__asm__ volatile("movl %1, (%0)" : : "r"(addr), "r"(v) : "memory");
}

#ifdef __x86_64__
static inline void poke64(uintptr_t addr, uint64_t v)
{
	__asm__ volatile("movq %1, (%0)" : : "r"(addr), "r"(v) : "memory");
}
#endif

static inline void puts_port(const char *s)
{
	while (*s)
		outb(CONSOLE_PORT, (uint8_t)*s++);
}

/* Stop with (value) in rax/eax, as the classic hello world does. */
static inline __attribute__((noreturn)) void halt(unsigned long value)
{
	for (;;)
		__asm__ volatile("hlt" : : "a"(value) : "memory");
}

#endif
