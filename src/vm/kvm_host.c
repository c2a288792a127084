/* The host's KVM, asked once per process (see kvm_host.h). */
#include "kvmrun-config.h"

#include "kvm_host.h"

#include <errno.h>
#include <pthread.h>
#include <sched.h>
#include <signal.h>
#include <stdatomic.h>
#include <stdbool.h>
#include <sys/ioctl.h>
#include <unistd.h>

/* KVM's own limit (KVM_MAX_CPUID_ENTRIES); a host that gives more is
 * asked again by the caller, with a growing table. */
#define ENTRIES 256

/* IDLE until started; WAITING for the helper to run; then ASKING and
 * DONE or FAILED; TAKEN once the caller came while it was still WAITING,
 * or has the answer. */
enum state { IDLE, WAITING, ASKING, DONE, FAILED, TAKEN };

static _Atomic int state = IDLE;
static int kvm_fd = -1;
/* The helper's stack. Given by us, it needs no mmap and mprotect before
 * the helper starts, nor an madvise when it ends (which would interrupt
 * the main thread's core to flush its TLB). */
static char stack[64 * 1024] __attribute__((aligned(64)));
static struct {
	struct kvm_cpuid2 c;
	struct kvm_cpuid_entry2 e[ENTRIES];
} table = { .c.nent = ENTRIES };

/* Whoever moves the state from WAITING does the asking. */
static bool claim(int to)
{
	int expected = WAITING;

	return atomic_compare_exchange_strong(&state, &expected, to);
}

static void *helper(void *arg)
{
	long r;

	(void)arg;
	if (!claim(ASKING))
		return NULL;
	do
		r = ioctl(kvm_fd, KVM_GET_SUPPORTED_CPUID, &table);
	while (r < 0 && errno == EINTR);
	atomic_store(&state, r == 0 ? DONE : FAILED);
	return NULL;
}

/* A core other than this one that the process may use, or -1. Without
 * it the scheduler tends to start the helper here, behind the caller. */
static int other_core(void)
{
	cpu_set_t allowed;
	int here = sched_getcpu();

	if (sched_getaffinity(0, sizeof allowed, &allowed) != 0)
		return -1;
	for (int cpu = 0; cpu < CPU_SETSIZE; cpu++)
		if (cpu != here && CPU_ISSET(cpu, &allowed))
			return cpu;
	return -1;
}

void prefetch_cpuid_start(int kvm)
{
	int cpu = other_core();
	pthread_attr_t attr;
	sigset_t none;
	cpu_set_t on;
	pthread_t t;

	if (cpu < 0 || pthread_attr_init(&attr) != 0)
		return;
	CPU_ZERO(&on);
	CPU_SET(cpu, &on);
	sigfillset(&none);
	kvm_fd = kvm;
	atomic_store(&state, WAITING);
	/* The helper makes one ioctl: a small stack, no signals (the run's
	 * timer and Ctrl-C are for the main thread), and nobody joins it (a
	 * helper that never got to run must not hold the caller up). */
	if (pthread_attr_setstack(&attr, stack, sizeof stack) != 0 ||
	    pthread_attr_setsigmask_np(&attr, &none) != 0 ||
	    pthread_attr_setdetachstate(&attr, PTHREAD_CREATE_DETACHED) != 0 ||
	    pthread_attr_setaffinity_np(&attr, sizeof on, &on) != 0 ||
	    pthread_create(&t, &attr, helper, NULL) != 0)
		atomic_store(&state, IDLE);
	pthread_attr_destroy(&attr);
}

struct kvm_cpuid2 *prefetch_cpuid_take(void)
{
	unsigned spins = 0;
	int now;

	if (claim(TAKEN))
		return NULL;
	/* The helper is asking on its own core: its answer comes within
	 * a millisecond, sooner than a sleeping thread would be woken on
	 * this host. Yield now and then in case it shares this core. */
	while ((now = atomic_load(&state)) == ASKING)
		if (++spins % 256 == 0)
			sched_yield();
		else
			__builtin_ia32_pause();
	if (now == DONE) {
		atomic_store(&state, TAKEN);
		return &table.c;
	}
	return NULL;
}

struct kvm_host kvm_host = { -1, NULL, -1, -1, 0 };

void kvm_host_hold_idle_vm(void)
{
	kvm_host.idle_vm = ioctl(kvm_host.kvm, KVM_CREATE_VM, 0);
	if (kvm_host.idle_vm >= 0)
		kvm_host.idle_vcpu = ioctl(kvm_host.idle_vm, KVM_CREATE_VCPU, 0);
	kvm_host.owner = getpid();
}

void kvm_host_forget_idle_vm(void)
{
	if (kvm_host.idle_vm < 0 || getpid() == kvm_host.owner)
		return;
	if (kvm_host.idle_vcpu >= 0)
		close(kvm_host.idle_vcpu);
	close(kvm_host.idle_vm);
	kvm_host.idle_vm = kvm_host.idle_vcpu = -1;
}
