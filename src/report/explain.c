/*
 * --explain: the plan as a person can follow it, top to bottom: the memory
 * map, the I/O handlers, the GDT, every page-table entry, the mappings,
 * the initial registers bit by bit, and the KVM calls that will be made
 * (listed by running the VM stage dry).
 */
#include "kvmrun-config.h"

#include "explain.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "acpi.h"
#include "num.h"
#include "vm.h"

#define RUN_COMPRESS 4 /* runs of leaf entries longer than this are cut */

/* A size for people: "2M", "12K", "66 bytes", "1007.9K". */
static const char *size_str(uint64_t v, char buf[32])
{
	num_fmt_size(v, buf);
	if (strspn(buf, "0123456789") != strlen(buf))
		return buf;
	if (v < 4096)
		snprintf(buf, 32, "%llu byte%s", (unsigned long long)v,
			 v == 1 ? "" : "s");
	else if (v < (1ULL << 20))
		snprintf(buf, 32, "%.1fK", (double)v / 1024);
	else if (v < (1ULL << 30))
		snprintf(buf, 32, "%.1fM", (double)v / (1 << 20));
	else
		snprintf(buf, 32, "%.1fG", (double)v / (1 << 30));
	return buf;
}

static void heading(FILE *f, const char *title)
{
	fprintf(f, "\n%s\n", title);
}

/* ---- the memory map ---- */

struct item {
	uint64_t start, end;
	char text[240];
};

static int by_start(const void *a, const void *b)
{
	const struct item *x = a, *y = b;

	return x->start < y->start ? -1 : x->start > y->start;
}

static void describe_blob(const struct plan *p, const struct blob *b,
			  char *text, size_t size)
{
	char sz[32];

	char virt[40] = "";

	if (b->data == p->idt_page) {
		snprintf(text, size, "diagnostic IDT (cpu.idt): 32 gates, their "
			 "stubs%s", p->mode->paging == PT_4LEVEL
			 ? ", a TSS and its IST1 stack" : "");
		return;
	}
	if (b->data == p->gdt) {
		snprintf(text, size, "GDT: %u descriptors", (p->gdt_limit + 1) / 8);
		return;
	}
	if (p->mb_info && b->data == p->mb_info) {
		snprintf(text, size, "Multiboot information (EBX): memory sizes, "
			 "command line \"%.60s\", %zu module(s), memory map",
			 p->mb_cmdline, p->cfg->nmodules);
		return;
	}
	for (size_t i = 0; p->modules && i < p->cfg->nmodules; i++)
		if (b->data == p->modules[i].file) {
			snprintf(text, size, "%s: %s, %s", b->what,
				 p->cfg->modules[i].file.given,
				 size_str(b->len, sz));
			return;
		}
	if (p->ivt && b->data == p->ivt) {
		snprintf(text, size, "IVT (boot: sector): 256 vectors to stubs "
			 "at 0x%x that end the run: no BIOS here", IVT_STUBS);
		return;
	}
	if (p->acpi && b->data == p->acpi) {
		snprintf(text, size, "ACPI tables: RSDP, RSDT, XSDT, FADT, "
			 "FACS (the waking vector at 0x%x), DSDT (\\_S3_, "
			 "\\_S5_), MADT", ACPI_FACS + ACPI_FACS_WAKING_VECTOR);
		return;
	}
	if (!b->seg) {
		snprintf(text, size, "page tables: %zu tables, the root (CR3) "
			 "first", p->pt.npages);
		return;
	}
	if (b->vaddr != b->gpa)
		snprintf(virt, sizeof virt, ", virtual 0x%llx",
			 (unsigned long long)b->vaddr);
	snprintf(text, size, "%s: %s, file offset 0x%llx, %s from the file%s%s",
		 b->what, p->cfg->images[b->image].given,
		 (unsigned long long)(b->seg->data - p->images[b->image].file),
		 size_str(b->len, sz), b->size > b->len ? ", then zeros (bss)" : "",
		 virt);
}

/* What lies in region (r): blobs and the stack, sorted. */
static size_t region_items(const struct plan *p, const struct mem_region *r,
			   struct item *items)
{
	size_t n = 0;

