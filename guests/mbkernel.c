/*
 * A Multiboot (version 1) kernel, written as kernels for QEMU's -kernel
 * loader are: it prints on a 16550 UART at 0x3f8 (polling the line
 * status), reads the information structure its loader left in EBX, and
 * ends through QEMU's isa-debug-exit at 0xf4 with 0 when all it checked
 * held. Built as ELF (mbkernel.elf) and, with -DMB_KLUDGE, as a flat
 * binary that says where it goes in its header (mbkludge.bin).
 */
#include "guest.h"

#define COM1 0x3f8
#define DEBUG_EXIT 0xf4

#ifdef MB_KLUDGE
#define MB_FLAGS 0x00010003 /* page-aligned modules, memory, addresses */
#else
#define MB_FLAGS 0x00000003
#endif
#define STR(x) #x
#define XSTR(x) STR(x)

__asm__(".section .multiboot, \"a\"\n"
	".align 4\n"
	"mb_header:\n"
	".long 0x1BADB002, " XSTR(MB_FLAGS) ", -(0x1BADB002 + " XSTR(MB_FLAGS) ")\n"
	".long mb_header, mb_load_start, mb_load_end, mb_bss_end, _start\n"
	".text\n");

struct mb_info {
	uint32_t flags, mem_lower, mem_upper, boot_device, cmdline;
	uint32_t mods_count, mods_addr, syms[4], mmap_length, mmap_addr;
	uint32_t drives_length, drives_addr, config_table, boot_loader_name;
};

struct mb_module {
	uint32_t start, end, string, reserved;
};

struct __attribute__((packed)) mb_mmap {
	uint32_t size;
	uint64_t base, length;
	uint32_t type;
};

static void uart_init(void)
{
	outb(COM1 + 3, 0x80); /* DLAB: the divisor follows */
	outb(COM1 + 0, 0x01); /* 115200 baud */
	outb(COM1 + 1, 0x00);
	outb(COM1 + 3, 0x03); /* 8N1 */
}

static void putc_uart(char c)
{
	while (!(inb(COM1 + 5) & 0x20))
		; /* wait for the transmitter */
	outb(COM1, (uint8_t)c);
}

static void print(const char *s)
{
	while (*s)
		putc_uart(*s++);
}

static void print_n(const char *s, uint32_t n)
{
	while (n--)
		putc_uart(*s++);
}

static void print_dec(uint32_t v)
{
	char buf[12], *p = buf + sizeof buf;

	*--p = '\0';
	do
		*--p = (char)('0' + v % 10);
	while (v /= 10);
	print(p);
}

static int failures;

static void check(int ok, const char *what)
{
	if (!ok) {
		print("FAIL: ");
		print(what);
		print("\n");
		failures++;
	}
}

static __attribute__((noreturn)) void debug_exit(uint8_t code)
{
	outb(DEBUG_EXIT, code);
	halt(code);
}

__attribute__((noreturn, used)) void kmain(uint32_t magic,
					   const struct mb_info *mbi)
{
	uart_init();
	print("multiboot kernel\n");
	check(magic == 0x2BADB002, "EAX holds the boot magic");
	check((uintptr_t)mbi >= 0x1000, "the information is above page 0");
	check(mbi->flags & 1, "memory sizes given");
	print("cmdline: ");
	print((const char *)(uintptr_t)mbi->cmdline);
	print("\nmem_lower: ");
	print_dec(mbi->mem_lower);
	print(" KiB, mem_upper: ");
	print_dec(mbi->mem_upper);
	print(" KiB\nloader: ");
	print((const char *)(uintptr_t)mbi->boot_loader_name);
	print("\nmodules: ");
	print_dec(mbi->mods_count);
	print("\n");
	const struct mb_module *mod = (const void *)(uintptr_t)mbi->mods_addr;
	for (uint32_t i = 0; i < mbi->mods_count; i++) {
		check((mod[i].start & 0xfff) == 0, "modules are page-aligned");
		print("  ");
		print((const char *)(uintptr_t)mod[i].string);
		print(": ");
		print_n((const char *)(uintptr_t)mod[i].start,
			mod[i].end - mod[i].start);
	}
	uint32_t ram = 0;
	for (uint32_t at = 0; at < mbi->mmap_length;) {
		const struct mb_mmap *e = (const void *)(uintptr_t)(mbi->mmap_addr + at);
		if (e->type == 1)
			ram += (uint32_t)(e->length >> 10);
		at += e->size + 4;
	}
	print("memory map: ");
	print_dec(ram);
	print(" KiB of RAM\n");
	print(failures ? "FAIL\n" : "PASS\n");
	debug_exit(failures ? 1 : 0);
}

/* The loader gives no stack: make one, and pass EAX and EBX on. */
__asm__(".section .text.start, \"ax\"\n"
	".globl _start\n"
	"_start:\n"
	"  mov $stack_top, %esp\n"
	"  push %ebx\n"
	"  push %eax\n"
	"  call kmain\n"
	".bss\n"
	".align 16\n"
	"  .skip 8192\n"
	"stack_top:\n"
	".text\n");
