/*
 * A gdb stub: kvmrun listens for one gdb, which then controls the run
 * through the remote serial protocol (gdb_rsp.c): registers (gdb_regs.c),
 * virtual memory through the guest's page tables, software breakpoints,
 * hardware breakpoints and watchpoints in the debug registers
 * (KVM_SET_GUEST_DEBUG), single steps, Ctrl-C, detach and kill.
 */
#ifndef KVMRUN_GDB_H
#define KVMRUN_GDB_H

#include <stdbool.h>
#include <stddef.h>

#include "result.h"
#include "vm.h"

struct gdb;

/* How long gdb_accept waits when the config does not say (debug.wait):
 * at a terminal, without end; elsewhere (a harness, CI) so long only. */
#define GDB_WAIT_DEFAULT_NS (10ULL * 1000000000ULL)

/* Listen on (addr), "[HOST:]PORT" (HOST defaults to 127.0.0.1; PORT 0
 * picks a free one), tell stderr where, and wait for gdb to connect, at
 * most (wait_ns) (0: without end). NULL, with (why), if that fails or
 * nobody came. */
struct gdb *gdb_accept(const char *addr, const char *name,
		       uint64_t wait_ns, char *why, size_t whylen);

/* What the run does after gdb had its say. */
enum gdb_next {
	GDB_RUN,  /* resume the guest */
	GDB_KILL, /* gdb sent k: end the run */
};

/* The guest is stopped before its first instruction: serve gdb. */
enum gdb_next gdb_start(struct gdb *g, struct vm *vm);

/* After KVM_EXIT_DEBUG: report the breakpoint, watchpoint or step, and
 * serve gdb (a read watchpoint hit by a write resumes silently). */
enum gdb_next gdb_debug_exit(struct gdb *g, struct vm *vm);

/* Take KVM_EXIT_DEBUG on the exit loop of (h): gdb's breakpoints,
 * watchpoints and steps; without gdb attached it is an unknown exit. */
struct run_hooks;
void gdb_register(struct run_hooks *h);

/* Set by SIGIO when gdb sent something while the guest runs. */
extern volatile int gdb_attention;

/* Read what gdb sent while the guest ran: Ctrl-C stops it and serves gdb;
 * a closed connection detaches. */
enum gdb_next gdb_poll(struct gdb *g, struct vm *vm);

/* The run ended as (res) says: a failure is shown to gdb as a signal
 * first (its registers can be read), then gdb hears that the guest
 * exited (W) or was terminated (X). */
void gdb_end(struct gdb *g, struct vm *vm, const struct result *res);

/* True while gdb is attached: the timeout does not apply then. */
bool gdb_attached(const struct gdb *g);

void gdb_close(struct gdb *g);

#endif