	for (size_t i = 0; i < p->nblobs; i++) {
		const struct blob *b = &p->blobs[i];
		if (b->gpa < r->base || b->gpa - r->base >= r->size)
			continue;
		items[n].start = b->gpa;
		items[n].end = b->gpa + b->size;
		describe_blob(p, b, items[n].text, sizeof items[n].text);
		n++;
	}
	if (p->stack_phys > r->base && p->stack_phys - r->base <= r->size) {
		char sz[32];
		items[n].start = p->stack_floor;
		items[n].end = p->stack_phys;
		snprintf(items[n].text, sizeof items[n].text, "stack: SP starts "
			 "at 0x%llx and grows down into %s of free space",
			 (unsigned long long)p->stack,
			 size_str(p->stack_phys - p->stack_floor, sz));
		n++;
	}
	qsort(items, n, sizeof *items, by_start);
	return n;
}

static void map_line(FILE *f, uint64_t start, uint64_t end, const char *bar,
		     const char *text)
{
	char sz[32];

	fprintf(f, "  0x%016llx  %-9s %s%s\n", (unsigned long long)start,
		size_str(end - start, sz), bar, text);
}

static void explain_region(FILE *f, const struct plan *p, size_t index)
{
	const struct mem_region *r = &p->cfg->regions[index];
	struct item *items = calloc(p->nblobs + 1, sizeof *items);
	char head[120];

	if (!items)
		return;
	snprintf(head, sizeof head, "%s, region %zu -----", r->readonly ?
		 "ROM (read-only slot: writes exit as MMIO)" : "RAM", index);
	map_line(f, r->base, r->base + r->size, "", head);
	uint64_t at = r->base;
	size_t n = region_items(p, r, items);
	for (size_t i = 0; i < n; i++) {
		if (items[i].start > at)
			map_line(f, at, items[i].start, "| ", "free");
		map_line(f, items[i].start, items[i].end, "| ", items[i].text);
		at = items[i].end > at ? items[i].end : at;
	}
	if (at < r->base + r->size)
		map_line(f, at, r->base + r->size, "| ", "free");
	fprintf(f, "  0x%016llx  %-9s end of region %zu\n",
		(unsigned long long)(r->base + r->size), "", index);
	free(items);
}

static void explain_memory(FILE *f, const struct plan *p)
{
	const struct config *cfg = p->cfg;
	char text[160];

	heading(f, "Guest-physical memory:");
	fprintf(f, "  %-18s  %-9s %s\n", "address", "size", "what");
	for (size_t i = 0; i < cfg->nregions; i++)
		explain_region(f, p, i);
	for (size_t i = 0; i < cfg->nmmio; i++) {
		const struct handler_cfg *h = &cfg->mmio[i];
		snprintf(text, sizeof text, "MMIO %s", devices[h->kind]->about);
		map_line(f, h->addr, h->addr + h->size, "", text);
	}
	bool ignore = cfg->unhandled == UNHANDLED_IGNORE;
	fprintf(f, "  Anything else is unbacked: a guest access there exits "
		"as MMIO and %s.\n", ignore ? "reads all ones, writes nothing "
		"(unhandled-io: ignore)" : "stops the run");
	if (cfg->nports) {
		heading(f, "I/O ports:");
		for (size_t i = 0; i < cfg->nports; i++) {
			const struct handler_cfg *h = &cfg->ports[i];
			fprintf(f, "  0x%04llx", (unsigned long long)h->addr);
			if (h->size > 1)
				fprintf(f, "-0x%04llx",
					(unsigned long long)(h->addr + h->size - 1));
			fprintf(f, "  %s", devices[h->kind]->about);
			if (h->kind == H_CONSTANT)
				fprintf(f, " (0x%llx)", (unsigned long long)h->value);
			fputc('\n', f);
		}
		fprintf(f, "  Any other port %s.\n", ignore ? "reads all ones "
			"and drops writes (unhandled-io: ignore)" : "stops the run");
	}
}

/* ---- the IDT ---- */

