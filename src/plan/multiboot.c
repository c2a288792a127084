/* Multiboot version 1 (see multiboot.h). */
#include "kvmrun-config.h"

#include "multiboot.h"

#include <stdio.h>
#include <string.h>

#define KIB 1024u
#define MIB (1024u * 1024u)

static uint32_t get32(const uint8_t *p)
{
	uint32_t v;

	memcpy(&v, p, 4);
	return v;
}

static void put32(uint8_t *p, uint32_t v)
{
	memcpy(p, &v, 4);
}

static void put64(uint8_t *p, uint64_t v)
{
	memcpy(p, &v, 8);
}

bool mb_find_header(const uint8_t *file, size_t size, struct mb_header *h,
		    char *why, size_t whylen)
{
	size_t limit = size < MB_SEARCH ? size : MB_SEARCH;

	for (size_t off = 0; off + 12 <= limit; off += 4) {
		uint32_t magic = get32(file + off), flags = get32(file + off + 4);
		if (magic != MB_HEADER_MAGIC ||
		    (uint32_t)(magic + flags + get32(file + off + 8)) != 0)
			continue;
		memset(h, 0, sizeof *h);
		h->offset = off;
		h->flags = flags;
		/* Bits 0-15 are requirements: refuse what cannot be met. */
		if (flags & 0xfff8) {
			snprintf(why, whylen, "its Multiboot header requires "
				 "features 0x%x that kvmrun does not know",
				 flags & 0xfff8);
			return false;
		}
		if (flags & MB_FLAG_VIDEO) {
			snprintf(why, whylen, "its Multiboot header requires a "
				 "video mode (flag 2); kvmrun has no display");
			return false;
		}
		if (flags & MB_FLAG_ADDRESSES) {
			if (off + 32 > size) {
				snprintf(why, whylen, "its Multiboot header at "
					 "offset 0x%zx is cut short by the end "
					 "of the file", off);
				return false;
			}
			h->header_addr = get32(file + off + 12);
			h->load_addr = get32(file + off + 16);
			h->load_end_addr = get32(file + off + 20);
			h->bss_end_addr = get32(file + off + 24);
			h->entry_addr = get32(file + off + 28);
		}
		return true;
	}
	snprintf(why, whylen, "no Multiboot header (magic 0x%08x with a valid "
		 "checksum) in its first %u bytes", MB_HEADER_MAGIC, MB_SEARCH);
	return false;
}

bool mb_kludge_segment(const struct mb_header *h, const uint8_t *file,
		       size_t size, struct segment *seg, uint64_t *entry,
		       char *why, size_t whylen)
{
	/* The file offset of load_addr: the header's offset, less how far
	 * the header lies into the loaded image. */
	uint32_t into = h->header_addr - h->load_addr;
	uint64_t start = (uint64_t)h->offset - into;

	if (h->header_addr < h->load_addr || into > h->offset) {
		snprintf(why, whylen, "Multiboot header_addr 0x%x lies before "
			 "load_addr 0x%x, or before the start of the file",
			 h->header_addr, h->load_addr);
		return false;
	}
	uint64_t filesz = h->load_end_addr ? (uint64_t)h->load_end_addr - h->load_addr
					   : size - start;
	if (h->load_end_addr && h->load_end_addr < h->load_addr) {
		snprintf(why, whylen, "Multiboot load_end_addr 0x%x is below "
			 "load_addr 0x%x", h->load_end_addr, h->load_addr);
		return false;
	}
	if (start + filesz > size) {
		snprintf(why, whylen, "Multiboot load_end_addr 0x%x asks for "
			 "0x%llx bytes from file offset 0x%llx; the file has "
			 "0x%zx", h->load_end_addr, (unsigned long long)filesz,
			 (unsigned long long)start, size);
		return false;
	}
	uint64_t memsz = filesz;
	if (h->bss_end_addr) {
		if (h->bss_end_addr < h->load_addr + filesz) {
			snprintf(why, whylen, "Multiboot bss_end_addr 0x%x is "
				 "below the end of the loaded image 0x%llx",
				 h->bss_end_addr,
				 (unsigned long long)(h->load_addr + filesz));
			return false;
		}
		memsz = (uint64_t)h->bss_end_addr - h->load_addr;
	}
	memset(seg, 0, sizeof *seg);
	seg->paddr = seg->vaddr = h->load_addr;
	seg->filesz = filesz;
	seg->memsz = memsz ? memsz : 1;
	seg->data = file + start;
	*entry = h->entry_addr;
	return true;
}

