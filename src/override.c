/* -s KEY=VALUE: set a scalar of a parsed config by its dotted path. */
#include "kvmrun-config.h"

#include "override.h"

#include <err.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>

#include "num.h"
#include "schema.h"

/* Nodes made here are marked with the -s number (see SCHEMA_ARG_LINE). */
static void mark(yaml_document_t *doc, int id, unsigned argno)
{
	yaml_node_t *n = yaml_document_get_node(doc, id);

	n->start_mark.line = n->end_mark.line = SCHEMA_ARG_LINE;
	n->start_mark.column = n->end_mark.column = argno;
}

static int add_scalar(yaml_document_t *doc, unsigned argno, const char *value)
{
	int id = yaml_document_add_scalar(doc, NULL, (yaml_char_t *)value, -1,
					  YAML_PLAIN_SCALAR_STYLE);
	if (!id)
		errx(2, "yaml_document_add_scalar: out of memory");
	mark(doc, id, argno);
	return id;
}

static int add_mapping(yaml_document_t *doc, unsigned argno)
{
	int id = yaml_document_add_mapping(doc, NULL, YAML_BLOCK_MAPPING_STYLE);

	if (!id)
		errx(2, "yaml_document_add_mapping: out of memory");
	mark(doc, id, argno);
	return id;
}

static bool key_matches(yaml_node_t *k, const char *name)
{
	uint64_t a, b;
	const char *why;

	if (k->type != YAML_SCALAR_NODE)
		return false;
	const char *s = (const char *)k->data.scalar.value;
	return strcmp(s, name) == 0 ||
	       (num_parse_u64(s, &a, &why) && num_parse_u64(name, &b, &why) &&
		a == b);
}

/* The slot holding the child (name) of node (id), creating it in a
 * mapping when (create); NULL when there is none. */
static int *child(yaml_document_t *doc, int id, const char *name, bool create,
		  unsigned argno)
{
	yaml_node_t *n = yaml_document_get_node(doc, id);

	if (n->type == YAML_SEQUENCE_NODE) {
		char *end;
		unsigned long i = strtoul(name, &end, 10);
		size_t len = (size_t)(n->data.sequence.items.top -
				      n->data.sequence.items.start);
		if (*name && !*end && i < len)
			return &n->data.sequence.items.start[i];
		return NULL;
	}
	if (n->type != YAML_MAPPING_NODE)
		return NULL;
	for (yaml_node_pair_t *p = n->data.mapping.pairs.start;
	     p < n->data.mapping.pairs.top; p++)
		if (key_matches(yaml_document_get_node(doc, p->key), name))
			return &p->value;
	if (!create)
		return NULL;
	int key = add_scalar(doc, argno, name);
	int value = add_scalar(doc, argno, "");
	if (!yaml_document_append_mapping_pair(doc, id, key, value))
		errx(2, "yaml_document_append_mapping_pair: out of memory");
	n = yaml_document_get_node(doc, id);
	return &n->data.mapping.pairs.top[-1].value;
}

static bool is_empty(yaml_node_t *n)
{
	return n->type == YAML_SCALAR_NODE && n->data.scalar.length == 0;
}

void override_apply(yaml_document_t *doc, struct diag *d, unsigned argno,
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
		err(2, "strndup");
	for (char *b = key; (b = strpbrk(b, "[]"));)
		*b = '.'; /* a[0] is a.0 */
	if (!yaml_document_get_root_node(doc))
		add_mapping(doc, argno);

	int id = 1;
	int *slot = NULL;
	char *name = strtok_r(key, ".", &save);
	while (name) {
		char *next = strtok_r(NULL, ".", &save);
		slot = child(doc, id, name, true, argno);
		if (!slot) {
			diag_add(d, pos, "", "'%s' names no key or list item of "
				 "the config", name);
			free(key);
			return;
		}
		if (next && is_empty(yaml_document_get_node(doc, *slot))) {
			int m = add_mapping(doc, argno);
			slot = child(doc, id, name, false, argno);
			*slot = m;
		}
		id = *slot;
		name = next;
	}
	free(key);
	if (slot)
		*slot = add_scalar(doc, argno, eq + 1);
}
