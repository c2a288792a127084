/*
 * The VM stage: a plan copied into KVM with ioctls, and nothing decided.
 * Every KVM call that makes the VM goes through kvm_call, so that
 * --explain can list the exact sequence by running this same code dry,
 * without /dev/kvm. The calls of a running VM are vcpu.h's; the host
 * probe's own throwaway VMs are host.c's and kvm_host.c's. No file outside
 * src/vm/ calls ioctl on a KVM descriptor (tests/kvm-door.sh).
 */
#include "kvmrun-config.h"

#include "vm.h"

#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <unistd.h>

#include "cpu_model.h"
#include "cpuid.h"
#include "num.h"
#include "host.h"
#include "kvm_host.h"
#include "vcpu.h"
#include "x86_trap.h"

#define DRY_FD 1000           /* file descriptors a dry run pretends to get */
#define DRY_RUN_SIZE 12288    /* kvm_run's usual size: three pages */
#define DRY_MEMSLOTS 32764

static int fail(struct vm *vm, int status, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));

static int fail(struct vm *vm, int status, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(vm->why, sizeof vm->why, fmt, ap);
	va_end(ap);
	return status;
}

/* Describe a step for --explain, if anyone listens. */
static void note(struct vm *vm, const char *call, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));

static void note(struct vm *vm, const char *call, const char *fmt, ...)
{
	char args[512];
	va_list ap;

	if (!vm->calls.describe)
		return;
	va_start(ap, fmt);
	vsnprintf(args, sizeof args, fmt, ap);
	va_end(ap);
	vm->calls.describe(vm->calls.ctx, call, args);
}

/* What a dry run pretends KVM answered. */
static long dry_answer(unsigned long req, unsigned long arg)
{
	switch (req) {
	case KVM_GET_API_VERSION:
		return KVM_API_VERSION;
	case KVM_CREATE_VM:
		return DRY_FD + 1;
	case KVM_CREATE_VCPU:
		return DRY_FD + 2;
	case KVM_GET_VCPU_MMAP_SIZE:
		return DRY_RUN_SIZE;
	case KVM_CHECK_EXTENSION:
		return arg == KVM_CAP_NR_MEMSLOTS ? DRY_MEMSLOTS
		       : arg == KVM_CAP_SYNC_REGS ? KVM_SYNC_X86_REGS : 1;
	default:
		return 0;
	}
}

/*
 * The one way kvmrun calls KVM: ioctl (req) on (fd), restarted after a
 * signal; described as (name) with the arguments (fmt) for --explain, and
 * only pretended in a dry run.
 */
static long kvm_call(struct vm *vm, int fd, unsigned long req, const char *name,
		     unsigned long arg, const char *fmt, ...)
	__attribute__((format(printf, 6, 7)));

static long kvm_call(struct vm *vm, int fd, unsigned long req, const char *name,
		     unsigned long arg, const char *fmt, ...)
{
	long r;

	if (vm->calls.describe) {
		char args[512];
		va_list ap;
		va_start(ap, fmt);
		vsnprintf(args, sizeof args, fmt, ap);
		va_end(ap);
		vm->calls.describe(vm->calls.ctx, name, args);
	}
	if (vm->calls.dry)
		return dry_answer(req, arg);
	do
		r = ioctl(fd, req, arg);
	while (r < 0 && errno == EINTR);
	return r;
}

#define PTR(p) ((unsigned long)(uintptr_t)(p))

static long check_extension(struct vm *vm, int fd, long cap, const char *name)
{
	return kvm_call(vm, fd, KVM_CHECK_EXTENSION, "KVM_CHECK_EXTENSION",
			(unsigned long)cap, "%s", name);
}

void *vm_gpa(const struct vm *vm, uint64_t gpa, uint64_t len)
{
	return mem_gpa(&vm->mem, gpa, len);
}

bool vm_read_phys(void *ctx, uint64_t gpa, uint64_t *value, unsigned size)
{
	const uint8_t *p = vm_gpa(ctx, gpa, size);

	if (!p)
		return false;
	*value = 0;
	memcpy(value, p, size);
	return true;
}

