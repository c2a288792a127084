/* The exits that are kvmrun's own or that it answers for the guest:
 * the first touch of lazily given RAM, the exceptions KVM would not
 * emulate, and the diagnostic IDT's catch. Hooks on the exit loop. */
#ifndef KVMRUN_TRAPS_H
#define KVMRUN_TRAPS_H

#include "hook.h"
#include "plan.h"
#include "vm.h"

/* Register those that (vm) made from plan (p) needs. */
void traps_register(struct run_hooks *h, const struct vm *vm,
		    const struct plan *p);

#endif
