/* Unit tests of Multiboot version 1: finding and checking the header,
 * the a.out-kludge fields against the file, and the information
 * structure's bytes. */
#include "kvmrun-config.h"

#include "multiboot.h"
#include "unit.h"

static uint8_t file[16384];

static void put32(uint8_t *p, uint32_t v)
{
	memcpy(p, &v, 4);
}

static uint32_t get32(const uint8_t *p)
{
	uint32_t v;

	memcpy(&v, p, 4);
	return v;
}

/* A header at (off) with (flags) and the kludge fields. */
static void header(size_t off, uint32_t flags, uint32_t header_addr,
		   uint32_t load, uint32_t load_end, uint32_t bss_end,
		   uint32_t entry)
{
	memset(file, 0, sizeof file);
	put32(file + off, MB_HEADER_MAGIC);
	put32(file + off + 4, flags);
	put32(file + off + 8, -(MB_HEADER_MAGIC + flags));
	put32(file + off + 12, header_addr);
	put32(file + off + 16, load);
	put32(file + off + 20, load_end);
	put32(file + off + 24, bss_end);
	put32(file + off + 28, entry);
}

static void test_header(void)
{
	struct mb_header h;
	char why[200];

	header(0x1000, 3, 0, 0, 0, 0, 0);
	CHECK(mb_find_header(file, sizeof file, &h, why, sizeof why));
	CHECK_U64(h.offset, 0x1000);
	CHECK_U64(h.flags, 3);

	/* A bad checksum, an unaligned or a late header: none found. */
	put32(file + 0x1008, 0);
	CHECK(!mb_find_header(file, sizeof file, &h, why, sizeof why));
	CHECK(strstr(why, "no Multiboot header") != NULL);
	header(0x1002, 3, 0, 0, 0, 0, 0);
	CHECK(!mb_find_header(file, sizeof file, &h, why, sizeof why));
	header(8192, 3, 0, 0, 0, 0, 0);
	CHECK(!mb_find_header(file, sizeof file, &h, why, sizeof why));
	header(8180, 3, 0, 0, 0, 0, 0); /* starts inside, its end outside */
	CHECK(mb_find_header(file, sizeof file, &h, why, sizeof why));

	/* Requirements kvmrun cannot meet are refused. */
	header(0, MB_FLAG_VIDEO, 0, 0, 0, 0, 0);
	CHECK(!mb_find_header(file, sizeof file, &h, why, sizeof why));
	CHECK(strstr(why, "video") != NULL);
	header(0, 0x8, 0, 0, 0, 0, 0);
	CHECK(!mb_find_header(file, sizeof file, &h, why, sizeof why));
	/* A kludge header cut by the end of the file. */
	header(0, MB_FLAG_ADDRESSES, 0, 0, 0, 0, 0);
	CHECK(!mb_find_header(file, 20, &h, why, sizeof why));
}

static void test_kludge(void)
{
	struct mb_header h;
	struct segment seg;
	uint64_t entry;
	char why[200];

	/* The header 0x40 bytes into an image loaded at 1 MiB from file
	 * offset 0x100: 0x1000 bytes of file, bss to 0x103000. */
	header(0x140, MB_FLAG_ADDRESSES, 0x100040, 0x100000, 0x101000, 0x103000,
	       0x100080);
	CHECK(mb_find_header(file, sizeof file, &h, why, sizeof why));
	CHECK(mb_kludge_segment(&h, file, sizeof file, &seg, &entry, why, sizeof why));
	CHECK_U64(seg.paddr, 0x100000);
	CHECK(seg.data == file + 0x100);
	CHECK_U64(seg.filesz, 0x1000);
	CHECK_U64(seg.memsz, 0x3000);
	CHECK_U64(entry, 0x100080);

	/* load_end_addr 0: the rest of the file. */
	h.load_end_addr = 0;
	h.bss_end_addr = 0;
	CHECK(mb_kludge_segment(&h, file, sizeof file, &seg, &entry, why, sizeof why));
	CHECK_U64(seg.filesz, sizeof file - 0x100);

	/* Fields that do not fit the file are refused. */
	h.load_end_addr = 0x100000 + sizeof file;
	CHECK(!mb_kludge_segment(&h, file, sizeof file, &seg, &entry, why, sizeof why));
	CHECK(strstr(why, "the file has") != NULL);
	h.load_end_addr = 0x101000;
	h.bss_end_addr = 0x100800;
	CHECK(!mb_kludge_segment(&h, file, sizeof file, &seg, &entry, why, sizeof why));
	h.bss_end_addr = 0;
	h.header_addr = 0x0fffff;
	CHECK(!mb_kludge_segment(&h, file, sizeof file, &seg, &entry, why, sizeof why));
	h.header_addr = 0x100000 + 0x200; /* further in than the file offset */
	CHECK(!mb_kludge_segment(&h, file, sizeof file, &seg, &entry, why, sizeof why));
	h.header_addr = 0x100040;
	h.load_end_addr = 0x0ff000;
	CHECK(!mb_kludge_segment(&h, file, sizeof file, &seg, &entry, why, sizeof why));
}

static void test_info(void)
{
	struct mem_region regions[] = {
		{ .base = 0, .size = 16 << 20 },
		{ .base = 0xfff00000, .size = 1 << 20, .readonly = true },
	};
	struct config cfg = { .regions = regions, .nregions = 2 };
	struct mb_module mods[] = { { 0x200000, 0x200014, "initrd x" } };
	const uint32_t base = 0x300000;
	uint8_t buf[1024];
	size_t size = mb_info_size(&cfg, "kernel.elf quiet", mods, 1);

	CHECK(size <= sizeof buf);
	mb_info_build(buf, base, &cfg, "kernel.elf quiet", mods, 1);
	CHECK_U64(get32(buf), 0x24d); /* memory, cmdline, mods, mmap, loader */
	CHECK_U64(get32(buf + 4), 640);
	CHECK_U64(get32(buf + 8), 15 * 1024);
	CHECK(strcmp((char *)buf + (get32(buf + 16) - base), "kernel.elf quiet") == 0);
	CHECK_U64(get32(buf + 20), 1);
	const uint8_t *mod = buf + (get32(buf + 24) - base);
	CHECK_U64(get32(mod), 0x200000);
	CHECK_U64(get32(mod + 4), 0x200014);
	CHECK(strcmp((char *)buf + (get32(mod + 8) - base), "initrd x") == 0);
	CHECK_U64(get32(buf + 44), 2 * 24);
	const uint8_t *mmap = buf + (get32(buf + 48) - base);
	CHECK_U64(get32(mmap), 20);
	CHECK_U64(get32(mmap + 12), 16 << 20);
	CHECK_U64(get32(mmap + 20), 1);
	CHECK_U64(get32(mmap + 24 + 20), 2); /* ROM: reserved */
	CHECK(strcmp((char *)buf + (get32(buf + 64) - base), "kvmrun") == 0);
	/* Every pointer stays inside the structure. */
	CHECK(get32(buf + 64) - base + sizeof "kvmrun" == size);
}

int main(void)
{
	test_header();
	test_kludge();
	test_info();
	UNIT_DONE();
}