/* ---- the information structure ---- */

enum {
	INFO_SIZE = 120, /* up to the framebuffer fields, left zero */
	MODULE_SIZE = 16,
	MMAP_ENTRY = 24, /* a 4-byte size, then 20 bytes */
};

static const char loader_name[] = "kvmrun";

/* Info flags: memory, cmdline, modules, memory map, boot loader name. */
#define INFO_MEMORY 0x1
#define INFO_CMDLINE 0x4
#define INFO_MODULES 0x8
#define INFO_MMAP 0x40
#define INFO_LOADER 0x200

size_t mb_info_size(const struct config *cfg, const char *cmdline,
		    const struct mb_module *mods, size_t nmods)
{
	size_t size = INFO_SIZE + nmods * MODULE_SIZE +
		      cfg->nregions * MMAP_ENTRY + strlen(cmdline) + 1 +
		      sizeof loader_name;

	for (size_t i = 0; i < nmods; i++)
		size += strlen(mods[i].cmdline) + 1;
	return size;
}

/* KiB of RAM from (start) on, contiguous, below 4 GiB. */
static uint32_t ram_kib_from(const struct config *cfg, uint64_t start,
			     uint64_t cap)
{
	uint64_t end = start;

	for (bool grew = true; grew;) {
		grew = false;
		for (size_t i = 0; i < cfg->nregions; i++) {
			const struct mem_region *r = &cfg->regions[i];
			if (!r->readonly && r->base <= end && r->base + r->size > end) {
				end = r->base + r->size;
				grew = true;
			}
		}
	}
	if (end > cap)
		end = cap;
	return (uint32_t)((end - start) / KIB);
}

void mb_info_build(uint8_t *buf, uint32_t base, const struct config *cfg,
		   const char *cmdline, const struct mb_module *mods,
		   size_t nmods)
{
	size_t mods_at = INFO_SIZE, mmap_at = mods_at + nmods * MODULE_SIZE;
	size_t str_at = mmap_at + cfg->nregions * MMAP_ENTRY;

	memset(buf, 0, mb_info_size(cfg, cmdline, mods, nmods));
	put32(buf + 0, INFO_MEMORY | INFO_CMDLINE | INFO_MODULES | INFO_MMAP |
			       INFO_LOADER);
	put32(buf + 4, ram_kib_from(cfg, 0, 640 * KIB));
	put32(buf + 8, ram_kib_from(cfg, MIB, 1ULL << 32));
	put32(buf + 12, 0xffffffff); /* no boot device */
	put32(buf + 16, base + (uint32_t)str_at);
	memcpy(buf + str_at, cmdline, strlen(cmdline) + 1);
	str_at += strlen(cmdline) + 1;
	put32(buf + 20, (uint32_t)nmods);
	put32(buf + 24, base + (uint32_t)mods_at);
	for (size_t i = 0; i < nmods; i++) {
		uint8_t *m = buf + mods_at + i * MODULE_SIZE;
		put32(m, mods[i].start);
		put32(m + 4, mods[i].end);
		put32(m + 8, base + (uint32_t)str_at);
		memcpy(buf + str_at, mods[i].cmdline, strlen(mods[i].cmdline) + 1);
		str_at += strlen(mods[i].cmdline) + 1;
	}
	put32(buf + 44, (uint32_t)(cfg->nregions * MMAP_ENTRY));
	put32(buf + 48, base + (uint32_t)mmap_at);
	for (size_t i = 0; i < cfg->nregions; i++) {
		uint8_t *e = buf + mmap_at + i * MMAP_ENTRY;
		put32(e, MMAP_ENTRY - 4);
		put64(e + 4, cfg->regions[i].base);
		put64(e + 12, cfg->regions[i].size);
		put32(e + 20, cfg->regions[i].readonly ? 2 : 1); /* 1: RAM */
	}
	put32(buf + 64, base + (uint32_t)str_at);
	memcpy(buf + str_at, loader_name, sizeof loader_name);
}
