/*
 * Page tables: build them from mappings, then walk every declared mapping
 * back through the bytes with the software walker, and check that what is
 * not declared is not mapped.
 */
#include "kvmrun-config.h"

#include "config.h"
#include "paging.h"
#include "unit.h"

#define MAP(v, p, s, pg, f) { .virt = (v), .phys = (p), .size = (s), .page = (pg), .flags = (f) }

static bool build(struct pt *pt, enum pt_kind kind, uint64_t base,
		  const struct map_cfg *maps, size_t n, struct diag *d)
{
	bool ok = true;

	pt_init(pt, kind, base);
	for (size_t i = 0; i < n; i++)
		ok &= pt_map(pt, &maps[i], d, "map");
	return ok;
}

/* Walk (virt) and compare with what mapping (m) declares. */
static void expect_mapped(struct pt *pt, const struct map_cfg *m, uint64_t off)
{
	struct pt_walk w;
	bool ok = pt_walk(pt_read_built, pt, pt->kind, pt->base,
			  m->virt + off, &w);

	CHECK(ok);
	if (!ok) {
		fprintf(stderr, "  virt 0x%llx not mapped\n",
			(unsigned long long)(m->virt + off));
		return;
	}
	CHECK_U64(w.phys, m->phys + off);
	CHECK_U64(w.page, m->page);
	CHECK(w.write == !!(m->flags & MAP_WRITE));
	CHECK(w.user == !!(m->flags & MAP_USER));
	CHECK(w.nx == !!(m->flags & MAP_NX));
	CHECK(!!(w.leaf & PTE_G) == !!(m->flags & MAP_GLOBAL));
	CHECK(!!(w.leaf & PTE_PCD) == !!(m->flags & MAP_NOCACHE));
	CHECK(!!(w.leaf & PTE_PWT) == !!(m->flags & MAP_WRITETHROUGH));
}

/* Every page of every mapping (with an odd offset inside it). */
static void walk_all(struct pt *pt, const struct map_cfg *maps, size_t n)
{
	for (size_t i = 0; i < n; i++)
		for (uint64_t off = 0; off < maps[i].size; off += maps[i].page) {
			expect_mapped(pt, &maps[i], off);
			expect_mapped(pt, &maps[i], off + maps[i].page - 8);
		}
}

static void expect_unmapped(struct pt *pt, uint64_t virt)
{
	struct pt_walk w;

	CHECK(!pt_walk(pt_read_built, pt, pt->kind, pt->base, virt, &w));
}

static void long_mode(void)
{
	static const struct map_cfg maps[] = {
		MAP(0, 0, 4 << 20, PAGE_2M, MAP_WRITE),
		MAP(0xffffffff80000000ULL, 0x200000, 64 << 10, PAGE_4K, MAP_WRITE | MAP_GLOBAL),
		MAP(0x40000000, 0x40000000, 1ULL << 30, PAGE_1G, MAP_USER | MAP_NX),
		MAP(0x7fff00000000ULL, 0xd0000000, 8 << 10, PAGE_4K, MAP_NOCACHE | MAP_WRITETHROUGH),
		MAP(0x600000, 0x123456000ULL, 12 << 10, PAGE_4K, MAP_WRITE | MAP_USER),
	};
	struct diag d = { 0 };
	struct pt pt;

	CHECK(build(&pt, PT_4LEVEL, 0x10000, maps, 5, &d));
	CHECK_U64(d.count, 0);
	walk_all(&pt, maps, 5);
	CHECK(pt.nx && pt.huge1g);
	expect_unmapped(&pt, 4 << 20);
	expect_unmapped(&pt, 0xffffffff80010000ULL);
	expect_unmapped(&pt, 0xffffffff7ffff000ULL);
	expect_unmapped(&pt, 0x80000000);
	expect_unmapped(&pt, 0x603000);
	/* The root is at the base and table addresses stay inside the area. */
	uint64_t e;
	CHECK(pt_read_built(&pt, 0x10000, &e, 8));
	CHECK((e & PTE_P) && (e & ~0xfffULL & ((1ULL << 52) - 1)) > 0x10000);
	CHECK((e & 0x000ffffffffff000ULL) < 0x10000 + pt.npages * PAGE_4K);
	pt_free(&pt);
	diag_free(&d);
}

