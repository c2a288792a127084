/* The stages a fuzz target drives: YAML text -> config -> plan. */
#ifndef KVMRUN_FUZZ_PLAN_TEXT_H
#define KVMRUN_FUZZ_PLAN_TEXT_H

#include "config.h"
#include "plan.h"

/* Parse (text) as the config (path) and plan it if it is valid. */
static inline void plan_text(const char *path, const char *text, size_t len)
{
	struct config *cfg = cfg_load_text(path, text, len, NULL, 0);

	if (cfg->diag.count == 0) {
		struct plan p;
		plan_build(&p, cfg);
		plan_free(&p);
	}
	cfg_free(cfg);
}

#endif
