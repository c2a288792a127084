/* kvmrun: run each config through config -> plan -> vm -> run -> check. */
#include "kvmrun-config.h"

#include <err.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "check.h"
#include "config.h"
#include "io.h"
#include "plan.h"
#include "report.h"
#include "run.h"
#include "vm.h"

struct options {
	char **configs;
	size_t nconfigs;
	char **sets;
	size_t nsets;
	bool check, quiet, trace;
};

static void usage(FILE *f)
{
	fprintf(f,
		"usage: kvmrun [options] [-c] CONFIG.yaml ...\n"
		"  -c, --config FILE    run the config FILE (repeatable)\n"
		"  -n, --check          validate and plan only; no /dev/kvm\n"
		"  -s, --set KEY=VALUE  override a config value by dotted path\n"
		"  -t, --trace          one line per VM exit, then a table of exits\n"
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

static void parse_options(int argc, char **argv, struct options *o)
{
	static const struct option longopts[] = {
		{ "config", required_argument, NULL, 'c' },
		{ "check", no_argument, NULL, 'n' },
		{ "set", required_argument, NULL, 's' },
		{ "trace", no_argument, NULL, 't' },
		{ "quiet", no_argument, NULL, 'q' },
		{ "help", no_argument, NULL, 'h' },
		{ "version", no_argument, NULL, 'V' },
		{ NULL, 0, NULL, 0 },
	};
	int c;

	while ((c = getopt_long(argc, argv, "c:ns:tqhV", longopts, NULL)) != -1) {
		switch (c) {
		case 'c': push(&o->configs, &o->nconfigs, optarg); break;
		case 'n': o->check = true; break;
		case 's': push(&o->sets, &o->nsets, optarg); break;
		case 't': o->trace = true; break;
		case 'q': o->quiet = true; break;
		case 'h': usage(stdout); exit(EXIT_PASS);
		case 'V': printf("kvmrun %s\n", PACKAGE_VERSION); exit(EXIT_PASS);
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
}

/* Create the VM, run the guest, check what it left. */
static int execute(const struct plan *p, const struct options *o,
		   struct result *res, bool *ran)
{
	struct vm vm;
	struct io_table io;
	struct verdicts v;

	int status = vm_create(&vm, p);
	if (status) {
		report_vm_error(p->cfg->name, status, vm.why);
		vm_destroy(&vm);
		return status;
	}
	*ran = true;
	io_register(&io, p->cfg);
	res->quiet = o->quiet;
	res->trace = o->trace;
	run_guest(&vm, p->cfg, &io, res);
	check_run(p->cfg, res, &vm, &v);
	report_run(p, &vm, res, &v);
	status = check_exit_status(&v);
	check_free(&v);
	io_free(&io);
	vm_destroy(&vm);
	return status;
}

static int run_config(const char *file, const struct options *o)
{
	struct config *cfg = cfg_load(file, o->sets, o->nsets);
	struct plan p;
	struct result res = { 0 };
	int status = EXIT_USAGE;
	bool ran = false;

	if (cfg->diag.count == 0) {
		if (plan_build(&p, cfg) && o->check) {
			report_valid(&p);
			status = EXIT_PASS;
		} else if (cfg->diag.count == 0) {
			status = execute(&p, o, &res, &ran);
		}
		plan_free(&p);
	}
	report_diag(&cfg->diag);
	if (!o->check || status != EXIT_PASS)
		report_verdict(cfg->name, status, ran ? &res : NULL);
	result_free(&res);
	cfg_free(cfg);
	return status;
}

/* Several configs exit with the worst status: 2, 3, 1, 77, then 0. */
static int severity(int status)
{
	switch (status) {
	case EXIT_PASS: return 0;
	case EXIT_SKIP: return 1;
	case EXIT_EXPECT: return 2;
	case EXIT_GUEST: return 3;
	default: return 4;
	}
}

int main(int argc, char **argv)
{
	struct options o = { 0 };
	size_t counts[5] = { 0 };
	int worst = EXIT_PASS;

	parse_options(argc, argv, &o);
	for (size_t i = 0; i < o.nconfigs; i++) {
		int status = run_config(o.configs[i], &o);
		counts[report_rank(status)]++;
		if (severity(status) > severity(worst))
			worst = status;
	}
	fflush(stdout);
	if (o.nconfigs > 1)
		report_summary(counts, o.nconfigs);
	free(o.configs);
	free(o.sets);
	return worst;
}
