/* kvmrun: run each config through config -> plan -> vm -> run -> check. */
#include "kvmrun-config.h"

#include <err.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "check.h"
#include "config.h"
#include "disasm.h"
#include "explain.h"
#include "gdb.h"
#include "hostport.h"
#include "io.h"
#include "plan.h"
#include "report.h"
#include "run.h"
#include "sandbox.h"
#include "suite.h"
#include "vm.h"

struct options {
	char **configs;
	size_t nconfigs;
	char **sets;
	size_t nsets;
	bool check, quiet, trace, no_sandbox;
	const char *explain; /* NULL, "text" or "dot" */
	const char *json, *shard;
	const char *gdb; /* --gdb: wait for gdb there */
	unsigned jobs;
	struct report_opts report;
	struct suite suite;
	/* The config running now is this process's last: its VM is left
	 * for the kernel to tear down at exit. */
	bool last;
};

static void usage(FILE *f)
{
	fprintf(f,
		"usage: kvmrun [options] [-c] CONFIG.yaml|FOLDER ...\n"
		"  -c, --config FILE    run the config FILE (repeatable)\n"
		"  -n, --check          validate and plan only; no /dev/kvm\n"
		"  -e, --explain[=dot]  print the plan: memory map, GDT, page tables,\n"
		"                       registers bit by bit, KVM calls; no /dev/kvm;\n"
		"                       =dot: memory map and page tables for Graphviz\n"
		"  -s, --set KEY=VALUE  override a config value by dotted path\n"
		"  -t, --trace          one line per VM exit, then a table of exits\n"
		"      --tap            TAP version 13 on stdout: a test point per\n"
		"                       expectation, or per config when several\n"
		"      --json FILE      one JSON document per run to FILE (- for stdout)\n"
		"  -j, --jobs N         run N configs at a time, in child processes\n"
		"      --shard I/N      run only shard I of N (also Bazel's\n"
		"                       TEST_SHARD_INDEX and TEST_TOTAL_SHARDS)\n"
		"  -g, --gdb [HOST:]PORT  wait for gdb there before the first\n"
		"                       instruction (default 127.0.0.1:1234)\n"
		"      --no-sandbox     run without the seccomp filter\n"
		"  -q, --quiet          do not pass guest console output through\n"
		"  -h, --help           this help\n"
		"  -V, --version        the version\n"
		"See kvmrun(1) and kvmrun.yaml(5).\n");
}

static void push(char ***list, size_t *n, char *item)
{
	*list = realloc(*list, (*n + 1) * sizeof **list);
	if (!*list)
		err(EXIT_USAGE, "realloc");
	(*list)[(*n)++] = item;
}

enum { OPT_TAP = 256, OPT_JSON, OPT_SHARD, OPT_NO_SANDBOX };

static unsigned parse_jobs(const char *arg)
{
	char *end;
	unsigned long n = strtoul(arg, &end, 10);

	if (end == arg || *end || n < 1 || n > 1024) {
		fprintf(stderr, "kvmrun: --jobs %s: wanted a number from 1 to "
			"1024\n", arg);
		exit(EXIT_USAGE);
	}
	return (unsigned)n;
}

#define GDB_DEFAULT HOSTPORT_DEFAULT_HOST ":1234"

/* --gdb's address: its =VALUE, or the next word when it is a port or
 * HOST:PORT rather than a config, or the default. */
static const char *gdb_address(const char *arg, int argc, char **argv)
{
	char host[256], port[8];
	const char *why;

	if (!arg && optind < argc && access(argv[optind], F_OK) != 0 &&
	    hostport_parse(argv[optind], host, sizeof host, port, sizeof port, &why))
		arg = argv[optind++];
	if (!arg)
		return GDB_DEFAULT;
	struct sockaddr_storage sa;
	socklen_t salen;
	if (!hostport_parse(arg, host, sizeof host, port, sizeof port, &why)) {
		fprintf(stderr, "kvmrun: --gdb %s: %s\n", arg, why);
		exit(EXIT_USAGE);
	}
	if (!hostport_sockaddr(host, port, &sa, &salen)) {
		fprintf(stderr, "kvmrun: --gdb %s: %s, found '%s'\n", arg,
			HOSTPORT_WANTED_HOST, host);
		exit(EXIT_USAGE);
	}
	return arg;
}

