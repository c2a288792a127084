/*
 * A Multiboot kernel that behaves as a kvm-unit-tests x86 test does for
 * its harness: it prints "PASS: name" / "FAIL: name" / "SKIP: name" lines
 * and a "SUMMARY:" line on COM1, and ends with outl(code, 0xf4), where 0
 * is a pass, 1 a failure and 38 a skip (QEMU makes them 1, 3 and 77).
 * Its command line, as kvmrun-kut passes test_args and -append, says what
 * it checks, so kvmrun-kut's tests can show each key of unittests.cfg
 * reaching the guest:
 *   cpus=N       fw_cfg says N CPUs          mem=N   N MiB of RAM or more
 *   x2apic=0|1   CPUID.1:ECX.x2APIC          vendor=V  CPUID.0's vendor
 *   pit=0|1      an i8254 answers on port 0x40 (1) or the bus is empty (0)
 *   acpi=N       ACPI tables as kvm-unit-tests finds them: a MADT of N
 *                CPUs, and a PM timer (where the FADT says) that counts
 *   iomem        pc-testdev's memory at 0xff000000 keeps what is written
 *   skip         report a skip only          fail    report a failure
 *   hang         never end (a timeout)       word=W  a pass for each one given
 */
#include "multiboot.h"
#include "pc.h"

MULTIBOOT_HEADER(0x00000003);

static unsigned tests, failed, skipped;

static void report(int ok, const char *what, const char *arg)
{
	tests++;
	failed += !ok;
	print(ok ? "PASS: " : "FAIL: ");
	print(what);
	print(arg);
	print("\n");
}

/* The value of "key=" in (cmdline), or NULL. */
static const char *value(const char *cmdline, const char *key)
{
	for (const char *s = cmdline; *s; s++) {
		if (s != cmdline && s[-1] != ' ')
			continue;
		const char *k = key, *p = s;
		while (*k && *p == *k)
			k++, p++;
		if (!*k)
			return p;
	}
	return 0;
}

static uint32_t number(const char *s)
{
	uint32_t n = 0;

	while (*s >= '0' && *s <= '9')
		n = n * 10 + (uint32_t)(*s++ - '0');
	return n;
}

/* Is the word at (s) (up to a space) equal to (w)? */
static int word_is(const char *s, const char *w)
{
	while (*w && *s == *w)
		s++, w++;
	return !*w && (!*s || *s == ' ');
}

static void cpuid(uint32_t leaf, uint32_t r[4])
{
	__asm__ volatile("cpuid" : "=a"(r[0]), "=b"(r[1]), "=c"(r[2]), "=d"(r[3])
			 : "a"(leaf), "c"(0));
}

static uint32_t get32(uint32_t addr)
{
	return *(volatile const uint32_t *)(uintptr_t)addr;
}

/* The table (sig) through the RSDP and RSDT, as kvm-unit-tests' lib/acpi.c
 * finds it; 0 if there is none. */
static uint32_t acpi_table(const char *sig)
{
	uint32_t rsdp = 0;

	for (uint32_t a = 0xe0000; a < 0x100000 && !rsdp; a += 16)
		if (get32(a) == 0x20445352 && get32(a + 4) == 0x20525450) /* "RSD PTR " */
			rsdp = a;
	if (!rsdp)
		return 0;
	uint32_t rsdt = get32(rsdp + 16);
	for (uint32_t at = rsdt + 36; at < rsdt + get32(rsdt + 4); at += 4) {
		uint32_t t = get32(at);
		if (get32(t) == *(const uint32_t *)sig)
			return t;
	}
	return 0;
}

