/* File names of configs and images. */
#include "kvmrun-config.h"

#include "path.h"

#include <err.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "status.h"

char *path_dirname(const char *file)
{
	const char *slash = strrchr(file, '/');
	char *dir;

	if (!slash)
		dir = strdup(".");
	else if (slash == file)
		dir = strdup("/");
	else
		dir = strndup(file, (size_t)(slash - file));
	if (!dir)
		err(EXIT_USAGE, "strdup");
	return dir;
}

/* Drop "." and fold "name/.." lexically, so that a search folder need not
 * hold the config's subfolders for "../guests/x.elf" to be found. Only
 * for KVMRUN_PATH's folders: beside the config, the kernel resolves the
 * name, symbolic links and all. */
static void normalize(char *p)
{
	size_t max = 1, n = 0;
	for (const char *c = p; *c; c++)
		max += *c == '/';
	char **parts = malloc(max * sizeof *parts), *save = NULL, *copy = strdup(p);
	bool abs = p[0] == '/';

	if (!copy || !parts)
		err(EXIT_USAGE, "strdup");
	for (char *s = strtok_r(copy, "/", &save); s;
	     s = strtok_r(NULL, "/", &save)) {
		if (strcmp(s, ".") == 0)
			continue;
		if (strcmp(s, "..") == 0 && n && strcmp(parts[n - 1], "..")) {
			n--;
			continue;
		}
		if (strcmp(s, "..") == 0 && abs)
			continue;
		parts[n++] = s;
	}
	char *out = p;
	if (abs)
		*out++ = '/';
	for (size_t i = 0; i < n; i++) {
		size_t len = strlen(parts[i]);
		memmove(out, parts[i], len);
		out += len;
		if (i + 1 < n)
			*out++ = '/';
	}
	if (out == p)
		*out++ = '.';
	*out = '\0';
	free(copy);
	free(parts);
}

/* (dir)/(name), or (name) alone in ".". */
static char *join(const char *dir, const char *name)
{
	char *p;

	if (asprintf(&p, "%s/%s", dir, name) < 0)
		err(EXIT_USAGE, "asprintf");
	if (!strcmp(dir, "."))
		memmove(p, p + 2, strlen(p + 2) + 1);
	return p;
}

char *path_resolve(const char *dir, const char *name, const char *search)
{
	if (name[0] == '/') {
		char *p = strdup(name);
		if (!p)
			err(EXIT_USAGE, "strdup");
		return p;
	}
	char *first = join(dir, name);
	if (access(first, F_OK) == 0 || !search || !*search)
		return first;
	char *list = strdup(search), *save = NULL;
	if (!list)
		err(EXIT_USAGE, "strdup");
	for (char *d = strtok_r(list, ":", &save); d;
	     d = strtok_r(NULL, ":", &save)) {
		char *p = join(d, name);
		normalize(p);
		if (access(p, F_OK) == 0) {
			free(list);
			free(first);
			return p;
		}
		free(p);
	}
	free(list);
	return first;
}