bool vm_linear_to_phys(const struct vm *vm, const struct kvm_sregs *s,
		       uint64_t linear, uint64_t *phys, const char **why)
{
	struct pt_walk w;
	enum pt_kind kind = pt_kind_of(s->cr0, s->cr4, s->efer, why);

	if (kind == PT_NONE && !*why) {
		*phys = linear;
		return true;
	}
	if (kind == PT_NONE)
		return false;
	/* The CPU faults on such an address; a walk would drop its top. */
	if (kind == PT_4LEVEL &&
	    (uint64_t)((int64_t)(linear << 16) >> 16) != linear) {
		*why = "not canonical (48-bit addresses)";
		return false;
	}
	if (!pt_walk(vm_read_phys, (void *)vm, kind, s->cr3, linear, &w)) {
		*why = "not mapped by the guest's page tables";
		return false;
	}
	*phys = w.phys;
	return true;
}

bool vm_fault_code(struct vm *vm, const struct vcpu *c)
{
	struct kvm_regs regs;
	struct kvm_sregs sregs;
	uint64_t phys;
	const char *why;

	return vm_get_regs(c, &regs) == 0 && vm_get_sregs(c, &sregs) == 0 &&
	       vm_linear_to_phys(vm, &sregs, sregs.cs.base + regs.rip, &phys,
				 &why) &&
	       mem_fault(&vm->mem, phys);
}

/* An x86_fetch_fn over guest memory under the paging of (ctx). */
struct fetch_ctx {
	const struct vm *vm;
	const struct kvm_sregs *sregs;
};

static size_t fetch_code(void *ctx, uint64_t lin, uint8_t *buf, size_t len)
{
	const struct fetch_ctx *f = ctx;
	size_t n = 0;

	for (; n < len; n++) { /* byte by byte: it may cross a page */
		uint64_t phys;
		const char *why = NULL;
		const uint8_t *p;
		if (!vm_linear_to_phys(f->vm, f->sregs, lin + n, &phys, &why) ||
		    !(p = vm_gpa(f->vm, phys, 1)))
			break;
		buf[n] = *p;
	}
	return n;
}

bool vm_deliver_trap(struct vm *vm, const struct vcpu *c, struct x86_trap *t)
{
	struct kvm_regs regs;
	struct kvm_sregs sregs;
	struct kvm_vcpu_events ev;
	uint64_t next;
	struct fetch_ctx f = { vm, &sregs };

	if (vm_get_regs(c, &regs) != 0 || vm_get_sregs(c, &sregs) != 0 ||
	    !x86_trap_at_exit(c->run, &regs, &sregs, fetch_code, &f, t, &next) ||
	    vm_get_events(c, &ev) != 0)
		return false;
	regs.rip = next;
	if (vm_set_regs(c, &regs) != 0)
		return false;
	if (t->kind == X86_TRAP_NOTHING)
		return true;
	if (t->kind == X86_TRAP_SOFT_INT) {
		ev.interrupt.injected = 1;
		ev.interrupt.nr = t->vector;
		ev.interrupt.soft = 1;
	} else {
		ev.exception.injected = 1;
		ev.exception.nr = t->vector;
		ev.exception.has_error_code = 0;
		ev.exception.error_code = 0;
	}
	return vm_set_events(c, &ev) == 0;
}

static int open_kvm(struct vm *vm)
{
	note(vm, "open", "/dev/kvm, O_RDWR | O_CLOEXEC");
	if (vm->calls.dry)
		vm->kvm = DRY_FD;
	else if (kvm_host.kvm >= 0)
		vm->kvm = kvm_host.kvm;
	else
		vm->kvm = open("/dev/kvm", O_RDWR | O_CLOEXEC);
	if (vm->kvm < 0) {
		/* Why, and what would fix it: the host probe's answer. */
		char why[512];
		host_has(HOST_KVM, why, sizeof why);
		return fail(vm, EXIT_SKIP, "%s", why);
	}
	long version = kvm_call(vm, vm->kvm, KVM_GET_API_VERSION,
				"KVM_GET_API_VERSION", 0, "must answer %d",
				KVM_API_VERSION);
	if (version != KVM_API_VERSION)
		return fail(vm, EXIT_SKIP, "/dev/kvm speaks API %ld; kvmrun "
			    "needs %d", version, KVM_API_VERSION);
	return 0;
}

static int create_vm(struct vm *vm)
{
	vm->fd = (int)kvm_call(vm, vm->kvm, KVM_CREATE_VM, "KVM_CREATE_VM", 0,
			       "type 0");
	if (vm->fd < 0)
		return fail(vm, EXIT_SKIP, "KVM_CREATE_VM: %s", strerror(errno));
	return 0;
}

/* Intel's real mode needs a TSS and an identity map page in unused
 * guest-physical space; the plan chose where. */
