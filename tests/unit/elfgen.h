/* Writes small ELF files, well-formed or deliberately not, for tests. */
#ifndef KVMRUN_ELFGEN_H
#define KVMRUN_ELFGEN_H

#include <elf.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

struct elfgen_phdr {
	uint32_t type;
	uint64_t offset, paddr, vaddr, filesz, memsz;
};

struct elfgen {
	bool elf32;
	uint16_t machine, type; /* 0: EM_X86_64/EM_386 and ET_EXEC */
	uint64_t entry;
	struct elfgen_phdr ph[4];
	int nph;
	size_t size;     /* file size; 0: just enough for every segment */
	uint8_t fill;    /* the bytes of the segments */
};

static inline void elfgen_put(uint8_t *buf, size_t at, uint64_t v, int n)
{
	memcpy(buf + at, &v, (size_t)n); /* x86 is little-endian */
}

/* Write (g) to (path); returns 0 or -1. */
static inline int elfgen_write(const char *path, const struct elfgen *g)
{
	size_t eh = g->elf32 ? 52 : 64, ph = g->elf32 ? 32 : 56;
	size_t size = g->size;

	if (!size) {
		size = eh + (size_t)g->nph * ph;
		for (int i = 0; i < g->nph; i++)
			if (g->ph[i].offset + g->ph[i].filesz > size)
				size = g->ph[i].offset + g->ph[i].filesz;
	}
	size_t full = size > eh + 4 * ph ? size : eh + 4 * ph;
	uint8_t *b = calloc(1, full);
	if (!b)
		return -1;
	memset(b + eh + (size_t)g->nph * ph, g->fill,
	       full - eh - (size_t)g->nph * ph);
	memcpy(b, ELFMAG, SELFMAG);
	b[EI_CLASS] = g->elf32 ? ELFCLASS32 : ELFCLASS64;
	b[EI_DATA] = ELFDATA2LSB;
	b[EI_VERSION] = EV_CURRENT;
	elfgen_put(b, 16, g->type ? g->type : ET_EXEC, 2);
	elfgen_put(b, 18, g->machine ? g->machine : g->elf32 ? EM_386 : EM_X86_64, 2);
	elfgen_put(b, 20, EV_CURRENT, 4);
	int w = g->elf32 ? 4 : 8;
	elfgen_put(b, 24, g->entry, w);
	elfgen_put(b, 24 + (size_t)w, eh, w);          /* e_phoff */
	size_t rest = 24 + 3 * (size_t)w + 4;          /* after e_flags */
	elfgen_put(b, rest, eh, 2);                    /* e_ehsize */
	elfgen_put(b, rest + 2, ph, 2);                /* e_phentsize */
	elfgen_put(b, rest + 4, (uint64_t)g->nph, 2);  /* e_phnum */
	for (int i = 0; i < g->nph; i++) {
		const struct elfgen_phdr *p = &g->ph[i];
		size_t at = eh + (size_t)i * ph;
		if (g->elf32) {
			elfgen_put(b, at, p->type, 4);
			elfgen_put(b, at + 4, p->offset, 4);
			elfgen_put(b, at + 8, p->vaddr, 4);
			elfgen_put(b, at + 12, p->paddr, 4);
			elfgen_put(b, at + 16, p->filesz, 4);
			elfgen_put(b, at + 20, p->memsz, 4);
			elfgen_put(b, at + 24, PF_R | PF_X, 4);
		} else {
			elfgen_put(b, at, p->type, 4);
			elfgen_put(b, at + 4, PF_R | PF_X, 4);
			elfgen_put(b, at + 8, p->offset, 8);
			elfgen_put(b, at + 16, p->vaddr, 8);
			elfgen_put(b, at + 24, p->paddr, 8);
			elfgen_put(b, at + 32, p->filesz, 8);
			elfgen_put(b, at + 40, p->memsz, 8);
		}
	}
	FILE *f = fopen(path, "wb");
	int rc = f && fwrite(b, 1, size, f) == size ? 0 : -1;
	if (f && fclose(f) != 0)
		rc = -1;
	free(b);
	return rc;
}

#endif
