/* A kvmrun config file as typed, validated data (kvmrun.yaml(5)). */
#ifndef KVMRUN_CONFIG_H
#define KVMRUN_CONFIG_H

#include <regex.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "cpu.h"
#include "device.h"
#include "diag.h"

struct mem_region {
	uint64_t base, size;
	bool readonly, merge, hugepages;
	struct pos pos;
};

struct reg_value {
	const struct reg_name *reg;
	uint64_t value;
	struct pos pos;
};

/* Page-table entry flags a mapping may ask for. */
enum {
	MAP_WRITE = 1 << 0,
	MAP_USER = 1 << 1,
	MAP_NX = 1 << 2,
	MAP_GLOBAL = 1 << 3,
	MAP_NOCACHE = 1 << 4,
	MAP_WRITETHROUGH = 1 << 5,
};

extern const char *const map_flag_names[]; /* by bit number, NULL-ended */

struct map_cfg {
	uint64_t virt, phys, size, page;
	unsigned flags;
	struct pos pos;
};

enum image_kind { IMAGE_ELF, IMAGE_RAW };

struct image_cfg {
	enum image_kind kind;
	char *path;  /* as resolved: relative to the config or KVMRUN_PATH */
	char *given; /* as written */
	bool has_at;
	uint64_t at;
	struct pos pos;
};

/* How the guest starts: at its entry in the mode the config gives, or as
 * a Multiboot (version 1) loader starts a kernel. */
enum boot_kind { BOOT_DIRECT, BOOT_MULTIBOOT, BOOT_SECTOR };

/* What an access no handler covers does: stop the guest, or what a PC's
 * bus does with nothing there (reads all ones, writes dropped). */
enum unhandled_kind { UNHANDLED_STOP, UNHANDLED_IGNORE };

extern const char *const boot_names[]; /* NULL-terminated */

/* A Multiboot module: a file loaded beside the kernel, with its string. */
struct module_cfg {
	struct image_cfg file;
	char *cmdline; /* NULL: the file name as written */
};

#define MAX_MODULES 256

struct handler_cfg {
	uint64_t addr, size; /* port or guest-physical range */
	enum handler_kind kind;
	uint64_t value; /* constant */
	char *input;    /* uart8250: what the guest receives, or NULL */
	struct pos pos;
};

enum stop_kind { STOP_HLT, STOP_EXIT, STOP_SHUTDOWN, STOP_POWEROFF,
		 STOP_NKINDS };

extern const char *const stop_names[]; /* NULL-terminated */

/* expect.subtests: how the guest reports results of its own on the
 * console, if it does (subtests.h reads them). */
enum subtest_format { SUBTESTS_NONE, SUBTESTS_TAP, SUBTESTS_KUT };

extern const char *const subtest_formats[]; /* NULL-terminated */

enum console_match { CONSOLE_ANY, CONSOLE_EXACT, CONSOLE_CONTAINS,
		     CONSOLE_REGEX };

struct mem_expect {
	uint64_t at;
	char *symbol;   /* { symbol: NAME }: the plan finds at (plan.h's
			 * reads) in the ELF's symbol table; NULL with at */
	bool has_at;
	unsigned width; /* 1, 2, 4, 8; 0 for bytes and string, and for
			 * value, whose width is the symbol's size */
	uint64_t value;
	uint8_t *bytes;
	size_t len;
	const char *what; /* "u32", "bytes", "string"... */
	struct pos pos;
};

struct expect_cfg {
	struct pos stop_pos, status_pos, skip_status_pos, console_pos, subtests_pos;
	enum subtest_format subtests;
	unsigned stops; /* bit mask of 1 << enum stop_kind; 0: hlt or exit */
	int exception;  /* stop: { exception: PF }: the vector, or -1 */
	bool has_status;
	uint64_t status;
	/* skip-status: the guest status by which the guest says it skipped
	 * (kvm-unit-tests' 38: QEMU makes it 77) */
	bool has_skip_status;
	uint64_t skip_status;
	enum console_match console;
	char *console_text;
	size_t console_len;
	regex_t console_re;
	struct reg_value *regs;
	size_t nregs;
	struct mem_expect *mem;
	size_t nmem;
};

#define MAX_CPUS 255 /* xAPIC IDs: 8 bits, 0xff broadcasts */

struct config {
	char *file; /* as named by the user */
	char *file_shown; /* as messages show it (escape_name) */
	char *name;
	struct mem_region *regions;
	size_t nregions;

	enum cpu_mode mode;
	unsigned cpus; /* cpu.count: vCPUs, 1 unless more are asked */
	struct pos cpus_pos;
	bool has_entry, has_stack;
	char cpuid_vendor[13]; /* cpu.cpuid.vendor, or empty */
	unsigned *cpuid_set, *cpuid_clear; /* indexes in cpuid_features */
	size_t ncpuid_set, ncpuid_clear;
	const struct cpu_model *cpuid_model; /* cpu.cpuid.model, or NULL */
	bool hyperv; /* cpu.hyperv: KVM's Hyper-V enlightenments */
	uint64_t entry, stack;
	struct pos entry_pos, stack_pos, mode_pos;
	/* cpu.idt: kvmrun's diagnostic IDT (idt.h) is planted unless
	 * (idt_off); at (idt_at) when (has_idt_at), else in free RAM. */
	bool idt_off, has_idt_at;
	uint64_t idt_at;
	struct pos idt_pos;
	struct reg_value *regs;
	size_t nregs;

	bool has_paging, has_paging_at;
	uint64_t paging_at;
	struct pos paging_pos;
	struct map_cfg *maps;
	size_t nmaps;

	struct image_cfg *images;
	size_t nimages;

	struct handler_cfg *ports, *mmio;
	size_t nports, nmmio;

	enum unhandled_kind unhandled;
	bool irqchip, pit; /* irqchip: KVM's LAPIC, IOAPIC and PIC; its PIT */
	struct pos irqchip_pos;
	bool acpi;         /* acpi: QEMU's ACPI tables (acpi.h) */
	struct pos acpi_pos;

	uint64_t timeout_ns;
	uint64_t max_exits; /* 0: no cap */

	struct expect_cfg expect;

	char *gdb; /* debug.gdb: wait for gdb there, "[HOST:]PORT" */
	uint64_t gdb_wait_ns; /* debug.wait: how long; 0: the default */

	enum boot_kind boot;
	struct pos boot_pos, multiboot_pos;
	char *cmdline; /* multiboot.cmdline, or NULL for QEMU's default */
	struct module_cfg *modules;
	size_t nmodules;

	struct diag diag; /* what was wrong with it */
	char *text;       /* the file's contents */
};

/*
 * Read the config file (path), or standard input for "-" (named <stdin>,
 * its file names relative to the current folder), with the -s KEY=VALUE
 * strings (overrides) applied on top. Returns the config; its (diag)
 * lists every problem found, and the config is usable only when
 * (diag.count) is 0.
 */
struct config *cfg_load(const char *path, char *const *overrides,
			size_t noverrides);

/* The same for a config given as (len) bytes of (text), as though it
 * were the file (path): for fuzzing and tests. */
struct config *cfg_load_text(const char *path, const char *text, size_t len,
			     char *const *overrides, size_t noverrides);

/* A config that is only the problem (fmt...) with (path): what could not
 * even be read as one. */
struct config *cfg_problem(const char *path, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));

void cfg_free(struct config *cfg);

#endif
