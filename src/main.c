/* kvmrun: run each config through config -> plan -> vm -> run -> check. */
#include "kvmrun-config.h"

#include <err.h>
#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "autoconfig.h"
#include "check.h"
#include "config.h"
#include "console.h"
#include "disasm.h"
#include "engine_env.h"
#include "escape.h"
#include "explain.h"
#include "gdb.h"
#include "host.h"
#include "hostport.h"
#include "io.h"
#include "output.h"
#include "plan.h"
#include "report.h"
#include "run.h"
#include "sandbox.h"
#include "signals.h"
#include "suite.h"
#include "vm.h"

struct options {
	char **configs;
	size_t nconfigs;
	char **sets;
	size_t nsets;
	char **only; /* --only: shell patterns of the configs to run */
	size_t nonly;
	bool check, quiet, trace, no_sandbox;
	bool list;    /* --list: name the configs, run none */
	bool no_skip; /* --no-skip: a config that cannot run here is an error */
	bool print_config; /* --print-config: the config of an image, shown */
	bool host;         /* --host: what this machine's KVM can do */
	const char *explain; /* NULL, "text" or "dot" */
	const char *json, *junit, *shard;
	const char *gdb; /* --gdb: wait for gdb there */
	char *gdb_set;   /* --gdb as the override debug.gdb=ADDRESS */
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
		"usage: kvmrun [options] [-c] CONFIG.yaml|FOLDER|IMAGE.elf ...\n"
		"  an ELF IMAGE runs without a config: console on port 0xe9, COM1,\n"
		"  exit port 0xf4 (--print-config shows the config it makes)\n"
		"  -c, --config FILE    run the config FILE (repeatable; - for\n"
		"                       standard input)\n"
		"  -n, --check          validate and plan only; no /dev/kvm\n"
		"  -e, --explain[=dot]  print the plan: memory map, GDT, page tables,\n"
		"                       registers bit by bit, KVM calls; no /dev/kvm;\n"
		"                       =dot: memory map and page tables for Graphviz\n"
		"  -s, --set KEY=VALUE  override a config value by dotted path\n"
		"  -t, --trace          one line per VM exit, then a table of exits\n"
		"      --tap            TAP version 13 on stdout: a test point per\n"
		"                       expectation, or per config when several\n"
		"      --json FILE      one JSON document per run to FILE (- for stdout)\n"
		"      --junit FILE     JUnit XML: a test case per config, to FILE\n"
		"                       (- for stdout)\n"
		"      --log-dir DIR    each config's report and console in files\n"
		"                       DIR/NAME.log and DIR/NAME.console\n"
		"  -j, --jobs N         run N configs at a time, in child processes\n"
		"      --shard I/N      run only shard I of N (also Bazel's\n"
		"                       TEST_SHARD_INDEX and TEST_TOTAL_SHARDS)\n"
		"      --shard auto[/N] the shard GitLab, Buildkite, CircleCI or a\n"
		"                       Kubernetes Indexed Job names (kvmrun(1))\n"
		"      --only GLOB      run only the configs whose file name (less\n"
		"                       .yaml) or path matches GLOB (repeatable)\n"
		"      --list           print the configs that would run; run none\n"		"      --print-config   print the config made for each IMAGE.elf;\n"
		"                       run none\n"
		"      --no-skip        a config this host cannot run is an error\n"
		"                       (exit 3), not a skip: for CI\n"
		"  -g, --gdb [HOST:]PORT  wait for gdb there before the first\n"
		"                       instruction (default 127.0.0.1:1234)\n"
		"      --no-sandbox     run without the seccomp filter\n"
		"  -q, --quiet          do not pass guest console output through\n"
		"      --host [CAP...]  what this machine's KVM can do, a line a\n"
		"                       capability; exit 77 if guests cannot run\n"
		"                       or a named CAP is missing\n"
		"  -h, --help           this help\n"
		"  -V, --version        the version\n"
		"Exit status: 0 passed, 1 an expectation failed, 2 usage or\n"
		"config error, 3 the guest or VM failed, 4 an output was lost,\n"
		"77 skipped (this host cannot run it); a suite: the worst.\n"
		"See kvmrun(1) and kvmrun.yaml(5).\n");
}

static void push(char ***list, size_t *n, char *item)
{
	*list = realloc(*list, (*n + 1) * sizeof **list);
	if (!*list)
		err(EXIT_USAGE, "realloc");
	(*list)[(*n)++] = item;
}