static int set_tss(struct vm *vm, const struct plan *p)
{
	if (!p->tss_addr ||
	    check_extension(vm, vm->kvm, KVM_CAP_SET_TSS_ADDR, "KVM_CAP_SET_TSS_ADDR") <= 0)
		return 0;
	if (kvm_call(vm, vm->fd, KVM_SET_TSS_ADDR, "KVM_SET_TSS_ADDR",
		     (unsigned long)p->tss_addr, "0x%llx (3 pages nothing else uses)",
		     (unsigned long long)p->tss_addr) < 0)
		return fail(vm, EXIT_GUEST, "KVM_SET_TSS_ADDR 0x%llx: %s",
			    (unsigned long long)p->tss_addr, strerror(errno));
	uint64_t ident = p->tss_addr - 0x1000;
	if (check_extension(vm, vm->kvm, KVM_CAP_SET_IDENTITY_MAP_ADDR,
			    "KVM_CAP_SET_IDENTITY_MAP_ADDR") > 0 &&
	    kvm_call(vm, vm->fd, KVM_SET_IDENTITY_MAP_ADDR,
		     "KVM_SET_IDENTITY_MAP_ADDR", PTR(&ident), "0x%llx",
		     (unsigned long long)ident) < 0)
		return fail(vm, EXIT_GUEST, "KVM_SET_IDENTITY_MAP_ADDR 0x%llx: %s",
			    (unsigned long long)ident, strerror(errno));
	return 0;
}

/* mem.c gives slots through here, so that they are described too. */
static int set_slot(void *ctx, const struct kvm_userspace_memory_region *slot)
{
	struct vm *vm = ctx;
	char size[32];

	return (int)kvm_call(vm, vm->fd, KVM_SET_USER_MEMORY_REGION,
			     "KVM_SET_USER_MEMORY_REGION", PTR(slot),
			     "slot %u: guest-physical 0x%llx, %s%s", slot->slot,
			     (unsigned long long)slot->guest_phys_addr,
			     num_fmt_size(slot->memory_size, size),
			     slot->flags & KVM_MEM_READONLY ? ", KVM_MEM_READONLY" : "");
}

/* Map each region without touching it: only what is loaded gets pages. */
static int map_memory(struct vm *vm, const struct plan *p)
{
	const struct mem_region *r = p->facts.regions;
	const size_t n = p->facts.nregions;
	long slots = check_extension(vm, vm->kvm, KVM_CAP_NR_MEMSLOTS,
				     "KVM_CAP_NR_MEMSLOTS");
	char size[32];

	for (size_t i = 0; i < n; i++)
		if (r[i].readonly &&
		    check_extension(vm, vm->kvm, KVM_CAP_READONLY_MEM,
				    "KVM_CAP_READONLY_MEM") <= 0)
			return fail(vm, EXIT_SKIP, "this host lacks readonly-mem "
				    "(kvmrun --host: KVM_CAP_READONLY_MEM) for "
				    "region 0x%llx", (unsigned long long)r[i].base);
	struct mem_ops ops = { set_slot, vm };
	if (mem_map(&vm->mem, &ops, slots > 0 ? (uint32_t)slots : 32, r, n,
		    vm->why, sizeof vm->why) < 0)
		return EXIT_GUEST;
	for (size_t i = 0; i < n; i++)
		note(vm, "mmap", "%s of anonymous memory for region 0x%llx, "
		     "MAP_NORESERVE%s%s: no page is touched", num_fmt_size(r[i].size, size),
		     (unsigned long long)r[i].base,
		     r[i].merge ? ", MADV_MERGEABLE" : "",
		     r[i].hugepages ? ", MADV_HUGEPAGE" : "");
	return 0;
}

/*
 * Give KVM the slots that hold what the plan loaded; the rest come on the
 * guest's first touch. The last of vm_create: a slot waits for an SRCU
 * grace period whose work runs on the boot CPU, which the CPUID helper
 * (kvm_host.c) holds when the main thread runs elsewhere. Given before
 * the vCPUs, the first slot then took 0.25 ms instead of 15 µs; given
 * last, it waits only for the end of the helper's ioctl.
 */
static int give_memory(struct vm *vm, const struct plan *p)
{
	int r = 0;

	for (size_t i = 0; i < p->nblobs && r == 0; i++)
		r = mem_give(&vm->mem, p->blobs[i].gpa, p->blobs[i].size,
			     vm->why, sizeof vm->why);
	if (r == 0)
		r = mem_give(&vm->mem, p->stack_phys - 1, 1, vm->why, sizeof vm->why);
	if (r < 0) /* a slot beyond what this host maps: it cannot run here */
		return r == MEM_HOST_LIMIT ? EXIT_SKIP : EXIT_GUEST;
	if (mem_lazy_left(&vm->mem))
		note(vm, "later", "the other slots of RAM (2 MiB below 64 MiB, "
		     "64 MiB above) are given when the guest first touches "
		     "them (its MMIO exit is completed from the host mapping)");
	return 0;
}

