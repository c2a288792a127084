/*
 * TAP version 13 on stdout. One config: a test point per expectation,
 * with YAML diagnostics on failure. Several: a test point per config.
 */
#include "kvmrun-config.h"

#include <stdio.h>
#include <string.h>

#include "headline.h"
#include "report.h"
#include "subtests.h"
#include "utf8.h"
#include "x86.h"

/* (s) as a double-quoted YAML string: what YAML cannot hold (control
 * bytes, broken UTF-8, U+FFFE, U+FFFF) as \xNN, byte by byte. In a list
 * (item), every space after a colon is \x20: prove's YAMLish reads an
 * item whose first word ends in a colon, - "file.yaml:4:1: key: ...",
 * as a mapping, and fails ("does not support multi-line quoted
 * scalars"); with each such space escaped, the first word runs to a
 * space that no colon precedes. */
static void yaml_string(const char *s, bool item)
{
	const unsigned char *p = (const unsigned char *)s;
	size_t len = strlen(s);
	putchar('"');
	for (size_t i = 0; i < len;) {
		unsigned char c = p[i];
		size_t n = utf8_text_len(p + i, len - i);
		if (n > 1)
			fwrite(p + i, 1, n, stdout);
		else if (c == '"' || c == '\\')
			printf("\\%c", c);
		else if (c == '\n')
			fputs("\\n", stdout);
		else if (c < 0x20 || c >= 0x7f ||
			 (item && c == ' ' && i && p[i - 1] == ':'))
			printf("\\x%02x", c);
		else
			putchar(c);
		i += n > 1 ? n : 1;
	}
	putchar('"');
}

static void yaml_field(const char *key, const char *value)
{
	printf("  %s: ", key);
	yaml_string(value, false);
	putchar('\n');
}

/* The exception the diagnostic IDT caught, as a YAML field. */
static void exception_yaml(const struct result *res)
{
	const struct exception_rec *e = &res->exception;
	char name[64], line[160];

	if (!e->caught || !e->frame_read)
		return;
	snprintf(line, sizeof line, "%s at rip 0x%llx",
		 x86_exception_str(e->vector, name, sizeof name),
		 (unsigned long long)e->rip);
	yaml_field("exception", line);
}

/* The YAML block of a failed expectation. */
static void verdict_yaml(const struct outcome *out, const struct verdict *e)
{
	char at[300];

	char head[HEADLINE_MAX];

	puts("  ---");
	if (strcmp(e->what, "stop") == 0)
		yaml_field("message", report_headline(out, head, sizeof head));
	yaml_field("expected", e->expected);
	yaml_field("actual", e->actual);
	if (e->pos.line) {
		snprintf(at, sizeof at, "%s:%u", out->cfg->file, e->pos.line);
		yaml_field("at", at);
	}
	if (strcmp(e->what, "stop") == 0 && out->res->detail[0])
		yaml_field("detail", out->res->detail);
	if (strcmp(e->what, "stop") == 0 && out->res->have_regs) {
		snprintf(at, sizeof at, "0x%llx",
			 (unsigned long long)out->res->regs.rip);
		yaml_field("rip", at);
		exception_yaml(out->res);
	}
	puts("  ...");
}

/* The problems of (d), as items of a YAML list. */
static void problem_items(const struct diag *d)
{
	char line[DIAG_LINE_MAX];

	for (size_t i = 0; d && i < d->count && i < 100; i++) {
		fputs("    - ", stdout);
		yaml_string(diag_format(d, &d->msgs[i], line, sizeof line), true);
		putchar('\n');
	}
}

/* Why a config did not run: its problems, or the VM's. */
static void problems_yaml(const struct outcome *out)
{
	char line[HEADLINE_MAX];

	puts("  ---");
	yaml_field("message", report_headline(out, line, sizeof line));
	if (out->cfg->diag.count || (out->plan_diag && out->plan_diag->count))
		puts("  problems:");
	problem_items(&out->cfg->diag);
	problem_items(out->plan_diag);
	puts("  ...");
}

/* Text on a TAP line: control bytes as \xNN, so that it stays one
 * line; in a description (desc) also '#' escaped, so that no directive
 * is read into it. */
static void tap_text(const char *s, bool desc)
{
	for (; *s; s++) {
		unsigned char c = (unsigned char)*s;
		if (c < 0x20 || c == 0x7f) {
			printf("\\x%02x", c);
			continue;
		}
		if (desc && (c == '#' || c == '\\'))
			putchar('\\');
		putchar(c);
	}
}