static void parse_options(int argc, char **argv, struct options *o)
{
	static const struct option longopts[] = {
		{ "tap", no_argument, NULL, OPT_TAP },
		{ "json", required_argument, NULL, OPT_JSON },
		{ "shard", required_argument, NULL, OPT_SHARD },
		{ "no-sandbox", no_argument, NULL, OPT_NO_SANDBOX },
		{ "gdb", optional_argument, NULL, 'g' },
		{ "jobs", required_argument, NULL, 'j' },
		{ "config", required_argument, NULL, 'c' },
		{ "check", no_argument, NULL, 'n' },
		{ "explain", optional_argument, NULL, 'e' },
		{ "set", required_argument, NULL, 's' },
		{ "trace", no_argument, NULL, 't' },
		{ "quiet", no_argument, NULL, 'q' },
		{ "help", no_argument, NULL, 'h' },
		{ "version", no_argument, NULL, 'V' },
		{ NULL, 0, NULL, 0 },
	};
	int c;

	while ((c = getopt_long(argc, argv, "c:ne::g::s:tqj:hV", longopts, NULL)) != -1) {
		switch (c) {
		case 'c': push(&o->configs, &o->nconfigs, optarg); break;
		case 'n': o->check = true; break;
		case 'e':
			o->explain = optarg ? optarg : "text";
			if (strcmp(o->explain, "text") && strcmp(o->explain, "dot")) {
				fprintf(stderr, "kvmrun: --explain=%s: wanted text "
					"or dot\n", o->explain);
				exit(EXIT_USAGE);
			}
			break;
		case 's': push(&o->sets, &o->nsets, optarg); break;
		case 't': o->trace = true; break;
		case 'q': o->quiet = true; break;
		case OPT_TAP: o->report.tap = true; break;
		case OPT_JSON: o->json = optarg; break;
		case OPT_SHARD: o->shard = optarg; break;
		case OPT_NO_SANDBOX: o->no_sandbox = true; break;
		case 'j': o->jobs = parse_jobs(optarg); break;
		case 'g': o->gdb = gdb_address(optarg, argc, argv); break;
		case 'h': usage(stdout); exit(EXIT_PASS);
		case 'V':
			printf("kvmrun %s (disassembler: %s, sandbox: %s)\n",
			       PACKAGE_VERSION, disasm_available ? "zydis" : "none",
			       sandbox_available ? "seccomp" : "none");
			exit(EXIT_PASS);
		default: usage(stderr); exit(EXIT_USAGE);
		}
	}
	for (int i = optind; i < argc; i++)
		push(&o->configs, &o->nconfigs, argv[i]);
	if (o->nconfigs == 0) {
		fprintf(stderr, "kvmrun: no config given\n");
		usage(stderr);
		exit(EXIT_USAGE);
	}
	if (o->gdb && (o->nconfigs > 1 || o->jobs > 1)) {
		fprintf(stderr, "kvmrun: --gdb debugs one config, without -j\n");
		exit(EXIT_USAGE);
	}
}

/* Create the VM, run the guest, check what it left, report. */
static int execute(const struct plan *p, struct options *o,
		   struct outcome *out)
{
	struct vm vm;
	struct io_table io;
	struct verdicts v;
	/* TAP and JSON on stdout keep the guest's console off it. */
	struct result res = { .quiet = o->quiet || o->report.tap ||
				       o->report.json == stdout,
			      .trace = o->trace };

	out->status = vm_create(&vm, p, NULL);
	if (out->status) {
		out->why = vm.why;
		report_outcome(&o->report, out);
		vm_destroy(&vm);
		return out->status;
	}
	char why[300];
	/* A config's debug.gdb applies when it runs alone: a suite of them
	 * must not stop and wait. */
	const char *gdb_addr = o->gdb ? o->gdb
			       : o->report.suite ? NULL : p->cfg->gdb;
	struct gdb *gdb = NULL;
	struct run run;
	bool prepared = false;
	io_register(&io, p->cfg, vm.fd);
	if (gdb_addr && vm.ncpus > 1) {
		snprintf(why, sizeof why, "the gdb stub debugs one vCPU, and "
			 "cpu.count is %zu", vm.ncpus);
		out->status = EXIT_USAGE;
	} else if ((gdb_addr && !(gdb = gdb_accept(gdb_addr, p->cfg->name, vm.kvm, why, sizeof why))) ||
		   !(prepared = run_prepare(&run, &vm, p->cfg, &io, &res, why, sizeof why) == 0) ||
		   (!o->no_sandbox && sandbox_enter(vm.kvm, vm.fd, vm.vcpu_base,
						    vm.vcpu_mask, why, sizeof why) < 0)) {
		out->status = EXIT_GUEST;
	}
	if (out->status)
		out->why = why;
	else if ((out->status = vm_set_cpu(&vm, p)) != 0)
		out->why = vm.why;
	if (out->status) {
		report_outcome(&o->report, out);
		if (prepared)
			run_cancel(&run);
		gdb_close(gdb);
		io_free(&io);
		vm_destroy(&vm);
		return out->status;
	}
	if (o->trace)
		run.trace_exit = report_trace_exit;
	run_guest(&run, gdb);
	gdb_close(gdb);
	check_run(p->cfg, &res, &vm, &v);
	out->status = check_exit_status(&v);
	out->vm = &vm;
	out->res = &res;
	out->v = &v;
	report_outcome(&o->report, out);
	check_free(&v);
	io_free(&io);
	if (o->last)
		vm_destroy_at_exit(&vm);
	else
		vm_destroy(&vm);
	result_free(&res);
	return out->status;
}

