/* A schema engine over YAML trees: typed fields from const tables,
 * every problem recorded with its position and key path. */
#include "kvmrun-config.h"

#include "schema.h"

#include <err.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "num.h"
#include "status.h"

/* Append (len) bytes of (text) to the key path, cut at its end. Paths
 * grow and shrink for every node of a config: no printf here. */
static size_t path_append(struct schema *c, const char *text, size_t len)
{
	size_t old = c->plen, room = sizeof c->path - 1 - old;

	if (len > room)
		len = room;
	memcpy(c->path + old, text, len);
	c->plen = old + len;
	c->path[c->plen] = '\0';
	return old;
}

size_t schema_push_key(struct schema *c, const char *key)
{
	size_t old = c->plen;

	if (old)
		path_append(c, ".", 1);
	path_append(c, key, strlen(key));
	return old;
}

size_t schema_push_index(struct schema *c, size_t i)
{
	char digits[24], *p = digits + sizeof digits;

	*--p = ']';
	do
		*--p = (char)('0' + i % 10);
	while (i /= 10);
	*--p = '[';
	return path_append(c, p, (size_t)(digits + sizeof digits - p));
}

void schema_pop(struct schema *c, size_t old)
{
	c->plen = old;
	c->path[old] = '\0';
}

void schema_problem(struct schema *c, const struct ynode *n, const char *fmt, ...)
{
	char *text;
	va_list ap;

	va_start(ap, fmt);
	if (vasprintf(&text, fmt, ap) < 0)
		err(EXIT_USAGE, "vasprintf");
	va_end(ap);
	diag_add(c->diag, ynode_pos(n), c->path, "%s", text);
	free(text);
}

/* How a node looks, for "found ..." in messages. */
static const char *found(const struct ynode *n, char buf[64])
{
	if (n->type == YNODE_MAP)
		return "a mapping";
	if (n->type == YNODE_LIST)
		return "a list";
	if (n->len == 0)
		return "nothing";
	snprintf(buf, 64, "'%.50s%s'", n->text,
		 n->len > 50 ? "..." : "");
	return buf;
}

void schema_wanted(struct schema *c, const struct ynode *n, const char *what)
{
	char buf[64];

	schema_problem(c, n, "wanted %s, found %s", what, found(n, buf));
}

bool schema_is_null(const struct ynode *n)
{
	const char *s = n->text;

	if (n->type != YNODE_SCALAR || !n->plain)
		return false;
	if (n->len <= 1) /* runs for every scalar: a few compares at most */
		return n->len == 0 || s[0] == '~';
	return n->len == 4 && (strcmp(s, "null") == 0 || strcmp(s, "Null") == 0 ||
			       strcmp(s, "NULL") == 0);
}

/* ---- suggestions ---- */

static size_t edit_distance(const char *a, const char *b)
{
	size_t la = strlen(a), lb = strlen(b), row[64];

	if (la >= 64 || lb >= 64)
		return SIZE_MAX;
	for (size_t j = 0; j <= lb; j++)
		row[j] = j;
	for (size_t i = 1; i <= la; i++) {
		size_t diag = row[0];
		row[0] = i;
		for (size_t j = 1; j <= lb; j++) {
			size_t up = row[j];
			size_t cost = a[i - 1] == b[j - 1] ? 0 : 1;
			size_t best = diag + cost;
			if (row[j] + 1 < best)
				best = row[j] + 1;
			if (row[j - 1] + 1 < best)
				best = row[j - 1] + 1;
			row[j] = best;
			diag = up;
		}
	}
	return row[lb];
}

/* The name in (names) nearest to (word), if it is near enough. */
static const char *nearest(const char *word, const char *const *names)
{
	const char *best = NULL;
	size_t best_d = SIZE_MAX, limit = strlen(word) / 3 + 1;

	for (; *names; names++) {
		size_t d = edit_distance(word, *names);
		if (d < best_d) {
			best_d = d;
			best = *names;
		}
	}
	return best_d <= (limit < 3 ? limit : 3) ? best : NULL;
}

void schema_unknown_name(struct schema *c, const struct ynode *n, const char *kind,
			 const char *const *names)
{
	const char *s = n->text, *near = nearest(s, names);
	char list[256];
	size_t len = 0;

	list[0] = '\0';
	for (size_t i = 0; names[i] && len < sizeof list; i++)
		len += (size_t)snprintf(list + len, sizeof list - len, "%s%s",
					i ? ", " : "", names[i]);
	if (near)
		schema_problem(c, n, "unknown %s '%s' (did you mean '%s'?)", kind, s,
			near);
	else
		schema_problem(c, n, "unknown %s '%s' (wanted one of: %s)", kind, s,
			list);
}

