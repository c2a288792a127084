/* The YAML tree: shapes, positions, styles, anchors and aliases, and the
 * problems a text can have. */
#include "kvmrun-config.h"

#include "ydoc.h"
#include "unit.h"

/* Load (text) into (doc); the problems go to (d), emptied first. */
static bool load(struct ydoc *doc, struct diag *d, const char *text)
{
	diag_free(d);
	*d = (struct diag){ 0 };
	return ydoc_load(doc, text, strlen(text), d);
}

static bool is_scalar(const struct ynode *n, const char *text)
{
	return n->type == YNODE_SCALAR && n->len == strlen(text) &&
	       strcmp(n->text, text) == 0;
}

/* The one problem in (d) is at (line):(col) and has (text) in it. */
static bool problem(const struct diag *d, unsigned line, unsigned col,
		    const char *text)
{
	if (d->count != 1) {
		fprintf(stderr, "  %zu problems, wanted one\n", d->count);
		return false;
	}
	const struct diag_msg *m = &d->msgs[0];
	if (m->pos.line == line && m->pos.col == col && strstr(m->text, text))
		return true;
	fprintf(stderr, "  have %u:%u: %s\n  wanted %u:%u: %s\n", m->pos.line,
		m->pos.col, m->text, line, col, text);
	return false;
}

static void shapes(void)
{
	struct ydoc doc;
	struct diag d = { 0 };

	CHECK(load(&doc, &d, "a: 1\nlist:\n  - x\n  - { k: 'v', n: }\n  - []\n"
		   "text: \"tab\\there\\0nul\"\n"));
	struct ynode *root = doc.root;
	CHECK(root->type == YNODE_MAP && root->len == 3);
	CHECK(root->line == 1 && root->col == 1);
	CHECK(is_scalar(root->pairs[0].key, "a") && is_scalar(root->pairs[0].value, "1"));
	CHECK(root->pairs[0].value->plain);

	struct ynode *list = root->pairs[1].value;
	CHECK(list->type == YNODE_LIST && list->len == 3);
	CHECK(list->line == 3 && list->col == 3);
	CHECK(is_scalar(list->items[0], "x"));
	struct ynode *flow = list->items[1];
	CHECK(flow->type == YNODE_MAP && flow->len == 2);
	CHECK(flow->line == 4 && flow->col == 5);
	CHECK(is_scalar(flow->pairs[0].value, "v") && !flow->pairs[0].value->plain);
	CHECK(flow->pairs[0].value->line == 4 && flow->pairs[0].value->col == 10);
	/* a key without a value has an empty plain scalar, which reads as null */
	CHECK(is_scalar(flow->pairs[1].value, "") && flow->pairs[1].value->plain);
	CHECK(list->items[2]->type == YNODE_LIST && list->items[2]->len == 0);

	/* a scalar may hold a NUL: its length says where it ends */
	struct ynode *text = root->pairs[2].value;
	CHECK(text->len == 12 && memcmp(text->text, "tab\there\0nul", 13) == 0);
	ydoc_free(&doc);

	CHECK(load(&doc, &d, "# only a comment\n") && !doc.root);
	ydoc_free(&doc);
	CHECK(load(&doc, &d, "") && !doc.root);
	ydoc_free(&doc);
	diag_free(&d);
}

