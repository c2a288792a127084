/* Symbols and source lines of guest images, read after the run. */
#include "kvmrun-config.h"

#include "symbols.h"

#include <elfutils/libdw.h>
#include <gelf.h>
#include <stdio.h>
#include <string.h>

#include "utf8.h"

/* A symbol that names code: a function, or a label of hand-written
 * assembly (no type, defined in a section, such as _start). */
static bool code_symbol(const GElf_Sym *s)
{
	int type = GELF_ST_TYPE(s->st_info);

	return type == STT_FUNC ||
	       (type == STT_NOTYPE && s->st_shndx != SHN_UNDEF &&
		s->st_shndx < SHN_LORESERVE);
}

/* The function symbol that holds (addr), or the nearest one below it
 * when sizes are 0 (hand-written assembly). */
static bool find_function(Elf *e, uint64_t addr, struct code_place *out)
{
	Elf_Scn *scn = NULL;
	uint64_t best = 0;
	bool found = false;

	while ((scn = elf_nextscn(e, scn))) {
		GElf_Shdr sh;
		Elf_Data *data;
		if (!gelf_getshdr(scn, &sh) || sh.sh_type != SHT_SYMTAB ||
		    !sh.sh_entsize || !(data = elf_getdata(scn, NULL)))
			continue;
		for (size_t i = 0; i < sh.sh_size / sh.sh_entsize; i++) {
			GElf_Sym s;
			if (!gelf_getsym(data, (int)i, &s) ||
			    !code_symbol(&s) ||
			    s.st_value > addr || (s.st_size && addr - s.st_value >= s.st_size) ||
			    (found && s.st_value <= best))
				continue;
			const char *name = elf_strptr(e, sh.sh_link, s.st_name);
			if (!name || !*name)
				continue;
			best = s.st_value;
			found = true;
			utf8_copy(out->function, sizeof out->function, name);
			out->offset = addr - s.st_value;
			out->size = s.st_size;
		}
	}
	return out->have_function = found;
}

static bool find_line(Elf *e, uint64_t addr, struct code_place *out)
{
	Dwarf *dw = dwarf_begin_elf(e, DWARF_C_READ, NULL);
	Dwarf_Die cu;
	Dwarf_Line *l;
	const char *src;

	if (!dw)
		return false;
	if (dwarf_addrdie(dw, addr, &cu) && (l = dwarf_getsrc_die(&cu, addr)) &&
	    (src = dwarf_linesrc(l, NULL, NULL)) &&
	    dwarf_lineno(l, &out->line) == 0) {
		const char *slash = strrchr(src, '/');
		utf8_copy(out->file, sizeof out->file, slash ? slash + 1 : src);
		out->have_line = true;
	}
	dwarf_end(dw);
	return out->have_line;
}

bool symbols_lookup(const struct image *img, uint64_t addr,
		    struct code_place *out)
{
	bool inside = false;

	memset(out, 0, sizeof *out);
	for (size_t i = 0; i < img->nsegs; i++)
		inside |= addr >= img->segs[i].vaddr &&
			  addr - img->segs[i].vaddr < img->segs[i].memsz;
	if (!img->elf || !inside)
		return false;
	Elf *e = elf_memory((char *)img->file, img->file_size);
	if (!e)
		return false;
	bool any = find_function(e, addr, out);
	any |= find_line(e, addr, out);
	elf_end(e);
	return any;
}

const char *symbols_str(const struct code_place *pl, char *buf, size_t size)
{
	int n = 0;

	buf[0] = 0;
	if (pl->have_function)
		n = snprintf(buf, size, pl->offset ? "<%s+0x%llx>" : "<%s>",
			     pl->function, (unsigned long long)pl->offset);
	if (pl->have_line && n >= 0 && (size_t)n < size)
		snprintf(buf + n, size - (size_t)n, "%s%s:%d", n ? " " : "",
			 pl->file, pl->line);
	return buf;
}
