/*
 * Build-time: compile kvmrun's seccomp filter with libseccomp and print it
 * as a C array of BPF instructions, so that a run installs it with one
 * system call instead of building it (libseccomp takes 0.1-0.3 ms a run).
 * The VM's and vCPU's descriptors are placeholders that sandbox.c patches.
 *
 * Its first instruction loads an argument it does not use. The kernel,
 * when a filter is installed, runs it in advance for each of the ~900
 * system call numbers to learn which it allows whatever the arguments
 * (seccomp_cache_prepare); for this filter that took about 40 us at
 * every start. A load of an argument makes that dry run give up at
 * once. What it would have saved is a filter run of a few ns
 * on each of the few system calls a run makes, none of them per exit
 * but KVM_RUN, which tests its arguments and was never cached anyway.
 */
#include <errno.h>
#include <linux/kvm.h>
#include <linux/filter.h>
#include <linux/seccomp.h>
#include <seccomp.h>
#include <stdio.h>
#include <stddef.h>
#include <stdlib.h>
#include <sys/ioctl.h>
#include <sys/mman.h>

#define KVM_FD 0x7ffe0000u
#define VM_FD 0x7ffe0001u
#define VCPU_FD 0x7ffe0002u
#define VCPU_MASK 0x7ffe0003u

/* System calls allowed whatever their arguments. */
static const int plain[] = {
	SCMP_SYS(read), SCMP_SYS(write), SCMP_SYS(writev), SCMP_SYS(lseek),
	SCMP_SYS(fstat), SCMP_SYS(newfstatat), SCMP_SYS(close),
	SCMP_SYS(brk), SCMP_SYS(munmap), SCMP_SYS(mremap), SCMP_SYS(madvise),
	SCMP_SYS(rt_sigreturn), SCMP_SYS(rt_sigaction), SCMP_SYS(rt_sigprocmask),
	SCMP_SYS(timer_create), SCMP_SYS(timer_settime), SCMP_SYS(timer_delete),
	SCMP_SYS(clock_gettime), SCMP_SYS(poll), SCMP_SYS(ppoll),
	SCMP_SYS(clock_nanosleep), /* a guest asleep (ACPI S3), as it waits */
	SCMP_SYS(getpid), SCMP_SYS(gettid), SCMP_SYS(tgkill),
	SCMP_SYS(exit), SCMP_SYS(exit_group),
	SCMP_SYS(futex), /* the vCPU threads' locks, and joining them */
	/* glibc's qsort asks for the memory size before sorting a large
	 * array, as Capstone does with a table of registers on its first
	 * decode (a failure report's): read-only facts of the machine. */
	SCMP_SYS(sysinfo),
	/* What a thread registers with the kernel as it starts: the helper
	 * that asks the CPUID ahead (kvm_host.c) may only get to run once
	 * the filter is in place, even if it then has nothing to do. */
	SCMP_SYS(set_robust_list), SCMP_SYS(rseq),
	SCMP_SYS(sched_yield), /* waiting for that helper's answer */
};

static void check(int rc, const char *what)
{
	if (rc < 0) {
		fprintf(stderr, "mkfilter: %s: error %d\n", what, rc);
		exit(1);
	}
}

static void allow_ioctl(scmp_filter_ctx f, unsigned fd, unsigned long req)
{
	check(seccomp_rule_add(f, SCMP_ACT_ALLOW, SCMP_SYS(ioctl), 2,
			       SCMP_A0(SCMP_CMP_EQ, fd), SCMP_A1(SCMP_CMP_EQ, req)),
	      "ioctl rule");
}

/* On any vCPU: their descriptors form an aligned block (vm.c). */
static void allow_vcpu_ioctl(scmp_filter_ctx f, unsigned long req)
{
	check(seccomp_rule_add(f, SCMP_ACT_ALLOW, SCMP_SYS(ioctl), 2,
			       SCMP_A0(SCMP_CMP_MASKED_EQ, VCPU_MASK, VCPU_FD),
			       SCMP_A1(SCMP_CMP_EQ, req)),
	      "vCPU ioctl rule");
}

