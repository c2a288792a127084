/* -s KEY=VALUE: set a scalar of a parsed config by its dotted path. */
#ifndef KVMRUN_OVERRIDE_H
#define KVMRUN_OVERRIDE_H

#include "diag.h"
#include "ydoc.h"

/*
 * Apply the option (arg), "a.b[0].c=VALUE" or "a.b.0.c=VALUE", to (doc):
 * missing mapping keys are created, an existing value is replaced. The new
 * nodes carry (argno) so that problems with them name the option.
 */
void override_apply(struct ydoc *doc, struct diag *d, unsigned argno,
		    const char *arg);

#endif
