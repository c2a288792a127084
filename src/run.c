/* The KVM_RUN loop: exits dispatched until the guest stops. */
#include "kvmrun-config.h"

#include "run.h"

#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <sys/ioctl.h>
#include <time.h>

#include "gdb.h"
#include "report.h"

/* The signal handler's view of the one run in progress. */
static struct kvm_run *volatile running;
static volatile sig_atomic_t stop_signal;

static void on_signal(int sig)
{
	stop_signal = sig;
	if (running)
		running->immediate_exit = 1; /* KVM_RUN returns at once */
}

/* gdb sent something (SIGIO): the run loop hands it to the stub. */
static void on_gdb(int sig)
{
	(void)sig;
	gdb_attention = 1;
	if (running)
		running->immediate_exit = 1;
}

struct guard {
	timer_t timer;
	bool have_timer, have_gdb;
	struct sigaction old_alrm, old_int, old_term, old_io;
};

/* Start the timeout: (ns) from now. */
static int guard_timer(struct guard *g, uint64_t ns)
{
	struct sigevent ev = { .sigev_notify = SIGEV_SIGNAL,
			       .sigev_signo = SIGALRM };
	struct itimerspec its = { .it_value = {
		.tv_sec = (time_t)(ns / 1000000000ULL),
		.tv_nsec = (long)(ns % 1000000000ULL) } };

	if (timer_create(CLOCK_MONOTONIC, &ev, &g->timer) != 0)
		return -1;
	g->have_timer = true;
	return timer_settime(g->timer, 0, &its, NULL);
}

/* Arm the timeout and catch SIGINT/SIGTERM, without SA_RESTART so that
 * KVM_RUN returns EINTR. With gdb attached the timeout waits until gdb
 * detaches (the guest waits while gdb looks), and SIGIO says gdb spoke. */
static int guard_start(struct guard *g, struct kvm_run *run, uint64_t ns,
		       bool with_gdb)
{
	struct sigaction sa = { .sa_handler = on_signal };

	sigemptyset(&sa.sa_mask);
	stop_signal = 0;
	running = run;
	sigaction(SIGALRM, &sa, &g->old_alrm);
	sigaction(SIGINT, &sa, &g->old_int);
	sigaction(SIGTERM, &sa, &g->old_term);
	if (with_gdb) {
		struct sigaction io = { .sa_handler = on_gdb };
		sigemptyset(&io.sa_mask);
		g->have_gdb = true;
		return sigaction(SIGIO, &io, &g->old_io);
	}
	return guard_timer(g, ns);
}

static void guard_stop(struct guard *g)
{
	if (g->have_timer)
		timer_delete(g->timer);
	sigaction(SIGALRM, &g->old_alrm, NULL);
	sigaction(SIGINT, &g->old_int, NULL);
	sigaction(SIGTERM, &g->old_term, NULL);
	if (g->have_gdb)
		sigaction(SIGIO, &g->old_io, NULL);
	running = NULL;
}

static uint64_t now_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000000000ULL + (uint64_t)ts.tv_nsec;
}

static bool unknown_exit(const struct kvm_run *run, struct result *res)
{
	res->stop = STOPPED_UNKNOWN_EXIT;
	snprintf(res->detail, sizeof res->detail, "KVM exit reason %u (KVM_EXIT_%s)",
		 run->exit_reason, result_exit_name(run->exit_reason));
	return true;
}

static bool killed(struct result *res)
{
	res->stop = STOPPED_INTERRUPTED;
	snprintf(res->detail, sizeof res->detail, "gdb killed the guest");
	return true;
}

/* Handle one exit; returns true when the guest has stopped. */
static bool dispatch(struct vm *vm, struct io_table *io,
		     struct gdb *gdb, struct result *res)
{
	struct kvm_run *run = vm->run;
	enum io_action action;

	switch (run->exit_reason) {
	case KVM_EXIT_IO:
		action = io_port(io, run, vm->run_size, res);
		break;
	case KVM_EXIT_MMIO:
		if (mem_complete_mmio(&vm->mem, run))
			return false; /* first touch of RAM given lazily */
		action = io_mmio(io, run, res);
		break;
	case KVM_EXIT_HLT:
		res->stop = STOPPED_HLT;
		return true;
	case KVM_EXIT_SHUTDOWN:
		res->stop = STOPPED_SHUTDOWN;
		return true;
	case KVM_EXIT_FAIL_ENTRY:
		res->stop = STOPPED_FAIL_ENTRY;
		snprintf(res->detail, sizeof res->detail,
			 "hardware entry failure reason 0x%llx",
			 (unsigned long long)run->fail_entry.hardware_entry_failure_reason);
		return true;
	case KVM_EXIT_INTERNAL_ERROR:
		if (run->internal.suberror == KVM_INTERNAL_ERROR_EMULATION &&
		    vm_fault_code(vm))
			return false; /* code fetched from RAM given lazily */
		res->stop = STOPPED_INTERNAL_ERROR;
		snprintf(res->detail, sizeof res->detail, "suberror %u%s",
			 run->internal.suberror,
			 run->internal.suberror == KVM_INTERNAL_ERROR_EMULATION
				 ? " (KVM could not emulate an instruction)"
				 : "");
		return true;
	case KVM_EXIT_INTR:
		return false;
	case KVM_EXIT_DEBUG: /* a breakpoint, watchpoint or step for gdb */
		if (gdb_attached(gdb))
			return gdb_debug_exit(gdb, vm) == GDB_KILL && killed(res);
		return unknown_exit(run, res);
	default:
		return unknown_exit(run, res);
	}
	if (action == IO_CONTINUE)
		return false;
	if (action == IO_STOP)
		res->stop = STOPPED_EXIT;
	else
		res->stop = res->access.mmio ? STOPPED_UNHANDLED_MMIO
					     : STOPPED_UNHANDLED_IO;
	return true;
}

