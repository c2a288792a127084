/*
 * A Multiboot kernel that prints each of its modules, byte for byte, on
 * COM1, then exits through isa-debug-exit with the status its command line
 * ends with (0 without one; kvm-unit-tests skips with 38). With a module of
 * test results (TAP, or kvm-unit-tests' PASS:/FAIL: lines) it is a guest
 * that reports exactly those results: the sub-test tests feed it theirs.
 */
#include "multiboot.h"
#include "pc.h"

MULTIBOOT_HEADER(0x00000003);

__attribute__((noreturn, used)) void kmain(uint32_t magic,
						 const struct mb_info *mbi);

void kmain(uint32_t magic, const struct mb_info *mbi)
{
	uart_init();
	if (magic != MB_MAGIC || !(mbi->flags & (1u << 3)))
		debug_exit(1);
	const struct mb_module *mod = (const void *)(uintptr_t)mbi->mods_addr;
	for (uint32_t i = 0; i < mbi->mods_count; i++)
		print_n((const char *)(uintptr_t)mod[i].start,
			mod[i].end - mod[i].start);
	uint8_t status = 0;
	const char *s = (const char *)(uintptr_t)mbi->cmdline;
	for (; (mbi->flags & (1u << 2)) && *s; s++)
		status = *s >= '0' && *s <= '9' ? (uint8_t)(status * 10 + *s - '0') : 0;
	debug_exit(status);
}

MULTIBOOT_START(kmain);
