/* x86 page tables as bytes: builder and software walker. */
#include "kvmrun-config.h"

#include "paging.h"

#include <err.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "config.h"
#include "status.h"
#include "x86.h"

#define ADDR_MASK_4 0x000ffffffffff000ULL /* address bits of a 64-bit entry */

static const struct pt_geometry geometries[] = {
	[PT_32BIT] = {
		.name = "32-bit", .levels = 2, .entry_size = 4, .index_bits = 10,
		.addr_mask = 0xfffff000ULL, .page_sizes = "4K or 4M",
		.level_names = { "", "PT", "PD" },
	},
	[PT_4LEVEL] = {
		.name = "4-level", .levels = 4, .entry_size = 8, .index_bits = 9,
		.addr_mask = ADDR_MASK_4, .page_sizes = "4K, 2M or 1G",
		.level_names = { "", "PT", "PD", "PDPT", "PML4" }, .nx = true,
	},
};

const struct pt_geometry *pt_geometry(enum pt_kind kind)
{
	return &geometries[kind];
}

unsigned pt_level_shift(enum pt_kind kind, int level)
{
	return 12 + geometries[kind].index_bits * (unsigned)(level - 1);
}

uint64_t pt_entry_frame(enum pt_kind kind, int level, uint64_t e)
{
	uint64_t mask = geometries[kind].addr_mask;

	if (!pt_is_leaf(kind, level, e))
		return e & mask;
	/* A 4 MiB page of 32-bit paging keeps bits 31:22 only (no PSE-36). */
	if (kind == PT_32BIT && level == 2)
		return e & 0xffc00000ULL;
	return e & mask & ~((1ULL << pt_level_shift(kind, level)) - 1);
}

uint64_t pt_canonical(enum pt_kind kind, uint64_t v)
{
	return kind == PT_4LEVEL && (v >> 47) & 1 ? v | 0xffff000000000000ULL : v;
}

enum pt_kind pt_kind_of(uint64_t cr0, uint64_t cr4, uint64_t efer,
			const char **why)
{
	*why = NULL;
	if (!(cr0 & X86_CR0(PG)))
		return PT_NONE;
	if (efer & X86_EFER(LMA)) {
		if (!(cr4 & X86_CR4(LA57)))
			return PT_4LEVEL;
		*why = "5-level paging is not decoded";
	} else if (cr4 & X86_CR4(PAE)) {
		*why = "PAE paging is not decoded";
	} else {
		return PT_32BIT;
	}
	return PT_NONE;
}

void pt_init(struct pt *pt, enum pt_kind kind, uint64_t base)
{
	memset(pt, 0, sizeof *pt);
	pt->kind = kind;
	pt->base = base;
	pt->npages = 1; /* the root */
	pt->cap = 4; /* grows by doubling */
	pt->bytes = calloc(pt->cap, PAGE_4K);
	if (!pt->bytes)
		err(EXIT_USAGE, "calloc");
}

void pt_free(struct pt *pt)
{
	free(pt->bytes);
	memset(pt, 0, sizeof *pt);
}

static size_t entry_size(const struct pt *pt)
{
	return geometries[pt->kind].entry_size;
}

static uint64_t get_entry(const struct pt *pt, size_t page, unsigned index)
{
	const uint8_t *p = pt->bytes + page * PAGE_4K + index * entry_size(pt);

	if (entry_size(pt) == 4) {
		uint32_t v;
		memcpy(&v, p, 4);
		return v;
	}
	uint64_t v;
	memcpy(&v, p, 8);
	return v;
}

static void set_entry(struct pt *pt, size_t page, unsigned index, uint64_t v)
{
	uint8_t *p = pt->bytes + page * PAGE_4K + index * entry_size(pt);

	if (entry_size(pt) == 4) {
		uint32_t w = (uint32_t)v;
		memcpy(p, &w, 4);
	} else {
		memcpy(p, &v, 8);
	}
}

static size_t new_table(struct pt *pt)
{
	if (pt->npages == pt->cap) {
		pt->cap *= 2;
		pt->bytes = realloc(pt->bytes, pt->cap * PAGE_4K);
		if (!pt->bytes)
			err(EXIT_USAGE, "realloc");
	}
	memset(pt->bytes + pt->npages * PAGE_4K, 0, PAGE_4K);
	return pt->npages++;
}

static unsigned level_index(enum pt_kind kind, int level, uint64_t virt)
{
	unsigned bits = geometries[kind].index_bits;

	return (unsigned)(virt >> pt_level_shift(kind, level)) & ((1U << bits) - 1);
}

/* The level whose entries map pages of (page) bytes, or 0. */
static int leaf_level(enum pt_kind kind, uint64_t page)
{
	if (page == PAGE_4K)
		return 1;
	if (kind == PT_32BIT)
		return page == PAGE_4M ? 2 : 0;
	return page == PAGE_2M ? 2 : page == PAGE_1G ? 3 : 0;
}

