/* config -> plan: memory map, placed images, GDT, page tables, registers. */
#include "kvmrun-config.h"

#include "plan.h"

#include <elf.h>
#include <err.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "acpi.h"
#include "multiboot.h"
#include "num.h"
#include "status.h"
#include "symbols.h"

#define MIN_STACK 256        /* bytes the stack must have below it */
#define PLACE_FLOOR 0x1000   /* kvmrun's own tables go at or above this */
#define FOUR_GIB (1ULL << 32)

static uint64_t align_up(uint64_t v, uint64_t a)
{
	return (v + a - 1) & ~(a - 1);
}

/* ---- RAM ---- */

const struct mem_region *plan_region(const struct plan_facts *f, uint64_t gpa,
				     uint64_t len)
{
	for (size_t i = 0; i < f->nregions; i++) {
		const struct mem_region *r = &f->regions[i];
		if (gpa >= r->base && len <= r->size &&
		    gpa - r->base <= r->size - len)
			return r;
	}
	return NULL;
}

bool plan_ram_covers(const struct plan_facts *f, uint64_t gpa, uint64_t len,
		     bool writable)
{
	while (len) {
		const struct mem_region *r = plan_region(f, gpa, 1);
		if (!r || (writable && r->readonly))
			return false;
		uint64_t room = r->size - (gpa - r->base);
		if (room >= len)
			return true;
		gpa += room;
		len -= room;
	}
	return true;
}

/* Ranges here never wrap (the config and loader refuse those); compare
 * last bytes so that a range ending at 2^64 works too. */
static bool overlaps(uint64_t a, uint64_t alen, uint64_t b, uint64_t blen)
{
	return alen && blen && a <= b + (blen - 1) && b <= a + (alen - 1);
}

static void check_regions(struct plan *p, const struct config *cfg)
{
	for (size_t i = 0; i < cfg->nregions; i++)
		for (size_t j = 0; j < i; j++) {
			struct mem_region *a = &cfg->regions[i], *b = &cfg->regions[j];
			if (overlaps(a->base, a->size, b->base, b->size))
				diag_add(&p->diag, a->pos, "memory",
					 "region [0x%llx, 0x%llx) overlaps "
					 "region [0x%llx, 0x%llx)",
					 (unsigned long long)a->base,
					 (unsigned long long)(a->base + a->size),
					 (unsigned long long)b->base,
					 (unsigned long long)(b->base + b->size));
		}
}

/* ---- blobs ---- */

static struct blob *add_blob(struct plan *p, const char *what, uint64_t gpa,
			     uint64_t size, struct pos pos)
{
	p->blobs = realloc(p->blobs, (p->nblobs + 1) * sizeof *p->blobs);
	if (!p->blobs)
		err(EXIT_USAGE, "realloc");
	struct blob *b = &p->blobs[p->nblobs++];
	memset(b, 0, sizeof *b);
	snprintf(b->what, sizeof b->what, "%s", what);
	b->gpa = b->vaddr = gpa;
	b->size = size;
	b->pos = pos;
	return b;
}

/* Blob ranges sorted by start, with the largest end among each prefix:
 * "does anything overlap [a, b)" in O(log n), for images with thousands
 * of segments. */
struct ranges {
	uint64_t *start, *max_end;
	size_t n;
};

static int by_gpa(const void *x, const void *y)
{
	const struct blob *const *a = x, *const *b = y;

	if ((*a)->gpa != (*b)->gpa)
		return (*a)->gpa < (*b)->gpa ? -1 : 1;
	return *a < *b ? -1 : *a > *b; /* ties in the order they were added */
}

/* The blobs of (p) in address order; caller frees. */
static const struct blob **sorted_blobs(const struct plan *p)
{
	const struct blob **s = calloc(p->nblobs + 1, sizeof *s);

	if (!s)
		err(EXIT_USAGE, "calloc");
	for (size_t i = 0; i < p->nblobs; i++)
		s[i] = &p->blobs[i];
	qsort(s, p->nblobs, sizeof *s, by_gpa);
	return s;
}

static struct ranges ranges_of(const struct plan *p)
{
	const struct blob **s = sorted_blobs(p);
	struct ranges r = { calloc(p->nblobs + 1, 8), calloc(p->nblobs + 1, 8),
			    p->nblobs };

	if (!r.start || !r.max_end)
		err(EXIT_USAGE, "calloc");
	for (size_t i = 0; i < r.n; i++) {
		uint64_t end = s[i]->gpa + s[i]->size;
		r.start[i] = s[i]->gpa;
		r.max_end[i] = i && r.max_end[i - 1] > end ? r.max_end[i - 1] : end;
	}
	free(s);
	return r;
}

/* Does any range overlap [a, a + size)? */
static bool ranges_hit(const struct ranges *r, uint64_t a, uint64_t size)
{
	size_t lo = 0, hi = r->n; /* ranges [0, lo) start before a + size */

	while (lo < hi) {
		size_t mid = (lo + hi) / 2;
		if (r->start[mid] < a + size)
			lo = mid + 1;
		else
			hi = mid;
	}
	return lo > 0 && r->max_end[lo - 1] > a;
}

/* The lowest (align)ed address >= (floor) and below (limit) where (size)
 * bytes of writable RAM are free; false if there is none. */
static bool find_free_from(const struct plan *p, uint64_t size,
			   uint64_t align, uint64_t floor, uint64_t limit,
			   uint64_t *out)
{
	const struct config *cfg = p->cfg;
	struct ranges r = ranges_of(p);
	bool found = false;
	uint64_t low = cfg->stack > MIN_STACK ? cfg->stack - MIN_STACK : 0;

	for (size_t i = 0; i < cfg->nregions + r.n; i++) {
		uint64_t a = i < cfg->nregions ? cfg->regions[i].base
					       : r.max_end[i - cfg->nregions];
		a = align_up(a < floor ? floor : a, align);
		if (a + size > limit || a + size < a || (found && a >= *out))
			continue;
		if (!plan_ram_covers(&p->facts, a, size, true) || ranges_hit(&r, a, size) ||
		    (cfg->has_stack && overlaps(a, size, low, cfg->stack - low)))
			continue;
		*out = a;
		found = true;
	}
	free(r.start);
	free(r.max_end);
	return found;
}

