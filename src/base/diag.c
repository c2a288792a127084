/* Collected problems with a config. */
#include "kvmrun-config.h"

#include "diag.h"

#include <err.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "status.h"

/* Of a problem's message or key path, the bytes shown at most: a config
 * value of megabytes is quoted by its start. */
#define DIAG_TEXT_MAX 400

#define DIAG_QUOTE_MAX 80 /* bytes of a quoted value kept in a long message */

/* (s) less its trailing bytes of an unfinished UTF-8 character: the
 * length to cut (s) at, at most (n). */
static size_t char_start(const char *s, size_t n)
{
	size_t k = n;

	while (k && ((unsigned char)s[k] & 0xc0) == 0x80)
		k--; /* s[n] continues a character: back to its first byte */
	return k;
}

/* In a message too long to show, each 'quoted' value over
 * DIAG_QUOTE_MAX bytes is cut to its start and "...", in place: the
 * words around it say what is wrong, and must stay. */
static void cut_quotes(char *s)
{
	size_t len = strlen(s);

	if (len <= DIAG_TEXT_MAX)
		return;
	for (char *open = strchr(s, '\''), *close; open; open = strchr(close + 1, '\'')) {
		if (!(close = strchr(open + 1, '\'')))
			break;
		size_t inside = (size_t)(close - open - 1);
		if (inside <= DIAG_QUOTE_MAX)
			continue;
		size_t keep = char_start(open + 1, DIAG_QUOTE_MAX);
		memcpy(open + 1 + keep, "...", 3);
		memmove(open + 1 + keep + 3, close, strlen(close) + 1);
		close = open + 1 + keep + 3;
	}
}

/* (s) as it may reach a terminal: control bytes (ESC and the C1 range
 * in UTF-8 too, which a config's keys and values may hold) as \xNN, cut
 * to DIAG_TEXT_MAX bytes with "..." at a character's start. Frees (s). */
static char *clean(char *s)
{
	size_t len = strlen(s);
	char *out = malloc(4 * (len < DIAG_TEXT_MAX ? len : DIAG_TEXT_MAX) + 4);
	size_t n = 0;

	if (!out)
		err(EXIT_USAGE, "malloc");
	for (size_t i = 0; i < len && n < DIAG_TEXT_MAX; i++) {
		unsigned char c = (unsigned char)s[i];
		bool c1 = c == 0xc2 && i + 1 < len &&
			  (unsigned char)s[i + 1] >= 0x80 &&
			  (unsigned char)s[i + 1] < 0xa0;
		if (c < 0x20 || c == 0x7f || c1) {
			n += (size_t)sprintf(out + n, "\\x%02x", c1 ?
					     (unsigned char)s[++i] : c);
		} else if (n + 1 >= DIAG_TEXT_MAX && c >= 0x80) {
			break; /* no half character before the "..." */
		} else {
			out[n++] = (char)c;
		}
		if (n >= DIAG_TEXT_MAX && i + 1 < len) {
			while (n && ((unsigned char)out[n - 1] & 0xc0) == 0x80)
				n--; /* back to a character's first byte */
			if (n && (unsigned char)out[n - 1] >= 0xc0)
				n--;
			memcpy(out + n, "...", 3);
			n += 3;
			break;
		}
	}
	out[n] = '\0';
	free(s);
	return out;
}

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
	cut_quotes(m->text);
	m->text = clean(m->text);
	m->path = clean(m->path);
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
	else if (m->pos.arg) {
		/* The option as given, cut as a quoted value is. */
		const char *o = d->overrides[m->pos.arg - 1];
		size_t olen = strlen(o);
		size_t shown = olen > DIAG_QUOTE_MAX ? char_start(o, DIAG_QUOTE_MAX)
						     : olen;
		snprintf(buf, size, "%s: -s %.*s%s: %s%s%s", d->file, (int)shown,
			 o, shown < olen ? "..." : "", m->path, sep, m->text);
	}
	else
		snprintf(buf, size, "%s: %s%s%s", d->file, m->path, sep, m->text);
	return buf;
}
