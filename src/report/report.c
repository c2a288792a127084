/* All of kvmrun's output: the guest console, problems, verdicts, dumps. */
#include "kvmrun-config.h"

#include "report.h"

#include <err.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "disasm.h"
#include "headline.h"
#include "hints.h"
#include "paging.h"
#include "subtests.h"
#include "utf8.h"
#include "x86.h"

/* ---- config problems ---- */

#define CARET_WIDTH 100 /* characters of a source line shown */
#define MAX_PROBLEMS 100 /* problems shown of one config */

/* Where the previous caret's line was left: problems come in the order
 * of the text, so the next one on the same line goes on from there
 * rather than from the start of a line that may be megabytes long. */
struct caret_mark {
	const unsigned char *line; /* the line walked, or NULL */
	size_t i, ch;              /* a byte offset in it, its character */
};

/* Character (target) of (line), (len) bytes, from (m) when it is on the
 * way; its byte offset. ASCII goes a byte at a time. */
static size_t caret_seek(struct caret_mark *m, const unsigned char *line,
			 size_t len, size_t target)
{
	if (m->line != line || m->ch > target)
		*m = (struct caret_mark){ line, 0, 0 };
	size_t i = m->i, ch = m->ch;
	for (; i < len && ch < target; ch++) {
		size_t n = line[i] < 0x80 ? 1 : utf8_len(line + i, len - i);
		i += n ? n : 1;
	}
	m->i = i;
	m->ch = ch;
	return i;
}

/* Show the source line of (pos), at most CARET_WIDTH characters around
 * the column (counted in characters, as libyaml does), with a caret
 * under it; control bytes and broken UTF-8 show as '?'. */
static void caret(FILE *f, const struct diag *d, const struct pos *pos,
		  struct caret_mark *mark)
{
	size_t len, first = 0, col = pos->col ? pos->col - 1 : 0;
	const unsigned char *line =
		(const unsigned char *)diag_line(d, pos->line, &len);

	if (!line)
		return;
	if (col > CARET_WIDTH / 2)
		first = col - CARET_WIDTH / 2;
	fprintf(f, "%5u | %s", pos->line, first ? "..." : "");
	size_t i = caret_seek(mark, line, len, first), ch = first;
	for (; i < len && ch < first + CARET_WIDTH; ch++) {
		size_t n = utf8_len(line + i, len - i);
		bool ok = n > 1 || line[i] == '\t' ||
			  (line[i] >= 0x20 && line[i] < 0x7f);
		if (ok)
			fwrite(line + i, 1, n, f);
		else
			fputc('?', f);
		i += n ? n : 1;
	}
	fprintf(f, "%s\n      | %*s^\n", i < len ? "..." : "",
		(int)(col - first + (first ? 3 : 0)), "");
}

static void report_diag(FILE *f, const struct diag *d)
{
	struct caret_mark mark = { NULL, 0, 0 };

	fflush(stdout);
	for (size_t i = 0; i < d->count && i < MAX_PROBLEMS; i++) {
		const struct diag_msg *m = &d->msgs[i];
		char line[DIAG_LINE_MAX];
		fprintf(f, "%s\n", diag_format(d, m, line, sizeof line));
		if (m->pos.line)
			caret(f, d, &m->pos, &mark);
	}
	if (d->count > MAX_PROBLEMS)
		fprintf(f, "%s: %zu more problems not shown (%zu in all)\n",
			d->file, d->count - MAX_PROBLEMS, d->count);
}

static void report_vm_error(FILE *f, const char *name, int status, const char *why)
{
	fflush(stdout);
	fprintf(f, "kvmrun: %s: %s%s\n", name, why,
		status == EXIT_SKIP ? " (skipped)" : "");
}

static void report_valid(FILE *f, const struct plan *p)
{
	size_t segs = 0;

	for (size_t i = 0; i < p->nblobs; i++)
		segs += p->blobs[i].seg != NULL;
	fprintf(f, "kvmrun: %s: config is valid: %s mode, %zu segment%s, "
		"entry 0x%llx, stack 0x%llx\n", p->cfg->file_shown, p->mode->name,
		segs, segs == 1 ? "" : "s", (unsigned long long)p->entry,
		(unsigned long long)p->stack);
}

