/*
 * libyaml document -> struct config. The schema is a set of const tables
 * {key, parser, offset}; every problem is recorded with its position and
 * key path, and parsing goes on so that all of them are reported at once.
 */
#include "kvmrun-config.h"

#include "config.h"

#include <err.h>
#include <stdarg.h>
#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <unistd.h>
#include <yaml.h>

#include "num.h"
#include "path.h"

const char *const map_flag_names[] = { "write", "user", "nx", "global",
				       "nocache", "writethrough", NULL };
const char *const handler_names[] = { "console", "exit", "constant", "log",
				      "ignore", NULL };
const char *const stop_names[] = { "hlt", "exit", "shutdown", NULL };

#define DEFAULT_TIMEOUT_NS 10000000000ULL
#define DEFAULT_MMIO_SIZE 8
#define OVERRIDE_LINE ((size_t)-1)

struct ctx {
	yaml_document_t *doc;
	struct config *cfg;
	struct diag *diag;
	char *dir; /* the config file's folder */
	char path[512];
	size_t plen;
};

typedef void (*field_fn)(struct ctx *c, yaml_node_t *n, void *dst);

struct field {
	const char *key;
	field_fn parse;
	size_t offset;   /* of the value in the object being filled */
	size_t has;      /* of a bool set when the key is present, or NO_HAS */
	bool required;
};

#define NO_HAS ((size_t)-1)
#define F(k, fn, type, m) { k, fn, offsetof(type, m), NO_HAS, false }
#define FH(k, fn, type, m, h) { k, fn, offsetof(type, m), offsetof(type, h), false }
#define FR(k, fn, type, m) { k, fn, offsetof(type, m), NO_HAS, true }
#define FOBJ(k, fn) { k, fn, 0, NO_HAS, false } /* fn fills the object */

/* ---- positions, paths and messages ---- */

static struct pos pos_of(const yaml_node_t *n)
{
	if (n->start_mark.line == OVERRIDE_LINE)
		return (struct pos){ 0, 0, (unsigned)n->start_mark.column + 1 };
	return (struct pos){ (unsigned)n->start_mark.line + 1,
			     (unsigned)n->start_mark.column + 1, 0 };
}

static size_t path_push(struct ctx *c, const char *fmt, const char *key,
			size_t index)
{
	size_t old = c->plen, room = sizeof c->path - c->plen;
	int n;

	if (key)
		n = snprintf(c->path + c->plen, room, fmt, c->plen ? "." : "",
			     key);
	else
		n = snprintf(c->path + c->plen, room, fmt, index);
	c->plen = n < 0 || (size_t)n >= room ? sizeof c->path - 1
					     : c->plen + (size_t)n;
	return old;
}

static size_t path_key(struct ctx *c, const char *key)
{
	return path_push(c, "%s%s", key, 0);
}

static size_t path_index(struct ctx *c, size_t i)
{
	return path_push(c, "[%zu]", NULL, i);
}

static void path_pop(struct ctx *c, size_t old)
{
	c->plen = old;
	c->path[old] = '\0';
}

static void problem(struct ctx *c, const yaml_node_t *n, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));

static void problem(struct ctx *c, const yaml_node_t *n, const char *fmt, ...)
{
	char *text;
	va_list ap;

	va_start(ap, fmt);
	if (vasprintf(&text, fmt, ap) < 0)
		err(2, "vasprintf");
	va_end(ap);
	diag_add(c->diag, pos_of(n), c->path, "%s", text);
	free(text);
}

static const char *scalar_text(const yaml_node_t *n)
{
	return (const char *)n->data.scalar.value;
}

/* How a node looks, for "found ..." in messages. */
static const char *found(const yaml_node_t *n, char buf[64])
{
	if (n->type == YAML_MAPPING_NODE)
		return "a mapping";
	if (n->type == YAML_SEQUENCE_NODE)
		return "a list";
	if (n->data.scalar.length == 0)
		return "nothing";
	snprintf(buf, 64, "'%.50s%s'", scalar_text(n),
		 n->data.scalar.length > 50 ? "..." : "");
	return buf;
}

static void wanted(struct ctx *c, const yaml_node_t *n, const char *what)
{
	char buf[64];

	problem(c, n, "wanted %s, found %s", what, found(n, buf));
}

static bool is_null(const yaml_node_t *n)
{
	static const char *const nulls[] = { "", "~", "null", "Null", "NULL" };

	if (n->type != YAML_SCALAR_NODE ||
	    n->data.scalar.style != YAML_PLAIN_SCALAR_STYLE)
		return false;
	for (size_t i = 0; i < sizeof nulls / sizeof nulls[0]; i++)
		if (strcmp(scalar_text(n), nulls[i]) == 0)
			return true;
	return false;
}

