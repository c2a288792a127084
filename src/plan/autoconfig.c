/* The config of kvmrun IMAGE, made from what the ELF says of itself. */
#include "kvmrun-config.h"

#include "autoconfig.h"

#include <elf.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "image.h"
#include "multiboot.h"
#include "utf8.h"

/* What the image at (path) is: ELF, a PC boot sector (512 bytes that
 * end 55 AA), or neither (a config). */
enum image_form { FORM_NONE, FORM_ELF, FORM_SECTOR };

static enum image_form image_form(const char *path)
{
	unsigned char head[BOOT_SECTOR_SIZE];
	struct stat st;
	enum image_form form = FORM_NONE;

	if (strcmp(path, "-") == 0)
		return FORM_NONE; /* the config on standard input */
	int fd = open(path, O_RDONLY | O_CLOEXEC | O_NONBLOCK);
	/* Only a regular file can be read twice: from a pipe, the probe's
	 * bytes would be gone when the config is read. */
	if (fd < 0)
		return FORM_NONE;
	if (fstat(fd, &st) == 0 && S_ISREG(st.st_mode)) {
		ssize_t n = read(fd, head, sizeof head);
		if (n >= SELFMAG && memcmp(head, ELFMAG, SELFMAG) == 0)
			form = FORM_ELF;
		else if (n == BOOT_SECTOR_SIZE && st.st_size == BOOT_SECTOR_SIZE &&
			 head[510] == 0x55 && head[511] == 0xaa)
			form = FORM_SECTOR;
	}
	close(fd);
	return form;
}

bool autoconfig_is_image(const char *path)
{
	return image_form(path) != FORM_NONE;
}

/* The code point of the UTF-8 character of (n) bytes at (p). */
static unsigned code_point(const unsigned char *p, size_t n)
{
	static const unsigned char lead_mask[] = { 0, 0x7f, 0x1f, 0x0f, 0x07 };
	unsigned cp = p[0] & lead_mask[n];

	for (size_t i = 1; i < n; i++)
		cp = cp << 6 | (p[i] & 0x3f);
	return cp;
}

/* Whether a YAML reader takes code point (cp) as it is (YAML 1.1's
 * printable set, less the C1 range, which a terminal may act on). */
static bool yaml_printable(unsigned cp)
{
	return (cp >= 0x20 && cp < 0x7f) || (cp >= 0xa0 && cp < 0xfffe) ||
	       cp >= 0x10000;
}

/* The first byte of (s) that is not part of a UTF-8 character, or NULL. */
static const unsigned char *not_utf8(const char *s)
{
	const unsigned char *p = (const unsigned char *)s;
	size_t left = strlen(s), n;

	for (; left; p += n, left -= n)
		if (!(n = utf8_len(p, left)))
			return p;
	return NULL;
}

/* (s), UTF-8, as a double-quoted YAML scalar that reads back as the
 * same bytes. */
static void yaml_quoted(FILE *f, const char *s)
{
	const unsigned char *p = (const unsigned char *)s;
	size_t left = strlen(s), n;

	fputc('"', f);
	for (; left; p += n, left -= n) {
		n = utf8_len(p, left);
		unsigned cp = code_point(p, n);
		if (cp == '"' || cp == '\\')
			fprintf(f, "\\%c", (char)cp);
		else if (!yaml_printable(cp))
			fprintf(f, cp < 0x100 ? "\\x%02x" : "\\u%04x", cp);
		else
			fwrite(p, 1, n, f);
	}
	fputc('"', f);
}

/* The console and exit ports of every config kvmrun makes. */
static void ports_yaml(FILE *f)
{
	fprintf(f, "ports:\n"
		"  0xE9: console      # the Bochs/QEMU debug console: out 0xE9, al\n"
		"  0x3F8: uart8250    # COM1\n"
		"  0xF4: debug-exit   # QEMU's isa-debug-exit: a write of v ends the run with status v\n"
		"# It passes when the guest halts or exits with status 0; add\n"
		"# expect: { console: ..., regs: ..., memory: ... } to check more.\n");
}

/* One identity mapping of [from, to), its page size the largest that
 * fits both ends. */
static void map_entry(FILE *f, uint64_t from, uint64_t to)
{
	bool big = from % (2u << 20) == 0 && to % (2u << 20) == 0;

	if (from < to)
		fprintf(f, "    - { virt: 0x%llx, phys: 0x%llx, size: 0x%llx, "
			"page: %s, flags: [write] }\n", (unsigned long long)from,
			(unsigned long long)from, (unsigned long long)(to - from),
			big ? "2M" : "4K");
}

/* Long mode's tables: all of (mem) identity-mapped but the 4 KiB page
 * at (guard), so that a stack that overflows faults there instead of
 * writing over the image below it. */
