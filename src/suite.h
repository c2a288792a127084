/* Several configs as a suite: folders expanded, shards picked, runs in
 * parallel processes with their output kept in order. */
#ifndef KVMRUN_SUITE_H
#define KVMRUN_SUITE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdio.h>

struct suite {
	char **configs; /* file names; folders are replaced by their *.yaml */
	size_t count;
};

/* Turn (args) into config names: a folder gives its *.yaml files, sorted.
 * Problems (an unreadable or empty folder) are printed; false if any. */
bool suite_expand(struct suite *s, char *const *args, size_t nargs);

/*
 * Keep the configs of shard (index) of (total), 0-based: config k belongs
 * to shard k % total. (spec) is "I/N" (1-based, from --shard), or NULL to
 * take Bazel's TEST_SHARD_INDEX and TEST_TOTAL_SHARDS (touching
 * TEST_SHARD_STATUS_FILE). False, with a message, if (spec) is malformed.
 */
bool suite_shard(struct suite *s, const char *spec);

/* Runs config (index) and returns its exit status; output to stdout,
 * stderr and (json) as usual. (last): this process ends after it, so what
 * it holds may be left for the kernel to free at exit. */
typedef int (*suite_run_fn)(void *ctx, size_t index, FILE *json, bool last);

/* Run every config with (run), (jobs) at a time in child processes;
 * with jobs <= 1 in this process, unless (isolate) asks for a process
 * per config. Each config's output appears in order; children exit one
 * at a time. Fills (status). */
void suite_run(const struct suite *s, unsigned jobs, bool isolate, FILE *json,
	       suite_run_fn run, void *ctx, int *status);

void suite_free(struct suite *s);

#endif
