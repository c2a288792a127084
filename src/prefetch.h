/*
 * KVM_GET_SUPPORTED_CPUID asked ahead, on another core. On some hosts it
 * costs more than creating the VM (about 0.35 ms on kvm-pvm, where each
 * host CPUID traps): a helper thread asks it while the main thread reads
 * the config and creates the VM and its vCPU.
 */
#ifndef KVMRUN_PREFETCH_H
#define KVMRUN_PREFETCH_H

#include <linux/kvm.h>

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