static bool find_free(const struct plan *p, uint64_t size, uint64_t align,
		      uint64_t limit, uint64_t *out)
{
	return find_free_from(p, size, align, PLACE_FLOOR, limit, out);
}

/* ---- images ---- */

/* A Multiboot kernel: its header checked, and with the a.out kludge its
 * one segment and entry from the header's address fields. */
static bool multiboot_kernel(struct image *img, struct diag *d,
			     const struct image_cfg *ic, const char *key)
{
	struct mb_header h;
	char why[200];
	struct segment seg;
	uint64_t entry;

	if (!mb_find_header(img->file, img->file_size, &h, why, sizeof why)) {
		diag_add(d, ic->pos, key, "'%s': %s", ic->path, why);
		return false;
	}
	if (!(h.flags & MB_FLAG_ADDRESSES)) {
		if (!img->elf)
			diag_add(d, ic->pos, key, "'%s' is not ELF, and its "
				 "Multiboot header has no load addresses (flag "
				 "16)", ic->path);
		return img->elf;
	}
	if (!mb_kludge_segment(&h, img->file, img->file_size, &seg, &entry, why,
			       sizeof why)) {
		diag_add(d, ic->pos, key, "'%s': %s", ic->path, why);
		return false;
	}
	free(img->segs);
	img->segs = malloc(sizeof *img->segs);
	if (!img->segs)
		err(EXIT_USAGE, "malloc");
	img->segs[0] = seg;
	img->nsegs = 1;
	img->entry = entry;
	img->elf = false; /* loaded by its header, whatever its format */
	return true;
}

static void load_images(struct plan *p, const struct config *cfg)
{
	struct diag *d = &p->diag;
	char key[32], what[48], want[48], got[48];

	p->images = calloc(cfg->nimages ? cfg->nimages : 1, sizeof *p->images);
	if (!p->images)
		err(EXIT_USAGE, "calloc");
	p->nimages = cfg->nimages;
	for (size_t i = 0; i < cfg->nimages; i++) {
		struct image_cfg *ic = &cfg->images[i];
		struct image *img = &p->images[i];
		snprintf(key, sizeof key, "load[%zu].%s", i,
			 ic->kind == IMAGE_ELF ? "elf" : "raw");
		bool ok = ic->kind == IMAGE_ELF
				  ? image_load_elf(img, ic->path, d, ic->pos, key)
				  : image_load_raw(img, ic->path, ic->at, d,
						   ic->pos, key);
		if (!ok)
			continue;
		if (cfg->boot == BOOT_MULTIBOOT && !multiboot_kernel(img, d, ic, key))
			continue;
		if (img->elf && (img->elf_class != p->mode->elf_class ||
				 img->machine != p->mode->elf_machine)) {
			diag_add(d, ic->pos, key, "'%s' is %s; %s mode runs %s",
				 ic->path,
				 image_kind_name(img->elf_class, img->machine, got),
				 p->mode->name,
				 image_kind_name(p->mode->elf_class,
						 p->mode->elf_machine, want));
			continue;
		}
		for (size_t s = 0; s < img->nsegs; s++) {
			struct segment *sg = &img->segs[s];
			if (img->elf)
				snprintf(what, sizeof what, "load[%zu] segment %u",
					 i, sg->index);
			else
				snprintf(what, sizeof what, "load[%zu]", i);
			struct blob *b = add_blob(p, what, sg->paddr, sg->memsz,
						  ic->pos);
			b->data = sg->data;
			b->len = sg->filesz;
			b->vaddr = sg->vaddr;
			b->seg = sg;
			b->image = i;
		}
	}
}

/* How to fix a segment of an image that misses RAM: the memory that
 * would hold it, and, for an ELF linked where gcc puts programs
 * (0x400000, or 0x8048000 with -m32), the link option that moves it. */
static const char *outside_hint(const struct plan *p, const struct blob *b)
{
	static char hint[200];
	uint64_t end = b->gpa + b->size, mib = 1ULL << 20;

	if (!b->seg || end < b->gpa || end > (64ULL << 30))
		return "";
	int n = snprintf(hint, sizeof hint, "; memory: %lluM would hold it",
			 (unsigned long long)((end + mib - 1) / mib));
	if (p->images[b->image].elf && b->gpa >= 0x400000 &&
	    b->vaddr == b->gpa)
		snprintf(hint + n, sizeof hint - (size_t)n, ", or link the "
			 "guest lower: gcc -Wl,-Ttext-segment=0x100000");
	return hint;
}

/* Every blob in RAM, and no two overlapping: a sweep in address order,
 * each blob checked against the one reaching furthest before it. */
static void check_blobs(struct plan *p)
{
	const struct blob **s = sorted_blobs(p), *reach = NULL;

	for (size_t i = 0; i < p->nblobs; i++) {
		const struct blob *b = s[i];
		bool table = !b->seg; /* kvmrun's own: GDT or page tables */
		if (!plan_ram_covers(&p->facts, b->gpa, b->size, table))
			diag_add(&p->diag, b->pos, "", "%s [0x%llx, 0x%llx) "
				 "lies outside %sRAM%s", b->what,
				 (unsigned long long)b->gpa,
				 (unsigned long long)(b->gpa + b->size),
				 table ? "writable " : "", outside_hint(p, b));
		else if (reach && overlaps(b->gpa, b->size, reach->gpa, reach->size))
			diag_add(&p->diag, b->pos, "", "%s [0x%llx, "
				 "0x%llx) overlaps %s [0x%llx, 0x%llx)",
				 b->what, (unsigned long long)b->gpa,
				 (unsigned long long)(b->gpa + b->size),
				 reach->what, (unsigned long long)reach->gpa,
				 (unsigned long long)(reach->gpa + reach->size));
		if (!reach || b->gpa + b->size > reach->gpa + reach->size)
			reach = b;
	}
	free(s);
}

/* ---- page tables ---- */

static void push_map(struct plan *p, uint64_t start, uint64_t end,
		     uint64_t page, unsigned flags, struct pos pos)
{
	if (end <= start)
		return;
	p->maps = realloc(p->maps, (p->nmaps + 1) * sizeof *p->maps);
	if (!p->maps)
		err(EXIT_USAGE, "realloc");
	p->maps[p->nmaps++] = (struct map_cfg){ .virt = start, .phys = start,
						.size = end - start,
						.page = page, .flags = flags,
						.pos = pos };
}

