/* Guest images from files: ELF32/ELF64 through libelf, or raw bytes. */
#ifndef KVMRUN_IMAGE_H
#define KVMRUN_IMAGE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "diag.h"

struct segment {
	unsigned index;   /* program header number */
	uint64_t paddr, vaddr;
	uint64_t filesz, memsz;
	const uint8_t *data; /* filesz bytes inside the image's file */
};

struct image {
	uint8_t *file;  /* the whole file, mapped privately */
	size_t file_size;
	int fd;         /* an ELF file, open for the failure report's own
			 * view of it (symbols.c); 0 when none (0 is always
			 * standard input, see main.c) */
	bool elf;
	int elf_class;  /* ELFCLASS32 or ELFCLASS64 */
	int machine;    /* e_machine */
	uint64_t entry; /* e_entry */
	struct segment *segs;
	size_t nsegs;
};

/*
 * Read the ELF file (path) into (img): every PT_LOAD segment with a
 * non-zero p_memsz, checked against the file and for wrapping. Problems
 * go to (d) at (pos) and (key); returns false if there were any.
 */
bool image_load_elf(struct image *img, const char *path, struct diag *d,
		    struct pos pos, const char *key);

/* Read the raw file (path) as one segment at guest-physical (at). */
bool image_load_raw(struct image *img, const char *path, uint64_t at,
		    struct diag *d, struct pos pos, const char *key);

/* A name for an ELF class and machine, such as "ELF64 x86-64". */
const char *image_kind_name(int elf_class, int machine, char buf[48]);

void image_free(struct image *img);

#endif
