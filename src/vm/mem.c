/* Guest memory: host mappings, KVM slots given by chunks, checked access. */
#include "kvmrun-config.h"

#include "mem.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>

const struct guest_mem *mem_region(const struct memory *m, uint64_t gpa)
{
	for (size_t i = 0; i < m->n; i++)
		if (gpa >= m->regions[i].gpa &&
		    gpa - m->regions[i].gpa < m->regions[i].size)
			return &m->regions[i];
	return NULL;
}

void *mem_gpa(const struct memory *m, uint64_t gpa, uint64_t len)
{
	const struct guest_mem *r = mem_region(m, gpa);

	if (!r || len > r->size || gpa - r->gpa > r->size - len)
		return NULL;
	return r->host + (gpa - r->gpa);
}

uint64_t mem_chunk_of(uint64_t gpa)
{
	if (gpa < MEM_SLOT_CHUNK)
		return gpa / MEM_SMALL_CHUNK;
	return gpa / MEM_SLOT_CHUNK - 1 + MEM_SLOT_CHUNK / MEM_SMALL_CHUNK;
}

uint64_t mem_chunk_start(uint64_t c)
{
	const uint64_t small = MEM_SLOT_CHUNK / MEM_SMALL_CHUNK;

	if (c < small)
		return c * MEM_SMALL_CHUNK;
	return (c - small + 1) * MEM_SLOT_CHUNK;
}

static int map_region(struct guest_mem *g, const struct mem_region *r,
		      char *why, size_t whylen)
{
	void *host = mmap(NULL, r->size, PROT_READ | PROT_WRITE,
			  MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE, -1, 0);

	if (host == MAP_FAILED) {
		snprintf(why, whylen, "mmap %llu bytes for memory region 0x%llx: %s",
			 (unsigned long long)r->size, (unsigned long long)r->base,
			 strerror(errno));
		return -1;
	}
	g->gpa = r->base;
	g->size = r->size;
	g->host = host;
	g->readonly = r->readonly;
	g->chunk0 = mem_chunk_of(r->base);
	g->nchunks = (size_t)(mem_chunk_of(r->base + r->size - 1) - g->chunk0) + 1;
	g->given = calloc(g->nchunks, 1);
	if (!g->given) {
		snprintf(why, whylen, "calloc: %s", strerror(errno));
		return -1;
	}
	const char *advice = NULL;
	if (r->merge && madvise(host, r->size, MADV_MERGEABLE) < 0)
		advice = "MADV_MERGEABLE";
	else if (r->hugepages && madvise(host, r->size, MADV_HUGEPAGE) < 0)
		advice = "MADV_HUGEPAGE";
	if (advice) {
		snprintf(why, whylen, "madvise %s for region 0x%llx: %s", advice,
			 (unsigned long long)r->base, strerror(errno));
		return -1;
	}
	return 0;
}

int mem_map(struct memory *m, const struct mem_ops *ops, uint32_t max_slots,
	    const struct mem_region *r, size_t n, char *why, size_t whylen)
{
	size_t chunks = 0;

	memset(m, 0, sizeof *m);
	m->ops = *ops;
	m->max_slots = max_slots;
	m->regions = calloc(n ? n : 1, sizeof *m->regions);
	if (!m->regions) {
		snprintf(why, whylen, "calloc: %s", strerror(errno));
		return -1;
	}
	for (size_t i = 0; i < n; i++) {
		if (map_region(&m->regions[i], &r[i], why, whylen) < 0)
			return -1;
		m->n++;
		chunks += m->regions[i].nchunks;
	}
	/* With too few slots for chunks, each region is one slot. */
	m->lazy = chunks <= max_slots;
	return 0;
}

/* The host CPU's physical address bits, or 0 when it does not say. */
static unsigned host_phys_bits(void)
{
	unsigned a = 0x80000000, b, c = 0, d;

	__asm__("cpuid" : "+a"(a), "=b"(b), "+c"(c), "=d"(d));
	if (a < 0x80000008)
		return 0;
	a = 0x80000008;
	c = 0;
	__asm__("cpuid" : "+a"(a), "=b"(b), "+c"(c), "=d"(d));
	return a & 0xff;
}

/* Why KVM refused the slot [lo, hi) with (err), into (why); the status
 * mem_give returns for it. */
