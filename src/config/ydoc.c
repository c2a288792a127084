/* A config's YAML as one compact tree, built from libyaml's events. */
#include "kvmrun-config.h"

#include "ydoc.h"

#include <err.h>
#include <stdlib.h>
#include <string.h>
#include <sys/auxv.h>
#include <yaml.h>

#include "status.h"

/* ---- the blocks the tree lives in ---- */

struct ychunk {
	struct ychunk *next;
	size_t used, size;
	char data[]; /* 8-aligned: it follows three 8-byte fields */
};

/* Below malloc's mmap threshold, so that a config's blocks come from the
 * heap and a suite reuses them. */
#define CHUNK_BYTES (64 * 1024 - sizeof(struct ychunk))

static void *doc_alloc(struct ydoc *doc, size_t size)
{
	struct ychunk *c = doc->chunks;

	size = (size + 7) & ~(size_t)7;
	if (!c || c->size - c->used < size) {
		size_t want = size > CHUNK_BYTES ? size : CHUNK_BYTES;
		c = malloc(sizeof *c + want);
		if (!c)
			err(EXIT_USAGE, "malloc");
		c->next = doc->chunks;
		c->used = 0;
		c->size = want;
		doc->chunks = c;
	}
	void *p = c->data + c->used;
	c->used += size;
	return p;
}

static const char *doc_strdup(struct ydoc *doc, const char *s, size_t len)
{
	char *copy = doc_alloc(doc, len + 1);

	memcpy(copy, s, len);
	copy[len] = '\0';
	return copy;
}

static struct ynode *new_node(struct ydoc *doc, enum ynode_type type,
			      struct pos pos)
{
	struct ynode *n = doc_alloc(doc, sizeof *n);

	*n = (struct ynode){ .type = (uint8_t)type };
	if (pos.line) {
		n->line = pos.line;
		n->col = pos.col;
	} else {
		n->col = pos.arg;
	}
	return n;
}

struct ynode *ydoc_scalar(struct ydoc *doc, struct pos pos, const char *text)
{
	struct ynode *n = new_node(doc, YNODE_SCALAR, pos);
	size_t len = strlen(text);

	n->plain = true;
	n->len = (uint32_t)len;
	n->text = doc_strdup(doc, text, len);
	return n;
}

struct ynode *ydoc_map(struct ydoc *doc, struct pos pos)
{
	struct ynode *n = new_node(doc, YNODE_MAP, pos);

	n->pairs = doc_alloc(doc, 0); /* never NULL: pairs + len is defined */
	return n;
}

void ydoc_append_pair(struct ydoc *doc, struct ynode *map, struct ynode *key,
		      struct ynode *value)
{
	struct ypair *pairs = doc_alloc(doc, (map->len + 1) * sizeof *pairs);

	if (map->len)
		memcpy(pairs, map->pairs, map->len * sizeof *pairs);
	pairs[map->len++] = (struct ypair){ key, value };
	map->pairs = pairs;
}

void ydoc_free(struct ydoc *doc)
{
	for (struct ychunk *c = doc->chunks, *next; c; c = next) {
		next = c->next;
		free(c);
	}
	doc->chunks = NULL;
	doc->root = NULL;
}

/* ---- building the tree from events ---- */

struct anchor {
	const char *name; /* NULL: a free slot */
	struct ynode *node;
	unsigned line;
};

struct open_node {
	struct ynode *node;
	size_t first; /* its first child in the builder's kids */
};

struct builder {
	struct ydoc *doc;
	struct diag *diag;
	struct ynode **kids; /* children of the open lists and maps, in order */
	size_t nkids, kids_cap;
	struct open_node *open;
	size_t nopen, open_cap;
	struct anchor *anchors; /* open addressing, a power of two of slots */
	size_t nanchors, anchors_cap;
	unsigned anchors_bits;  /* log2 of anchors_cap */
	uint64_t seed;
	unsigned documents;
};

/* (array), of (*cap) items of (size) bytes, grown to hold one more than
 * (used). */
static void *grow(void *array, size_t *cap, size_t used, size_t size)
{
	if (used < *cap)
		return array;
	*cap = *cap ? *cap * 2 : 64;
	array = realloc(array, *cap * size);
	if (!array)
		err(EXIT_USAGE, "realloc");
	return array;
}

static struct pos mark_pos(yaml_mark_t m)
{
	return (struct pos){ (unsigned)m.line + 1, (unsigned)m.column + 1, 0 };
}

