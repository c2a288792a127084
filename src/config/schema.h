/*
 * A schema engine over YAML trees (ydoc.h). A schema is a const table of
 * fields {key, parser, offset}; parsers fill typed values and record every
 * problem, as "wanted X, found Y", with its position and key path, and
 * parsing goes on so that all problems are reported at once.
 */
#ifndef KVMRUN_SCHEMA_H
#define KVMRUN_SCHEMA_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "diag.h"
#include "ydoc.h"

struct config;

struct schema {
	struct diag *diag;
	struct config *cfg; /* what the parsers fill */
	char *dir;          /* the config file's folder */
	char path[512];     /* key path of the node being parsed */
	size_t plen;
};

typedef void (*schema_fn)(struct schema *c, struct ynode *n, void *dst);

struct field {
	const char *key;
	schema_fn parse;
	size_t offset;   /* of the value in the object being filled */
	size_t has;      /* of a bool set when the key is present, or NO_HAS */
	bool required;
};

#define NO_HAS ((size_t)-1)
#define FIELD(k, fn, type, m) { k, fn, offsetof(type, m), NO_HAS, false }
#define FIELD_HAS(k, fn, type, m, h) \
	{ k, fn, offsetof(type, m), offsetof(type, h), false }
#define FIELD_REQ(k, fn, type, m) { k, fn, offsetof(type, m), NO_HAS, true }
#define FIELD_OBJ(k, fn) { k, fn, 0, NO_HAS, false } /* fn gets the object */

/* Fill (obj) from the mapping (map) by (fields), a table ended by {NULL}:
 * unknown keys (with the nearest known one), duplicates and missing
 * required keys are problems. */
void schema_fields(struct schema *c, struct ynode *map,
		   const struct field *fields, void *obj);

/* Allocate (*items) for the list (seq), (size) bytes an item, and call
 * (fn) on each with the key path extended by [i]. A list longer than
 * (max) is a problem, and none of it is parsed. */
void schema_list(struct schema *c, struct ynode *seq, void **items,
		 size_t *count, size_t size, size_t max, schema_fn fn);

/* Keys one mapping may have: finding duplicates compares every pair. */
#define SCHEMA_MAX_KEYS 256

/* True if (map) has at most (max) keys; else a problem. */
bool schema_small_mapping(struct schema *c, struct ynode *map, size_t max);

/* Report keys of (map) given twice; true if there were none. */
bool schema_check_duplicates(struct schema *c, struct ynode *map);

/* True if (n) is a mapping; else reports "wanted (what)" unless (n) is
 * empty (a key with no value). */
bool schema_want_mapping(struct schema *c, struct ynode *n, const char *what);

/* True if (n) is a list; else reports "wanted (what)". */
bool schema_want_list(struct schema *c, struct ynode *n, const char *what);

/* True unless (n) is a scalar holding a NUL byte, which is reported: a
 * C string (a file name, a regex, a name, a number) would end there.
 * Every accessor below that gives text checks it. */
bool schema_no_nul(struct schema *c, const struct ynode *n);

/* The text of the non-empty scalar (n), or NULL after "wanted (what)". */
const char *schema_scalar(struct schema *c, struct ynode *n, const char *what);

typedef bool (*schema_num_fn)(const char *s, uint64_t *out, const char **why);

/* Parse the scalar (n) with (fn) (a num_parse_*); false after reporting. */
bool schema_number(struct schema *c, struct ynode *n, uint64_t *out,
		   schema_num_fn fn, const char *what);

/* Field parsers for plain values: a uint64_t, a size, a duration in ns
 * (above zero), a bool, a malloc'd string. */
void schema_u64(struct schema *c, struct ynode *n, void *dst);
void schema_size(struct schema *c, struct ynode *n, void *dst);
void schema_duration(struct schema *c, struct ynode *n, void *dst);
void schema_bool(struct schema *c, struct ynode *n, void *dst);
void schema_string(struct schema *c, struct ynode *n, void *dst);

/* Index of the scalar (n) in the NULL-ended (names), or -1 after
 * reporting an unknown (kind) with the nearest name. */
int schema_name_index(struct schema *c, struct ynode *n, const char *kind,
		      const char *const *names);

/* Report the scalar (n) as an unknown (kind), with the nearest of (names)
 * or the list of them. */
void schema_unknown_name(struct schema *c, const struct ynode *n,
			 const char *kind, const char *const *names);

/* Record a problem at (n) under the current key path. */
void schema_problem(struct schema *c, const struct ynode *n, const char *fmt,
		    ...) __attribute__((format(printf, 3, 4)));

/* Record "wanted (what), found ..." at (n). */
void schema_wanted(struct schema *c, const struct ynode *n, const char *what);

/* Extend the key path by ".key" or "[i]"; schema_pop restores (old). */
size_t schema_push_key(struct schema *c, const char *key);
size_t schema_push_index(struct schema *c, size_t i);
void schema_pop(struct schema *c, size_t old);

bool schema_is_null(const struct ynode *n);

#endif
