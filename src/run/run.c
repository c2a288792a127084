/* The KVM_RUN loop: exits dispatched until the guest stops; with several
 * vCPUs, one loop per vCPU, each in a thread of its own (smp.c). */
#include "kvmrun-config.h"

#include "run.h"

#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <stdlib.h>
#include <time.h>

#include "diagnose.h"
#include "gdb.h"
#include "signals.h"
#include "sleep.h"
#include "smp.h"
#include "vcpu.h"
#include "x86.h"
#include "traps.h"

#define HV_STATUS_INVALID_HYPERCALL_CODE 2 /* Hyper-V's TLFS */

/* The signal handler's view of the one run in progress. */
static struct kvm_run *volatile running;
static volatile sig_atomic_t stop_signal;
static void on_signal(int sig)
{
	stop_signal = sig;
	if (sig != SIGALRM)
		signals_note(sig);
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

/* The signals that stop a run as "interrupted"; kvmrun then ends by
 * the same signal, once it has reported (signals.h). */
static const int stop_signals[] = { SIGINT, SIGTERM, SIGHUP };
#define NSTOP (sizeof stop_signals / sizeof *stop_signals)

struct guard {
	timer_t timer;
	bool have_timer, have_gdb;
	struct sigaction old_alrm, old_stop[NSTOP], old_io;
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

/* Arm the timeout and catch SIGINT/SIGTERM/SIGHUP, without SA_RESTART so that
 * KVM_RUN returns EINTR. With gdb attached the timeout waits until gdb
 * detaches (the guest waits while gdb looks), and SIGIO says gdb spoke. */
static int guard_start(struct guard *g, struct kvm_run *run, uint64_t ns,
		       bool with_gdb)
{
	struct sigaction sa = { .sa_handler = on_signal };

	sigemptyset(&sa.sa_mask);
	/* One that came before the run (a suite stops its children)
	 * stops it before its first instruction. */
	stop_signal = signals_ending();
	run->immediate_exit = stop_signal != 0;
	running = run;
	sigaction(SIGALRM, &sa, &g->old_alrm);
	for (size_t i = 0; i < NSTOP; i++)
		sigaction(stop_signals[i], &sa, &g->old_stop[i]);
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
	for (size_t i = 0; i < NSTOP; i++)
		sigaction(stop_signals[i], &g->old_stop[i], NULL);
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

/* What an I/O action other than IO_CONTINUE stops the run as, unless
 * a hook takes it (hook.h). */
static const enum stop_reason io_stops[IO_ACTIONS] = {
	[IO_STOP] = STOPPED_EXIT,
	[IO_UNHANDLED] = STOPPED_UNHANDLED_IO,
	[IO_FAILED] = STOPPED_DEVICE_ERROR,
	[IO_SLEEP] = STOPPED_DEVICE_ERROR, /* no hook: no device asks it */
	[IO_POWEROFF] = STOPPED_POWEROFF,
};

/* Handle one exit of vCPU (c) that no hook took; returns true when the
 * guest has stopped. */
static bool dispatch(struct run *r, struct vcpu *c)
{
	struct kvm_run *run = c->run;
	struct result *res = r->res;
	enum io_action action;

	switch (run->exit_reason) {
	case KVM_EXIT_IO:
		action = io_port(r->io, run, r->vm->run_size, res);
		break;
	case KVM_EXIT_MMIO:
		action = io_mmio(r->io, run, res);
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
		res->stop = STOPPED_INTERNAL_ERROR;
		snprintf(res->detail, sizeof res->detail, "suberror %u%s",
			 run->internal.suberror,
			 run->internal.suberror == KVM_INTERNAL_ERROR_EMULATION
				 ? " (KVM could not emulate an instruction)"
				 : "");
		return true;
	case KVM_EXIT_INTR:
		return false;
	case KVM_EXIT_HYPERV:
		/* cpu.hyperv: KVM tells of the SynIC's message and event
		 * pages (kvmrun posts no messages of its own) and hands on
		 * the hypercalls it does not make itself, which have no
		 * device here, as QEMU answers them without one. */
		if (run->hyperv.type == KVM_EXIT_HYPERV_HCALL)
			run->hyperv.u.hcall.result = HV_STATUS_INVALID_HYPERCALL_CODE;
		return false;
	default:
		return unknown_exit(run, res);
	}
	if (action == IO_CONTINUE)
		return false;
	if (r->hooks.io[action])
		return r->hooks.io[action](r, c);
	res->stop = io_stops[action];
	if (action == IO_UNHANDLED && res->access.mmio)
		res->stop = STOPPED_UNHANDLED_MMIO;
	return true;
}

/* The verdict of the hooks on this exit's reason (hook.h): HOOK_PASS
 * when none takes it, or none is registered (the common case, with no
 * call at all). */
static enum hook_verdict hooked(struct run *r, struct vcpu *c)
{
	uint32_t reason = c->run->exit_reason;

	if (reason >= EXIT_REASONS)
		return HOOK_PASS;
	const exit_hook *h = r->hooks.exit[reason];
	enum hook_verdict v = HOOK_PASS;
	for (size_t i = 0; v == HOOK_PASS && i < HOOKS_PER_REASON && h[i]; i++)
		v = h[i](r, c);
	return v;
}

/* Note the exit in (run) as (e), after its handler ran (so that the data
 * of an IN is there). Stores only: this runs on every exit. */
static void record(const struct vcpu *c, size_t run_size,
		   struct exit_rec *e)
{
	const struct kvm_run *run = c->run;

	e->reason = run->exit_reason;
	e->data = 0;
	if (run->exit_reason == KVM_EXIT_IO) {
		uint64_t len = (uint64_t)run->io.size * run->io.count;
		e->write = run->io.direction == KVM_EXIT_IO_OUT;
		e->size = run->io.size;
		e->count = run->io.count;
		e->addr = run->io.port;
		if (run->io.data_offset <= run_size &&
		    len <= run_size - run->io.data_offset)
			memcpy(&e->data, (const uint8_t *)run + run->io.data_offset,
			       len < 8 ? len : 8);
	} else if (run->exit_reason == KVM_EXIT_MMIO) {
		e->write = run->mmio.is_write;
		e->size = (uint8_t)run->mmio.len;
		e->count = 1;
		e->addr = run->mmio.phys_addr;
		memcpy(&e->data, run->mmio.data, sizeof e->data);
	} else if (run->exit_reason == KVM_EXIT_INTERNAL_ERROR) {
		e->write = false;
		e->size = 0;
		e->count = 0;
		e->addr = run->internal.suberror;
		e->delivered = c->delivered;
		e->delivered_by = c->delivered_by;
	} else {
		e->write = false;
		e->size = 0;
		e->count = 0;
		e->addr = 0;
	}
	e->have_rip = run->kvm_valid_regs & KVM_SYNC_X86_REGS;
	e->rip = e->have_rip ? run->s.regs.regs.rip : 0;
}

/* Under the lock: vCPU (id) ends the run with (stop), unless another
 * one already has. */
static void end_run(struct run *r, unsigned id, enum stop_reason stop,
		    const char *detail)
{
	smp_lock(&r->smp);
	if (!smp_ended(&r->smp)) {
		r->res->stop = stop;
		snprintf(r->res->detail, sizeof r->res->detail, "%s", detail);
		r->res->cpu = id;
		smp_end(&r->smp, id);
	}
	smp_unlock(&r->smp);
}

/* What only the bootstrap processor's thread does between two KVM_RUNs:
 * gdb, the timeout once gdb has gone, signals. False when the run is
 * over. */
static bool bsp_between(struct run *r)
{
	struct gdb *gdb = r->gdb;

	if (gdb_attention && gdb) {
		/* SIGIO stopped KVM_RUN; a signal for the run sets
		 * stop_signal too, checked next. */
		gdb_attention = 0;
		r->vm->run->immediate_exit = 0;
		if (gdb_poll(gdb, r->vm) == GDB_KILL) {
			end_run(r, 0, STOPPED_INTERRUPTED, "gdb killed the guest");
			return false;
		}
	}
	if (gdb && !r->guard->have_timer && !gdb_attached(gdb) &&
	    guard_timer(r->guard, r->plan->facts.timeout_ns) != 0) {
		char why[100];
		snprintf(why, sizeof why, "timer_create: %s", strerror(errno));
		end_run(r, 0, STOPPED_KVM_ERROR, why);
		return false;
	}
	if (stop_signal) {
		char why[64] = "";
		if (r->asleep)
			snprintf(why, sizeof why, "asleep (ACPI S3), waiting "
				 "for the RTC alarm");
		if (stop_signal != SIGALRM) {
			snprintf(why, sizeof why, "SIG%s (%s)",
				 sigabbrev_np(stop_signal),
				 strsignal(stop_signal));
		}
		end_run(r, 0, stop_signal == SIGALRM ? STOPPED_TIMEOUT
						     : STOPPED_INTERRUPTED, why);
		return false;
	}
	return true;
}

/* One vCPU's KVM_RUN loop, until it or another vCPU stops the run. */
static void loop(struct run *r, unsigned id)
{
	struct vcpu *c = &r->vm->cpus[id];
	struct result *res = r->res;
	const bool trace = res->trace;
	uint64_t entered = 0, exited = 0;

	for (;;) {
		if (id == 0 && !bsp_between(r))
			return;
		if (smp_ended(&r->smp))
			return;
		if (trace)
			entered = now_ns();
		int ran = vm_run(c);
		/* EINTR and EAGAIN come back through the path that stores
		 * the registers too. */
		c->regs_synced = ran == 0 || errno == EINTR || errno == EAGAIN;
		if (ran < 0) {
			/* EAGAIN: an application processor woke from its
			 * wait for INIT/SIPI. */
			if (errno == EINTR || errno == EAGAIN)
				continue;
			char why[100];
			snprintf(why, sizeof why, "KVM_RUN: %s", strerror(errno));
			end_run(r, id, STOPPED_KVM_ERROR, why);
			return;
		}
		if (trace)
			exited = now_ns();
		smp_lock(&r->smp);
		if (smp_ended(&r->smp)) {
			/* Another vCPU ended the run while this one ran. */
			smp_unlock(&r->smp);
			return;
		}
		enum hook_verdict v = hooked(r, c);
		if (v == HOOK_UNSEEN) {
			smp_unlock(&r->smp);
			continue;
		}
		res->exits++;
		bool stopped = v == HOOK_PASS ? dispatch(r, c) : v == HOOK_STOP;
		struct exit_rec *e = &res->ring[(res->exits - 1) % EXIT_RING];
		record(c, r->vm->run_size, e);
		e->cpu = id;
		res->by_reason[e->reason < EXIT_REASONS ? e->reason
							: EXIT_REASONS - 1]++;
		if (trace) {
			result_trace_add(res, e, exited - entered,
					 now_ns() - exited);
			if (r->trace_exit)
				r->trace_exit(res, e);
		}
		if (!stopped && r->plan->facts.max_exits && res->exits >= r->plan->facts.max_exits) {
			res->stop = STOPPED_EXIT_LIMIT;
			stopped = true;
		}
		if (stopped) {
			res->cpu = id;
			smp_end(&r->smp, id);
		}
		smp_unlock(&r->smp);
		if (stopped)
			return;
	}
}

static void ap_loop(void *ctx, unsigned id)
{
	loop(ctx, id);
}

int run_prepare(struct run *r, struct vm *vm, const struct plan *p,
		struct io_table *io, struct result *res, char *why,
		size_t whylen)
{
	*r = (struct run){ .vm = vm, .plan = p, .io = io, .res = res,
			   .stop_signal = &stop_signal };
	traps_register(&r->hooks, vm, p);
	sleep_register(&r->hooks);
	return smp_start(&r->smp, vm, ap_loop, r, why, whylen);
}

void run_cancel(struct run *r)
{
	smp_finish(&r->smp);
}

/* A vCPU's registers. Those KVM_RUN left in kvm_run spare an ioctl (6 µs
 * on some hosts), unless gdb may have set others since. */
static bool read_regs(const struct run *r, const struct vcpu *c,
		      struct kvm_regs *regs, struct kvm_sregs *sregs)
{
	if (c->regs_synced && (c->run->kvm_valid_regs & KVM_SYNC_X86_REGS) &&
	    !r->gdb)
		*regs = c->run->s.regs.regs;
	else if (vm_get_regs(c, regs) != 0)
		return false;
	return vm_get_sregs(c, sregs) == 0;
}

/* Whether (s) and (regs) are the state of a vCPU after RESET (CS:IP
 * f000:fff0 below 4 GiB, protection off): KVM on AMD SVM leaves a vCPU so
 * after a shutdown, where other hosts keep the state it failed in. */
static bool is_reset_state(const struct kvm_regs *regs,
			   const struct kvm_sregs *s)
{
	return regs->rip == 0xfff0 && s->cs.selector == 0xf000 &&
	       s->cs.base == 0xffff0000 && !(s->cr0 & X86_CR0(PE));
}

/* Every vCPU's registers and state, once all have stopped. */
static void collect(struct run *r)
{
	struct vm *vm = r->vm;
	struct result *res = r->res;

	if (vm->ncpus > 1)
		res->cpus = calloc(vm->ncpus, sizeof *res->cpus);
	res->ncpus = res->cpus ? vm->ncpus : 0;
	for (size_t i = 0; i < res->ncpus; i++) {
		struct vcpu_state *st = &res->cpus[i];
		struct kvm_mp_state mp = { 0 };
		st->have_regs = read_regs(r, &vm->cpus[i], &st->regs, &st->sregs);
		if (st->have_regs)
			diagnose_cpu(vm, &st->regs, &st->sregs, &st->diag);
		st->have_mp_state = vm_get_mp_state(&vm->cpus[i], &mp) == 0;
		st->mp_state = mp.mp_state;
	}
	if (res->cpus) {
		res->have_regs = res->cpus[res->cpu].have_regs;
		res->regs = res->cpus[res->cpu].regs;
		res->sregs = res->cpus[res->cpu].sregs;
		res->diag = res->cpus[res->cpu].diag;
	} else {
		res->have_regs = read_regs(r, &vm->cpus[res->cpu], &res->regs,
					   &res->sregs);
		if (res->have_regs)
			diagnose_cpu(vm, &res->regs, &res->sregs, &res->diag);
	}
	if (res->exception.caught && res->have_regs &&
	    diagnose_exception(vm, &res->regs, &res->sregs, &res->exception)) {
		diagnose_cpu(vm, &res->regs, &res->sregs, &res->diag);
		if (res->cpus) {
			res->cpus[res->cpu].regs = res->regs;
			res->cpus[res->cpu].diag = res->diag;
		}
	}
	/* Reading the image's symbols and DWARF costs more than a short
	 * run: only for the stops that are failures in most configs. */
	if (res->have_regs && res->stop != STOPPED_HLT &&
	    res->stop != STOPPED_EXIT && res->stop != STOPPED_POWEROFF)
		diagnose_place(r->plan, &res->diag);
	res->reset_at_shutdown = res->stop == STOPPED_SHUTDOWN &&
				 res->have_regs &&
				 is_reset_state(&res->regs, &res->sregs);
}

void run_guest(struct run *r, struct gdb *gdb)
{
	struct guard g = { 0 };
	uint64_t start = now_ns();
	struct result *res = r->res;

	r->gdb = gdb;
	r->guard = &g;
	if (gdb)
		gdb_register(&r->hooks);
	if (guard_start(&g, r->vm->run, r->plan->facts.timeout_ns, gdb != NULL) != 0) {
		res->stop = STOPPED_KVM_ERROR;
		snprintf(res->detail, sizeof res->detail, "timer_create: %s",
			 strerror(errno));
	} else if (gdb && gdb_start(gdb, r->vm) == GDB_KILL) {
		killed(res);
	} else {
		smp_go(&r->smp);
		loop(r, 0);
		if (gdb)
			gdb_end(gdb, r->vm, res);
	}
	smp_finish(&r->smp);
	guard_stop(&g);
	res->ns = now_ns() - start;
	for (size_t i = 0; i < r->vm->ncpus; i++)
		r->vm->cpus[i].run->immediate_exit = 0;
	collect(r);
	collect_memory(r->vm, r->plan, res);
}
