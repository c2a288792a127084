/* Collected problems with a config: each with a position and a key path. */
#ifndef KVMRUN_DIAG_H
#define KVMRUN_DIAG_H

#include <stddef.h>

/* Where a value came from: a line and column of the file (1-based), or,
 * when (line) is 0 and (arg) is not 0, the -s option number (arg - 1). */
struct pos {
	unsigned line, col;
	unsigned arg;
};

struct diag_msg {
	struct pos pos;
	char *path; /* key path such as "memory[0].size"; may be empty */
	char *text;
};

struct diag {
	const char *file;       /* the config file, as named by the user */
	const char *text;       /* its contents, for the caret line */
	size_t text_len;
	char *const *overrides; /* the -s KEY=VALUE arguments */
	struct diag_msg *msgs;
	size_t count, cap;
};

/* Record a problem at (pos) for key (path). */
void diag_add(struct diag *d, struct pos pos, const char *path,
	      const char *fmt, ...) __attribute__((format(printf, 4, 5)));

/* Record a problem that belongs to no config position (a file name, say). */
void diag_addf(struct diag *d, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));

/* The text of line (line) of the config, its length in (len), or NULL. */
const char *diag_line(const struct diag *d, unsigned line, size_t *len);

#define DIAG_LINE_MAX 1024 /* a formatted problem, cut beyond */

/* Problem (m) of (d) as one line: "FILE:LINE:COL: path: text", or
 * "FILE: -s KEY=VALUE: path: text" for an option's value; into (buf). */
const char *diag_format(const struct diag *d, const struct diag_msg *m,
			char *buf, size_t size);

void diag_free(struct diag *d);

#endif
