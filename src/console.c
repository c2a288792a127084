/* The guest's console, captured into the result. */
#include "kvmrun-config.h"

#include "console.h"

#include <err.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "status.h"

#define CONSOLE_CAP (16u << 20) /* console bytes kept for expectations */

void console_write(struct result *res, const char *data, size_t len)
{
	if (!res->quiet)
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
