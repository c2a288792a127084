/* The guest's console, captured into the result. */
#include "kvmrun-config.h"

#include "console.h"

#include <err.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "status.h"

#define CONSOLE_CAP (16u << 20) /* console bytes kept for expectations */

/* The pending line, labelled, in one write: several configs at once
 * (-j) share the terminal, and their lines must not mix. */
static void emit_line(struct result *res)
{
	/* fwrite: the guest's bytes may hold NULs. */
	printf("%s| ", res->label);
	fwrite(res->pending, 1, res->npending, stdout);
	putchar('\n');
	fflush(stdout);
	res->npending = 0;
}

/* Whole lines, each labelled with the config's name; a line longer than
 * the buffer goes out in pieces, each a line of its own. */
static void labelled(struct result *res, const char *data, size_t len)
{
	for (size_t i = 0; i < len; i++) {
		if (data[i] == '\n' || res->npending == sizeof res->pending) {
			emit_line(res);
			if (data[i] == '\n')
				continue;
		}
		res->pending[res->npending++] = data[i];
	}
}

void console_finish(struct result *res)
{
	if (res->label && res->npending)
		emit_line(res);
}

void console_write(struct result *res, const char *data, size_t len)
{
	if (!res->quiet && res->label)
		labelled(res, data, len);
	else if (!res->quiet)
		fwrite(data, 1, len, stdout);
	size_t room = CONSOLE_CAP - res->console_len;
	if (len > room) {
		len = room;
		res->console_truncated = true;
	}
	if (res->console_len + len + 1 > res->console_cap) {
		size_t cap = res->console_cap ? res->console_cap : 4096;
		while (cap < res->console_len + len + 1)
			cap *= 2;
		res->console = realloc(res->console, cap);
		if (!res->console)
			err(EXIT_USAGE, "realloc");
		res->console_cap = cap;
	}
	memcpy(res->console + res->console_len, data, len);
	res->console_len += len;
	res->console[res->console_len] = '\0';
}