struct span {
	uint64_t lo, hi;
};

static int by_lo(const void *x, const void *y)
{
	const struct span *a = x, *b = y;

	return a->lo < b->lo ? -1 : a->lo > b->lo;
}

/* Identity-map with 4K pages the parts of [lo, hi) that no mapping so far
 * covers (a handler's pages may lie in a ROM region already mapped). */
static void map_gaps(struct plan *p, uint64_t lo, uint64_t hi, unsigned flags,
		     struct pos pos)
{
	struct span *used = calloc(p->nmaps + 1, sizeof *used);
	size_t n = 0;

	if (!used)
		err(EXIT_USAGE, "calloc");
	for (size_t i = 0; i < p->nmaps; i++) {
		const struct map_cfg *m = &p->maps[i];
		if (m->virt < hi && m->virt + m->size > lo)
			used[n++] = (struct span){ m->virt > lo ? m->virt : lo,
						   m->virt + m->size < hi ? m->virt + m->size : hi };
	}
	qsort(used, n, sizeof *used, by_lo);
	uint64_t at = lo;
	for (size_t i = 0; i < n; i++) {
		if (used[i].lo > at)
			push_map(p, at, used[i].lo, PAGE_4K, flags, pos);
		at = used[i].hi > at ? used[i].hi : at;
	}
	if (at < hi)
		push_map(p, at, hi, PAGE_4K, flags, pos);
	free(used);
}

/* Identity-map all RAM with the largest pages that fit (4K at unaligned
 * edges), and the MMIO handlers' pages uncached. */
static void default_maps(struct plan *p, const struct config *cfg)
{
	uint64_t big = p->mode->paging == PT_32BIT ? PAGE_4M : PAGE_2M;
	uint64_t limit = p->mode->paging == PT_32BIT ? FOUR_GIB : 1ULL << 47;

	for (size_t i = 0; i < cfg->nregions; i++) {
		const struct mem_region *r = &cfg->regions[i];
		uint64_t start = r->base, end = r->base + r->size;
		/* ROM too is mapped writable: a write reaches KVM's
		 * read-only slot, exits as MMIO, and the report names the
		 * region and the value (with CR0.WP, a read-only mapping
		 * would make it a page fault that says less). */
		unsigned flags = MAP_WRITE;
		if (end > limit && p->mode->paging == PT_4LEVEL) {
			/* Four levels reach 2^48; the upper half of that is
			 * not canonical at its own address. */
			char key[32];
			snprintf(key, sizeof key, "memory[%zu]", i);
			diag_add(&p->diag, r->pos, key, "RAM up to 0x%llx goes "
				 "past 0x%llx, the end of the default identity "
				 "map of long mode: the guest could not reach it "
				 "there; place it lower or map it with paging.map",
				 (unsigned long long)end,
				 (unsigned long long)limit);
		}
		if (start >= limit)
			continue;
		end = end > limit ? limit : end;
		uint64_t mid = align_up(start, big), top = end & ~(big - 1);
		if (mid >= top) {
			push_map(p, start, end, PAGE_4K, flags, r->pos);
			continue;
		}
		push_map(p, start, mid, PAGE_4K, flags, r->pos);
		push_map(p, mid, top, big, flags, r->pos);
		push_map(p, top, end, PAGE_4K, flags, r->pos);
	}
	for (size_t i = 0; i < cfg->nmmio; i++) {
		const struct handler_cfg *h = &cfg->mmio[i];
		uint64_t lo = h->addr & ~(PAGE_4K - 1);
		uint64_t last = h->addr + h->size - 1; /* checked not to wrap */
		if (lo >= limit)
			continue;
		uint64_t hi = last >= limit ? limit : (last & ~(PAGE_4K - 1)) + PAGE_4K;
		map_gaps(p, lo, hi, MAP_WRITE | MAP_NOCACHE, h->pos);
	}
}

/* "paging.map[I]" in (buf), without printf: it is made for each of
 * thousands of entries, and read only when one has a problem. */
static const char *map_key(char buf[40], size_t i)
{
	static const char prefix[] = "paging.map[";
	char digits[24], *d = digits + sizeof digits;
	size_t n;

	*--d = '\0';
	*--d = ']';
	do
		*--d = (char)('0' + i % 10);
	while (i /= 10);
	n = (size_t)(digits + sizeof digits - d);
	memcpy(buf, prefix, sizeof prefix - 1);
	memcpy(buf + sizeof prefix - 1, d, n);
	return buf;
}

static bool build_tables(struct plan *p, const struct config *cfg, uint64_t base)
{
	size_t before = p->diag.count;
	char key[40];

	pt_free(&p->pt);
	pt_init(&p->pt, p->mode->paging, base);
	for (size_t i = 0; i < p->nmaps; i++)
		pt_map(&p->pt, &p->maps[i], &p->diag,
		       cfg->nmaps ? map_key(key, i) : "paging");
	return p->diag.count == before;
}

static void plan_tables(struct plan *p, const struct config *cfg)
{
	uint64_t base = cfg->paging_at, size;

	if (cfg->nmaps) {
		p->maps = calloc(cfg->nmaps, sizeof *p->maps);
		if (!p->maps)
			err(EXIT_USAGE, "calloc");
		memcpy(p->maps, cfg->maps, cfg->nmaps * sizeof *p->maps);
		p->nmaps = cfg->nmaps;
	} else {
		default_maps(p, cfg);
	}
	if (cfg->has_paging_at && base % PAGE_4K) {
		diag_add(&p->diag, cfg->paging_pos, "paging.at",
			 "wanted a multiple of 4 KiB, found 0x%llx",
			 (unsigned long long)base);
		return;
	}
	if (!build_tables(p, cfg, cfg->has_paging_at ? base : 0))
		return;
	size = p->pt.npages * PAGE_4K;
	if (cfg->has_paging_at) {
		/* placed where the config says; check_blobs checks it */
	} else if (find_free(p, size, PAGE_4K, FOUR_GIB, &base)) {
		build_tables(p, cfg, base);
	} else {
		diag_add(&p->diag, cfg->paging_pos, "paging", "no room for "
			 "%zu pages of page tables in writable RAM below 4 GiB",
			 p->pt.npages);
		return;
	}
	if (p->mode->paging == PT_32BIT && base + size > FOUR_GIB)
		diag_add(&p->diag, cfg->paging_pos, "paging.at", "32-bit "
			 "paging needs its tables below 4 GiB");
	struct blob *b = add_blob(p, "page tables", base, size,
				  cfg->has_paging ? cfg->paging_pos : cfg->mode_pos);
	b->data = p->pt.bytes;
	b->len = size;
}

