/*
 * Multiboot version 1, as QEMU's -kernel loader does it: the header a
 * kernel carries in its first 8 KiB, the a.out-kludge address fields, and
 * the information structure handed over in EBX. Pure: bytes in, bytes out.
 */
#ifndef KVMRUN_MULTIBOOT_H
#define KVMRUN_MULTIBOOT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "config.h"
#include "image.h"

#define MB_HEADER_MAGIC 0x1BADB002u
#define MB_BOOT_MAGIC 0x2BADB002u /* in EAX at the kernel's entry */
#define MB_SEARCH 8192            /* the header lies in the first 8 KiB */

#define MB_FLAG_ALIGN 0x1       /* modules page-aligned */
#define MB_FLAG_MEMORY 0x2      /* memory information wanted */
#define MB_FLAG_VIDEO 0x4       /* a video mode wanted */
#define MB_FLAG_ADDRESSES 0x10000 /* the a.out kludge fields are valid */

struct mb_header {
	size_t offset; /* in the file */
	uint32_t flags;
	uint32_t header_addr, load_addr, load_end_addr, bss_end_addr, entry_addr;
};

/* Find and check the header in (file); false with (why) if there is none
 * or it asks for what kvmrun cannot give. */
bool mb_find_header(const uint8_t *file, size_t size, struct mb_header *h,
		    char *why, size_t whylen);

/* The one segment the a.out-kludge fields describe, and its entry; false
 * with (why) if they do not fit the file. */
bool mb_kludge_segment(const struct mb_header *h, const uint8_t *file,
		       size_t size, struct segment *seg, uint64_t *entry,
		       char *why, size_t whylen);

/* A module as placed in guest memory. */
struct mb_module {
	uint32_t start, end; /* [start, end) */
	const char *cmdline;
};

/* Bytes of the information structure with its modules, memory map and
 * strings, for (cfg)'s memory and these (cmdline) and modules. */
size_t mb_info_size(const struct config *cfg, const char *cmdline,
		    const struct mb_module *mods, size_t nmods);

/* Write it into (buf) (mb_info_size bytes) for guest-physical (base). */
void mb_info_build(uint8_t *buf, uint32_t base, const struct config *cfg,
		   const char *cmdline, const struct mb_module *mods,
		   size_t nmods);

#endif