uint64_t pt_flags(unsigned flags)
{
	uint64_t f = 0;

	f |= flags & MAP_WRITE ? PTE_RW : 0;
	f |= flags & MAP_USER ? PTE_US : 0;
	f |= flags & MAP_NX ? PTE_NX : 0;
	f |= flags & MAP_GLOBAL ? PTE_G : 0;
	f |= flags & MAP_NOCACHE ? PTE_PCD : 0;
	f |= flags & MAP_WRITETHROUGH ? PTE_PWT : 0;
	return f;
}

/*
 * Write leaves for up to (count) pages from (virt) -> (phys), as many as
 * lie in the leaf table of (virt): one walk down for up to 512 entries.
 * Returns how many were written; 0 if the first slot, or the way down to
 * it, is taken by another mapping.
 */
static uint64_t map_run(struct pt *pt, uint64_t virt, uint64_t phys,
			uint64_t page, uint64_t count, int leaf, uint64_t flags)
{
	size_t table = 0;
	/* Upper levels allow everything; the leaf decides the rights. */
	const uint64_t upper = PTE_P | PTE_RW | PTE_US | PTE_A;
	const unsigned per_table = 1U << geometries[pt->kind].index_bits;

	for (int level = geometries[pt->kind].levels; level > leaf; level--) {
		unsigned i = level_index(pt->kind, level, virt);
		uint64_t e = get_entry(pt, table, i);
		if (!(e & PTE_P)) {
			size_t next = new_table(pt);
			e = (pt->base + next * PAGE_4K) | upper;
			set_entry(pt, table, i, e);
		} else if (e & PTE_PS) {
			return 0;
		}
		table = (size_t)(((e & ADDR_MASK_4) - pt->base) / PAGE_4K);
	}
	uint64_t base = flags | PTE_P | PTE_A | PTE_D | (leaf > 1 ? PTE_PS : 0);
	uint64_t n = 0;
	for (unsigned i = level_index(pt->kind, leaf, virt);
	     i < per_table && n < count; i++, n++) {
		if (get_entry(pt, table, i) & PTE_P)
			break;
		set_entry(pt, table, i, (phys + n * page) | base);
	}
	return n;
}

static bool check_map(struct pt *pt, const struct map_cfg *m, struct diag *d,
		      const char *key)
{
	size_t before = d->count;
	uint64_t vend, pend;
	const struct pt_geometry *g = &geometries[pt->kind];

	if (!leaf_level(pt->kind, m->page))
		diag_add(d, m->pos, key, "page: wanted %s in %s paging, found "
			 "0x%llx", g->page_sizes, g->name,
			 (unsigned long long)m->page);
	else if ((m->virt | m->phys | m->size) & (m->page - 1))
		diag_add(d, m->pos, key, "virt 0x%llx, phys 0x%llx and size "
			 "0x%llx must be multiples of the page size 0x%llx",
			 (unsigned long long)m->virt, (unsigned long long)m->phys,
			 (unsigned long long)m->size, (unsigned long long)m->page);
	if (m->size == 0)
		diag_add(d, m->pos, key, "size: wanted a size above zero, found 0");
	if (__builtin_add_overflow(m->virt, m->size - 1, &vend) ||
	    __builtin_add_overflow(m->phys, m->size - 1, &pend)) {
		diag_add(d, m->pos, key, "range wraps past the end of the "
			 "address space");
		return false;
	}
	if (pt->kind == PT_32BIT) {
		if (vend >> 32 || pend >> 32)
			diag_add(d, m->pos, key, "32-bit paging reaches only "
				 "the first 4 GiB; found [0x%llx, 0x%llx] -> 0x%llx",
				 (unsigned long long)m->virt,
				 (unsigned long long)vend,
				 (unsigned long long)m->phys);
		if (m->flags & MAP_NX)
			diag_add(d, m->pos, key, "flag nx needs long mode "
				 "(32-bit paging has no NX bit)");
	} else {
		/* 48-bit canonical: one half or the other, not across. */
		bool lo = vend < (1ULL << 47);
		bool hi = m->virt >= 0xffff800000000000ULL;
		if (!lo && !hi)
			diag_add(d, m->pos, key, "virtual range [0x%llx, 0x%llx] "
				 "is not canonical (48-bit addresses)",
				 (unsigned long long)m->virt,
				 (unsigned long long)vend);
		if (pend >> 52)
			diag_add(d, m->pos, key, "phys 0x%llx is beyond the "
				 "52-bit physical address space",
				 (unsigned long long)pend);
	}
	return d->count == before;
}

