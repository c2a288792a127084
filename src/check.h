/* Expectations: what the config says a run must leave behind. */
#ifndef KVMRUN_CHECK_H
#define KVMRUN_CHECK_H

#include <stdbool.h>

#include "config.h"
#include "result.h"
#include "vm.h"

struct verdict {
	char what[48];      /* "console", "regs.rax", "memory 0x400" */
	char expected[200];
	char actual[200];
	bool ok;
	struct pos pos;
};

struct verdicts {
	struct verdict *v;
	size_t n, failed;
	bool stop_ok; /* the guest stopped in a way the config allows */
};

/* Evaluate every expectation of (cfg) against (res) and guest memory. */
void check_run(const struct config *cfg, const struct result *res,
	       const struct vm *vm, struct verdicts *out);

/* kvmrun's exit status for a run with these verdicts. */
int check_exit_status(const struct verdicts *v);

void check_free(struct verdicts *v);

#endif