static void check_acpi(const char *v)
{
	uint32_t fadt = acpi_table("FACP"), madt = acpi_table("APIC");
	uint32_t lapics = 0;

	report(fadt && madt, "acpi: FACP and APIC through the RSDT", "");
	if (!fadt || !madt)
		return;
	for (uint32_t at = madt + 44; at < madt + get32(madt + 4);
	     at += *(volatile uint8_t *)(uintptr_t)(at + 1))
		lapics += *(volatile uint8_t *)(uintptr_t)at == 0;
	report(lapics == number(v), "acpi: local APICs in the MADT: ", v);
	uint16_t port = (uint16_t)get32(fadt + 76);
	uint32_t t0, t1;
	__asm__ volatile("inl %1, %0" : "=a"(t0) : "Nd"(port));
	for (volatile int i = 0; i < 100000; i++)
		;
	__asm__ volatile("inl %1, %0" : "=a"(t1) : "Nd"(port));
	report(t0 <= 0xffffff && t1 <= 0xffffff && t0 != t1,
	       "acpi: the PM timer counts", "");
}

static __attribute__((noreturn)) void kut_exit(uint32_t code)
{
	__asm__ volatile("outl %0, %1" : : "a"(code), "Nd"((uint16_t)DEBUG_EXIT));
	for (;;)
		__asm__ volatile("cli; hlt");
}

__attribute__((noreturn, used)) void kmain(uint32_t magic,
					   const struct mb_info *mbi);

void kmain(uint32_t magic, const struct mb_info *mbi)
{
	const char *cmdline = (const char *)(uintptr_t)mbi->cmdline;
	const char *v;
	uint32_t r[4];

	uart_init();
	report(magic == MB_MAGIC, "multiboot", "");
	if ((v = value(cmdline, "cpus="))) {
		uint16_t cpus = 0;
		fwcfg_read(FW_CFG_NB_CPUS, &cpus, 2);
		report(cpus == number(v), "cpus=", v);
	}
	if ((v = value(cmdline, "mem=")))
		report(mbi->mem_upper + 1024 >= number(v) * 1024 - 1024, "mem=", v);
	if ((v = value(cmdline, "x2apic="))) {
		cpuid(1, r);
		report(!!(r[2] & (1u << 21)) == (*v == '1'), "x2apic=", v);
	}
	if ((v = value(cmdline, "vendor="))) {
		uint32_t name[4] = { 0 }; /* 12 bytes and a NUL */
		cpuid(0, r);
		name[0] = r[1], name[1] = r[3], name[2] = r[2];
		report(word_is(v, (const char *)name), "vendor=", v);
	}
	if ((v = value(cmdline, "acpi=")))
		check_acpi(v);
	if (has_word(cmdline, "iomem")) {
		volatile uint32_t *m = (volatile uint32_t *)0xff000000u;
		m[0] = 0x12345678;
		m[0x3fff] = 0x9abcdef0; /* its last word, 64 KiB on */
		report(m[0] == 0x12345678 && m[0x3fff] == 0x9abcdef0 && m[1] == 0,
		       "iomem keeps what is written", "");
	}
	if ((v = value(cmdline, "pit="))) {
		/* Channel 0 counts down from 0x1234: an i8254 reads back
		 * less; an empty bus reads all ones. */
		outb(0x43, 0x34);
		outb(0x40, 0x34);
		outb(0x40, 0x12);
		outb(0x43, 0x00);
		uint8_t lo = inb(0x40), hi = inb(0x40);
		int empty = lo == 0xff && hi == 0xff;
		report(empty == (*v == '0'), "pit=", v);
	}
	for (const char *p = cmdline; (v = value(p, "word=")); p = v)
		report(1, "word=", v);
	if (has_word(cmdline, "fail"))
		report(0, "asked to fail", "");
	if (has_word(cmdline, "hang"))
		for (;;)
			__asm__ volatile("pause");
	if (has_word(cmdline, "skip")) {
		print("SKIP: asked to skip\n");
		tests = 1, skipped = 1, failed = 0;
	}
	print("SUMMARY: ");
	print_dec(tests);
	print(" tests");
	if (failed) {
		print(", ");
		print_dec(failed);
		print(" unexpected failures");
	}
	if (skipped)
		print(", 1 skipped");
	print("\n");
	kut_exit(tests == skipped ? 38 : failed ? 1 : 0);
}

MULTIBOOT_START(kmain);