/* KVM's LAPIC, IOAPIC and PIC, and its PIT: before any vCPU. */
static int create_irqchip(struct vm *vm, const struct plan *p)
{
	struct kvm_pit_config pit = { .flags = 0 };

	if (!p->facts.irqchip)
		return 0;
	if (kvm_call(vm, vm->fd, KVM_CREATE_IRQCHIP, "KVM_CREATE_IRQCHIP", 0,
		     "%s", "LAPIC, IOAPIC and PIC in the kernel") < 0)
		return fail(vm, EXIT_SKIP, "KVM_CREATE_IRQCHIP: %s: this host "
			    "lacks irqchip (kvmrun --host)", strerror(errno));
	if (p->facts.pit &&
	    kvm_call(vm, vm->fd, KVM_CREATE_PIT2, "KVM_CREATE_PIT2",
		     (unsigned long)&pit, "%s", "the i8254 timer, in the kernel") < 0)
		return fail(vm, EXIT_SKIP, "KVM_CREATE_PIT2: %s",
			    strerror(errno));
	return 0;
}

static int map_run(struct vm *vm, struct vcpu *c)
{
	c->run = vm->calls.dry ? calloc(1, vm->run_size)
			       : mmap(NULL, vm->run_size, PROT_READ | PROT_WRITE,
				      MAP_SHARED, c->fd, 0);
	if (!c->run || c->run == MAP_FAILED) {
		c->run = NULL;
		return fail(vm, EXIT_GUEST, "mmap kvm_run: %s", strerror(errno));
	}
	return 0;
}

/* vCPU (id): 0 runs the plan, the others wait for INIT/SIPI, which KVM
 * gives every vCPU but the first when the irqchip is in the kernel. */
static int create_vcpu(struct vm *vm, unsigned id, bool sync_regs)
{
	struct vcpu *c = &vm->cpus[id];

	c->fd = (int)kvm_call(vm, vm->fd, KVM_CREATE_VCPU, "KVM_CREATE_VCPU",
			      id, id ? "id %u: an application processor, "
			      "waiting for INIT and SIPI" : "id %u", id);
	if (c->fd < 0)
		return fail(vm, EXIT_GUEST, "KVM_CREATE_VCPU %u: %s", id,
			    strerror(errno));
	note(vm, "mmap", "the vCPU's kvm_run, %zu bytes, MAP_SHARED",
	     vm->run_size);
	if (map_run(vm, c))
		return EXIT_GUEST;
	/* KVM copies the registers into kvm_run at each exit: RIP for the
	 * exit record without an ioctl. */
	if (sync_regs)
		c->run->kvm_valid_regs = KVM_SYNC_X86_REGS;
	return 0;
}

/* Move the vCPU descriptors into one aligned block, so that the sandbox
 * can name them all with one masked comparison. */
static int gather_vcpu_fds(struct vm *vm)
{
	uint32_t block = 1;
	int top = 0;

	while (block < vm->ncpus)
		block *= 2;
	vm->vcpu_mask = ~(block - 1);
	vm->vcpu_base = (uint32_t)vm->cpus[0].fd;
	if (vm->ncpus == 1 || vm->calls.dry)
		return 0;
	for (size_t i = 0; i < vm->ncpus; i++)
		top = vm->cpus[i].fd > top ? vm->cpus[i].fd : top;
	for (uint32_t base = ((uint32_t)top / block + 1) * block;
	     base < 65536; base += block) {
		size_t i;
		int got = -1;
		for (i = 0; i < vm->ncpus; i++) {
			got = fcntl(vm->cpus[i].fd, F_DUPFD_CLOEXEC, base + i);
			if (got != (int)(base + i))
				break;
		}
		if (got >= 0 && i < vm->ncpus)
			close(got);
		if (i == vm->ncpus) {
			for (i = 0; i < vm->ncpus; i++) {
				close(vm->cpus[i].fd);
				vm->cpus[i].fd = (int)(base + i);
			}
			vm->vcpu_base = base;
			return 0;
		}
		while (i--)
			close((int)(base + i));
	}
	return fail(vm, EXIT_GUEST, "no block of %u free descriptors for "
		    "the vCPUs: %s", block, strerror(errno));
}

