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

/* (s) as a double-quoted YAML scalar. */
static void yaml_quoted(FILE *f, const char *s)
{
	fputc('"', f);
	for (; *s; s++) {
		if (*s == '"' || *s == '\\')
			fputc('\\', f);
		if ((unsigned char)*s < 0x20)
			fprintf(f, "\\x%02x", (unsigned char)*s);
		else
			fputc(*s, f);
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
	const char *slash = strrchr(path, '/');
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
	yaml_quoted(f, slash ? slash + 1 : path);
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