bool plan_translate(const struct plan *p, uint64_t virt, uint64_t *phys,
		    struct pt_walk *walk)
{
	struct pt_walk w;

	if (!p->mode->paging) {
		*phys = virt;
		return true;
	}
	if (!p->pt.bytes ||
	    !pt_walk(pt_read_built, (void *)&p->pt, p->mode->paging, p->pt.base,
		     virt, &w))
		return false;
	*phys = w.phys;
	if (walk)
		*walk = w;
	return true;
}

/* ---- GDT ---- */

static void plan_gdt(struct plan *p, const struct config *cfg)
{
	uint64_t desc[3] = { 0, x86_desc_encode(&p->mode->code),
			     x86_desc_encode(&p->mode->data) };

	memcpy(p->gdt, desc, sizeof desc);
	p->gdt_limit = sizeof desc - 1;
	if (!find_free(p, sizeof desc, 16, FOUR_GIB, &p->gdt_base)) {
		diag_add(&p->diag, cfg->mode_pos, "cpu.mode", "no room for "
			 "the GDT in writable RAM below 4 GiB");
		return;
	}
	struct blob *b = add_blob(p, "GDT", p->gdt_base, sizeof desc,
				  cfg->mode_pos);
	b->data = p->gdt;
	b->len = sizeof desc;
}

/* ---- the diagnostic IDT ---- */

/* The port the stubs write to: the highest of 0xb0-0xdf no handler of
 * the config takes (0xdf unless a config uses it). */
static bool idt_port(const struct config *cfg, uint8_t *port)
{
	for (unsigned port_no = 0xdf; port_no >= 0xb0; port_no--) {
		bool taken = false;
		for (size_t i = 0; i < cfg->nports && !taken; i++)
			taken = port_no >= cfg->ports[i].addr &&
				port_no - cfg->ports[i].addr < cfg->ports[i].size;
		if (!taken) {
			*port = (uint8_t)port_no;
			return true;
		}
	}
	return false;
}

/* Whether the page at (base) is one the IDT may take: writable RAM,
 * seen by the guest at the same address, writable. */
static const char *idt_unusable(const struct plan *p, uint64_t base)
{
	uint64_t phys;
	struct pt_walk w;

	if (!plan_ram_covers(&p->facts, base, IDT_PAGE, true))
		return "is not in writable RAM";
	/* Outside long mode IDTR's base has 32 bits, paging or not. */
	if (p->mode->paging != PT_4LEVEL && base > FOUR_GIB - IDT_PAGE)
		return "is not below 4 GiB";
	if (!plan_translate(p, base, &phys, &w) || phys != base ||
	    (p->mode->paging && !w.write))
		return "is not mapped writable at its own address by the page tables";
	return NULL;
}

static void plan_idt(struct plan *p, const struct config *cfg)
{
	bool long_mode = p->mode->paging == PT_4LEVEL;
	const char *why = NULL;
	uint64_t base = cfg->idt_at;

	if (!idt_port(cfg, &p->idt_port)) {
		why = "every port from 0xb0 to 0xdf has a handler";
	} else if (cfg->has_idt_at) {
		why = idt_unusable(p, base);
	} else if (!find_free(p, IDT_PAGE, IDT_PAGE,
			      long_mode ? 1ULL << 47 : FOUR_GIB, &base)) {
		why = "no free page of writable RAM";
	} else if ((why = idt_unusable(p, base))) {
		why = "its free page is not mapped at its own address";
	}
	if (why && cfg->has_idt_at) {
		diag_add(&p->diag, cfg->idt_pos, "cpu.idt", "page 0x%llx %s",
			 (unsigned long long)base, why);
		return;
	}
	p->idt_why = why;
	if (why)
		return;
	p->has_idt = true;
	p->idt_base = base;
	idt_build(p->idt_page, base, long_mode, p->mode->code.selector,
		  p->idt_port);
	struct blob *b = add_blob(p, "diagnostic IDT", base, IDT_PAGE,
				  cfg->has_idt_at ? cfg->idt_pos : cfg->mode_pos);
	b->data = p->idt_page;
	b->len = IDT_PAGE;
}

/* ---- entry and stack ---- */

static void plan_entry(struct plan *p, const struct config *cfg)
{
	struct diag *d = &p->diag;
	struct pos pos = cfg->has_entry ? cfg->entry_pos : cfg->images[0].pos;
	const char *key = cfg->has_entry ? "cpu.entry" : "load[0]";
	uint64_t phys;
	struct pt_walk w;

	p->entry = cfg->has_entry ? cfg->entry : p->images[0].entry;
	if (p->entry >= p->mode->addr_limit) {
		diag_add(d, pos, key, "entry 0x%llx is out of reach in %s mode "
			 "(below 0x%llx)", (unsigned long long)p->entry,
			 p->mode->name,
			 (unsigned long long)p->mode->addr_limit);
		return;
	}
	if (!plan_translate(p, p->entry, &phys, &w)) {
		/* The mapping that would cover it: where an image holds
		 * the entry, that image's physical page, else the same. */
		uint64_t virt = p->entry & ~(PAGE_4K - 1), to = virt;
		for (size_t i = 0; i < p->nblobs; i++) {
			const struct blob *b = &p->blobs[i];
			if (b->seg && p->entry >= b->vaddr && p->entry - b->vaddr < b->size)
				to = (b->gpa + (p->entry - b->vaddr)) & ~(PAGE_4K - 1);
		}
		if (plan_region(&p->facts, to, 1))
			diag_add(d, pos, key, "entry 0x%llx is not mapped by the "
				 "page tables; a mapping such as { virt: 0x%llx, "
				 "phys: 0x%llx, size: 4K } in paging.map would "
				 "cover it", (unsigned long long)p->entry,
				 (unsigned long long)virt, (unsigned long long)to);
		else
			diag_add(d, pos, key, "entry 0x%llx is not mapped by the "
				 "page tables, and no image or RAM is there: is "
				 "the entry right?", (unsigned long long)p->entry);
		return;
	}
	if (p->mode->paging && w.nx)
		diag_add(d, pos, key, "entry 0x%llx is mapped with nx: take nx "
			 "off the paging.map entry that covers it",
			 (unsigned long long)p->entry);
	if (!plan_region(&p->facts, phys, 1))
		diag_add(d, pos, key, "entry 0x%llx (physical 0x%llx) is not in "
			 "RAM", (unsigned long long)p->entry,
			 (unsigned long long)phys);
}