static yaml_node_t *node(struct ctx *c, int id)
{
	return yaml_document_get_node(c->doc, id);
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

static void unknown_name(struct ctx *c, const yaml_node_t *n, const char *kind,
			 const char *const *names)
{
	const char *s = scalar_text(n), *near = nearest(s, names);
	char list[256];
	size_t len = 0;

	list[0] = '\0';
	for (size_t i = 0; names[i] && len < sizeof list; i++)
		len += (size_t)snprintf(list + len, sizeof list - len, "%s%s",
					i ? ", " : "", names[i]);
	if (near)
		problem(c, n, "unknown %s '%s' (did you mean '%s'?)", kind, s,
			near);
	else
		problem(c, n, "unknown %s '%s' (wanted one of: %s)", kind, s,
			list);
}

/* ---- scalar parsers ---- */

static const char *want_scalar(struct ctx *c, yaml_node_t *n, const char *what)
{
	if (n->type == YAML_SCALAR_NODE && !is_null(n))
		return scalar_text(n);
	wanted(c, n, what);
	return NULL;
}

typedef bool (*num_fn)(const char *s, uint64_t *out, const char **why);

static bool number(struct ctx *c, yaml_node_t *n, uint64_t *out, num_fn fn,
		   const char *what)
{
	const char *s = want_scalar(c, n, what), *why;

	if (!s)
		return false;
	if (fn(s, out, &why))
		return true;
	if (strcmp(why, "is not a number") == 0)
		wanted(c, n, what);
	else
		problem(c, n, "'%s' %s", s, why);
	return false;
}

static void p_u64(struct ctx *c, yaml_node_t *n, void *dst)
{
	number(c, n, dst, num_parse_u64, "a number");
}

static void p_size(struct ctx *c, yaml_node_t *n, void *dst)
{
	number(c, n, dst, num_parse_size, "a size such as 4096, 64K or 2M");
}

static void p_duration(struct ctx *c, yaml_node_t *n, void *dst)
{
	uint64_t ns;

	if (!number(c, n, &ns, num_parse_duration,
		    "a duration such as 500ms, 10s or 1m"))
		return;
	if (ns == 0)
		problem(c, n, "wanted a duration above zero, found 0");
	else
		*(uint64_t *)dst = ns;
}

static void p_bool(struct ctx *c, yaml_node_t *n, void *dst)
{
	static const char *const yes[] = { "true", "yes", "on", NULL };
	static const char *const no[] = { "false", "no", "off", NULL };
	const char *s = want_scalar(c, n, "true or false");

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
	wanted(c, n, "true or false");
}

static void p_string(struct ctx *c, yaml_node_t *n, void *dst)
{
	if (n->type != YAML_SCALAR_NODE) {
		wanted(c, n, "a string");
		return;
	}
	free(*(char **)dst);
	*(char **)dst = strdup(scalar_text(n));
}

/* Index of the scalar (n) in (names), or -1 after reporting it. */
static int name_index(struct ctx *c, yaml_node_t *n, const char *kind,
		      const char *const *names)
{
	char what[128];

	snprintf(what, sizeof what, "a %s name", kind);
	const char *s = want_scalar(c, n, what);
	if (!s)
		return -1;
	for (int i = 0; names[i]; i++)
		if (strcmp(s, names[i]) == 0)
			return i;
	unknown_name(c, n, kind, names);
	return -1;
}

/* ---- mappings and lists ---- */

static bool same_key(const char *a, const char *b)
{
	uint64_t x, y;
	const char *why;

	if (strcmp(a, b) == 0)
		return true;
	return num_parse_u64(a, &x, &why) && num_parse_u64(b, &y, &why) &&
	       x == y;
}

/* Report the keys of (map) that appear twice; true if there were none. */
static bool check_duplicates(struct ctx *c, yaml_node_t *map)
{
	yaml_node_pair_t *start = map->data.mapping.pairs.start;
	yaml_node_pair_t *top = map->data.mapping.pairs.top;
	bool ok = true;

	for (yaml_node_pair_t *p = start; p < top; p++) {
		yaml_node_t *k = node(c, p->key);
		if (k->type != YAML_SCALAR_NODE)
			continue;
		for (yaml_node_pair_t *q = start; q < p; q++) {
			yaml_node_t *kq = node(c, q->key);
			if (kq->type != YAML_SCALAR_NODE ||
			    !same_key(scalar_text(k), scalar_text(kq)))
				continue;
			size_t old = path_key(c, scalar_text(k));
			problem(c, k, "duplicate key (first given on line %u)",
				pos_of(kq).line);
			path_pop(c, old);
			ok = false;
			break;
		}
	}
	return ok;
}

static bool want_mapping(struct ctx *c, yaml_node_t *n, const char *what)
{
	if (n->type == YAML_MAPPING_NODE)
		return true;
	if (!is_null(n))
		wanted(c, n, what);
	return false;
}

static const struct field *find_field(const struct field *fields,
				      const char *key)
{
	for (; fields->key; fields++)
		if (strcmp(fields->key, key) == 0)
			return fields;
	return NULL;
}

static void unknown_key(struct ctx *c, yaml_node_t *k,
			const struct field *fields)
{
	const char *names[32];
	size_t n = 0;

	for (; fields->key && n < 31; fields++)
		names[n++] = fields->key;
	names[n] = NULL;
	unknown_name(c, k, "key", names);
}

/* Fill (obj) from the mapping (map) following (fields). */
static void parse_fields(struct ctx *c, yaml_node_t *map,
			 const struct field *fields, void *obj)
{
	check_duplicates(c, map);
	for (yaml_node_pair_t *p = map->data.mapping.pairs.start;
	     p < map->data.mapping.pairs.top; p++) {
		yaml_node_t *k = node(c, p->key), *v = node(c, p->value);
		if (k->type != YAML_SCALAR_NODE) {
			wanted(c, k, "a key name");
			continue;
		}
		const struct field *f = find_field(fields, scalar_text(k));
		size_t old = path_key(c, scalar_text(k));
		if (!f)
			unknown_key(c, k, fields);
		else {
			if (f->has != NO_HAS)
				*(bool *)((char *)obj + f->has) = true;
			f->parse(c, v, (char *)obj + f->offset);
		}
		path_pop(c, old);
	}
	for (const struct field *f = fields; f->key; f++) {
		if (!f->required)
			continue;
		bool present = false;
		for (yaml_node_pair_t *p = map->data.mapping.pairs.start;
		     p < map->data.mapping.pairs.top; p++) {
			yaml_node_t *k = node(c, p->key);
			present |= k->type == YAML_SCALAR_NODE &&
				   strcmp(scalar_text(k), f->key) == 0;
		}
		if (!present)
			problem(c, map, "missing required key '%s'", f->key);
	}
}

/* Call (fn) on each item of the list (seq), growing (*items) by (size). */
static void parse_list(struct ctx *c, yaml_node_t *seq, void **items,
		       size_t *count, size_t size,
		       void (*fn)(struct ctx *, yaml_node_t *, void *))
{
	size_t n = (size_t)(seq->data.sequence.items.top -
			    seq->data.sequence.items.start);

	*items = calloc(n ? n : 1, size);
	if (!*items)
		err(2, "calloc");
	*count = n;
	for (size_t i = 0; i < n; i++) {
		size_t old = path_index(c, i);
		fn(c, node(c, seq->data.sequence.items.start[i]),
		   (char *)*items + i * size);
		path_pop(c, old);
	}
}

/* ---- memory ---- */

static void check_region(struct ctx *c, yaml_node_t *n, struct mem_region *r)
{
	char b1[32];

	if (r->size == 0)
		problem(c, n, "size: wanted a size above zero, found 0");
	else if (r->size % 4096 || r->base % 4096)
		problem(c, n, "wanted base and size in multiples of 4 KiB, "
			      "found base 0x%llx, size %s",
			(unsigned long long)r->base, num_fmt_size(r->size, b1));
	else if (r->base + r->size - 1 < r->base)
		problem(c, n, "region 0x%llx + %s wraps past the end of the "
			      "address space",
			(unsigned long long)r->base, num_fmt_size(r->size, b1));
}

static const struct field region_fields[] = {
	FR("base", p_u64, struct mem_region, base),
	FR("size", p_size, struct mem_region, size),
	F("readonly", p_bool, struct mem_region, readonly),
	F("merge", p_bool, struct mem_region, merge),
	F("hugepages", p_bool, struct mem_region, hugepages),
	{ NULL },
};

static void p_region(struct ctx *c, yaml_node_t *n, void *dst)
{
	struct mem_region *r = dst;

	r->pos = pos_of(n);
	if (!want_mapping(c, n, "a region such as { base: 0, size: 2M }"))
		return;
	size_t before = c->diag->count;
	parse_fields(c, n, region_fields, r);
	if (c->diag->count == before)
		check_region(c, n, r);
}

static void p_memory(struct ctx *c, yaml_node_t *n, void *dst)
{
	struct config *cfg = c->cfg;

	(void)dst;
	if (n->type == YAML_SEQUENCE_NODE) {
		parse_list(c, n, (void **)&cfg->regions, &cfg->nregions,
			   sizeof *cfg->regions, p_region);
		if (cfg->nregions == 0)
			problem(c, n, "wanted at least one region, found none");
		return;
	}
	cfg->regions = calloc(1, sizeof *cfg->regions);
	if (!cfg->regions)
		err(2, "calloc");
	cfg->nregions = 1;
	cfg->regions->pos = pos_of(n);
	if (n->type != YAML_SCALAR_NODE || is_null(n)) {
		wanted(c, n, "a size such as 2M, or a list of regions");
		return;
	}
	if (number(c, n, &cfg->regions->size, num_parse_size,
		   "a size such as 2M, or a list of regions"))
		check_region(c, n, cfg->regions);
}

/* ---- cpu ---- */

static void p_mode(struct ctx *c, yaml_node_t *n, void *dst)
{
	int i = name_index(c, n, "mode", cpu_mode_names);

	c->cfg->mode_pos = pos_of(n);
	if (i >= 0)
		*(enum cpu_mode *)dst = (enum cpu_mode)i;
}

static void reg_pair(struct ctx *c, yaml_node_t *k, yaml_node_t *v,
		     struct reg_value *rv)
{
	rv->pos = pos_of(v);
	rv->reg = cpu_reg_lookup(scalar_text(k));
	if (!rv->reg) {
		unknown_name(c, k, "register", cpu_reg_names());
		return;
	}
	if (!number(c, v, &rv->value, num_parse_u64, "a number"))
		return;
	unsigned bits = rv->reg->width * 8;
	if (bits < 64 && rv->value >> bits)
		problem(c, v, "0x%llx does not fit in the %u bits of %s",
			(unsigned long long)rv->value, bits, rv->reg->name);
}

/* A mapping of register names to values, such as { rax: 42 }. */
static void parse_regs(struct ctx *c, yaml_node_t *n, struct reg_value **regs,
		       size_t *count)
{
	if (!want_mapping(c, n, "a mapping of registers such as { rax: 42 }"))
		return;
	check_duplicates(c, n);
	size_t len = (size_t)(n->data.mapping.pairs.top -
			      n->data.mapping.pairs.start);
	*regs = calloc(len ? len : 1, sizeof **regs);
	if (!*regs)
		err(2, "calloc");
	for (size_t i = 0; i < len; i++) {
		yaml_node_pair_t *p = &n->data.mapping.pairs.start[i];
		yaml_node_t *k = node(c, p->key), *v = node(c, p->value);
		if (k->type != YAML_SCALAR_NODE) {
			wanted(c, k, "a register name");
			continue;
		}
		size_t old = path_key(c, scalar_text(k));
		reg_pair(c, k, v, &(*regs)[*count]);
		if ((*regs)[*count].reg)
			(*count)++;
		path_pop(c, old);
	}
}

static void p_cpu_regs(struct ctx *c, yaml_node_t *n, void *dst)
{
	(void)dst;
	parse_regs(c, n, &c->cfg->regs, &c->cfg->nregs);
}

static void p_entry(struct ctx *c, yaml_node_t *n, void *dst)
{
	c->cfg->entry_pos = pos_of(n);
	p_u64(c, n, dst);
}

static void p_stack(struct ctx *c, yaml_node_t *n, void *dst)
{
	c->cfg->stack_pos = pos_of(n);
	p_u64(c, n, dst);
}

static const struct field cpu_fields[] = {
	FR("mode", p_mode, struct config, mode),
	FH("entry", p_entry, struct config, entry, has_entry),
	FH("stack", p_stack, struct config, stack, has_stack),
	F("regs", p_cpu_regs, struct config, regs),
	{ NULL },
};

static void p_cpu(struct ctx *c, yaml_node_t *n, void *dst)
{
	(void)dst;
	if (want_mapping(c, n, "a mapping with mode, entry, stack, regs"))
		parse_fields(c, n, cpu_fields, c->cfg);
	else if (is_null(n))
		problem(c, n, "missing required key 'mode'");
}

/* ---- paging ---- */

static void p_page(struct ctx *c, yaml_node_t *n, void *dst)
{
	uint64_t size;

	if (!number(c, n, &size, num_parse_size, "a page size: 4K, 2M, 4M or 1G"))
		return;
	if (size != 4096 && size != 2 << 20 && size != 4 << 20 && size != 1 << 30) {
		wanted(c, n, "a page size: 4K, 2M, 4M or 1G");
		return;
	}
	*(uint64_t *)dst = size;
}

static void p_flags(struct ctx *c, yaml_node_t *n, void *dst)
{
	unsigned *flags = dst;

	if (n->type != YAML_SEQUENCE_NODE) {
		if (!is_null(n))
			wanted(c, n, "a list of flags such as [write, nx]");
		return;
	}
	for (yaml_node_item_t *i = n->data.sequence.items.start;
	     i < n->data.sequence.items.top; i++) {
		size_t old = path_index(c, (size_t)(i - n->data.sequence.items.start));
		int bit = name_index(c, node(c, *i), "flag", map_flag_names);
		if (bit >= 0)
			*flags |= 1U << bit;
		path_pop(c, old);
	}
}

static const struct field map_fields[] = {
	FR("virt", p_u64, struct map_cfg, virt),
	FR("phys", p_u64, struct map_cfg, phys),
	FR("size", p_size, struct map_cfg, size),
	FR("page", p_page, struct map_cfg, page),
	F("flags", p_flags, struct map_cfg, flags),
	{ NULL },
};

static void p_map_item(struct ctx *c, yaml_node_t *n, void *dst)
{
	struct map_cfg *m = dst;

	m->pos = pos_of(n);
	if (want_mapping(c, n, "a mapping such as { virt: 0, phys: 0, size: 2M, page: 2M }"))
		parse_fields(c, n, map_fields, m);
}

static void p_map(struct ctx *c, yaml_node_t *n, void *dst)
{
	(void)dst;
	if (n->type != YAML_SEQUENCE_NODE) {
		wanted(c, n, "a list of mappings");
		return;
	}
	parse_list(c, n, (void **)&c->cfg->maps, &c->cfg->nmaps,
		   sizeof *c->cfg->maps, p_map_item);
}

static const struct field paging_fields[] = {
	FH("at", p_u64, struct config, paging_at, has_paging_at),
	F("map", p_map, struct config, maps),
	{ NULL },
};

static void p_paging(struct ctx *c, yaml_node_t *n, void *dst)
{
	(void)dst;
	c->cfg->has_paging = true;
	c->cfg->paging_pos = pos_of(n);
	if (want_mapping(c, n, "a mapping with at and map"))
		parse_fields(c, n, paging_fields, c->cfg);
}

/* ---- load ---- */

static void p_image_path(struct ctx *c, yaml_node_t *n, struct image_cfg *img,
			 enum image_kind kind)
{
	if (img->given) {
		problem(c, n, "an image is either elf or raw, not both");
		return;
	}
	const char *s = want_scalar(c, n, "a file name");
	if (!s)
		return;
	img->kind = kind;
	img->given = strdup(s);
	img->path = path_resolve(c->dir, s, getenv("KVMRUN_PATH"));
	if (!img->given || !img->path)
		err(2, "strdup");
	if (access(img->path, R_OK) != 0)
		problem(c, n, "cannot read '%s': %s", img->path, strerror(errno));
}

static void p_elf(struct ctx *c, yaml_node_t *n, void *dst)
{
	p_image_path(c, n, dst, IMAGE_ELF);
}

static void p_raw(struct ctx *c, yaml_node_t *n, void *dst)
{
	p_image_path(c, n, dst, IMAGE_RAW);
}

static const struct field image_fields[] = {
	FOBJ("elf", p_elf),
	FOBJ("raw", p_raw),
	FH("at", p_u64, struct image_cfg, at, has_at),
	{ NULL },
};

static void p_image(struct ctx *c, yaml_node_t *n, void *dst)
{
	struct image_cfg *img = dst;

	img->pos = pos_of(n);
	if (!want_mapping(c, n, "an image such as { elf: guest.elf }"))
		return;
	size_t before = c->diag->count;
	parse_fields(c, n, image_fields, img);
	if (c->diag->count != before)
		return;
	if (!img->given)
		problem(c, n, "wanted an elf or a raw key, found neither");
	else if (img->kind == IMAGE_RAW && !img->has_at)
		problem(c, n, "a raw image needs 'at', its guest-physical address");
	else if (img->kind == IMAGE_ELF && img->has_at)
		problem(c, n, "an ELF image is loaded at its own p_paddr; 'at' "
			      "is for raw images");
}

static void p_load(struct ctx *c, yaml_node_t *n, void *dst)
{
	(void)dst;
	if (n->type != YAML_SEQUENCE_NODE) {
		wanted(c, n, "a list of images such as - elf: guest.elf");
		return;
	}
	parse_list(c, n, (void **)&c->cfg->images, &c->cfg->nimages,
		   sizeof *c->cfg->images, p_image);
	if (c->cfg->nimages == 0)
		problem(c, n, "wanted at least one image, found none");
}

/* ---- ports and mmio ---- */

static void p_handler_kind(struct ctx *c, yaml_node_t *n, void *dst)
{
	int i = name_index(c, n, "handler", handler_names);

	if (i >= 0)
		*(enum handler_kind *)dst = (enum handler_kind)i;
}

struct handler_long {
	struct handler_cfg h;
	bool has_kind, has_value, has_size;
};

static const struct field handler_fields[] = {
	FH("handler", p_handler_kind, struct handler_long, h.kind, has_kind),
	FH("value", p_u64, struct handler_long, h.value, has_value),
	FH("size", p_size, struct handler_long, h.size, has_size),
	{ NULL },
};

static void parse_handler(struct ctx *c, yaml_node_t *v, struct handler_cfg *h,
			  uint64_t default_size)
{
	struct handler_long hl = { .h = *h };

	hl.h.size = default_size;
	if (v->type == YAML_SCALAR_NODE) {
		p_handler_kind(c, v, &hl.h.kind);
		*h = hl.h;
		return;
	}
	if (!want_mapping(c, v, "a handler name or { handler: ..., value: ... }"))
		return;
	size_t before = c->diag->count;
	parse_fields(c, v, handler_fields, &hl);
	if (c->diag->count == before && !hl.has_kind)
		problem(c, v, "missing required key 'handler'");
	if (hl.has_value && hl.h.kind != H_CONSTANT)
		problem(c, v, "only a constant handler takes a value");
	if (hl.has_size && hl.h.size == 0)
		problem(c, v, "size: wanted a size above zero, found 0");
	*h = hl.h;
}

static void parse_handlers(struct ctx *c, yaml_node_t *n,
			   struct handler_cfg **out, size_t *count,
			   uint64_t limit, uint64_t default_size)
{
	if (!want_mapping(c, n, "a mapping of addresses to handlers"))
		return;
	check_duplicates(c, n);
	size_t len = (size_t)(n->data.mapping.pairs.top -
			      n->data.mapping.pairs.start);
	*out = calloc(len ? len : 1, sizeof **out);
	if (!*out)
		err(2, "calloc");
	for (size_t i = 0; i < len; i++) {
		yaml_node_pair_t *p = &n->data.mapping.pairs.start[i];
		yaml_node_t *k = node(c, p->key), *v = node(c, p->value);
		struct handler_cfg *h = &(*out)[*count];
		if (k->type != YAML_SCALAR_NODE) {
			wanted(c, k, "an address");
			continue;
		}
		size_t old = path_key(c, scalar_text(k));
		h->pos = pos_of(k);
		if (number(c, k, &h->addr, num_parse_u64, "an address")) {
			parse_handler(c, v, h, default_size);
			if (h->addr + h->size - 1 < h->addr ||
			    h->addr + h->size - 1 > limit)
				problem(c, k, "range 0x%llx + %llu goes past 0x%llx",
					(unsigned long long)h->addr,
					(unsigned long long)h->size,
					(unsigned long long)limit);
			else
				(*count)++;
		}
		path_pop(c, old);
	}
}

static void p_ports(struct ctx *c, yaml_node_t *n, void *dst)
{
	(void)dst;
	parse_handlers(c, n, &c->cfg->ports, &c->cfg->nports, 0xffff, 1);
}

static void p_mmio(struct ctx *c, yaml_node_t *n, void *dst)
{
	(void)dst;
	parse_handlers(c, n, &c->cfg->mmio, &c->cfg->nmmio, UINT64_MAX,
		       DEFAULT_MMIO_SIZE);
}

/* ---- limits ---- */

static const struct field limits_fields[] = {
	F("timeout", p_duration, struct config, timeout_ns),
	F("exits", p_size, struct config, max_exits),
	{ NULL },
};

static void p_limits(struct ctx *c, yaml_node_t *n, void *dst)
{
	(void)dst;
	if (want_mapping(c, n, "a mapping with timeout, exits"))
		parse_fields(c, n, limits_fields, c->cfg);
}

/* ---- expect ---- */

static void stop_name(struct ctx *c, yaml_node_t *n, unsigned *mask)
{
	int k = name_index(c, n, "stop", stop_names);

	if (k >= 0)
		*mask |= 1U << k;
}

/* A stop name or a flat list of them (an alias may not nest one). */
static void p_stop(struct ctx *c, yaml_node_t *n, void *dst)
{
	if (n->type != YAML_SEQUENCE_NODE) {
		stop_name(c, n, dst);
		return;
	}
	for (yaml_node_item_t *i = n->data.sequence.items.start;
	     i < n->data.sequence.items.top; i++) {
		size_t old = path_index(c, (size_t)(i - n->data.sequence.items.start));
		stop_name(c, node(c, *i), dst);
		path_pop(c, old);
	}
}

static void console_text(struct ctx *c, yaml_node_t *n, struct expect_cfg *e,
			 enum console_match kind)
{
	if (n->type != YAML_SCALAR_NODE) {
		wanted(c, n, "a string");
		return;
	}
	if (e->console != CONSOLE_ANY) {
		problem(c, n, "give one of exact text, contains or regex");
		return;
	}
	e->console = kind;
	e->console_len = n->data.scalar.length;
	e->console_text = malloc(e->console_len + 1);
	if (!e->console_text)
		err(2, "malloc");
	memcpy(e->console_text, scalar_text(n), e->console_len + 1);
	if (kind != CONSOLE_REGEX)
		return;
	int rc = regcomp(&e->console_re, e->console_text, REG_EXTENDED);
	if (rc != 0) {
		char msg[128];
		regerror(rc, &e->console_re, msg, sizeof msg);
		problem(c, n, "bad regular expression: %s", msg);
		free(e->console_text);
		e->console_text = NULL;
		e->console = CONSOLE_ANY;
	}
}

static void p_contains(struct ctx *c, yaml_node_t *n, void *dst)
{
	console_text(c, n, dst, CONSOLE_CONTAINS);
}

static void p_regex(struct ctx *c, yaml_node_t *n, void *dst)
{
	console_text(c, n, dst, CONSOLE_REGEX);
}

static const struct field console_fields[] = {
	FOBJ("contains", p_contains),
	FOBJ("regex", p_regex),
	{ NULL },
};

static void p_console(struct ctx *c, yaml_node_t *n, void *dst)
{
	struct expect_cfg *e = &c->cfg->expect;

	(void)dst;
	if (n->type == YAML_SCALAR_NODE)
		console_text(c, n, e, CONSOLE_EXACT);
	else if (want_mapping(c, n, "a string, { contains: ... } or { regex: ... }"))
		parse_fields(c, n, console_fields, e);
}

static void p_expect_regs(struct ctx *c, yaml_node_t *n, void *dst)
{
	(void)dst;
	parse_regs(c, n, &c->cfg->expect.regs, &c->cfg->expect.nregs);
}

/* One of u8, u16, u32, u64, bytes, string in a memory expectation. */
static void mem_value(struct ctx *c, yaml_node_t *n, struct mem_expect *m,
		      const char *what, unsigned width)
{
	if (m->what) {
		problem(c, n, "give one value per entry; found %s and %s",
			m->what, what);
		return;
	}
	m->what = what;
	m->width = width;
	if (width) {
		if (number(c, n, &m->value, num_parse_u64, "a number") &&
		    width < 8 && m->value >> (8 * width))
			problem(c, n, "0x%llx does not fit in %s",
				(unsigned long long)m->value, what);
		return;
	}
	if (strcmp(what, "string") == 0) {
		if (n->type != YAML_SCALAR_NODE) {
			wanted(c, n, "a string");
			return;
		}
		m->len = n->data.scalar.length;
		m->bytes = malloc(m->len + 1);
		if (!m->bytes)
			err(2, "malloc");
		memcpy(m->bytes, scalar_text(n), m->len);
		return;
	}
	if (n->type != YAML_SEQUENCE_NODE) {
		wanted(c, n, "a list of byte values such as [0xde, 0xad]");
		return;
	}
	size_t len = (size_t)(n->data.sequence.items.top - n->data.sequence.items.start);
	m->bytes = calloc(len ? len : 1, 1);
	if (!m->bytes)
		err(2, "calloc");
	m->len = len;
	for (size_t i = 0; i < len; i++) {
		yaml_node_t *b = node(c, n->data.sequence.items.start[i]);
		uint64_t v = 0;
		size_t old = path_index(c, i);
		if (number(c, b, &v, num_parse_u64, "a byte value") && v > 0xff)
			problem(c, b, "wanted a byte value, found 0x%llx",
				(unsigned long long)v);
		m->bytes[i] = (uint8_t)v;
		path_pop(c, old);
	}
}

#define MEM_VALUE(name, width)                                          \
	static void p_mem_##name(struct ctx *c, yaml_node_t *n, void *dst) \
	{                                                               \
		mem_value(c, n, dst, #name, width);                     \
	}
MEM_VALUE(u8, 1)
MEM_VALUE(u16, 2)
MEM_VALUE(u32, 4)
MEM_VALUE(u64, 8)
MEM_VALUE(bytes, 0)
MEM_VALUE(string, 0)

static const struct field mem_expect_fields[] = {
	FR("at", p_u64, struct mem_expect, at),
	FOBJ("u8", p_mem_u8),
	FOBJ("u16", p_mem_u16),
	FOBJ("u32", p_mem_u32),
	FOBJ("u64", p_mem_u64),
	FOBJ("bytes", p_mem_bytes),
	FOBJ("string", p_mem_string),
	{ NULL },
};

static void p_mem_expect(struct ctx *c, yaml_node_t *n, void *dst)
{
	struct mem_expect *m = dst;

	m->pos = pos_of(n);
	if (!want_mapping(c, n, "a mapping such as { at: 0x400, u64: 42 }"))
		return;
	size_t before = c->diag->count;
	parse_fields(c, n, mem_expect_fields, m);
	if (c->diag->count == before && !m->what)
		problem(c, n, "wanted one of u8, u16, u32, u64, bytes, string, "
			      "found none");
	if (m->what && !m->width && m->len == 0 && c->diag->count == before)
		problem(c, n, "%s: wanted at least one byte, found none", m->what);
}

static void p_expect_memory(struct ctx *c, yaml_node_t *n, void *dst)
{
	(void)dst;
	if (n->type != YAML_SEQUENCE_NODE) {
		wanted(c, n, "a list such as - { at: 0x400, u64: 42 }");
		return;
	}
	parse_list(c, n, (void **)&c->cfg->expect.mem, &c->cfg->expect.nmem,
		   sizeof *c->cfg->expect.mem, p_mem_expect);
}

static const struct field expect_fields[] = {
	F("stop", p_stop, struct expect_cfg, stops),
	FH("status", p_u64, struct expect_cfg, status, has_status),
	F("console", p_console, struct expect_cfg, console),
	F("regs", p_expect_regs, struct expect_cfg, regs),
	F("memory", p_expect_memory, struct expect_cfg, mem),
	{ NULL },
};

static void p_expect(struct ctx *c, yaml_node_t *n, void *dst)
{
	if (want_mapping(c, n, "a mapping with stop, status, console, regs, memory"))
		parse_fields(c, n, expect_fields, dst);
}

/* ---- the top level ---- */

static void p_name(struct ctx *c, yaml_node_t *n, void *dst)
{
	p_string(c, n, dst);
}

static const struct field top_fields[] = {
	F("name", p_name, struct config, name),
	FR("memory", p_memory, struct config, regions),
	FR("cpu", p_cpu, struct config, mode),
	F("paging", p_paging, struct config, maps),
	FR("load", p_load, struct config, images),
	F("ports", p_ports, struct config, ports),
	F("mmio", p_mmio, struct config, mmio),
	F("limits", p_limits, struct config, timeout_ns),
	F("expect", p_expect, struct config, expect),
	{ NULL },
};

#include "override.h"

static bool read_file(struct config *cfg, const char *path)
{
	FILE *f = fopen(path, "rb");
	size_t cap = 4096, len = 0;

	if (!f) {
		diag_addf(&cfg->diag, "cannot open config: %s", strerror(errno));
		return false;
	}
	cfg->text = malloc(cap);
	for (;;) {
		if (!cfg->text)
			err(2, "malloc");
		len += fread(cfg->text + len, 1, cap - len - 1, f);
		if (len < cap - 1)
			break;
		cap *= 2;
		cfg->text = realloc(cfg->text, cap);
	}
	bool bad = ferror(f);
	fclose(f);
	if (bad) {
		diag_addf(&cfg->diag, "cannot read config: %s", strerror(errno));
		return false;
	}
	cfg->text[len] = '\0';
	cfg->diag.text = cfg->text;
	cfg->diag.text_len = len;
	return true;
}

static bool load_document(struct config *cfg, yaml_document_t *doc)
{
	yaml_parser_t parser;
	bool ok;

	if (!yaml_parser_initialize(&parser))
		errx(2, "yaml_parser_initialize: out of memory");
	yaml_parser_set_input_string(&parser, (unsigned char *)cfg->text,
				     cfg->diag.text_len);
	ok = yaml_parser_load(&parser, doc);
	if (!ok || parser.error != YAML_NO_ERROR) {
		struct pos p = { (unsigned)parser.problem_mark.line + 1,
				 (unsigned)parser.problem_mark.column + 1, 0 };
		if (parser.context)
			diag_add(&cfg->diag, p, "", "YAML syntax: %s (%s that "
				 "starts on line %zu)",
				 parser.problem ? parser.problem : "error",
				 parser.context, parser.context_mark.line + 1);
		else
			diag_add(&cfg->diag, p, "", "YAML syntax: %s",
				 parser.problem ? parser.problem : "error");
		if (ok)
			yaml_document_delete(doc);
		ok = false;
	}
	yaml_parser_delete(&parser);
	return ok;
}

static char *default_name(const char *path)
{
	const char *base = strrchr(path, '/');
	char *name = strdup(base ? base + 1 : path);

	if (!name)
		err(2, "strdup");
	char *dot = strrchr(name, '.');
	if (dot && (strcmp(dot, ".yaml") == 0 || strcmp(dot, ".yml") == 0))
		*dot = '\0';
	return name;
}

struct config *cfg_load(const char *path, char *const *overrides,
			size_t noverrides)
{
	struct config *cfg = calloc(1, sizeof *cfg);
	yaml_document_t doc;

	if (!cfg)
		err(2, "calloc");
	cfg->file = strdup(path);
	cfg->diag.file = cfg->file;
	cfg->diag.overrides = overrides;
	cfg->timeout_ns = DEFAULT_TIMEOUT_NS;
	if (!read_file(cfg, path) || !load_document(cfg, &doc)) {
		cfg->name = default_name(path);
		return cfg;
	}

	struct ctx c = { .doc = &doc, .cfg = cfg, .diag = &cfg->diag,
			 .dir = path_dirname(path) };
	for (size_t i = 0; i < noverrides; i++)
		override_apply(&doc, &cfg->diag, (unsigned)i, overrides[i]);

	yaml_node_t *root = yaml_document_get_root_node(&doc);
	if (!root)
		diag_add(&cfg->diag, (struct pos){ 1, 1, 0 }, "",
			 "the config is empty: wanted at least memory, cpu and load");
	else if (root->type != YAML_MAPPING_NODE)
		wanted(&c, root, "a mapping of keys such as memory, cpu, load");
	else
		parse_fields(&c, root, top_fields, cfg);
	if (!cfg->name)
		cfg->name = default_name(path);
	free(c.dir);
	yaml_document_delete(&doc);
	return cfg;
}

void cfg_free(struct config *cfg)
{
	if (!cfg)
		return;
	for (size_t i = 0; i < cfg->nimages; i++) {
		free(cfg->images[i].path);
		free(cfg->images[i].given);
	}
	for (size_t i = 0; i < cfg->expect.nmem; i++)
		free(cfg->expect.mem[i].bytes);
	if (cfg->expect.console == CONSOLE_REGEX)
		regfree(&cfg->expect.console_re);
	free(cfg->expect.console_text);
	free(cfg->expect.mem);
	free(cfg->expect.regs);
	free(cfg->images);
	free(cfg->ports);
	free(cfg->mmio);
	free(cfg->maps);
	free(cfg->regs);
	free(cfg->regions);
	free(cfg->name);
	diag_free(&cfg->diag);
	free(cfg->text);
	free(cfg->file);
	free(cfg);
}