/* What the IDT register holds, said after its value. */
static const char *idt_note(const struct plan *p)
{
	if (p->has_ivt)
		return " (the real-mode IVT: kvmrun's, no BIOS)";
	if (!p->mode->gdt)
		return " (the real-mode IVT)";
	if (p->has_idt)
		return " (kvmrun's diagnostic IDT)";
	return p->cfg->idt_off ? " (none, cpu.idt: off: an exception becomes "
				 "a triple fault)"
			       : " (none: an exception becomes a triple fault)";
}

static void explain_idt(FILE *f, const struct plan *p)
{
	char title[80];

	if (!p->mode->gdt)
		return;
	if (!p->has_idt) {
		heading(f, "No diagnostic IDT:");
		fprintf(f, "  %s; an exception the guest does not handle itself "
			"ends the run as a bare triple fault.\n", p->cfg->idt_off
			? "cpu.idt: off" : p->idt_why);
		return;
	}
	snprintf(title, sizeof title, "Diagnostic IDT at 0x%llx (written by "
		 "kvmrun; cpu.idt):", (unsigned long long)p->idt_base);
	heading(f, title);
	fprintf(f, "  Vectors 0-31 are interrupt gates to stubs at 0x%llx that "
		"push the vector and write to port 0x%02x: an exception the "
		"guest has no handler for stops the run as the shutdown it "
		"would have been, and the report names it (vector, error "
		"code, RIP, CR2). A guest that loads an IDT of its own (lidt) "
		"never uses this one.%s\n",
		(unsigned long long)(p->idt_base + IDT_STUBS), p->idt_port,
		p->mode->paging == PT_4LEVEL ? " Every gate switches to the "
		"stack at the top of the page (IST1 of the TSS that TR holds), "
		"so that a fault of the guest's own stack is caught too." : "");
}

/* ---- the GDT ---- */

static void segment_type(unsigned type, bool code, char *buf, size_t size)
{
	if (code)
		snprintf(buf, size, "code, execute%s%s%s",
			 type & X86_SEG_WRITABLE ? "/read" : "-only",
			 type & X86_SEG_DOWN ? ", conforming" : "",
			 type & X86_SEG_ACCESSED ? ", accessed" : "");
	else
		snprintf(buf, size, "data, read%s%s%s",
			 type & X86_SEG_WRITABLE ? "/write" : "-only",
			 type & X86_SEG_DOWN ? ", expand-down" : "",
			 type & X86_SEG_ACCESSED ? ", accessed" : "");
}

static void explain_gdt(FILE *f, const struct plan *p)
{
	char title[80], type[80];

	if (!p->mode->gdt)
		return;
	snprintf(title, sizeof title, "GDT at 0x%llx, limit 0x%x (written by kvmrun):",
		 (unsigned long long)p->gdt_base, p->gdt_limit);
	heading(f, title);
	for (unsigned i = 0; i < (p->gdt_limit + 1u) / 8; i++) {
		uint64_t d;
		memcpy(&d, p->gdt + 8 * i, 8);
		fprintf(f, "  0x%02x  0x%016llx  ", 8 * i, (unsigned long long)d);
		if (!d) {
			fprintf(f, "null descriptor (selector 0 loads nothing)\n");
			continue;
		}
		struct kvm_segment s = x86_desc_decode(d);
		segment_type(s.type, s.type & X86_SEG_CODE, type, sizeof type);
		fprintf(f, "%s; base 0x%llx, limit 0x%llx%s = %s; DPL %u, %s; "
			"%s, G=%d\n", type, (unsigned long long)s.base,
			(unsigned long long)(s.g ? s.limit >> 12 : s.limit),
			s.g ? " x 4K" : "", s.g ? "4 GiB" : "bytes", s.dpl,
			s.present ? "present" : "not present",
			s.l ? "L=1: 64-bit code" : s.db ? "D/B=1: 32-bit" : "D/B=0: 16-bit",
			s.g);
	}
}

/* ---- page tables ---- */

struct walk {
	FILE *f;
	const struct plan *p;
	enum pt_kind kind;
	int levels;
	unsigned esize, nentries;
};

