/*
 * --json: one JSON document per run, one per line (JSON Lines), built with
 * jansson. 64-bit values are hex strings, which JSON numbers cannot hold.
 */
#include "kvmrun-config.h"

#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "headline.h"
#include "hints.h"
#include "report.h"
#include "subtests.h"
#include "x86.h"
#include "utf8.h"

#define JSON_CONSOLE_CAP (64u << 10) /* console bytes put in the report */

static json_t *hex(uint64_t v)
{
	char buf[24];

	snprintf(buf, sizeof buf, "0x%llx", (unsigned long long)v);
	return json_string(buf);
}

/* (len) bytes as a JSON string: invalid UTF-8 becomes U+FFFD. */
static json_t *text(const char *data, size_t len)
{
	char *buf = malloc(3 * len + 1);
	size_t n = 0;

	if (!buf)
		return json_null();
	for (size_t i = 0; i < len;) {
		size_t k = utf8_len((const unsigned char *)data + i, len - i);
		if (k) {
			memcpy(buf + n, data + i, k);
			n += k;
			i += k;
		} else {
			memcpy(buf + n, "\xef\xbf\xbd", 3);
			n += 3;
			i++;
		}
	}
	json_t *s = json_stringn(buf, n);
	free(buf);
	return s ? s : json_null();
}

/* A C string of the guest's, the config's or the command line's. */
static json_t *str(const char *s)
{
	return text(s, strlen(s));
}

static json_t *bits(const struct bit_name *table, uint64_t value)
{
	json_t *a = json_array();

	for (unsigned bit = 0; bit < 64; bit++)
		if (value & (1ULL << bit)) {
			const char *name = x86_bit_name(table, bit);
			char other[8];
			snprintf(other, sizeof other, "bit%u", bit);
			json_array_append_new(a, json_string(name ? name : other));
		}
	return a;
}

static json_t *control(uint64_t value, const struct bit_name *table)
{
	return json_pack("{s:o, s:o}", "value", hex(value), "bits",
			 bits(table, value));
}

static json_t *segment(const struct kvm_segment *s)
{
	return json_pack("{s:i, s:o, s:o, s:i, s:i, s:b, s:b, s:b, s:b, s:b}",
			 "selector", s->selector, "base", hex(s->base), "limit",
			 hex(s->limit), "type", s->type, "dpl", s->dpl,
			 "present", s->present, "db", s->db, "l", s->l, "g", s->g,
			 "s", s->s);
}

static json_t *registers(const struct result *res)
{
	json_t *regs = json_object();

	for (int r = 0; r < GPR_COUNT; r++)
		json_object_set_new(regs, cpu_reg_name((enum reg)r),
				    hex(cpu_reg_get(&res->regs, (enum reg)r)));
	const struct kvm_sregs *s = &res->sregs;
	json_object_set_new(regs, "cr0", control(s->cr0, x86_cr0_bits));
	json_object_set_new(regs, "cr2", hex(s->cr2));
	json_object_set_new(regs, "cr3", hex(s->cr3));
	json_object_set_new(regs, "cr4", control(s->cr4, x86_cr4_bits));
	json_object_set_new(regs, "efer", control(s->efer, x86_efer_bits));
	json_object_set_new(regs, "cs", segment(&s->cs));
	json_object_set_new(regs, "ds", segment(&s->ds));
	json_object_set_new(regs, "ss", segment(&s->ss));
	return regs;
}

static json_t *exits(const struct result *res)
{
	json_t *by = json_object();

	for (unsigned r = 0; r < EXIT_REASONS; r++)
		if (res->by_reason[r])
			json_object_set_new(by, r == EXIT_REASONS - 1 ? "other"
						: result_exit_name(r),
					    json_integer((json_int_t)res->by_reason[r]));
	return json_pack("{s:I, s:o}", "total", (json_int_t)res->exits,
			 "by_reason", by);
}

static json_t *expectations(const struct outcome *out)
{
	json_t *a = json_array();

	for (size_t i = 0; i < out->v->n; i++) {
		const struct verdict *e = &out->v->v[i];
		json_t *o = json_pack("{s:o, s:o, s:o, s:b, s:b}", "what",
				      str(e->what), "expected", str(e->expected),
				      "actual", str(e->actual), "ok", e->ok,
				      "checked", !e->unchecked);
		if (e->pos.line)
			json_object_set_new(o, "line", json_integer(e->pos.line));
		json_array_append_new(a, o);
	}
	return a;
}