/* FNV-1a from the process's random start (the kernel's AT_RANDOM bytes),
 * so that a hostile config cannot aim its anchors at one slot. */
static uint64_t hash(uint64_t h, const char *s)
{
	while (*s)
		h = (h ^ (unsigned char)*s++) * 1099511628211ULL;
	return h;
}

/* The slot of anchor (name): its entry, or the free slot it would take.
 * The slot comes from the hash's high bits, which every byte reaches. */
static struct anchor *anchor_slot(struct builder *b, const char *name)
{
	size_t mask = b->anchors_cap - 1;
	size_t i = (size_t)(hash(b->seed, name) >> (64 - b->anchors_bits));

	while (b->anchors[i].name && strcmp(b->anchors[i].name, name) != 0)
		i = (i + 1) & mask;
	return &b->anchors[i];
}

static void anchors_grow(struct builder *b)
{
	struct anchor *old = b->anchors;
	size_t old_cap = b->anchors_cap;

	b->anchors_bits = old_cap ? b->anchors_bits + 1 : 4;
	b->anchors_cap = (size_t)1 << b->anchors_bits;
	b->anchors = calloc(b->anchors_cap, sizeof *b->anchors);
	if (!b->anchors)
		err(EXIT_USAGE, "calloc");
	for (size_t i = 0; i < old_cap; i++)
		if (old[i].name)
			*anchor_slot(b, old[i].name) = old[i];
	free(old);
}

/* Give (n) the anchor (name), if it has one. libyaml's loader refused an
 * anchor given twice; so does this one, which keeps aliases unambiguous. */
static bool add_anchor(struct builder *b, const yaml_char_t *name,
		       struct ynode *n)
{
	if (!name)
		return true;
	if (2 * (b->nanchors + 1) > b->anchors_cap)
		anchors_grow(b);
	struct anchor *a = anchor_slot(b, (const char *)name);
	if (a->name) {
		diag_add(b->diag, ynode_pos(n), "", "YAML: anchor &%s is given twice "
			 "(first on line %u)", a->name, a->line);
		return false;
	}
	a->name = doc_strdup(b->doc, (const char *)name, strlen((const char *)name));
	a->node = n;
	a->line = n->line;
	b->nanchors++;
	return true;
}

/* Append (n) to the innermost open list or map, or make it the root. */
static void add_kid(struct builder *b, struct ynode *n)
{
	if (!b->nopen) {
		if (!b->doc->root)
			b->doc->root = n;
		return;
	}
	b->kids = grow(b->kids, &b->kids_cap, b->nkids, sizeof *b->kids);
	b->kids[b->nkids++] = n;
}

static bool open_node(struct builder *b, struct ynode *n)
{
	if (b->nopen >= YDOC_MAX_DEPTH) {
		diag_add(b->diag, ynode_pos(n), "", "YAML: lists and maps "
			 "nested more than %d deep; kvmrun's configs need a "
			 "few levels", YDOC_MAX_DEPTH);
		return false;
	}
	add_kid(b, n);
	b->open = grow(b->open, &b->open_cap, b->nopen, sizeof *b->open);
	b->open[b->nopen++] = (struct open_node){ n, b->nkids };
	return true;
}

_Static_assert(sizeof(struct ypair) == 2 * sizeof(struct ynode *),
	       "a map's children, key, value, key..., are its pairs");

/* The innermost list or map ends: its children move into the tree. */
static void close_node(struct builder *b)
{
	struct open_node o = b->open[--b->nopen];
	size_t count = b->nkids - o.first;
	void *kids = doc_alloc(b->doc, count * sizeof *b->kids);

	if (count)
		memcpy(kids, b->kids + o.first, count * sizeof *b->kids);
	b->nkids = o.first;
	if (o.node->type == YNODE_LIST) {
		o.node->items = kids;
		o.node->len = (uint32_t)count;
	} else {
		o.node->pairs = kids; /* key, value, key, ...: struct ypair's layout */
		o.node->len = (uint32_t)(count / 2);
	}
}

static bool on_scalar(struct builder *b, const yaml_event_t *e)
{
	struct ynode *n = new_node(b->doc, YNODE_SCALAR, mark_pos(e->start_mark));

	n->plain = e->data.scalar.style == YAML_PLAIN_SCALAR_STYLE;
	n->len = (uint32_t)e->data.scalar.length;
	n->text = doc_strdup(b->doc, (const char *)e->data.scalar.value,
			     e->data.scalar.length);
	add_kid(b, n);
	return add_anchor(b, e->data.scalar.anchor, n);
}

