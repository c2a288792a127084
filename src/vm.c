/* The VM stage: a plan copied into KVM with ioctls, and nothing decided. */
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

#define CPUID_EXT_FEATURES 0x80000001
#define CPUID_EDX_NX (1U << 20)
#define CPUID_EDX_PDPE1GB (1U << 26)
#define CPUID_EDX_LM (1U << 29)

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

/* ioctl, restarted when a signal interrupts it. */
static int xioctl(int fd, unsigned long req, void *arg)
{
	int r;

	do
		r = ioctl(fd, req, arg);
	while (r < 0 && errno == EINTR);
	return r;
}

void *vm_gpa(const struct vm *vm, uint64_t gpa, uint64_t len)
{
	return mem_gpa(&vm->mem, gpa, len);
}

static bool read_guest(void *ctx, uint64_t gpa, uint64_t *value, unsigned size)
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
	int levels;

	if (!(s->cr0 & X86_CR0_PG)) {
		*phys = linear;
		return true;
	}
	if (s->efer & X86_EFER_LMA)
		levels = s->cr4 & X86_CR4_LA57 ? 5 : 4;
	else
		levels = s->cr4 & X86_CR4_PAE ? 3 : 2;
	if (levels == 3 || levels == 5) {
		*why = levels == 3 ? "PAE paging is not decoded"
				   : "5-level paging is not decoded";
		return false;
	}
	if (!pt_walk(read_guest, (void *)vm, levels, s->cr3, linear, &w)) {
		*why = "not mapped by the guest's page tables";
		return false;
	}
	*phys = w.phys;
	return true;
}

bool vm_fault_code(struct vm *vm)
{
	struct kvm_regs regs;
	struct kvm_sregs sregs;
	uint64_t phys;
	const char *why;

	return ioctl(vm->vcpu, KVM_GET_REGS, &regs) == 0 &&
	       ioctl(vm->vcpu, KVM_GET_SREGS, &sregs) == 0 &&
	       vm_linear_to_phys(vm, &sregs, sregs.cs.base + regs.rip, &phys,
				 &why) &&
	       mem_fault(&vm->mem, phys);
}

static int open_kvm(struct vm *vm)
{
	vm->kvm = open("/dev/kvm", O_RDWR | O_CLOEXEC);
	if (vm->kvm < 0)
		return fail(vm, EXIT_SKIP, "cannot open /dev/kvm: %s%s",
			    strerror(errno), errno == EACCES ?
			    " (is your user in the group that owns it, "
			    "often kvm?)" : "");
	int version = ioctl(vm->kvm, KVM_GET_API_VERSION, 0);
	if (version != KVM_API_VERSION)
		return fail(vm, EXIT_SKIP, "/dev/kvm speaks API %d; kvmrun "
			    "needs %d", version, KVM_API_VERSION);
	vm->fd = ioctl(vm->kvm, KVM_CREATE_VM, 0);
	if (vm->fd < 0)
		return fail(vm, EXIT_SKIP, "KVM_CREATE_VM: %s", strerror(errno));
	return 0;
}

static int set_tss(struct vm *vm, const struct plan *p)
{
	if (!p->tss_addr || ioctl(vm->kvm, KVM_CHECK_EXTENSION,
				  KVM_CAP_SET_TSS_ADDR) <= 0)
		return 0;
	if (ioctl(vm->fd, KVM_SET_TSS_ADDR, (unsigned long)p->tss_addr) < 0)
		return fail(vm, EXIT_GUEST, "KVM_SET_TSS_ADDR 0x%llx: %s",
			    (unsigned long long)p->tss_addr, strerror(errno));
	uint64_t ident = p->tss_addr - 0x1000;
	if (ioctl(vm->kvm, KVM_CHECK_EXTENSION, KVM_CAP_SET_IDENTITY_MAP_ADDR) > 0 &&
	    ioctl(vm->fd, KVM_SET_IDENTITY_MAP_ADDR, &ident) < 0)
		return fail(vm, EXIT_GUEST, "KVM_SET_IDENTITY_MAP_ADDR 0x%llx: %s",
			    (unsigned long long)ident, strerror(errno));
	return 0;
}

/* Map each region without touching it: only what is loaded gets pages,
 * and only the slots that hold it are given to KVM now. */
