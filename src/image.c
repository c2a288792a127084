/* Guest images from files: ELF32/ELF64 through libelf, or raw bytes. */
#include "kvmrun-config.h"

#include "image.h"

#include <err.h>
#include <errno.h>
#include <gelf.h>
#include <libelf.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "status.h"

static bool read_all(struct image *img, const char *path, struct diag *d,
		     struct pos pos, const char *key)
{
	FILE *f = fopen(path, "rb");
	struct stat st;

	if (!f) {
		diag_add(d, pos, key, "cannot open '%s': %s", path,
			 strerror(errno));
		return false;
	}
	if (fstat(fileno(f), &st) != 0 || !S_ISREG(st.st_mode)) {
		diag_add(d, pos, key, "'%s' is not a regular file", path);
		fclose(f);
		return false;
	}
	img->file_size = (size_t)st.st_size;
	img->file = malloc(img->file_size ? img->file_size : 1);
	if (!img->file)
		err(EXIT_USAGE, "malloc %zu bytes for '%s'", img->file_size, path);
	size_t got = fread(img->file, 1, img->file_size, f);
	fclose(f);
	if (got != img->file_size) {
		diag_add(d, pos, key, "cannot read '%s': short read", path);
		return false;
	}
	return true;
}

const char *image_kind_name(int elf_class, int machine, char buf[48])
{
	const char *m = machine == EM_386      ? "i386"
			: machine == EM_X86_64 ? "x86-64"
					       : NULL;
	const char *c = elf_class == ELFCLASS32 ? "ELF32"
			: elf_class == ELFCLASS64 ? "ELF64"
						  : "ELF";
	if (m)
		snprintf(buf, 48, "%s %s", c, m);
	else
		snprintf(buf, 48, "%s machine %d", c, machine);
	return buf;
}

/* Check one program header and add it as a segment. */
static bool add_segment(struct image *img, const GElf_Phdr *ph, unsigned i,
			const char *path, struct diag *d, struct pos pos,
			const char *key)
{
	uint64_t end;

	if (ph->p_filesz > ph->p_memsz) {
		diag_add(d, pos, key, "%s: segment %u: p_filesz 0x%llx is larger "
			 "than p_memsz 0x%llx", path, i,
			 (unsigned long long)ph->p_filesz,
			 (unsigned long long)ph->p_memsz);
		return false;
	}
	if (__builtin_add_overflow(ph->p_offset, ph->p_filesz, &end) ||
	    end > img->file_size) {
		diag_add(d, pos, key, "%s: segment %u: file bytes [0x%llx, "
			 "+0x%llx) go past the end of the file (%zu bytes)",
			 path, i, (unsigned long long)ph->p_offset,
			 (unsigned long long)ph->p_filesz, img->file_size);
		return false;
	}
	if (__builtin_add_overflow(ph->p_paddr, ph->p_memsz - 1, &end) ||
	    __builtin_add_overflow(ph->p_vaddr, ph->p_memsz - 1, &end)) {
		diag_add(d, pos, key, "%s: segment %u: 0x%llx + 0x%llx wraps "
			 "past the end of the address space", path, i,
			 (unsigned long long)ph->p_paddr,
			 (unsigned long long)ph->p_memsz);
		return false;
	}
	img->segs[img->nsegs++] = (struct segment){
		.index = i, .paddr = ph->p_paddr, .vaddr = ph->p_vaddr,
		.filesz = ph->p_filesz, .memsz = ph->p_memsz,
		.data = img->file + ph->p_offset,
	};
	return true;
}

bool image_load_elf(struct image *img, const char *path, struct diag *d,
		    struct pos pos, const char *key)
{
	size_t before = d->count, nph;
	GElf_Ehdr eh;

	memset(img, 0, sizeof *img);
	img->elf = true;
	if (!read_all(img, path, d, pos, key))
		return false;
	if (elf_version(EV_CURRENT) == EV_NONE)
		errx(EXIT_USAGE, "libelf: %s", elf_errmsg(-1));
	Elf *e = elf_memory((char *)img->file, img->file_size);
	if (!e || elf_kind(e) != ELF_K_ELF || !gelf_getehdr(e, &eh)) {
		diag_add(d, pos, key, "'%s' is not an ELF file%s%s", path,
			 e && elf_kind(e) != ELF_K_ELF ? "" : ": ",
			 e && elf_kind(e) != ELF_K_ELF ? "" : elf_errmsg(-1));
		if (e)
			elf_end(e);
		return false;
	}
	img->elf_class = gelf_getclass(e);
	img->machine = eh.e_machine;
	img->entry = eh.e_entry;
	if (eh.e_type != ET_EXEC) {
		diag_add(d, pos, key, "'%s' is not an executable (e_type %u; "
			 "wanted ET_EXEC, linked at fixed addresses)", path,
			 eh.e_type);
	} else if (elf_getphdrnum(e, &nph) != 0) {
		diag_add(d, pos, key, "%s: program headers: %s", path,
			 elf_errmsg(-1));
	} else {
		img->segs = calloc(nph ? nph : 1, sizeof *img->segs);
		if (!img->segs)
			err(EXIT_USAGE, "calloc");
		for (size_t i = 0; i < nph; i++) {
			GElf_Phdr ph;
			if (!gelf_getphdr(e, (int)i, &ph)) {
				diag_add(d, pos, key, "%s: program header %zu: %s",
					 path, i, elf_errmsg(-1));
				continue;
			}
			if (ph.p_type == PT_LOAD && ph.p_memsz)
				add_segment(img, &ph, (unsigned)i, path, d, pos,
					    key);
		}
		if (img->nsegs == 0 && d->count == before)
			diag_add(d, pos, key, "'%s' has no PT_LOAD segment",
				 path);
	}
	elf_end(e);
	return d->count == before;
}

bool image_load_raw(struct image *img, const char *path, uint64_t at,
		    struct diag *d, struct pos pos, const char *key)
{
	uint64_t end;

	memset(img, 0, sizeof *img);
	if (!read_all(img, path, d, pos, key))
		return false;
	if (img->file_size == 0) {
		diag_add(d, pos, key, "'%s' is empty", path);
		return false;
	}
	if (__builtin_add_overflow(at, img->file_size - 1, &end)) {
		diag_add(d, pos, key, "'%s' (%zu bytes) at 0x%llx wraps past "
			 "the end of the address space", path, img->file_size,
			 (unsigned long long)at);
		return false;
	}
	img->segs = calloc(1, sizeof *img->segs);
	if (!img->segs)
		err(EXIT_USAGE, "calloc");
	img->segs[0] = (struct segment){ .paddr = at, .vaddr = at,
					 .filesz = img->file_size,
					 .memsz = img->file_size,
					 .data = img->file };
	img->nsegs = 1;
	img->entry = at;
	return true;
}

void image_free(struct image *img)
{
	free(img->file);
	free(img->segs);
	memset(img, 0, sizeof *img);
}
