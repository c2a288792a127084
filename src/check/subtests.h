/* Results the guest reports of its own on the console: TAP, or the
 * PASS:/FAIL:/SKIP: lines and the SUMMARY: line of kvm-unit-tests. */
#ifndef KVMRUN_SUBTESTS_H
#define KVMRUN_SUBTESTS_H

#include <stdbool.h>
#include <stddef.h>

#include "config.h"
#include "verdict.h"

#define SUBTESTS_MAX 100000 /* sub-tests kept; the counts go on */

/* Read the results in (format) from the (len) bytes of (console) into
 * (out); (truncated): the capture was cut short, so results may be
 * missing. What makes the results unsound goes in out->problem. */
void subtests_read(enum subtest_format format, const char *console,
		   size_t len, bool truncated, struct subtests *out);

/* "pass", "fail", "skip" or "xfail". */
const char *subtest_result_token(enum subtest_result r);

/* "14 sub-tests: 12 passed, 2 skipped" into (buf). */
const char *subtests_counts_str(const struct subtests *s, char *buf,
				size_t len);

void subtests_free(struct subtests *s);

#endif
