/* symbols.c on hostile images (issue 31): compressed DWARF (crashed the
 * report), a decompression bomb, a .gnu_debugaltlink (libdw opened a
 * file under the sandbox), symbol tables and line tables as big as the
 * file says, names with terminal escapes; and the sandbox's refusal of
 * a call, which must leave a report rather than kill kvmrun. */
#include "kvmrun-config.h"

#include <dwarf.h>
#include <elf.h>
#include <fcntl.h>
#include <sys/resource.h>
#include <zlib.h>

#include "sandbox.h"
#include "symbols.h"
#include "unit.h"

#define BASE 0x100000

/* ---- a small ELF writer: .text at BASE, then the given sections ---- */

struct sec {
	const char *name;
	uint32_t type, link;
	uint64_t flags, entsize;
	const void *data;
	size_t size;
	uint64_t sparse; /* instead of data: this many bytes of a hole */
};

struct buf {
	uint8_t *p;
	size_t n, cap;
};

static void put(struct buf *b, const void *data, size_t n)
{
	if (b->n + n > b->cap) {
		b->cap = (b->n + n) * 2;
		b->p = realloc(b->p, b->cap);
		if (!b->p)
			abort();
	}
	memcpy(b->p + b->n, data, n);
	b->n += n;
}

static void put_n(struct buf *b, uint64_t v, int n) { put(b, &v, (size_t)n); }
static void put_s(struct buf *b, const char *s) { put(b, s, strlen(s) + 1); }

static void uleb(struct buf *b, uint64_t v)
{
	do {
		uint8_t c = v & 0x7f;
		v >>= 7;
		put_n(b, c | (v ? 0x80 : 0), 1);
	} while (v);
}

static void write_elf(const char *path, const struct sec *s, int n)
{
	struct buf f = { 0 }, names = { 0 };
	static Elf64_Shdr sh[300];

	memset(sh, 0, sizeof sh);
	static const uint8_t code[16] = { 0x90, 0x90, 0x90, 0x90, 0xf4 };
	Elf64_Ehdr eh = { .e_type = ET_EXEC, .e_machine = EM_X86_64,
			  .e_version = EV_CURRENT, .e_entry = BASE,
			  .e_phoff = 64, .e_ehsize = 64, .e_phentsize = 56,
			  .e_phnum = 1, .e_shentsize = 64 };
	Elf64_Phdr ph = { .p_type = PT_LOAD, .p_offset = 0x100, .p_vaddr = BASE,
			  .p_paddr = BASE, .p_filesz = 16, .p_memsz = 16 };

	memcpy(eh.e_ident, ELFMAG, SELFMAG);
	eh.e_ident[EI_CLASS] = ELFCLASS64;
	eh.e_ident[EI_DATA] = ELFDATA2LSB;
	eh.e_ident[EI_VERSION] = EV_CURRENT;
	put_n(&names, 0, 1);
	put(&f, &eh, sizeof eh);
	put(&f, &ph, sizeof ph);
	f.n = 0x100;
	put(&f, code, sizeof code);
	sh[1] = (Elf64_Shdr){ .sh_name = (uint32_t)names.n, .sh_type = SHT_PROGBITS,
			      .sh_flags = SHF_ALLOC | SHF_EXECINSTR, .sh_addr = BASE,
			      .sh_offset = 0x100, .sh_size = 16 };
	put_s(&names, ".text");
	uint64_t hole_at = 0, hole = 0;
	for (int i = 0; i < n; i++) {
		Elf64_Shdr *h = &sh[2 + i];
		f.n = (f.n + 7) & ~(size_t)7;
		*h = (Elf64_Shdr){ .sh_name = (uint32_t)names.n, .sh_type = s[i].type,
				   .sh_flags = s[i].flags, .sh_offset = f.n,
				   .sh_size = s[i].size, .sh_link = s[i].link,
				   .sh_entsize = s[i].entsize, .sh_addralign = 1 };
		put_s(&names, s[i].name);
		if (s[i].sparse) {
			h->sh_size = s[i].sparse;
			hole_at = 1; /* placed at the end, below */
			hole = s[i].sparse;
			continue;
		}
		put(&f, s[i].data, s[i].size);
	}
	int strndx = 2 + n;
	sh[strndx] = (Elf64_Shdr){ .sh_name = (uint32_t)names.n, .sh_type = SHT_STRTAB,
				   .sh_offset = f.n, .sh_size = names.n + 10 };
	put_s(&names, ".shstrtab");
	sh[strndx].sh_size = names.n;
	put(&f, names.p, names.n);
	f.n = (f.n + 7) & ~(size_t)7;
	size_t shoff = f.n;
	put(&f, sh, (size_t)(strndx + 1) * sizeof *sh);
	if (hole_at) {
		hole_at = (f.n + 4095) & ~(size_t)4095;
		for (int i = 0; i < n; i++)
			if (s[i].sparse)
				((Elf64_Shdr *)(f.p + shoff))[2 + i].sh_offset = hole_at;
	}
	Elf64_Ehdr *e = (Elf64_Ehdr *)f.p;
	e->e_shoff = shoff;
	e->e_shnum = (uint16_t)(strndx + 1);
	e->e_shstrndx = (uint16_t)strndx;
	FILE *out = fopen(path, "wb");
	if (!out || fwrite(f.p, 1, f.n, out) != f.n ||
	    (hole && ftruncate(fileno(out), (off_t)(hole_at + hole)) != 0) ||
	    fclose(out))
		abort();
	free(f.p);
	free(names.p);
}