static int create_vcpus(struct vm *vm, const struct plan *p)
{
	unsigned n = p->facts.cpus;
	long size, most;

	if (n > 1) {
		most = check_extension(vm, vm->fd, KVM_CAP_MAX_VCPUS,
				       "KVM_CAP_MAX_VCPUS");
		if (!vm->calls.dry && most > 0 && n > most)
			return fail(vm, EXIT_SKIP, "cpu.count is %u but this "
				    "KVM runs at most %ld vCPUs in a VM "
				    "(kvmrun --host: smp)", n, most);
	}
	size = kvm_call(vm, vm->kvm, KVM_GET_VCPU_MMAP_SIZE,
			"KVM_GET_VCPU_MMAP_SIZE", 0, "%s", "the size of kvm_run");
	if (size < (long)sizeof *vm->run)
		return fail(vm, EXIT_GUEST, "KVM_GET_VCPU_MMAP_SIZE: %s",
			    size < 0 ? strerror(errno) : "too small");
	vm->run_size = (size_t)size;
	vm->cpus = calloc(n, sizeof *vm->cpus);
	if (!vm->cpus)
		return fail(vm, EXIT_GUEST, "calloc: %s", strerror(errno));
	for (unsigned i = 0; i < n; i++) {
		vm->cpus[i].fd = -1;
		vm->cpus[i].delivered = -1;
	}
	bool sync = check_extension(vm, vm->fd, KVM_CAP_SYNC_REGS,
				    "KVM_CAP_SYNC_REGS") & KVM_SYNC_X86_REGS;
	if (sync)
		note(vm, "kvm_run", "kvm_valid_regs = KVM_SYNC_X86_REGS: "
		     "registers at each exit, for the exit record");
	for (unsigned i = 0; i < n; i++) {
		vm->ncpus = i + 1;
		int status = create_vcpu(vm, i, sync);
		if (status)
			return status;
	}
	vm->vcpu = vm->cpus[0].fd;
	vm->run = vm->cpus[0].run;
	if (gather_vcpu_fds(vm))
		return EXIT_GUEST;
	vm->vcpu = vm->cpus[0].fd;
	return 0;
}

static struct kvm_cpuid_entry2 *cpuid_find(struct kvm_cpuid2 *c, uint32_t fn)
{
	for (uint32_t i = 0; i < c->nent; i++)
		if (c->entries[i].function == fn)
			return &c->entries[i];
	return NULL;
}

/* Why the host's CPUID (edx of 0x80000001) cannot run the plan, or NULL. */
static const char *cpuid_lacks(const struct plan *p, uint32_t edx)
{
	if (p->mode->paging == PT_4LEVEL && !(edx & CPUID_EDX_LM))
		return "this host lacks long-mode (kvmrun --host): KVM offers "
		       "no long mode (CPUID 0x80000001 EDX.LM)";
	if (p->pt.huge1g && !(edx & CPUID_EDX_PDPE1GB))
		return "this host lacks pages-1g (kvmrun --host): KVM offers "
		       "no 1 GiB pages (CPUID 0x80000001 EDX.pdpe1gb): use "
		       "page: 2M";
	if (p->pt.nx && !(edx & CPUID_EDX_NX))
		return "this KVM offers no NX bit (CPUID 0x80000001 EDX.NX) "
		       "for flag nx";
	return NULL;
}

/* The host's supported CPUID, growing the table until it fits. */
static struct kvm_cpuid2 *supported_cpuid(struct vm *vm)
{
	struct kvm_cpuid2 *c = NULL;
	long r = -1;

	for (uint32_t n = 64; n <= 4096 && r < 0; n *= 2) {
		free(c);
		c = calloc(1, sizeof *c + n * sizeof c->entries[0]);
		if (!c)
			return NULL;
		c->nent = n;
		r = kvm_call(vm, vm->kvm, KVM_GET_SUPPORTED_CPUID,
			     "KVM_GET_SUPPORTED_CPUID", PTR(c),
			     "room for %u entries", n);
		if (r < 0 && errno != E2BIG)
			break;
	}
	if (r < 0) {
		free(c);
		return NULL;
	}
	return c;
}

/* Give the guest what the host supports, after checking that it covers
 * what the plan needs. */
