/* --explain: a plan shown to a person (see explain.c). */
#ifndef KVMRUN_EXPLAIN_H
#define KVMRUN_EXPLAIN_H

#include <stdio.h>

#include "plan.h"

/* Write the plan (p) to (f) as text; the KVM calls are listed by running
 * the VM stage dry. Returns 0 or the status the dry run gave. */
int explain_plan(FILE *f, const struct plan *p);

/* Write the memory map and the page-table tree of (p) as Graphviz. */
void explain_dot(FILE *f, const struct plan *p);

#endif