bool pt_map(struct pt *pt, const struct map_cfg *m, struct diag *d,
	    const char *key)
{
	if (!check_map(pt, m, d, key))
		return false;
	int leaf = leaf_level(pt->kind, m->page);
	uint64_t flags = pt_flags(m->flags);
	uint64_t pages = m->size / m->page;
	if (pages > PT_MAX_LEAVES - pt->leaves) {
		diag_add(d, m->pos, key, "mapping %llu more pages of 0x%llx bytes "
			 "would pass the %llu that kvmrun writes at most: map "
			 "less, or with larger pages",
			 (unsigned long long)pages, (unsigned long long)m->page,
			 (unsigned long long)PT_MAX_LEAVES);
		return false;
	}
	pt->leaves += pages;
	for (uint64_t done = 0; done < pages;) {
		uint64_t off = done * m->page;
		uint64_t n = map_run(pt, m->virt + off, m->phys + off, m->page,
				     pages - done, leaf, flags);
		if (n == 0) {
			diag_add(d, m->pos, key, "virtual 0x%llx is already "
				 "mapped by an earlier mapping",
				 (unsigned long long)(m->virt + off));
			return false;
		}
		done += n;
	}
	pt->nx |= (m->flags & MAP_NX) != 0;
	pt->huge1g |= m->page == PAGE_1G;
	return true;
}

bool pt_read_built(void *ctx, uint64_t gpa, uint64_t *value, unsigned size)
{
	const struct pt *pt = ctx;

	if (gpa < pt->base || gpa - pt->base > pt->npages * PAGE_4K - size)
		return false;
	*value = 0;
	memcpy(value, pt->bytes + (gpa - pt->base), size);
	return true;
}

const char *pt_level_name(enum pt_kind kind, int level)
{
	return geometries[kind].level_names[level];
}

bool pt_is_leaf(enum pt_kind kind, int level, uint64_t e)
{
	if (level == 1)
		return true;
	return (e & PTE_PS) && (kind == PT_4LEVEL ? level <= 3 : level == 2);
}

const char *pt_entry_flags(enum pt_kind kind, int level, uint64_t e, char *buf,
			   size_t size)
{
	static const struct { uint64_t bit; const char *name; } names[] = {
		{ PTE_P, "P" },	    { PTE_RW, "RW" }, { PTE_US, "US" },
		{ PTE_PWT, "PWT" }, { PTE_PCD, "PCD" }, { PTE_A, "A" },
		{ PTE_D, "D" },	    { PTE_PS, "PS" }, { PTE_G, "G" },
		{ PTE_NX, "NX" },
	};
	bool leaf = pt_is_leaf(kind, level, e);
	size_t n = 0;

	buf[0] = '\0';
	if (!(e & PTE_P)) {
		snprintf(buf, size, "not present");
		return buf;
	}
	for (size_t i = 0; i < sizeof names / sizeof names[0] && n < size; i++) {
		if (!(e & names[i].bit))
			continue;
		/* Bit 7 of a 4K entry is PAT; D and G mean nothing above a leaf. */
		const char *name = names[i].bit == PTE_PS && level == 1 ? "PAT"
								     : names[i].name;
		if (!leaf && (names[i].bit == PTE_D || names[i].bit == PTE_G))
			continue;
		if (names[i].bit == PTE_NX && !geometries[kind].nx)
			continue;
		n += (size_t)snprintf(buf + n, size - n, "%s%s", n ? " " : "", name);
	}
	if (!(e & PTE_RW) && n < size)
		snprintf(buf + n, size - n, " (read-only)");
	return buf;
}

bool pt_walk(pt_read_fn read, void *ctx, enum pt_kind kind, uint64_t root,
	     uint64_t virt, struct pt_walk *out)
{
	const struct pt_geometry *g = &geometries[kind];
	uint64_t table = root & g->addr_mask, e = 0;

	memset(out, 0, sizeof *out);
	out->write = out->user = true;
	if (kind == PT_32BIT && virt >> 32)
		return false;
	for (int level = g->levels; level >= 1; level--) {
		unsigned index = level_index(kind, level, virt);
		uint64_t at = table + index * g->entry_size;
		struct pt_step *st = &out->step[out->nsteps++];
		*st = (struct pt_step){ level, index, at, 0, false };
		st->read = read(ctx, at, &e, g->entry_size);
		st->entry = st->read ? e : 0;
		if (!st->read || !(e & PTE_P))
			return false;
		out->write &= (e & PTE_RW) != 0;
		out->user &= (e & PTE_US) != 0;
		out->nx |= g->nx && (e & PTE_NX);
		if (pt_is_leaf(kind, level, e)) {
			uint64_t page = 1ULL << pt_level_shift(kind, level);
			out->phys = pt_entry_frame(kind, level, e) | (virt & (page - 1));
			out->page = page;
			out->leaf = e;
			return true;
		}
		table = pt_entry_frame(kind, level, e);
	}
	return false;
}