/* Where the stack starts when the config does not say: the top of the
 * writable region holding the entry (else the first writable region). */
static uint64_t default_stack(const struct plan *p, const struct config *cfg)
{
	const struct mem_region *r = NULL;
	uint64_t phys;

	if (plan_translate(p, p->entry, &phys, NULL))
		r = plan_region(&p->facts, phys, 1);
	for (size_t i = 0; (!r || r->readonly) && i < cfg->nregions; i++)
		r = &cfg->regions[i];
	if (!r || r->readonly)
		return 0;
	uint64_t top = r->base + r->size;
	if (cfg->mode == MODE_REAL) {
		uint64_t seg_top = ((p->entry >> 16) + 1) << 16;
		return top < seg_top ? top : seg_top;
	}
	if (p->mode->paging != PT_4LEVEL && top > FOUR_GIB)
		top = FOUR_GIB;
	return top;
}

static void plan_stack(struct plan *p, const struct config *cfg)
{
	struct diag *d = &p->diag;
	struct pos pos = cfg->has_stack ? cfg->stack_pos : cfg->mode_pos;
	const char *key = cfg->has_stack ? "cpu.stack" : "cpu";
	struct pt_walk w;
	uint64_t phys;

	p->stack = cfg->has_stack ? cfg->stack : default_stack(p, cfg);
	if (p->stack == 0) {
		diag_add(d, pos, key, "%s", cfg->has_stack ? "stack 0 leaves no "
			 "room below it" : "no writable RAM for the stack");
		return;
	}
	if (p->stack - 1 >= p->mode->addr_limit) {
		diag_add(d, pos, key, "stack 0x%llx is out of reach in %s mode",
			 (unsigned long long)p->stack, p->mode->name);
		return;
	}
	if (!plan_translate(p, p->stack - 1, &phys, &w) ||
	    (p->mode->paging && !w.write)) {
		diag_add(d, pos, key, "%sstack 0x%llx is not mapped writable by "
			 "the page tables%s", cfg->has_stack ? "" : "the default ",
			 (unsigned long long)p->stack,
			 cfg->has_stack ? "" : ": set cpu.stack");
		return;
	}
	p->stack_phys = phys + 1;
	const struct mem_region *r = plan_region(&p->facts, phys, 1);
	if (!r || r->readonly) {
		diag_add(d, pos, key, "stack 0x%llx (physical 0x%llx) is not in "
			 "writable RAM", (unsigned long long)p->stack,
			 (unsigned long long)p->stack_phys);
		return;
	}
	uint64_t floor = r->base;
	const char *below = "the start of its region";
	for (size_t i = 0; i < p->nblobs; i++) {
		const struct blob *b = &p->blobs[i];
		if (b->gpa <= phys && phys - b->gpa < b->size) {
			diag_add(d, pos, key, "stack 0x%llx starts inside %s "
				 "[0x%llx, 0x%llx)", (unsigned long long)p->stack,
				 b->what, (unsigned long long)b->gpa,
				 (unsigned long long)(b->gpa + b->size));
			return;
		}
		if (b->gpa + b->size <= phys && b->gpa + b->size > floor) {
			floor = b->gpa + b->size;
			below = b->what;
		}
	}
	p->stack_floor = floor;
	if (p->stack_phys - floor < MIN_STACK)
		diag_add(d, pos, key, "stack 0x%llx leaves %llu bytes above %s; "
			 "at least %d are needed", (unsigned long long)p->stack,
			 (unsigned long long)(p->stack_phys - floor), below,
			 MIN_STACK);
}

/* ---- handlers ---- */

static const char *handler_key(const char *set, const struct handler_cfg *h,
			       char buf[40])
{
	snprintf(buf, 40, "%s.0x%llx", set, (unsigned long long)h->addr);
	return buf;
}

/* What KVM handles in the kernel with irqchip (and its PIT): a handler
 * there would never see an access. */
static const struct kernel_device {
	bool mmio, pit;
	uint64_t addr, size;
	const char *what;
} kernel_devices[] = {
	{ false, false, 0x20, 2, "the PIC (master)" },
	{ false, false, 0xa0, 2, "the PIC (slave)" },
	{ false, false, 0x4d0, 2, "the PIC's ELCR" },
	{ false, true, 0x40, 4, "the PIT" },
	{ false, true, 0x61, 1, "the PIT's speaker port" },
	{ true, false, X86_IOAPIC_BASE, 0x100, "the IOAPIC" },
	{ true, false, X86_LAPIC_BASE, 0x1000, "the local APIC" },
};

static void check_kernel_devices(struct plan *p, const struct config *cfg)
{
	char key[40];

	for (size_t d = 0; cfg->irqchip && d < sizeof kernel_devices /
						sizeof *kernel_devices; d++) {
		const struct kernel_device *k = &kernel_devices[d];
		const struct handler_cfg *h = k->mmio ? cfg->mmio : cfg->ports;
		size_t n = k->mmio ? cfg->nmmio : cfg->nports;
		if (k->pit && !cfg->pit)
			continue;
		for (size_t i = 0; i < n; i++)
			if (overlaps(h[i].addr, h[i].size, k->addr, k->size))
				diag_add(&p->diag, h[i].pos, handler_key(
					 k->mmio ? "mmio" : "ports", &h[i], key),
					 "0x%llx + %llu overlaps %s at 0x%llx, "
					 "which KVM handles in the kernel with "
					 "irqchip: the handler would never run",
					 (unsigned long long)h[i].addr,
					 (unsigned long long)h[i].size, k->what,
					 (unsigned long long)k->addr);
	}
}

