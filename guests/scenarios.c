/*
 * The guest behind most test configs. Its config picks a scenario with
 * cpu.regs: rdi (edi) is the scenario number, rsi (esi) its argument.
 * Built twice: -m32 for protected/paged32 tests, -m64 for long mode.
 */
#include "guest.h"

#define CONSTANT_PORT 0x61
#define LOG_PORT 0x80
#define UNHANDLED_PORT 0x99
#define MMIO_CONSOLE ((volatile uint8_t *)0xd0000000UL)
#define ROM ((volatile uint32_t *)0xfff00000UL)
#define INS_BUFFER ((uint8_t *)0x10000UL)
#define OUTS_BUFFER ((uint8_t *)0x20000UL)
#define STRING_IO_BYTES 4096

enum scenario {
	HELLO, TRIPLE_FAULT, ENDLESS_LOOP, UNHANDLED_PORT_OUT, REP_INSB,
	REP_OUTSB, MMIO_HELLO, EXIT_STATUS, LOG_VALUES, WRITE_ROM,
	CLOBBER_PAGE_TABLES, ECHO_ARG, PRINT_ROM, TOUCH_EVERY_GIB, RUN_FAR_CODE,
	COPY_ACROSS_SLOTS, JUMP_INTO_ZEROS, PORT_STORM, READ_ADDRESS,
	PAGE_FAULT_LOOP, CLOBBER_GDT, INVALID_OPCODE, CLI_HLT, INSB_AT,
	OUTSB_MEGABYTES, EXIT_PORT_STORM, WRITE_ADDRESS, CONSOLE_STORM, COMPUTE,
	CPUID_REGS, CPUID_BIT, NUL_CONSOLE, DIVIDE_ERROR, BREAKPOINT, GP_FAULT,
	STACK_FAULT, OWN_IDT, OWN_IDT_TRAPS, READY_THEN_LOOP, UD_COMPAT,
	STUB_NONCANONICAL_RSP,
};

#define GIB (1UL << 30)
#define SLOT_CHUNK (64UL << 20) /* kvmrun's slot size: test its edges */

/* Read (count) bytes from (port) into (dst) with one rep insb. */
static void rep_insb(uint16_t port, uint8_t *dst, unsigned long count)
{
	__asm__ volatile("rep insb"
			 : "+D"(dst), "+c"(count)
			 : "d"(port)
			 : "memory");
}

static void rep_outsb(uint16_t port, const uint8_t *src, unsigned long count)
{
	__asm__ volatile("rep outsb"
			 : "+S"(src), "+c"(count)
			 : "d"(port)
			 : "memory");
}

static unsigned long sum_ins(void)
{
	unsigned long sum = 0;

	rep_insb(CONSTANT_PORT, INS_BUFFER, STRING_IO_BYTES);
	for (unsigned i = 0; i < STRING_IO_BYTES; i++)
		sum += INS_BUFFER[i];
	return sum;
}

/* 4095 letters a..z cycling, a newline, all in one rep outsb. */
static void outs_alphabet(void)
{
	for (unsigned i = 0; i < STRING_IO_BYTES - 1; i++)
		OUTS_BUFFER[i] = (uint8_t)('a' + i % 26);
	OUTS_BUFFER[STRING_IO_BYTES - 1] = '\n';
	rep_outsb(CONSOLE_PORT, OUTS_BUFFER, STRING_IO_BYTES);
}

/* Empty the top-level page table and flush the TLB: the next fetch
 * faults, and with no IDT the guest triple-faults. */
static void clobber_page_tables(void)
{
	unsigned long cr3;

	__asm__ volatile("mov %%cr3, %0" : "=r"(cr3));
	volatile unsigned long *root = (unsigned long *)(cr3 & ~0xfffUL);
	for (unsigned i = 0; i < 4096 / sizeof(unsigned long); i++)
		root[i] = 0;
	__asm__ volatile("mov %0, %%cr3" : : "r"(cr3) : "memory");
}

/* Write i at 0x1000 past each GiB i below (top), then read all back:
 * each first touch gives KVM a new memory slot. */
static unsigned long touch_every_gib(unsigned long top)
{
	unsigned long sum = 0;

	for (unsigned long a = GIB; a < top; a += GIB)
		*(volatile unsigned long *)(a + 0x1000) = a / GIB;
	for (unsigned long a = GIB; a < top; a += GIB)
		sum += *(volatile unsigned long *)(a + 0x1000);
	return sum;
}

