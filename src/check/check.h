/* Expectations: what the config says a run must leave behind. */
#ifndef KVMRUN_CHECK_H
#define KVMRUN_CHECK_H

#include <stdbool.h>

#include "config.h"
#include "result.h"
#include "verdict.h"
#include "vm.h"

/* Evaluate every expectation of (cfg) against (res) and guest memory. */
void check_run(const struct config *cfg, const struct result *res,
	       const struct vm *vm, struct verdicts *out);

/* kvmrun's exit status for a run with these verdicts. */
int check_exit_status(const struct verdicts *v);

void check_free(struct verdicts *v);

#endif