enum { OPT_TAP = 256, OPT_JSON, OPT_SHARD, OPT_NO_SANDBOX, OPT_ONLY,
       OPT_LIST, OPT_NO_SKIP, OPT_JUNIT, OPT_PRINT_CONFIG, OPT_LOG_DIR, OPT_HOST };

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

/* --gdb as the override debug.gdb=ADDRESS, the last one given. */
static void set_gdb(struct options *o)
{
	char *set;

	if (asprintf(&set, "debug.gdb=%s", o->gdb) < 0)
		err(EXIT_USAGE, "asprintf");
	for (size_t i = 0; i < o->nsets; i++)
		if (o->sets[i] == o->gdb_set)
			o->sets[i] = set;
	if (!o->gdb_set)
		push(&o->sets, &o->nsets, set);
	free(o->gdb_set);
	o->gdb_set = set;
}

static void parse_options(int argc, char **argv, struct options *o)
{
	static const struct option longopts[] = {
		{ "tap", no_argument, NULL, OPT_TAP },
		{ "json", required_argument, NULL, OPT_JSON },
		{ "junit", required_argument, NULL, OPT_JUNIT },
		{ "log-dir", required_argument, NULL, OPT_LOG_DIR },
		{ "shard", required_argument, NULL, OPT_SHARD },
		{ "no-sandbox", no_argument, NULL, OPT_NO_SANDBOX },
		{ "only", required_argument, NULL, OPT_ONLY },
		{ "list", no_argument, NULL, OPT_LIST },
		{ "no-skip", no_argument, NULL, OPT_NO_SKIP },
		{ "print-config", no_argument, NULL, OPT_PRINT_CONFIG },
		{ "host", no_argument, NULL, OPT_HOST },
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
		case OPT_JUNIT: o->junit = optarg; break;
		case OPT_LOG_DIR: o->report.log_dir = optarg; break;
		case OPT_SHARD: o->shard = optarg; break;
		case OPT_NO_SANDBOX: o->no_sandbox = true; break;
		case OPT_ONLY: push(&o->only, &o->nonly, optarg); break;
		case OPT_LIST: o->list = true; break;
		case OPT_NO_SKIP: o->no_skip = true; break;
		case OPT_PRINT_CONFIG: o->print_config = true; break;
		case OPT_HOST: o->host = true; break;
		case 'j': o->jobs = parse_jobs(optarg); break;
		case 'g':
			/* As debug.gdb, so that the config's checks see it. */
			o->gdb = gdb_address(optarg, argc, argv);
			set_gdb(o);
			break;
		case 'h': usage(stdout); exit(EXIT_PASS);
		case 'V':
			printf("kvmrun %s (disassembler: %s, sandbox: %s)\n",
			       PACKAGE_VERSION, disasm_name ? disasm_name : "none",
			       sandbox_available ? "seccomp" : "none");
			exit(EXIT_PASS);
		default: usage(stderr); exit(EXIT_USAGE);
		}
	}
	for (int i = optind; i < argc; i++)
		push(&o->configs, &o->nconfigs, argv[i]);
	if (o->nconfigs == 0 && !o->host) {
		fprintf(stderr, "kvmrun: no config given\n");
		usage(stderr);
		exit(EXIT_USAGE);
	}
	if (o->gdb && (o->nconfigs > 1 || o->jobs > 1)) {
		fprintf(stderr, "kvmrun: --gdb debugs one config, without -j\n");
		exit(EXIT_USAGE);
	}
}

/* What a run holds between the VM's creation and its release. */
struct session {
	struct vm vm;
	struct io_table io;
	struct run run;
	struct gdb *gdb;
	bool prepared; /* run_prepare started the vCPU threads */
	char why[512];
};

/* After vm_create: wait for gdb if asked, start the vCPU threads, enter
 * the sandbox, give the vCPUs their CPUID. 0, or a status with (why). */
