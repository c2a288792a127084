/* A seccomp filter around the run: from just before the last of the setup
 * (the CPUID and special registers, see vm_set_cpu), kvmrun may only do
 * what that setup, the run loop, the checks and the report need. */
#ifndef KVMRUN_SANDBOX_H
#define KVMRUN_SANDBOX_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* True if this build can sandbox (a filter compiled with libseccomp at
 * build time, and no sanitizers, whose runtimes make calls a filter
 * cannot foresee). */
extern const bool sandbox_available;

/*
 * Install the filter, in every thread, for /dev/kvm (kvm_fd), the VM
 * (vm_fd) and the vCPUs: the descriptors fd with fd & (vcpu_mask) ==
 * (vcpu_base). Any other system call fails with ENOSYS and is recorded
 * for sandbox_refused. Returns 0, or -1 with (why) set.
 */
int sandbox_enter(int kvm_fd, int vm_fd, uint32_t vcpu_base,
		  uint32_t vcpu_mask, char *why, size_t whylen);

/* True, with (why) naming it, when the sandbox refused a call: the run
 * is then an error, reported as any other. */
bool sandbox_refused(char *why, size_t whylen);

#endif
