/* The libelf loader on crafted images: what it takes and what it refuses. */
#include "kvmrun-config.h"

#include "elfgen.h"
#include "image.h"
#include "symbols.h"
#include <gelf.h>
#include "unit.h"

#include <sys/stat.h>

static const char *dir;

static char *write_elf(const struct elfgen *g)
{
	char *path;

	if (asprintf(&path, "%s/unit-image-%d.elf", dir, (int)getpid()) < 0 ||
	    elfgen_write(path, g) != 0)
		abort();
	return path;
}

/* Load (g); check that it fails with (want) in the message, or succeeds. */
static void try(const struct elfgen *g, const char *want, struct image *img)
{
	struct diag d = { 0 };
	char *path = write_elf(g);
	bool ok = image_load_elf(img, path, &d, (struct pos){ 3, 5, 0 }, "load[0].elf");

	if (want) {
		CHECK(!ok);
		CHECK(d.count >= 1 && strstr(d.msgs[0].text, want));
		if (d.count)
			CHECK(d.msgs[0].pos.line == 3 && strcmp(d.msgs[0].path, "load[0].elf") == 0);
		if (d.count && !strstr(d.msgs[0].text, want))
			fprintf(stderr, "  got '%s'\n", d.msgs[0].text);
	} else {
		CHECK(ok);
		CHECK_U64(d.count, 0);
	}
	unlink(path);
	free(path);
	diag_free(&d);
}

#define LOAD(off, pa, va, fs, ms) { PT_LOAD, off, pa, va, fs, ms }

/* The address of function (name) in (img), from its symbol table. */
static uint64_t function_address(const struct image *img, const char *name)
{
	Elf *e = elf_memory((char *)img->file, img->file_size);
	Elf_Scn *scn = NULL;
	uint64_t at = 0;

	while (e && (scn = elf_nextscn(e, scn))) {
		GElf_Shdr sh;
		Elf_Data *data;
		if (!gelf_getshdr(scn, &sh) || sh.sh_type != SHT_SYMTAB ||
		    !(data = elf_getdata(scn, NULL)))
			continue;
		for (size_t i = 0; i < sh.sh_size / sh.sh_entsize; i++) {
			GElf_Sym s;
			const char *n;
			if (gelf_getsym(data, (int)i, &s) &&
			    (n = elf_strptr(e, sh.sh_link, s.st_name)) && !strcmp(n, name))
				at = s.st_value;
		}
	}
	elf_end(e);
	return at;
}

/* Symbols and lines of the guest built with -g (guests/scenarios.c). */
static void test_symbols(void)
{
	const char *top = getenv("abs_top_builddir");
	struct image img = { 0 };
	struct diag d = { 0 };
	struct code_place pl;
	char path[4096], text[200];

	if (!top)
		return;
	snprintf(path, sizeof path, "%s/guests/scenarios64.elf", top);
	CHECK(image_load_elf(&img, path, &d, (struct pos){ 0 }, "k"));
	uint64_t fn = function_address(&img, "scenario");
	CHECK(fn != 0);
	CHECK(symbols_lookup(&img, fn + 4, &pl));
	CHECK(pl.have_function && !strcmp(pl.function, "scenario") && pl.offset == 4);
	CHECK(pl.have_line && !strcmp(pl.file, "scenarios.c") && pl.line > 0);
	symbols_str(&pl, text, sizeof text);
	CHECK(!strncmp(text, "<scenario+0x4> scenarios.c:", 27));
	/* Outside every segment: nothing, not a neighbour's name. */
	CHECK(!symbols_lookup(&img, 0x10, &pl) && !*symbols_str(&pl, text, sizeof text));
	image_free(&img);
	/* Without DWARF: the symbol alone (_start, an assembly label). */
	snprintf(path, sizeof path, "%s/guests/hello64.elf", top);
	CHECK(image_load_elf(&img, path, &d, (struct pos){ 0 }, "k"));
	CHECK(symbols_lookup(&img, img.entry + 2, &pl) && !pl.have_line);
	CHECK(!strcmp(symbols_str(&pl, text, sizeof text), "<_start+0x2>"));
	image_free(&img);
	diag_free(&d);
}

