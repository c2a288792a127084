/* Collected problems with a config. */
#include "kvmrun-config.h"

#include "diag.h"

#include <err.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "status.h"

static void add(struct diag *d, struct pos pos, const char *path,
		const char *fmt, va_list ap)
{
	if (d->count == d->cap) {
		d->cap = d->cap ? 2 * d->cap : 8;
		d->msgs = realloc(d->msgs, d->cap * sizeof *d->msgs);
		if (!d->msgs)
			err(EXIT_USAGE, "realloc");
	}
	struct diag_msg *m = &d->msgs[d->count++];
	m->pos = pos;
	m->path = strdup(path ? path : "");
	if (vasprintf(&m->text, fmt, ap) < 0 || !m->path)
		err(EXIT_USAGE, "vasprintf");
}

void diag_add(struct diag *d, struct pos pos, const char *path,
	      const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	add(d, pos, path, fmt, ap);
	va_end(ap);
}

void diag_addf(struct diag *d, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	add(d, (struct pos){ 0 }, NULL, fmt, ap);
	va_end(ap);
}

const char *diag_line(const struct diag *d, unsigned line, size_t *len)
{
	const char *p = d->text, *end = d->text + d->text_len;

	if (!p || line == 0)
		return NULL;
	while (--line && p < end) {
		p = memchr(p, '\n', (size_t)(end - p));
		if (!p)
			return NULL;
		p++;
	}
	if (p >= end)
		return NULL;
	const char *nl = memchr(p, '\n', (size_t)(end - p));
	*len = (size_t)((nl ? nl : end) - p);
	return p;
}

void diag_free(struct diag *d)
{
	for (size_t i = 0; i < d->count; i++) {
		free(d->msgs[i].path);
		free(d->msgs[i].text);
	}
	free(d->msgs);
	d->msgs = NULL;
	d->count = d->cap = 0;
}

const char *diag_format(const struct diag *d, const struct diag_msg *m,
			char *buf, size_t size)
{
	const char *sep = m->path[0] ? ": " : "";

	if (m->pos.line)
		snprintf(buf, size, "%s:%u:%u: %s%s%s", d->file, m->pos.line,
			 m->pos.col, m->path, sep, m->text);
	else if (m->pos.arg)
		snprintf(buf, size, "%s: -s %s: %s%s%s", d->file,
			 d->overrides[m->pos.arg - 1], m->path, sep, m->text);
	else
		snprintf(buf, size, "%s: %s%s%s", d->file, m->path, sep, m->text);
	return buf;
}