static void check_handlers(struct plan *p, const struct config *cfg)
{
	char key[40];

	check_kernel_devices(p, cfg);
	for (size_t i = 0; i < cfg->nmmio; i++) {
		struct handler_cfg *h = &cfg->mmio[i];
		for (size_t r = 0; r < cfg->nregions; r++) {
			struct mem_region *m = &cfg->regions[r];
			if (!m->readonly && overlaps(h->addr, h->size, m->base, m->size))
				diag_add(&p->diag, h->pos, handler_key("mmio", h, key),
					 "0x%llx + %llu lies in RAM: the guest "
					 "would never reach the handler",
					 (unsigned long long)h->addr,
					 (unsigned long long)h->size);
		}
	}
	struct { struct handler_cfg *h; size_t n; const char *key; } sets[] = {
		{ cfg->ports, cfg->nports, "ports" },
		{ cfg->mmio, cfg->nmmio, "mmio" },
	};
	for (size_t s = 0; s < 2; s++)
		for (size_t i = 0; i < sets[s].n; i++)
			for (size_t j = 0; j < i; j++) {
				struct handler_cfg *a = &sets[s].h[i], *b = &sets[s].h[j];
				if (overlaps(a->addr, a->size, b->addr, b->size))
					diag_add(&p->diag, a->pos,
						 handler_key(sets[s].key, a, key),
						 "0x%llx + %llu overlaps the "
						 "handler at 0x%llx",
						 (unsigned long long)a->addr,
						 (unsigned long long)a->size,
						 (unsigned long long)b->addr);
			}
}

/* Where expect.memory[i]'s { symbol: NAME } is, guest-physical, and how
 * many bytes it reads: the first ELF image that defines NAME, its
 * virtual address taken through the segment that holds it. */
static bool symbol_place(struct plan *p, const struct mem_expect *m,
			 const char *key, uint64_t *at, uint64_t *len)
{
	uint64_t addr, size;

	for (size_t i = 0; i < p->nimages; i++) {
		const struct image *img = &p->images[i];
		if (!symbols_find(img, m->symbol, &addr, &size))
			continue;
		for (size_t s = 0; s < img->nsegs; s++) {
			const struct segment *g = &img->segs[s];
			if (addr < g->vaddr || addr - g->vaddr >= g->memsz)
				continue;
			*at = g->paddr + (addr - g->vaddr);
			if (!m->width && !m->bytes && size != 1 && size != 2 &&
			    size != 4 && size != 8) {
				diag_add(&p->diag, m->pos, key, "value: '%s' is "
					 "%llu bytes, wanted 1, 2, 4 or 8: give "
					 "u8..u64 or bytes", m->symbol,
					 (unsigned long long)size);
				return false;
			}
			*len = m->width ? m->width : m->bytes ? m->len : size;
			if (size && *len > size) {
				diag_add(&p->diag, m->pos, key, "%s reads %llu "
					 "bytes; '%s' is %llu", m->what,
					 (unsigned long long)*len, m->symbol,
					 (unsigned long long)size);
				return false;
			}
			return true;
		}
		diag_add(&p->diag, m->pos, key, "'%s' (0x%llx) is in no "
			 "loaded segment of load[%zu]", m->symbol,
			 (unsigned long long)addr, i);
		return false;
	}
	bool elf = false;
	for (size_t i = 0; i < p->nimages; i++)
		elf |= p->images[i].elf;
	diag_add(&p->diag, m->pos, key, elf ? "no symbol '%s' in the ELF "
		 "images' symbol tables" : "'%s': symbols are read from an "
		 "ELF image's symbol table, and no image is ELF", m->symbol);
	return false;
}

/* What expect.memory reads after the run must be RAM: say so now, and
 * list the ranges the run collects for it (p->reads). */
static void check_expectations(struct plan *p, const struct config *cfg)
{
	char key[48];

	if (cfg->expect.nmem &&
	    !(p->reads = calloc(cfg->expect.nmem, sizeof *p->reads)))
		err(EXIT_USAGE, "calloc");
	for (size_t i = 0; i < cfg->expect.nmem; i++) {
		const struct mem_expect *m = &cfg->expect.mem[i];
		uint64_t at = m->at, len = m->width ? m->width : m->len, last;
		snprintf(key, sizeof key, "expect.memory[%zu]%s", i,
			 m->symbol ? ".symbol" : "");
		if (m->symbol && !symbol_place(p, m, key, &at, &len))
			continue;
		p->reads[p->nreads++] = (struct mem_read){ at, (size_t)len };
		if (!__builtin_add_overflow(at, len - 1, &last) &&
		    plan_ram_covers(&p->facts, at, len, false))
			continue;
		diag_add(&p->diag, m->pos, key, "[0x%llx, +%llu) is not in RAM",
			 (unsigned long long)at, (unsigned long long)len);
	}
}

/* ---- boot: sector ---- */

/* A PC's interrupt table, with no BIOS behind it: each vector reports
 * itself on the config's exit port (ivt.h). */
static void plan_ivt(struct plan *p, const struct config *cfg)
{
	const struct handler_cfg *exit = NULL;

	for (size_t i = 0; i < cfg->nports && !exit; i++)
		if (cfg->ports[i].kind == H_EXIT || cfg->ports[i].kind == H_DEBUG_EXIT)
			exit = &cfg->ports[i];
	if (!exit) {
		diag_add(&p->diag, cfg->boot_pos, "boot", "boot: sector needs "
			 "an exit or debug-exit port: the interrupt table "
			 "kvmrun puts at 0 reports BIOS calls on it");
		return;
	}
	if (!(p->ivt = malloc(IVT_BYTES)))
		err(EXIT_USAGE, "malloc");
	ivt_build(p->ivt, (uint16_t)exit->addr);
	p->has_ivt = true;
	struct blob *b = add_blob(p, "IVT (no BIOS)", 0, IVT_BYTES, cfg->boot_pos);
	b->data = p->ivt;
	b->len = IVT_BYTES;
}

/* ---- Multiboot ---- */

/* Modules and the information structure, above the kernel (page 0 and
 * low memory are where kernels put their SMP trampolines), below 4 GiB. */
