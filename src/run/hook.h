/*
 * Hooks on the exit loop (solo5's hvt_core_register_vmexit is the model):
 * a feature that takes some exits registers for their reason where it is
 * set up, and the loop calls the hooks of an exit's reason, in the order
 * registered, before its own handling. An exit reason no hook wants costs
 * one load and no indirect call.
 */
#ifndef KVMRUN_HOOK_H
#define KVMRUN_HOOK_H

#include <assert.h>

#include "io.h"
#include "result.h"

struct run;
struct vcpu;

enum hook_verdict {
	HOOK_PASS,     /* not this hook's: the next one, or the loop's own */
	HOOK_UNSEEN,   /* kvmrun's own exit: not counted, traced or limited */
	HOOK_CONTINUE, /* taken: counted, and the guest runs on */
	HOOK_STOP,     /* taken: counted, and the run ends (res->stop says why) */
};

typedef enum hook_verdict (*exit_hook)(struct run *r, struct vcpu *c);

/* Stop-making I/O actions (io.h) a hook may take instead of the loop's
 * stop: IO_SLEEP has no stop of its own. */
typedef bool (*io_hook)(struct run *r, struct vcpu *c); /* true: stopped */

#define HOOKS_PER_REASON 2
#define IO_ACTIONS (IO_POWEROFF + 1)

struct run_hooks {
	exit_hook exit[EXIT_REASONS][HOOKS_PER_REASON]; /* NULL-ended */
	io_hook io[IO_ACTIONS];
};

/* Hook (fn) takes exits of (reason), after those registered before it. */
static inline void hook_exit(struct run_hooks *h, unsigned reason, exit_hook fn)
{
	assert(reason < EXIT_REASONS - 1);
	exit_hook *e = h->exit[reason];
	size_t i = 0;
	while (i < HOOKS_PER_REASON && e[i])
		i++;
	assert(i < HOOKS_PER_REASON);
	e[i] = fn;
}

/* Hook (fn) takes the I/O action (a) a device asked for. */
static inline void hook_io(struct run_hooks *h, enum io_action a, io_hook fn)
{
	assert(a < IO_ACTIONS);
	h->io[a] = fn;
}

#endif
