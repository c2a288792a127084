/* libFuzzer: YAML bytes -> config -> plan. Image names resolve against
 * $KVMRUN_FUZZ_DIR (the build's configs/), so that seeds reach the plan. */
#include "kvmrun-config.h"

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>

#include "plan_text.h"

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
	plan_text(config_path, (const char *)data, size);
	return 0;
}