static void plan_multiboot(struct plan *p, const struct config *cfg)
{
	struct diag *d = &p->diag;
	uint64_t floor = 1ULL << 20, at;
	struct mb_module *mods = calloc(cfg->nmodules + 1, sizeof *mods);
	char key[48], what[48];

	p->modules = calloc(cfg->nmodules + 1, sizeof *p->modules);
	if (!mods || !p->modules)
		err(EXIT_USAGE, "calloc");
	for (size_t i = 0; i < p->nblobs; i++)
		if (p->blobs[i].seg && p->blobs[i].gpa + p->blobs[i].size > floor)
			floor = p->blobs[i].gpa + p->blobs[i].size;
	for (size_t i = 0; i < cfg->nmodules; i++) {
		const struct module_cfg *m = &cfg->modules[i];
		struct image *img = &p->modules[i];
		snprintf(key, sizeof key, "multiboot.modules[%zu]", i);
		/* Set first: the information's size counts every module's
		 * line, also when a module cannot be read. */
		mods[i].cmdline = m->cmdline ? m->cmdline : m->file.given;
		if (!image_load_raw(img, m->file.path, 0, d, m->file.pos, key))
			continue;
		uint64_t size = img->file_size ? img->file_size : 1;
		if (!find_free_from(p, size, PAGE_4K, floor, FOUR_GIB, &at)) {
			diag_add(d, m->file.pos, key, "no room below 4 GiB for "
				 "%llu bytes of module", (unsigned long long)size);
			continue;
		}
		snprintf(what, sizeof what, "multiboot module %zu", i);
		struct blob *b = add_blob(p, what, at, size, m->file.pos);
		b->data = img->file;
		b->len = img->file_size;
		mods[i].start = (uint32_t)at;
		mods[i].end = (uint32_t)(at + img->file_size);
	}
	/* As QEMU: the kernel's name, then what the config appends. */
	const char *kernel = cfg->images[0].given;
	size_t len = strlen(kernel) + (cfg->cmdline ? strlen(cfg->cmdline) + 1 : 0) + 1;
	p->mb_cmdline = malloc(len);
	if (!p->mb_cmdline)
		err(EXIT_USAGE, "malloc");
	snprintf(p->mb_cmdline, len, "%s%s%s", kernel, cfg->cmdline ? " " : "",
		 cfg->cmdline ? cfg->cmdline : "");
	size_t size = mb_info_size(cfg, p->mb_cmdline, mods, cfg->nmodules);
	if (d->count == 0 &&
	    !find_free_from(p, size, 16, floor, FOUR_GIB, &p->mb_info_addr))
		diag_add(d, cfg->boot_pos, "boot", "no room below 4 GiB for the "
			 "Multiboot information (%zu bytes)", size);
	if (d->count == 0) {
		p->mb_info = malloc(size);
		if (!p->mb_info)
			err(EXIT_USAGE, "malloc");
		mb_info_build(p->mb_info, (uint32_t)p->mb_info_addr, cfg,
			      p->mb_cmdline, mods, cfg->nmodules);
		struct blob *b = add_blob(p, "multiboot information",
					  p->mb_info_addr, size, cfg->boot_pos);
		b->data = p->mb_info;
		b->len = size;
	}
	free(mods);
}

/* acpi: the tables in the BIOS area, where a kernel looks for them; in
 * RAM, which the config must give there. */
static void plan_acpi(struct plan *p, const struct config *cfg)
{
	if (!cfg->irqchip) {
		diag_add(&p->diag, cfg->acpi_pos, "acpi", "wanted irqchip with "
			 "acpi: its MADT describes the local APICs and the "
			 "IOAPIC, which irqchip makes");
		return;
	}
	if (!plan_ram_covers(&p->facts, ACPI_BASE, ACPI_SIZE, true)) {
		diag_add(&p->diag, cfg->acpi_pos, "acpi", "the ACPI tables go "
			 "at 0x%x-0x%x (a kernel looks for them there), which "
			 "is not writable RAM: start memory at 0", ACPI_BASE,
			 ACPI_BASE + ACPI_SIZE - 1);
		return;
	}
	p->acpi = malloc(ACPI_SIZE);
	if (!p->acpi)
		err(EXIT_USAGE, "malloc");
	acpi_build(p->acpi, cfg->cpus);
	struct blob *b = add_blob(p, "ACPI tables", ACPI_BASE, ACPI_SIZE,
				  cfg->acpi_pos);
	b->data = p->acpi;
	b->len = ACPI_SIZE;
}

/* Three pages below 4 GiB that no region or handler uses, for the TSS
 * that KVM keeps for real mode on some hosts; 0 if none. */
static uint64_t find_tss(const struct config *cfg)
{
	const uint64_t size = 4 * PAGE_4K;
	uint64_t a = 0xfffbc000ULL;

	/* Step below whatever overlaps, so that the search costs a few
	 * steps per region, not one per page of memory. */
	while (a >= 0x100000) {
		uint64_t base = UINT64_MAX;
		for (size_t i = 0; i < cfg->nregions; i++)
			if (overlaps(a, size, cfg->regions[i].base, cfg->regions[i].size))
				base = cfg->regions[i].base;
		for (size_t i = 0; i < cfg->nmmio; i++)
			if (overlaps(a, size, cfg->mmio[i].addr, cfg->mmio[i].size))
				base = cfg->mmio[i].addr;
		if (base == UINT64_MAX)
			return a + PAGE_4K;
		if (base < size + 0x100000)
			return 0;
		a = (base & ~(PAGE_4K - 1)) - size;
	}
	return 0;
}

/* ---- registers ---- */