static int set_cpuid(struct vm *vm, const struct plan *p)
{
	struct kvm_cpuid2 *c;

	if (!kvm_host.cpuid && !vm->calls.dry)
		kvm_host.cpuid = prefetch_cpuid_take();
	if (kvm_host.cpuid && !vm->calls.dry) {
		size_t size = sizeof *c + kvm_host.cpuid->nent * sizeof c->entries[0];
		c = malloc(size);
		if (c)
			memcpy(c, kvm_host.cpuid, size);
	} else {
		note(vm, "ahead", "a run of one config asks this from its start, "
		     "on another core, while the steps above are made");
		c = supported_cpuid(vm);
	}
	if (!c)
		return fail(vm, EXIT_GUEST, "KVM_GET_SUPPORTED_CPUID: %s",
			    strerror(errno));
	const struct cpuid_edits *e = &p->facts.cpuid;
	if (cpuid_edits_any(e)) {
		cpuid_apply(c, e);
		note(vm, "cpuid", "cpu.cpuid: model %s, vendor %s, %zu feature(s) "
		     "set, %zu cleared", e->model ? e->model->name : "the host's",
		     e->vendor[0] ? e->vendor
		     : e->model ? "the model's" : "the host's",
		     e->nset, e->nclear);
	}
	if (vm->hyperv) {
		struct kvm_cpuid2 *with = cpuid_with_hyperv(c, vm->hyperv);
		free(c);
		if (!(c = with))
			return fail(vm, EXIT_GUEST, "malloc: %s", strerror(errno));
		note(vm, "cpuid", "cpu.hyperv: the Hyper-V leaves at "
		     "0x40000000, KVM's own moved to 0x40000100");
	}
	struct kvm_cpuid_entry2 *ext = cpuid_find(c, CPUID_EXT_FEATURES);
	const char *lacks = vm->calls.dry ? NULL : cpuid_lacks(p, ext ? ext->edx : 0);
	note(vm, "check", "CPUID 0x80000001 EDX has%s%s%s", p->mode->paging == PT_4LEVEL ?
	     " LM" : "", p->pt.huge1g ? " pdpe1gb" : "", p->pt.nx ? " NX" : "");
	int status = 0;
	if (lacks)
		status = fail(vm, EXIT_SKIP, "%s", lacks);
	for (unsigned id = 0; !status && id < vm->ncpus; id++) {
		cpuid_set_apic_id(c, id);
		if (kvm_call(vm, vm->cpus[id].fd, KVM_SET_CPUID2, "KVM_SET_CPUID2",
			     PTR(c), "the entries KVM_GET_SUPPORTED_CPUID gave, "
			     "APIC ID %u", id) < 0)
			status = fail(vm, EXIT_GUEST, "KVM_SET_CPUID2: %s",
				      strerror(errno));
	}
	free(c);
	return status;
}

/* cpu.hyperv, before the sandbox: the Hyper-V leaves KVM offers (the
 * CPUID is set later), and the SynIC turned on in each vCPU when they
 * offer it, as QEMU's hv-passthrough does. */
static int hyperv_prepare(struct vm *vm, const struct plan *p)
{
	const uint32_t n = 64;

	if (!p->facts.hyperv)
		return 0;
	if (check_extension(vm, vm->kvm, KVM_CAP_HYPERV_CPUID,
			    "KVM_CAP_HYPERV_CPUID") <= 0)
		return fail(vm, EXIT_SKIP, "cpu.hyperv: this host lacks hyperv "
			    "(kvmrun --host): KVM offers no Hyper-V "
			    "enlightenments (KVM_CAP_HYPERV_CPUID)");
	vm->hyperv = calloc(1, sizeof *vm->hyperv + n * sizeof vm->hyperv->entries[0]);
	if (!vm->hyperv)
		return fail(vm, EXIT_GUEST, "calloc: %s", strerror(errno));
	vm->hyperv->nent = n;
	if (kvm_call(vm, vm->vcpu, KVM_GET_SUPPORTED_HV_CPUID,
		     "KVM_GET_SUPPORTED_HV_CPUID", PTR(vm->hyperv),
		     "room for %u entries: the leaves from 0x40000000", n) < 0)
		return fail(vm, EXIT_GUEST, "KVM_GET_SUPPORTED_HV_CPUID: %s",
			    strerror(errno));
	struct kvm_cpuid_entry2 *f = cpuid_find(vm->hyperv, CPUID_HYPERV_FEATURES);
	if (!f || !(f->eax & CPUID_HYPERV_SYNIC))
		return 0;
	struct kvm_enable_cap synic = { .cap = KVM_CAP_HYPERV_SYNIC2 };
	for (size_t i = 0; i < vm->ncpus; i++)
		if (kvm_call(vm, vm->cpus[i].fd, KVM_ENABLE_CAP, "KVM_ENABLE_CAP",
			     PTR(&synic), "KVM_CAP_HYPERV_SYNIC2: vCPU %zu's "
			     "SynIC, which the Hyper-V leaves offer", i) < 0)
			return fail(vm, EXIT_GUEST, "KVM_ENABLE_CAP "
				    "(KVM_CAP_HYPERV_SYNIC2): %s", strerror(errno));
	return 0;
}

