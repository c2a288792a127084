/* What the engine running kvmrun asks of it (see engine_env.h). */
#include "kvmrun-config.h"

#include "engine_env.h"

#include <err.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "host.h"
#include "status.h"

/* (name)'s value, or NULL when it is unset or empty. */
static const char *env(const char *name)
{
	const char *v = getenv(name);

	return v && *v ? v : NULL;
}

void engine_asks(struct engine_asks *a)
{
	const char *filter = env("TESTBRIDGE_TEST_ONLY");

	a->junit = env("XML_OUTPUT_FILE");
	a->log_dir = env("TEST_UNDECLARED_OUTPUTS_DIR");
	a->only = NULL;
	a->nonly = 0;
	if (!filter)
		return;
	/* --test_filter=a,b names several, as gtest's and pytest's do. */
	char *copy = strdup(filter);
	a->only = calloc(strlen(filter) / 2 + 2, sizeof *a->only);
	if (!copy || !a->only)
		err(EXIT_USAGE, "TESTBRIDGE_TEST_ONLY");
	for (char *p = copy, *tok; (tok = strsep(&p, ","));)
		if (*tok)
			a->only[a->nonly++] = tok;
	if (!a->nonly)
		free(copy);
}

void engine_asks_free(struct engine_asks *a)
{
	if (a->nonly)
		free(a->only[0]); /* the copy the patterns point into */
	free(a->only);
}

bool engine_start(void)
{
	const char *file = env("TEST_PREMATURE_EXIT_FILE");

	if (!file)
		return true;
	int fd = open(file, O_WRONLY | O_CREAT | O_CLOEXEC, 0666);
	if (fd < 0) {
		fprintf(stderr, "kvmrun: TEST_PREMATURE_EXIT_FILE=%s: %s\n",
			file, strerror(errno));
		return false;
	}
	close(fd);
	return true;
}

/* Why nothing could run here, for TEST_INFRASTRUCTURE_FAILURE_FILE. */
static void skip_reason(char *why, size_t len)
{
	if (host_has(HOST_KVM, why, len))
		snprintf(why, len, "every config was skipped: this host's KVM "
			 "lacks what they need (each reason is in the test log)");
}

int engine_finish(int status)
{
	const char *infra = env("TEST_INFRASTRUCTURE_FAILURE_FILE");
	const char *premature = env("TEST_PREMATURE_EXIT_FILE");

	if (status == EXIT_SKIP && infra) {
		char why[512];
		skip_reason(why, sizeof why);
		FILE *f = fopen(infra, "w");
		if (!f || fprintf(f, "kvmrun: %s\n", why) < 0 || fclose(f) != 0) {
			fprintf(stderr, "kvmrun: TEST_INFRASTRUCTURE_FAILURE_FILE"
				"=%s: %s\n", infra, strerror(errno));
			status = EXIT_OUTPUT;
		}
	}
	if (premature && unlink(premature) != 0 && errno != ENOENT) {
		fprintf(stderr, "kvmrun: TEST_PREMATURE_EXIT_FILE=%s: %s\n",
			premature, strerror(errno));
		status = EXIT_OUTPUT;
	}
	return status;
}

/* ---- --shard auto ---- */

/* The variables by which an engine tells a job which shard it is. */
static const struct engine {
	const char *name;
	const char *index, *total; /* total NULL: not exported */
	unsigned long first;       /* the index of the first shard */
} engines[] = {
	{ "Bazel", "TEST_SHARD_INDEX", "TEST_TOTAL_SHARDS", 0 },
	{ "GitLab", "CI_NODE_INDEX", "CI_NODE_TOTAL", 1 },
	{ "Buildkite", "BUILDKITE_PARALLEL_JOB", "BUILDKITE_PARALLEL_JOB_COUNT", 0 },
	{ "CircleCI", "CIRCLE_NODE_INDEX", "CIRCLE_NODE_TOTAL", 0 },
	{ "a Kubernetes Indexed Job", "JOB_COMPLETION_INDEX", NULL, 0 },
};
#define NENGINES (sizeof engines / sizeof *engines)

/* The first line of a run that an engine's variables shard, or "". */
static char shard_from[320];