/* ---- --trace ---- */

/* "port 0xe9", "addr 0xd0000000" or "" for exit (e). */
static const char *exit_place(const struct exit_rec *e, char buf[32])
{
	if (e->reason == KVM_EXIT_IO)
		snprintf(buf, 32, "port 0x%llx", (unsigned long long)e->addr);
	else if (e->reason == KVM_EXIT_MMIO)
		snprintf(buf, 32, "addr 0x%llx", (unsigned long long)e->addr);
	else
		buf[0] = '\0';
	return buf;
}

static const char *exit_dir(const struct exit_rec *e)
{
	if (e->reason == KVM_EXIT_IO)
		return e->write ? "out" : "in";
	if (e->reason == KVM_EXIT_MMIO)
		return e->write ? "write" : "read";
	return "";
}

static void print_exit(FILE *f, const struct exit_rec *e, uint64_t number)
{
	char place[32], data[24] = "", rip[24] = "";
	unsigned bytes = e->size * (e->count < 8 ? e->count : 8);

	if (e->count)
		snprintf(data, sizeof data, "0x%0*llx", 2 * (bytes < 8 ? bytes : 8),
			 (unsigned long long)e->data);
	if (e->have_rip)
		snprintf(rip, sizeof rip, "rip 0x%llx", (unsigned long long)e->rip);
	fprintf(f, "exit %6llu  %-14s %-5s %-17s", (unsigned long long)number,
		result_exit_name(e->reason), exit_dir(e), exit_place(e, place));
	if (e->count)
		fprintf(f, " size %u count %-4u data %-18s", e->size,
			e->count, data);
	if (e->reason == KVM_EXIT_INTERNAL_ERROR && e->delivered >= 0) {
		char exc[64];
		fprintf(f, " %s: kvmrun delivered %s", e->delivered_by,
			strcmp(e->delivered_by, "int") == 0
				? (snprintf(exc, sizeof exc, "interrupt 0x%x",
					    (unsigned)e->delivered), exc)
				: x86_exception_str((unsigned)e->delivered, exc,
						    sizeof exc));
	}
	if (e->cpu)
		fprintf(f, " %s on vCPU %u\n", rip, e->cpu);
	else
		fprintf(f, " %s\n", rip);
}

void report_trace_exit(const struct result *res, const struct exit_rec *e)
{
	fflush(stdout);
	print_exit(stderr, e, res->exits);
}

static void trace_table(FILE *f, const struct result *res)
{
	uint64_t guest = 0, host = 0;
	char place[32];

	fprintf(f, "exits by reason and place:\n"
		"  %-14s %-5s %-17s %10s %12s %12s\n", "reason", "dir",
		"place", "count", "guest ms", "kvmrun ms");
	for (size_t i = 0; i < res->nrows; i++) {
		const struct trace_row *r = &res->rows[i];
		struct exit_rec e = { .reason = r->reason, .write = r->write,
				      .addr = r->addr };
		fprintf(f, "  %-14s %-5s %-17s %10llu %12.3f %12.3f\n",
			result_exit_name(r->reason), exit_dir(&e),
			exit_place(&e, place), (unsigned long long)r->count,
			(double)r->guest_ns / 1e6, (double)r->host_ns / 1e6);
		guest += r->guest_ns;
		host += r->host_ns;
	}
	fprintf(f, "  %-14s %-5s %-17s %10llu %12.3f %12.3f\n", "total", "",
		"", (unsigned long long)res->exits, (double)guest / 1e6,
		(double)host / 1e6);
}

/* ---- machine state ---- */

static void dump_gprs(FILE *f, const struct kvm_regs *r)
{
	for (int i = 0; i < GPR_RIP; i += 4) {
		for (int j = i; j < i + 4; j++)
			fprintf(f, "  %-3s %016llx", cpu_reg_name((enum reg)j),
				(unsigned long long)cpu_reg_get(r, (enum reg)j));
		fputc('\n', f);
	}
}

static void dump_control(FILE *f, const char *name, uint64_t value,
			 const struct bit_name *bits)
{
	char buf[256];

	fprintf(f, "  %-6s %016llx", name, (unsigned long long)value);
	if (bits)
		fprintf(f, "  %s", x86_bits_str(bits, value, buf, sizeof buf));
	fputc('\n', f);
}

