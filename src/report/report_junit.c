/*
 * --junit FILE: JUnit XML, as Jenkins, GitLab and GitHub's test reporters
 * read it. One <testsuite> per call, one <testcase> per config: time,
 * <failure> (an expectation failed), <error> (invalid, or the guest or
 * the VM failed), <skipped>, and the guest's console in <system-out>.
 * Each outcome writes its test case to (o->junit), which a suite keeps in
 * the configs' order; the document, whose <testsuite> carries the
 * counts, is written when the call finishes.
 */
#include "kvmrun-config.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "headline.h"
#include "report.h"
#include "subtests.h"
#include "utf8.h"

/* (len) bytes of (s) as XML character data (or an attribute's value):
 * markup characters escaped; bytes XML 1.0 cannot hold (control bytes,
 * broken UTF-8, U+FFFE and U+FFFF) shown as \xNN. */
static void xml_text(FILE *f, const char *s, size_t len)
{
	const unsigned char *p = (const unsigned char *)s;

	for (size_t i = 0; i < len;) {
		size_t n = utf8_text_len(p + i, len - i);
		unsigned char c = p[i];
		if (n > 1) {
			fwrite(p + i, 1, n, f);
			i += n;
			continue;
		}
		if (c == '&')
			fputs("&amp;", f);
		else if (c == '<')
			fputs("&lt;", f);
		else if (c == '>')
			fputs("&gt;", f);
		else if (c == '"')
			fputs("&quot;", f);
		else if ((c < 0x20 && c != '\n' && c != '\t') || c >= 0x7f)
			fprintf(f, "\\x%02x", c);
		else
			fputc(c, f);
		i++;
	}
}

static void xml_str(FILE *f, const char *s)
{
	xml_text(f, s, strlen(s));
}

/* The failed expectations, one "what: expected X, got Y" a line. */
static void failed_expectations(FILE *f, const struct verdicts *v)
{
	for (size_t i = 0; i < v->n; i++) {
		if (v->v[i].ok || v->v[i].unchecked)
			continue;
		xml_str(f, v->v[i].what);
		fputs(": expected ", f);
		xml_str(f, v->v[i].expected);
		fputs(", got ", f);
		xml_str(f, v->v[i].actual);
		fputc('\n', f);
	}
}

static void problems(FILE *f, const struct diag *d)
{
	char line[DIAG_LINE_MAX];

	for (size_t i = 0; d && i < d->count && i < 100; i++) {
		xml_str(f, diag_format(d, &d->msgs[i], line, sizeof line));
		fputc('\n', f);
	}
}

/* The results the guest reported, a test case each, in a class named
 * after the config. */
static void subtest_cases(FILE *f, const struct config *cfg,
			  const struct verdicts *v)
{
	static const char *const element[SUB_NRESULTS] = {
		[SUB_FAIL] = "failure", [SUB_SKIP] = "skipped",
	};

	for (size_t i = 0; v && v->sub.read && i < v->sub.n; i++) {
		const struct subtest *t = &v->sub.t[i];
		fputs("    <testcase classname=\"", f);
		xml_str(f, cfg->name);
		fputs("\" name=\"", f);
		xml_str(f, t->name);
		fputs("\" file=\"", f);
		xml_str(f, cfg->file);
		fputs("\" time=\"0\">", f);
		const char *kind = element[t->result];
		if (kind) {
			fprintf(f, "<%s message=\"", kind);
			xml_str(f, t->note[0] ? t->note
				: t->result == SUB_FAIL ? "FAIL" : "SKIP");
			fprintf(f, "\">console line %u</%s>", t->line, kind);
		}
		fputs("</testcase>\n", f);
	}
}

static void junit_outcome(struct report_opts *o, const struct outcome *out)
{
	static const char *const element[RANK_COUNT] = {
		[RANK_FAIL] = "failure", [RANK_INVALID] = "error",
		[RANK_ERROR] = "error", [RANK_SKIP] = "skipped",
	};
	FILE *f = o->junit;
	const char *kind = element[status_rank(out->status)];
	char buf[HEADLINE_MAX];

	fputs("    <testcase classname=\"kvmrun\" name=\"", f);
	xml_str(f, out->cfg->name);
	fputs("\" file=\"", f);
	xml_str(f, out->cfg->file);
	fprintf(f, "\" time=\"%.6f\">\n",
		out->res ? (double)out->res->ns / 1e9 : 0.0);
	if (kind) {
		fprintf(f, "      <%s message=\"", kind);
		/* The headline first in the text too: reporters that show
		 * only one of the two show the cause. */
		xml_str(f, report_headline(out, buf, sizeof buf));
		fputs("\">", f);
		if (out->plan || out->why) { /* else its problems follow */
			xml_str(f, buf);
			fputc('\n', f);
		}
		if (out->v)
			failed_expectations(f, out->v);
		problems(f, &out->cfg->diag);
		problems(f, out->plan_diag);
		fprintf(f, "</%s>\n", kind);
	}
	if (out->res && out->res->console_len) {
		fputs("      <system-out>", f);
		xml_text(f, out->res->console, out->res->console_len);
		fputs("</system-out>\n", f);
	}
	fputs("    </testcase>\n", f);
	subtest_cases(f, out->cfg, out->v);
	fflush(f);
}

static struct timespec started;

static void junit_start(const struct report_opts *o)
{
	(void)o;
	clock_gettime(CLOCK_MONOTONIC, &started);
}

/* The elements of kind (tags) in the test cases written to (f): the
 * guest's text in them is escaped, so every '<' there is markup. */
static void count_elements(FILE *f, size_t n[4])
{
	static const char *const tags[4] = { "<testcase ", "<failure ",
					     "<error ", "<skipped " };
	char *line = NULL;
	size_t cap = 0;

	rewind(f);
	while (getline(&line, &cap, f) > 0)
		for (int k = 0; k < 4; k++)
			for (const char *p = line; (p = strstr(p, tags[k])); p++)
				n[k]++;
	free(line);
}

static void junit_finish(const struct report_opts *o,
			 const size_t counts[RANK_COUNT])
{
	struct timespec now;
	FILE *f = o->junit_file;
	size_t n[4] = { 0 }; /* test cases, failures, errors, skips */
	char buf[8192];
	size_t len;

	(void)counts; /* the guest's own results add test cases */
	clock_gettime(CLOCK_MONOTONIC, &now);
	count_elements(o->junit, n);
	fputs("<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<testsuites>\n", f);
	/* Shards of one suite keep apart where reporters merge them. */
	fprintf(f, "  <testsuite name=\"%s\" tests=\"%zu\" failures=\"%zu\" "
		"errors=\"%zu\" skipped=\"%zu\" time=\"%.6f\">\n",
		o->junit_name[0] ? o->junit_name : "kvmrun", n[0], n[1],
		n[2], n[3], (double)(now.tv_sec - started.tv_sec) +
			(double)(now.tv_nsec - started.tv_nsec) / 1e9);
	rewind(o->junit);
	while ((len = fread(buf, 1, sizeof buf, o->junit)) > 0)
		fwrite(buf, 1, len, f);
	fputs("  </testsuite>\n</testsuites>\n", f);
}

static bool junit_wanted(const struct report_opts *o)
{
	return o->junit != NULL;
}

const struct sink junit_sink = {
	.wanted = junit_wanted, .start = junit_start,
	.outcome = junit_outcome, .finish = junit_finish,
};
