/* A seccomp filter around the run (see sandbox.h). */
#include "kvmrun-config.h"

#include "sandbox.h"

#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#if defined(HAVE_SECCOMP) && !defined(KVMRUN_SANITIZERS)
#include <linux/kvm.h>
#include <seccomp.h>
#include <sys/mman.h>
#include <sys/ioctl.h>

const bool sandbox_available = true;

/* Names by number, made from <sys/syscall.h> at build time, so that the
 * signal handler needs no allocation. */
static const char *const syscall_names[] = {
#include "syscall-names.h"
};

/* A forbidden call: say which, and stop (async-signal-safe). */
static void on_sigsys(int sig, siginfo_t *info, void *ctx)
{
	char msg[200];
	int nr = info->si_syscall;
	const char *name = nr >= 0 && (size_t)nr < sizeof syscall_names /
						      sizeof syscall_names[0] &&
				   syscall_names[nr] ? syscall_names[nr] : "?";
	int n = snprintf(msg, sizeof msg, "kvmrun: the sandbox stopped system "
			 "call %d (%s), which a run does not need; --no-sandbox "
			 "runs without it\n", nr, name);

	(void)sig, (void)ctx;
	if (n > 0)
		(void)!write(STDERR_FILENO, msg, (size_t)n);
	_exit(3);
}

/* System calls allowed whatever their arguments. */
static const int plain[] = {
	SCMP_SYS(read), SCMP_SYS(write), SCMP_SYS(writev), SCMP_SYS(lseek),
	SCMP_SYS(fstat), SCMP_SYS(newfstatat), SCMP_SYS(close),
	SCMP_SYS(brk), SCMP_SYS(munmap), SCMP_SYS(mremap), SCMP_SYS(madvise),
	SCMP_SYS(rt_sigreturn), SCMP_SYS(rt_sigaction), SCMP_SYS(rt_sigprocmask),
	SCMP_SYS(timer_create), SCMP_SYS(timer_settime), SCMP_SYS(timer_delete),
	SCMP_SYS(clock_gettime),
	SCMP_SYS(getpid), SCMP_SYS(gettid), SCMP_SYS(tgkill),
	SCMP_SYS(exit), SCMP_SYS(exit_group),
};

static int allow_ioctl(scmp_filter_ctx f, int fd, unsigned long req)
{
	return seccomp_rule_add(f, SCMP_ACT_ALLOW, SCMP_SYS(ioctl), 2,
				SCMP_A0(SCMP_CMP_EQ, (scmp_datum_t)fd),
				SCMP_A1(SCMP_CMP_EQ, (scmp_datum_t)req));
}

int sandbox_enter(int vm_fd, int vcpu_fd, char *why, size_t whylen)
{
	struct sigaction sa = { .sa_sigaction = on_sigsys, .sa_flags = SA_SIGINFO };
	scmp_filter_ctx f = seccomp_init(SCMP_ACT_TRAP);
	int rc = f ? 0 : -ENOMEM;

	sigemptyset(&sa.sa_mask);
	for (size_t i = 0; rc == 0 && i < sizeof plain / sizeof plain[0]; i++)
		rc = seccomp_rule_add(f, SCMP_ACT_ALLOW, plain[i], 0);
	/* Memory for the report, never executable. */
	if (rc == 0)
		rc = seccomp_rule_add(f, SCMP_ACT_ALLOW, SCMP_SYS(mmap), 1,
				      SCMP_A2(SCMP_CMP_MASKED_EQ, PROT_EXEC, 0));
	if (rc == 0)
		rc = allow_ioctl(f, vcpu_fd, KVM_RUN);
	if (rc == 0)
		rc = allow_ioctl(f, vcpu_fd, KVM_GET_REGS);
	if (rc == 0)
		rc = allow_ioctl(f, vcpu_fd, KVM_GET_SREGS);
	/* stdio asks whether an output is a terminal (isatty) on its first
	 * write; the answer changes nothing but buffering. */
	if (rc == 0)
		rc = seccomp_rule_add(f, SCMP_ACT_ALLOW, SCMP_SYS(ioctl), 1,
				      SCMP_A1(SCMP_CMP_EQ, (scmp_datum_t)TCGETS));
	/* RAM given to KVM on the guest's first touch (mem.c). */
	if (rc == 0)
		rc = allow_ioctl(f, vm_fd, KVM_SET_USER_MEMORY_REGION);
	if (rc == 0 && sigaction(SIGSYS, &sa, NULL) != 0)
		rc = -errno;
	if (rc == 0)
		rc = seccomp_load(f);
	if (f)
		seccomp_release(f);
	if (rc != 0)
		snprintf(why, whylen, "cannot install the seccomp sandbox: %s "
			 "(--no-sandbox runs without it)", strerror(-rc));
	if (rc == 0 && getenv("KVMRUN_SANDBOX_TEST"))
		(void)!getppid(); /* for tests: a call the filter forbids */
	return rc == 0 ? 0 : -1;
}
#else
const bool sandbox_available = false;

int sandbox_enter(int vm_fd, int vcpu_fd, char *why, size_t whylen)
{
	(void)vm_fd, (void)vcpu_fd, (void)why, (void)whylen;
	return 0;
}
#endif
