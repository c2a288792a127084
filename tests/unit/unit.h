/* A few assertion macros for the unit tests; exit 1 if any failed. */
#ifndef KVMRUN_UNIT_H
#define KVMRUN_UNIT_H

#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

static int unit_failures;

#define CHECK(cond)                                                        \
	do {                                                               \
		if (!(cond)) {                                             \
			fprintf(stderr, "%s:%d: failed: %s\n", __FILE__,   \
				__LINE__, #cond);                          \
			unit_failures++;                                   \
		}                                                          \
	} while (0)

#define CHECK_U64(got, want)                                               \
	do {                                                               \
		uint64_t g_ = (got), w_ = (want);                          \
		if (g_ != w_) {                                            \
			fprintf(stderr, "%s:%d: %s: wanted 0x%" PRIx64     \
				", got 0x%" PRIx64 "\n", __FILE__, __LINE__, \
				#got, w_, g_);                             \
			unit_failures++;                                   \
		}                                                          \
	} while (0)

#define UNIT_DONE()                                                        \
	do {                                                               \
		if (unit_failures)                                         \
			fprintf(stderr, "%d check(s) failed\n", unit_failures); \
		return unit_failures ? 1 : 0;                              \
	} while (0)

/* Write (text) to a new temporary file in (dir) and return its name. */
static inline char *unit_tempfile(const char *dir, const char *suffix,
				  const void *text, size_t len)
{
	static unsigned n;
	char *path;

	if (asprintf(&path, "%s/unit-%d-%u%s", dir, (int)getpid(), n++,
		     suffix) < 0)
		abort();
	FILE *f = fopen(path, "wb");
	if (!f || fwrite(text, 1, len, f) != len || fclose(f) != 0)
		abort();
	return path;
}

#endif