static int add_memory(struct vm *vm, const struct plan *p)
{
	const struct config *cfg = p->cfg;
	int slots = ioctl(vm->kvm, KVM_CHECK_EXTENSION, KVM_CAP_NR_MEMSLOTS);

	for (size_t i = 0; i < cfg->nregions; i++)
		if (cfg->regions[i].readonly &&
		    ioctl(vm->kvm, KVM_CHECK_EXTENSION, KVM_CAP_READONLY_MEM) <= 0)
			return fail(vm, EXIT_SKIP, "this KVM has no read-only "
				    "memory (KVM_CAP_READONLY_MEM) for region "
				    "0x%llx", (unsigned long long)cfg->regions[i].base);
	if (mem_map(&vm->mem, vm->fd, slots > 0 ? (uint32_t)slots : 32, cfg,
		    vm->why, sizeof vm->why) < 0)
		return EXIT_GUEST;
	for (size_t i = 0; i < p->nblobs; i++)
		if (mem_give(&vm->mem, p->blobs[i].gpa, p->blobs[i].size,
			     vm->why, sizeof vm->why) < 0)
			return EXIT_GUEST;
	if (mem_give(&vm->mem, p->stack_phys - 1, 1, vm->why, sizeof vm->why) < 0)
		return EXIT_GUEST;
	return 0;
}

static int create_vcpu(struct vm *vm)
{
	vm->vcpu = ioctl(vm->fd, KVM_CREATE_VCPU, 0);
	if (vm->vcpu < 0)
		return fail(vm, EXIT_GUEST, "KVM_CREATE_VCPU: %s", strerror(errno));
	int size = ioctl(vm->kvm, KVM_GET_VCPU_MMAP_SIZE, 0);
	if (size < (int)sizeof *vm->run)
		return fail(vm, EXIT_GUEST, "KVM_GET_VCPU_MMAP_SIZE: %s",
			    size < 0 ? strerror(errno) : "too small");
	vm->run_size = (size_t)size;
	vm->run = mmap(NULL, vm->run_size, PROT_READ | PROT_WRITE, MAP_SHARED,
		       vm->vcpu, 0);
	if (vm->run == MAP_FAILED) {
		vm->run = NULL;
		return fail(vm, EXIT_GUEST, "mmap kvm_run: %s", strerror(errno));
	}
	/* KVM copies the registers into kvm_run at each exit: RIP for the
	 * exit record without an ioctl. */
	if (ioctl(vm->fd, KVM_CHECK_EXTENSION, KVM_CAP_SYNC_REGS) & KVM_SYNC_X86_REGS)
		vm->run->kvm_valid_regs = KVM_SYNC_X86_REGS;
	return 0;
}

static struct kvm_cpuid_entry2 *cpuid_find(struct kvm_cpuid2 *c, uint32_t fn)
{
	for (uint32_t i = 0; i < c->nent; i++)
		if (c->entries[i].function == fn)
			return &c->entries[i];
	return NULL;
}

/* Give the guest what the host supports, after checking that it covers
 * what the plan needs. */
static int set_cpuid(struct vm *vm, const struct plan *p)
{
	struct kvm_cpuid2 *c = NULL;
	int r = -1;

	for (uint32_t n = 64; n <= 4096 && r < 0; n *= 2) {
		free(c);
		c = calloc(1, sizeof *c + n * sizeof c->entries[0]);
		if (!c)
			return fail(vm, EXIT_GUEST, "calloc: %s", strerror(errno));
		c->nent = n;
		r = ioctl(vm->kvm, KVM_GET_SUPPORTED_CPUID, c);
		if (r < 0 && errno != E2BIG)
			break;
	}
	if (r < 0) {
		free(c);
		return fail(vm, EXIT_GUEST, "KVM_GET_SUPPORTED_CPUID: %s",
			    strerror(errno));
	}
	struct kvm_cpuid_entry2 *ext = cpuid_find(c, CPUID_EXT_FEATURES);
	uint32_t edx = ext ? ext->edx : 0;
	int status = 0;
	if (p->mode->paging == 4 && !(edx & CPUID_EDX_LM))
		status = fail(vm, EXIT_SKIP, "this KVM offers no long mode "
			      "(CPUID 0x80000001 EDX.LM)");
	else if (p->pt.huge1g && !(edx & CPUID_EDX_PDPE1GB))
		status = fail(vm, EXIT_SKIP, "this KVM offers no 1 GiB pages "
			      "(CPUID 0x80000001 EDX.pdpe1gb): use page: 2M");
	else if (p->pt.nx && !(edx & CPUID_EDX_NX))
		status = fail(vm, EXIT_SKIP, "this KVM offers no NX bit "
			      "(CPUID 0x80000001 EDX.NX) for flag nx");
	else if (xioctl(vm->vcpu, KVM_SET_CPUID2, c) < 0)
		status = fail(vm, EXIT_GUEST, "KVM_SET_CPUID2: %s",
			      strerror(errno));
	free(c);
	return status;
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
		if (b->len)
			memcpy(dst, b->data, b->len);
	}
	return 0;
}