static void aliases(void)
{
	struct ydoc doc;
	struct diag d = { 0 };

	CHECK(load(&doc, &d, "base: &b { size: 2M }\ncopy: *b\n"));
	struct ynode *root = doc.root;
	/* an alias is a node of its own, where the alias stands, that
	 * shares the anchored node's children */
	CHECK(root->pairs[1].value != root->pairs[0].value);
	CHECK(root->pairs[1].value->line == 2 && root->pairs[1].value->col == 7);
	CHECK(root->pairs[1].value->pairs == root->pairs[0].value->pairs);
	ydoc_free(&doc);
	/* a list cannot hold itself */
	CHECK(!load(&doc, &d, "list: &l [1, *l]\n"));
	CHECK(problem(&d, 1, 14, "alias *l stands inside the list it names"));

	CHECK(!load(&doc, &d, "a: *nowhere\n"));
	CHECK(problem(&d, 1, 4, "alias *nowhere names no anchor"));
	CHECK(!doc.root && !doc.chunks);
	CHECK(!load(&doc, &d, "a: *b\nb: &b 1\n"));
	CHECK(problem(&d, 1, 4, "alias *b names no anchor"));
	CHECK(!load(&doc, &d, "a: &x 1\nb:\n  c: &x [2]\n"));
	CHECK(problem(&d, 3, 6, "anchor &x is given twice (first on line 1)"));

	/* many anchors: each alias finds its own */
	char text[64 * 1024];
	size_t len = 0;
	for (int i = 0; i < 2000; i++)
		len += (size_t)snprintf(text + len, sizeof text - len,
					"k%d: &a%d %d\n", i, i, i);
	len += (size_t)snprintf(text + len, sizeof text - len,
				"last: [*a0, *a999, *a1999]\n");
	CHECK(len < sizeof text - 1);
	CHECK(load(&doc, &d, text));
	struct ynode *last = doc.root->pairs[2000].value;
	CHECK(last->len == 3 && is_scalar(last->items[0], "0") &&
	      is_scalar(last->items[1], "999") &&
	      is_scalar(last->items[2], "1999"));
	CHECK(last->items[1]->text == doc.root->pairs[999].value->text);
	ydoc_free(&doc);
	diag_free(&d);
}

static void problems(void)
{
	struct ydoc doc;
	struct diag d = { 0 };

	CHECK(!load(&doc, &d, "a: 1\n---\nb: 2\n"));
	CHECK(problem(&d, 2, 1, "wanted one document, found a second one"));
	CHECK(!load(&doc, &d, "a: {b: 1\nc: 2\n"));
	CHECK(problem(&d, 2, 2, "YAML syntax: did not find expected ',' or '}'"));
	CHECK(!load(&doc, &d, "a:\n\t- 1\n"));
	CHECK(problem(&d, 2, 1, "YAML syntax: found character that cannot start"));
	/* a document start and end marker alone are one document */
	CHECK(load(&doc, &d, "---\na: 1\n...\n"));
	CHECK(doc.root && doc.root->len == 1);
	ydoc_free(&doc);
	diag_free(&d);
}

static void building(void)
{
	struct ydoc doc = { 0 };
	struct pos arg = { 0, 0, 3 }, at = { 7, 2, 0 };

	struct ynode *map = ydoc_map(&doc, arg);
	CHECK(map->type == YNODE_MAP && map->len == 0);
	struct pos p = ynode_pos(map);
	CHECK(p.line == 0 && p.arg == 3);
	for (int i = 0; i < 100; i++) {
		char key[16];
		snprintf(key, sizeof key, "k%d", i);
		ydoc_append_pair(&doc, map, ydoc_scalar(&doc, at, key),
				 ydoc_scalar(&doc, arg, ""));
	}
	CHECK(map->len == 100 && is_scalar(map->pairs[42].key, "k42"));
	CHECK(map->pairs[42].key->plain && map->pairs[99].value->len == 0);
	p = ynode_pos(map->pairs[0].key);
	CHECK(p.line == 7 && p.col == 2 && p.arg == 0);

	/* a text longer than a block gets a block of its own */
	size_t big = 200 * 1024;
	char *text = malloc(big + 1);
	CHECK(text != NULL);
	memset(text, 'x', big);
	text[big] = '\0';
	struct ynode *n = ydoc_scalar(&doc, at, text);
	CHECK(n->len == big && n->text[big - 1] == 'x' && n->text[big] == '\0');
	free(text);
	ydoc_free(&doc);
	CHECK(!doc.chunks && !doc.root);
}

int main(void)
{
	shapes();
	aliases();
	problems();
	building();
	UNIT_DONE();
}
