/* The config schema: every key parsed, every problem reported with its
 * position, -s overrides applied. */
#include "kvmrun-config.h"

#include <stdlib.h>
#include <string.h>

#include "config.h"
#include "cpu_model.h"
#include "cpuid.h"
#include "unit.h"

static const char *dir;

static struct config *load(const char *text, char **sets, size_t nsets)
{
	char *path = unit_tempfile(dir, ".yaml", text, strlen(text));
	struct config *cfg = cfg_load(path, sets, nsets);

	unlink(path);
	free(path);
	return cfg;
}

/* True if some problem is at (line):(col) and has (text) in it. */
static bool has_problem(const struct config *cfg, unsigned line, unsigned col,
			const char *path, const char *text)
{
	for (size_t i = 0; i < cfg->diag.count; i++) {
		const struct diag_msg *m = &cfg->diag.msgs[i];
		if (m->pos.line == line && (!col || m->pos.col == col) &&
		    strcmp(m->path, path) == 0 && strstr(m->text, text))
			return true;
	}
	for (size_t i = 0; i < cfg->diag.count; i++)
		fprintf(stderr, "  have %u:%u: %s: %s\n", cfg->diag.msgs[i].pos.line,
			cfg->diag.msgs[i].pos.col, cfg->diag.msgs[i].path,
			cfg->diag.msgs[i].text);
	fprintf(stderr, "  wanted %u:%u: %s: %s\n", line, col, path, text);
	return false;
}

static const char full[] =
	"name: everything\n"
	"memory:\n"
	"  - { base: 0x0, size: 2M, merge: true }\n"
	"  - { base: 0xfff00000, size: 1M, readonly: true, hugepages: yes }\n"
	"cpu:\n"
	"  mode: long\n"
	"  entry: 0x100000\n"
	"  stack: 0x1f_0000\n"
	"  regs: { rdi: 0x1234, esi: 7, r8w: 0xffff }\n"
	"paging:\n"
	"  at: 0x2000\n"
	"  map:\n"
	"    - { virt: 0, phys: 0, size: 2M, page: 2M, flags: [write, user] }\n"
	"    - { virt: 0xffffffff80000000, phys: 0x200000, size: 64K, page: 4K, flags: [nx, global, nocache, writethrough] }\n"
	"load:\n"
	"  - elf: %s\n"
	"  - raw: %s\n"
	"    at: 0x8000\n"
	"ports:\n"
	"  0xE9: console\n"
	"  0xF4: exit\n"
	"  0x61: { handler: constant, value: 0x5A }\n"
	"  0x80: log\n"
	"  0x3f8: { handler: ignore, size: 8 }\n"
	"mmio:\n"
	"  0xd0000000: console\n"
	"  0xd0001000: { handler: constant, value: 1, size: 4K }\n"
	"limits:\n"
	"  timeout: 1500ms\n"
	"  exits: 10K\n"
	"expect:\n"
	"  stop: [hlt, exit]\n"
	"  status: 3\n"
	"  console: { contains: \"llo\" }\n"
	"  regs: { rax: 42, eax: 42 }\n"
	"  memory:\n"
	"    - { at: 0x400, u64: 42 }\n"
	"    - { at: 0x500, bytes: [0xde, 0xad, 0xbe, 0xef] }\n"
	"    - { at: 0x600, string: \"done\" }\n";

