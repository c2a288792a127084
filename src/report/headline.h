/* One line that says why a config did not pass: what JUnit's message,
 * TAP's YAML, JSON's "headline", kvmrun-kut's verdict line and a
 * suite's ending show, so that a dashboard names the cause. */
#ifndef KVMRUN_HEADLINE_H
#define KVMRUN_HEADLINE_H

#include <stddef.h>

#include "report.h"

#define HEADLINE_MAX 512 /* bytes of a headline, its NUL included */

/* The headline of (out) in (buf): the exception and where it struck,
 * the unhandled access, the timeout, the first failed expectation, the
 * first problem of an invalid config or the host's limit; "" when (out)
 * passed. */
const char *report_headline(const struct outcome *out, char *buf, size_t len);

/* How the guest stopped, when that is not what it was expected to do,
 * (e.g. "unhandled port I/O: write of 1 byte at port 0x80, value 0x1,
 * rip 0x1003: no handler is registered for this port"), in (buf); NULL
 * for a shutdown, which describe_shutdown tells at length. */
const char *report_stop_str(const struct plan *p, const struct result *res,
			    char *buf, size_t len);

#endif