/* ---- DWARF 4 of one unit: "file", line 42 at BASE..BASE+16 ---- */

struct dwarf {
	struct buf abbrev, info, aranges, line;
};

enum unit {
	UNIT,
	UNIT_ALT,      /* its DW_AT_comp_dir in the dwz file (altlink) */
	UNIT_SKELETON, /* DWARF 5's, of a split unit in SKELETON_DWO */
};

#define SKELETON_DWO "/tmp/kvmrun-symbols-skeleton.dwo"

static void make_dwarf(struct dwarf *d, const char *file, enum unit kind,
		       size_t extra_rows)
{
	bool alt_comp_dir = kind == UNIT_ALT, skeleton = kind == UNIT_SKELETON;

	memset(d, 0, sizeof *d);
	/* abbrev 1: a compile unit, no children */
	uleb(&d->abbrev, 1);
	uleb(&d->abbrev, skeleton ? DW_TAG_skeleton_unit : DW_TAG_compile_unit);
	put_n(&d->abbrev, 0, 1);
	uleb(&d->abbrev, DW_AT_name), uleb(&d->abbrev, DW_FORM_string);
	if (alt_comp_dir) /* a string in the dwz file the link names */
		uleb(&d->abbrev, DW_AT_comp_dir), uleb(&d->abbrev, DW_FORM_GNU_strp_alt);
	if (skeleton)
		uleb(&d->abbrev, DW_AT_dwo_name), uleb(&d->abbrev, DW_FORM_string);
	uleb(&d->abbrev, DW_AT_low_pc), uleb(&d->abbrev, DW_FORM_addr);
	uleb(&d->abbrev, DW_AT_high_pc), uleb(&d->abbrev, DW_FORM_data4);
	uleb(&d->abbrev, DW_AT_stmt_list), uleb(&d->abbrev, DW_FORM_sec_offset);
	put_n(&d->abbrev, 0, 2), put_n(&d->abbrev, 0, 1);

	struct buf die = { 0 };
	uleb(&die, 1);
	put_s(&die, file);
	if (alt_comp_dir)
		put_n(&die, 0, 4);
	if (skeleton)
		put_s(&die, SKELETON_DWO);
	put_n(&die, BASE, 8), put_n(&die, 16, 4), put_n(&die, 0, 4);
	if (skeleton) { /* version, type, address size, abbrevs, dwo_id */
		put_n(&d->info, 16 + die.n, 4), put_n(&d->info, 5, 2);
		put_n(&d->info, DW_UT_skeleton, 1), put_n(&d->info, 8, 1);
		put_n(&d->info, 0, 4), put_n(&d->info, 0x1234, 8);
	} else {
		put_n(&d->info, 7 + die.n, 4), put_n(&d->info, 4, 2);
		put_n(&d->info, 0, 4), put_n(&d->info, 8, 1);
	}
	put(&d->info, die.p, die.n);
	free(die.p);

	put_n(&d->aranges, 44, 4), put_n(&d->aranges, 2, 2);
	put_n(&d->aranges, 0, 4), put_n(&d->aranges, 8, 1), put_n(&d->aranges, 0, 1);
	put_n(&d->aranges, 0, 4);
	put_n(&d->aranges, BASE, 8), put_n(&d->aranges, 16, 8);
	put_n(&d->aranges, 0, 8), put_n(&d->aranges, 0, 8);

	static const uint8_t std_lengths[12] = { 0, 1, 1, 1, 1, 0, 0, 0, 1, 0, 0, 1 };
	struct buf hdr = { 0 }, prog = { 0 };
	put_n(&hdr, 1, 1), put_n(&hdr, 1, 1), put_n(&hdr, 1, 1);
	put_n(&hdr, (uint8_t)-5, 1), put_n(&hdr, 14, 1), put_n(&hdr, 13, 1);
	put(&hdr, std_lengths, sizeof std_lengths);
	put_n(&hdr, 0, 1);                       /* no include directories */
	put_s(&hdr, file), put_n(&hdr, 0, 3);    /* dir, mtime, length */
	put_n(&hdr, 0, 1);
	put_n(&prog, 0, 1), uleb(&prog, 9), put_n(&prog, DW_LNE_set_address, 1);
	put_n(&prog, BASE, 8);
	put_n(&prog, DW_LNS_advance_line, 1), uleb(&prog, 41);
	put_n(&prog, DW_LNS_copy, 1);
	for (size_t i = 0; i < extra_rows; i++) /* a row of each byte */
		put_n(&prog, DW_LNS_copy, 1);
	put_n(&prog, DW_LNS_advance_pc, 1), uleb(&prog, 16);
	put_n(&prog, 0, 1), uleb(&prog, 1), put_n(&prog, DW_LNE_end_sequence, 1);
	put_n(&d->line, 2 + 4 + hdr.n + prog.n, 4), put_n(&d->line, 4, 2);
	put_n(&d->line, hdr.n, 4);
	put(&d->line, hdr.p, hdr.n);
	put(&d->line, prog.p, prog.n);
	free(hdr.p), free(prog.p);
}