static void dump_segment(FILE *f, const char *name, const struct kvm_segment *s)
{
	fprintf(f, "  %-3s sel %04x base %016llx limit %08x type %x "
		"s %u dpl %u p %u db %u l %u g %u%s\n", name, s->selector,
		(unsigned long long)s->base, s->limit, s->type, s->s, s->dpl,
		s->present, s->db, s->l, s->g, s->unusable ? " unusable" : "");
}

/* What a decoded line is printed against: RIP and its function. */
struct insn_ctx {
	FILE *f;
	uint64_t rip;
	const struct code_place *place;
};

static void print_insn(void *ctx, uint64_t addr, size_t len, const char *text)
{
	const struct insn_ctx *c = ctx;
	const struct code_place *pl = c->place;
	FILE *f = c->f;
	uint64_t start = c->rip - pl->offset;
	char where[120] = "";

	/* The instructions after RIP in the same function: <fn+off>. */
	if (pl->have_function && addr >= start &&
	    (!pl->size || addr - start < pl->size))
		snprintf(where, sizeof where, "<%s+0x%llx>", pl->function,
			 (unsigned long long)(addr - start));
	if (addr == c->rip)
		fprintf(f, "    0x%llx  %-24s  <- rip%s%s\n",
			(unsigned long long)addr, text, *where ? " " : "", where);
	else if (*where)
		fprintf(f, "    0x%llx  %-24s  %s\n", (unsigned long long)addr,
			text, where);
	else
		fprintf(f, "    0x%llx  %s\n", (unsigned long long)addr, text);
	(void)len;
}

struct decoded {
	char text[200];
	size_t len;
	size_t count;
};

static void keep_insn(void *ctx, uint64_t addr, size_t len, const char *text)
{
	struct decoded *d = ctx;

	(void)addr;
	d->count++;
	d->len = len;
	snprintf(d->text, sizeof d->text, "%s", text);
}

/* Is (text) the kind of instruction that made access (a)? */
static bool made_access(const char *text, const struct access *a)
{
	static const char *const io[] = { "in", "out", "insb", "insw", "insd",
					  "outsb", "outsw", "outsd", NULL };
	static const char *const widths[] = { "", "byte ", "word ", "", "dword ",
					      "", "", "", "qword " };
	char word[16];

	if (strncmp(text, "rep ", 4) == 0)
		text += 4;
	if (!a->mmio) {
		size_t n = strcspn(text, " ");
		if (n >= sizeof word)
			return false;
		memcpy(word, text, n);
		word[n] = '\0';
		for (size_t i = 0; io[i]; i++)
			if (strcmp(word, io[i]) == 0)
				return true;
		return false;
	}
	return a->size <= 8 && widths[a->size][0] && strstr(text, widths[a->size]) &&
	       strstr(text, "ptr [");
}

/*
 * A port access or an MMIO write exits with RIP already past the
 * instruction that made it. Find that instruction: of the instructions
 * of k bytes that end at RIP, the longest that makes such an access.
 */
static void dump_access_insn(FILE *f, const struct cpu_diagnosis *d, uint64_t rip,
			     const struct access *a)
{
	if (!disasm_name || (a->mmio && !a->write))
		return;
	for (unsigned k = d->nbefore; k >= 1; k--) {
		struct decoded dec = { .count = 0 };
		disasm(d->before + CODE_BEFORE - k, k, rip - k, d->code_bits, 1,
		       keep_insn, &dec);
		if (dec.count == 1 && dec.len == k && made_access(dec.text, a)) {
			fprintf(f, "    0x%llx  %-24s  <- the access, just "
				"before rip (decoded backwards)\n",
				(unsigned long long)(rip - k), dec.text);
			return;
		}
	}
}

/* The code at RIP; (access), if the guest stopped on one, is looked for
 * just before it. */
