/* All of kvmrun's output: the guest console, problems, verdicts, dumps. */
#ifndef KVMRUN_REPORT_H
#define KVMRUN_REPORT_H

#include <stddef.h>

#include "check.h"
#include "config.h"
#include "plan.h"
#include "result.h"
#include "vm.h"

/* Bytes the guest wrote to a console handler: kept in (res) for the
 * expectations and passed to stdout unless (res->quiet). */
void report_console(struct result *res, const char *data, size_t len);

/* Every problem with a config, as FILE:LINE:COL: key.path: message. */
void report_diag(const struct diag *d);

/* (data) as a C-like string with escapes, cut to fit (size). */
const char *report_escape(char *buf, size_t size, const char *data,
			  size_t len);

/* Why the VM of config (name) could not be made. */
void report_vm_error(const char *name, int status, const char *why);

/* A config that --check found valid. */
void report_valid(const struct plan *p);

/* After a run: failed expectations, and the machine state when the guest
 * stopped unexpectedly. */
void report_run(const struct plan *p, const struct vm *vm,
		const struct result *res, const struct verdicts *v);

/* --trace: one line for exit (e), the latest of (res). */
void report_trace_exit(const struct result *res, const struct exit_rec *e);

/* One line: the config's name and what became of it. */
void report_verdict(const char *name, int status, const struct result *res);

/* The place of (status) in the summary: pass, fail, invalid, error, skip. */
int report_rank(int status);

/* The totals after several configs; (counts) is indexed by exit status
 * rank: pass, fail, invalid, error, skip. */
void report_summary(const size_t counts[5], size_t total);

#endif