static int copy_blobs(struct vm *vm, const struct plan *p)
{
	/* Fresh anonymous memory is zero: bss needs no writes, and so
	 * untouched guest memory costs nothing. */
	for (size_t i = 0; i < p->nblobs; i++) {
		const struct blob *b = &p->blobs[i];
		uint8_t *dst = vm_gpa(vm, b->gpa, b->size);
		if (!dst)
			return fail(vm, EXIT_GUEST, "%s [0x%llx, +%llu) is not "
				    "in guest memory", b->what,
				    (unsigned long long)b->gpa,
				    (unsigned long long)b->size);
		note(vm, "copy", "%s: %llu bytes to 0x%llx%s", b->what,
		     (unsigned long long)b->len, (unsigned long long)b->gpa,
		     b->size > b->len ? " (the rest is already zero)" : "");
		if (b->len)
			memcpy(dst, b->data, b->len);
	}
	return 0;
}

/* Name the bits of a control register that the host dropped. */
static int refused(struct vm *vm, const struct plan *p, const char *reg,
		   const struct bit_name *names, uint64_t want, uint64_t got)
{
	char bits[128], wbuf[128], gbuf[128];

	x86_bits_str(names, want & ~got, bits, sizeof bits);
	return fail(vm, EXIT_SKIP, "this KVM refused %s.%s in %s mode: "
		    "KVM_SET_SREGS asked for %s=0x%llx (%s), KVM_GET_SREGS "
		    "read back 0x%llx (%s); kvmrun --host tells which modes "
		    "this host runs", reg, bits, p->mode->name, reg,
		    (unsigned long long)want, x86_bits_str(names, want, wbuf, sizeof wbuf),
		    (unsigned long long)got, x86_bits_str(names, got, gbuf, sizeof gbuf));
}

/*
 * What does not depend on the guest's CPUID, made before it is set, while
 * the CPUID helper may still be asking: the general registers, and the
 * vCPU's reset state, which set_sregs keeps for what the plan does not set.
 */
static int set_regs(struct vm *vm, const struct plan *p)
{
	if (kvm_call(vm, vm->vcpu, KVM_GET_SREGS, "KVM_GET_SREGS", PTR(&vm->reset),
		     "the vCPU's reset state, kept for what the plan does not "
		     "set (APIC base, interrupt bitmap)") < 0)
		return fail(vm, EXIT_GUEST, "KVM_GET_SREGS: %s", strerror(errno));
	if (kvm_call(vm, vm->vcpu, KVM_SET_REGS, "KVM_SET_REGS", PTR(&p->regs),
		     "rip=0x%llx rsp=0x%llx rflags=0x%llx, other registers "
		     "from cpu.regs or 0", (unsigned long long)p->regs.rip,
		     (unsigned long long)p->regs.rsp,
		     (unsigned long long)p->regs.rflags) < 0)
		return fail(vm, EXIT_GUEST, "KVM_SET_REGS: %s", strerror(errno));
	return 0;
}

/* The plan's segments and control registers, after the CPUID: KVM checks
 * CR4 and EFER bits against the guest's CPUID. */