static void free_dwarf(struct dwarf *d)
{
	free(d->abbrev.p), free(d->info.p), free(d->aranges.p), free(d->line.p);
}

/* (b) compressed as SHF_COMPRESSED (gnu false) or .zdebug_ (gnu true)
 * data into (out), claiming (claim) bytes when not 0. */
static void deflate_into(struct buf *out, const struct buf *b, bool gnu,
			 uint64_t claim)
{
	uLongf n = compressBound(b->n);
	uint8_t *z = malloc(n);

	if (!z || compress2(z, &n, b->p, b->n, 9) != Z_OK)
		abort();
	if (gnu) {
		put(out, "ZLIB", 4);
		for (int i = 7; i >= 0; i--)
			put_n(out, (claim ? claim : b->n) >> (8 * i) & 0xff, 1);
	} else {
		Elf64_Chdr ch = { .ch_type = ELFCOMPRESS_ZLIB,
				  .ch_size = claim ? claim : b->n, .ch_addralign = 1 };
		put(out, &ch, sizeof ch);
	}
	put(out, z, n);
	free(z);
}

/* (size) zero bytes, deflated, with an SHF_COMPRESSED header. */
static void zero_bomb(struct buf *out, size_t size)
{
	static uint8_t zeros[1 << 20], z[1 << 16];
	Elf64_Chdr ch = { .ch_type = ELFCOMPRESS_ZLIB, .ch_size = size,
			  .ch_addralign = 1 };
	z_stream s = { 0 };

	put(out, &ch, sizeof ch);
	if (deflateInit(&s, 9) != Z_OK)
		abort();
	for (size_t done = 0; done < size;) {
		s.next_in = zeros;
		s.avail_in = sizeof zeros;
		done += sizeof zeros;
		int flush = done >= size ? Z_FINISH : Z_NO_FLUSH;
		do {
			s.next_out = z;
			s.avail_out = sizeof z;
			deflate(&s, flush);
			put(out, z, sizeof z - s.avail_out);
		} while (s.avail_out == 0);
	}
	deflateEnd(&s);
}

