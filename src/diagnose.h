/* The end of the run stage: what a failure report shows of a vCPU, read
 * from guest memory while the VM still exists. */
#ifndef KVMRUN_DIAGNOSE_H
#define KVMRUN_DIAGNOSE_H

#include "result.h"
#include "vm.h"

/* Fill (d) for a vCPU left with (r) and (s): the code around RIP and the
 * page walks of RIP and CR2. Reads guest memory through vm_gpa only. */
void diagnose_cpu(const struct vm *vm, const struct kvm_regs *r,
		  const struct kvm_sregs *s, struct cpu_diagnosis *d);

#endif