static void everything(void)
{
	char *text;
	/* The image paths must exist: the folder itself is readable. */
	if (asprintf(&text, full, dir, dir) < 0)
		abort();
	struct config *c = load(text, NULL, 0);
	free(text);
	CHECK_U64(c->diag.count, 0);
	CHECK(strcmp(c->name, "everything") == 0);
	CHECK_U64(c->nregions, 2);
	CHECK(c->regions[0].merge && !c->regions[0].readonly);
	CHECK(c->regions[1].readonly && c->regions[1].hugepages);
	CHECK_U64(c->regions[1].base, 0xfff00000);
	CHECK(c->mode == MODE_LONG && c->has_entry && c->has_stack);
	CHECK_U64(c->stack, 0x1f0000);
	CHECK_U64(c->nregs, 3);
	CHECK(c->regs[2].reg->reg == GPR_R8 && c->regs[2].reg->width == 2);
	CHECK(c->has_paging_at && c->paging_at == 0x2000 && c->nmaps == 2);
	CHECK_U64(c->maps[1].flags, MAP_NX | MAP_GLOBAL | MAP_NOCACHE | MAP_WRITETHROUGH);
	CHECK_U64(c->maps[0].flags, MAP_WRITE | MAP_USER);
	CHECK_U64(c->maps[1].page, 4096);
	CHECK(c->nimages == 2 && c->images[1].kind == IMAGE_RAW && c->images[1].at == 0x8000);
	CHECK_U64(c->nports, 5);
	CHECK(c->ports[2].kind == H_CONSTANT && c->ports[2].value == 0x5a);
	CHECK(c->ports[4].kind == H_IGNORE && c->ports[4].size == 8);
	CHECK_U64(c->nmmio, 2);
	CHECK_U64(c->mmio[0].size, 8);
	CHECK_U64(c->mmio[1].size, 4096);
	CHECK_U64(c->timeout_ns, 1500000000ULL);
	CHECK_U64(c->max_exits, 10240);
	CHECK_U64(c->expect.stops, 1U << STOP_HLT | 1U << STOP_EXIT);
	CHECK(c->expect.has_status && c->expect.status == 3);
	CHECK(c->expect.console == CONSOLE_CONTAINS);
	CHECK(strcmp(c->expect.console_text, "llo") == 0);
	CHECK_U64(c->expect.nmem, 3);
	CHECK(c->expect.mem[1].len == 4 && c->expect.mem[1].bytes[3] == 0xef);
	CHECK(c->expect.mem[2].len == 4 && memcmp(c->expect.mem[2].bytes, "done", 4) == 0);
	CHECK(c->expect.mem[0].width == 8 && c->expect.mem[0].value == 42);
	cfg_free(c);
}

static void defaults(void)
{
	char *text;
	if (asprintf(&text, "memory: 2M\ncpu: { mode: real }\nload: [ { raw: %s, at: 0x7c00 } ]\nexpect:\n", dir) < 0)
		abort();
	struct config *c = load(text, NULL, 0);
	free(text);
	CHECK_U64(c->diag.count, 0);
	CHECK(strncmp(c->name, "unit-", 5) == 0); /* from the file name */
	CHECK_U64(c->timeout_ns, 10000000000ULL);
	CHECK(c->nregions == 1 && c->regions[0].base == 0 && c->regions[0].size == 2 << 20);
	CHECK(!c->has_entry && !c->has_stack && !c->has_paging);
	CHECK(c->expect.stops == 0 && !c->expect.has_status);
	cfg_free(c);
}

