/* The VM stage: a plan copied into KVM with ioctls, and nothing decided. */
#ifndef KVMRUN_VM_H
#define KVMRUN_VM_H

#include <linux/kvm.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "mem.h"
#include "plan.h"
#include "status.h"

/* How vm_create calls KVM: (describe) hears of every step (--explain);
 * a (dry) run makes no call and pretends each one worked. */
struct vm_calls {
	bool dry;
	void (*describe)(void *ctx, const char *call, const char *args);
	void *ctx;
};

/* One vCPU: its descriptor and its kvm_run. */
struct vcpu {
	int fd;
	struct kvm_run *run;
	/* The last KVM_RUN returned through KVM's exit path, which stores the
	 * registers in run->s.regs.regs when kvm_valid_regs asks for them. */
	bool regs_synced;
	/* What kvmrun delivered at this vCPU's last internal error, for the
	 * exit's record (vm_deliver_trap). */
	int delivered;      /* the vector, or -1 */
	const char *delivered_by; /* the instruction's mnemonic */
};

struct vm {
	int kvm, fd, vcpu;   /* vcpu and run: the bootstrap processor's, */
	struct kvm_run *run; /* cpus[0] */
	size_t run_size;
	struct vcpu *cpus;   /* cpu.count of them; 1..n-1 wait for INIT/SIPI */
	size_t ncpus;
	/* The vCPU descriptors fill an aligned block (for the sandbox):
	 * fd & vcpu_mask == vcpu_base for every one, and for no other. */
	uint32_t vcpu_base, vcpu_mask;
	struct memory mem;
	char why[512]; /* what went wrong, when a call fails */
	struct vm_calls calls;
	struct kvm_sregs reset; /* the BSP's special registers after reset */
	struct kvm_cpuid2 *hyperv; /* cpu.hyperv: KVM's Hyper-V leaves */
};

/*
 * Create the VM for (p): memory, vCPUs, the plan's bytes and general
 * registers; (calls) may be NULL. Returns 0, EXIT_SKIP when the host
 * cannot give what the plan asks for, or EXIT_GUEST; (vm->why) says why.
 */
int vm_create(struct vm *vm, const struct plan *p,
	      const struct vm_calls *calls);

/*
 * Finish what vm_create began with what needs the host's supported CPUID:
 * the vCPUs' CPUID, then the special registers, read back. A run makes
 * this call once the sandbox is in place: a run of one config asks for
 * that CPUID on another core, and the filter's cost (a JIT into kernel
 * text) is then paid while waiting for it. Returns as vm_create does.
 */
int vm_set_cpu(struct vm *vm, const struct plan *p);

/* Before many configs: open /dev/kvm and ask its supported CPUID once, for
 * every VM of this process and its children, and make the idle VM that
 * keeps theirs from being the host's first or last. 0, or a status with
 * (why). */
int vm_host_prepare(char *why, size_t whylen);

/* Before one config is run: open /dev/kvm and start asking its supported
 * CPUID on another core, while the config is read and the VM created.
 * Failures are left for vm_create to meet and report. */
void vm_host_prefetch(void);

void vm_destroy(struct vm *vm);

/*
 * vm_destroy for a process that exits next: guest memory and the kvm_run
 * areas stay mapped, for the kernel to drop at exit in one go. Once the
 * CPUID helper has run on another core, each munmap would make the kernel
 * interrupt that core to flush its TLB: about 40 µs on kvm-pvm.
 */
void vm_destroy_at_exit(struct vm *vm);

/*
 * The host address of guest-physical [gpa, gpa + len), or NULL unless it
 * lies wholly in one memory region. The one checked way into guest memory.
 */
void *vm_gpa(const struct vm *vm, uint64_t gpa, uint64_t len);

/* A pt_read_fn over guest memory (ctx is the struct vm). */
bool vm_read_phys(void *ctx, uint64_t gpa, uint64_t *value, unsigned size);

/* After an emulation failure on vCPU (c): if the guest was fetching code
 * from RAM that KVM has no slot for yet, give it one and return true (run
 * again). */
bool vm_fault_code(struct vm *vm, const struct vcpu *c);

/*
 * The guest-physical address of (linear) under the paging that (s)
 * describes, walked in software over guest memory (KVM_TRANSLATE is not
 * available on every host). False, with (why), when it is not mapped.
 */
bool vm_linear_to_phys(const struct vm *vm, const struct kvm_sregs *s,
		       uint64_t linear, uint64_t *phys, const char **why);

struct x86_trap;

/*
 * After KVM gave up emulating an instruction on vCPU (c): if it is one
 * whose only effect is an exception (x86_trap.h), move RIP as hardware
 * would and have KVM deliver that exception (KVM_SET_VCPU_EVENTS), then
 * return true (run again), with what was delivered in (t).
 */
bool vm_deliver_trap(struct vm *vm, const struct vcpu *c, struct x86_trap *t);

#endif
