/* Expectations: what the config says a run must leave behind. */
#ifndef KVMRUN_CHECK_H
#define KVMRUN_CHECK_H

#include <stdbool.h>

#include "config.h"
#include "result.h"
#include "verdict.h"

/* Evaluate the expectations (e) against the result (res) alone: guest
 * memory is what the run collected into res->memory, one range per
 * expect.memory item, in order. */
void check_run(const struct expect_cfg *e, const struct result *res,
	       struct verdicts *out);

/* kvmrun's exit status for a run with these verdicts. */
int check_exit_status(const struct verdicts *v);

void check_free(struct verdicts *v);

#endif