/* A walk over the tables of (p), written to (f). */
static struct walk walk_of(FILE *f, const struct plan *p)
{
	const struct pt_geometry *g = pt_geometry(p->mode->paging);

	return (struct walk){ f, p, p->mode->paging, g->levels, g->entry_size,
			      1U << g->index_bits };
}

static bool is_leaf(const struct walk *w, int level, uint64_t e)
{
	return pt_is_leaf(w->kind, level, e);
}

static uint64_t entry_at(const struct walk *w, uint64_t table, unsigned i)
{
	uint64_t e = 0;

	pt_read_built((void *)&w->p->pt, table + (uint64_t)i * w->esize, &e, w->esize);
	return e;
}

static void entry_line(const struct walk *w, int level, uint64_t table,
		       unsigned i, uint64_t e, uint64_t virt, int depth)
{
	unsigned shift = pt_level_shift(w->kind, level);
	uint64_t span = 1ULL << shift;
	char flags[64], sz[32], idx[32];
	bool leaf = is_leaf(w, level, e);

	snprintf(idx, sizeof idx, "%s[%u]", pt_level_name(w->kind, level), i);
	fprintf(w->f, "  %*s%-11s @0x%llx = 0x%0*llx  %-22s", 2 * depth, "", idx,
		(unsigned long long)(table + (uint64_t)i * w->esize),
		(int)(2 * w->esize), (unsigned long long)e,
		pt_entry_flags(w->kind, level, e, flags, sizeof flags));
	if (leaf) {
		uint64_t frame = pt_entry_frame(w->kind, level, e);
		fprintf(w->f, " %s page 0x%llx <- virtual 0x%llx\n",
			num_fmt_size(span, sz), (unsigned long long)frame,
			(unsigned long long)pt_canonical(w->kind, virt));
	} else {
		fprintf(w->f, " -> %s at 0x%llx (virtual 0x%llx, %s)\n",
			pt_level_name(w->kind, level - 1),
			(unsigned long long)pt_entry_frame(w->kind, level, e),
			(unsigned long long)pt_canonical(w->kind, virt),
			num_fmt_size(span, sz));
	}
}

/* Leaf entries from (i) that follow (first) page by page with the same
 * flags: how many. */
static unsigned run_length(const struct walk *w, int level, uint64_t table,
			   unsigned i)
{
	uint64_t span = 1ULL << pt_level_shift(w->kind, level);
	uint64_t first = entry_at(w, table, i);
	unsigned n = 1;

	while (i + n < w->nentries) {
		uint64_t e = entry_at(w, table, i + n);
		if (!(e & PTE_P) || !is_leaf(w, level, e) || e != first + n * span)
			break;
		n++;
	}
	return n;
}

static void explain_table(const struct walk *w, uint64_t table, int level,
			  uint64_t vbase, int depth)
{
	unsigned shift = pt_level_shift(w->kind, level);

	for (unsigned i = 0; i < w->nentries; i++) {
		uint64_t e = entry_at(w, table, i);
		uint64_t virt = vbase + ((uint64_t)i << shift);
		if (!(e & PTE_P))
			continue;
		if (!is_leaf(w, level, e)) {
			entry_line(w, level, table, i, e, virt, depth);
			explain_table(w, pt_entry_frame(w->kind, level, e), level - 1, virt,
				      depth + 1);
			continue;
		}
		unsigned run = run_length(w, level, table, i);
		if (run <= RUN_COMPRESS) {
			entry_line(w, level, table, i, e, virt, depth);
			continue;
		}
		entry_line(w, level, table, i, e, virt, depth);
		entry_line(w, level, table, i + 1, entry_at(w, table, i + 1),
			   virt + (1ULL << shift), depth);
		fprintf(w->f, "  %*s... %u more entries like these, each the next "
			"page ...\n", 2 * depth, "", run - 3);
		unsigned last = i + run - 1;
		entry_line(w, level, table, last, entry_at(w, table, last),
			   vbase + ((uint64_t)last << shift), depth);
		i = last;
	}
}

