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

/* Keep the configs that match one of the shell patterns (globs): its
 * file name without .yaml, or its path as given. False, with a message,
 * when none is left. */
bool suite_select(struct suite *s, char *const *globs, size_t nglobs);

/* --list: the configs' paths on stdout, one a line; on a terminal as
 * escape_name shows them, else as they are, to be given back to kvmrun. */
void suite_list(const struct suite *s);

/* The reports a suite keeps per config besides stdout and stderr: each
 * child writes its own, which the parent copies in the configs' order. */
struct suite_streams {
	FILE *json;  /* --json documents, or NULL */
	FILE *junit; /* --junit test cases, or NULL */
};

#define SUITE_LINE 640 /* bytes of a config's line at the suite's end */

/* Runs config (index) and returns its exit status; output to stdout,
 * stderr and (st) as usual. (last): this process ends after it, so what
 * it holds may be left for the kernel to free at exit. Sets (*lost) when
 * a report of it could not all be written (--log-dir). Leaves in (line)
 * what the suite's end says of it ("" when it passed). */
typedef int (*suite_run_fn)(void *ctx, size_t index,
			    const struct suite_streams *st, bool last,
			    bool *lost, char line[SUITE_LINE]);

/* Reports config (index) as an error that (why) explains, to stdout,
 * stderr and (st): its process died before it reported, or it was not
 * run because kvmrun was stopped. */
typedef void (*suite_lost_fn)(void *ctx, size_t index,
			      const struct suite_streams *st, const char *why,
			      char line[SUITE_LINE]);

/* Run every config with (run), (jobs) at a time in child processes;
 * with jobs <= 1 in this process, unless (isolate) asks for a process
 * per config. Each config's output appears in order; children exit one
 * at a time. SIGINT, SIGTERM or SIGHUP stops the suite: the children
 * are stopped, and what they did not report, and the configs not
 * started, are reported with (lost). Every config has a verdict. Fills
 * (status) and (lines), each config's line for the suite's end, and
 * sets (*output_lost) if (run) said a report was lost. */
void suite_run(const struct suite *s, unsigned jobs, bool isolate,
	       const struct suite_streams *st, suite_run_fn run,
	       suite_lost_fn lost, void *ctx, int *status,
	       char (*lines)[SUITE_LINE], bool *output_lost);

void suite_free(struct suite *s);

#endif
