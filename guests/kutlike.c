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
 *   family=N     CPUID.1's family            level=N CPUID.0's highest leaf
 *   hypervisor=0|1  CPUID.1:ECX.hypervisor, which QEMU's vCPUs have
 *   pit=0|1      an i8254 answers on port 0x40 (1) or the bus is empty (0)
 *   acpi=N       ACPI tables as kvm-unit-tests finds them: a MADT of N
 *                CPUs, and a PM timer (where the FADT says) that counts
 *   iomem        pc-testdev's memory at 0xff000000 keeps what is written
 *   s3           sleep (ACPI S3) until the RTC alarm a second on, and check
 *                what the wake-up left: it comes back in real mode at the
 *                FACS waking vector, PM1 and the RTC say why it woke
 *   nowake       with s3: RTC_EN left clear, so nothing can wake it
 *   later        with s3: the alarm twelve hours on, not the next second
 *   poweroff     ACPI S5 through PM1 control: the machine goes off
 *   hyperv       Hyper-V's CPUID leaves at 0x40000000 (interface "Hv#1"),
 *                KVM's at 0x40000100, and a SynIC MSR that keeps a value
 *   synic        hyperv-testdev at 0x3000 routes a line to SINT 2, whose
 *                vector then arrives (the last check: its handler ends)
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

/* Hyper-V MSRs: the SynIC's control, and its interrupt source 2. */
#define HV_SCONTROL 0x40000080
#define HV_SINT2 0x40000092

static void wrmsr(uint32_t msr, uint32_t lo)
{
	__asm__ volatile("wrmsr" : : "c"(msr), "a"(lo), "d"(0));
}

static void check_hyperv(void)
{
	uint32_t r[4], kvm[4];

	cpuid(0x40000001, r);
	report(r[0] == 0x31237648, "hyperv: CPUID 0x40000001 says Hv#1", "");
	cpuid(0x40000100, kvm);
	report(kvm[1] == 0x4b4d564b && kvm[2] == 0x564b4d56 && kvm[3] == 0x4d,
	       "hyperv: KVM's leaves at 0x40000100", "");
	cpuid(0x40000003, r);
	if (!(r[0] & (1u << 2))) {
		report(0, "hyperv: no SynIC in CPUID 0x40000003", "");
		return;
	}
	uint32_t lo, hi; /* SCONTROL: the SynIC's enable bit */
	wrmsr(HV_SCONTROL, 1);
	__asm__ volatile("rdmsr" : "=a"(lo), "=d"(hi) : "c"(HV_SCONTROL));
	report(lo == 1 && hi == 0, "hyperv: the SynIC keeps SCONTROL", "");
}

/* ---- hyperv-testdev: a SynIC SINT raised through a route ---- */

#define HVTEST 0x3000
#define SINT_VECTOR 0x60
#define LAPIC_SVR 0xfee000f0u
#define LAPIC_EOI 0xfee000b0u

struct idt_gate {
	uint16_t offset_low, selector;
	uint8_t zero, type;
	uint16_t offset_high;
};
struct interrupt_frame;

static struct idt_gate idt[SINT_VECTOR + 1];
static volatile int sint_seen;

static __attribute__((noreturn)) void summary_and_exit(void);

static void hvtest(uint32_t command, uint32_t sint)
{
	__asm__ volatile("outl %0, %1" : : "a"(command << 16 | sint),
			 "Nd"((uint16_t)HVTEST));
}

/* The handler ends the kernel rather than return (as mbkernel's). */
__attribute__((interrupt)) static void sint_isr(struct interrupt_frame *frame)
{
	(void)frame;
	sint_seen++;
	*(volatile uint32_t *)LAPIC_EOI = 0;
	report(1, "synic: SINT 2's vector arrived through the route", "");
	summary_and_exit();
}