static void explain_paging(FILE *f, const struct plan *p)
{
	struct walk w = walk_of(f, p);
	char title[160], sz[32];

	if (!p->mode->paging)
		return;
	snprintf(title, sizeof title, "Page tables at 0x%llx (%zu tables, %s), "
		 "every entry kvmrun writes:", (unsigned long long)p->pt.base,
		 p->pt.npages, num_fmt_size(p->pt.npages * PAGE_4K, sz));
	heading(f, title);
	fprintf(f, "  Upper levels allow everything (P RW US); the leaf holds "
		"the rights, with A and D preset so the CPU never writes them.\n");
	explain_table(&w, p->pt.base, w.levels, 0, 0);

	heading(f, "Mappings (virtual -> physical):");
	for (size_t i = 0; i < p->nmaps; i++) {
		const struct map_cfg *m = &p->maps[i];
		char size[32], page[32], flags[64] = "";
		for (int b = 0; map_flag_names[b]; b++)
			if (m->flags & (1U << b)) {
				strcat(flags, " ");
				strcat(flags, map_flag_names[b]);
			}
		fprintf(f, "  0x%016llx-0x%016llx -> 0x%llx  %s in %s pages, %s%s\n",
			(unsigned long long)m->virt,
			(unsigned long long)(m->virt + m->size - 1),
			(unsigned long long)m->phys, num_fmt_size(m->size, size),
			num_fmt_size(m->page, page),
			flags[0] ? flags + 1 : "read-only",
			p->cfg->nmaps ? "" : "  (default identity map)");
	}
}

/* ---- registers ---- */

static void explain_bits(FILE *f, const char *reg, uint64_t value,
			 const struct bit_name *table)
{
	fprintf(f, "  %s = 0x%llx\n", reg, (unsigned long long)value);
	for (; table->name; table++)
		fprintf(f, "    [%c] %-10s bit %-2u %s\n",
			value & (1ULL << table->bit) ? 'x' : ' ', table->name,
			table->bit, table->what);
}

static void explain_segment(FILE *f, const char *names,
			    const struct kvm_segment *s)
{
	fprintf(f, "  %-15s selector 0x%02x  base 0x%llx  limit 0x%x  %s\n",
		names, s->selector, (unsigned long long)s->base, s->limit,
		s->unusable ? "unusable" : s->l ? "64-bit code"
		: !s->s ? "system (TSS)" : s->type & 8 ? (s->db ? "32-bit code" : "16-bit code")
		: s->db ? "32-bit data" : "16-bit data");
}

/* Where a general register's first value comes from. */
static const char *reg_origin(const struct plan *p, enum reg r)
{
	if (p->cfg->boot == BOOT_MULTIBOOT && r == GPR_RAX)
		return "Multiboot: the boot magic";
	if (p->cfg->boot == BOOT_MULTIBOOT && r == GPR_RBX)
		return "Multiboot: the information's address";
	return "cpu.regs";
}

static void explain_registers(FILE *f, const struct plan *p)
{
	const struct kvm_sregs *s = &p->sregs;

	heading(f, "Initial registers:");
	fprintf(f, "  rip 0x%llx (%s)  rsp 0x%llx (stack)  rflags 0x%llx\n",
		(unsigned long long)p->regs.rip,
		p->cfg->mode == MODE_REAL ? "IP; CS:IP is the entry" : "the entry",
		(unsigned long long)p->regs.rsp,
		(unsigned long long)p->regs.rflags);
	for (int r = 0; r < GPR_RSP; r++)
		if (cpu_reg_get(&p->regs, (enum reg)r))
			fprintf(f, "  %s 0x%llx (%s)\n", cpu_reg_name((enum reg)r),
				(unsigned long long)cpu_reg_get(&p->regs, (enum reg)r),
				reg_origin(p, (enum reg)r));
	for (int r = GPR_RBP; r < GPR_RIP; r++)
		if (cpu_reg_get(&p->regs, (enum reg)r))
			fprintf(f, "  %s 0x%llx (cpu.regs)\n",
				cpu_reg_name((enum reg)r),
				(unsigned long long)cpu_reg_get(&p->regs, (enum reg)r));
	explain_segment(f, "cs", &s->cs);
	explain_segment(f, "ds es fs gs", &s->ds);
	explain_segment(f, "ss", &s->ss);
	explain_segment(f, "tr", &s->tr);
	fprintf(f, "  gdt base 0x%llx limit 0x%x   idt base 0x%llx limit 0x%x%s\n",
		(unsigned long long)s->gdt.base, s->gdt.limit,
		(unsigned long long)s->idt.base, s->idt.limit,
		idt_note(p));
	explain_bits(f, "CR0", s->cr0, x86_cr0_bits);
	if (p->mode->paging)
		fprintf(f, "  CR3 = 0x%llx (the %s)\n", (unsigned long long)s->cr3,
			p->mode->paging == PT_4LEVEL ? "PML4" : "page directory");
	explain_bits(f, "CR4", s->cr4, x86_cr4_bits);
	explain_bits(f, "EFER", s->efer, x86_efer_bits);
}