int main(void)
{
	struct image img;

	dir = getenv("TMPDIR") ? getenv("TMPDIR") : "/tmp";

	/* Two segments with bss, a note skipped, entry and class kept. */
	struct elfgen good = { .entry = 0x100010, .nph = 3, .fill = 0x90, .ph = {
		LOAD(0x200, 0x100000, 0x100000, 0x80, 0x80),
		{ PT_NOTE, 0x280, 0, 0, 0x10, 0x10 },
		LOAD(0x300, 0x200000, 0xffffffff80000000ULL, 0x40, 0x1000) } };
	try(&good, NULL, &img);
	CHECK(img.elf && img.elf_class == ELFCLASS64 && img.machine == EM_X86_64);
	CHECK_U64(img.entry, 0x100010);
	CHECK_U64(img.nsegs, 2);
	CHECK_U64(img.segs[1].index, 2);
	CHECK_U64(img.segs[1].paddr, 0x200000);
	CHECK_U64(img.segs[1].vaddr, 0xffffffff80000000ULL);
	CHECK(img.segs[1].filesz == 0x40 && img.segs[1].memsz == 0x1000);
	CHECK(img.segs[0].data[0] == 0x90);
	image_free(&img);

	struct elfgen e32 = { .elf32 = true, .entry = 0x100000, .nph = 1,
			      .ph = { LOAD(0x100, 0x100000, 0x100000, 0x10, 0x10) } };
	try(&e32, NULL, &img);
	CHECK(img.elf_class == ELFCLASS32 && img.machine == EM_386);
	image_free(&img);

	struct elfgen bad = good;
	bad.ph[0].filesz = 0x100;
	bad.ph[0].memsz = 0x80;
	try(&bad, "p_filesz 0x100 is larger than p_memsz 0x80", &img);
	image_free(&img);

	bad = good;
	bad.size = 0x320;
	try(&bad, "go past the end of the file (800 bytes)", &img);
	image_free(&img);

	bad = good;
	bad.ph[0].offset = 0xffffffffffffff00ULL;
	bad.size = 0x400;
	try(&bad, "go past the end of the file", &img);
	image_free(&img);

	bad = good;
	bad.ph[2].paddr = 0xfffffffffffff800ULL;
	try(&bad, "wraps past the end of the address space", &img);
	image_free(&img);

	bad = good;
	bad.type = ET_DYN;
	try(&bad, "is not an executable", &img);
	image_free(&img);

	bad = good;
	bad.size = 20;
	try(&bad, "is not an ELF file", &img);
	image_free(&img);

	struct diag d = { 0 };
	CHECK(!image_load_elf(&img, "/nonexistent/x.elf", &d, (struct pos){ 0 }, "k"));
	CHECK(d.count == 1 && strstr(d.msgs[0].text, "cannot open"));
	image_free(&img);
	diag_free(&d);

	/* Big-endian: refused before libelf would convert the read-only
	 * mapping's headers. */
	char be[64] = { 0x7f, 'E', 'L', 'F', ELFCLASS64, ELFDATA2MSB, 1 };
	char *bep = unit_tempfile(dir, ".elf", be, sizeof be);
	CHECK(!image_load_elf(&img, bep, &d, (struct pos){ 0 }, "k"));
	CHECK(d.count == 1 && strstr(d.msgs[0].text, "big-endian"));
	image_free(&img);
	diag_free(&d);
	unlink(bep);
	free(bep);
	/* Class and data bytes of 0 are no byte order at all. */
	char zero[64] = { 0x7f, 'E', 'L', 'F', 0, 0, 1 };
	char *zp = unit_tempfile(dir, ".elf", zero, sizeof zero);
	CHECK(!image_load_elf(&img, zp, &d, (struct pos){ 0 }, "k"));
	CHECK(d.count == 1 && !strstr(d.msgs[0].text, "big-endian") &&
	      strstr(d.msgs[0].text, "(EI_DATA) is 0, wanted 1"));
	image_free(&img);
	diag_free(&d);
	unlink(zp);
	free(zp);

	/* A FIFO is refused without waiting for a writer. */
	char fifo[128];
	snprintf(fifo, sizeof fifo, "%s/unit-image-%d.fifo", dir, (int)getpid());
	CHECK(mkfifo(fifo, 0600) == 0);
	CHECK(!image_load_raw(&img, fifo, 0, &d, (struct pos){ 0 }, "k"));
	CHECK(d.count == 1 && strstr(d.msgs[0].text, "is not a regular file"));
	image_free(&img);
	diag_free(&d);
	unlink(fifo);

	/* A raw image is one segment at its address, and may not wrap. */
	char *raw = unit_tempfile(dir, ".bin", "\xf4\xf4\xf4", 3);
	CHECK(image_load_raw(&img, raw, 0x7c00, &d, (struct pos){ 0 }, "k"));
	CHECK(img.nsegs == 1 && img.segs[0].paddr == 0x7c00 && img.segs[0].memsz == 3);
	image_free(&img);
	CHECK(!image_load_raw(&img, raw, UINT64_MAX - 1, &d, (struct pos){ 0 }, "k"));
	CHECK(d.count == 1 && strstr(d.msgs[0].text, "wraps"));
	image_free(&img);
	diag_free(&d);
	unlink(raw);
	free(raw);
	test_symbols();
	UNIT_DONE();
}