static void check_synic(void)
{
	struct __attribute__((packed)) { uint16_t limit; uint32_t base; } idtr;
	uint16_t cs;

	/* kvmrun's IDT for the exceptions, and the SINT's vector. */
	__asm__ volatile("sidt %0; mov %%cs, %1" : "=m"(idtr), "=r"(cs));
	for (uint32_t i = 0; i < 32 && i * 8 < idtr.limit; i++)
		idt[i] = ((struct idt_gate *)(uintptr_t)idtr.base)[i];
	uintptr_t handler = (uintptr_t)sint_isr;
	idt[SINT_VECTOR] = (struct idt_gate){ (uint16_t)handler, cs, 0, 0x8e,
					      (uint16_t)(handler >> 16) };
	idtr.limit = sizeof idt - 1;
	idtr.base = (uint32_t)(uintptr_t)idt;
	__asm__ volatile("lidt %0" : : "m"(idtr));
	*(volatile uint32_t *)LAPIC_SVR |= 0x100; /* the LAPIC on */
	wrmsr(HV_SCONTROL, 1);
	wrmsr(HV_SINT2, SINT_VECTOR); /* unmasked */
	/* A route made and removed raises nothing. */
	hvtest(1, 2); /* SINT_ROUTE_CREATE, vCPU 0, SINT 2 */
	hvtest(2, 2); /* SINT_ROUTE_DESTROY */
	hvtest(3, 2); /* SINT_ROUTE_SET_SINT */
	__asm__ volatile("sti");
	for (volatile int i = 0; i < 100000; i++)
		;
	report(!sint_seen, "synic: a removed route raises nothing", "");
	hvtest(1, 2);
	hvtest(3, 2);
	for (volatile int i = 0; i < 1000000 && !sint_seen; i++)
		;
	__asm__ volatile("cli");
	report(0, "synic: SINT 2's vector never arrived", "");
}

static uint16_t inw(uint16_t port)
{
	uint16_t v;

	__asm__ volatile("inw %1, %0" : "=a"(v) : "Nd"(port));
	return v;
}

/* ---- ACPI S3, with the RTC alarm to wake up ---- */

#define RTC_SEC 0
#define RTC_A 10
#define RTC_B 11
#define RTC_C 12
#define RTC_A_UIP 0x80
#define RTC_B_AIE 0x20
#define RTC_C_AF 0x20
#define PM1_RTC 0x0400 /* PM1 status and enable */
#define PM1_WAK 0x8000 /* PM1 status */
#define PM1_SLP_EN 0x2000
#define SLP_TYP_S3 (1u << 10) /* QEMU's \_S3_, as kvm-unit-tests' s3 */

static uint8_t rtc_get(uint8_t reg)
{
	outb(0x70, reg);
	return inb(0x71);
}

static void rtc_put(uint8_t reg, uint8_t v)
{
	outb(0x70, reg);
	outb(0x71, v);
}

/* What the real-mode code at the waking vector needs to come back to
 * protected mode and to after_wake: the descriptor tables, CR4, the
 * far pointer to wake32, the data selector and the stack. It and the
 * code sit at WAKE_AT, below 1 MiB and free in kvmrun's layout. */
#define WAKE_AT 0x8000u
struct wake_block {
	uint16_t pad0, gdt_limit;
	uint32_t gdt_base;
	uint16_t pad1, idt_limit;
	uint32_t idt_base;
	uint32_t entry;   /* wake32: offset, then selector (m16:32) */
	uint16_t cs, ds;
	uint32_t esp, cr4;
};
#define BLOCK (WAKE_AT + 0x40) /* the stub's code comes first */

extern char wake16[], wake16_end[];
void wake32(void);
__attribute__((noreturn, used)) void after_wake(void);

__asm__(".pushsection .text\n"
	".code16\n"
	"wake16:\n"
	"	cli\n"
	"	xorw %ax, %ax\n"
	"	movw %ax, %ds\n"
	"	lgdtl 0x8042\n"    /* BLOCK + 2: the GDT's limit and base */
	"	lidtl 0x804a\n"    /* BLOCK + 10: the IDT's */
	"	movl %cr0, %eax\n"
	"	orb $1, %al\n"
	"	movl %eax, %cr0\n"
	"	ljmpl *0x8050\n"   /* BLOCK + 16: to wake32 */
	"wake16_end:\n"
	".code32\n"
	"wake32:\n"
	"	movzwl 0x8056, %eax\n"
	"	movw %ax, %ds\n"
	"	movw %ax, %es\n"
	"	movw %ax, %ss\n"
	"	movl 0x8058, %esp\n"
	"	movl 0x805c, %eax\n"
	"	movl %eax, %cr4\n"
	"	call after_wake\n"
	".popsection\n");

static uint32_t facs_at, pm1_status, rtc_sec_before;
static volatile uint32_t *const woke_early = (volatile uint32_t *)0x7ff0;

/* Sleep as kvm-unit-tests' s3 does: the waking vector in the FACS, RTC_EN
 * in PM1 enable, the RTC alarm on every field's "don't care" (the next
 * second), just after an update; then SLP_TYP and SLP_EN. */