/* ---- the KVM calls ---- */

struct steps {
	FILE *f;
	int n;
};

static void print_step(void *ctx, const char *call, const char *args)
{
	struct steps *s = ctx;

	if (strncmp(call, "KVM_", 4) == 0)
		fprintf(s->f, "  %3d  %-27s %s\n", ++s->n, call, args);
	else
		fprintf(s->f, "       %-27s %s\n", call, args);
}

static int explain_calls(FILE *f, const struct plan *p)
{
	struct steps steps = { f, 0 };
	struct vm_calls calls = { true, print_step, &steps };
	struct vm vm;
	char t[32];

	heading(f, "KVM calls, in order (numbered: ioctls):");
	int status = vm_create(&vm, p, &calls);
	if (!status) {
		print_step(&steps, "sandbox", "a run installs its seccomp filter "
			   "here, unless --no-sandbox: the calls below are "
			   "among those it allows");
		status = vm_set_cpu(&vm, p);
	}
	vm_destroy(&vm);
	fprintf(f, "  %3d  %-27s in a loop until the guest stops (timeout %g s%s%s)\n",
		++steps.n, "KVM_RUN", (double)p->facts.timeout_ns / 1e9,
		p->facts.max_exits ? ", at most " : "",
		p->facts.max_exits ? num_fmt_size(p->facts.max_exits, t) : "");
	return status;
}

/* ---- Graphviz ---- */

/* (text) with the characters that record labels treat specially escaped. */
static void dot_text(FILE *f, const char *text)
{
	for (; *text; text++) {
		if (strchr("{}|<>\"\\", *text))
			fputc('\\', f);
		fputc(*text, f);
	}
}

static void dot_memory(FILE *f, const struct plan *p)
{
	struct item *items = calloc(p->nblobs + 1, sizeof *items);
	char sz[32], line[300];

	if (!items)
		return;
	fprintf(f, "  memory [label=\"guest-physical memory");
	for (size_t r = 0; r < p->cfg->nregions; r++) {
		const struct mem_region *reg = &p->cfg->regions[r];
		snprintf(line, sizeof line, "0x%llx  %s %s",
			 (unsigned long long)reg->base, reg->readonly ? "ROM" : "RAM",
			 size_str(reg->size, sz));
		fputc('|', f);
		dot_text(f, line);
		size_t n = region_items(p, reg, items);
		for (size_t i = 0; i < n; i++) {
			snprintf(line, sizeof line, "  0x%llx  %s",
				 (unsigned long long)items[i].start, items[i].text);
			line[120] = '\0';
			fputs("\\l", f);
			dot_text(f, line);
		}
		fputs("\\l", f);
	}
	for (size_t i = 0; i < p->cfg->nmmio; i++) {
		snprintf(line, sizeof line, "0x%llx  MMIO %s",
			 (unsigned long long)p->cfg->mmio[i].addr,
			 devices[p->cfg->mmio[i].kind]->name);
		fputc('|', f);
		dot_text(f, line);
	}
	fprintf(f, "\"];\n");
	free(items);
}

