/* Expectations: what the config says a run must leave behind. */
#include "kvmrun-config.h"

#include "check.h"

#include <err.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "escape.h"
#include "status.h"
#include "subtests.h"
#include "x86.h"

static struct verdict *add(struct verdicts *out, struct pos pos, bool ok,
			   const char *what)
{
	struct verdict *v;

	out->v = realloc(out->v, (out->n + 1) * sizeof *out->v);
	if (!out->v)
		err(EXIT_USAGE, "realloc");
	v = &out->v[out->n++];
	memset(v, 0, sizeof *v);
	snprintf(v->what, sizeof v->what, "%s", what);
	v->ok = ok;
	v->pos = pos;
	out->failed += !ok;
	return v;
}

static void set(char *dst, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));

static void set(char *dst, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(dst, sizeof((struct verdict *)0)->expected, fmt, ap);
	va_end(ap);
}

static const enum stop_kind stop_kinds[] = {
	[STOPPED_HLT] = STOP_HLT,
	[STOPPED_EXIT] = STOP_EXIT,
	[STOPPED_SHUTDOWN] = STOP_SHUTDOWN,
	[STOPPED_POWEROFF] = STOP_POWEROFF,
};

/* stop: { exception: NAME }: the shutdown must come from that exception,
 * as the diagnostic IDT caught it. */
static void check_exception(int want, const struct result *res,
			    struct verdict *v, struct verdicts *out)
{
	const struct exception_rec *e = &res->exception;
	char name[64];

	x86_exception_str((unsigned)want, name, sizeof name);
	set(v->expected, "shutdown on %s", name);
	out->stop_ok = out->stop_ok && e->caught && e->frame_read &&
		       e->vector == (unsigned)want;
	out->failed += v->ok && !out->stop_ok;
	v->ok = out->stop_ok;
	if (e->caught && e->frame_read) {
		x86_exception_str(e->vector, name, sizeof name);
		set(v->actual, "shutdown on %s", name);
	} else if (res->stop == STOPPED_SHUTDOWN) {
		set(v->actual, "shutdown, with no exception caught by the "
		    "diagnostic IDT");
	}
}

static void check_stop(const struct expect_cfg *e, const struct result *res,
		       struct verdicts *out)
{
	unsigned allowed = e->stops ? e->stops
					     : 1U << STOP_HLT | 1U << STOP_EXIT;
	bool known = res->stop <= STOPPED_POWEROFF;

	out->stop_ok = known && (allowed & (1U << stop_kinds[res->stop]));
	struct verdict *v = add(out, e->stop_pos, out->stop_ok, "stop");
	size_t n = 0;
	for (int k = 0; k < STOP_NKINDS; k++)
		if (allowed & (1U << k))
			n += (size_t)snprintf(v->expected + n, sizeof v->expected - n,
					      "%s%s", n ? " or " : "", stop_names[k]);
	set(v->actual, "%s", result_stop_name(res->stop));
	if (e->exception >= 0)
		check_exception(e->exception, res, v, out);
}

static void check_status(const struct expect_cfg *e, const struct result *res,
			 struct verdicts *out)
{
	if (!e->has_status && !res->has_status)
		return;
	uint64_t want = e->has_status ? e->status : 0;
	bool ok = res->has_status && res->status == want;
	struct verdict *v = add(out, e->status_pos, ok, "status");
	set(v->expected, "%llu", (unsigned long long)want);
	if (res->has_status)
		set(v->actual, "%llu", (unsigned long long)res->status);
	else
		set(v->actual, "no status (no exit handler was written)");
}

static bool console_matches(const struct expect_cfg *e, const struct result *res)
{
	const char *out = res->console ? res->console : "";

	switch (e->console) {
	case CONSOLE_EXACT:
		return res->console_len == e->console_len &&
		       memcmp(out, e->console_text, e->console_len) == 0;
	case CONSOLE_CONTAINS:
		return memmem(out, res->console_len, e->console_text,
			      e->console_len) != NULL;
	case CONSOLE_REGEX: {
		/* The whole capture, NULs included: as a C string a guest's
		 * "PASS\n\0FAIL\n" would match ^PASS\n$. */
		regmatch_t all = { .rm_so = 0,
				   .rm_eo = (regoff_t)res->console_len };
		return regexec(&e->console_re, out, 1, &all, REG_STARTEND) == 0;
	}
	case CONSOLE_ANY:
		break;
	}
	return true;
}