static int refused(const struct memory *m, uint64_t lo, uint64_t hi, int err,
		   char *why, size_t whylen)
{
	unsigned bits = err == EINVAL ? host_phys_bits() : 0;
	int n = snprintf(why, whylen, "KVM_SET_USER_MEMORY_REGION slot %u "
			 "[0x%llx, 0x%llx): %s", m->next_slot,
			 (unsigned long long)lo, (unsigned long long)hi,
			 m->next_slot >= m->max_slots ? "no free slot"
						      : strerror(err));
	if (err != EINVAL || n < 0 || (size_t)n >= whylen)
		return -1;
	/* The plan made the slot valid: only the host's limit is left. */
	if (bits && bits < 64 && hi > 1ULL << bits)
		snprintf(why + n, whylen - (size_t)n, ": this host's CPUs "
			 "address %u bits of physical memory, up to 0x%llx",
			 bits, (unsigned long long)(1ULL << bits));
	else
		snprintf(why + n, whylen - (size_t)n, ": more than this "
			 "host's KVM maps");
	return MEM_HOST_LIMIT;
}

/* Give KVM the slot for chunk (c) of region (g): several when it is over
 * MEM_SLOT_MAX. 0, -1 or MEM_HOST_LIMIT with (why). */
static int give_chunk(struct memory *m, struct guest_mem *g, size_t c,
		      char *why, size_t whylen)
{
	uint64_t lo = m->lazy ? mem_chunk_start(g->chunk0 + c) : g->gpa;
	uint64_t hi = m->lazy ? mem_chunk_start(g->chunk0 + c + 1) : g->gpa + g->size;

	if (g->given[c])
		return 0;
	lo = lo < g->gpa ? g->gpa : lo;
	hi = hi > g->gpa + g->size ? g->gpa + g->size : hi;
	for (uint64_t at = lo, len; at < hi; at += len) {
		len = hi - at < MEM_SLOT_MAX ? hi - at : MEM_SLOT_MAX;
		struct kvm_userspace_memory_region slot = {
			.slot = m->next_slot,
			.flags = g->readonly ? KVM_MEM_READONLY : 0,
			.guest_phys_addr = at,
			.memory_size = len,
			.userspace_addr = (uint64_t)(uintptr_t)(g->host + (at - g->gpa)),
		};
		if (m->next_slot >= m->max_slots)
			return refused(m, at, at + len, 0, why, whylen);
		if (m->ops.set_slot(m->ops.ctx, &slot) < 0)
			return refused(m, at, at + len, errno, why, whylen);
		m->next_slot++;
	}
	if (m->lazy)
		g->given[c] = 1;
	else
		memset(g->given, 1, g->nchunks);
	return 0;
}

int mem_give(struct memory *m, uint64_t gpa, uint64_t len, char *why,
	     size_t whylen)
{
	while (len) {
		struct guest_mem *g = (struct guest_mem *)mem_region(m, gpa);
		if (!g)
			return 0; /* not RAM: the plan checked what must be */
		size_t c = (size_t)(mem_chunk_of(gpa) - g->chunk0);
		int r = give_chunk(m, g, c, why, whylen);
		if (r < 0)
			return r;
		uint64_t next = mem_chunk_start(g->chunk0 + c + 1);
		if (!m->lazy)
			next = g->gpa + g->size;
		if (next - gpa >= len)
			break;
		len -= next - gpa;
		gpa = next;
	}
	return 0;
}

bool mem_fault(struct memory *m, uint64_t gpa)
{
	struct guest_mem *g = (struct guest_mem *)mem_region(m, gpa);
	char why[160];

	if (!g)
		return false;
	size_t c = (size_t)(mem_chunk_of(gpa) - g->chunk0);
	return !g->given[c] && give_chunk(m, g, c, why, sizeof why) == 0;
}

bool mem_complete_mmio(struct memory *m, struct kvm_run *run)
{
	uint64_t gpa = run->mmio.phys_addr;
	uint32_t len = run->mmio.len;

	if (len == 0 || len > sizeof run->mmio.data || !mem_fault(m, gpa))
		return false;
	const struct guest_mem *g = mem_region(m, gpa);
	uint8_t *host = mem_gpa(m, gpa, len);
	if (!host)
		return false;
	if (!run->mmio.is_write)
		memcpy(run->mmio.data, host, len);
	else if (g->readonly)
		return false; /* a write to ROM: for the MMIO handlers */
	else
		memcpy(host, run->mmio.data, len);
	return true;
}

bool mem_lazy_left(const struct memory *m)
{
	for (size_t i = 0; i < m->n; i++)
		if (memchr(m->regions[i].given, 0, m->regions[i].nchunks))
			return true;
	return false;
}

static void release(struct memory *m, bool unmap)
{
	for (size_t i = 0; i < m->n; i++) {
		if (unmap)
			munmap(m->regions[i].host, m->regions[i].size);
		free(m->regions[i].given);
	}
	free(m->regions);
	memset(m, 0, sizeof *m);
}

void mem_unmap(struct memory *m)
{
	release(m, true);
}

void mem_forget(struct memory *m)
{
	release(m, false);
}
