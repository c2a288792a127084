/* The KVM_RUN loop: exits dispatched until the guest stops. */
#ifndef KVMRUN_RUN_H
#define KVMRUN_RUN_H

#include <signal.h>

#include "gdb.h"
#include "hook.h"
#include "io.h"
#include "plan.h"
#include "result.h"
#include "smp.h"
#include "vm.h"

struct guard;

/* One run of a VM: what every vCPU's loop shares. */
struct run {
	struct vm *vm;
	const struct plan *plan;
	struct io_table *io;
	struct gdb *gdb;
	struct result *res;
	struct smp smp;
	struct guard *guard;
	bool asleep; /* in ACPI S3 when a signal came */
	volatile sig_atomic_t *stop_signal; /* the signal that ends the run */
	struct run_hooks hooks; /* the features that take exits (hook.h) */
	/* --trace: told of each exit as it is counted; NULL for none. The
	 * report stage gives it, so that run does not depend on report. */
	void (*trace_exit)(const struct result *res, const struct exit_rec *e);
};

/*
 * Before the sandbox: get (r) ready to run (vm) made from plan (p), with
 * (io) and (res), and start a thread, held, for each application
 * processor. 0, or -1 with (why).
 */
int run_prepare(struct run *r, struct vm *vm, const struct plan *p,
		struct io_table *io, struct result *res, char *why,
		size_t whylen);

/* A prepared run that will not happen: end its threads. */
void run_cancel(struct run *r);

/*
 * Run until a vCPU halts, is stopped by a handler, fails, runs out of
 * limits or is interrupted (the first vCPU to stop ends the run); fill the
 * result with why and the registers. With (gdb) connected (else NULL),
 * gdb controls the run from before the first instruction.
 */
void run_guest(struct run *r, struct gdb *gdb);

#endif