static bool on_alias(struct builder *b, const yaml_event_t *e)
{
	const char *name = (const char *)e->data.alias.anchor;
	struct anchor *a = b->anchors_cap ? anchor_slot(b, name) : NULL;

	if (!a || !a->name) {
		diag_add(b->diag, mark_pos(e->start_mark), "", "YAML: alias *%s "
			 "names no anchor given before it", name);
		return false;
	}
	for (size_t i = 0; i < b->nopen; i++)
		if (b->open[i].node == a->node) {
			diag_add(b->diag, mark_pos(e->start_mark), "", "YAML: "
				 "alias *%s stands inside the %s it names: a "
				 "value cannot hold itself", name,
				 a->node->type == YNODE_LIST ? "list" : "map");
			return false;
		}
	/* A node of its own where the alias stands, sharing the anchor's
	 * text or children (one node, however big the anchored tree): what
	 * is wrong there, such as a duplicate key made by the alias, is
	 * reported at the alias. */
	struct ynode *n = new_node(b->doc, a->node->type, mark_pos(e->start_mark));
	struct pos at = ynode_pos(n);
	*n = *a->node;
	n->line = at.line;
	n->col = at.col;
	add_kid(b, n);
	return true;
}

/* Take one event into the tree; false after recording a problem. */
static bool on_event(struct builder *b, const yaml_event_t *e)
{
	struct ynode *n;

	switch (e->type) {
	case YAML_DOCUMENT_START_EVENT:
		if (b->documents++) {
			diag_add(b->diag, mark_pos(e->start_mark), "", "YAML: "
				 "wanted one document, found a second one here");
			return false;
		}
		return true;
	case YAML_SCALAR_EVENT:
		return on_scalar(b, e);
	case YAML_ALIAS_EVENT:
		return on_alias(b, e);
	case YAML_SEQUENCE_START_EVENT:
		n = new_node(b->doc, YNODE_LIST, mark_pos(e->start_mark));
		return open_node(b, n) && add_anchor(b, e->data.sequence_start.anchor, n);
	case YAML_MAPPING_START_EVENT:
		n = new_node(b->doc, YNODE_MAP, mark_pos(e->start_mark));
		return open_node(b, n) && add_anchor(b, e->data.mapping_start.anchor, n);
	case YAML_SEQUENCE_END_EVENT:
	case YAML_MAPPING_END_EVENT:
		close_node(b);
		return true;
	default:
		return true;
	}
}

static void syntax_error(const yaml_parser_t *p, struct diag *d)
{
	const char *problem = p->problem ? p->problem : "error";

	if (p->context)
		diag_add(d, mark_pos(p->problem_mark), "", "YAML syntax: %s (%s "
			 "that starts on line %zu)", problem, p->context,
			 p->context_mark.line + 1);
	else
		diag_add(d, mark_pos(p->problem_mark), "", "YAML syntax: %s",
			 problem);
}

bool ydoc_load(struct ydoc *doc, const char *text, size_t len, struct diag *d)
{
	struct builder b = { .doc = doc, .diag = d, .seed = 14695981039346656037ULL };
	const void *at_random = (const void *)getauxval(AT_RANDOM);
	yaml_parser_t parser;
	yaml_event_t e;
	bool ok = true, done = false;

	if (at_random) {
		uint64_t r;
		memcpy(&r, at_random, sizeof r);
		b.seed ^= r;
	}
	*doc = (struct ydoc){ 0 };
	if (!yaml_parser_initialize(&parser))
		errx(EXIT_USAGE, "yaml_parser_initialize: out of memory");
	yaml_parser_set_input_string(&parser, (const unsigned char *)text, len);
	while (ok && !done) {
		if (!yaml_parser_parse(&parser, &e)) {
			syntax_error(&parser, d);
			ok = false;
			break;
		}
		ok = on_event(&b, &e);
		done = e.type == YAML_STREAM_END_EVENT;
		yaml_event_delete(&e);
	}
	yaml_parser_delete(&parser);
	free(b.kids);
	free(b.open);
	free(b.anchors);
	if (!ok)
		ydoc_free(doc);
	return ok;
}
