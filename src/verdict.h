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

struct verdicts {
	struct verdict *v;
	size_t n, failed;
	bool stop_ok; /* the guest stopped in a way the config allows */
};

#endif
