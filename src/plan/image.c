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
#include <fcntl.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

#include "status.h"

/* Map (path) read-only into (img). Opened without blocking, so that a
 * FIFO or a device is refused rather than waited on; mapped rather than
 * read, so that a huge or sparse file costs only the pages the plan
 * touches (its headers and what is loaded), after the layout checks. */
static bool read_all(struct image *img, const char *path, struct diag *d,
		     struct pos pos, const char *key)
{
	int fd = open(path, O_RDONLY | O_NONBLOCK | O_CLOEXEC | O_NOCTTY);
	struct stat st;

	if (fd < 0) {
		diag_add(d, pos, key, "cannot open '%s': %s", path,
			 strerror(errno));
		return false;
	}
	if (fstat(fd, &st) != 0 || !S_ISREG(st.st_mode)) {
		diag_add(d, pos, key, "'%s' is not a regular file", path);
		close(fd);
		return false;
	}
	img->file_size = (size_t)st.st_size;
	img->file = NULL;
	if (img->file_size) {
		void *m = mmap(NULL, img->file_size, PROT_READ, MAP_PRIVATE,
			       fd, 0);
		if (m == MAP_FAILED) {
			diag_add(d, pos, key, "cannot map '%s' (%zu bytes): %s",
				 path, img->file_size, strerror(errno));
			img->file_size = 0;
			close(fd);
			return false;
		}
		img->file = m;
	}
	/* An ELF's symbols and DWARF are read after the sandbox is in
	 * place, through a writable view of their own (symbols.c). */
	if (img->elf && img->file_size)
		img->fd = fd;
	else
		close(fd);
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
	/* x86 is little-endian; libelf would convert another order's
	 * headers, and the mapping is read-only. */
	if (img->file_size > EI_DATA && memcmp(img->file, ELFMAG, SELFMAG) == 0 &&
	    img->file[EI_DATA] != ELFDATA2LSB) {
		if (img->file[EI_DATA] == ELFDATA2MSB)
			diag_add(d, pos, key, "'%s' is a big-endian ELF file; "
				 "x86 guests are little-endian (ELFDATA2LSB)",
				 path);
		else
			diag_add(d, pos, key, "'%s' is not a valid ELF file: "
				 "its data encoding (EI_DATA) is %u, wanted 1 "
				 "(ELFDATA2LSB, little-endian)", path,
				 img->file[EI_DATA]);
		return false;
	}
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
			 "wanted ET_EXEC, linked at fixed addresses: "
			 "link with gcc -static -no-pie)", path,
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
	if (img->file)
		munmap(img->file, img->file_size);
	if (img->fd > 0)
		close(img->fd);
	free(img->segs);
	memset(img, 0, sizeof *img);
}