static void dump_code(FILE *f, const struct cpu_diagnosis *d, uint64_t rip,
		      const struct access *access)
{
	char place[200];

	if (!d->code_mapped) {
		fprintf(f, "  code at 0x%llx: %s\n",
			(unsigned long long)d->code_linear, d->code_why);
		return;
	}
	if (*symbols_str(&d->rip_place, place, sizeof place))
		fprintf(f, "  rip 0x%llx is in %s\n",
			(unsigned long long)d->code_linear, place);
	fprintf(f, "  code at 0x%llx (physical 0x%llx):",
		(unsigned long long)d->code_linear,
		(unsigned long long)d->code_phys);
	for (unsigned i = 0; i < d->ncode; i++)
		fprintf(f, " %02x", d->code[i]);
	fputs(d->ncode ? "\n" : " not in RAM\n", f);
	if (access)
		dump_access_insn(f, d, rip, access);
	if (d->ncode && !disasm(d->code, d->ncode, rip, d->code_bits, 3,
				print_insn, &(struct insn_ctx){ f, rip, &d->rip_place }))
		fprintf(f, "    (%s)\n", disasm_name
			? "these bytes are not an instruction"
			: "no disassembler: kvmrun was built without one "
			  "(install libcapstone-dev and configure again)");
}

/* How the CPU's page walk of (linear) went, entry by entry. */
static void dump_walk(FILE *f, const char *what, const struct walk_record *wr)
{
	const struct pt_walk *w = &wr->w;
	enum pt_kind kind = wr->kind;
	char flags[64], idx[24];

	if (!wr->made)
		return;
	fprintf(f, "  page walk of %s 0x%llx (CR3 0x%llx):\n", what,
		(unsigned long long)wr->linear, (unsigned long long)wr->cr3);
	for (int i = 0; i < w->nsteps; i++) {
		const struct pt_step *st = &w->step[i];
		snprintf(idx, sizeof idx, "%s[%u]", pt_level_name(kind, st->level),
			 st->index);
		if (!st->read) {
			fprintf(f, "    %-10s @0x%llx  not in RAM: the walk "
				"stops here\n", idx, (unsigned long long)st->addr);
			continue;
		}
		fprintf(f, "    %-10s @0x%llx = 0x%llx  %s\n", idx,
			(unsigned long long)st->addr, (unsigned long long)st->entry,
			pt_entry_flags(kind, st->level, st->entry, flags, sizeof flags));
	}
	if (wr->ok)
		fprintf(f, "    -> physical 0x%llx; rights over all levels: "
			"%s%s%s\n", (unsigned long long)w->phys,
			w->write ? "write" : "read-only", w->user ? ", user" : ", supervisor",
			w->nx ? ", no-execute" : "");
	else if (w->nsteps && w->step[w->nsteps - 1].read)
		fprintf(f, "    -> not mapped: %s[%u] is not present, so the "
			"access page-faults\n",
			pt_level_name(kind, w->step[w->nsteps - 1].level),
			w->step[w->nsteps - 1].index);
}

static void dump_exits(FILE *f, const struct result *res)
{
	const struct exit_rec *last[EXIT_RING];
	size_t n = result_last_exits(res, last);

	if (!n)
		return;
	fprintf(f, "  the last %zu VM exits:\n", n);
	for (size_t i = 0; i < n; i++) {
		fputs("  ", f);
		print_exit(f, last[i], res->exits - n + i + 1);
	}
}

/* Registers, segments and the code at RIP of one vCPU. */
static void dump_cpu(FILE *f, const struct kvm_regs *r, const struct kvm_sregs *s,
		     const struct cpu_diagnosis *d, const struct access *access)
{
	char buf[160];

	dump_gprs(f, r);
	fprintf(f, "  rip %016llx  rflags %016llx  %s\n",
		(unsigned long long)r->rip, (unsigned long long)r->rflags,
		x86_bits_str(x86_rflags_bits, r->rflags & ~X86_RFLAGS_FIXED,
			     buf, sizeof buf));
	dump_control(f, "cr0", s->cr0, x86_cr0_bits);
	dump_control(f, "cr2", s->cr2, NULL);
	dump_control(f, "cr3", s->cr3, NULL);
	dump_control(f, "cr4", s->cr4, x86_cr4_bits);
	dump_control(f, "efer", s->efer, x86_efer_bits);
	dump_segment(f, "cs", &s->cs);
	dump_segment(f, "ds", &s->ds);
	dump_segment(f, "es", &s->es);
	dump_segment(f, "fs", &s->fs);
	dump_segment(f, "gs", &s->gs);
	dump_segment(f, "ss", &s->ss);
	dump_segment(f, "tr", &s->tr);
	fprintf(f, "  gdt base %016llx limit %04x   idt base %016llx limit %04x\n",
		(unsigned long long)s->gdt.base, s->gdt.limit,
		(unsigned long long)s->idt.base, s->idt.limit);
	dump_code(f, d, r->rip, access);
	dump_walk(f, "rip", &d->rip_walk);
	dump_walk(f, "cr2 (the last page-fault address)", &d->cr2_walk);
}

