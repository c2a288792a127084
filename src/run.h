/* The KVM_RUN loop: exits dispatched until the guest stops. */
#ifndef KVMRUN_RUN_H
#define KVMRUN_RUN_H

#include "gdb.h"
#include "io.h"
#include "plan.h"
#include "result.h"
#include "vm.h"

/*
 * Run (vm) until the guest halts, is stopped by a handler, fails, runs out
 * of (cfg) limits or is interrupted; fill (res) with why and the final
 * registers. With (gdb) connected (else NULL), gdb controls the run from
 * before the first instruction.
 */
void run_guest(struct vm *vm, const struct config *cfg,
	       struct io_table *io, struct gdb *gdb, struct result *res);

#endif