static void problems(void)
{
	struct config *c = load(
		"memroy: 2M\n"                      /* 1 */
		"cpu:\n"                            /* 2 */
		"  mode: lnog\n"                    /* 3 */
		"  entry: 0x\n"                     /* 4 */
		"load: []\n"                        /* 5 */
		"ports:\n"                          /* 6 */
		"  0xE9: console\n"                 /* 7 */
		"  233: log\n"                      /* 8 */
		"expect:\n"                         /* 9 */
		"  memory: [ { at: 1, u8: 256 } ]\n" /* 10 */
		"  regs: { ax: 0x10000 }\n",        /* 11 */
		NULL, 0);
	CHECK(has_problem(c, 1, 1, "memroy", "did you mean 'memory'?"));
	CHECK(has_problem(c, 3, 9, "cpu.mode", "did you mean 'long'?"));
	CHECK(has_problem(c, 4, 10, "cpu.entry", "wanted a number, found '0x'"));
	CHECK(has_problem(c, 5, 7, "load", "at least one image"));
	CHECK(has_problem(c, 8, 3, "ports.233", "duplicate key (first given on line 7)"));
	CHECK(has_problem(c, 10, 26, "expect.memory[0].u8", "does not fit in u8"));
	CHECK(has_problem(c, 11, 15, "expect.regs.ax", "does not fit in the 16 bits"));
	CHECK(has_problem(c, 1, 1, "", "missing required key 'memory'"));
	CHECK_U64(c->diag.count, 8);
	cfg_free(c);

	c = load("memory: [1, 2\n", NULL, 0);
	CHECK(c->diag.count == 1 && strstr(c->diag.msgs[0].text, "YAML syntax"));
	cfg_free(c);
	c = load("", NULL, 0);
	CHECK(c->diag.count == 1 && strstr(c->diag.msgs[0].text, "empty"));
	cfg_free(c);

	/* a list refused as too long is that one problem, not also empty */
	char text[4096] = "cpu: { mode: long }\nmemory: [";
	for (int i = 0; i < 300; i++)
		strcat(text, "2M, ");
	strcat(text, "2M]\nload: [");
	for (int i = 0; i < 300; i++)
		strcat(text, "x, ");
	strcat(text, "x]\n");
	c = load(text, NULL, 0);
	CHECK(has_problem(c, 2, 9, "memory", "wanted at most 256 items, found 301"));
	CHECK(has_problem(c, 3, 7, "load", "wanted at most 256 items, found 301"));
	CHECK_U64(c->diag.count, 2);
	cfg_free(c);
}

static void overrides(void)
{
	char *sets[] = { "memory=4M", "limits.timeout=1s", "ports.0xe9=log",
			 "cpu.regs.rdi=5", "expect.memory[0].u8=7", "name=over" };
	char *text;
	if (asprintf(&text, "memory: [ { base: 0, size: 2M } ]\ncpu: { mode: long }\n"
		     "load: [ { elf: %s } ]\nports: { 0xE9: console }\n"
		     "expect: { memory: [ { at: 0x400, u8: 1 } ] }\n", dir) < 0)
		abort();
	struct config *c = load(text, sets, 6);
	CHECK_U64(c->diag.count, 0);
	CHECK(c->nregions == 1 && c->regions[0].size == 4 << 20);
	CHECK_U64(c->timeout_ns, 1000000000ULL);
	CHECK(c->nports == 1 && c->ports[0].kind == H_LOG);
	CHECK(c->nregs == 1 && c->regs[0].value == 5);
	CHECK(c->expect.mem[0].value == 7);
	CHECK(strcmp(c->name, "over") == 0);
	cfg_free(c);

	char *bad[] = { "memory=lots", "cpu.mode.x=1", "nokey", "load[3].elf=x",
			"[].=x" };
	c = load(text, bad, 5);
	free(text);
	CHECK_U64(c->diag.count, 5);
	for (size_t i = 0; i < c->diag.count; i++)
		CHECK(c->diag.msgs[i].pos.line == 0 && c->diag.msgs[i].pos.arg >= 1);
	CHECK(strstr(c->diag.msgs[0].text, "names no key") ||
	      strstr(c->diag.msgs[0].text, "wanted"));
	cfg_free(c);
}

/* cpu.hyperv's CPUID: Hyper-V's leaves where KVM's were, KVM's 0x100 up,
 * the others as they were. */
static void hyperv_leaves(void)
{
	static const uint32_t host[] = { 0, 1, 0x40000000, 0x40000001, 0x80000000 };
	static const uint32_t hv[] = { 0x40000000, 0x40000001, 0x40000003 };
	struct kvm_cpuid2 *c = calloc(1, sizeof *c + 5 * sizeof c->entries[0]);
	struct kvm_cpuid2 *h = calloc(1, sizeof *h + 3 * sizeof h->entries[0]);

	c->nent = 5, h->nent = 3;
	for (int i = 0; i < 5; i++)
		c->entries[i] = (struct kvm_cpuid_entry2){ .function = host[i], .eax = host[i] };
	for (int i = 0; i < 3; i++)
		h->entries[i] = (struct kvm_cpuid_entry2){ .function = hv[i], .eax = 7 };
	struct kvm_cpuid2 *m = cpuid_with_hyperv(c, h);
	CHECK(m && m->nent == 8);
	static const uint32_t want_fn[] = { 0, 1, 0x40000100, 0x40000101, 0x80000000,
					    0x40000000, 0x40000001, 0x40000003 };
	static const uint32_t want_eax[] = { 0, 1, 0x40000000, 0x40000001, 0x80000000,
					     7, 7, 7 };
	for (uint32_t i = 0; m && i < m->nent; i++) {
		CHECK_U64(m->entries[i].function, want_fn[i]);
		CHECK_U64(m->entries[i].eax, want_eax[i]);
	}
	free(m);
	free(h);
	free(c);
}

