/*
 * What the engine that runs kvmrun asks of it in the environment:
 * Bazel's test protocol (the test encyclopedia's XML_OUTPUT_FILE,
 * TEST_UNDECLARED_OUTPUTS_DIR, TESTBRIDGE_TEST_ONLY,
 * TEST_PREMATURE_EXIT_FILE, TEST_INFRASTRUCTURE_FAILURE_FILE), and the
 * shard of a CI job (GitLab, Buildkite, CircleCI, Kubernetes Indexed
 * Jobs) when --shard auto asks for it. Nothing here is read unless set.
 */
#ifndef KVMRUN_ENGINE_ENV_H
#define KVMRUN_ENGINE_ENV_H

#include <stdbool.h>
#include <stddef.h>

/* What Bazel asks for where the options are silent: the JUnit file
 * (XML_OUTPUT_FILE), the log folder (TEST_UNDECLARED_OUTPUTS_DIR) and
 * the patterns of --test_filter (TESTBRIDGE_TEST_ONLY, split at commas;
 * (*only) is allocated and NULL when unset). */
struct engine_asks {
	const char *junit;
	const char *log_dir;
	char **only;
	size_t nonly;
};
void engine_asks(struct engine_asks *a);
void engine_asks_free(struct engine_asks *a);

/* Create TEST_PREMATURE_EXIT_FILE if set, so that a run that does not
 * finish (killed, timed out) is a failure. False, said, when it cannot
 * be created. */
bool engine_start(void);

/*
 * The run ends with (status) and is reported: where every config was
 * skipped (77), write TEST_INFRASTRUCTURE_FAILURE_FILE with the reason,
 * as Bazel knows no skip; then remove TEST_PREMATURE_EXIT_FILE. Returns
 * the status, 4 if a file of the protocol could not be written.
 */
int engine_finish(int status);

/*
 * --shard (spec) as suite_shard takes it: "auto" (or "auto/N" for
 * engines that export no total) becomes "I/N" from the variables of the
 * CI engine that set them, in (buf); NULL when none is set, or when
 * Bazel's are (suite_shard reads those itself). Other specs are returned
 * as given. NULL with (*ok) false, said, when the variables name no
 * shard.
 */
const char *engine_shard_spec(const char *spec, char *buf, size_t len,
			      bool *ok);

/* On stderr, the first line of a run sharded by an engine's variables:
 * which shard, from which variables, (kept) of (all) configs. */
void engine_shard_say(const char *spec, size_t kept, size_t all);

/* The name of a sharded suite's JUnit <testsuite> in (buf): "kvmrun
 * shard I/N" for the (spec) given to suite_shard (NULL: Bazel's, when
 * set), else "kvmrun". */
void engine_shard_name(const char *spec, char *buf, size_t len);

#endif
