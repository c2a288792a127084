/* What a Multiboot (version 1) kernel declares and receives. */
#ifndef GUEST_MULTIBOOT_H
#define GUEST_MULTIBOOT_H

#include <stdint.h>

#define MB_STR(x) #x
#define MB_XSTR(x) MB_STR(x)

/* The header, first in the image (multiboot.ld puts .multiboot there),
 * with the a.out-kludge address fields filled from the linker script. */
#define MULTIBOOT_HEADER(flags) \
	__asm__(".section .multiboot, \"a\"\n" \
		".align 4\n" \
		"mb_header:\n" \
		".long 0x1BADB002, " MB_XSTR(flags) ", -(0x1BADB002 + " MB_XSTR(flags) ")\n" \
		".long mb_header, mb_load_start, mb_load_end, mb_bss_end, _start\n" \
		".text\n")

/* The entry point: the loader gives no stack, so make one, and call
 * (kmain)(eax, ebx): the boot magic and the information structure. */
#define MULTIBOOT_START(kmain) \
	__asm__(".section .text.start, \"ax\"\n" \
		".globl _start\n" \
		"_start:\n" \
		"  mov $mb_stack_top, %esp\n" \
		"  push %ebx\n" \
		"  push %eax\n" \
		"  call " #kmain "\n" \
		".bss\n" \
		".align 16\n" \
		"  .skip 8192\n" \
		"mb_stack_top:\n" \
		".text\n")

#define MB_MAGIC 0x2BADB002

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

#endif