/* cpu.cpuid.model: Opteron_G1 narrows a host that has every feature:
 * its vendor, signature, highest leaves, brand and feature bits, QEMU's
 * hypervisor and x2APIC bits kept, the leaves past its highest gone. */
static void model_leaves(void)
{
	static const uint32_t host[] = { 0, 1, 7, 0xd, 0x40000000, 0x80000000,
		0x80000001, 0x80000002, 0x80000003, 0x80000004, 0x80000008,
		0x8000001f };
	const size_t n = sizeof host / sizeof *host;
	struct kvm_cpuid2 *c = calloc(1, sizeof *c + n * sizeof c->entries[0]);
	struct cpuid_edits cpuid = { .model = &cpu_models[0] };

	c->nent = (uint32_t)n;
	for (size_t i = 0; i < n; i++)
		c->entries[i] = (struct kvm_cpuid_entry2){ .function = host[i],
			.eax = ~0u, .ebx = ~0u, .ecx = ~0u, .edx = ~0u };
	CHECK(strcmp(cpu_models[0].name, "Opteron_G1") == 0);
	cpuid_apply(c, &cpuid);
	static const uint32_t kept[] = { 0, 1, 0x40000000, 0x80000000, 0x80000001,
		0x80000002, 0x80000003, 0x80000004, 0x80000008 };
	CHECK_U64(c->nent, sizeof kept / sizeof *kept);
	for (uint32_t i = 0; i < c->nent && i < sizeof kept / sizeof *kept; i++)
		CHECK_U64(c->entries[i].function, kept[i]);
	struct kvm_cpuid_entry2 *e = c->entries;
	char vendor[13] = { 0 }, brand[49] = { 0 };
	memcpy(vendor, &e[0].ebx, 4);
	memcpy(vendor + 4, &e[0].edx, 4);
	memcpy(vendor + 8, &e[0].ecx, 4);
	CHECK(strcmp(vendor, "AuthenticAMD") == 0);
	CHECK_U64(e[0].eax, 5);
	CHECK_U64(e[1].eax, 0xf61); /* family 15, model 6, stepping 1 */
	CHECK_U64(e[1].edx, 0x078bfbff);
	CHECK_U64(e[1].ecx, 0x80200001); /* sse3, x2apic, hypervisor */
	CHECK_U64(e[2].eax, ~0u);        /* the hypervisor's leaves stay */
	CHECK_U64(e[3].eax, 0x80000008);
	CHECK_U64(e[4].edx, 0x2193fbff);
	CHECK_U64(e[4].ecx, 0);
	for (int i = 0; i < 3; i++) {
		memcpy(brand + 16 * i, &e[5 + i].eax, 4);
		memcpy(brand + 16 * i + 4, &e[5 + i].ebx, 4);
		memcpy(brand + 16 * i + 8, &e[5 + i].ecx, 4);
		memcpy(brand + 16 * i + 12, &e[5 + i].edx, 4);
	}
	CHECK(strcmp(brand, "AMD Opteron 240 (Gen 1 Class Opteron)") == 0);
	free(c);
}

int main(void)
{
	hyperv_leaves();
	model_leaves();
	dir = getenv("TMPDIR") ? getenv("TMPDIR") : "/tmp";
	everything();
	defaults();
	problems();
	overrides();
	UNIT_DONE();
}