static const char *names[] = { ".debug_abbrev", ".debug_info",
			       ".debug_aranges", ".debug_line" };

enum pack { PLAIN, GABI, GNU };

/* An image with DWARF (d) packed as (how), a symbol (sym), and (extra). */
static void dwarf_elf(const char *path, const struct dwarf *d, enum pack how,
		      const char *sym, const struct sec *extra, int nextra)
{
	const struct buf *raw[] = { &d->abbrev, &d->info, &d->aranges, &d->line };
	struct buf packed[4] = { { 0 } }, strtab = { 0 }, symtab = { 0 };
	struct sec s[8 + nextra];
	char zname[4][32];
	int n = 0;

	for (int i = 0; i < 4; i++) {
		s[n] = (struct sec){ names[i], SHT_PROGBITS, 0, 0, 0, raw[i]->p, raw[i]->n, 0 };
		if (how != PLAIN) {
			deflate_into(&packed[i], raw[i], how == GNU, 0);
			s[n].data = packed[i].p;
			s[n].size = packed[i].n;
			if (how == GABI)
				s[n].flags = SHF_COMPRESSED;
			snprintf(zname[i], sizeof zname[i], ".z%s", names[i] + 1);
			if (how == GNU)
				s[n].name = zname[i];
		}
		n++;
	}
	put_n(&strtab, 0, 1), put_s(&strtab, sym);
	Elf64_Sym none = { 0 }, fn = { .st_name = 1, .st_info = ELF64_ST_INFO(STB_GLOBAL, STT_FUNC),
				       .st_shndx = 1, .st_value = BASE, .st_size = 16 };
	put(&symtab, &none, sizeof none), put(&symtab, &fn, sizeof fn);
	/* .strtab comes right after .symtab (section 2 + n, see write_elf) */
	uint32_t strndx = (uint32_t)(2 + n + 1);
	s[n++] = (struct sec){ ".symtab", SHT_SYMTAB, strndx, 0,
			       sizeof(Elf64_Sym), symtab.p, symtab.n, 0 };
	s[n++] = (struct sec){ ".strtab", SHT_STRTAB, 0, 0, 0, strtab.p, strtab.n, 0 };
	for (int i = 0; i < nextra; i++)
		s[n++] = extra[i];
	write_elf(path, s, n);
	for (int i = 0; i < 4; i++)
		free(packed[i].p);
	free(strtab.p), free(symtab.p);
}

static long max_rss_kib(void)
{
	struct rusage ru;

	getrusage(RUSAGE_SELF, &ru);
	return ru.ru_maxrss;
}

/* The place of BASE + 4 in (path), as the report writes it. */
static const char *place_of(const char *path, struct image *img, char *buf,
			    size_t size)
{
	struct diag d = { .file = path };
	struct code_place pl;

	if (!image_load_elf(img, path, &d, (struct pos){ 0 }, "elf"))
		return "(not loaded)";
	symbols_lookup(img, BASE + 4, &pl);
	return symbols_str(&pl, buf, size);
}

static void expect_place(const char *path, const char *want)
{
	struct image img;
	char got[256];

	place_of(path, &img, got, sizeof got);
	if (strcmp(got, want) != 0) {
		fprintf(stderr, "%s: wanted '%s', got '%s'\n", path, want, got);
		unit_failures++;
	}
	image_free(&img);
}