/* Copy "mov eax, 42; hlt" to (where), memory never touched, and run it. */
static __attribute__((noreturn)) void run_far_code(unsigned long where)
{
	static const uint8_t code[] = { 0xb8, 42, 0, 0, 0, 0xf4, 0xeb, 0xfd };
	volatile uint8_t *dst = (uint8_t *)where;

	for (unsigned i = 0; i < sizeof code; i++)
		dst[i] = code[i];
	((void (*)(void))where)();
	halt(0xbad);
}

/* One rep movsb of 8 KiB that straddles a slot boundary above (base). */
static unsigned long copy_across_slots(unsigned long base)
{
	uint8_t *src = OUTS_BUFFER, *dst = (uint8_t *)(base + SLOT_CHUNK - 4096);
	unsigned long n = 8192;

	for (unsigned i = 0; i < n; i++)
		src[i] = (uint8_t)i;
	__asm__ volatile("rep movsb" : "+D"(dst), "+S"(src), "+c"(n) : : "memory");
	return *(volatile uint8_t *)(base + SLOT_CHUNK + 4095);
}

#ifdef __x86_64__
struct idt_gate {
	uint16_t offset_lo, selector;
	uint8_t ist, type;
	uint16_t offset_mid;
	uint32_t offset_hi, zero;
} __attribute__((packed));

static struct idt_gate idt[32];
static struct idt_gate own_idt[0x81];

/* A #PF handler that fixes nothing: the access faults again, forever. */
void pf_return(void);
__asm__(".text\npf_return: add $8, %rsp\n\tiretq\n");

/* The guest's own handlers for #BP, #UD and int 0x80: each halts with
 * its vector when the return address on its stack is the one hardware
 * pushes (past int3 and int 0x80, on ud0), with 0xbad when not. */
void trap_bp(void), trap_ud(void), trap_int80(void);
__asm__(".pushsection .text\n"
	"trap_bp: mov $3, %edi\n\tjmp 1f\n"
	"trap_ud: mov $6, %edi\n\tjmp 1f\n"
	"trap_int80: mov $0x80, %edi\n"
	"1: mov (%rsp), %rsi\n\tsub $8, %rsp\n\tcall trapped\n"
	".popsection\n");
extern const char after_int3[], at_ud0[], after_int80[];

__attribute__((noreturn, used)) void trapped(unsigned long vector,
					     unsigned long rip)
{
	const char *want = vector == 3 ? after_int3 : vector == 6 ? at_ud0
								 : after_int80;
	puts_port(vector == 3 ? "#BP" : vector == 6 ? "#UD" : "int 0x80");
	puts_port((uintptr_t)want == rip ? " reached the guest's handler\n"
					: " came back to the wrong place\n");
	halt((uintptr_t)want == rip ? vector : 0xbad);
}

static void set_gate(unsigned vector, void (*handler)(void))
{
	uintptr_t h = (uintptr_t)handler;

	own_idt[vector] = (struct idt_gate){ h & 0xffff, 0x08, 0, 0x8e,
					     (h >> 16) & 0xffff,
					     (uint32_t)(h >> 32), 0 };
}

/* (arg) 0: int3, 1: ud0, 2: int 0x80, each under the guest's own IDT. */
static __attribute__((noreturn, noinline)) void own_idt_traps(unsigned long arg)
{
	struct { uint16_t limit; uint64_t base; } __attribute__((packed)) d = {
		sizeof own_idt - 1, (uintptr_t)own_idt };

	set_gate(3, trap_bp);
	set_gate(6, trap_ud);
	set_gate(0x80, trap_int80);
	__asm__ volatile("lidt %0" : : "m"(d));
	if (arg == 0)
		__asm__ volatile("int3\n.globl after_int3\nafter_int3:");
	else if (arg == 1)
		__asm__ volatile(".globl at_ud0\nat_ud0: .byte 0x0f, 0xff, 0xc0");
	else
		__asm__ volatile("int $0x80\n.globl after_int80\nafter_int80:");
	halt(0xbad);
}

static __attribute__((noreturn)) void page_fault_loop(unsigned long addr)
{
	uintptr_t h = (uintptr_t)pf_return;
	struct { uint16_t limit; uint64_t base; } __attribute__((packed)) d = {
		sizeof idt - 1, (uintptr_t)idt };

	idt[14] = (struct idt_gate){ h & 0xffff, 0x08, 0, 0x8e, (h >> 16) & 0xffff,
				     (uint32_t)(h >> 32), 0 };
	__asm__ volatile("lidt %0" : : "m"(d));
	(void)*(volatile unsigned long *)addr;
	halt(0xbad);
}
#endif