/* With several vCPUs, the ones that did not stop the run: each one's
 * state as KVM keeps it, and its registers unless it never started. */
static void dump_other_cpus(FILE *f, const struct result *res)
{
	for (size_t i = 0; i < res->ncpus; i++) {
		const struct vcpu_state *st = &res->cpus[i];
		if (i == res->cpu)
			continue;
		fprintf(f, "  vCPU %zu: %s\n", i, st->have_mp_state
			? result_mp_state_name(st->mp_state) : "state unknown");
		if (st->have_mp_state && st->mp_state == KVM_MP_STATE_UNINITIALIZED)
			continue; /* never started: nothing of its own */
		if (st->have_regs)
			dump_cpu(f, &st->regs, &st->sregs, &st->diag, NULL);
		else
			fputs("  (registers could not be read)\n", f);
	}
}

static void dump_state(FILE *f, const struct result *res)
{
	bool by_cpu = res->stop != STOPPED_TIMEOUT &&
		      res->stop != STOPPED_INTERRUPTED &&
		      res->stop != STOPPED_EXIT_LIMIT;
	if (res->ncpus > 1)
		fprintf(f, by_cpu ? "  vCPU %u of %zu stopped the run:\n"
				       : "  vCPU %u (of %zu):\n", res->cpu,
			res->ncpus);
	if (!res->have_regs) {
		fputs("  (registers could not be read)\n", f);
	} else {
		bool accessed = res->stop == STOPPED_UNHANDLED_IO ||
				res->stop == STOPPED_UNHANDLED_MMIO;
		dump_cpu(f, &res->regs, &res->sregs, &res->diag,
			 accessed ? &res->access : NULL);
	}
	dump_exits(f, res);
	dump_other_cpus(f, res);
}

/* A shutdown: the exception the diagnostic IDT caught, or why the
 * guest triple-faulted without reaching it. */
static void describe_shutdown(FILE *f, const struct plan *p, const struct result *res)
{
	const struct exception_rec *e = &res->exception;
	const char *name = p->cfg->name;
	char text[200];

	if (!e->caught || !e->frame_read) {
		fprintf(f, "kvmrun: %s: the guest shut down (triple "
			"fault: an exception it could not handle)\n", name);
		if (e->caught)
			fprintf(f, "  an exception reached kvmrun's diagnostic "
				"IDT, but the frame on its stack could not be read\n");
		else if (p->has_idt && !res->reset_at_shutdown &&
			 res->sregs.idt.base == p->idt_base)
			fprintf(f, "  the exception could not even be delivered "
				"to kvmrun's diagnostic IDT (%s)\n", p->mode->paging ==
				PT_4LEVEL ? "its stack or descriptors are gone"
				: "the CPU pushes its frame on the guest's stack: "
				"is ESP in writable RAM, mapped?");
		else if (!p->has_idt && p->idt_why && !p->cfg->idt_off)
			fprintf(f, "  kvmrun's diagnostic IDT, which would have "
				"named the exception, was off: %s\n", p->idt_why);
		return;
	}
	char place[200];
	symbols_str(&res->diag.rip_place, place, sizeof place);
	fprintf(f, "kvmrun: %s: the guest shut down on %s at rip 0x%llx%s%s, "
		"an exception it has no handler for\n", name,
		x86_exception_str(e->vector, text, sizeof text),
		(unsigned long long)e->rip, *place ? " " : "", place);
	if (e->has_error_code)
		fprintf(f, "  error code 0x%llx: %s\n",
			(unsigned long long)e->error_code,
			x86_error_code_str(e->vector, e->error_code, text, sizeof text));
	if (e->vector == 14)
		fprintf(f, "  the address: 0x%llx (CR2)\n",
			(unsigned long long)e->cr2);
	fprintf(f, "  (caught by kvmrun's diagnostic IDT at 0x%llx; the "
		"registers below are from the exception; cpu.idt: off turns it "
		"off)\n", (unsigned long long)p->idt_base);
}