static void dot_table(const struct walk *w, uint64_t table, int level,
		      uint64_t vbase)
{
	unsigned shift = pt_level_shift(w->kind, level);
	char flags[64], sz[32];

	fprintf(w->f, "  t%llx [label=\"%s at 0x%llx", (unsigned long long)table,
		pt_level_name(w->kind, level), (unsigned long long)table);
	for (unsigned i = 0; i < w->nentries; i++) {
		uint64_t e = entry_at(w, table, i);
		if (!(e & PTE_P))
			continue;
		bool leaf = is_leaf(w, level, e);
		unsigned run = leaf ? run_length(w, level, table, i) : 1;
		if (run > 1)
			fprintf(w->f, "|<e%u> [%u..%u] 0x%llx, each the next page ",
				i, i, i + run - 1, (unsigned long long)e);
		else
			fprintf(w->f, "|<e%u> [%u] 0x%llx ", i, i,
				(unsigned long long)e);
		dot_text(w->f, pt_entry_flags(w->kind, level, e, flags, sizeof flags));
		i += run - 1;
	}
	fprintf(w->f, "\"];\n");
	for (unsigned i = 0; i < w->nentries; i++) {
		uint64_t e = entry_at(w, table, i);
		uint64_t virt = pt_canonical(w->kind, vbase + ((uint64_t)i << shift));
		if (!(e & PTE_P))
			continue;
		if (!is_leaf(w, level, e)) {
			fprintf(w->f, "  t%llx:e%u -> t%llx;\n",
				(unsigned long long)table, i,
				(unsigned long long)pt_entry_frame(w->kind, level, e));
			dot_table(w, pt_entry_frame(w->kind, level, e), level - 1,
				  vbase + ((uint64_t)i << shift));
			continue;
		}
		unsigned run = run_length(w, level, table, i);
		uint64_t span = 1ULL << shift;
		uint64_t frame = pt_entry_frame(w->kind, level, e);
		fprintf(w->f, "  p%llx_%u [shape=box, label=\"%u x %s page%s at 0x%llx\\n"
			"virtual 0x%llx\"];\n  t%llx:e%u -> p%llx_%u;\n",
			(unsigned long long)table, i, run, num_fmt_size(span, sz),
			run > 1 ? "s" : "", (unsigned long long)frame,
			(unsigned long long)virt, (unsigned long long)table, i,
			(unsigned long long)table, i);
		i += run - 1;
	}
}

void explain_dot(FILE *f, const struct plan *p)
{
	struct walk w = walk_of(f, p);

	fprintf(f, "digraph kvmrun {\n  rankdir=LR;\n"
		"  node [shape=record, fontname=\"monospace\", fontsize=10];\n"
		"  label=\"");
	dot_text(f, p->cfg->name);
	fprintf(f, ": %s mode\";\n", p->mode->name);
	dot_memory(f, p);
	if (p->mode->paging) {
		fprintf(f, "  cr3 [shape=plaintext, label=\"CR3 = 0x%llx\"];\n"
			"  cr3 -> t%llx;\n", (unsigned long long)p->pt.base,
			(unsigned long long)p->pt.base);
		dot_table(&w, p->pt.base, w.levels, 0);
	}
	fprintf(f, "}\n");
}

int explain_plan(FILE *f, const struct plan *p)
{
	char entry[80];

	fprintf(f, "%s (%s): %s mode\n", p->cfg->file_shown, p->cfg->name,
		p->mode->name);
	fprintf(f, "  %s\n", p->mode->about);
	snprintf(entry, sizeof entry, "0x%llx", (unsigned long long)p->entry);
	fprintf(f, "  Entry %s, stack 0x%llx.\n", entry,
		(unsigned long long)p->stack);
	if (p->cfg->cpus > 1)
		fprintf(f, "  %u vCPUs: vCPU 0 starts there; 1 to %u wait for INIT "
			"and SIPI from the guest's local APIC, then start in real "
			"mode at the SIPI vector's page.\n", p->cfg->cpus,
			p->cfg->cpus - 1);
	explain_memory(f, p);
	explain_gdt(f, p);
	explain_idt(f, p);
	explain_paging(f, p);
	explain_registers(f, p);
	return explain_calls(f, p);
}