/* Zero the GDT kvmrun wrote, then reload DS from it: a fault with no IDT. */
static void clobber_gdt(void)
{
	struct { uint16_t limit; unsigned long base; } __attribute__((packed)) g;

	__asm__ volatile("sgdt %0" : "=m"(g));
	for (unsigned i = 0; i <= g.limit; i++)
		((volatile uint8_t *)g.base)[i] = 0;
	__asm__ volatile("mov %0, %%ds" : : "r"(0x10) : "memory");
}

/* (rounds) steps of xorshift with no exit at all: a guest that keeps
 * its CPU busy, for suites that should use every core. */
static unsigned long compute(unsigned long rounds)
{
	uint32_t x = 2463534242u;

	for (unsigned long i = 0; i < rounds; i++) {
		x ^= x << 13;
		x ^= x >> 17;
		x ^= x << 5;
		__asm__ volatile("" : "+r"(x));
	}
	return x;
}

__attribute__((noreturn, used)) void scenario(unsigned long which,
					       unsigned long arg)
{
	const char *s;

	switch (which) {
	case HELLO:
		puts_port("Hello, world!\n");
		poke32(0x400, 42);
		halt(42);
	case TRIPLE_FAULT:
		__asm__ volatile("ud2");
		break;
	case ENDLESS_LOOP:
		for (;;)
			__asm__ volatile("" ::: "memory");
	case UNHANDLED_PORT_OUT:
		outb(UNHANDLED_PORT, 0x12);
		break;
	case REP_INSB:
		halt(sum_ins());
	case REP_OUTSB:
		outs_alphabet();
		halt(0);
	case MMIO_HELLO:
		for (s = "Hello, MMIO!\n"; *s; s++)
			*MMIO_CONSOLE = (uint8_t)*s;
		halt(0);
	case EXIT_STATUS:
		outl(EXIT_PORT, (uint32_t)arg);
		break;
	case LOG_VALUES:
		for (uint8_t v = 1; v <= 3; v++)
			outb(LOG_PORT, v);
		outl(EXIT_PORT, 0);
		break;
	case WRITE_ROM:
		*ROM = 0xdeadbeef;
		break;
	case CLOBBER_PAGE_TABLES:
		clobber_page_tables();
		break;
	case ECHO_ARG:
		halt(arg);
	case PRINT_ROM:
		puts_port((const char *)ROM);
		halt(0);
	case TOUCH_EVERY_GIB:
		halt(touch_every_gib(arg));
	case RUN_FAR_CODE:
		run_far_code(arg);
	case COPY_ACROSS_SLOTS:
		halt(copy_across_slots(arg));
	case PORT_STORM:
		/* (arg) writes to the log port: one VM exit each. */
		for (unsigned long i = 0; i < arg; i++)
			outb(LOG_PORT, (uint8_t)i);
		halt(arg);
	case READ_ADDRESS:
		halt(*(volatile unsigned long *)arg);
#ifdef __x86_64__
	case PAGE_FAULT_LOOP:
		page_fault_loop(arg);
#endif
	case CLOBBER_GDT:
		clobber_gdt();
		break;
	case INVALID_OPCODE:
		__asm__ volatile(".byte 0x0f, 0xff"); /* no such instruction */
		break;
	case CLI_HLT:
		__asm__ volatile("cli; hlt" : : "a"(7UL));
		break;
	case INSB_AT:
		rep_insb(CONSTANT_PORT, (uint8_t *)arg, STRING_IO_BYTES);
		halt(0);
	case OUTSB_MEGABYTES:
		rep_outsb(CONSOLE_PORT, (const uint8_t *)0x100000, arg);
		halt(0);
	case EXIT_PORT_STORM:
		for (unsigned i = 0; i < STRING_IO_BYTES; i++)
			OUTS_BUFFER[i] = (uint8_t)i;
		rep_outsb(EXIT_PORT, OUTS_BUFFER, STRING_IO_BYTES);
		halt(0xbad);
	case WRITE_ADDRESS:
		*(volatile uint32_t *)arg = 0x12345678;
		halt(0);
	case CONSOLE_STORM:
		/* (arg) single-byte OUTs to the console: one exit each. */
		for (unsigned long i = 0; i < arg; i++)
			outb(CONSOLE_PORT, (uint8_t)('a' + i % 26));
		halt(arg);
	case COMPUTE:
		halt(compute(arg));
	case CPUID_REGS: /* leaf (arg): stop with what CPUID left */
		__asm__ volatile("cpuid; 1: hlt; jmp 1b" : : "a"(arg), "c"(0));
		break;
	case CPUID_BIT: { /* (arg): leaf << 16 | register << 8 | bit */
		uint32_t r[4];
		__asm__ volatile("cpuid" : "=a"(r[0]), "=b"(r[1]), "=c"(r[2]), "=d"(r[3])
				 : "a"((uint32_t)(arg >> 16)), "c"(0));
		halt((r[(arg >> 8) & 3] >> (arg & 31)) & 1);
	}
	case NUL_CONSOLE: /* a NUL byte must not hide what follows it */
		puts_port("PASS\n");
		outb(CONSOLE_PORT, 0);
		puts_port("FAIL\n");
		halt(0);
	case DIVIDE_ERROR:
		__asm__ volatile("xor %%ecx, %%ecx; div %%ecx" : : "a"(1), "d"(0) : "ecx");
		break;
	case BREAKPOINT:
		__asm__ volatile("int3");
		break;
	case GP_FAULT:
#ifdef __x86_64__
		/* A non-canonical address: #GP(0). */
		__asm__ volatile("mov (%0), %%al" : : "r"(0x8000000000000000UL) : "al");
#else
		/* A selector past the GDT's limit: #GP(0x30). */
		__asm__ volatile("mov %0, %%ds" : : "r"(0x33) );
#endif
		break;
#ifdef __x86_64__
	case STACK_FAULT: /* the stack moved to (arg), unmapped: #PF on push */
		__asm__ volatile("mov %0, %%rsp; push $0" : : "r"(arg));
		break;
#endif
#ifdef __x86_64__
	case UD_COMPAT: { /* ud2 in a 32-bit code segment (selector 0x38) */
		static uint64_t gdt[8];
		struct __attribute__((packed)) { uint16_t limit; unsigned long base; } g;
		__asm__ volatile("sgdt %0" : "=m"(g));
		for (unsigned i = 0; i < 7 && i * 8 < g.limit; i++)
			gdt[i] = ((const uint64_t *)g.base)[i];
		gdt[7] = 0x00cf9a000000ffffULL; /* code, 32-bit, 4 GiB */
		g.base = (unsigned long)gdt;
		g.limit = sizeof gdt - 1;
		__asm__ volatile("lgdt %0\n\tpushq $0x38\n\tpushq $1f\n\tlretq\n"
				 ".code32\n1: ud2\n.code64" : : "m"(g));
		break;
	}
	case STUB_NONCANONICAL_RSP: { /* vector 0's OUT, RSP not canonical */
		struct __attribute__((packed)) { uint16_t limit; unsigned long base; } idt;
		__asm__ volatile("sidt %0" : "=m"(idt));
		__asm__ volatile("mov %0, %%rsp; jmp *%1" : :
				 "r"(0x8000000000001000UL), "r"(idt.base + 0x204));
		break;
	}
#endif
	case OWN_IDT: { /* an IDT of its own, empty: ud2 then triple-faults */
		struct __attribute__((packed)) { uint16_t limit; unsigned long base; } idt = { 0, 0 };
		__asm__ volatile("lidt %0; ud2" : : "m"(idt));
		break;
	}
#ifdef __x86_64__
	case OWN_IDT_TRAPS:
		own_idt_traps(arg);
#endif
	case READY_THEN_LOOP:
		/* One exit that says the guest runs (tests wait for it under
		 * --trace, not for a time), then an endless loop. */
		outb(CONSOLE_PORT, '.');
		for (;;)
			__asm__ volatile("" ::: "memory");
	case JUMP_INTO_ZEROS:
		/* Zero bytes are "add [rax], al": with rax at 0x400 and al 0
		 * they change nothing, up to the end of RAM. */
		__asm__ volatile("jmp *%0" : : "r"(arg), "a"(0x400UL));
		break;
	}
	halt(0xbad);
}

#ifdef __x86_64__
/* rdi and rsi are already the arguments; the call aligns the stack. */
__asm__(".pushsection .text.start, \"ax\"\n"
	".globl _start\n"
	"_start: call scenario\n"
	".popsection\n");
#else
__asm__(".pushsection .text.start, \"ax\"\n"
	".globl _start\n"
	"_start: push %esi\n"
	"	push %edi\n"
	"	call scenario\n"
	".popsection\n");
#endif
