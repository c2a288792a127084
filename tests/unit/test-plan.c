/*
 * The plan, without KVM: where everything is placed, the registers of each
 * mode, the GDT bytes, the default identity map walked back page by page,
 * and the layout problems it must refuse.
 */
#include "kvmrun-config.h"

#include "elfgen.h"
#include "plan.h"
#include "unit.h"

static const char *dir;
static char *elf64, *elf32, *raw;

static struct config *load(const char *fmt, const char *image)
{
	char *text, *path;

	if (asprintf(&text, fmt, image) < 0)
		abort();
	path = unit_tempfile(dir, ".yaml", text, strlen(text));
	struct config *cfg = cfg_load(path, NULL, 0);
	CHECK_U64(cfg->diag.count, 0);
	unlink(path);
	free(path);
	free(text);
	return cfg;
}

static void walk_identity(const struct plan *p, uint64_t start, uint64_t end,
			  uint64_t page)
{
	for (uint64_t a = start; a < end; a += 4096) {
		uint64_t phys = 0;
		struct pt_walk w;
		CHECK(plan_translate(p, a + 123, &phys, &w));
		CHECK_U64(phys, a + 123);
		CHECK(w.write);
		if (a == start || a + 4096 == end)
			CHECK_U64(w.page, page);
	}
}

static void long_mode(void)
{
	struct config *c = load("memory: 2M\ncpu: { mode: long }\nload: [ { elf: %s } ]\n", elf64);
	struct plan p;

	CHECK(plan_build(&p, c));
	/* Tables first at the lowest free page >= 0x1000, then the GDT. */
	CHECK_U64(p.pt.base, 0x1000);
	CHECK_U64(p.pt.npages, 3);
	CHECK_U64(p.gdt_base, 0x4000);
	CHECK_U64(p.sregs.cr3, 0x1000);
	CHECK(p.sregs.cr0 & X86_CR0(PG) && p.sregs.cr0 & X86_CR0(PE));
	CHECK(p.sregs.cr4 & X86_CR4(PAE));
	CHECK_U64(p.sregs.efer, X86_EFER(LME) | X86_EFER(LMA));
	CHECK(p.sregs.cs.l == 1 && p.sregs.cs.db == 0 && p.sregs.cs.selector == 8);
	CHECK(p.sregs.ds.selector == 0x10 && p.sregs.ss.selector == 0x10);
	CHECK_U64(p.regs.rip, 0x100000);
	CHECK_U64(p.regs.rsp, 0x200000);
	CHECK_U64(p.stack_floor, 0x101000);
	CHECK_U64(p.regs.rflags, 2);
	/* The GDT's code descriptor says what the CS register says. */
	uint64_t code;
	memcpy(&code, p.gdt + 8, 8);
	CHECK_U64(code, 0x00af9b000000ffffULL);
	walk_identity(&p, 0, 2 << 20, PAGE_2M);
	plan_free(&p);
	cfg_free(c);
}

static void uneven_memory(void)
{
	/* 3 MiB + 4 KiB: one 2M page, then 4K pages up to the end. */
	struct config *c = load("memory: 0x301000\ncpu: { mode: long }\nload: [ { elf: %s } ]\n", elf64);
	struct plan p;

	CHECK(plan_build(&p, c));
	walk_identity(&p, 0, 2 << 20, PAGE_2M);
	walk_identity(&p, 2 << 20, 0x301000, PAGE_4K);
	uint64_t phys;
	CHECK(!plan_translate(&p, 0x301000, &phys, NULL));
	CHECK_U64(p.regs.rsp, 0x301000);
	plan_free(&p);
	cfg_free(c);
}

static void huge_memory(void)
{
	struct config *c = load("memory: 64G\ncpu: { mode: long }\nload: [ { elf: %s } ]\n", elf64);
	struct plan p;

	CHECK(plan_build(&p, c));
	CHECK_U64(p.pt.npages, 66);
	uint64_t phys;
	CHECK(plan_translate(&p, (64ULL << 30) - 8, &phys, NULL));
	CHECK_U64(phys, (64ULL << 30) - 8);
	plan_free(&p);
	cfg_free(c);
}