/* ---- scalar parsers ---- */

bool schema_no_nul(struct schema *c, const struct ynode *n)
{
	const char *nul;

	if (n->type != YNODE_SCALAR || !(nul = memchr(n->text, '\0', n->len)))
		return true;
	schema_problem(c, n, "a NUL byte (\\0) at byte %zu would cut this "
		       "string short: only exact and contains console "
		       "text and string expectations may hold one", (size_t)(nul - n->text));
	return false;
}

const char *schema_scalar(struct schema *c, struct ynode *n, const char *what)
{
	if (n->type == YNODE_SCALAR && !schema_is_null(n))
		return schema_no_nul(c, n) ? n->text : NULL;
	schema_wanted(c, n, what);
	return NULL;
}

bool schema_number(struct schema *c, struct ynode *n, uint64_t *out, schema_num_fn fn,
		   const char *what)
{
	const char *s = schema_scalar(c, n, what), *why;

	if (!s)
		return false;
	if (fn(s, out, &why))
		return true;
	if (strcmp(why, "is not a number") == 0)
		schema_wanted(c, n, what);
	else
		schema_problem(c, n, "'%s' %s", s, why);
	return false;
}

void schema_u64(struct schema *c, struct ynode *n, void *dst)
{
	schema_number(c, n, dst, num_parse_u64, "a number");
}

void schema_size(struct schema *c, struct ynode *n, void *dst)
{
	schema_number(c, n, dst, num_parse_size, "a size such as 4096, 64K or 2M");
}

void schema_duration(struct schema *c, struct ynode *n, void *dst)
{
	uint64_t ns;

	if (!schema_number(c, n, &ns, num_parse_duration,
		    "a duration such as 500ms, 10s or 1m"))
		return;
	if (ns == 0)
		schema_problem(c, n, "wanted a duration above zero, found 0");
	else
		*(uint64_t *)dst = ns;
}

void schema_bool(struct schema *c, struct ynode *n, void *dst)
{
	static const char *const yes[] = { "true", "yes", "on", NULL };
	static const char *const no[] = { "false", "no", "off", NULL };
	const char *s = schema_scalar(c, n, "true or false");

	if (!s)
		return;
	for (size_t i = 0; yes[i]; i++) {
		if (strcasecmp(s, yes[i]) == 0) {
			*(bool *)dst = true;
			return;
		}
		if (strcasecmp(s, no[i]) == 0) {
			*(bool *)dst = false;
			return;
		}
	}
	schema_wanted(c, n, "true or false");
}

void schema_string(struct schema *c, struct ynode *n, void *dst)
{
	if (n->type != YNODE_SCALAR) {
		schema_wanted(c, n, "a string");
		return;
	}
	if (!schema_no_nul(c, n))
		return;
	free(*(char **)dst);
	*(char **)dst = strdup(n->text);
}

/* Index of the scalar (n) in (names), or -1 after reporting it. */
int schema_name_index(struct schema *c, struct ynode *n, const char *kind,
		      const char *const *names)
{
	char what[128];

	if (n->type == YNODE_SCALAR && !schema_is_null(n)) {
		if (!schema_no_nul(c, n))
			return -1;
		for (int i = 0; names[i]; i++)
			if (strcmp(n->text, names[i]) == 0)
				return i;
		schema_unknown_name(c, n, kind, names);
		return -1;
	}
	snprintf(what, sizeof what, "a %s name", kind);
	schema_wanted(c, n, what);
	return -1;
}

/* ---- mappings and lists ---- */

/* Keys are the same if they are equal, or both numbers of one value
 * (0x10 and 16). Numbers start with a digit: names are not parsed. */
static bool same_key(const char *a, const char *b)
{
	uint64_t x, y;
	const char *why;

	if (strcmp(a, b) == 0)
		return true;
	return a[0] >= '0' && a[0] <= '9' && b[0] >= '0' && b[0] <= '9' &&
	       num_parse_u64(a, &x, &why) && num_parse_u64(b, &y, &why) &&
	       x == y;
}

/* The first pair of (map) before (pair) with the same key, or NULL. */
static const struct ypair *seen_before(const struct ynode *map,
				       const struct ypair *pair)
{
	const struct ynode *k = pair->key;

	if (k->type != YNODE_SCALAR)
		return NULL;
	for (const struct ypair *q = map->pairs; q < pair; q++) {
		const struct ynode *kq = q->key;
		if (kq->type == YNODE_SCALAR &&
		    same_key(k->text, kq->text))
			return q;
	}
	return NULL;
}

