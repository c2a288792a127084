/* x86 page tables as bytes: a builder for 32-bit and 4-level paging, and
 * a software walker (KVM_TRANSLATE is not available everywhere). */
#ifndef KVMRUN_PAGING_H
#define KVMRUN_PAGING_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "x86.h"

struct diag;
struct map_cfg;

#define PTE_P (1ULL << 0)
#define PTE_RW (1ULL << 1)
#define PTE_US (1ULL << 2)
#define PTE_PWT (1ULL << 3)
#define PTE_PCD (1ULL << 4)
#define PTE_A (1ULL << 5)
#define PTE_D (1ULL << 6)
#define PTE_PS (1ULL << 7)
#define PTE_G (1ULL << 8)
#define PTE_NX (1ULL << 63)

#define PAGE_4K 0x1000ULL
#define PAGE_2M 0x200000ULL
#define PAGE_4M 0x400000ULL
#define PAGE_1G 0x40000000ULL

/* What one kind of paging looks like: one row per kind, in paging.c, read
 * by the plan, the VM, the failure report and --explain. */
struct pt_geometry {
	const char *name;        /* "32-bit", "4-level" */
	int levels;              /* tables on the way down: 2 or 4 */
	unsigned entry_size;     /* bytes: 4 or 8 */
	unsigned index_bits;     /* bits of the address each level uses */
	uint64_t addr_mask;      /* the frame bits of an entry */
	const char *page_sizes;  /* the page sizes it maps, as config words */
	const char *level_names[5]; /* by level, 1 being the last table */
	bool nx;                 /* entries have an NX bit */
};

const struct pt_geometry *pt_geometry(enum pt_kind kind);

/* The bit where the index of (level) begins in a linear address; a leaf
 * there maps pages of 1 << that many bytes. */
unsigned pt_level_shift(enum pt_kind kind, int level);

/* The physical address entry (e) at (level) points to: its page when it
 * is a leaf, else the next table. */
uint64_t pt_entry_frame(enum pt_kind kind, int level, uint64_t e);

/* (v) with bit 47 copied upwards in 4-level paging. */
uint64_t pt_canonical(enum pt_kind kind, uint64_t v);

/* The paging that CR0, CR4 and EFER turn on; PT_NONE when it is off, or
 * with (why) when it is a kind kvmrun does not decode (PAE, 5-level). */
enum pt_kind pt_kind_of(uint64_t cr0, uint64_t cr4, uint64_t efer,
			const char **why);

/* Tables being built, the root first. */
struct pt {
	enum pt_kind kind;
	uint64_t base;  /* guest-physical address of the first table */
	uint8_t *bytes; /* npages * 4 KiB */
	size_t npages, cap;
	bool nx, huge1g; /* some entry uses NX / a 1 GiB page */
	uint64_t leaves; /* pages mapped so far */
};

/* Pages one set of tables may map (64 MiB of leaf entries): more is a
 * config mistake, not a guest. */
#define PT_MAX_LEAVES (8ULL << 20)

/* Start empty tables of (kind) at guest-physical (base). */
void pt_init(struct pt *pt, enum pt_kind kind, uint64_t base);

/*
 * Map (m) into the tables. Problems (alignment, a page size or flag the
 * mode lacks, a range that collides with an earlier mapping) go to (d)
 * under (key) and return false.
 */
bool pt_map(struct pt *pt, const struct map_cfg *m, struct diag *d,
	    const char *key);

void pt_free(struct pt *pt);

/* Reads (size) bytes (4 or 8) at guest-physical (gpa); false if absent. */
typedef bool (*pt_read_fn)(void *ctx, uint64_t gpa, uint64_t *value,
			   unsigned size);

struct pt_step {
	int level;          /* 4 (PML4) .. 1 (PT), or 2 .. 1 in 32-bit paging */
	unsigned index;
	uint64_t addr;      /* guest-physical address of the entry */
	uint64_t entry;
	bool read;          /* false: the entry's memory could not be read */
};

struct pt_walk {
	struct pt_step step[4]; /* the entries read, root first */
	int nsteps;
	uint64_t phys;      /* the translation of the address walked */
	uint64_t page;      /* size of the page that maps it */
	uint64_t leaf;      /* the leaf entry */
	bool write, user, nx; /* effective rights over all levels */
};

/* Translate (virt) through the tables of (kind) at (root). */
bool pt_walk(pt_read_fn read, void *ctx, enum pt_kind kind, uint64_t root,
	     uint64_t virt, struct pt_walk *out);

/* The name of the tables at (level) of (kind): "PML4". */
const char *pt_level_name(enum pt_kind kind, int level);

/* True if (entry) at (level) maps a page rather than a table. */
bool pt_is_leaf(enum pt_kind kind, int level, uint64_t entry);

/* The flags of (entry) at (level), as "P RW US A D PS", into (buf). */
const char *pt_entry_flags(enum pt_kind kind, int level, uint64_t entry, char *buf,
			   size_t size);

/* A pt_read_fn over tables being built (ctx is the struct pt). */
bool pt_read_built(void *ctx, uint64_t gpa, uint64_t *value, unsigned size);

/* The page-table flags for a config's MAP_* (flags). */
uint64_t pt_flags(unsigned flags);

#endif
