/* A seccomp filter around the run (see sandbox.h). */
#include "kvmrun-config.h"

#include "sandbox.h"

#include <errno.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#if defined(HAVE_SECCOMP) && !defined(KVMRUN_SANITIZERS)
#include <linux/filter.h>
#include <linux/seccomp.h>
#include <sys/prctl.h>
#include <sys/syscall.h>
#include <ucontext.h>

#include "seccomp-filter.h"

const bool sandbox_available = true;

/* Names by number, made from <sys/syscall.h> at build time. */
static const char *const syscall_names[] = {
#include "syscall-names.h"
};

/* The first call the filter refused, or -1. */
static volatile sig_atomic_t refused = -1;

/* A forbidden call: it fails with ENOSYS, as a call this kernel lacks
 * would, and the run goes on to its report, which names the call
 * (sandbox_refused). Async-signal-safe. */
static void on_sigsys(int sig, siginfo_t *info, void *ctx)
{
	(void)sig;
	if (refused < 0)
		refused = info->si_syscall;
#ifdef __x86_64__
	((ucontext_t *)ctx)->uc_mcontext.gregs[REG_RAX] = -ENOSYS;
#else
	(void)ctx;
	_exit(3); /* no register to answer in: nothing to report with */
#endif
}

bool sandbox_refused(char *why, size_t whylen)
{
	int nr = refused;
	const char *name = nr >= 0 && (size_t)nr < sizeof syscall_names /
						      sizeof syscall_names[0] &&
				   syscall_names[nr] ? syscall_names[nr] : "?";

	if (nr < 0)
		return false;
	snprintf(why, whylen, "the sandbox stopped system call %d (%s), "
		 "which a run does not need; --no-sandbox runs without it",
		 nr, name);
	return true;
}

int sandbox_enter(int kvm_fd, int vm_fd, uint32_t vcpu_base,
		  uint32_t vcpu_mask, char *why, size_t whylen)
{
	enum { N = sizeof filter_code / sizeof filter_code[0] };
	struct sigaction sa = { .sa_sigaction = on_sigsys, .sa_flags = SA_SIGINFO };
	struct sock_filter code[N];
	struct sock_fprog prog = { N, code };

	/* The filter was compiled at build time (mkfilter.c); only the
	 * descriptors of this VM are filled in. */
	memcpy(code, filter_code, sizeof code);
	for (size_t i = 0; i < N; i++) {
		if (code[i].k == FILTER_KVM_FD)
			code[i].k = (uint32_t)kvm_fd;
		else if (code[i].k == FILTER_VM_FD)
			code[i].k = (uint32_t)vm_fd;
		else if (code[i].k == FILTER_VCPU_FD)
			code[i].k = vcpu_base;
		else if (code[i].k == FILTER_VCPU_MASK)
			code[i].k = vcpu_mask;
	}
	sigemptyset(&sa.sa_mask);
	if (sigaction(SIGSYS, &sa, NULL) != 0 ||
	    prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0) != 0 ||
	    /* TSYNC: the vCPU threads, already started, are held too. */
	    syscall(SYS_seccomp, SECCOMP_SET_MODE_FILTER,
		    SECCOMP_FILTER_FLAG_TSYNC, &prog) != 0) {
		snprintf(why, whylen, "cannot install the seccomp sandbox: %s "
			 "(--no-sandbox runs without it)", strerror(errno));
		return -1;
	}
	if (getenv("KVMRUN_SANDBOX_TEST"))
		(void)!getppid(); /* for tests: a call the filter forbids */
	return 0;
}
#else
const bool sandbox_available = false;

int sandbox_enter(int kvm_fd, int vm_fd, uint32_t vcpu_base,
		  uint32_t vcpu_mask, char *why, size_t whylen)
{
	(void)kvm_fd, (void)vm_fd, (void)vcpu_base, (void)vcpu_mask;
	(void)why, (void)whylen;
	return 0;
}

bool sandbox_refused(char *why, size_t whylen)
{
	(void)why, (void)whylen;
	return false;
}
#endif
