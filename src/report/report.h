/* All of kvmrun's output: the guest console, problems, verdicts, dumps. */
#ifndef KVMRUN_REPORT_H
#define KVMRUN_REPORT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdio.h>

#include "config.h"
#include "plan.h"
#include "result.h"
#include "status.h"
#include "verdict.h"

/* --trace: one line for exit (e), the latest of (res). */
void report_trace_exit(const struct result *res, const struct exit_rec *e);

#define REPORT_LINE 640 /* bytes of a config's line at a suite's end */

/* Where reports go besides the human text on stderr. */
struct report_opts {
	bool tap;     /* TAP version 13 on stdout */
	bool suite;   /* several configs: a verdict each, then a summary */
	FILE *json;   /* one JSON document per run, or NULL */
	FILE *junit;  /* --junit: each run's <testcase>, or NULL */
	FILE *junit_file; /* where the JUnit document goes at the end */
	char junit_name[64]; /* its <testsuite>'s name: "kvmrun", or with
				 the shard ("kvmrun shard 2/3"); "" as kvmrun */
	const char *log_dir; /* --log-dir: each config's report and console
				 in files of their own there, or NULL */
	FILE *log_files[2];  /* this config's: opened before it runs */
	bool log_open;       /* they were (or could not be) opened */
	char log_stem[4096]; /* their path less .log or .console */
	bool lost;    /* a sink could not write all of an outcome */
	char line[REPORT_LINE]; /* the last outcome's line at a suite's
				   end, "VERDICT name: headline"; "" when it
				   passed or skipped */
	const char (*lines)[REPORT_LINE]; /* every config's, in order, for
					     report_finish; or NULL */
	size_t count; /* configs in this call */
	size_t index; /* configs reported so far */
};

/* What became of one config: every stage that ran leaves its part. */
struct outcome {
	const struct config *cfg;
	const struct plan *plan;  /* NULL when the config is invalid */
	const struct diag *plan_diag; /* the plan's problems, or NULL */
	const struct result *res; /* NULL unless the guest ran */
	const struct verdicts *v; /* NULL unless the guest ran */
	const char *why;          /* why the VM could not be made */
	int status;               /* kvmrun's exit status for it */
};

void report_start(struct report_opts *o, size_t nconfigs);

/* The human text of (out), as stderr shows it, to (f). */
void report_text(FILE *f, const struct outcome *out);

/* Before config (cfg) runs, with o->index the configs reported so far:
 * each sink opens what it needs. */
void report_before(struct report_opts *o, const struct config *cfg);

/* Report (out) to every sink: text on stderr, TAP, JSON. */
void report_outcome(struct report_opts *o, const struct outcome *out);

/* The summary after a suite: the counts of failures, a line for each
 * config that failed (o->lines), then "N passed, N failed, N skipped";
 * (counts) is indexed by status_rank. */
void report_finish(const struct report_opts *o, const size_t counts[RANK_COUNT]);

/* A format kvmrun reports in: (wanted) says whether these options ask
 * for it; (start) and (finish), when not NULL, come before the first
 * outcome and after the last; (before), when not NULL, before each
 * config runs, while files may still be opened (the sandbox forbids it). A new format is one more sink in report.c. */
struct sink {
	bool (*wanted)(const struct report_opts *o);
	void (*start)(const struct report_opts *o);
	void (*before)(struct report_opts *o, const struct config *cfg);
	void (*outcome)(struct report_opts *o, const struct outcome *out);
	void (*finish)(const struct report_opts *o,
		       const size_t counts[RANK_COUNT]);
};

extern const struct sink tap_sink;  /* report_tap.c: --tap */
extern const struct sink json_sink; /* report_json.c: --json */
extern const struct sink junit_sink; /* report_junit.c: --junit */
extern const struct sink log_sink;  /* report_log.c: --log-dir */

#endif