static void describe_stop(FILE *f, const struct plan *p, const struct result *res)
{
	char text[HEADLINE_MAX];

	if (res->stop == STOPPED_SHUTDOWN)
		describe_shutdown(f, p, res);
	else
		fprintf(f, "kvmrun: %s: %s\n", p->cfg->name,
			report_stop_str(p, res, text, sizeof text));
}

static void report_log(FILE *f, const struct result *res)
{
	if (!res->nlog)
		return;
	fprintf(f, "  log:");
	for (uint64_t i = 0; i < res->nlog && i < LOG_KEEP; i++)
		fprintf(f, " 0x%llx=0x%llx",
			(unsigned long long)res->log[i].addr,
			(unsigned long long)res->log[i].value);
	if (res->nlog > LOG_KEEP)
		fprintf(f, " ... (%llu values in all)",
			(unsigned long long)res->nlog);
	fputc('\n', f);
}

#define SUBTESTS_LISTED 20 /* failed sub-tests named one by one */

/* The sub-tests that failed, each with its console line. */
static void report_subtests(FILE *f, const struct subtests *s)
{
	size_t shown = 0;

	for (size_t i = 0; i < s->n; i++) {
		const struct subtest *t = &s->t[i];
		if (t->result != SUB_FAIL || shown++ >= SUBTESTS_LISTED)
			continue;
		fprintf(f, "  sub-test failed (console line %u): %s%s%s\n",
			t->line, t->name, t->note[0] ? " # " : "", t->note);
	}
	if (s->count[SUB_FAIL] > SUBTESTS_LISTED)
		fprintf(f, "  ... and %zu more failed sub-tests\n",
			s->count[SUB_FAIL] - SUBTESTS_LISTED);
}

static void report_run(FILE *f, const struct plan *p, const struct result *res,
		       const struct verdicts *v)
{
	fflush(stdout);
	if (!v->stop_ok)
		describe_stop(f, p, res);
	/* Said whether the shutdown was expected or not: what the
	 * registers show, and what expectations of them saw, is not the
	 * guest's state. */
	if (res->reset_at_shutdown)
		fprintf(f, "kvmrun: %s: this host's KVM reset the vCPU at "
			"the shutdown (as KVM on AMD SVM does): the registers "
			"are its reset state (CS:IP f000:fff0), not where the "
			"guest failed\n", p->cfg->name);
	/* An allowed stop can still be a mistake's (a boot sector's BIOS
	 * call ends at the exit port): hints for every failed run. */
	if (!v->stop_ok || v->failed) {
		char hints[HINTS_MAX][HINT_LEN];
		size_t n = hints_for(p, res, hints);
		for (size_t i = 0; i < n; i++)
			fprintf(f, "  hint: %s\n", hints[i]);
	}
	if (!v->stop_ok)
		dump_state(f, res);
	/* A guest that skipped checked nothing: its reason is the report. */
	for (size_t i = 0; !v->skipped && i < v->n; i++) {
		const struct verdict *e = &v->v[i];
		if (e->ok)
			continue;
		if (e->pos.line)
			fprintf(f, "%s:%u: ", p->cfg->file_shown, e->pos.line);
		else
			fprintf(f, "kvmrun: %s: ", p->cfg->name);
		if (e->unchecked)
			fprintf(f, "%s: not checked: the guest did not stop "
				"as expected\n", e->what);
		else
			fprintf(f, "%s: expected %s, got %s\n", e->what,
				e->expected, e->actual);
	}
	report_subtests(f, &v->sub);
	report_log(f, res);
	if (res->trace)
		trace_table(f, res);
}

static void report_verdict(FILE *f, const char *name, int status,
			   const struct result *res, const struct verdicts *v)
{
	char counts[200];

	fflush(stdout);
	fprintf(f, "%s %s", status_word(status), name);
	if (res)
		fprintf(f, " (%s after %llu exit%s, %.3f ms%s%s)",
			result_stop_name(res->stop),
			(unsigned long long)res->exits, res->exits == 1 ? "" : "s",
			(double)res->ns / 1e6, v->sub.read ? "; " : "",
			v->sub.read ? subtests_counts_str(&v->sub, counts, sizeof counts) : "");
	fputc('\n', f);
}