/* What to do with a valid plan: draw it, explain it, check it or run it. */
static void act(struct plan *p, struct options *o, struct outcome *out)
{
	if (o->explain && strcmp(o->explain, "dot") == 0) {
		explain_dot(stdout, p);
		out->status = EXIT_PASS;
	} else if (o->explain) {
		/* Silent when it worked: the explanation is the output. */
		out->status = explain_plan(stdout, p);
		if (out->status)
			report_outcome(&o->report, out);
	} else if (o->check) {
		out->status = EXIT_PASS;
		report_outcome(&o->report, out);
	} else {
		execute(p, o, out);
	}
}

static int run_config(const char *file, struct options *o)
{
	struct config *cfg = cfg_load(file, o->sets, o->nsets);
	struct outcome out = { .cfg = cfg, .status = EXIT_USAGE };
	struct plan p;

	if (cfg->diag.count == 0) {
		if (plan_build(&p, cfg)) {
			out.plan = &p;
			act(&p, o, &out);
		} else {
			report_outcome(&o->report, &out);
		}
		plan_free(&p);
	} else {
		report_outcome(&o->report, &out);
	}
	cfg_free(cfg);
	return out.status;
}

static int run_one(void *ctx, size_t index, FILE *json, bool last)
{
	struct options *o = ctx;

	o->last = last;
	o->report.json = json;
	o->report.index = index;
	return run_config(o->suite.configs[index], o);
}

/* A folder, several files or a shard make a suite: one verdict per
 * config and a summary. */
static bool is_suite(const struct options *o)
{
	return o->nconfigs != o->suite.count || o->nconfigs > 1 || o->shard ||
	       getenv("TEST_TOTAL_SHARDS");
}

/* Run the suite; returns its status (status_of_suite). */
static int run_suite(struct options *o, FILE *json)
{
	size_t counts[RANK_COUNT] = { 0 };
	int *status = calloc(o->suite.count + 1, sizeof *status);

	if (!status)
		err(EXIT_USAGE, "calloc");
	o->report.json = json;
	o->report.suite = is_suite(o);
	report_start(&o->report, o->suite.count);
	/* KVM's answers that every VM shares are asked once. A host without
	 * KVM is not an error here: each config then says so itself. */
	char why[512];
	if (o->suite.count > 1 && !o->explain && !o->check)
		(void)vm_host_prepare(why, sizeof why);
	else if (o->suite.count == 1 && !o->explain && !o->check)
		vm_host_prefetch();
	/* A sandbox stays for the life of a process: one config each. */
	bool isolate = sandbox_available && !o->no_sandbox && !o->explain &&
		       !o->check;
	suite_run(&o->suite, o->jobs, isolate, json, run_one, o, status);
	for (size_t i = 0; i < o->suite.count; i++)
		counts[status_rank(status[i])]++;
	report_finish(&o->report, counts);
	free(status);
	return status_of_suite(counts);
}

int main(int argc, char **argv)
{
	struct options o = { .jobs = 1 };
	int worst = EXIT_USAGE;
	FILE *json = NULL;

	/* Guest output is buffered, and flushed at each newline on a
	 * terminal; decided now, before any sandbox. */
	static char out_buf[1 << 16];
	setvbuf(stdout, out_buf, isatty(STDOUT_FILENO) ? _IOLBF : _IOFBF,
		sizeof out_buf);
	parse_options(argc, argv, &o);
	if (!suite_expand(&o.suite, o.configs, o.nconfigs) ||
	    !suite_shard(&o.suite, o.shard))
		goto out;
	if (o.json) {
		json = strcmp(o.json, "-") == 0 ? stdout : fopen(o.json, "w");
		if (!json) {
			warn("--json %s", o.json);
			goto out;
		}
	}
	worst = run_suite(&o, json);
	if (json && json != stdout && fclose(json) != 0) {
		warn("--json %s", o.json);
		worst = EXIT_USAGE;
	}
	/* Under TAP a skip is reported in the stream; harnesses such as
	 * Automake's tap-driver count a status of 77 as an error. */
	if (o.report.tap && worst == EXIT_SKIP)
		worst = EXIT_PASS;
out:
	suite_free(&o.suite);
	free(o.configs);
	free(o.sets);
	return worst;
}