static __attribute__((noreturn)) void sleep_s3(uint32_t fadt, int wake,
						int later)
{
	struct wake_block *b = (struct wake_block *)BLOCK;
	uint16_t cs, ds;

	facs_at = get32(fadt + 36);
	pm1_status = get32(fadt + 56);
	for (uint32_t i = 0; i < (uint32_t)(wake16_end - wake16); i++)
		((volatile char *)WAKE_AT)[i] = wake16[i];
	__asm__ volatile("sgdt %0" : "=m"(b->gdt_limit));
	__asm__ volatile("sidt %0" : "=m"(b->idt_limit));
	__asm__ volatile("mov %%cs, %0; mov %%ds, %1" : "=r"(cs), "=r"(ds));
	__asm__ volatile("mov %%cr4, %0" : "=r"(b->cr4));
	b->entry = (uint32_t)(uintptr_t)wake32;
	b->cs = cs;
	b->ds = ds;
	b->esp = 0x7f00; /* below the block, above the GDT */
	*(volatile uint32_t *)(uintptr_t)(facs_at + 12) = WAKE_AT;

	outw((uint16_t)(pm1_status + 2), wake ? PM1_RTC : 0);
	while (!(rtc_get(RTC_A) & RTC_A_UIP))
		;
	while (rtc_get(RTC_A) & RTC_A_UIP)
		;
	rtc_sec_before = rtc_get(RTC_SEC);
	rtc_get(RTC_C);
	rtc_put(1, 0xc0); /* the alarm's seconds, minutes, hours */
	rtc_put(3, 0xc0);
	rtc_put(5, 0xc0);
	if (later) { /* the hour half a day on, in BCD */
		uint8_t h = rtc_get(4), hour = (uint8_t)((h >> 4) * 10 + (h & 15));
		hour = (uint8_t)((hour + 12) % 24);
		rtc_put(5, (uint8_t)((hour / 10) << 4 | hour % 10));
	}
	rtc_put(RTC_B, rtc_get(RTC_B) | RTC_B_AIE);
	*woke_early = 0;
	__asm__ volatile("" : : : "memory"); /* the block is in RAM first */
	outw((uint16_t)get32(fadt + 64), SLP_TYP_S3 | PM1_SLP_EN);
	for (;;)
		*woke_early = 1; /* the CPU went on after SLP_EN */
}

void after_wake(void)
{
	uint16_t status = inw((uint16_t)pm1_status);

	report(1, "s3: woke at the FACS waking vector, in real mode", "");
	report(*woke_early == 0, "s3: nothing ran after SLP_EN", "");
	report((status & (PM1_WAK | PM1_RTC)) == (PM1_WAK | PM1_RTC),
	       "s3: PM1 status says the RTC woke it", "");
	report(rtc_get(RTC_C) & RTC_C_AF, "s3: the RTC's alarm went off", "");
	report(rtc_get(RTC_SEC) != rtc_sec_before, "s3: the RTC's time passed", "");
	summary_and_exit();
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
	if ((v = value(cmdline, "hypervisor="))) {
		cpuid(1, r);
		report(!!(r[2] & (1u << 31)) == (*v == '1'), "hypervisor=", v);
	}
	if ((v = value(cmdline, "family="))) {
		cpuid(1, r);
		uint32_t family = (r[0] >> 8 & 15) + (r[0] >> 20 & 255);
		report(family == number(v), "family=", v);
	}
	if ((v = value(cmdline, "level="))) {
		cpuid(0, r);
		report(r[0] == number(v), "level=", v);
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
	if (has_word(cmdline, "hyperv"))
		check_hyperv();
	if (has_word(cmdline, "synic"))
		check_synic();
	if (has_word(cmdline, "poweroff")) {
		uint32_t fadt = acpi_table("FACP");
		outw((uint16_t)get32(fadt + 64), PM1_SLP_EN); /* \_S5_: 0 */
		report(0, "poweroff: still running after S5", "");
	}
	if (has_word(cmdline, "s3")) {
		uint32_t fadt = acpi_table("FACP");
		report(fadt != 0, "s3: the FADT", "");
		if (fadt)
			sleep_s3(fadt, !has_word(cmdline, "nowake"),
				 has_word(cmdline, "later"));
	}
	if (has_word(cmdline, "skip")) {
		print("SKIP: asked to skip\n");
		tests = 1, skipped = 1, failed = 0;
	}
	summary_and_exit();
}

static void summary_and_exit(void)
{
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