static void report_summary(FILE *f, const struct report_opts *o,
			   const size_t counts[RANK_COUNT])
{
	size_t failed = counts[RANK_FAIL] + counts[RANK_INVALID] +
			counts[RANK_ERROR];

	if (failed)
		fprintf(f, "failed: %zu on expectations, %zu invalid, "
			"%zu in error\n", counts[RANK_FAIL],
			counts[RANK_INVALID], counts[RANK_ERROR]);
	/* What failed, by name and cause, where the eye lands last. */
	for (size_t i = 0; failed && o->lines && i < o->count; i++)
		if (o->lines[i][0])
			fprintf(f, "  %s\n", o->lines[i]);
	fprintf(f, "%zu passed, %zu failed, %zu skipped\n",
		counts[RANK_PASS], failed, counts[RANK_SKIP]);
}

/* ---- the sinks ---- */

void report_text(FILE *f, const struct outcome *out)
{
	const struct config *cfg = out->cfg;

	report_diag(f, &cfg->diag);
	if (out->plan_diag)
		report_diag(f, out->plan_diag);
	if (out->why)
		report_vm_error(f, cfg->name, out->status, out->why);
	if (out->res)
		report_run(f, out->plan, out->res, out->v);
	if (out->plan && !out->why && !out->res)
		report_valid(f, out->plan);
	else
		report_verdict(f, cfg->name, out->status, out->res, out->v);
}

static void text_outcome(struct report_opts *o, const struct outcome *out)
{
	(void)o;
	report_text(stderr, out);
}

static void text_finish(const struct report_opts *o,
			const size_t counts[RANK_COUNT])
{
	if (o->suite)
		report_summary(stderr, o, counts);
}

static bool always(const struct report_opts *o)
{
	(void)o;
	return true;
}

/* Human text on f, always. */
static const struct sink text_sink = {
	.wanted = always, .outcome = text_outcome, .finish = text_finish,
};

/* Every format, in the order each outcome reaches them. */
static const struct sink *const sinks[] = { &text_sink, &tap_sink, &json_sink,
					     &junit_sink, &log_sink };
#define NSINKS (sizeof sinks / sizeof sinks[0])

void report_start(struct report_opts *o, size_t nconfigs)
{
	o->count = nconfigs;
	o->index = 0;
	for (size_t i = 0; i < NSINKS; i++)
		if (sinks[i]->wanted(o) && sinks[i]->start)
			sinks[i]->start(o);
}

void report_before(struct report_opts *o, const struct config *cfg)
{
	for (size_t i = 0; i < NSINKS; i++)
		if (sinks[i]->wanted(o) && sinks[i]->before)
			sinks[i]->before(o, cfg);
}

/* (out)'s line at the suite's end, on one line of the terminal. */
static void suite_line(struct report_opts *o, const struct outcome *out)
{
	char head[HEADLINE_MAX];
	int rank = status_rank(out->status);

	o->line[0] = '\0';
	if (rank == RANK_PASS || rank == RANK_SKIP)
		return;
	snprintf(o->line, sizeof o->line, "%s %s: %s", status_word(out->status),
		 out->cfg->name, report_headline(out, head, sizeof head));
	for (char *c = o->line; *c; c++)
		if ((unsigned char)*c < 0x20 || *c == 0x7f)
			*c = '?';
}

void report_outcome(struct report_opts *o, const struct outcome *out)
{
	o->index++;
	fflush(stdout);
	for (size_t i = 0; i < NSINKS; i++)
		if (sinks[i]->wanted(o))
			sinks[i]->outcome(o, out);
	if (o->suite)
		suite_line(o, out);
}

void report_finish(const struct report_opts *o, const size_t counts[RANK_COUNT])
{
	fflush(stdout);
	for (size_t i = 0; i < NSINKS; i++)
		if (sinks[i]->wanted(o) && sinks[i]->finish)
			sinks[i]->finish(o, counts);
}
