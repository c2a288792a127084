/* One-line hints for the classic mistakes behind a failed run: an entry
 * function that returned, a jump to unmapped memory, a write to a
 * read-only page, a stack that ran off its mapping, a port with no
 * handler. Made from the plan and the result: data for every format. */
#ifndef KVMRUN_HINTS_H
#define KVMRUN_HINTS_H

#include <stddef.h>

#include "plan.h"
#include "result.h"

#define HINTS_MAX 4
#define HINT_LEN 240

/* The hints for (res), at most HINTS_MAX, into (out); their number. */
size_t hints_for(const struct plan *p, const struct result *res,
		 char out[HINTS_MAX][HINT_LEN]);

#endif
