/*
 * --log-dir DIR: for each config, the report kvmrun prints on stderr in
 * DIR/NAME.log and everything its guest printed in DIR/NAME.console, so
 * that a failed CI job can be read afterwards. In a suite the names are
 * numbered in the suite's order (003-NAME.log): unique even when two
 * configs share a name, and listed in the order they ran. The files are
 * opened before a guest runs: the sandbox forbids opening them after.
 */
#include "kvmrun-config.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "output.h"
#include "report.h"

enum { LOG_TEXT, LOG_CONSOLE };
static const char *const suffix[] = { ".log", ".console" };

/* (name) as a file name: letters, digits, '.', '_', '+' and '-' kept,
 * every other byte '_', and no leading '.'. */
static void file_name(char *dst, size_t cap, const char *name)
{
	size_t n = 0;

	for (; *name && n + 1 < cap; name++, n++) {
		char c = *name;
		bool ok = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
			  (c >= '0' && c <= '9') || c == '_' || c == '+' ||
			  c == '-' || (c == '.' && n);
		dst[n] = ok ? c : '_';
	}
	dst[n] = '\0';
}

/* Say that log file (k) lost output (errno's (why)), and remember it. */
static void lost(struct report_opts *o, int k, int why)
{
	fprintf(stderr, "kvmrun: --log-dir: %s%s: output lost: %s\n",
		o->log_stem, suffix[k], strerror(why));
	o->lost = true;
}

/* A new file at (path), in place of whatever was there: unlinked, then
 * made with O_EXCL and O_NOFOLLOW, so that a symlink or a FIFO planted
 * in a shared folder is neither followed nor opened. NULL with errno. */
static FILE *replace(const char *path)
{
	if (unlink(path) != 0 && errno != ENOENT)
		return NULL;
	int fd = open(path, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW |
		      O_CLOEXEC, 0666);
	FILE *f = fd >= 0 ? fdopen(fd, "w") : NULL;

	if (fd >= 0 && !f)
		close(fd);
	return f;
}

/* Open the files of config (cfg), the (number)th of the call: the
 * console's only when a guest may run (files=2). */
static void open_files(struct report_opts *o, const struct config *cfg,
		       size_t number, int files)
{
	char name[200];
	int digits = snprintf(NULL, 0, "%zu", o->count);
	size_t len = sizeof o->log_stem - sizeof ".console";

	o->log_open = true;
	file_name(name, sizeof name, cfg->name);
	int n = o->count > 1
		? snprintf(o->log_stem, len, "%s/%0*zu-%s", o->log_dir, digits,
			   number, name)
		: snprintf(o->log_stem, len, "%s/%s", o->log_dir, name);
	for (int k = LOG_TEXT; k < files; k++) {
		char path[sizeof o->log_stem + sizeof ".console"];
		snprintf(path, sizeof path, "%s%s", o->log_stem, suffix[k]);
		o->log_files[k] = n >= 0 && (size_t)n < len ? replace(path) : NULL;
		if (!o->log_files[k])
			lost(o, k, n >= 0 && (size_t)n < len ? errno : ENAMETOOLONG);
	}
}

/* Before a guest runs, o->index configs have been reported. Both files
 * are made now: the sandbox forbids it later, and unlinking too, so the
 * console's stays, empty, if the guest never starts. */
static void log_before(struct report_opts *o, const struct config *cfg)
{
	open_files(o, cfg, o->index + 1, LOG_CONSOLE + 1);
}

/* Flush and close log file (k); what could not be written is said. */
static void finish_file(struct report_opts *o, int k)
{
	FILE *f = o->log_files[k];

	if (!f)
		return;
	int why = output_close(f);
	o->log_files[k] = NULL;
	if (why)
		lost(o, k, why);
}

static void log_outcome(struct report_opts *o, const struct outcome *out)
{
	if (!o->log_open) /* no guest ran: the report alone */
		open_files(o, out->cfg, o->index, LOG_TEXT + 1);
	o->log_open = false;
	if (o->log_files[LOG_TEXT])
		report_text(o->log_files[LOG_TEXT], out);
	if (o->log_files[LOG_CONSOLE] && out->res)
		fwrite(out->res->console, 1, out->res->console_len,
		       o->log_files[LOG_CONSOLE]);
	finish_file(o, LOG_TEXT);
	finish_file(o, LOG_CONSOLE);
}

static bool log_wanted(const struct report_opts *o)
{
	return o->log_dir != NULL;
}

const struct sink log_sink = {
	.wanted = log_wanted, .before = log_before, .outcome = log_outcome,
};
