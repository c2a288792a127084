/*
 * Does this host stop on data breakpoints? A throwaway real-mode VM runs
 * "mov [0x800], al; hlt" with a write watch on 0x800 in DR0: KVM must
 * report KVM_EXIT_DEBUG before the hlt. Some hosts (kvm-pvm, which
 * emulates guest code) honour instruction breakpoints only. About a
 * millisecond, paid only when gdb attaches.
 */
#include "kvmrun-config.h"

#include "gdb_probe.h"

#include <linux/kvm.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <unistd.h>

#include "x86.h"

#define PROBE_CODE 0x1000
#define PROBE_DATA 0x800

bool gdb_probe_data_breakpoints(int kvm)
{
	static const unsigned char code[] = { 0xa2, 0x00, 0x08, 0xf4 }; /* mov [0x800], al; hlt */
	bool stops = false;
	int vm = -1, vcpu = -1;
	long run_size = 0;
	struct kvm_run *run = MAP_FAILED;
	void *mem = mmap(NULL, 0x2000, PROT_READ | PROT_WRITE,
			 MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);

	if (mem == MAP_FAILED)
		return false;
	memcpy((unsigned char *)mem + PROBE_CODE, code, sizeof code);
	struct kvm_userspace_memory_region slot = {
		.memory_size = 0x2000, .userspace_addr = (unsigned long)mem,
	};
	struct kvm_sregs sregs;
	struct kvm_regs regs = { .rip = PROBE_CODE, .rflags = 2 };
	struct kvm_guest_debug dbg = {
		.control = KVM_GUESTDBG_ENABLE | KVM_GUESTDBG_USE_HW_BP,
		.arch.debugreg = { PROBE_DATA, 0, 0, 0, 0, 0, 0,
				   X86_DR7_GE | X86_DR7_FIXED | X86_DR7_G(0) |
				   X86_DR7_RW(0, X86_DR7_WRITE) }, /* 1 byte */
	};
	if ((vm = ioctl(kvm, KVM_CREATE_VM, 0)) < 0 ||
	    ioctl(vm, KVM_SET_USER_MEMORY_REGION, &slot) < 0 ||
	    (vcpu = ioctl(vm, KVM_CREATE_VCPU, 0)) < 0 ||
	    (run_size = ioctl(kvm, KVM_GET_VCPU_MMAP_SIZE, 0)) <= 0 ||
	    (run = mmap(NULL, (size_t)run_size, PROT_READ | PROT_WRITE, MAP_SHARED,
			vcpu, 0)) == MAP_FAILED ||
	    ioctl(vcpu, KVM_GET_SREGS, &sregs) < 0)
		goto out;
	sregs.cs.base = 0;
	sregs.cs.selector = 0;
	sregs.ds = sregs.cs;
	sregs.ds.type = X86_SEG_DATA_RW;
	if (ioctl(vcpu, KVM_SET_SREGS, &sregs) < 0 ||
	    ioctl(vcpu, KVM_SET_REGS, &regs) < 0 ||
	    ioctl(vcpu, KVM_SET_GUEST_DEBUG, &dbg) < 0 ||
	    ioctl(vcpu, KVM_RUN, 0) < 0)
		goto out;
	stops = run->exit_reason == KVM_EXIT_DEBUG && (run->debug.arch.dr6 & X86_DR6_B(0));
out:
	if (run != MAP_FAILED)
		munmap(run, (size_t)run_size);
	if (vcpu >= 0)
		close(vcpu);
	if (vm >= 0)
		close(vm);
	munmap(mem, 0x2000);
	return stops;
}
