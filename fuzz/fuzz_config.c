/* libFuzzer: YAML bytes -> config -> plan. Image names resolve against
 * $KVMRUN_FUZZ_DIR (the build's configs/), so that seeds reach the plan. */
#include "kvmrun-config.h"

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>

#include "config.h"
#include "plan.h"

int LLVMFuzzerInitialize(int *argc, char ***argv);
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static char *config_path;

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
	const char *dir = getenv("KVMRUN_FUZZ_DIR");

	(void)argc, (void)argv;
	if (asprintf(&config_path, "%s/fuzz.yaml", dir ? dir : ".") < 0)
		abort();
	return 0;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct config *cfg = cfg_load_text(config_path, (const char *)data, size);

	if (cfg->diag.count == 0) {
		struct plan p;
		plan_build(&p, cfg);
		plan_free(&p);
	}
	cfg_free(cfg);
	return 0;
}