/* Line (l) of (text, len) that holds offset (at), from its start to its
 * newline, as "line L, column C: \"...\"" (or what is there at the end). */
static void console_line(char *dst, const char *text, size_t len, size_t at,
			 const char *ended)
{
	size_t start = at, end = at, line = 1;
	char shown[120];

	for (size_t i = 0; i < at; i++)
		line += text[i] == '\n';
	while (start > 0 && text[start - 1] != '\n')
		start--;
	while (end < len && text[end++] != '\n')
		;
	if (at >= len)
		set(dst, "%s at line %zu, column %zu", ended, line, at - start + 1);
	else
		set(dst, "line %zu, column %zu: \"%s\"", line, at - start + 1,
		    escape_bytes(shown, sizeof shown, text + start, end - start));
}

/* An exact console that does not match: short texts whole, longer ones
 * as the first line that differs, from both sides, with its column. */
static void console_diff(const struct expect_cfg *e, const char *got,
			 size_t len, struct verdict *v)
{
	size_t at = 0, lines = 0;
	char text[160];

	while (at < len && at < e->console_len && got[at] == e->console_text[at])
		lines += got[at++] == '\n';
	if (!lines && len <= 60 && e->console_len <= 60) {
		set(v->expected, "\"%s\"", escape_bytes(text, sizeof text,
			e->console_text, e->console_len));
		set(v->actual, "\"%s\" (differs at column %zu)",
		    escape_bytes(text, sizeof text, got, len), at + 1);
		return;
	}
	console_line(v->expected, e->console_text, e->console_len, at, "the end");
	console_line(v->actual, got, len, at, "the output ends");
}

static void check_console(const struct expect_cfg *e, const struct result *res,
			  struct verdicts *out)
{
	static const char *const how[] = { "", "", "containing ", "matching /" };
	const char *got = res->console ? res->console : "";
	char text[160];

	if (e->console == CONSOLE_ANY)
		return;
	struct verdict *v = add(out, e->console_pos, console_matches(e, res),
				"console");
	if (!v->ok && e->console == CONSOLE_EXACT)
		console_diff(e, got, res->console_len, v);
	else {
		set(v->expected, "%s\"%s\"%s", how[e->console],
		    escape_bytes(text, sizeof text, e->console_text, e->console_len),
		    e->console == CONSOLE_REGEX ? "/" : "");
		set(v->actual, "\"%s\"", escape_bytes(text, sizeof text, got,
							res->console_len));
	}
	if (res->console_truncated)
		snprintf(v->actual + strlen(v->actual),
			 sizeof v->actual - strlen(v->actual),
			 " (truncated capture)");
}

static void check_regs(const struct expect_cfg *e, const struct result *res,
		       struct verdicts *out)
{
	for (size_t i = 0; i < e->nregs; i++) {
		const struct reg_value *rv = &e->regs[i];
		uint64_t mask = rv->reg->width == 8 ? ~0ULL
					: (1ULL << (8 * rv->reg->width)) - 1;
		uint64_t got = cpu_reg_get(&res->regs, rv->reg->reg) & mask;
		char what[48];
		snprintf(what, sizeof what, "regs.%s", rv->reg->name);
		struct verdict *v = add(out, rv->pos,
					res->have_regs && got == rv->value, what);
		set(v->expected, "0x%llx (%llu)", (unsigned long long)rv->value,
		    (unsigned long long)rv->value);
		if (res->have_regs)
			set(v->actual, "0x%llx (%llu)", (unsigned long long)got,
			    (unsigned long long)got);
		else
			set(v->actual, "registers could not be read");
	}
}

/* The bytes the run collected for expect.memory (i): NULL when they
 * were not all RAM. A { symbol: NAME } is where the plan found it, as
 * many bytes as it said (*at, *len). */
static const uint8_t *collected(const struct result *res, size_t i,
				const struct mem_expect *m, uint64_t *at,
				size_t *len)
{
	const struct mem_bytes *b = i < res->nmemory ? &res->memory[i] : NULL;

	if (m->symbol && b) {
		*at = b->gpa;
		*len = b->len;
	}
	return b && b->gpa == *at && b->len == *len ? b->bytes : NULL;
}

