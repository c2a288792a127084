/* The end of the run stage: what a failure report shows of a vCPU, read
 * from guest memory while the VM still exists. */
#ifndef KVMRUN_DIAGNOSE_H
#define KVMRUN_DIAGNOSE_H

#include "plan.h"
#include "result.h"
#include "vm.h"

/* Fill (d) for a vCPU left with (r) and (s): the code around RIP and the
 * page walks of RIP and CR2. Reads guest memory through vm_gpa only. */
void diagnose_cpu(const struct vm *vm, const struct kvm_regs *r,
		  const struct kvm_sregs *s, struct cpu_diagnosis *d);

/* Copy each range the plan's checks read (p->reads) into res->memory,
 * as the guest left it: a range may span adjacent regions; one that is
 * not all RAM gets no bytes. */
void collect_memory(const struct vm *vm, const struct plan *p,
		    struct result *res);

/* Where RIP is in the config's ELF images: (d)'s rip_place. */
void diagnose_place(const struct plan *p, struct cpu_diagnosis *d);

/* Read the frame that a stub of the diagnostic IDT left on the stack of
 * the vCPU with (r) and (s) into (e), and put the RIP, RSP and RFLAGS of
 * before the exception back into (r), its CS (and SS from the frame) into
 * (s). False if the frame is unreadable. */
bool diagnose_exception(const struct vm *vm, struct kvm_regs *r,
			struct kvm_sregs *s, struct exception_rec *e);

#endif
