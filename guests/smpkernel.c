/*
 * A Multiboot kernel that starts every CPU of the machine, as an SMP
 * kernel for QEMU does: it reads the CPU count from fw_cfg, sends INIT and
 * SIPI through the local APIC, and each CPU says hello and adds to a
 * shared counter with locked instructions while the others do too. The
 * first CPU checks that every one came up, with its own APIC ID (the
 * local APIC and CPUID agree), and that no addition was lost, then ends
 * through isa-debug-exit. Words on the command line make it misbehave on
 * purpose: "fault" makes the first CPU to start triple-fault, "spin"
 * keeps every CPU busy until the run's timeout.
 */
#include "multiboot.h"
#include "pc.h"

MULTIBOOT_HEADER(0x00000003);

#define ROUNDS 200

static volatile uint32_t started, counter;
static volatile uint32_t ids[8]; /* bit (APIC ID) of each CPU seen */
static int fault, spin;

static void count_and_mark(void)
{
	uint32_t id = lapic_id();

	check(id == cpuid_apic_id(), "the local APIC and CPUID agree on the ID");
	if (id < 256)
		__atomic_fetch_or(&ids[id / 32], 1u << (id % 32), __ATOMIC_SEQ_CST);
	for (int i = 0; i < ROUNDS; i++)
		__atomic_fetch_add(&counter, 1, __ATOMIC_SEQ_CST);
}

/* An undefined opcode on a CPU with no IDT at all: #UD, #GP, double
 * fault, triple fault. */
static __attribute__((noreturn)) void triple_fault(void)
{
	struct __attribute__((packed)) { uint16_t limit; uint32_t base; } none = { 0, 0 };

	__asm__ volatile("lidt %0; ud2" : : "m"(none));
	for (;;)
		;
}

static void ap_main(unsigned n)
{
	char line[40] = "cpu ", num[11];
	char *p = line + 4;

	if (fault && n == 0)
		triple_fault();
	count_and_mark();
	for (const char *q = fmt_dec(num, lapic_id()); *q;)
		*p++ = *q++;
	for (const char *q = ": up\n"; *q;)
		*p++ = *q++;
	print_n(line, (uint32_t)(p - line));
	__atomic_fetch_add(&started, 1, __ATOMIC_SEQ_CST);
	while (spin)
		__asm__ volatile("pause");
}

__attribute__((noreturn, used)) void kmain(uint32_t magic,
					   const struct mb_info *mbi)
{
	const char *cmdline = (const char *)(uintptr_t)mbi->cmdline;
	uint16_t cpus = 0;

	uart_init();
	check(magic == MB_MAGIC, "EAX holds the boot magic");
	fault = has_word(cmdline, "fault");
	spin = has_word(cmdline, "spin");
	fwcfg_read(FW_CFG_NB_CPUS, &cpus, 2);
	print("smp kernel: ");
	print_dec(cpus);
	print(" CPU(s), this one is APIC ID ");
	print_dec(lapic_id());
	print("\n");
	check(cpus >= 1 && cpus <= MAX_APS + 1, "fw_cfg gives 1 to 65 CPUs");
	if (cpus > 1)
		smp_start_aps(ap_main);
	count_and_mark();
	/* A few seconds of waiting at most, on a host that emulates. */
	for (uint32_t i = 0; started < cpus - 1u && i < 2000000; i++)
		__asm__ volatile("pause");
	while (spin)
		__asm__ volatile("pause");
	uint32_t seen = 0;
	for (int i = 0; i < 256; i++)
		seen += ids[i / 32] >> (i % 32) & 1;
	check(started == cpus - 1u, "every other CPU started");
	check(seen == cpus, "each CPU has an APIC ID of its own");
	check(counter == ROUNDS * (uint32_t)cpus, "no locked addition was lost");
	print_dec(started + 1);
	print(" CPU(s) up, counter ");
	print_dec(counter);
	print(failures ? "\nFAIL\n" : "\nPASS\n");
	debug_exit(failures ? 1 : 0);
}

MULTIBOOT_START(kmain);
