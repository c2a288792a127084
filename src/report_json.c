/*
 * --json: one JSON document per run, one per line (JSON Lines), built with
 * jansson. 64-bit values are hex strings, which JSON numbers cannot hold.
 */
#include "kvmrun-config.h"

#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "report.h"
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
		json_t *o = json_pack("{s:s, s:s, s:s, s:b}", "what", e->what,
				      "expected", e->expected, "actual",
				      e->actual, "ok", e->ok);
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
		json_t *o = json_pack("{s:s, s:o}", "path", m->path, "message",
				      text(m->text, strlen(m->text)));
		if (m->pos.line) {
			json_object_set_new(o, "line", json_integer(m->pos.line));
			json_object_set_new(o, "column", json_integer(m->pos.col));
		}
		if (m->pos.arg)
			json_object_set_new(o, "option", json_string(d->overrides[m->pos.arg - 1]));
		json_array_append_new(a, o);
	}
}

static void add_run(json_t *doc, const struct outcome *out)
{
	const struct result *res = out->res;
	size_t shown = res->console_len < JSON_CONSOLE_CAP ? res->console_len
							   : JSON_CONSOLE_CAP;
	json_t *stop = json_pack("{s:s}", "reason", result_stop_name(res->stop));

	if (res->detail[0])
		json_object_set_new(stop, "detail", json_string(res->detail));
	if (res->stop == STOPPED_SHUTDOWN)
		json_object_set_new(stop, "registers_reset",
				    json_boolean(res->reset_at_shutdown));
	if (res->stop == STOPPED_UNHANDLED_IO || res->stop == STOPPED_UNHANDLED_MMIO)
		json_object_set_new(stop, "access", json_pack(
			"{s:s, s:o, s:i, s:i, s:o}",
			"direction", res->access.write ? "write" : "read",
			res->access.mmio ? "address" : "port", hex(res->access.addr),
			"size", res->access.size, "count", res->access.count,
			"value", hex(res->access.value)));
	json_object_set_new(doc, "stop", stop);
	json_object_set_new(doc, "guest_status", res->has_status
			    ? json_integer((json_int_t)res->status) : json_null());
	json_object_set_new(doc, "duration_ns", json_integer((json_int_t)res->ns));
	json_object_set_new(doc, "exits", exits(res));
	if (res->have_regs)
		json_object_set_new(doc, "registers", registers(res));
	if (res->ncpus > 1) {
		/* Several vCPUs: whose registers those are, and each one's state. */
		json_t *cpus = json_array();
		for (size_t i = 0; i < res->ncpus; i++)
			json_array_append_new(cpus, json_pack("{s:i, s:s}", "id", (int)i,
				"state", res->cpus[i].have_mp_state
				? result_mp_state_name(res->cpus[i].mp_state) : "unknown"));
		json_object_set_new(stop, "vcpu", json_integer(res->cpu));
		json_object_set_new(doc, "vcpus", cpus);
	}
	json_object_set_new(doc, "console", text(res->console, shown));
	json_object_set_new(doc, "console_bytes",
			    json_integer((json_int_t)res->console_len));
	json_object_set_new(doc, "console_truncated",
			    json_boolean(shown < res->console_len ||
					 res->console_truncated));
	json_object_set_new(doc, "expectations", expectations(out));
}

static void json_start(const struct report_opts *o)
{
	(void)o;
	/* jansson seeds its hash tables from /dev/urandom on first use;
	 * do it now, before the sandbox forbids opening files. */
	json_object_seed(0);
}

static void json_outcome(const struct report_opts *o, const struct outcome *out)
{
	FILE *f = o->json;
	const struct config *cfg = out->cfg;
	json_t *doc = json_pack("{s:s, s:o, s:o, s:i, s:s}", "kvmrun",
				PACKAGE_VERSION, "config",
				text(cfg->file, strlen(cfg->file)), "name",
				text(cfg->name, strlen(cfg->name)), "status",
				out->status, "verdict",
				status_word(out->status));

	if (cfg->diag.count || (out->plan_diag && out->plan_diag->count)) {
		json_t *a = json_array();
		add_problems(a, &cfg->diag);
		add_problems(a, out->plan_diag);
		json_object_set_new(doc, "problems", a);
	}
	if (out->why)
		json_object_set_new(doc, "error", text(out->why, strlen(out->why)));
	if (out->plan)
		json_object_set_new(doc, "mode", json_string(out->plan->mode->name));
	if (out->res)
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