static void check_memory(const struct expect_cfg *e, const struct result *res,
			 struct verdicts *out)
{
	for (size_t i = 0; i < e->nmem; i++) {
		const struct mem_expect *m = &e->mem[i];
		uint64_t at = m->at;
		size_t len = m->width ? m->width : m->len;
		const uint8_t *p = collected(res, i, m, &at, &len);
		/* value: as wide as the symbol (1, 2, 4 or 8, the plan said) */
		bool number = m->width || !m->bytes;
		size_t width = m->width ? m->width : len;
		char what[80], text[160];
		bool ok;
		if (m->symbol)
			snprintf(what, sizeof what, "memory %.60s", m->symbol);
		else
			snprintf(what, sizeof what, "memory 0x%llx",
				 (unsigned long long)m->at);
		if (number) {
			uint64_t got = 0;
			if (p && width <= sizeof got)
				memcpy(&got, p, width);
			ok = p && got == m->value;
			struct verdict *v = add(out, m->pos, ok, what);
			set(v->expected, "%s 0x%llx (%llu)", m->what,
			    (unsigned long long)m->value, (unsigned long long)m->value);
			set(v->actual, p ? "%s 0x%llx (%llu)" : "%s: not in RAM",
			    m->what, (unsigned long long)got, (unsigned long long)got);
			continue;
		}
		ok = p && memcmp(p, m->bytes, len) == 0;
		struct verdict *v = add(out, m->pos, ok, what);
		set(v->expected, "%s \"%s\"", m->what,
		    escape_bytes(text, sizeof text, (const char *)m->bytes, m->len));
		if (p)
			set(v->actual, "%s \"%s\"", m->what,
			    escape_bytes(text, sizeof text, (const char *)p, len));
		else
			set(v->actual, "[0x%llx, +%zu) is not in RAM",
			    (unsigned long long)at, len);
	}
}

/* expect.subtests: every result the guest reported passes (or is
 * skipped, or failed as it expected), and the report is whole. */
static void check_subtests(const struct expect_cfg *e, const struct result *res,
			   struct verdicts *out)
{
	const struct subtests *s = &out->sub;
	char counts[200], names[160];
	size_t n = 0;

	if (e->subtests == SUBTESTS_NONE)
		return;
	subtests_read(e->subtests, res->console, res->console_len,
		      res->console_truncated, &out->sub);
	bool ok = !s->count[SUB_FAIL] && !s->problem[0];
	struct verdict *v = add(out, e->subtests_pos, ok, "subtests");
	set(v->expected, "every %s result a pass or a skip",
	    subtest_formats[e->subtests]);
	subtests_counts_str(s, counts, sizeof counts);
	names[0] = '\0';
	for (size_t i = 0; i < s->n; i++) {
		if (s->t[i].result != SUB_FAIL || n >= sizeof names - 1)
			continue;
		n += (size_t)snprintf(names + n, sizeof names - n, "%s\"%s\"",
				      n ? ", " : "", s->t[i].name);
	}
	if (s->problem[0])
		set(v->actual, "%s; %s", counts, s->problem);
	else
		set(v->actual, "%s%s%s", counts, n ? ": " : "", names);
}

void check_run(const struct expect_cfg *e, const struct result *res,
	       struct verdicts *out)
{
	memset(out, 0, sizeof *out);
	check_stop(e, res, out);
	check_status(e, res, out);
	check_console(e, res, out);
	check_regs(e, res, out);
	check_memory(e, res, out);
	check_subtests(e, res, out);
	/* After a stop the config does not allow, the end state is not the
	 * one the expectations describe: they are not checked, and say so
	 * instead of adding failures that are only noise. */
	for (size_t i = 1; !out->stop_ok && i < out->n; i++)
		out->v[i].unchecked = true;
	out->skipped = out->stop_ok && e->has_skip_status &&
		       res->has_status && res->status == e->skip_status;
}

int check_exit_status(const struct verdicts *v)
{
	if (!v->stop_ok)
		return EXIT_GUEST;
	if (v->skipped)
		return EXIT_SKIP;
	return v->failed ? EXIT_EXPECT : EXIT_PASS;
}

void check_free(struct verdicts *v)
{
	free(v->v);
	subtests_free(&v->sub);
	memset(v, 0, sizeof *v);
}
