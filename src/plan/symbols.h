/* Where an address is in a guest's ELF image: the function from the
 * symbol table, and the source line from the DWARF line table (libdw)
 * when the image has one. */
#ifndef KVMRUN_SYMBOLS_H
#define KVMRUN_SYMBOLS_H

#include <stdbool.h>
#include <stdint.h>

#include "image.h"

struct code_place {
	bool have_function;
	char function[64];
	uint64_t offset;       /* from the function's start */
	uint64_t size;         /* the function's, or 0 when not known */
	bool have_line;
	char file[96];         /* the source file's last component */
	int line;
};

/* Fill (out) for virtual address (addr) in (img); false when the image
 * is not ELF or has neither a symbol nor a line for it. */
bool symbols_lookup(const struct image *img, uint64_t addr,
		    struct code_place *out);

/* The value and size of the symbol called (name) in ELF image (img), in
 * (*addr) and (*size); false when the image has no such symbol. */
bool symbols_find(const struct image *img, const char *name, uint64_t *addr,
		  uint64_t *size);

/* "<function+0x4> file.c:17", "<function>" or "" for (pl), in (buf). */
const char *symbols_str(const struct code_place *pl, char *buf, size_t size);

#endif