/* Name the bits of a control register that the host dropped. */
static int refused(struct vm *vm, const struct plan *p, const char *reg,
		   const struct bit_name *names, uint64_t want, uint64_t got)
{
	uint64_t lost = want & ~got;
	char bits[128], wbuf[128], gbuf[128];

	cpu_bits_str(names, lost, bits, sizeof bits);
	return fail(vm, EXIT_SKIP, "this KVM refused %s.%s in %s mode: "
		    "KVM_SET_SREGS asked for %s=0x%llx (%s), KVM_GET_SREGS "
		    "read back 0x%llx (%s)", reg, bits, p->mode->name, reg,
		    (unsigned long long)want, cpu_bits_str(names, want, wbuf, sizeof wbuf),
		    (unsigned long long)got, cpu_bits_str(names, got, gbuf, sizeof gbuf));
}

static int set_registers(struct vm *vm, const struct plan *p)
{
	struct kvm_sregs s;

	if (xioctl(vm->vcpu, KVM_GET_SREGS, &s) < 0)
		return fail(vm, EXIT_GUEST, "KVM_GET_SREGS: %s", strerror(errno));
	s.cs = p->sregs.cs;
	s.ds = p->sregs.ds;
	s.es = p->sregs.es;
	s.fs = p->sregs.fs;
	s.gs = p->sregs.gs;
	s.ss = p->sregs.ss;
	s.tr = p->sregs.tr;
	s.ldt = p->sregs.ldt;
	s.gdt = p->sregs.gdt;
	s.idt = p->sregs.idt;
	s.cr0 = p->sregs.cr0;
	s.cr3 = p->sregs.cr3;
	s.cr4 = p->sregs.cr4;
	s.efer = p->sregs.efer;
	if (xioctl(vm->vcpu, KVM_SET_SREGS, &s) < 0)
		return fail(vm, EXIT_GUEST, "KVM_SET_SREGS: %s", strerror(errno));
	if (xioctl(vm->vcpu, KVM_GET_SREGS, &s) < 0)
		return fail(vm, EXIT_GUEST, "KVM_GET_SREGS: %s", strerror(errno));
	if ((p->sregs.cr0 & ~s.cr0) != 0)
		return refused(vm, p, "CR0", cpu_cr0_bits, p->sregs.cr0, s.cr0);
	if ((p->sregs.cr4 & ~s.cr4) != 0)
		return refused(vm, p, "CR4", cpu_cr4_bits, p->sregs.cr4, s.cr4);
	if ((p->sregs.efer & ~s.efer) != 0)
		return refused(vm, p, "EFER", cpu_efer_bits, p->sregs.efer, s.efer);
	if (xioctl(vm->vcpu, KVM_SET_REGS, (void *)&p->regs) < 0)
		return fail(vm, EXIT_GUEST, "KVM_SET_REGS: %s", strerror(errno));
	return 0;
}

int vm_create(struct vm *vm, const struct plan *p)
{
	int status;

	memset(vm, 0, sizeof *vm);
	vm->kvm = vm->fd = vm->vcpu = -1;
	if ((status = open_kvm(vm)) || (status = set_tss(vm, p)) ||
	    (status = add_memory(vm, p)) || (status = create_vcpu(vm)) ||
	    (status = set_cpuid(vm, p)) || (status = copy_blobs(vm, p)) ||
	    (status = set_registers(vm, p)))
		return status;
	return 0;
}

void vm_destroy(struct vm *vm)
{
	if (vm->run)
		munmap(vm->run, vm->run_size);
	mem_unmap(&vm->mem);
	if (vm->vcpu >= 0)
		close(vm->vcpu);
	if (vm->fd >= 0)
		close(vm->fd);
	if (vm->kvm >= 0)
		close(vm->kvm);
	memset(vm, 0, sizeof *vm);
	vm->kvm = vm->fd = vm->vcpu = -1;
}