static void description(const char *s)
{
	tap_text(s, true);
}

/* The results the guest reported, as a subtest: indented test points
 * before the point that covers them. */
static void subtests_block(const char *name, const struct verdicts *v)
{
	const struct subtests *s = v ? &v->sub : NULL;

	if (!s || !s->read)
		return;
	printf("    # Subtest: ");
	description(name);
	putchar('\n');
	for (size_t i = 0; i < s->n; i++) {
		const struct subtest *t = &s->t[i];
		/* An expected failure is TAP's failing to-do point. */
		bool failed = t->result == SUB_FAIL || t->result == SUB_XFAIL;
		printf("    %s %zu - ", failed ? "not ok" : "ok", i + 1);
		description(t->name);
		if (t->result == SUB_SKIP || t->result == SUB_XFAIL) {
			printf(" # %s%s", t->result == SUB_SKIP ? "SKIP" : "TODO",
			       t->note[0] ? " " : "");
			tap_text(t->note, false);
		}
		putchar('\n');
	}
	printf("    1..%zu\n", s->n);
}

static void tap_start(const struct report_opts *o)
{
	puts("TAP version 13");
	if (o->suite)
		printf("1..%zu\n", o->count);
}

/* One config, one test point. */
static void config_point(const struct report_opts *o, const struct outcome *out)
{
	const char *name = out->cfg->name;

	if (out->status == EXIT_SKIP) {
		printf("ok %zu - ", o->index);
		description(name);
		fputs(" # SKIP ", stdout);
		tap_text(out->why ? out->why : "", false);
		putchar('\n');
		return;
	}
	subtests_block(name, out->v);
	printf("%s %zu - ", out->status == EXIT_PASS ? "ok" : "not ok",
	       o->index);
	description(name);
	putchar('\n');
	if (out->status == EXIT_PASS)
		return;
	if (!out->v) {
		problems_yaml(out);
		return;
	}
	char head[HEADLINE_MAX];
	puts("  ---");
	yaml_field("message", report_headline(out, head, sizeof head));
	if (out->res)
		exception_yaml(out->res);
	puts("  failures:");
	for (size_t i = 0; i < out->v->n; i++) {
		const struct verdict *e = &out->v->v[i];
		char line[512];
		if (e->ok || e->unchecked)
			continue;
		snprintf(line, sizeof line, "%s: expected %s, got %s", e->what,
			 e->expected, e->actual);
		fputs("    - ", stdout);
		yaml_string(line, true);
		putchar('\n');
	}
	puts("  ...");
}

/* One config alone: a test point per expectation. */
static void expectation_points(const struct outcome *out)
{
	if (out->status == EXIT_SKIP) {
		fputs("1..0 # SKIP ", stdout);
		tap_text(out->why ? out->why : "", false);
		putchar('\n');
		return;
	}
	if (!out->v) {
		printf("%s 1 - ", out->status == EXIT_PASS ? "ok" : "not ok");
		description(out->cfg->name);
		printf(": %s\n", out->why ? "the VM could not be made"
			: out->plan ? "config is valid" : "config is invalid");
		if (out->status != EXIT_PASS)
			problems_yaml(out);
		puts("1..1");
		return;
	}
	for (size_t i = 0; i < out->v->n; i++) {
		const struct verdict *e = &out->v->v[i];
		if (strcmp(e->what, "subtests") == 0)
			subtests_block(e->what, out->v);
		if (e->unchecked) {
			printf("ok %zu - ", i + 1);
			description(e->what);
			puts(" # SKIP not checked: the guest did not stop as "
			     "expected");
			continue;
		}
		printf("%s %zu - ", e->ok ? "ok" : "not ok", i + 1);
		description(e->what);
		putchar('\n');
		if (!e->ok)
			verdict_yaml(out, e);
	}
	printf("1..%zu\n", out->v->n);
}

static void tap_outcome(struct report_opts *o, const struct outcome *out)
{
	if (o->suite)
		config_point(o, out);
	else
		expectation_points(out);
	fflush(stdout);
}

static bool tap_wanted(const struct report_opts *o)
{
	return o->tap;
}

const struct sink tap_sink = {
	.wanted = tap_wanted, .start = tap_start, .outcome = tap_outcome,
};