/* (s) as a whole decimal number. */
static bool decimal(const char *s, unsigned long *out)
{
	char *end;

	if (!s || *s < '0' || *s > '9')
		return false;
	errno = 0;
	*out = strtoul(s, &end, 10);
	return !*end && errno == 0;
}

/* The shard engine (e) names, as "I/N" in (buf); false, said, when its
 * variables name none. (given): N from --shard (spec) auto/N, or 0. */
static bool engine_names_shard(const struct engine *e, const char *spec,
			       unsigned long given, char *buf, size_t len)
{
	const char *iv = env(e->index), *tv = e->total ? env(e->total) : NULL;
	unsigned long index, total = given;
	char of[160];

	if (!tv && !given) {
		fprintf(stderr, "kvmrun: --shard %s: %s=%s (%s) exports no "
			"total: give it as --shard auto/N\n", spec, e->index,
			iv, e->name);
		return false;
	}
	if (tv)
		snprintf(of, sizeof of, "%s=%s", e->total, tv);
	else
		snprintf(of, sizeof of, "N=%lu", given);
	if (!decimal(iv, &index) || (tv && !decimal(tv, &total)) ||
	    total < 1 || index < e->first || index - e->first >= total ||
	    (given && total != given)) {
		fprintf(stderr, "kvmrun: --shard %s: %s=%s and %s (%s, counting "
			"from %lu) do not name a shard\n", spec, e->index, iv, of,
			e->name, e->first);
		return false;
	}
	snprintf(buf, len, "%lu/%lu", index - e->first + 1, total);
	snprintf(shard_from, sizeof shard_from, "shard %lu of %lu, from %s's "
		 "%s=%s and %s", index - e->first + 1, total, e->name,
		 e->index, iv, of);
	return true;
}

const char *engine_shard_spec(const char *spec, char *buf, size_t len,
			      bool *ok)
{
	unsigned long given = 0;

	*ok = true;
	if (!spec || strncmp(spec, "auto", 4) != 0 ||
	    (spec[4] && spec[4] != '/'))
		return spec;
	if (spec[4] == '/' && (!decimal(spec + 5, &given) || given < 1)) {
		fprintf(stderr, "kvmrun: --shard %s: wanted auto or auto/N with "
			"N >= 1\n", spec);
		*ok = false;
		return NULL;
	}
	for (size_t i = 0; i < NENGINES; i++) {
		if (!env(engines[i].index))
			continue;
		if (!engine_names_shard(&engines[i], spec, given, buf, len)) {
			*ok = false;
			return NULL;
		}
		/* Bazel's are read by suite_shard, which answers Bazel. */
		return i == 0 ? NULL : buf;
	}
	snprintf(shard_from, sizeof shard_from, "--shard %s: no engine says "
		 "which shard this is (none of TEST_SHARD_INDEX, CI_NODE_INDEX, "
		 "BUILDKITE_PARALLEL_JOB, CIRCLE_NODE_INDEX, JOB_COMPLETION_INDEX "
		 "is set): every config runs", spec);
	return NULL;
}

void engine_shard_say(const char *spec, size_t kept, size_t all)
{
	const char *total = env("TEST_TOTAL_SHARDS");

	if (!shard_from[0] && !spec && total)
		snprintf(shard_from, sizeof shard_from, "shard %lu of %s, from "
			 "Bazel's TEST_SHARD_INDEX=%s and TEST_TOTAL_SHARDS=%s",
			 strtoul(getenv("TEST_SHARD_INDEX"), NULL, 10) + 1,
			 total, getenv("TEST_SHARD_INDEX"), total);
	if (shard_from[0])
		fprintf(stderr, "kvmrun: %s: %zu of %zu configs\n", shard_from,
			kept, all);
}

void engine_shard_name(const char *spec, char *buf, size_t len)
{
	const char *total = env("TEST_TOTAL_SHARDS");

	if (spec)
		snprintf(buf, len, "kvmrun shard %s", spec);
	else if (total)
		snprintf(buf, len, "kvmrun shard %lu/%s",
			 strtoul(getenv("TEST_SHARD_INDEX"), NULL, 10) + 1, total);
	else
		snprintf(buf, len, "kvmrun");
}
