/* Writes the broken guest images that tests/errors/ feeds to kvmrun,
 * into the current folder. */
#include <err.h>
#include <stdio.h>

#include "unit/elfgen.h"

#define LOAD(off, pa, fs, ms) { PT_LOAD, off, pa, pa, fs, ms }

static const struct {
	const char *name;
	struct elfgen g;
} images[] = {
	{ "filesz-gt-memsz.elf",
	  { .entry = 0x100000, .nph = 1, .fill = 0xf4,
	    .ph = { LOAD(0x200, 0x100000, 0x40, 0x20) } } },
	{ "offset-past-end.elf",
	  { .entry = 0x100000, .nph = 1, .size = 0x300, .fill = 0xf4,
	    .ph = { LOAD(0x10000, 0x100000, 0x100, 0x100) } } },
	{ "paddr-wraps.elf",
	  { .entry = 0x100000, .nph = 1, .fill = 0xf4,
	    .ph = { LOAD(0x200, 0xfffffffffffff000ULL, 0x10, 0x2000) } } },
	{ "truncated.elf",
	  { .entry = 0x100000, .nph = 1, .size = 30,
	    .ph = { LOAD(0x200, 0x100000, 0x10, 0x10) } } },
	{ "shared-object.elf",
	  { .type = ET_DYN, .entry = 0x100000, .nph = 1, .fill = 0xf4,
	    .ph = { LOAD(0x200, 0x100000, 0x10, 0x10) } } },
	{ "no-load.elf",
	  { .entry = 0x100000, .nph = 1,
	    .ph = { { PT_NOTE, 0x200, 0, 0, 0x10, 0x10 } } } },
	{ "aarch64.elf",
	  { .machine = EM_AARCH64, .entry = 0x100000, .nph = 1, .fill = 0xf4,
	    .ph = { LOAD(0x200, 0x100000, 0x10, 0x10) } } },
	{ "overlapping-segments.elf",
	  { .entry = 0x100000, .nph = 2, .fill = 0xf4,
	    .ph = { LOAD(0x200, 0x100000, 0x100, 0x2000),
		    LOAD(0x300, 0x101000, 0x100, 0x100) } } },
	{ "huge-bss.elf",
	  { .entry = 0x100000, .nph = 1, .fill = 0xf4,
	    .ph = { LOAD(0x200, 0x100000, 0x10, 0x40000000) } } },
};

/* An ELF64 with (n) one-byte PT_LOAD segments, a page apart from 1 MiB. */
static void many_phdrs(const char *name, unsigned n)
{
	FILE *f = fopen(name, "wb");
	uint8_t eh[64] = { 0 }, ph[56];

	if (!f)
		err(1, "%s", name);
	memcpy(eh, ELFMAG, SELFMAG);
	eh[EI_CLASS] = ELFCLASS64;
	eh[EI_DATA] = ELFDATA2LSB;
	eh[EI_VERSION] = EV_CURRENT;
	elfgen_put(eh, 16, ET_EXEC, 2);
	elfgen_put(eh, 18, EM_X86_64, 2);
	elfgen_put(eh, 20, EV_CURRENT, 4);
	elfgen_put(eh, 24, 0x100000, 8);   /* e_entry */
	elfgen_put(eh, 32, 64, 8);         /* e_phoff */
	elfgen_put(eh, 52, 64, 2);         /* e_ehsize */
	elfgen_put(eh, 54, 56, 2);         /* e_phentsize */
	elfgen_put(eh, 56, n, 2);          /* e_phnum */
	fwrite(eh, 1, sizeof eh, f);
	uint64_t data = 64 + (uint64_t)n * 56;
	for (unsigned i = 0; i < n; i++) {
		memset(ph, 0, sizeof ph);
		elfgen_put(ph, 0, PT_LOAD, 4);
		elfgen_put(ph, 4, PF_R | PF_X, 4);
		elfgen_put(ph, 8, data, 8);
		elfgen_put(ph, 16, 0x100000 + (uint64_t)i * 0x1000, 8);
		elfgen_put(ph, 24, 0x100000 + (uint64_t)i * 0x1000, 8);
		elfgen_put(ph, 32, 1, 8);
		elfgen_put(ph, 40, 1, 8);
		fwrite(ph, 1, sizeof ph, f);
	}
	fputc(0xf4, f); /* hlt */
	if (fclose(f) != 0)
		err(1, "%s", name);
}

/* (size) bytes of zeros. */
static void zeros(const char *name, long size)
{
	FILE *f = fopen(name, "wb");

	if (!f || fseek(f, size - 1, SEEK_SET) != 0 || fputc(0, f) == EOF ||
	    fclose(f) != 0)
		err(1, "%s", name);
}

int main(void)
{
	many_phdrs("many-phdrs.elf", 3000);
	zeros("big.raw", 3 << 20);
	for (size_t i = 0; i < sizeof images / sizeof images[0]; i++)
		if (elfgen_write(images[i].name, &images[i].g) != 0)
			err(1, "%s", images[i].name);
	return 0;
}
