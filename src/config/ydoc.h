/*
 * A config's YAML as one compact tree, built from libyaml's events: nodes,
 * texts and child arrays come from a few large blocks, freed at once.
 * (libyaml's own document API makes several allocations per node and
 * doubled kvmrun's time on a large config.)
 */
#ifndef KVMRUN_YDOC_H
#define KVMRUN_YDOC_H

/* Lists and maps nested deeper are refused as soon as the parser reaches
 * them: libyaml's scanner slows with depth (40 000 levels took 8.8 s), and
 * no config of kvmrun's nests beyond a handful. */
#define YDOC_MAX_DEPTH 64

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "diag.h"

enum ynode_type { YNODE_SCALAR, YNODE_LIST, YNODE_MAP };

struct ynode;

struct ypair {
	struct ynode *key, *value;
};

/* 24 bytes: a large config has a node for every few bytes of text. */
struct ynode {
	uint8_t type;    /* enum ynode_type */
	bool plain;      /* a plain scalar, which may read as null */
	uint32_t len;    /* bytes of a scalar, items of a list, pairs of a map */
	uint32_t line;   /* where it starts, from 1; 0 if an -s option made it */
	uint32_t col;    /* or, when (line) is 0, that option's struct pos arg */
	union {
		const char *text;     /* a scalar's, NUL-ended (it may hold NULs) */
		struct ynode **items; /* a list's; never NULL */
		struct ypair *pairs;  /* a map's; never NULL */
	};
};

struct ychunk;

struct ydoc {
	struct ynode *root;     /* NULL when the text holds no document */
	struct ychunk *chunks;  /* where everything of the tree lives */
};

static inline struct pos ynode_pos(const struct ynode *n)
{
	if (!n->line)
		return (struct pos){ 0, 0, n->col };
	return (struct pos){ n->line, n->col, 0 };
}

/* Parse the (len) bytes of (text) into (doc). On a YAML error, record it
 * in (d) with its position and return false, (doc) empty. Anchors and
 * aliases are resolved: an alias is the anchored node itself. */
bool ydoc_load(struct ydoc *doc, const char *text, size_t len, struct diag *d);

/* A new scalar holding a copy of (text), or an empty map, at (pos). */
struct ynode *ydoc_scalar(struct ydoc *doc, struct pos pos, const char *text);
struct ynode *ydoc_map(struct ydoc *doc, struct pos pos);

/* Add the pair (key, value) at the end of the map (map). */
void ydoc_append_pair(struct ydoc *doc, struct ynode *map, struct ynode *key,
		      struct ynode *value);

void ydoc_free(struct ydoc *doc);

#endif
