/*
 * The floor kvmrun is measured against: the smallest hand-written program
 * that runs a long-mode guest. Open /dev/kvm, one VM, one 2 MiB slot, the
 * flat guest at 1 MiB, the same page tables as kvmrun's (PML4 at 0x1000,
 * PDPT, PD, one 2 MiB page), one vCPU, long mode sregs, regs (rdi, rsi from
 * the command line), and a run loop that writes port 0xE9 to buffered
 * stdout until HLT.
 *
 * With -c the vCPU also gets the host's supported CPUID, which kvmrun must
 * give every guest (SPEC.md) and this program otherwise leaves empty.
 *
 *   bench/bare [-c] GUEST.bin [RDI [RSI]]
 */
#include <fcntl.h>
#include <linux/kvm.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <unistd.h>

#define MEM (2u << 20)

static void die(const char *what)
{
	perror(what);
	exit(3);
}

int main(int argc, char **argv)
{
	int with_cpuid = argc > 1 && strcmp(argv[1], "-c") == 0;
	argc -= with_cpuid;
	argv += with_cpuid;
	if (argc < 2) {
		fprintf(stderr, "usage: bare [-c] GUEST.bin [RDI [RSI]]\n");
		return 2;
	}
	int kvm = open("/dev/kvm", O_RDWR | O_CLOEXEC);
	if (kvm < 0)
		die("/dev/kvm");
	int vm = ioctl(kvm, KVM_CREATE_VM, 0);
	if (vm < 0)
		die("KVM_CREATE_VM");
	uint8_t *mem = mmap(NULL, MEM, PROT_READ | PROT_WRITE,
			    MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE, -1, 0);
	if (mem == MAP_FAILED)
		die("mmap");
	FILE *f = fopen(argv[1], "rb");
	if (!f || fread(mem + 0x100000, 1, MEM - 0x100000, f) == 0)
		die(argv[1]);
	fclose(f);
	uint64_t *pml4 = (uint64_t *)(mem + 0x1000);
	pml4[0] = 0x2000 | 7;
	((uint64_t *)(mem + 0x2000))[0] = 0x3000 | 7;
	((uint64_t *)(mem + 0x3000))[0] = 0x80 | 3; /* PS RW P */
	struct kvm_userspace_memory_region slot = {
		.memory_size = MEM, .userspace_addr = (uintptr_t)mem };
	if (ioctl(vm, KVM_SET_USER_MEMORY_REGION, &slot) < 0)
		die("KVM_SET_USER_MEMORY_REGION");

	int vcpu = ioctl(vm, KVM_CREATE_VCPU, 0);
	int size = ioctl(kvm, KVM_GET_VCPU_MMAP_SIZE, 0);
	struct kvm_run *run = mmap(NULL, (size_t)size, PROT_READ | PROT_WRITE,
				   MAP_SHARED, vcpu, 0);
	if (vcpu < 0 || run == MAP_FAILED)
		die("vcpu");
	struct { struct kvm_cpuid2 c; struct kvm_cpuid_entry2 e[128]; } cpuid = {
		.c.nent = 128 };
	if (with_cpuid && (ioctl(kvm, KVM_GET_SUPPORTED_CPUID, &cpuid) < 0 ||
			   ioctl(vcpu, KVM_SET_CPUID2, &cpuid) < 0))
		die("CPUID");

	struct kvm_sregs s;
	if (ioctl(vcpu, KVM_GET_SREGS, &s) < 0)
		die("KVM_GET_SREGS");
	struct kvm_segment code = { .selector = 8, .type = 11, .present = 1,
				    .s = 1, .l = 1, .g = 1, .limit = 0xffffffff };
	struct kvm_segment data = { .selector = 16, .type = 3, .present = 1,
				    .s = 1, .db = 1, .g = 1, .limit = 0xffffffff };
	s.cs = code;
	s.ds = s.es = s.fs = s.gs = s.ss = data;
	s.cr0 = 0x80010033; /* PE MP ET NE WP PG */
	s.cr3 = 0x1000;
	s.cr4 = 0x620;      /* PAE OSFXSR OSXMMEXCPT */
	s.efer = 0x500;     /* LME LMA */
	struct kvm_regs r = { .rip = 0x100000, .rsp = MEM, .rflags = 2,
			      .rdi = argc > 2 ? strtoull(argv[2], NULL, 0) : 0,
			      .rsi = argc > 3 ? strtoull(argv[3], NULL, 0) : 0 };
	if (ioctl(vcpu, KVM_SET_SREGS, &s) < 0 || ioctl(vcpu, KVM_SET_REGS, &r) < 0)
		die("registers");

	for (;;) {
		if (ioctl(vcpu, KVM_RUN, 0) < 0)
			die("KVM_RUN");
		if (run->exit_reason == KVM_EXIT_HLT)
			break;
		if (run->exit_reason != KVM_EXIT_IO || run->io.port != 0xe9) {
			fprintf(stderr, "bare: exit %u\n", run->exit_reason);
			return 3;
		}
		fwrite((uint8_t *)run + run->io.data_offset, run->io.size,
		       run->io.count, stdout);
	}
	fflush(stdout);
	return 0;
}