static void mmio_pages(void)
{
	/* A handler of 0x1001 bytes spans two pages; both are mapped,
	 * uncached, and nothing past them. */
	struct config *c = load("memory: 2M\ncpu: { mode: long }\nload: [ { elf: %s } ]\n"
				"mmio: { 0xd0000000: { handler: console, size: 0x1001 } }\n", elf64);
	struct plan p;
	struct pt_walk w;
	uint64_t phys;

	CHECK(plan_build(&p, c));
	CHECK(plan_translate(&p, 0xd0001000, &phys, &w));
	CHECK(w.leaf & PTE_PCD);
	CHECK(!plan_translate(&p, 0xd0002000, &phys, NULL));
	CHECK(!plan_translate(&p, 0xcffff000, &phys, NULL));
	plan_free(&p);
	cfg_free(c);
}

static void protected_mode(void)
{
	struct config *c = load("memory: 2M\ncpu: { mode: protected }\nload: [ { elf: %s } ]\n", elf32);
	struct plan p;

	CHECK(plan_build(&p, c));
	CHECK_U64(p.gdt_base, 0x1000);
	CHECK_U64(p.sregs.cr0 & (X86_CR0(PE) | X86_CR0(PG)), X86_CR0(PE));
	CHECK(p.sregs.cs.db == 1 && p.sregs.cs.l == 0 && p.sregs.cs.g == 1);
	CHECK_U64(p.sregs.efer, 0);
	uint64_t code, data;
	memcpy(&code, p.gdt + 8, 8);
	memcpy(&data, p.gdt + 16, 8);
	CHECK_U64(code, 0x00cf9b000000ffffULL);
	CHECK_U64(data, 0x00cf93000000ffffULL);
	plan_free(&p);
	cfg_free(c);
}

static void paged32(void)
{
	struct config *c = load("memory: 10M\ncpu: { mode: paged32 }\nload: [ { elf: %s } ]\n", elf32);
	struct plan p;

	CHECK(plan_build(&p, c));
	CHECK(p.sregs.cr0 & X86_CR0(PG) && p.sregs.cr4 & X86_CR4(PSE));
	CHECK(!(p.sregs.cr4 & X86_CR4(PAE)));
	walk_identity(&p, 0, 8 << 20, PAGE_4M);
	walk_identity(&p, 8 << 20, 10 << 20, PAGE_4K);
	plan_free(&p);
	cfg_free(c);
}

static void real_mode(void)
{
	struct config *c = load("memory: 1M\ncpu: { mode: real, entry: 0x12345 }\n"
				"load: [ { raw: %s, at: 0x12345 } ]\n", raw);
	struct plan p;

	CHECK(plan_build(&p, c));
	CHECK(p.sregs.cs.selector == 0x1000 && p.sregs.cs.base == 0x10000);
	CHECK_U64(p.regs.rip, 0x2345);
	CHECK_U64(p.sregs.ds.base, 0x10000);
	/* The stack tops the entry's 64 KiB segment: SS:SP 1000:0000. */
	CHECK_U64(p.stack, 0x20000);
	CHECK_U64(p.sregs.ss.selector, 0x1000);
	CHECK_U64(p.regs.rsp, 0);
	CHECK_U64(p.sregs.cr0 & X86_CR0(PE), 0);
	CHECK_U64(p.nblobs, 1); /* no GDT, no tables */
	plan_free(&p);
	cfg_free(c);
}

static void refused(const char *fmt, const char *image, const char *want)
{
	struct config *c = load(fmt, image);
	struct plan p;

	CHECK(!plan_build(&p, c));
	bool found = false;
	for (size_t i = 0; i < p.diag.count; i++)
		found |= strstr(p.diag.msgs[i].text, want) != NULL;
	if (!found) {
		fprintf(stderr, "  wanted '%s'; got:\n", want);
		for (size_t i = 0; i < p.diag.count; i++)
			fprintf(stderr, "    %s\n", p.diag.msgs[i].text);
	}
	CHECK(found);
	plan_free(&p);
	cfg_free(c);
}

