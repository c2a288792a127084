/* -s KEY=VALUE: set a scalar of a parsed config by its dotted path. */
#include "kvmrun-config.h"

#include "override.h"

#include <err.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>

#include "num.h"
#include "status.h"

static bool key_matches(const struct ynode *k, const char *name)
{
	uint64_t a, b;
	const char *why;

	if (k->type != YNODE_SCALAR)
		return false;
	const char *s = k->text;
	return strcmp(s, name) == 0 ||
	       (num_parse_u64(s, &a, &why) && num_parse_u64(name, &b, &why) &&
		a == b);
}

/* The slot holding the child (name) of (n), created in a map; NULL when
 * (n) is a list without that item, or a scalar. */
static struct ynode **child(struct ydoc *doc, struct ynode *n, const char *name,
			    struct pos pos)
{
	if (n->type == YNODE_LIST) {
		char *end;
		unsigned long i = strtoul(name, &end, 10);
		if (*name && !*end && i < n->len)
			return &n->items[i];
		return NULL;
	}
	if (n->type != YNODE_MAP)
		return NULL;
	for (size_t i = 0; i < n->len; i++)
		if (key_matches(n->pairs[i].key, name))
			return &n->pairs[i].value;
	ydoc_append_pair(doc, n, ydoc_scalar(doc, pos, name),
			 ydoc_scalar(doc, pos, ""));
	return &n->pairs[n->len - 1].value;
}

static bool is_empty(const struct ynode *n)
{
	return n->type == YNODE_SCALAR && n->len == 0;
}

void override_apply(struct ydoc *doc, struct diag *d, unsigned argno,
		    const char *arg)
{
	struct pos pos = { 0, 0, argno + 1 };
	const char *eq = strchr(arg, '=');

	if (!eq || eq == arg) {
		diag_add(d, pos, "", "wanted KEY=VALUE, such as memory=4M");
		return;
	}
	char *key = strndup(arg, (size_t)(eq - arg)), *save = NULL;
	if (!key)
		err(EXIT_USAGE, "strndup");
	for (char *b = key; (b = strpbrk(b, "[]"));)
		*b = '.'; /* a[0] is a.0 */
	char *name = strtok_r(key, ".", &save);
	if (!name) { /* only dots and brackets */
		diag_add(d, pos, "", "wanted KEY=VALUE, such as memory=4M");
		free(key);
		return;
	}
	if (!doc->root)
		doc->root = ydoc_map(doc, pos);

	struct ynode **slot = &doc->root;
	while (name) {
		char *next = strtok_r(NULL, ".", &save);
		slot = child(doc, *slot, name, pos);
		if (!slot) {
			diag_add(d, pos, "", "'%s' names no key or list item of "
				 "the config", name);
			free(key);
			return;
		}
		if (next && is_empty(*slot))
			*slot = ydoc_map(doc, pos);
		name = next;
	}
	free(key);
	*slot = ydoc_scalar(doc, pos, eq + 1);
}
