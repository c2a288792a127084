/*
 * What the host's KVM answers the same way for every VM, kept once per
 * process: the /dev/kvm descriptor, the supported CPUID and an idle VM.
 *
 * KVM_GET_SUPPORTED_CPUID is asked ahead, on another core. On some hosts it
 * costs more than creating the VM (about 0.35 ms on kvm-pvm, where each
 * host CPUID traps): a helper thread asks it while the main thread reads
 * the config and creates the VM and its vCPU.
 */
#ifndef KVMRUN_KVM_HOST_H
#define KVMRUN_KVM_HOST_H

#include <linux/kvm.h>
#include <sys/types.h>

/*
 * The host's answers, asked once per process when a suite runs many
 * configs (vm_host_prepare), and inherited by its children: the /dev/kvm
 * descriptor and the supported CPUID, which costs more than creating the
 * VM itself on some hosts; and the idle VM (see kvm_host_hold_idle_vm).
 */
struct kvm_host {
	int kvm;
	struct kvm_cpuid2 *cpuid;
	int idle_vm, idle_vcpu;
	pid_t owner; /* the process that made the idle VM */
};

extern struct kvm_host kvm_host;

/* The kernel counts VMs and vCPUs in static keys, and patches its own
 * code (with an IPI to every CPU) whenever the host's first one is made
 * or its last one closed: 0.5 ms a VM on kvm-pvm. An idle VM with one
 * vCPU, never run, held for the whole suite, keeps the configs' VMs from
 * ever being the first or the last. Needs kvm_host.kvm. */
void kvm_host_hold_idle_vm(void);

/* In a child running one config of the suite: close the idle VM, which
 * its parent holds. */
void kvm_host_forget_idle_vm(void);

/* Start asking on (kvm), if this process may run on another core. Once
 * per process. */
void prefetch_cpuid_start(int kvm);

/*
 * The helper's answer, waiting for it if the helper is asking. NULL if
 * none was started, if the helper had not begun (it then never does: the
 * caller asks itself, which is faster than waiting for a busy core) or if
 * KVM refused. The table lives as long as the process.
 */
struct kvm_cpuid2 *prefetch_cpuid_take(void);

#endif
