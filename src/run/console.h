/* The guest's console: what console handlers receive, kept in the result
 * for the expectations and passed through to stdout. */
#ifndef KVMRUN_CONSOLE_H
#define KVMRUN_CONSOLE_H

#include <stddef.h>

#include "result.h"

/* Bytes the guest wrote to a console handler: kept in (res), up to a cap,
 * and passed to stdout unless (res->quiet). */
void console_write(struct result *res, const char *data, size_t len);

/* The end of the run: a last line without its newline, when lines are
 * labelled (res->label), goes out now. */
void console_finish(struct result *res);

#endif
