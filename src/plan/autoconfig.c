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

bool autoconfig_is_image(const char *path)
{
	unsigned char magic[SELFMAG];
	struct stat st;

	if (strcmp(path, "-") == 0)
		return false; /* the config on standard input */
	int fd = open(path, O_RDONLY | O_CLOEXEC | O_NONBLOCK);
	/* Only a regular file can be read twice: from a pipe, the probe's
	 * bytes would be gone when the config is read. */
	bool elf = fd >= 0 && fstat(fd, &st) == 0 && S_ISREG(st.st_mode) &&
		   read(fd, magic, SELFMAG) == SELFMAG &&
		   memcmp(magic, ELFMAG, SELFMAG) == 0;

	if (fd >= 0)
		close(fd);
	return elf;
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
		"# memory for every segment and a 1 MiB stack, rounded up to 2 MiB;\n"
		"# the mode from the ELF class%s; the usual console and exit\n"
		"# ports. Save it beside the image, edit it, run it with kvmrun -c.\n",
		multiboot ? " and its Multiboot header" : "");
	fprintf(f, "memory: %lluM\n", (unsigned long long)(mem >> 20));
	fprintf(f, "cpu: { mode: %s }   # %s\n", wide ? "long" : "protected",
		multiboot ? "a Multiboot kernel starts in protected mode"
			  : wide ? "ELF64" : "ELF32");
	if (multiboot)
		fprintf(f, "boot: multiboot\n");
	fprintf(f, "load:\n  - elf: ");
	yaml_quoted(f, name);
	fprintf(f, "   # beside this config\n"
		"ports:\n"
		"  0xE9: console      # the Bochs/QEMU debug console: out 0xE9, al\n"
		"  0x3F8: uart8250    # COM1\n"
		"  0xF4: debug-exit   # QEMU's isa-debug-exit: a write of v ends the run with status v\n"
		"# It passes when the guest halts or exits with status 0; add\n"
		"# expect: { console: ..., regs: ..., memory: ... } to check more.\n");
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
