/* The PC library for the Multiboot test kernels (see pc.h). */
#include "pc.h"

#define LAPIC 0xfee00000u
#define LAPIC_ID 0x20
#define LAPIC_SVR 0xf0
#define LAPIC_ICR_LOW 0x300
#define LAPIC_ICR_HIGH 0x310
#define ICR_PENDING (1u << 12)
#define ICR_ALL_BUT_SELF (3u << 18)
#define ICR_ASSERT (1u << 14)
#define ICR_INIT (5u << 8)
#define ICR_STARTUP (6u << 8)
#define TRAMPOLINE 0x8000 /* below 1 MiB, 4 KiB aligned: SIPI vector 8 */

#define STR(x) #x
#define XSTR(x) STR(x)

/* ---- console ---- */

static volatile int print_lock;

static void lock(volatile int *l)
{
	while (__atomic_exchange_n(l, 1, __ATOMIC_ACQUIRE))
		__asm__ volatile("pause");
}

static void unlock(volatile int *l)
{
	__atomic_store_n(l, 0, __ATOMIC_RELEASE);
}

void uart_init(void)
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

void print_n(const char *s, uint32_t n)
{
	lock(&print_lock);
	while (n--)
		putc_uart(*s++);
	unlock(&print_lock);
}

void print(const char *s)
{
	uint32_t n = 0;

	while (s[n])
		n++;
	print_n(s, n);
}

char *fmt_dec(char *buf, uint32_t v)
{
	char tmp[11], *p = tmp + sizeof tmp;
	char *out = buf;

	*--p = '\0';
	do
		*--p = (char)('0' + v % 10);
	while (v /= 10);
	while ((*out++ = *p++))
		;
	return buf;
}

void print_dec(uint32_t v)
{
	char buf[11];

	print(fmt_dec(buf, v));
}

int has_word(const char *s, const char *word)
{
	while (*s) {
		const char *w = word;
		while (*s && *s == *w)
			s++, w++;
		if (!*w && (!*s || *s == ' '))
			return 1;
		while (*s && *s != ' ')
			s++;
		while (*s == ' ')
			s++;
	}
	return 0;
}

int failures;

void check(int ok, const char *what)
{
	if (!ok) {
		print("FAIL: ");
		print(what);
		print("\n");
		__atomic_fetch_add(&failures, 1, __ATOMIC_RELAXED);
	}
}

/* ---- fw_cfg and isa-debug-exit ---- */

void fwcfg_read(uint16_t key, void *buf, unsigned n)
{
	outw(0x510, key);
	for (unsigned i = 0; i < n; i++)
		((uint8_t *)buf)[i] = inb(0x511);
}

void debug_exit(uint8_t code)
{
	outb(DEBUG_EXIT, code);
	halt(code);
}

/* ---- the local APIC and the other CPUs ---- */

static uint32_t lapic_read(uint32_t reg)
{
	return *(volatile uint32_t *)(uintptr_t)(LAPIC + reg);
}

static void lapic_write(uint32_t reg, uint32_t v)
{
	*(volatile uint32_t *)(uintptr_t)(LAPIC + reg) = v;
}

uint32_t lapic_id(void)
{
	return lapic_read(LAPIC_ID) >> 24;
}

uint32_t cpuid_apic_id(void)
{
	uint32_t a = 1, b, c = 0, d;

	__asm__ volatile("cpuid" : "+a"(a), "=b"(b), "+c"(c), "=d"(d));
	return b >> 24;
}

static void send_ipi(uint32_t command)
{
	lapic_write(LAPIC_ICR_HIGH, 0);
	lapic_write(LAPIC_ICR_LOW, command);
	while (lapic_read(LAPIC_ICR_LOW) & ICR_PENDING)
		__asm__ volatile("pause");
}

static void delay(unsigned n)
{
	while (n--)
		__asm__ volatile("pause");
}

/*
 * Where an application processor starts: real mode at TRAMPOLINE (the
 * code is copied there), which loads a flat GDT of its own, turns on
 * protected mode and jumps to ap_entry32, in the kernel. There, each CPU
 * takes the next stack and calls ap_start(n).
 */
__asm__(".text\n"
	".code16\n"
	".globl ap_trampoline, ap_trampoline_end\n"
	"ap_trampoline:\n"
	"  cli\n"
	"  xorw %ax, %ax\n"
	"  movw %ax, %ds\n"
	"  lgdtl " XSTR(TRAMPOLINE) " + (ap_gdtr - ap_trampoline)\n"
	"  movl %cr0, %eax\n"
	"  orl $1, %eax\n"
	"  movl %eax, %cr0\n"
	"  ljmpl $0x08, $ap_entry32\n"
	"  .align 8\n"
	"ap_gdt:\n"
	"  .quad 0\n"
	"  .quad 0x00cf9a000000ffff\n" /* 0x08: flat 32-bit code */
	"  .quad 0x00cf92000000ffff\n" /* 0x10: flat data */
	"ap_gdtr:\n"
	"  .word 23\n"
	"  .long " XSTR(TRAMPOLINE) " + (ap_gdt - ap_trampoline)\n"
	"ap_trampoline_end:\n"
	".code32\n"
	"ap_entry32:\n"
	"  movw $0x10, %ax\n"
	"  movw %ax, %ds\n"
	"  movw %ax, %es\n"
	"  movw %ax, %fs\n"
	"  movw %ax, %gs\n"
	"  movw %ax, %ss\n"
	"  movl $1, %eax\n"
	"  lock xaddl %eax, ap_next\n"
	"  movl %eax, %ecx\n"
	"  cmpl $" XSTR(MAX_APS) ", %ecx\n"
	"  jae 1f\n" /* no stack left for it */
	"  incl %eax\n"
	"  shll $12, %eax\n"
	"  addl $ap_stacks, %eax\n"
	"  movl %eax, %esp\n"
	"  pushl %ecx\n"
	"  call ap_start\n"
	"1: cli\n"
	"  hlt\n"
	"  jmp 1b\n");

extern const char ap_trampoline[], ap_trampoline_end[];
volatile unsigned ap_next;
__attribute__((aligned(16))) uint8_t ap_stacks[MAX_APS][4096];
static void (*volatile ap_main_fn)(unsigned n);

__attribute__((noreturn, used)) void ap_start(unsigned n)
{
	if (n < MAX_APS)
		ap_main_fn(n);
	for (;;)
		__asm__ volatile("cli; hlt");
}

void smp_start_aps(void (*ap_main)(unsigned n))
{
	volatile uint8_t *to = (volatile uint8_t *)TRAMPOLINE;

	for (const char *from = ap_trampoline; from < ap_trampoline_end; from++)
		*to++ = (uint8_t)*from;
	ap_main_fn = ap_main;
	lapic_write(LAPIC_SVR, 0x1ff); /* APIC on, spurious vector 0xff */
	send_ipi(ICR_ALL_BUT_SELF | ICR_ASSERT | ICR_INIT);
	delay(100);
	/* Twice, as the MP specification says: a CPU already started
	 * ignores the second. */
	for (int i = 0; i < 2; i++) {
		send_ipi(ICR_ALL_BUT_SELF | ICR_ASSERT | ICR_STARTUP |
			 (TRAMPOLINE >> 12));
		delay(100);
	}
}
