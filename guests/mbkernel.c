/*
 * A Multiboot (version 1) kernel, written as kernels for QEMU's -kernel
 * loader are: it prints on a 16550 UART at 0x3f8 (polling the line
 * status), reads the information structure its loader left in EBX, and
 * ends through QEMU's isa-debug-exit at 0xf4 with 0 when all it checked
 * held. Words on its command line ask for more: "fwcfg" reads QEMU's
 * fw_cfg at 0x510, "emptybus" reads PCI configuration space and COM2
 * where nothing answers, "echo" prints what the UART receives, "irq"
 * takes IRQ 5 through the PIC, raised by a write to port 0x90 (an
 * irq-line device). Built as ELF (mbkernel.elf) and, with
 * -DMB_KLUDGE, as a flat binary that says where it goes in its header
 * (mbkludge.bin).
 */
#include "multiboot.h"
#include "pc.h"

#ifdef MB_KLUDGE
#define MB_FLAGS 0x00010003 /* page-aligned modules, memory, addresses */
#else
#define MB_FLAGS 0x00000003
#endif
MULTIBOOT_HEADER(MB_FLAGS);

/* ---- fw_cfg ---- */

static void test_fwcfg(uint32_t mem_upper)
{
	char sig[5] = { 0 };
	uint16_t cpus = 0;
	uint32_t ram[2] = { 0 };

	fwcfg_read(FW_CFG_SIGNATURE, sig, 4);
	fwcfg_read(FW_CFG_NB_CPUS, &cpus, 2);
	fwcfg_read(FW_CFG_RAM_SIZE, ram, 8);
	print("fw_cfg: ");
	print(sig);
	print(", ");
	print_dec(cpus);
	print(" cpu(s), ");
	print_dec(ram[0] >> 20);
	print(" MiB\n");
	check(sig[0] == 'Q' && sig[3] == 'U', "fw_cfg signature");
	check(cpus == 1, "fw_cfg: one CPU");
	/* Loaders may keep the top of RAM for themselves (QEMU does). */
	check(ram[0] >> 10 >= mem_upper + 1024, "fw_cfg RAM covers mem_upper");
}

/* ---- an empty bus: no PCI, no second UART ---- */

static uint32_t inl(uint16_t port)
{
	uint32_t v;
	__asm__ volatile("inl %1, %0" : "=a"(v) : "Nd"(port));
	return v;
}

static void test_empty_bus(void)
{
	outl(0xcf8, 0x80000000u); /* bus 0, device 0, function 0, vendor */
	uint32_t vendor = inl(0xcfc);
	uint8_t com2 = inb(0x2f8 + 5);

	print(vendor == 0xffffffffu ? "pci: no device\n" : "pci: a device?\n");
	check(vendor == 0xffffffffu, "PCI config reads float to all ones");
	check(com2 == 0xff, "a port with nothing behind it reads 0xff");
}

/* ---- input: what the UART received ---- */

static void test_uart_input(void)
{
	char line[64];
	uint32_t n = 0;

	while ((inb(COM1 + 5) & 0x01) && n < sizeof line) /* data ready */
		line[n++] = (char)inb(COM1);
	print("uart input: ");
	print_n(line, n);
	print("\n");
	check(!(inb(COM1 + 5) & 0x01), "the UART input ends");
}

/* ---- an interrupt through the PIC ---- */

struct idt_gate {
	uint16_t offset_low, selector;
	uint8_t zero, type;
	uint16_t offset_high;
};

struct interrupt_frame;

static struct idt_gate idt[0x30];
static volatile int irq5_seen;

static __attribute__((noreturn)) void finish(void);

/* The handler ends the kernel itself rather than returning: hosts that
 * emulate guest code (kvm-pvm) cannot emulate a 32-bit IRET. */
__attribute__((interrupt)) static void irq5(struct interrupt_frame *frame)
{
	(void)frame;
	irq5_seen++;
	outb(0x20, 0x20); /* end of interrupt */
	outb(0x90, 0);    /* lower the line */
	print("irq 5: delivered\n");
	finish();
}

static void test_irq(void)
{
	uintptr_t handler = (uintptr_t)irq5;
	struct __attribute__((packed)) { uint16_t limit; uint32_t base; } idtr = {
		sizeof idt - 1, (uint32_t)(uintptr_t)idt };
	uint16_t cs;

	__asm__ volatile("mov %%cs, %0" : "=r"(cs));
	idt[0x25] = (struct idt_gate){ (uint16_t)handler, cs, 0, 0x8e,
				       (uint16_t)(handler >> 16) };
	__asm__ volatile("lidt %0" : : "m"(idtr));
	/* The PICs at vectors 0x20 and 0x28, everything masked but IRQ 5. */
	outb(0x20, 0x11), outb(0x21, 0x20), outb(0x21, 0x04), outb(0x21, 0x01);
	outb(0xa0, 0x11), outb(0xa1, 0x28), outb(0xa1, 0x02), outb(0xa1, 0x01);
	outb(0x21, 0xdf), outb(0xa1, 0xff);
	__asm__ volatile("sti");
	outb(0x90, 1); /* the irq-line device raises IRQ 5 */
	for (int i = 0; i < 100000 && !irq5_seen; i++)
		__asm__ volatile("pause");
	__asm__ volatile("cli");
	outb(0x90, 0);
	check(0, "IRQ 5 delivered");
}

__attribute__((noreturn, used)) void kmain(uint32_t magic,
					   const struct mb_info *mbi)
{
	uart_init();
	print("multiboot kernel\n");
	check(magic == MB_MAGIC, "EAX holds the boot magic");
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
	const char *cmdline = (const char *)(uintptr_t)mbi->cmdline;
	if (has_word(cmdline, "fwcfg"))
		test_fwcfg(mbi->mem_upper);
	if (has_word(cmdline, "emptybus"))
		test_empty_bus();
	if (has_word(cmdline, "echo"))
		test_uart_input();
	if (has_word(cmdline, "irq"))
		test_irq(); /* the last: its handler finishes */
	finish();
}

static __attribute__((noreturn)) void finish(void)
{
	print(failures ? "FAIL\n" : "PASS\n");
	debug_exit(failures ? 1 : 0);
}

MULTIBOOT_START(kmain);