/* The problems of (d) appended to (a). */
static void add_problems(json_t *a, const struct diag *d)
{
	for (size_t i = 0; d && i < d->count; i++) {
		const struct diag_msg *m = &d->msgs[i];
		json_t *o = json_pack("{s:o, s:o}", "path", str(m->path),
				      "message", str(m->text));
		if (m->pos.line) {
			json_object_set_new(o, "line", json_integer(m->pos.line));
			json_object_set_new(o, "column", json_integer(m->pos.col));
		}
		if (m->pos.arg)
			json_object_set_new(o, "option", str(d->overrides[m->pos.arg - 1]));
		json_array_append_new(a, o);
	}
}

/* The version of the document's shape, kvmrun-report.schema.json's. */
#define JSON_SCHEMA_VERSION 1

static json_t *or_null(bool have, json_t *v)
{
	if (have)
		return v;
	json_decref(v);
	return json_null();
}

/* The exception the diagnostic IDT caught, or null. */
static json_t *exception_object(const struct exception_rec *e)
{
	const struct x86_exception *x = x86_exception(e->vector);
	char why[200];

	if (!e->caught || !e->frame_read)
		return json_null();
	return json_pack("{s:i, s:o, s:o, s:o, s:o, s:o, s:o, s:o, s:o, s:o, s:o}",
		"vector", (int)e->vector,
		"mnemonic", x ? json_string(x->mnemonic) : json_null(),
		"name", x ? json_string(x->what) : json_null(),
		"error_code", or_null(e->has_error_code, hex(e->error_code)),
		"error", e->has_error_code ? json_string(x86_error_code_str(
			e->vector, e->error_code, why, sizeof why)) : json_null(),
		"rip", hex(e->rip), "cs", hex(e->cs), "rflags", hex(e->rflags),
		"rsp", hex(e->rsp), "ss", hex(e->ss),
		"cr2", or_null(e->vector == 14, hex(e->cr2)));
}

/* Where RIP is in the guest's ELF: function and source line, or null. */
static json_t *place_object(const struct result *res)
{
	const struct code_place *pl = &res->diag.rip_place;

	if (!res->have_regs || (!pl->have_function && !pl->have_line))
		return json_null();
	return json_pack("{s:o, s:o, s:o, s:o}",
		"function", pl->have_function ? str(pl->function) : json_null(),
		"offset", pl->have_function ? json_integer((json_int_t)pl->offset) : json_null(),
		"file", pl->have_line ? str(pl->file) : json_null(),
		"line", pl->have_line ? json_integer(pl->line) : json_null());
}

/* The hints for a failed run's classic mistakes (hints.h). */
static json_t *hints_array(const struct plan *p, const struct result *res)
{
	char hints[HINTS_MAX][HINT_LEN];
	size_t n = p ? hints_for(p, res, hints) : 0;
	json_t *a = json_array();

	for (size_t i = 0; i < n; i++)
		json_array_append_new(a, str(hints[i]));
	return a;
}

/* How the guest stopped: every key, null where it does not apply. */
static json_t *stop_object(const struct plan *p, const struct result *res)
{
	const struct access *a = &res->access;
	bool unhandled = res->stop == STOPPED_UNHANDLED_IO ||
			 res->stop == STOPPED_UNHANDLED_MMIO;

	return json_pack("{s:o, s:o, s:o, s:s, s:o, s:o, s:o, s:o}",
		"hints", hints_array(p, res),
		"exception", exception_object(&res->exception),
		"rip_place", place_object(res),
		"reason", result_stop_token(res->stop),
		"detail", res->detail[0] ? str(res->detail) : json_null(),
		"vcpu", res->ncpus > 1 ? json_integer(res->cpu) : json_null(),
		"registers_reset", res->stop == STOPPED_SHUTDOWN
			? json_boolean(res->reset_at_shutdown) : json_null(),
		"access", or_null(unhandled, json_pack(
			"{s:s, s:s, s:o, s:i, s:i, s:o}",
			"direction", a->write ? "write" : "read",
			"space", a->mmio ? "memory" : "port",
			"address", hex(a->addr), "size", a->size,
			"count", a->count, "value", hex(a->value))));
}

static json_t *vcpus(const struct result *res)
{
	json_t *cpus = json_array();

	for (size_t i = 0; res && i < res->ncpus; i++)
		json_array_append_new(cpus, json_pack("{s:i, s:s}", "id", (int)i,
			"state", res->cpus[i].have_mp_state
			? result_mp_state_name(res->cpus[i].mp_state) : "unknown"));
	return cpus;
}