int main(int argc, char **argv)
{
	char tmp[] = "/tmp/kvmrun-symbols-XXXXXX", path[128], alt[128];

	/* test-symbols lookup ELF: one failure report's lookup in ELF,
	 * printed; tests/symbols-cost.sh counts its instructions. */
	if (argc == 3 && strcmp(argv[1], "lookup") == 0) {
		struct image img;
		char got[256];
		place_of(argv[2], &img, got, sizeof got);
		printf("%s\n", got);
		image_free(&img);
		return 0;
	}
	/* fuzz/run keeps the images, to seed fuzz-symbols's corpus. */
	const char *dir = getenv("KVMRUN_SYMBOLS_DIR");
	struct dwarf d;

	if (!dir && !(dir = mkdtemp(tmp)))
		return 99;
	make_dwarf(&d, "a.c", UNIT, 0);
#define AT(name) (snprintf(path, sizeof path, "%s/%s", dir, name), path)
	/* Plain, SHF_COMPRESSED and .zdebug_: the same place (compressed
	 * sections were inflated by libdw inside a read-only mapping). */
	dwarf_elf(AT("plain.elf"), &d, PLAIN, "entry", NULL, 0);
	expect_place(path, "<entry+0x4> a.c:42");
	dwarf_elf(AT("gabi.elf"), &d, GABI, "entry", NULL, 0);
	expect_place(path, "<entry+0x4> a.c:42");
	dwarf_elf(AT("gnu.elf"), &d, GNU, "entry", NULL, 0);
	expect_place(path, "<entry+0x4> a.c:42");

	/* 256 MiB of zeros in 256 KiB: not inflated, the symbol stays. */
	long rss = max_rss_kib();
	struct buf bomb = { 0 };
	zero_bomb(&bomb, 256u << 20);
	struct sec bombsec = { ".debug_str", SHT_PROGBITS, 0, SHF_COMPRESSED, 0,
			       bomb.p, bomb.n, 0 };
	dwarf_elf(AT("bomb.elf"), &d, PLAIN, "entry", &bombsec, 1);
	free(bomb.p);
	expect_place(path, "<entry+0x4> a.c:42");
	CHECK(max_rss_kib() - rss < 64 * 1024);

	/* Names with terminal escapes come out as \xNN. */
	struct dwarf esc;
	make_dwarf(&esc, "\033[2Ja.c", UNIT, 0);
	dwarf_elf(AT("escapes.elf"), &esc, PLAIN, "\033]0;pwned\007f", NULL, 0);
	expect_place(path, "<\\x1b]0;pwned\\x07f+0x4> \\x1b[2Ja.c:42");
	free_dwarf(&esc);

	/* 4 M rows of one unit's line table (libdw: 432 MB): no line. */
	struct dwarf rows;
	make_dwarf(&rows, "a.c", UNIT, 4u << 20);
	rss = max_rss_kib();
	dwarf_elf(AT("rows.elf"), &rows, PLAIN, "entry", NULL, 0);
	expect_place(path, "<entry+0x4>");
	CHECK(max_rss_kib() - rss < 64 * 1024);
	free_dwarf(&rows);

	/* A symbol table of 1 GiB, in a hole; one whose sh_entsize is 1:
	 * neither is scanned. */
	struct sec huge = { ".symtab", SHT_SYMTAB, 7, 0, sizeof(Elf64_Sym), NULL, 0, 1ull << 30 };
	dwarf_elf(AT("hugesym.elf"), &d, PLAIN, "entry", &huge, 1);
	rss = max_rss_kib();
	expect_place(path, "<entry+0x4> a.c:42");
	CHECK(max_rss_kib() - rss < 64 * 1024);
	Elf64_Sym odd[2] = { { 0 }, { .st_name = 1, .st_shndx = 1, .st_value = BASE,
				      .st_info = ELF64_ST_INFO(STB_GLOBAL, STT_FUNC) } };
	struct sec bytes[] = {
		{ ".symtab", SHT_SYMTAB, 2 + 6 + 1, 0, 1, odd, sizeof odd, 0 },
		{ ".strtab", SHT_STRTAB, 0, 0, 0, "\0odd", 5, 0 },
	};
	make_dwarf(&esc, "a.c", UNIT, 0);
	dwarf_elf(AT("entsize1.elf"), &esc, PLAIN, "entry", bytes, 2);
	expect_place(path, "<entry+0x4> a.c:42");
	free_dwarf(&esc);

	/* 250 symbol tables of 1M symbols each, all over one hole: each
	 * within the bound, together 250M symbols scanned per lookup. */
	struct sec tables[250];
	for (int i = 0; i < 250; i++)
		tables[i] = (struct sec){ ".symtab", SHT_SYMTAB, 7, 0, sizeof(Elf64_Sym),
					  NULL, 0, (1ull << 20) * sizeof(Elf64_Sym) };
	dwarf_elf(AT("tables.elf"), &d, PLAIN, "entry", tables, 250);
	/* Its cost is counted in instructions by tests/symbols-cost.sh. */
	expect_place(path, "<entry+0x4> a.c:42");
	struct rusage before, after;

	/* 1M empty units (11 bytes each) before the one .debug_aranges
	 * names: libdw read them all (1 GB, 2 s). No line, and little
	 * memory touched (minor faults, not time). */
	struct dwarf many;
	struct buf info = { 0 };
	make_dwarf(&many, "a.c", UNIT, 0);
	for (int i = 0; i < 1 << 20; i++) /* length 7, version 4, abbrevs 0, 8-byte addresses */
		put_n(&info, 7, 4), put_n(&info, 4, 2), put_n(&info, 0, 4), put_n(&info, 8, 1);
	uint32_t unit_at = (uint32_t)info.n;
	memcpy(many.aranges.p + 6, &unit_at, 4); /* the set's unit offset */
	put(&info, many.info.p, many.info.n);
	free(many.info.p);
	many.info = info;
	dwarf_elf(AT("units.elf"), &many, PLAIN, "entry", NULL, 0);
	free_dwarf(&many);
	rss = max_rss_kib();
	getrusage(RUSAGE_SELF, &before);
	expect_place(path, "<entry+0x4>");
	getrusage(RUSAGE_SELF, &after);
	CHECK(max_rss_kib() - rss < 64 * 1024);
	CHECK(after.ru_minflt - before.ru_minflt < 16 * 1024); /* 64 MiB */

	/* A .gnu_debugaltlink, as dwz writes, and a string in that file:
	 * libdw would open it, and the sandbox refused the open. */
	struct dwarf altd;
	make_dwarf(&altd, "a.c", UNIT_ALT, 0);
	snprintf(alt, sizeof alt, "%s/alt.debug", dir);
	char link[160];
	size_t linklen = (size_t)snprintf(link, sizeof link, "%s", alt) + 1 + 20;
	memset(link + strlen(alt) + 1, 0xab, 20);
	struct sec altsec = { ".gnu_debugaltlink", SHT_PROGBITS, 0, 0, 0, link, linklen, 0 };
	dwarf_elf(AT("altlink.elf"), &altd, PLAIN, "entry", &altsec, 1);
	free_dwarf(&altd);
	struct image img;
	char got[256];
	const char *place = place_of(path, &img, got, sizeof got);
	CHECK(strncmp(place, "<entry+0x4>", 11) == 0);

	/* A DWARF 5 skeleton unit names its split unit's .dwo file, which
	 * libdw opens for some questions (not these, as of 0.188): a
	 * lookup opens no file (under the sandbox, refused). */
	struct dwarf skel;
	make_dwarf(&skel, "a.c", UNIT_SKELETON, 0);
	struct image skimg;
	dwarf_elf(AT("skeleton.elf"), &skel, PLAIN, "entry", NULL, 0);
	free_dwarf(&skel);
	CHECK(strcmp(place_of(path, &skimg, got, sizeof got), "<entry+0x4> a.c:42") == 0);

	free_dwarf(&d);
	if (sandbox_available) {
		char why[200];
		CHECK(sandbox_enter(1000, 1001, 0x4000, ~0x3ffu, why, sizeof why) == 0);
		place = symbols_lookup(&img, BASE + 4, &(struct code_place){ 0 })
			? "found" : "none";
		if (sandbox_refused(why, sizeof why)) {
			fprintf(stderr, "altlink.elf under the sandbox: %s\n", why);
			unit_failures++;
		}
		symbols_lookup(&skimg, BASE + 4, &(struct code_place){ 0 });
		if (sandbox_refused(why, sizeof why)) {
			fprintf(stderr, "skeleton.elf under the sandbox: %s\n", why);
			unit_failures++;
		}
		/* A call the filter forbids fails, and is named. */
		CHECK(getppid() < 0);
		CHECK(sandbox_refused(why, sizeof why) && strstr(why, "(getppid)"));
		/* No clean-up: the sandbox allows no unlink. */
		UNIT_DONE();
	}
	image_free(&img);
	image_free(&skimg);
	UNIT_DONE();
}
