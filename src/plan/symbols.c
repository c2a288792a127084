/* Symbols and source lines of guest images, read after the run. */
#include "kvmrun-config.h"

#include "symbols.h"

#include <dwarf.h>
#include <elfutils/libdw.h>
#include <gelf.h>
#include <stdio.h>
#include <string.h>
#include <sys/mman.h>

#include "escape.h"

/* What a failure report reads of an image, at most: the file says how
 * much it holds, and a hostile one says gigabytes (kvmrun(1), FILES). */
#define SYMBOLS_MAX (1u << 20)        /* symbols in all tables; a table
				       * past them is not read */
#define INFLATE_MAX (64u << 20)       /* bytes of compressed DWARF, inflated */
#define ARANGES_MAX (16u << 20)       /* bytes of .debug_aranges */
#define LINE_PROGRAM_MAX (512u << 10) /* bytes of one unit's line table */
#define UNITS_MAX (1u << 16)          /* units of .debug_info, or no line */

/* A symbol that names code: a function, or a label of hand-written
 * assembly (no type, defined in a section, such as _start). */
static bool code_symbol(const GElf_Sym *s)
{
	int type = GELF_ST_TYPE(s->st_info);

	return type == STT_FUNC ||
	       (type == STT_NOTYPE && s->st_shndx != SHN_UNDEF &&
		s->st_shndx < SHN_LORESERVE);
}

/* The symbol table (scn) as libelf reads it, or NULL when it is not one
 * kvmrun reads: its entries not of its class's size (an sh_entsize of 1
 * would make one symbol of each byte), or more than are left of
 * (*budget). Tables are counted together: thousands of section headers
 * can each name the same table of SYMBOLS_MAX symbols. */
static Elf_Data *symbol_table(Elf *e, Elf_Scn *scn, const GElf_Shdr *sh,
			      size_t *count, size_t *budget)
{
	size_t size = gelf_fsize(e, ELF_T_SYM, 1, EV_CURRENT);
	Elf_Data *data;

	if (sh->sh_type != SHT_SYMTAB || !size || sh->sh_entsize != size ||
	    sh->sh_size / size > *budget || !(data = elf_getdata(scn, NULL)))
		return NULL;
	*count = data->d_size / size;
	if (*count > *budget)
		return NULL;
	*budget -= *count;
	return data;
}

/* A walk over every symbol of the tables of (e) that kvmrun reads. */
struct sym_walk {
	Elf *e;
	Elf_Scn *scn;
	GElf_Shdr sh;
	Elf_Data *data;
	size_t n, i, budget;
};

static void sym_walk_start(struct sym_walk *w, Elf *e)
{
	memset(w, 0, sizeof *w);
	w->e = e;
	w->budget = SYMBOLS_MAX;
}

/* The next symbol in (*s), its name in (*name) ("" when none); false
 * after the last. */
static bool sym_next(struct sym_walk *w, GElf_Sym *s, const char **name)
{
	for (;;) {
		while (w->i < w->n)
			if (gelf_getsym(w->data, (int)w->i++, s)) {
				*name = elf_strptr(w->e, w->sh.sh_link, s->st_name);
				if (!*name)
					*name = "";
				return true;
			}
		if (!(w->scn = elf_nextscn(w->e, w->scn)))
			return false;
		w->i = w->n = 0;
		if (!gelf_getshdr(w->scn, &w->sh) ||
		    !(w->data = symbol_table(w->e, w->scn, &w->sh, &w->n, &w->budget)))
			w->n = 0;
	}
}

/* The function symbol that holds (addr), or the nearest one below it
 * when sizes are 0 (hand-written assembly). */
static bool find_function(Elf *e, uint64_t addr, struct code_place *out)
{
	struct sym_walk w;
	uint64_t best = 0;
	bool found = false;
	const char *name;
	GElf_Sym s;

	sym_walk_start(&w, e);
	while (sym_next(&w, &s, &name)) {
		if (!code_symbol(&s) || !*name || s.st_value > addr ||
		    (s.st_size && addr - s.st_value >= s.st_size) ||
		    (found && s.st_value <= best))
			continue;
		best = s.st_value;
		found = true;
		/* The image's bytes, as a terminal may show them. */
		escape_bytes(out->function, sizeof out->function, name,
			     strlen(name));
		out->offset = addr - s.st_value;
		out->size = s.st_size;
	}
	return out->have_function = found;
}