static int set_sregs(struct vm *vm, const struct plan *p)
{
	const struct kvm_sregs *w = &p->sregs;
	struct kvm_sregs sregs = vm->reset, *s = &sregs;

	s->cs = w->cs;
	s->ds = w->ds;
	s->es = w->es;
	s->fs = w->fs;
	s->gs = w->gs;
	s->ss = w->ss;
	s->tr = w->tr;
	s->ldt = w->ldt;
	s->gdt = w->gdt;
	s->idt = w->idt;
	s->cr0 = w->cr0;
	s->cr3 = w->cr3;
	s->cr4 = w->cr4;
	s->efer = w->efer;
	if (kvm_call(vm, vm->vcpu, KVM_SET_SREGS, "KVM_SET_SREGS", PTR(s),
		     "cr0=0x%llx cr3=0x%llx cr4=0x%llx efer=0x%llx cs=0x%x "
		     "(base 0x%llx) ds=es=fs=gs=0x%x ss=0x%x gdt=0x%llx/0x%x "
		     "idt=0x%llx/0x%x", (unsigned long long)s->cr0,
		     (unsigned long long)s->cr3, (unsigned long long)s->cr4,
		     (unsigned long long)s->efer, s->cs.selector,
		     (unsigned long long)s->cs.base, s->ds.selector, s->ss.selector,
		     (unsigned long long)s->gdt.base, s->gdt.limit,
		     (unsigned long long)s->idt.base, s->idt.limit) < 0)
		return fail(vm, EXIT_GUEST, "KVM_SET_SREGS: %s", strerror(errno));
	if (kvm_call(vm, vm->vcpu, KVM_GET_SREGS, "KVM_GET_SREGS", PTR(s),
		     "read back: CR0, CR4 and EFER must keep every bit set, "
		     "else the host cannot run this mode (exit 77)") < 0)
		return fail(vm, EXIT_GUEST, "KVM_GET_SREGS: %s", strerror(errno));
	if (!vm->calls.dry) {
		if ((w->cr0 & ~s->cr0) != 0)
			return refused(vm, p, "CR0", x86_cr0_bits, w->cr0, s->cr0);
		if ((w->cr4 & ~s->cr4) != 0)
			return refused(vm, p, "CR4", x86_cr4_bits, w->cr4, s->cr4);
		if ((w->efer & ~s->efer) != 0)
			return refused(vm, p, "EFER", x86_efer_bits, w->efer, s->efer);
	}
	return 0;
}

int vm_create(struct vm *vm, const struct plan *p, const struct vm_calls *calls)
{
	int status;

	memset(vm, 0, sizeof *vm);
	vm->kvm = vm->fd = vm->vcpu = -1;
	if (calls)
		vm->calls = *calls;
	if (!vm->calls.dry)
		kvm_host_forget_idle_vm();
	if ((status = open_kvm(vm)) || (status = create_vm(vm)) ||
	    (status = set_tss(vm, p)) ||
	    (status = map_memory(vm, p)) || (status = create_irqchip(vm, p)) ||
	    (status = create_vcpus(vm, p)) ||
	    (status = hyperv_prepare(vm, p)) ||
	    (status = copy_blobs(vm, p)) ||
	    (status = set_regs(vm, p)) ||
	    (status = give_memory(vm, p)))
		return status;
	return 0;
}

int vm_set_cpu(struct vm *vm, const struct plan *p)
{
	int status;

	if ((status = set_cpuid(vm, p)) ||
	    (status = set_sregs(vm, p)))
		return status;
	return 0;
}

int vm_host_prepare(char *why, size_t whylen)
{
	struct vm vm = { .kvm = -1, .fd = -1, .vcpu = -1 };

	if (kvm_host.kvm >= 0)
		return 0;
	int status = open_kvm(&vm);
	if (status) {
		if (vm.kvm >= 0)
			close(vm.kvm);
		snprintf(why, whylen, "%s", vm.why);
		return status;
	}
	kvm_host.kvm = vm.kvm;
	kvm_host.cpuid = supported_cpuid(&vm);
	kvm_host_hold_idle_vm();
	return 0;
}

void vm_host_prefetch(void)
{
	if (kvm_host.kvm >= 0)
		return;
	kvm_host.kvm = open("/dev/kvm", O_RDWR | O_CLOEXEC);
	if (kvm_host.kvm >= 0)
		prefetch_cpuid_start(kvm_host.kvm);
}

static void release(struct vm *vm, bool unmap)
{
	for (size_t i = 0; i < vm->ncpus; i++) {
		struct vcpu *c = &vm->cpus[i];
		if (c->run && vm->calls.dry)
			free(c->run);
		else if (c->run && unmap)
			munmap(c->run, vm->run_size);
		if (c->fd >= 0 && !vm->calls.dry)
			close(c->fd);
	}
	free(vm->cpus);
	free(vm->hyperv);
	if (unmap)
		mem_unmap(&vm->mem);
	else
		mem_forget(&vm->mem);
	if (!vm->calls.dry) {
		if (vm->fd >= 0)
			close(vm->fd);
		if (vm->kvm >= 0 && vm->kvm != kvm_host.kvm)
			close(vm->kvm);
	}
	memset(vm, 0, sizeof *vm);
	vm->kvm = vm->fd = vm->vcpu = -1;
}

void vm_destroy(struct vm *vm)
{
	release(vm, true);
}

void vm_destroy_at_exit(struct vm *vm)
{
	release(vm, false);
}
