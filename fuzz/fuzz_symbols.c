/* libFuzzer: image bytes -> an ELF file -> the function and source line
 * of its entry and of each segment, as a failure report asks them
 * (symbols.c: libelf's symbol tables, libdw's DWARF). A lookup must not
 * open a file: under the sandbox that kills kvmrun (issue 31, item 2). */
#include "kvmrun-config.h"

#include <fcntl.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "symbols.h"

int LLVMFuzzerInitialize(int *argc, char ***argv);
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static char image_path[64];
static bool in_lookup;

/* libdw's opens, caught: none may happen during a lookup. */
static int open_checked(int dir, const char *path, int flags, va_list ap)
{
	mode_t mode = flags & (O_CREAT | O_TMPFILE) ? va_arg(ap, mode_t) : 0;

	if (in_lookup) {
		fprintf(stderr, "fuzz-symbols: the lookup opened '%s'\n", path);
		abort();
	}
	return (int)syscall(SYS_openat, dir, path, flags, mode);
}

int open(const char *path, int flags, ...)
{
	va_list ap;

	va_start(ap, flags);
	int fd = open_checked(AT_FDCWD, path, flags, ap);
	va_end(ap);
	return fd;
}

int openat(int dir, const char *path, int flags, ...)
{
	va_list ap;

	va_start(ap, flags);
	int fd = open_checked(dir, path, flags, ap);
	va_end(ap);
	return fd;
}

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
	(void)argc, (void)argv;
	snprintf(image_path, sizeof image_path, "/tmp/kvmrun-fuzz-sym-%d.elf",
		 (int)getpid());
	return 0;
}

static void look_up(const struct image *img, uint64_t addr)
{
	struct code_place pl;
	char buf[256];

	in_lookup = true;
	symbols_lookup(img, addr, &pl);
	in_lookup = false;
	symbols_str(&pl, buf, sizeof buf);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct diag d = { .file = "fuzz.yaml" };
	struct image img;

	FILE *f = fopen(image_path, "wb");
	if (!f || fwrite(data, 1, size, f) != size || fclose(f))
		abort();
	if (image_load_elf(&img, image_path, &d, (struct pos){ 0 }, "elf")) {
		look_up(&img, img.entry);
		for (size_t i = 0; i < img.nsegs && i < 4; i++) {
			look_up(&img, img.segs[i].vaddr);
			look_up(&img, img.segs[i].vaddr + img.segs[i].memsz / 2);
		}
	}
	image_free(&img);
	diag_free(&d);
	return 0;
}
