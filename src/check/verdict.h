/* The verdicts of a run's expectations: data the check stage makes and
 * the report stage prints. */
#ifndef KVMRUN_VERDICT_H
#define KVMRUN_VERDICT_H

#include <stdbool.h>
#include <stddef.h>

#include "diag.h"

struct verdict {
	char what[48];      /* "console", "regs.rax", "memory 0x400" */
	char expected[200];
	char actual[200];
	bool ok;
	bool unchecked; /* not checked: the guest stopped as it should not */
	struct pos pos;
};

/* What one result the guest reported of its own became (subtests.h). */
enum subtest_result {
	SUB_PASS,
	SUB_FAIL,  /* also an unexpected pass (XPASS) and an abort */
	SUB_SKIP,
	SUB_XFAIL, /* a failure the guest expected (XFAIL, KFAIL, TAP TODO) */
	SUB_NRESULTS,
};

#define SUBTEST_NAME_MAX 200 /* bytes of a sub-test's name kept */

struct subtest {
	char name[SUBTEST_NAME_MAX]; /* printable: other bytes are '?' */
	char note[SUBTEST_NAME_MAX]; /* a skip's reason, the TAP directive
					or the guest's own word (XPASS) */
	enum subtest_result result;
	unsigned line;               /* of the console, from 1 */
};

/* The results the guest reported on its console (expect.subtests). */
struct subtests {
	bool read;                    /* the config asked for them */
	struct subtest *t;
	size_t n;                     /* kept: the first SUBTESTS_MAX */
	size_t count[SUB_NRESULTS];   /* all of them, kept or not */
	long long planned;            /* TAP's plan or the SUMMARY's count;
					 -1 without one */
	char problem[200];            /* what makes the report unsound
					 (a missing plan, a cut-off capture),
					 or "" */
};

struct verdicts {
	struct verdict *v;
	size_t n, failed;
	bool stop_ok; /* the guest stopped in a way the config allows */
	bool skipped; /* the guest said it skipped (expect.skip-status) */
	struct subtests sub;
};

#endif
