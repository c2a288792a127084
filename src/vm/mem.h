/*
 * Guest memory: host mappings of the config's regions, handed to KVM as
 * memory slots, and the one checked way from a guest-physical address to
 * host memory.
 *
 * KVM's cost for a slot grows with its size (on shadow-paging hosts about
 * 0.5 ms per GiB), so regions go to KVM in aligned chunks: at start the
 * ones the plan writes into, the rest when the guest first touches them.
 * Chunks are 2 MiB below 64 MiB, where small guests live, and 64 MiB above
 * (KVM's slot count is limited). Large memories then start as fast as
 * small ones.
 */
#ifndef KVMRUN_MEM_H
#define KVMRUN_MEM_H

#include <linux/kvm.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "config.h"

#define MEM_SMALL_CHUNK (2ULL << 20)
#define MEM_SLOT_CHUNK (64ULL << 20)
/* KVM takes at most KVM_MEM_MAX_NR_PAGES (2^31 - 1) pages in a slot: a
 * larger range goes to it in slots of this size. */
#define MEM_SLOT_MAX (4ULL << 40)

/* The chunk holding (gpa), counted from address 0, and where chunk (c)
 * begins. */
uint64_t mem_chunk_of(uint64_t gpa);
uint64_t mem_chunk_start(uint64_t c);

struct guest_mem {
	uint64_t gpa, size;
	uint8_t *host;
	bool readonly;
	uint64_t chunk0;  /* the chunk holding gpa */
	uint8_t *given;   /* one flag per chunk: a KVM slot exists */
	size_t nchunks;
};

/* How slots reach KVM: (set_slot) makes KVM_SET_USER_MEMORY_REGION. */
struct mem_ops {
	int (*set_slot)(void *ctx, const struct kvm_userspace_memory_region *slot);
	void *ctx;
};

struct memory {
	struct mem_ops ops;
	struct guest_mem *regions;
	size_t n;
	uint32_t next_slot, max_slots;
	bool lazy; /* slots are given chunk by chunk */
};

/* Map the (n) regions (r), untouched; slots will go to KVM through
 * (ops), at most (max_slots). Returns 0, or -1 with (why) set. */
int mem_map(struct memory *m, const struct mem_ops *ops, uint32_t max_slots,
	    const struct mem_region *r, size_t n, char *why, size_t whylen);

#define MEM_HOST_LIMIT (-2) /* KVM refused a valid slot: the host's limit */

/* Give KVM the slots covering [gpa, gpa + len) of RAM. 0, or -1 or
 * MEM_HOST_LIMIT with (why). */
int mem_give(struct memory *m, uint64_t gpa, uint64_t len, char *why,
	     size_t whylen);

/* If (gpa) is RAM that KVM has no slot for yet, give it one and return
 * true. The guest's first touch of lazily given memory comes here. */
bool mem_fault(struct memory *m, uint64_t gpa);

/* Complete the MMIO exit in (run) if it was the first touch of lazily
 * given RAM: the access is done on the host mapping. A write to read-only
 * memory is left to the MMIO handlers. */
bool mem_complete_mmio(struct memory *m, struct kvm_run *run);

/* True if some RAM has no slot yet (it will get one on first touch). */
bool mem_lazy_left(const struct memory *m);

/* The host address of [gpa, gpa + len), or NULL unless it lies wholly in
 * one region. */
void *mem_gpa(const struct memory *m, uint64_t gpa, uint64_t len);

/* The region holding (gpa), or NULL. */
const struct guest_mem *mem_region(const struct memory *m, uint64_t gpa);

void mem_unmap(struct memory *m);

/* Free the bookkeeping of (m) but leave its mappings, for a process that
 * exits next: see vm_destroy_at_exit. */
void mem_forget(struct memory *m);

#endif