int main(void)
{
	scmp_filter_ctx f = seccomp_init(SCMP_ACT_TRAP);
	struct sock_filter insn;
	FILE *bpf = tmpfile();

	if (!f || !bpf)
		check(-1, "init");
	/* KVM_RUN first: it is the call made at every exit. */
	check(seccomp_syscall_priority(f, SCMP_SYS(ioctl), 255), "priority");
	for (size_t i = 0; i < sizeof plain / sizeof plain[0]; i++)
		check(seccomp_rule_add(f, SCMP_ACT_ALLOW, plain[i], 0), "rule");
	/* libdw, reading a guest's source lines for a failure report, asks
	 * where the image's file lives (readlink of /proc/self/fd/N, to
	 * find separate debug files): it is told nothing, and reads the
	 * lines from the image in memory. */
	check(seccomp_rule_add(f, SCMP_ACT_ERRNO(ENOENT), SCMP_SYS(readlink), 0),
	      "readlink");
	/* Memory for the report, never executable. */
	check(seccomp_rule_add(f, SCMP_ACT_ALLOW, SCMP_SYS(mmap), 1,
			       SCMP_A2(SCMP_CMP_MASKED_EQ, PROT_EXEC, 0)), "mmap");
	check(seccomp_rule_add(f, SCMP_ACT_ALLOW, SCMP_SYS(mprotect), 1,
			       SCMP_A2(SCMP_CMP_MASKED_EQ, PROT_EXEC, 0)), "mprotect");
	/* stdio asks whether an output is a terminal (isatty) on its first
	 * write; the answer changes nothing but buffering. */
	check(seccomp_rule_add(f, SCMP_ACT_ALLOW, SCMP_SYS(ioctl), 1,
			       SCMP_A1(SCMP_CMP_EQ, TCGETS)), "TCGETS");
	/* The KVM calls of a running VM, each of src/vm/vcpu.h's door
	 * (tests/kvm-door.sh checks that these rules are exactly those
	 * calls, vm_set_cpu's, KVM_RUN and the lazy slots). */
	allow_vcpu_ioctl(f, KVM_RUN);
	allow_vcpu_ioctl(f, KVM_GET_REGS);
	allow_vcpu_ioctl(f, KVM_GET_SREGS);
	allow_vcpu_ioctl(f, KVM_GET_MP_STATE); /* the failure report */
	/* What gdb may do to a stopped guest, and S3's wake. */
	allow_vcpu_ioctl(f, KVM_SET_REGS);
	/* An exception KVM could not emulate, delivered by kvmrun. */
	allow_vcpu_ioctl(f, KVM_GET_VCPU_EVENTS);
	allow_vcpu_ioctl(f, KVM_SET_VCPU_EVENTS);
	allow_vcpu_ioctl(f, KVM_GET_FPU);
	allow_vcpu_ioctl(f, KVM_SET_GUEST_DEBUG);
	/* The last of the setup, made once the filter is in place: the
	 * CPUID (asked here if the helper did not), then the special
	 * registers, read back (vm_set_cpu in vm.c). */
	allow_ioctl(f, KVM_FD, KVM_GET_SUPPORTED_CPUID);
	allow_vcpu_ioctl(f, KVM_SET_CPUID2);
	allow_vcpu_ioctl(f, KVM_SET_SREGS); /* and S3's wake */
	/* RAM given to KVM on the guest's first touch (mem.c). */
	allow_ioctl(f, VM_FD, KVM_SET_USER_MEMORY_REGION);
	/* irq-line handlers, hyperv-testdev's SINT routes (io.c). */
	allow_ioctl(f, VM_FD, KVM_IRQ_LINE);
	allow_ioctl(f, VM_FD, KVM_SET_GSI_ROUTING);
	check(seccomp_export_bpf(f, fileno(bpf)), "export");
	rewind(bpf);
	printf("/* Made by mkfilter with libseccomp at build time. */\n"
	       "#define FILTER_KVM_FD 0x%xu\n"
	       "#define FILTER_VM_FD 0x%xu\n#define FILTER_VCPU_FD 0x%xu\n"
	       "#define FILTER_VCPU_MASK 0x%xu\n"
	       "static const struct sock_filter filter_code[] = {\n"
	       "\t{ 0x%04x, 0, 0, 0x%08zx }, /* see mkfilter.c */\n",
	       KVM_FD, VM_FD, VCPU_FD, VCPU_MASK, BPF_LD | BPF_W | BPF_ABS,
	       offsetof(struct seccomp_data, args[0]));
	while (fread(&insn, sizeof insn, 1, bpf) == 1)
		printf("\t{ 0x%04x, %u, %u, 0x%08x },\n", insn.code, insn.jt,
		       insn.jf, insn.k);
	printf("};\n");
	seccomp_release(f);
	return 0;
}
