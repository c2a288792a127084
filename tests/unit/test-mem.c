/* Guest memory without KVM: the checked address arithmetic of mem_gpa and
 * the chunk bookkeeping of lazily given slots. */
#include "kvmrun-config.h"

#include <errno.h>
#include <string.h>

#include "mem.h"
#include "unit.h"

/* A KVM stand-in: records slots, refuses the (refuse)th one with (err),
 * EIO by default. */
struct slots {
	struct kvm_userspace_memory_region got[16];
	unsigned n, refuse;
	int err;
};

static int record_slot(void *ctx, const struct kvm_userspace_memory_region *s)
{
	struct slots *k = ctx;

	if (k->n + 1 == k->refuse) {
		errno = k->err ? k->err : EIO;
		return -1;
	}
	k->got[k->n++ % 16] = *s;
	return 0;
}

int main(void)
{
	struct slots kvm = { .refuse = 1 };
	struct mem_ops ops = { record_slot, &kvm };
	struct mem_region regions[] = {
		{ .base = 0, .size = 2 << 20 },
		{ .base = 0xfff00000, .size = 1 << 20, .readonly = true },
		{ .base = 0x1000000000ULL, .size = 64ULL << 30 },
	};
	struct memory m;
	char why[160];

	CHECK(mem_map(&m, &ops, 32764, regions, 3, why, sizeof why) == 0);
	CHECK(m.lazy);

	/* In bounds, at both edges of a region. */
	uint8_t *base = mem_gpa(&m, 0, 1);
	CHECK(base != NULL);
	CHECK(mem_gpa(&m, 0x1ff000, 0x1000) == base + 0x1ff000);
	CHECK(mem_gpa(&m, 0, 2 << 20) == base);
	/* One byte too far, across a gap, or wrapping the address space. */
	CHECK(mem_gpa(&m, 0x1ff001, 0x1000) == NULL);
	CHECK(mem_gpa(&m, 0, (2 << 20) + 1) == NULL);
	CHECK(mem_gpa(&m, 0x200000, 1) == NULL);
	CHECK(mem_gpa(&m, 0xfffffffffffffff0ULL, 0x20) == NULL);
	CHECK(mem_gpa(&m, 0x1ff000, UINT64_MAX) == NULL);
	CHECK(mem_gpa(&m, 0xffffffff, 1) != NULL);
	CHECK(mem_gpa(&m, 0xffffffff, 2) == NULL);

	/* Chunks: 2 MiB below 64 MiB, 64 MiB-aligned above. */
	CHECK_U64(mem_chunk_of(0), 0);
	CHECK_U64(mem_chunk_of((2 << 20) - 1), 0);
	CHECK_U64(mem_chunk_of(2 << 20), 1);
	CHECK_U64(mem_chunk_of((64 << 20) - 1), 31);
	CHECK_U64(mem_chunk_of(64 << 20), 32);
	CHECK_U64(mem_chunk_of((128 << 20) - 1), 32);
	CHECK_U64(mem_chunk_of(128 << 20), 33);
	for (uint64_t c = 0; c < 40; c++) {
		CHECK_U64(mem_chunk_of(mem_chunk_start(c)), c);
		CHECK_U64(mem_chunk_of(mem_chunk_start(c + 1) - 1), c);
	}
	CHECK_U64(m.regions[0].nchunks, 1);
	CHECK_U64(mem_chunk_start(m.regions[1].chunk0), 0xfc000000);
	CHECK_U64(m.regions[1].nchunks, 1);
	CHECK_U64(m.regions[2].nchunks, 1024);
	CHECK(mem_region(&m, 0x1000000000ULL + (64ULL << 30) - 1) == &m.regions[2]);
	CHECK(mem_region(&m, 0x1000000000ULL + (64ULL << 30)) == NULL);

	/* A slot KVM refuses is reported, with the range, and not marked. */
	CHECK(mem_give(&m, 0x1000, 8, why, sizeof why) == -1);
	CHECK(strstr(why, "KVM_SET_USER_MEMORY_REGION slot 0 [0x0, 0x200000)") != NULL);
	CHECK(!m.regions[0].given[0]);

	/* Slots cover whole chunks, clipped to the region, once each. */
	kvm.refuse = 0;
	CHECK(mem_give(&m, 0x1000, 8, why, sizeof why) == 0);
	CHECK(mem_give(&m, 0x2000, 8, why, sizeof why) == 0);
	CHECK_U64(kvm.n, 1);
	CHECK(kvm.got[0].guest_phys_addr == 0 && kvm.got[0].memory_size == 2 << 20);
	CHECK(mem_give(&m, 0x1000000000ULL + (64ULL << 20) - 8, 16, why, sizeof why) == 0);
	CHECK_U64(kvm.n, 3); /* a range across a chunk edge takes both */
	CHECK_U64(kvm.got[1].guest_phys_addr, 0x1000000000ULL);
	CHECK_U64(kvm.got[2].guest_phys_addr, 0x1000000000ULL + (64ULL << 20));
	CHECK_U64(kvm.got[2].memory_size, 64ULL << 20);
	CHECK_U64(kvm.got[2].slot, 2);
	CHECK(kvm.got[2].userspace_addr ==
	      (uintptr_t)mem_gpa(&m, 0x1000000000ULL + (64ULL << 20), 1));
	/* First touch: a slot once, then nothing more to do. */
	CHECK(mem_fault(&m, 0xfff00010));
	CHECK(kvm.got[3].flags == KVM_MEM_READONLY && kvm.got[3].memory_size == 1 << 20);
	CHECK(!mem_fault(&m, 0xfff00020));
	CHECK(!mem_fault(&m, 0x300000)); /* not RAM */
	mem_unmap(&m);

	/* 64 GiB from 0: 32 small chunks, then 64 MiB ones; a touch near
	 * the start gives KVM 2 MiB, as a 2 MiB memory would. */
	struct mem_region big = { .base = 0, .size = 64ULL << 30 };
	kvm.n = 0;
	CHECK(mem_map(&m, &ops, 32764, &big, 1, why, sizeof why) == 0);
	CHECK_U64(m.regions[0].nchunks, 32 + 1023);
	CHECK(mem_give(&m, 0x100000, 0x1000, why, sizeof why) == 0);
	CHECK_U64(kvm.n, 1);
	CHECK_U64(kvm.got[0].memory_size, 2 << 20);
	CHECK(mem_give(&m, (64 << 20) - 8, 16, why, sizeof why) == 0);
	CHECK_U64(kvm.n, 3);
	CHECK_U64(kvm.got[1].guest_phys_addr, 62 << 20);
	CHECK_U64(kvm.got[1].memory_size, 2 << 20);
	CHECK_U64(kvm.got[2].guest_phys_addr, 64 << 20);
	CHECK_U64(kvm.got[2].memory_size, 64 << 20);
	mem_unmap(&m);

	/* Too few slots for the chunks: one slot per region instead. */
	CHECK(mem_map(&m, &ops, 100, regions, 3, why, sizeof why) == 0);
	CHECK(!m.lazy);
	mem_unmap(&m);

	/* 8 TiB, too many chunks for the slots: KVM takes at most 2^31 - 1
	 * pages in one slot, so the region goes as two of 4 TiB. */
	struct mem_region huge = { .base = 0, .size = 8ULL << 40 };
	kvm.n = 0;
	CHECK(mem_map(&m, &ops, 100, &huge, 1, why, sizeof why) == 0);
	CHECK(!m.lazy);
	CHECK(mem_give(&m, 0x100000, 0x1000, why, sizeof why) == 0);
	CHECK_U64(kvm.n, 2);
	CHECK_U64(kvm.got[0].memory_size, 4ULL << 40);
	CHECK_U64(kvm.got[1].guest_phys_addr, 4ULL << 40);
	CHECK_U64(kvm.got[1].memory_size, 4ULL << 40);
	CHECK(kvm.got[1].userspace_addr == (uintptr_t)mem_gpa(&m, 4ULL << 40, 1));
	mem_unmap(&m);
	/* A valid slot KVM refuses (EINVAL: past the host's physical
	 * addresses) is the host's limit, said as such. */
	kvm.n = 0;
	kvm.refuse = 2;
	kvm.err = EINVAL;
	CHECK(mem_map(&m, &ops, 100, &huge, 1, why, sizeof why) == 0);
	CHECK(mem_give(&m, 0, 1, why, sizeof why) == MEM_HOST_LIMIT);
	CHECK(strstr(why, "slot 1 [0x40000000000, 0x80000000000): Invalid argument: ") != NULL);
	CHECK(strstr(why, "this host's") != NULL);
	mem_unmap(&m);
	UNIT_DONE();
}