static void plan_sregs(struct plan *p)
{
	const struct mode_state *m = p->mode;
	struct kvm_sregs *s = &p->sregs;
	struct kvm_segment code = m->code, data = m->data;

	if (p->cfg->mode == MODE_REAL) { /* segment:offset */
		code.selector = (uint16_t)((p->entry >> 4) & 0xf000);
		code.base = (uint64_t)code.selector << 4;
		data.selector = code.selector;
		data.base = code.base;
		s->ss = data;
		s->ss.selector = (uint16_t)(((p->stack - 1) >> 4) & 0xf000);
		s->ss.base = (uint64_t)s->ss.selector << 4;
		s->idt.limit = 0x3ff;
	} else {
		s->ss = data;
		s->gdt.base = p->gdt_base;
		s->gdt.limit = p->gdt_limit;
	}
	if (p->has_idt) {
		s->idt.base = p->idt_base;
		s->idt.limit = idt_limit(m->paging == PT_4LEVEL);
	}
	s->cs = code;
	s->ds = s->es = s->fs = s->gs = data;
	s->tr = (struct kvm_segment){ .type = X86_SYS_TSS_BUSY, .present = 1,
				      .limit = 0x67 };
	if (p->has_idt && m->paging == PT_4LEVEL)
		s->tr.base = p->idt_base + IDT_TSS; /* its IST1 */
	s->ldt = (struct kvm_segment){ .type = X86_SYS_LDT, .unusable = 1 };
	s->cr0 = m->cr0;
	s->cr4 = m->cr4;
	s->efer = m->efer | (p->pt.nx ? X86_EFER(NXE) : 0);
	s->cr3 = m->paging ? p->pt.base : 0;
}

static void plan_regs(struct plan *p, const struct config *cfg)
{
	struct kvm_regs *r = &p->regs;

	r->rflags = X86_RFLAGS_FIXED;
	if (cfg->boot == BOOT_MULTIBOOT) {
		r->rax = MB_BOOT_MAGIC;
		r->rbx = p->mb_info_addr;
	}
	r->rip = p->entry - p->sregs.cs.base;
	r->rsp = p->stack - p->sregs.ss.base;
	if (cfg->mode == MODE_REAL)
		r->rsp &= 0xffff;
	for (size_t i = 0; i < cfg->nregs; i++) {
		const struct reg_value *v = &cfg->regs[i];
		enum reg reg = v->reg->reg;
		if (reg == GPR_RIP || reg == GPR_RSP) {
			diag_add(&p->diag, v->pos, "cpu.regs", "set %s with "
				 "cpu.%s", v->reg->name,
				 reg == GPR_RIP ? "entry" : "stack");
			continue;
		}
		uint64_t old = cpu_reg_get(r, reg);
		uint64_t value = v->reg->width == 2 ? (old & ~0xffffULL) | v->value
						    : v->value;
		if (reg == GPR_RFLAGS)
			value |= X86_RFLAGS_FIXED;
		cpu_reg_set(r, reg, value);
	}
}

struct plan_facts plan_facts(const struct config *cfg)
{
	struct plan_facts f = {
		.timeout_ns = cfg->timeout_ns, .max_exits = cfg->max_exits,
		.fwcfg = { .cpus = (uint16_t)cfg->cpus, .max_cpus = (uint16_t)cfg->cpus },
		.regions = cfg->regions, .nregions = cfg->nregions,
		.cpus = cfg->cpus, .irqchip = cfg->irqchip, .pit = cfg->pit,
		.hyperv = cfg->hyperv,
		.cpuid = { .model = cfg->cpuid_model, .set = cfg->cpuid_set,
			   .clear = cfg->cpuid_clear, .nset = cfg->ncpuid_set,
			   .nclear = cfg->ncpuid_clear },
		.ports = cfg->ports, .mmio = cfg->mmio, .nports = cfg->nports,
		.nmmio = cfg->nmmio,
		.ignore_unhandled = cfg->unhandled == UNHANDLED_IGNORE,
	};

	for (size_t i = 0; i < cfg->nregions; i++)
		if (!cfg->regions[i].readonly)
			f.fwcfg.ram_size += cfg->regions[i].size;
	memcpy(f.cpuid.vendor, cfg->cpuid_vendor, sizeof f.cpuid.vendor);
	return f;
}

bool plan_build(struct plan *p, const struct config *cfg)
{
	struct diag *d = &p->diag;
	const size_t before = 0;

	memset(p, 0, sizeof *p);
	p->cfg = cfg;
	*d = (struct diag){ .file = cfg->diag.file, .text = cfg->diag.text,
			    .text_len = cfg->diag.text_len,
			    .overrides = cfg->diag.overrides };
	p->facts = plan_facts(cfg);
	p->mode = cpu_mode_state(cfg->mode);
	if (cfg->has_paging && !p->mode->paging)
		diag_add(d, cfg->paging_pos, "paging", "%s mode does not page; "
			 "paging is for paged32 and long", p->mode->name);
	if (!p->mode->gdt && cfg->has_idt_at)
		diag_add(d, cfg->idt_pos, "cpu.idt", "real mode has no IDT: its "
			 "exceptions go through the IVT at address 0");
	check_regions(p, cfg);
	check_handlers(p, cfg);
	load_images(p, cfg);
	if (cfg->boot == BOOT_SECTOR)
		plan_ivt(p, cfg);
	check_expectations(p, cfg); /* after the images: symbols name places in them */
	/* The images first: one that misses RAM is the cause to name, not
	 * the "no room" for the tables placed around it; with every other
	 * image's problems. */
	check_blobs(p);
	if (d->count != before)
		return false;
	/* At a fixed address: before what is placed wherever there is room. */
	if (cfg->acpi)
		plan_acpi(p, cfg);
	if (p->mode->paging && d->count == before)
		plan_tables(p, cfg);
	if (p->mode->gdt)
		plan_gdt(p, cfg);
	if (p->mode->gdt && !cfg->idt_off && d->count == before)
		plan_idt(p, cfg);
	if (d->count == before && cfg->boot == BOOT_MULTIBOOT)
		plan_multiboot(p, cfg);
	if (d->count != before)
		return false;
	check_blobs(p);
	plan_entry(p, cfg);
	plan_stack(p, cfg);
	p->tss_addr = find_tss(cfg);
	plan_sregs(p);
	plan_regs(p, cfg);
	return d->count == before;
}

void plan_free(struct plan *p)
{
	for (size_t i = 0; p->images && i < p->nimages; i++)
		image_free(&p->images[i]);
	free(p->images);
	for (size_t i = 0; p->modules && i < p->cfg->nmodules; i++)
		image_free(&p->modules[i]);
	free(p->modules);
	free(p->mb_cmdline);
	free(p->mb_info);
	free(p->acpi);
	free(p->blobs);
	free(p->ivt);
	free(p->maps);
	free(p->reads);
	pt_free(&p->pt);
	diag_free(&p->diag);
	memset(p, 0, sizeof *p);
}