/* Section (scn), named (name), kept from libdw: the name loses its dot,
 * and libdw knows no section by it. */
static void hide(Elf_Scn *scn, GElf_Shdr *sh)
{
	sh->sh_name++;
	gelf_update_shdr(scn, sh);
}

/* Whether compressed DWARF section (scn) fits what is left of (*budget)
 * once inflated, by the size its header declares (libdw inflates it). */
static bool inflates_within(Elf_Scn *scn, const GElf_Shdr *sh, bool gnu,
			    uint64_t *budget)
{
	uint64_t size = 0;
	GElf_Chdr ch;
	Elf_Data *raw;

	if (sh->sh_type == SHT_NOBITS)
		return false;
	if (!gnu && gelf_getchdr(scn, &ch))
		size = ch.ch_size;
	/* .zdebug_: "ZLIB", then the size, big-endian. */
	else if (gnu && (raw = elf_rawdata(scn, NULL)) && raw->d_size >= 12 &&
		 memcmp(raw->d_buf, "ZLIB", 4) == 0)
		for (int i = 4; i < 12; i++)
			size = size << 8 | ((const uint8_t *)raw->d_buf)[i];
	else
		return false;
	if (size > *budget)
		return false;
	*budget -= size;
	return true;
}

/* Make (e), a private view of the image, safe for libdw, which inflates
 * compressed sections in place (so the view is writable): hidden what
 * libdw must not read, a .gnu_debugaltlink (libdw would open the file
 * it names), compressed sections past INFLATE_MAX in all, and a huge
 * .debug_aranges (read whole). */
static void prepare(Elf *e)
{
	uint64_t budget = INFLATE_MAX;
	size_t shstrndx;
	Elf_Scn *scn = NULL;

	if (elf_getshdrstrndx(e, &shstrndx) != 0)
		return;
	while ((scn = elf_nextscn(e, scn))) {
		GElf_Shdr sh;
		const char *name;
		if (!gelf_getshdr(scn, &sh) ||
		    !(name = elf_strptr(e, shstrndx, sh.sh_name)) || name[0] != '.')
			continue;
		bool gnu = strncmp(name, ".zdebug_", 8) == 0;
		bool dwarf = gnu || strncmp(name, ".debug_", 7) == 0 ||
			     strncmp(name, ".gnu.debuglto_", 14) == 0;
		bool packed = gnu || (sh.sh_flags & SHF_COMPRESSED);
		if (strcmp(name, ".gnu_debugaltlink") == 0 ||
		    (strcmp(name, ".debug_aranges") == 0 && sh.sh_size > ARANGES_MAX) ||
		    (dwarf && packed && !inflates_within(scn, &sh, gnu, &budget)))
			hide(scn, &sh);
	}
}

/* DWARF section .debug_(name) or .zdebug_(name) as libdw holds it,
 * inflated; NULL when there is none, or it is hidden (prepare). */
static Elf_Data *dwarf_section(Dwarf *dw, const char *name)
{
	Elf *e = dwarf_getelf(dw);
	size_t shstrndx, skip;
	Elf_Scn *scn = NULL;
	GElf_Shdr sh;
	const char *s;

	if (elf_getshdrstrndx(e, &shstrndx) != 0)
		return NULL;
	while ((scn = elf_nextscn(e, scn))) {
		if (!gelf_getshdr(scn, &sh) ||
		    !(s = elf_strptr(e, shstrndx, sh.sh_name)))
			continue;
		skip = strncmp(s, ".debug_", 7) == 0	? 7
		       : strncmp(s, ".zdebug_", 8) == 0 ? 8
							: 0;
		if (skip && strcmp(s + skip, name) == 0)
			return elf_getdata(scn, NULL);
	}
	return NULL;
}

/* The DWARF "initial length" at (at) of (d): the bytes that follow it in
 * (*len), the length's own size (4, or 12 in 64-bit DWARF) in (*head);
 * false when it is not all inside (d). */