static void layout_errors(void)
{
	refused("memory: 512K\ncpu: { mode: long }\nload: [ { elf: %s } ]\n", elf64,
		"lies outside RAM");
	refused("memory: 2M\ncpu: { mode: long }\npaging: { at: 0x100000 }\nload: [ { elf: %s } ]\n",
		elf64, "page tables [0x100000, 0x103000) overlaps load[0] segment 0");
	refused("memory: 2M\ncpu: { mode: protected }\nload: [ { elf: %s } ]\n", elf64,
		"protected mode runs ELF32 i386");
	refused("memory: 2M\ncpu: { mode: long, stack: 0x100800 }\nload: [ { elf: %s } ]\n",
		elf64, "starts inside load[0] segment 0");
	refused("memory: 2M\ncpu: { mode: long }\npaging: { at: 0x1800 }\nload: [ { elf: %s } ]\n",
		elf64, "wanted a multiple of 4 KiB");
	refused("memory: [ { base: 0, size: 2M }, { base: 0x1000, size: 4K } ]\ncpu: { mode: long }\n"
		"load: [ { elf: %s } ]\n", elf64, "overlaps region");
	refused("memory: 2M\ncpu: { mode: long }\nload: [ { elf: %s } ]\nmmio: { 0x1000: log }\n",
		elf64, "lies in RAM");
	refused("memory: 2M\ncpu: { mode: long }\nload: [ { elf: %s } ]\nports: { 0x60: log, 0x5f: { handler: log, size: 2 } }\n",
		elf64, "overlaps the handler at 0x60");
	refused("memory: 2M\ncpu: { mode: long, entry: 0x300000 }\nload: [ { elf: %s } ]\n",
		elf64, "not mapped");
}

/* A descriptor decodes to the segment it was encoded from, bit by bit. */
static void descriptors(void)
{
	for (int m = MODE_REAL; m <= MODE_LONG; m++) {
		const struct mode_state *st = cpu_mode_state((enum cpu_mode)m);
		const struct kvm_segment *segs[] = { &st->code, &st->data };
		for (int i = 0; i < 2; i++) {
			struct kvm_segment s = x86_desc_decode(x86_desc_encode(segs[i]));
			CHECK_U64(s.base, segs[i]->base);
			CHECK_U64(s.limit, segs[i]->g ? (segs[i]->limit | 0xfff)
						      : segs[i]->limit);
			CHECK_U64(s.type, segs[i]->type);
			CHECK_U64(s.s, segs[i]->s);
			CHECK_U64(s.dpl, segs[i]->dpl);
			CHECK_U64(s.present, segs[i]->present);
			CHECK_U64(s.l, segs[i]->l);
			CHECK_U64(s.db, segs[i]->db);
			CHECK_U64(s.g, segs[i]->g);
		}
	}
	struct kvm_segment odd = { .base = 0x12345678, .limit = 0xabcde,
				   .type = X86_SEG_CODE_RX, .s = 1, .dpl = 3,
				   .present = 1, .avl = 1, .db = 1 };
	CHECK_U64(x86_desc_encode(&odd), 0x125afb345678bcdeULL);
	CHECK_U64(x86_desc_decode(0x125afb345678bcdeULL).base, 0x12345678);
}

int main(void)
{
	dir = getenv("TMPDIR") ? getenv("TMPDIR") : "/tmp";
	struct elfgen g64 = { .entry = 0x100000, .nph = 1, .fill = 0xf4,
			      .ph = { { PT_LOAD, 0x100, 0x100000, 0x100000, 0x800, 0x1000 } } };
	struct elfgen g32 = g64;
	g32.elf32 = true;
	if (asprintf(&elf64, "%s/unit-plan64-%d.elf", dir, (int)getpid()) < 0 ||
	    asprintf(&elf32, "%s/unit-plan32-%d.elf", dir, (int)getpid()) < 0 ||
	    elfgen_write(elf64, &g64) || elfgen_write(elf32, &g32))
		abort();
	raw = unit_tempfile(dir, ".bin", "\xf4", 1);

	long_mode();
	uneven_memory();
	huge_memory();
	mmio_pages();
	protected_mode();
	paged32();
	real_mode();
	layout_errors();
	descriptors();

	unlink(elf64);
	unlink(elf32);
	unlink(raw);
	UNIT_DONE();
}