/* Report the pair (p) of (map) if its key was given before; true if so. */
static bool duplicate(struct schema *c, const struct ynode *map,
		      const struct ypair *p)
{
	const struct ypair *first = seen_before(map, p);

	if (!first)
		return false;
	size_t old = schema_push_key(c, p->key->text);
	schema_problem(c, p->key, "duplicate key (first given on line %u)",
		       first->key->line);
	schema_pop(c, old);
	return true;
}

bool schema_check_duplicates(struct schema *c, struct ynode *map)
{
	bool ok = true;

	for (const struct ypair *p = map->pairs; p < map->pairs + map->len; p++)
		ok &= !duplicate(c, map, p);
	return ok;
}

bool schema_small_mapping(struct schema *c, struct ynode *map, size_t max)
{
	size_t n = map->len;

	if (n <= max)
		return true;
	schema_problem(c, map, "wanted at most %zu keys, found %zu", max, n);
	return false;
}

bool schema_want_mapping(struct schema *c, struct ynode *n, const char *what)
{
	if (n->type == YNODE_MAP)
		return true;
	if (!schema_is_null(n))
		schema_wanted(c, n, what);
	return false;
}

/* The index of (key) in (fields), or -1. */
static int find_field(const struct field *fields, const char *key)
{
	for (int i = 0; fields[i].key; i++)
		if (strcmp(fields[i].key, key) == 0)
			return i;
	return -1;
}

static bool has_key(const struct ynode *map, const char *key)
{
	for (const struct ypair *p = map->pairs; p < map->pairs + map->len; p++)
		if (p->key->type == YNODE_SCALAR && strcmp(p->key->text, key) == 0)
			return true;
	return false;
}

static void unknown_key(struct schema *c, struct ynode *k,
			const struct field *fields)
{
	const char *names[32];
	size_t n = 0;

	for (; fields->key && n < 31; fields++)
		names[n++] = fields->key;
	names[n] = NULL;
	schema_unknown_name(c, k, "key", names);
}

/* Fill (obj) from the mapping (map) following (fields). */
void schema_fields(struct schema *c, struct ynode *map,
			 const struct field *fields, void *obj)
{
	uint64_t given = 0; /* of the first 64 fields, those found */

	if (!schema_small_mapping(c, map, SCHEMA_MAX_KEYS))
		return;
	for (const struct ypair *p = map->pairs; p < map->pairs + map->len; p++) {
		struct ynode *k = p->key, *v = p->value;
		if (k->type != YNODE_SCALAR) {
			schema_wanted(c, k, "a key name");
			continue;
		}
		if (!schema_no_nul(c, k))
			continue;
		int i = find_field(fields, k->text);
		/* A field's key twice is seen in (given); others are compared
		 * with the keys before them. The first one counts. */
		bool known = i >= 0 && i < 64;
		if (known ? given >> i & 1 : seen_before(map, p) != NULL) {
			duplicate(c, map, p);
			continue;
		}
		size_t old = schema_push_key(c, k->text);
		if (i < 0)
			unknown_key(c, k, fields);
		else {
			const struct field *f = &fields[i];
			given |= i < 64 ? 1ULL << i : 0;
			if (f->has != NO_HAS)
				*(bool *)((char *)obj + f->has) = true;
			f->parse(c, v, (char *)obj + f->offset);
		}
		schema_pop(c, old);
	}
	for (int i = 0; fields[i].key; i++) {
		if (!fields[i].required || (i < 64 && given >> i & 1))
			continue;
		if (!has_key(map, fields[i].key))
			schema_problem(c, map, "missing required key '%s'",
				       fields[i].key);
	}
}

bool schema_want_list(struct schema *c, struct ynode *n, const char *what)
{
	if (n->type == YNODE_LIST)
		return true;
	schema_wanted(c, n, what);
	return false;
}

/* Call (fn) on each item of the list (seq), growing (*items) by (size). */
void schema_list(struct schema *c, struct ynode *seq, void **items,
		 size_t *count, size_t size, size_t max, schema_fn fn)
{
	size_t n = seq->len;

	*count = 0;
	*items = calloc(1, size);
	if (!*items)
		err(EXIT_USAGE, "calloc");
	if (n > max) {
		schema_problem(c, seq, "wanted at most %zu items, found %zu", max, n);
		return;
	}
	free(*items);
	*items = calloc(n ? n : 1, size);
	if (!*items)
		err(EXIT_USAGE, "calloc");
	*count = n;
	for (size_t i = 0; i < n; i++) {
		size_t old = schema_push_index(c, i);
		fn(c, seq->items[i],
		   (char *)*items + i * size);
		schema_pop(c, old);
	}
}