static int start(struct session *s, const struct plan *p,
		 const struct options *o, struct result *res)
{
	/* A config's debug.gdb applies when it runs alone: a suite of them
	 * must not stop and wait. */
	const char *gdb_addr = o->gdb ? o->gdb
			       : o->report.suite ? NULL : p->cfg->gdb;

	/* At a terminal, gdb may take its time; a harness must not hang. */
	uint64_t wait = p->cfg->gdb_wait_ns;
	if (!wait && !(isatty(STDIN_FILENO) && isatty(STDOUT_FILENO)))
		wait = GDB_WAIT_DEFAULT_NS;
	if (gdb_addr && !(s->gdb = gdb_accept(gdb_addr, p->cfg->name, wait,
					      s->why, sizeof s->why)))
		return EXIT_GUEST;
	if (run_prepare(&s->run, &s->vm, p, &s->io, res, s->why,
			sizeof s->why) != 0)
		return EXIT_GUEST;
	s->prepared = true;
	if (o->trace)
		s->run.trace_exit = report_trace_exit;
	if (!o->no_sandbox && sandbox_enter(s->vm.kvm, s->vm.fd, s->vm.vcpu_base,
					    s->vm.vcpu_mask, s->why,
					    sizeof s->why) < 0)
		return EXIT_GUEST;
	int status = vm_set_cpu(&s->vm, p);
	if (status)
		snprintf(s->why, sizeof s->why, "%s", s->vm.why);
	return status;
}

/* Create the VM, run the guest, check what it left, release the VM and
 * report: the report needs only the result. */
static void execute(const struct plan *p, const struct options *o,
		    struct report_opts *report, struct outcome *out)
{
	struct session s = { .gdb = NULL };
	struct verdicts v = { .v = NULL };
	/* TAP and JSON on stdout keep the guest's console off it. */
	struct result res = { .quiet = o->quiet || report->tap ||
				       report->json == stdout ||
				       report->junit_file == stdout,
			      .trace = o->trace,
			      .label = o->jobs > 1 ? p->cfg->name : NULL };

	out->status = vm_create(&s.vm, p, NULL);
	io_register(&s.io, p, s.vm.fd);
	if (out->status)
		snprintf(s.why, sizeof s.why, "%s", s.vm.why);
	else
		out->status = start(&s, p, o, &res);
	if (out->status == 0) {
		run_guest(&s.run, s.gdb);
		console_finish(&res);
		check_run(&p->cfg->expect, &res, &v);
		out->status = check_exit_status(&v);
		out->res = &res;
		out->v = &v;
		if (v.skipped) {
			snprintf(s.why, sizeof s.why, "the guest reported a skip "
				 "(status %llu, expect.skip-status)",
				 (unsigned long long)res.status);
			out->why = s.why;
		}
	} else {
		out->why = s.why;
		if (s.prepared)
			run_cancel(&s.run);
	}
	/* A call kvmrun made and the sandbox refused: its own error. */
	if (sandbox_refused(s.why, sizeof s.why)) {
		out->status = EXIT_GUEST;
		out->why = s.why;
	}
	gdb_close(s.gdb);
	io_free(&s.io);
	if (o->last)
		vm_destroy_at_exit(&s.vm);
	else
		vm_destroy(&s.vm);
	/* CI asked that nothing be skipped: the reason stays, as an error. */
	if (o->no_skip && out->status == EXIT_SKIP)
		out->status = EXIT_GUEST;
	report_outcome(report, out);
	check_free(&v);
	result_free(&res);
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
		execute(p, o, &o->report, out);
	}
}

/* The config (file), or the one kvmrun makes when (file) is an image
 * rather than a config (kvmrun guest.elf). */
static struct config *load_config(const char *file, const struct options *o)
{
	char why[300];
	char *text;

	if (!autoconfig_is_image(file))
		return cfg_load(file, o->sets, o->nsets);
	if (!(text = autoconfig_yaml(file, why, sizeof why)))
		return cfg_problem(file, "an ELF, which kvmrun would run without "
				   "a config, but %s", why);
	struct config *cfg = cfg_load_text(file, text, strlen(text), o->sets,
					   o->nsets);
	free(text);
	return cfg;
}

/* --print-config: the config kvmrun makes for each image. */
static int print_configs(const struct suite *s)
{
	char why[300];

	for (size_t i = 0; i < s->count; i++) {
		const char *file = s->configs[i];
		bool image = autoconfig_is_image(file);
		char *text = image ? autoconfig_yaml(file, why, sizeof why) : NULL;
		if (!text) {
			char *shown = escape_name(file);
			fprintf(stderr, "kvmrun: %s: %s\n", shown, image ? why
				: "not an ELF image: --print-config writes the "
				  "config of an image");
			free(shown);
			return EXIT_USAGE;
		}
		fputs(text, stdout);
		free(text);
	}
	return fflush(stdout) == 0 ? EXIT_PASS : EXIT_OUTPUT;
}