/* The results the guest reported (expect.subtests), or null when the
 * config asked for none or the guest did not run. */
static json_t *subtests_object(const struct verdicts *v)
{
	const struct subtests *s = v ? &v->sub : NULL;

	if (!s || !s->read)
		return json_null();
	json_t *tests = json_array();
	for (size_t i = 0; i < s->n; i++) {
		const struct subtest *t = &s->t[i];
		json_array_append_new(tests, json_pack("{s:o, s:s, s:o, s:i}",
			"name", str(t->name), "result", subtest_result_token(t->result),
			"note", t->note[0] ? str(t->note) : json_null(),
			"line", (int)t->line));
	}
	return json_pack("{s:o, s:I, s:I, s:I, s:I, s:o, s:o, s:b}",
		"tests", tests,
		"passed", (json_int_t)s->count[SUB_PASS],
		"failed", (json_int_t)s->count[SUB_FAIL],
		"skipped", (json_int_t)s->count[SUB_SKIP],
		"expected_failures", (json_int_t)s->count[SUB_XFAIL],
		"planned", s->planned >= 0 ? json_integer(s->planned) : json_null(),
		"problem", s->problem[0] ? str(s->problem) : json_null(),
		"complete", s->n == (size_t)(s->count[SUB_PASS] + s->count[SUB_FAIL] +
			s->count[SUB_SKIP] + s->count[SUB_XFAIL]));
}

/* What the run left, or nulls and empties when the guest did not run:
 * every document has every key. */
static void add_run(json_t *doc, const struct outcome *out)
{
	const struct result *res = out->res;
	size_t len = res ? res->console_len : 0;
	size_t shown = len < JSON_CONSOLE_CAP ? len : JSON_CONSOLE_CAP;

	json_object_set_new(doc, "stop", res ? stop_object(out->plan, res) : json_null());
	json_object_set_new(doc, "guest_status", res && res->has_status
			    ? json_integer((json_int_t)res->status) : json_null());
	json_object_set_new(doc, "duration_ns", res ? json_integer((json_int_t)
			    res->ns) : json_null());
	json_object_set_new(doc, "exits", res ? exits(res) : json_null());
	json_object_set_new(doc, "registers", res && res->have_regs
			    ? registers(res) : json_null());
	json_object_set_new(doc, "vcpus", vcpus(res));
	json_object_set_new(doc, "console", res ? text(res->console, shown)
					      : json_string(""));
	json_object_set_new(doc, "console_bytes", json_integer((json_int_t)len));
	json_object_set_new(doc, "console_truncated", json_boolean(
			    res && (shown < len || res->console_truncated)));
	json_object_set_new(doc, "expectations", out->v ? expectations(out)
							: json_array());
	json_object_set_new(doc, "subtests", subtests_object(out->v));
}

static void json_start(const struct report_opts *o)
{
	(void)o;
	/* jansson seeds its hash tables from /dev/urandom on first use;
	 * do it now, before the sandbox forbids opening files. */
	json_object_seed(0);
}

static void json_outcome(struct report_opts *o, const struct outcome *out)
{
	FILE *f = o->json;
	const struct config *cfg = out->cfg;
	json_t *doc = json_pack("{s:i, s:s, s:o, s:o, s:i, s:s}", "schema",
				JSON_SCHEMA_VERSION, "kvmrun",
				PACKAGE_VERSION, "config",
				str(cfg->file), "name", str(cfg->name), "status",
				out->status, "verdict",
				status_word(out->status));

	json_t *problems = json_array();
	add_problems(problems, &cfg->diag);
	add_problems(problems, out->plan_diag);
	json_object_set_new(doc, "problems", problems);
	json_object_set_new(doc, "error", out->why ? str(out->why)
						       : json_null());
	char head[HEADLINE_MAX];
	report_headline(out, head, sizeof head);
	json_object_set_new(doc, "headline", head[0] ? str(head) : json_null());
	json_object_set_new(doc, "mode", out->plan
			    ? json_string(out->plan->mode->name) : json_null());
	add_run(doc, out);
	if (json_dumpf(doc, f, JSON_COMPACT) == 0)
		fputc('\n', f);
	fflush(f);
	json_decref(doc);
}

static bool json_wanted(const struct report_opts *o)
{
	return o->json != NULL;
}

const struct sink json_sink = {
	.wanted = json_wanted, .start = json_start, .outcome = json_outcome,
};