static bool initial_length(const Elf_Data *d, uint64_t at, uint64_t *len,
			   uint64_t *head)
{
	uint32_t len32;

	if (!d->d_buf || at > d->d_size || d->d_size - at < 4)
		return false;
	const char *p = (const char *)d->d_buf + at;
	memcpy(&len32, p, 4);
	*len = len32;
	*head = 4;
	if (len32 == 0xffffffff) {
		if (d->d_size - at < 12)
			return false;
		memcpy(len, p + 4, 8);
		*head = 12;
	}
	return true;
}

/* Whether .debug_info (info) holds at most UNITS_MAX units: libdw
 * (0.188) reads every unit before the one it looks for, even to read
 * .debug_aranges, and keeps a kilobyte for each, where 11 bytes make an
 * empty one. */
static bool few_units(const Elf_Data *info)
{
	uint64_t at = 0, len, head;

	for (unsigned n = 0; info && at < info->d_size; n++) {
		if (n == UNITS_MAX)
			return false;
		if (!initial_length(info, at, &len, &head) ||
		    len > info->d_size - at - head)
			return true; /* libdw stops there too */
		at += head + len;
	}
	return true;
}

/* Whether the line table of unit (cu) is in (line) and at most
 * LINE_PROGRAM_MAX bytes: libdw makes a row of each of its bytes. */
static bool line_table_fits(Dwarf_Die *cu, const Elf_Data *line)
{
	Dwarf_Attribute a;
	Dwarf_Word at;
	uint64_t len, head;

	return line && dwarf_attr(cu, DW_AT_stmt_list, &a) &&
	       dwarf_formudata(&a, &at) == 0 &&
	       initial_length(line, at, &len, &head) && len <= LINE_PROGRAM_MAX;
}

static bool find_line(Elf *e, uint64_t addr, struct code_place *out)
{
	Dwarf_Die cu;
	Dwarf_Line *l;
	const char *src;

	prepare(e);
	Dwarf *dw = dwarf_begin_elf(e, DWARF_C_READ, NULL);
	if (!dw)
		return false;
	if (few_units(dwarf_section(dw, "info")) && dwarf_addrdie(dw, addr, &cu) &&
	    line_table_fits(&cu, dwarf_section(dw, "line")) &&
	    (l = dwarf_getsrc_die(&cu, addr)) &&
	    (src = dwarf_linesrc(l, NULL, NULL)) &&
	    dwarf_lineno(l, &out->line) == 0) {
		const char *slash = strrchr(src, '/');
		src = slash ? slash + 1 : src;
		escape_bytes(out->file, sizeof out->file, src, strlen(src));
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
	if (!img->elf || !img->fd || !inside)
		return false;
	/* A view of its own: libelf writes to the section headers it
	 * inflates (copied on write, the file and the plan's view stay). */
	void *view = mmap(NULL, img->file_size, PROT_READ | PROT_WRITE,
			  MAP_PRIVATE, img->fd, 0);
	if (view == MAP_FAILED)
		return false;
	Elf *e = elf_memory(view, img->file_size);
	bool any = false;
	if (e) {
		any = find_function(e, addr, out);
		any |= find_line(e, addr, out);
		elf_end(e);
	}
	munmap(view, img->file_size);
	return any;
}

/* A defined symbol called (name) in (e): the first, in table order. */
static bool find_named(Elf *e, const char *name, uint64_t *addr,
		       uint64_t *size)
{
	struct sym_walk w;
	const char *sname;
	GElf_Sym s;

	sym_walk_start(&w, e);
	while (sym_next(&w, &s, &sname)) {
		int type = GELF_ST_TYPE(s.st_info);
		if (s.st_shndx == SHN_UNDEF || type == STT_SECTION ||
		    type == STT_FILE || strcmp(sname, name) != 0)
			continue;
		*addr = s.st_value;
		*size = s.st_size;
		return true;
	}
	return false;
}

bool symbols_find(const struct image *img, const char *name, uint64_t *addr,
		  uint64_t *size)
{
	if (!img->elf || !img->file)
		return false;
	/* Symbol tables are read as they are (nothing inflated): the
	 * plan's own view will do. */
	Elf *e = elf_memory((char *)img->file, img->file_size);
	bool found = e && find_named(e, name, addr, size);
	if (e)
		elf_end(e);
	return found;
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