static void default_sized(void)
{
	/* 64 GiB in 2 MiB pages: PML4, PDPT and 64 page directories. */
	static const struct map_cfg big = MAP(0, 0, 64ULL << 30, PAGE_2M, MAP_WRITE);
	struct diag d = { 0 };
	struct pt pt;

	CHECK(build(&pt, PT_4LEVEL, 0x1000, &big, 1, &d));
	CHECK_U64(pt.npages, 66);
	walk_all(&pt, &big, 1);
	expect_unmapped(&pt, 64ULL << 30);
	pt_free(&pt);
	diag_free(&d);
}

static void paged32(void)
{
	static const struct map_cfg maps[] = {
		MAP(0, 0, 8 << 20, PAGE_4M, MAP_WRITE),
		MAP(0x800000, 0x800000, 64 << 10, PAGE_4K, MAP_USER),
		MAP(0xc0000000, 0x00900000, 4 << 20, PAGE_4K, MAP_WRITE | MAP_GLOBAL),
		MAP(0xffc00000, 0x01000000, 4 << 20, PAGE_4M, MAP_NOCACHE),
	};
	struct diag d = { 0 };
	struct pt pt;

	CHECK(build(&pt, PT_32BIT, 0x2000, maps, 4, &d));
	walk_all(&pt, maps, 4);
	expect_unmapped(&pt, 0x810000);
	expect_unmapped(&pt, 0xc0400000);
	/* 32-bit entries: the 4M page directory entry has PS and no upper half. */
	uint64_t pde;
	CHECK(pt_read_built(&pt, 0x2000, &pde, 4));
	CHECK((pde & PTE_PS) && (pde & PTE_RW) && (pde >> 22) == 0);
	CHECK(pt_read_built(&pt, 0x2000 + 4 * 0x3ff, &pde, 4));
	CHECK_U64(pde & 0xffc00000, 0x01000000);
	pt_free(&pt);
	diag_free(&d);
}

static void refused(enum pt_kind kind, struct map_cfg m, const char *want)
{
	struct diag d = { 0 };
	struct pt pt;

	CHECK(!build(&pt, kind, 0x1000, &m, 1, &d));
	CHECK(d.count >= 1);
	if (d.count && !strstr(d.msgs[0].text, want)) {
		fprintf(stderr, "  got '%s', wanted '%s'\n", d.msgs[0].text, want);
		unit_failures++;
	}
	pt_free(&pt);
	diag_free(&d);
}

static void errors(void)
{
	refused(PT_4LEVEL, (struct map_cfg)MAP(0x1000, 0, 2 << 20, PAGE_2M, 0), "multiples of the page size");
	refused(PT_4LEVEL, (struct map_cfg)MAP(0, 0, 4 << 20, PAGE_4M, 0), "wanted 4K, 2M or 1G");
	refused(PT_32BIT, (struct map_cfg)MAP(0, 0, 2 << 20, PAGE_2M, 0), "wanted 4K or 4M");
	refused(PT_32BIT, (struct map_cfg)MAP(0, 0, 4 << 20, PAGE_4M, MAP_NX), "nx needs long mode");
	refused(PT_32BIT, (struct map_cfg)MAP(0xffc00000, 0, 8 << 20, PAGE_4M, 0), "first 4 GiB");
	refused(PT_4LEVEL, (struct map_cfg)MAP(0x800000000000ULL, 0, 4096, PAGE_4K, 0), "not canonical");
	refused(PT_4LEVEL, (struct map_cfg)MAP(0xfffffffffffff000ULL, 0, 8192, PAGE_4K, 0), "wraps");
	refused(PT_4LEVEL, (struct map_cfg)MAP(0, 0, 0, PAGE_4K, 0), "above zero");

	/* A 4K page inside a 2M page, and a 2M page over 4K tables. */
	static const struct map_cfg clash1[] = {
		MAP(0, 0, 2 << 20, PAGE_2M, 0), MAP(0x1000, 0, 4096, PAGE_4K, 0),
	};
	static const struct map_cfg clash2[] = {
		MAP(0x1000, 0, 4096, PAGE_4K, 0), MAP(0, 0, 2 << 20, PAGE_2M, 0),
	};
	struct diag d = { 0 };
	struct pt pt;
	CHECK(!build(&pt, PT_4LEVEL, 0x1000, clash1, 2, &d));
	CHECK(d.count == 1 && strstr(d.msgs[0].text, "already mapped"));
	pt_free(&pt);
	diag_free(&d);
	CHECK(!build(&pt, PT_4LEVEL, 0x1000, clash2, 2, &d));
	CHECK(d.count == 1 && strstr(d.msgs[0].text, "already mapped"));
	pt_free(&pt);
	diag_free(&d);
}

int main(void)
{
	long_mode();
	default_sized();
	paged32();
	errors();
	UNIT_DONE();
}
