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

int main(void)
{
	for (size_t i = 0; i < sizeof images / sizeof images[0]; i++)
		if (elfgen_write(images[i].name, &images[i].g) != 0)
			err(1, "%s", images[i].name);
	return 0;
}