static void guard_yaml(FILE *f, uint64_t guard, uint64_t mem)
{
	uint64_t low = guard / (2u << 20) * (2u << 20);
	uint64_t high = (guard + 4096 + (2u << 20) - 1) / (2u << 20) * (2u << 20);

	fprintf(f, "paging:   # all RAM at its own address, but for the stack's guard page:\n"
		"  # 0x%llx-0x%llx is not mapped, so that a stack that overflows\n"
		"  # (a runaway recursion) faults there instead of overwriting the image\n"
		"  map:\n", (unsigned long long)guard,
		(unsigned long long)(guard + 4095));
	map_entry(f, 0, low);
	map_entry(f, low, guard);
	map_entry(f, guard + 4096, high < mem ? high : mem);
	map_entry(f, high < mem ? high : mem, mem);
}

/* The config of a boot sector (name): as a PC runs it, less the BIOS. */
static void sector_yaml(FILE *f, const char *name)
{
	fprintf(f, "# The config kvmrun made for this boot sector (kvmrun --print-config):\n"
		"# as a PC runs one: real mode at 0x7c00, DL = 0x80 (the first\n"
		"# hard disk), the stack below it. There is no BIOS: the interrupt\n"
		"# table at 0 ends the run on any int 0x10, 0x13, 0x16... and says so.\n"
		"# Save it beside the image, edit it, run it with kvmrun -c.\n"
		"memory: 1M\n"
		"cpu: { mode: real, entry: 0x7c00, stack: 0x7c00, regs: { edx: 0x80 } }\n"
		"boot: sector\n"
		"load:\n  - raw: ");
	yaml_quoted(f, name);
	fprintf(f, "\n    at: 0x7c00\n");
}

char *autoconfig_yaml(const char *path, char *why, size_t whylen)
{
	struct image img = { 0 };
	struct diag d = { 0 };
	struct mb_header h;
	char mbwhy[200];
	uint64_t end = 0;
	char *text = NULL;
	size_t len = 0;
	const char *slash = strrchr(path, '/');
	const char *name = slash ? slash + 1 : path;
	const unsigned char *bad = not_utf8(name);

	if (bad) {
		snprintf(why, whylen, "its file name is not UTF-8 (byte 0x%02x), "
			 "which the YAML config it would make cannot hold: "
			 "rename the file", *bad);
		return NULL;
	}
	if (image_form(path) == FORM_SECTOR) {
		FILE *f = open_memstream(&text, &len);
		if (f) {
			sector_yaml(f, name);
			ports_yaml(f);
			if (fclose(f) != 0) {
				free(text);
				text = NULL;
			}
		}
		goto out;
	}
	if (!image_load_elf(&img, path, &d, (struct pos){ 0 }, "image")) {
		snprintf(why, whylen, "%s", d.count ? d.msgs[0].text : "not an ELF");
		diag_free(&d);
		image_free(&img);
		return NULL;
	}
	for (size_t i = 0; i < img.nsegs; i++)
		if (img.segs[i].paddr + img.segs[i].memsz > end)
			end = img.segs[i].paddr + img.segs[i].memsz;
	uint64_t mem = (end + AUTOCONFIG_STACK + AUTOCONFIG_ROUND - 1) /
		       AUTOCONFIG_ROUND * AUTOCONFIG_ROUND;
	bool multiboot = mb_find_header(img.file, img.file_size, &h, mbwhy,
					sizeof mbwhy);
	bool wide = img.elf_class == ELFCLASS64 && !multiboot;
	FILE *f = open_memstream(&text, &len);
	if (!f)
		goto out;
	fprintf(f, "# The config kvmrun made for this image (kvmrun --print-config):\n"
		"# memory for every segment and a 1 MiB stack, rounded up to 2 MiB,\n"
		"# the stack at its top%s;\n"
		"# the mode from the ELF class%s; the usual console and exit\n"
		"# ports. Save it beside the image, edit it, run it with kvmrun -c.\n",
		wide ? " with a guard page below its room" : "",
		multiboot ? " and its Multiboot header" : "");
	fprintf(f, "memory: %lluM\n", (unsigned long long)(mem >> 20));
	fprintf(f, "cpu: { mode: %s }   # %s\n", wide ? "long" : "protected",
		multiboot ? "a Multiboot kernel starts in protected mode"
			  : wide ? "ELF64" : "ELF32");
	if (multiboot)
		fprintf(f, "boot: multiboot\n");
	if (wide)
		guard_yaml(f, (end + 4095) / 4096 * 4096, mem);
	else
		fprintf(f, "# no guard page below the stack: %s mode does not page\n",
			"protected");
	fprintf(f, "load:\n  - elf: ");
	yaml_quoted(f, name);
	fprintf(f, "   # beside this config\n");
	ports_yaml(f);
	if (fclose(f) != 0) {
		free(text);
		text = NULL;
	}
out:
	if (!text)
		snprintf(why, whylen, "out of memory");
	diag_free(&d);
	image_free(&img);
	return text;
}