static int run_config(const char *file, struct options *o)
{
	struct config *cfg = load_config(file, o);
	struct outcome out = { .cfg = cfg, .status = EXIT_USAGE };
	struct plan p;

	o->report.lost = false;
	if (cfg->diag.count == 0) {
		bool planned = plan_build(&p, cfg);
		out.plan_diag = &p.diag;
		/* What the reports need opened before the sandbox, when a
		 * guest will run. */
		if (planned && !o->explain && !o->check)
			report_before(&o->report, cfg);
		if (planned) {
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

_Static_assert(REPORT_LINE == SUITE_LINE, "a config's line at the suite's end");

static int run_one(void *ctx, size_t index, const struct suite_streams *st,
		   bool last, bool *lost, char line[SUITE_LINE])
{
	struct options *o = ctx;

	o->last = last;
	o->report.json = st->json;
	o->report.junit = st->junit;
	o->report.index = index;
	int status = run_config(o->suite.configs[index], o);
	*lost |= o->report.lost;
	memcpy(line, o->report.line, SUITE_LINE);
	return status;
}

/* Config (index) has no verdict of its own (why): report it as an error,
 * under its name, in every format. */
static void report_lost(void *ctx, size_t index, const struct suite_streams *st,
			const char *why, char line[SUITE_LINE])
{
	struct options *o = ctx;
	struct config *cfg = load_config(o->suite.configs[index], o);
	struct outcome out = { .cfg = cfg, .why = why, .status = EXIT_GUEST };

	o->report.json = st->json;
	o->report.junit = st->junit;
	o->report.index = index;
	/* No report_before: what the child left in --log-dir (its guest's
	 * console) stays, and only its report is replaced. */
	report_outcome(&o->report, &out);
	memcpy(line, o->report.line, SUITE_LINE);
	cfg_free(cfg);
}

/* A folder, several files or a shard make a suite: one verdict per
 * config and a summary. */
static bool is_suite(const struct options *o)
{
	return o->nconfigs != o->suite.count || o->nconfigs > 1 || o->shard ||
	       getenv("TEST_TOTAL_SHARDS");
}

/* Run the suite; returns its status (status_of_suite, or 4 when a
 * report was lost). */
static int run_suite(struct options *o, const struct suite_streams *st)
{
	size_t counts[RANK_COUNT] = { 0 };
	int *status = calloc(o->suite.count + 1, sizeof *status);
	/* One config: its line is never shown, and no allocation is made
	 * before its first KVM call. */
	char one[1][SUITE_LINE];
	char (*lines)[SUITE_LINE] = o->suite.count > 1
		? calloc(o->suite.count, SUITE_LINE) : one;

	if (!status || !lines)
		err(EXIT_USAGE, "calloc");
	o->report.json = st->json;
	o->report.junit = st->junit;
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
	bool lost = false;
	suite_run(&o->suite, o->jobs, isolate, st, run_one, report_lost, o,
		  status, lines, &lost);
	lost |= o->report.lost; /* the reports of configs whose child died */
	/* The children wrote theirs; the finish is the parent's. */
	o->report.json = st->json;
	o->report.junit = st->junit;
	for (size_t i = 0; i < o->suite.count; i++)
		counts[status_rank(status[i])]++;
	o->report.lines = (const char (*)[REPORT_LINE])lines;
	report_finish(&o->report, counts);
	o->report.lines = NULL;
	if (lines != one)
		free(lines);
	free(status);
	/* A report that could not be written (--log-dir) is lost output,
	 * unless the suite's status says more. */
	int worst = status_of_suite(counts);
	if (lost && worst != EXIT_USAGE && worst != EXIT_GUEST)
		worst = EXIT_OUTPUT;
	return worst;
}

/* --log-dir DIR: made if it is missing; false, said, if it is no
 * folder kvmrun can write in. */
static bool log_dir_ready(const char *dir)
{
	struct stat st;

	if (mkdir(dir, 0777) != 0 && errno != EEXIST) {
		warn("--log-dir %s", dir);
		return false;
	}
	errno = 0;
	if (stat(dir, &st) != 0 || !S_ISDIR(st.st_mode) ||
	    access(dir, W_OK | X_OK) != 0) {
		fprintf(stderr, "kvmrun: --log-dir %s: %s\n", dir,
			errno ? strerror(errno) : "not a folder");
		return false;
	}
	return true;
}

/* Output (path) of option (opt), '-' for standard output; opened but
 * not yet truncated, so that a refusal (same_output) harms nothing.
 * NULL, said, if it cannot be. */
static FILE *open_output(const char *opt, const char *path)
{
	if (strcmp(path, "-") == 0)
		return stdout;
	int fd = open(path, O_WRONLY | O_CREAT | O_CLOEXEC, 0666);
	FILE *f = fd >= 0 ? fdopen(fd, "w") : NULL;

	if (!f) {
		warn("%s %s", opt, path);
		if (fd >= 0)
			close(fd);
	}
	return f;
}

/* Do (a) and (b) write to one file, so that two sinks would mix? A
 * terminal or /dev/null may take both. */
static bool same_output(FILE *a, FILE *b)
{
	struct stat sa, sb;

	if (!a || !b)
		return false;
	if (a == b)
		return true;
	return fstat(fileno(a), &sa) == 0 && fstat(fileno(b), &sb) == 0 &&
	       sa.st_dev == sb.st_dev && sa.st_ino == sb.st_ino &&
	       !S_ISCHR(sa.st_mode);
}

/* --json and --junit opened, each to a file of its own ('-': standard
 * output, where --tap writes too); false, said, if they cannot be. */
static bool open_outputs(struct options *o, struct suite_streams *st)
{
	static const char *const opt[3] = { "--tap", "--json", "--junit" };
	const char *path[3] = { "", o->json, o->junit };
	FILE *f[3] = { o->report.tap ? stdout : NULL, NULL, NULL };

	for (int i = 1; i < 3; i++)
		if (path[i] && !(f[i] = open_output(opt[i], path[i])))
			return false;
	st->json = f[1];
	o->report.junit_file = f[2];
	for (int i = 0; i < 3; i++)
		for (int j = i + 1; j < 3; j++)
			if (same_output(f[i], f[j])) {
				fprintf(stderr, "kvmrun: %s%s%s and %s %s: one "
					"file for two reports; give each its "
					"own\n", opt[i], *path[i] ? " " : "",
					path[i], opt[j], path[j]);
				return false;
			}
	for (int i = 1; i < 3; i++) {
		struct stat sb;
		if (f[i] && f[i] != stdout && fstat(fileno(f[i]), &sb) == 0 &&
		    S_ISREG(sb.st_mode) && ftruncate(fileno(f[i]), 0) != 0) {
			warn("%s %s", opt[i], path[i]);
			return false;
		}
	}
	/* JUnit's counts come first: the test cases wait in a temporary
	 * file until the end. */
	if (o->junit && !(st->junit = output_tmpfile())) {
		warn("--junit %s: a temporary file", o->junit);
		return false;
	}
	return true;
}

/* What the engine running kvmrun asks in its environment (Bazel's
 * test protocol, see engine_env.h), where the options are silent. */
static void engine_options(struct options *o, struct engine_asks *a)
{
	engine_asks(a);
	if (!o->junit)
		o->junit = a->junit;
	if (!o->report.log_dir)
		o->report.log_dir = a->log_dir;
	if (!o->nonly)
		for (size_t i = 0; i < a->nonly; i++)
			push(&o->only, &o->nonly, a->only[i]);
}

/* --shard, or the shard an engine's variables name; the run's first
 * line says which. */
static bool shard(struct options *o)
{
	char buf[48];
	bool ok;
	size_t all = o->suite.count;
	const char *spec = engine_shard_spec(o->shard, buf, sizeof buf, &ok);

	if (!ok || !suite_shard(&o->suite, spec))
		return false;
	engine_shard_say(o->shard, o->suite.count, all);
	engine_shard_name(spec, o->report.junit_name,
			  sizeof o->report.junit_name);
	return true;
}

/* Standard output was closed when kvmrun started. */
static bool stdout_was_closed;

/* Open a stand-in on whichever of 0, 1 and 2 is closed, so that no file
 * kvmrun opens (a --json file) takes their place and receives the
 * console or the messages: /dev/null, but /dev/full for standard output,
 * so that what is written there counts as lost. */
static void open_standard_fds(void)
{
	static const char *const standin[] = { "/dev/null", "/dev/full",
						"/dev/null" };

	for (int fd = 0; fd <= 2; fd++) {
		if (fcntl(fd, F_GETFD) >= 0 || errno != EBADF)
			continue;
		stdout_was_closed |= fd == STDOUT_FILENO;
		if (open(standin[fd], fd ? O_WRONLY : O_RDONLY) != fd)
			_exit(EXIT_USAGE); /* nowhere to say it */
	}
}

/* Flush and close (f), named (what); false, with a message, if any of
 * what was written to it was lost (a full disk, a closed pipe). */
static bool close_output(FILE *f, const char *what)
{
	int lost = output_close(f);

	if (lost)
		fprintf(stderr, "kvmrun: %s: output lost: %s\n", what,
			f == stdout && stdout_was_closed
				? "it was closed when kvmrun started"
				: strerror(lost));
	return !lost;
}

/* The status once every output is closed: 4 when one was lost, unless
 * nothing ran or the guest failed, which say more. */
static int finish_outputs(int worst, const struct options *o,
			  const struct suite_streams *st)
{
	bool ok = true;

	if (st->json && st->json != stdout)
		ok &= close_output(st->json, o->json);
	if (st->junit)
		fclose(st->junit); /* a temporary file: its bytes are copied */
	if (o->report.junit_file && o->report.junit_file != stdout)
		ok &= close_output(o->report.junit_file, o->junit);
	ok &= close_output(stdout, "standard output");
	if (!ok && worst != EXIT_USAGE && worst != EXIT_GUEST)
		worst = EXIT_OUTPUT;
	return worst;
}

/* kvmrun --host [--json FILE] [CAPABILITY...]: the arguments name
 * capabilities, not configs. */
static int host_main(const struct options *o)
{
	FILE *json = NULL;

	if (o->json && !(json = strcmp(o->json, "-") == 0 ? stdout
					: fopen(o->json, "w"))) {
		warn("--json %s", o->json);
		return EXIT_USAGE;
	}
	int status = host_report(o->configs, (int)o->nconfigs,
				 json == stdout ? stderr : stdout, json);
	if (json && json != stdout && fclose(json) != 0) {
		warn("--json %s", o->json);
		status = EXIT_OUTPUT;
	}
	if (fflush(stdout) != 0)
		status = EXIT_OUTPUT;
	return status;
}

int main(int argc, char **argv)
{
	struct options o = { .jobs = 1 };
	int worst = EXIT_USAGE;
	struct suite_streams st = { NULL, NULL };
	struct engine_asks asks = { .only = NULL };

	open_standard_fds();
	/* A closed pipe is an error to report, not a death: the verdict
	 * still goes to stderr and the JSON to its file. */
	signal(SIGPIPE, SIG_IGN);

	/* Guest output is buffered, and flushed at each newline on a
	 * terminal; decided now, before any sandbox. */
	static char out_buf[1 << 16];
	setvbuf(stdout, out_buf, isatty(STDOUT_FILENO) ? _IOLBF : _IOFBF,
		sizeof out_buf);
	parse_options(argc, argv, &o);
	if (o.host) {
		worst = host_main(&o);
		goto out;
	}
	engine_options(&o, &asks);
	if (!engine_start() ||
	    !suite_expand(&o.suite, o.configs, o.nconfigs) ||
	    !suite_select(&o.suite, o.only, o.nonly) || !shard(&o))
		goto out;
	if (o.list) {
		suite_list(&o.suite);
		worst = EXIT_PASS;
		goto out;
	}
	if (o.print_config) {
		worst = print_configs(&o.suite);
		goto out;
	}
	if (o.report.log_dir && !log_dir_ready(o.report.log_dir))
		goto out;
	if (!open_outputs(&o, &st))
		goto out;
	/* From here a signal stops the runs, and every config is still
	 * reported before kvmrun ends by it. */
	signals_catch(true);
	worst = run_suite(&o, &st);
	/* Under TAP a skip is reported in the stream; harnesses such as
	 * Automake's tap-driver count a status of 77 as an error. */
	if (o.report.tap && worst == EXIT_SKIP)
		worst = EXIT_PASS;
out:
	worst = finish_outputs(worst, &o, &st);
	/* Stopped by a signal, the run did not finish: Bazel's premature
	 * exit file stays. */
	if (!signals_ending())
		worst = engine_finish(worst);
	engine_asks_free(&asks);
	suite_free(&o.suite);
	free(o.configs);
	free(o.sets);
	free(o.only);
	free(o.gdb_set);
	/* Stopped by a signal: end as signalled programs end (130 for
	 * SIGINT), now that everything is reported. */
	signals_end();
	return worst;
}