/* Note the exit in (run) as (e), after its handler ran (so that the data
 * of an IN is there). Stores only: this runs on every exit. */
static void record(const struct vm *vm, struct exit_rec *e)
{
	const struct kvm_run *run = vm->run;

	e->reason = run->exit_reason;
	e->data = 0;
	if (run->exit_reason == KVM_EXIT_IO) {
		uint64_t len = (uint64_t)run->io.size * run->io.count;
		e->write = run->io.direction == KVM_EXIT_IO_OUT;
		e->size = run->io.size;
		e->count = run->io.count;
		e->addr = run->io.port;
		if (run->io.data_offset <= vm->run_size &&
		    len <= vm->run_size - run->io.data_offset)
			memcpy(&e->data, (const uint8_t *)run + run->io.data_offset,
			       len < 8 ? len : 8);
	} else if (run->exit_reason == KVM_EXIT_MMIO) {
		e->write = run->mmio.is_write;
		e->size = (uint8_t)run->mmio.len;
		e->count = 1;
		e->addr = run->mmio.phys_addr;
		memcpy(&e->data, run->mmio.data, sizeof e->data);
	} else {
		e->write = false;
		e->size = 0;
		e->count = 0;
		e->addr = 0;
	}
	e->have_rip = run->kvm_valid_regs & KVM_SYNC_X86_REGS;
	e->rip = e->have_rip ? run->s.regs.regs.rip : 0;
}

static void loop(struct vm *vm, const struct config *cfg,
		 struct io_table *io, struct gdb *gdb, struct guard *g,
		 struct result *res)
{
	const bool trace = res->trace;
	uint64_t entered = 0, exited = 0;

	if (gdb && gdb_start(gdb, vm) == GDB_KILL) {
		killed(res);
		return;
	}
	for (;;) {
		if (gdb_attention && gdb) {
			/* SIGIO stopped KVM_RUN; a signal for the run sets
			 * stop_signal too, checked next. */
			gdb_attention = 0;
			vm->run->immediate_exit = 0;
			if (gdb_poll(gdb, vm) == GDB_KILL) {
				killed(res);
				return;
			}
		}
		if (gdb && !g->have_timer && !gdb_attached(gdb) &&
		    guard_timer(g, cfg->timeout_ns) != 0) {
			res->stop = STOPPED_KVM_ERROR;
			snprintf(res->detail, sizeof res->detail,
				 "timer_create: %s", strerror(errno));
			return;
		}
		if (stop_signal) {
			res->stop = stop_signal == SIGALRM ? STOPPED_TIMEOUT
							   : STOPPED_INTERRUPTED;
			return;
		}
		if (trace)
			entered = now_ns();
		if (ioctl(vm->vcpu, KVM_RUN, 0) < 0) {
			if (errno == EINTR || errno == EAGAIN)
				continue;
			res->stop = STOPPED_KVM_ERROR;
			snprintf(res->detail, sizeof res->detail, "KVM_RUN: %s",
				 strerror(errno));
			return;
		}
		if (trace)
			exited = now_ns();
		res->exits++;
		bool stopped = dispatch(vm, io, gdb, res);
		struct exit_rec *e = &res->ring[(res->exits - 1) % EXIT_RING];
		record(vm, e);
		res->by_reason[e->reason < EXIT_REASONS ? e->reason
							: EXIT_REASONS - 1]++;
		if (trace) {
			result_trace_add(res, e, exited - entered,
					 now_ns() - exited);
			report_trace_exit(res, e);
		}
		if (stopped)
			return;
		if (cfg->max_exits && res->exits >= cfg->max_exits) {
			res->stop = STOPPED_EXIT_LIMIT;
			return;
		}
	}
}

void run_guest(struct vm *vm, const struct config *cfg,
	       struct io_table *io, struct gdb *gdb, struct result *res)
{
	struct guard g = { 0 };
	uint64_t start = now_ns();

	if (guard_start(&g, vm->run, cfg->timeout_ns, gdb != NULL) != 0) {
		res->stop = STOPPED_KVM_ERROR;
		snprintf(res->detail, sizeof res->detail, "timer_create: %s",
			 strerror(errno));
	} else {
		loop(vm, cfg, io, gdb, &g, res);
		if (gdb)
			gdb_end(gdb, vm, res);
	}
	guard_stop(&g);
	res->ns = now_ns() - start;
	vm->run->immediate_exit = 0;
	res->have_regs = ioctl(vm->vcpu, KVM_GET_REGS, &res->regs) == 0 &&
			 ioctl(vm->vcpu, KVM_GET_SREGS, &res->sregs) == 0;
}
