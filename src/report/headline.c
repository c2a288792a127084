/* The one-line cause of a config's failure, for every sink. */
#include "kvmrun-config.h"

#include "headline.h"

#include <stdio.h>
#include <string.h>

#include "x86.h"

/* Where an unhandled access went: a handler-less port, ROM, or nothing. */
static const char *access_target(const struct plan *p, const struct access *a,
				 char *buf, size_t len)
{
	if (!a->mmio)
		return "no handler is registered for this port";
	/* Part of it in a handler's range: a handler takes whole accesses. */
	for (size_t i = 0; i < p->cfg->nmmio; i++) {
		const struct handler_cfg *h = &p->cfg->mmio[i];
		if (a->addr < h->addr + h->size && h->addr < a->addr + a->size) {
			snprintf(buf, len, "the access straddles an edge of "
				 "the mmio handler at 0x%llx (%llu bytes): a "
				 "handler takes only accesses wholly inside it",
				 (unsigned long long)h->addr,
				 (unsigned long long)h->size);
			return buf;
		}
	}
	const struct mem_region *r = plan_region(&p->facts, a->addr, 1);
	if (r && r->readonly)
		return "a write to read-only memory";
	return "no RAM and no mmio handler there";
}

static const char *access_str(const struct plan *p, const struct result *res,
			      char *buf, size_t len)
{
	const struct access *a = &res->access;
	char count[24] = "", value[32] = "", target[200];

	if (a->count > 1)
		snprintf(count, sizeof count, " x %u", a->count);
	if (a->write)
		snprintf(value, sizeof value, ", value 0x%llx",
			 (unsigned long long)a->value);
	snprintf(buf, len, "unhandled %s: %s %u byte%s%s at %s 0x%llx%s%s, "
		 "rip 0x%llx: %s", a->mmio ? "MMIO" : "port I/O",
		 a->write ? "write of" : "read of", a->size,
		 a->size == 1 ? "" : "s", a->count > 1 ? " (string I/O)" : "",
		 a->mmio ? "address" : "port", (unsigned long long)a->addr,
		 count, value, (unsigned long long)res->regs.rip,
		 access_target(p, a, target, sizeof target));
	return buf;
}

const char *report_stop_str(const struct plan *p, const struct result *res,
			    char *buf, size_t len)
{
	switch (res->stop) {
	case STOPPED_UNHANDLED_IO:
	case STOPPED_UNHANDLED_MMIO:
		return access_str(p, res, buf, len);
	case STOPPED_SHUTDOWN:
		return NULL;
	case STOPPED_TIMEOUT:
		if (res->detail[0]) /* not running: where it was */
			snprintf(buf, len, "timeout: after limits.timeout "
				 "(%.3f s) the guest was still %s",
				 (double)p->facts.timeout_ns / 1e9, res->detail);
		else
			snprintf(buf, len, "timeout: the guest was still "
				 "running after limits.timeout (%.3f s)",
				 (double)p->facts.timeout_ns / 1e9);
		return buf;
	case STOPPED_EXIT_LIMIT:
		snprintf(buf, len, "stopped after limits.exits (%llu VM exits)",
			 (unsigned long long)res->exits);
		return buf;
	default:
		snprintf(buf, len, "unexpected stop: %s%s%s",
			 result_stop_name(res->stop), res->detail[0] ? ": " : "",
			 res->detail);
		return buf;
	}
}

/* "#DE (divide error) at divide+0x9 faults.c:13": the exception the
 * diagnostic IDT caught, where, and for #PF the address; or the triple
 * fault it could not name. */
static const char *shutdown_str(const struct result *res, char *buf, size_t len)
{
	const struct exception_rec *e = &res->exception;
	const struct code_place *pl = &res->diag.rip_place;
	char name[64], fn[160] = "", line[160] = "", cr2[40] = "";

	if (!e->caught || !e->frame_read) {
		snprintf(buf, len, "triple fault: the guest shut down on an "
			 "exception it could not handle");
		return buf;
	}
	if (pl->have_function)
		snprintf(fn, sizeof fn, pl->offset ? "%s+0x%llx" : "%s",
			 pl->function, (unsigned long long)pl->offset);
	else
		snprintf(fn, sizeof fn, "rip 0x%llx", (unsigned long long)e->rip);
	if (pl->have_line)
		snprintf(line, sizeof line, " %s:%d", pl->file, pl->line);
	if (e->vector == 14)
		snprintf(cr2, sizeof cr2, ", address 0x%llx",
			 (unsigned long long)e->cr2);
	snprintf(buf, len, "%s at %s%s%s",
		 x86_exception_str(e->vector, name, sizeof name), fn, line, cr2);
	return buf;
}

/* The first of (d)'s problems, and how many more there are. */
static const char *problem_str(const struct diag *d, char *buf, size_t len)
{
	char line[DIAG_LINE_MAX];

	snprintf(buf, len, "%s", diag_format(d, &d->msgs[0], line, sizeof line));
	if (d->count > 1) {
		size_t n = strlen(buf);
		snprintf(buf + n, len - n, " (and %zu more problem%s)",
			 d->count - 1, d->count == 2 ? "" : "s");
	}
	return buf;
}

/* The first failed expectation, and how many more failed. */
static const char *failure_str(const struct verdicts *v, char *buf, size_t len)
{
	for (size_t i = 0; i < v->n; i++) {
		const struct verdict *e = &v->v[i];
		if (e->ok || e->unchecked)
			continue;
		int n = snprintf(buf, len, "%s: expected %s, got %s", e->what,
				 e->expected, e->actual);
		if (v->failed > 1 && n >= 0 && (size_t)n < len)
			snprintf(buf + n, len - (size_t)n, " (and %zu more "
				 "failed)", v->failed - 1);
		return buf;
	}
	snprintf(buf, len, "%zu expectation%s failed", v->failed,
		 v->failed == 1 ? "" : "s");
	return buf;
}

const char *report_headline(const struct outcome *out, char *buf, size_t len)
{
	const struct diag *cd = &out->cfg->diag, *pd = out->plan_diag;

	buf[0] = '\0';
	if (out->status == EXIT_PASS)
		return buf;
	if (out->why)
		snprintf(buf, len, "%s", out->why);
	else if (!out->plan && cd->count)
		problem_str(cd, buf, len);
	else if (!out->plan && pd && pd->count)
		problem_str(pd, buf, len);
	else if (!out->plan)
		snprintf(buf, len, "the config is invalid");
	else if (out->res && out->v && !out->v->stop_ok &&
		 out->res->stop == STOPPED_SHUTDOWN)
		shutdown_str(out->res, buf, len);
	else if (out->res && out->v && !out->v->stop_ok)
		report_stop_str(out->plan, out->res, buf, len);
	else if (out->v && out->v->skipped)
		snprintf(buf, len, "the guest skipped itself (expect.skip-status)");
	else if (out->v && out->v->failed)
		failure_str(out->v, buf, len);
	else
		snprintf(buf, len, "%s", status_word(out->status));
	return buf;
}
