/* Several configs as a suite: folders expanded, shards picked, runs in
 * parallel processes with their output kept in order. */
#include "kvmrun-config.h"

#include "suite.h"

#include <dirent.h>
#include <err.h>
#include <errno.h>
#include <fcntl.h>
#include <fnmatch.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <signal.h>
#include <stdint.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "output.h"
#include "run.h"
#include "status.h"

static void add(struct suite *s, char *name)
{
	s->configs = realloc(s->configs, (s->count + 1) * sizeof *s->configs);
	if (!s->configs)
		err(EXIT_USAGE, "realloc");
	s->configs[s->count++] = name;
}

static int by_name(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

static bool is_yaml(const char *name)
{
	size_t n = strlen(name);

	return (n > 5 && strcmp(name + n - 5, ".yaml") == 0) ||
	       (n > 4 && strcmp(name + n - 4, ".yml") == 0);
}

/* Add the *.yaml files of folder (dir), sorted. */
static bool add_folder(struct suite *s, const char *dir)
{
	DIR *d = opendir(dir);
	size_t first = s->count;
	struct dirent *e;

	if (!d) {
		fprintf(stderr, "kvmrun: %s: %s\n", dir, strerror(errno));
		return false;
	}
	while ((e = readdir(d))) {
		char *path;
		if (e->d_name[0] == '.' || !is_yaml(e->d_name))
			continue;
		if (asprintf(&path, "%s%s%s", dir,
			     dir[strlen(dir) - 1] == '/' ? "" : "/", e->d_name) < 0)
			err(EXIT_USAGE, "asprintf");
		add(s, path);
	}
	closedir(d);
	if (s->count == first) {
		fprintf(stderr, "kvmrun: %s: no .yaml config in this folder\n", dir);
		return false;
	}
	qsort(s->configs + first, s->count - first, sizeof *s->configs, by_name);
	return true;
}

bool suite_expand(struct suite *s, char *const *args, size_t nargs)
{
	bool ok = true;
	struct stat st;

	memset(s, 0, sizeof *s);
	for (size_t i = 0; i < nargs; i++) {
		if (stat(args[i], &st) == 0 && S_ISDIR(st.st_mode)) {
			ok &= add_folder(s, args[i]);
			continue;
		}
		char *name = strdup(args[i]);
		if (!name)
			err(EXIT_USAGE, "strdup");
		add(s, name);
	}
	return ok;
}

/* (s) as a whole decimal number. */
static bool parse_count(const char *s, unsigned long *out)
{
	char *end;

	if (*s < '0' || *s > '9')
		return false;
	errno = 0;
	*out = strtoul(s, &end, 10);
	return !*end && errno == 0;
}

static bool parse_shard(const char *spec, unsigned long *index,
			unsigned long *total)
{
	char *end;

	*index = strtoul(spec, &end, 10);
	if (end == spec || *end != '/')
		return false;
	const char *t = end + 1;
	*total = strtoul(t, &end, 10);
	return end != t && !*end && *total >= 1 && *index >= 1 &&
	       *index <= *total;
}

bool suite_shard(struct suite *s, const char *spec)
{
	unsigned long index, total;
	const char *bazel_total = getenv("TEST_TOTAL_SHARDS");

	if (spec) {
		if (!parse_shard(spec, &index, &total)) {
			fprintf(stderr, "kvmrun: --shard %s: wanted I/N with "
				"1 <= I <= N, such as 2/4\n", spec);
			return false;
		}
		index--;
	} else if (bazel_total && *bazel_total) {
		const char *bazel_index = getenv("TEST_SHARD_INDEX");
		/* Both whole decimal numbers: "xyz" is no shard 0. */
		if (!parse_count(bazel_total, &total) ||
		    !parse_count(bazel_index ? bazel_index : "", &index) ||
		    total < 1 || index >= total) {
			fprintf(stderr, "kvmrun: TEST_SHARD_INDEX=%s and "
				"TEST_TOTAL_SHARDS=%s do not name a shard\n",
				bazel_index ? bazel_index : "", bazel_total);
			return false;
		}
		/* Bazel asks a test runner to say that it shards. */
		const char *ack = getenv("TEST_SHARD_STATUS_FILE");
		FILE *f = ack && *ack ? fopen(ack, "a") : NULL;
		if (f)
			fclose(f);
	} else {
		return true;
	}
	size_t kept = 0;
	for (size_t k = 0; k < s->count; k++) {
		if (k % total == index)
			s->configs[kept++] = s->configs[k];
		else
			free(s->configs[k]);
	}
	s->count = kept;
	return true;
}

static bool matches(const char *path, char *const *globs, size_t nglobs)
{
	const char *base = strrchr(path, '/');
	char stem[256];

	snprintf(stem, sizeof stem, "%s", base ? base + 1 : path);
	char *dot = strrchr(stem, '.');
	if (dot && (strcmp(dot, ".yaml") == 0 || strcmp(dot, ".yml") == 0))
		*dot = '\0';
	for (size_t i = 0; i < nglobs; i++)
		if (fnmatch(globs[i], stem, 0) == 0 ||
		    fnmatch(globs[i], path, 0) == 0)
			return true;
	return false;
}

bool suite_select(struct suite *s, char *const *globs, size_t nglobs)
{
	size_t kept = 0;

	if (!nglobs)
		return true;
	for (size_t k = 0; k < s->count; k++) {
		if (matches(s->configs[k], globs, nglobs))
			s->configs[kept++] = s->configs[k];
		else
			free(s->configs[k]);
	}
	s->count = kept;
	if (kept)
		return true;
	fprintf(stderr, "kvmrun: --only %s%s: no config matches\n", globs[0],
		nglobs > 1 ? " ..." : "");
	return false;
}

/* ---- parallel runs ---- */

/*
 * Children exit one at a time. A child leaves its VM for the kernel to
 * tear down as it exits, and each teardown waits for an SRCU grace period
 * (mmu_notifier_unregister): alone, the kernel expedites it; when two
 * overlap, the second waits for a normal one, several milliseconds. That
 * made -j 2 up to 1.8 times slower than -j 1 on a suite of small configs.
 * Each exit takes a token from a pipe; the parent puts one back when it
 * has reaped a child, so at most one child is exiting at any time.
 */
struct gate {
	int take, give; /* the pipe's ends */
};

static void gate_open(struct gate *g)
{
	int fds[2];

	if (pipe2(fds, O_CLOEXEC) != 0)
		err(EXIT_USAGE, "pipe2");
	g->take = fds[0];
	g->give = fds[1];
	/* Tokens are never short (one more than the children exiting), so
	 * a full pipe needs none added: the parent must not block on it. */
	if (fcntl(g->give, F_SETFL, O_NONBLOCK) != 0)
		err(EXIT_USAGE, "fcntl");
}

static void gate_give(const struct gate *g)
{
	char token = 0;

	(void)!write(g->give, &token, 1);
}

/* In a child, before it exits. Without a parent (the pipe's writer gone)
 * the read ends at once. */
static void gate_take(const struct gate *g)
{
	char token;

	while (read(g->take, &token, 1) < 0 && errno == EINTR)
		;
}

static void gate_close(const struct gate *g)
{
	close(g->take);
	close(g->give);
}

#define MAX_AHEAD 128 /* jobs started past the first one not yet shown */

struct job {
	pid_t pid;
	FILE *out, *err;        /* what the child wrote, shown in order */
	struct suite_streams st;
	bool done;
	char lost[160]; /* why the child left no verdict, or "" */
};

/* The signal that stopped the suite's parent, or 0. */
static volatile sig_atomic_t parent_signal;

static void on_parent_signal(int sig)
{
	parent_signal = sig;
}

static const int suite_signals[] = { SIGINT, SIGTERM, SIGHUP };

int suite_ending_signal(void)
{
	return parent_signal ? parent_signal : run_ending_signal();
}

/* Catch the stopping signals without SA_RESTART, so that wait() returns. */
static void catch_signals(bool on)
{
	struct sigaction sa = { .sa_handler = on ? on_parent_signal : SIG_DFL };

	sigemptyset(&sa.sa_mask);
	for (size_t i = 0; i < sizeof suite_signals / sizeof *suite_signals; i++)
		sigaction(suite_signals[i], &sa, NULL);
}

static FILE *temp(void)
{
	FILE *f = output_tmpfile();

	if (!f)
		err(EXIT_USAGE, "a temporary file");
	return f;
}

/* Start config (index) in a child. One job at a time (direct) writes
 * where kvmrun writes, in order by itself; several write to files of
 * their own, shown in order as they finish. */
static void start(struct job *j, size_t index, bool direct,
		  const struct suite_streams *st, const struct gate *gate,
		  volatile uint8_t *reported, suite_run_fn run, void *ctx)
{
	if (!direct) {
		j->out = temp();
		j->err = temp();
		j->st.json = st->json ? temp() : NULL;
		j->st.junit = st->junit ? temp() : NULL;
	}
	fflush(NULL);
	j->pid = fork();
	if (j->pid < 0)
		err(EXIT_USAGE, "fork");
	if (j->pid > 0)
		return;
	close(gate->give);
	catch_signals(false); /* the run catches its own */
	if (!direct && (dup2(fileno(j->out), STDOUT_FILENO) < 0 ||
			dup2(fileno(j->err), STDERR_FILENO) < 0))
		_exit(EXIT_USAGE);
	bool lost = false;
	int status = run(ctx, index, direct ? st : &j->st, true, &lost);
	fflush(NULL);
	/* run() returns once the config is reported; 2: some of it lost */
	reported[index] = lost ? 2 : 1;
	gate_take(gate);
	_exit(status);
}

static void copy(FILE *from, FILE *to)
{
	char buf[8192];
	size_t n;

	if (!from)
		return;
	rewind(from);
	while ((n = fread(buf, 1, sizeof buf, from)) > 0)
		fwrite(buf, 1, n, to);
	fclose(from);
	fflush(to);
}

/* Wait for one child; false when a signal came first. A child that
 * ended without reporting (killed by a signal, or an exit before its
 * verdict) is an error with why in its (lost). */
static bool reap(struct job *jobs, size_t n, const volatile uint8_t *reported,
		 int *status)
{
	int st;
	pid_t pid = wait(&st);

	if (pid < 0 && errno == EINTR)
		return false;
	if (pid < 0)
		err(EXIT_USAGE, "wait");
	for (size_t i = 0; i < n; i++) {
		if (jobs[i].pid != pid)
			continue;
		jobs[i].done = true;
		status[i] = WIFEXITED(st) ? WEXITSTATUS(st) : EXIT_GUEST;
		if (WIFSIGNALED(st))
			snprintf(jobs[i].lost, sizeof jobs[i].lost, "its process "
				 "was killed by signal %d (%s) before it "
				 "reported", WTERMSIG(st),
				 strsignal(WTERMSIG(st)));
		else if (!reported[i])
			snprintf(jobs[i].lost, sizeof jobs[i].lost, "its process "
				 "exited with status %d before it reported",
				 WEXITSTATUS(st));
		if (jobs[i].lost[0])
			status[i] = EXIT_GUEST;
	}
	return true;
}

/* Stop the children that still run, once: the suite was signalled. */
static void stop_children(const struct job *jobs, size_t n)
{
	for (size_t i = 0; i < n; i++)
		if (!jobs[i].done)
			kill(jobs[i].pid, SIGTERM);
}

/* Show job (i): what it wrote, then the verdict it could not give. */
static void show(struct job *j, size_t i, const struct suite_streams *st,
		 suite_lost_fn lost, void *ctx)
{
	copy(j->out, stdout);
	copy(j->err, stderr);
	if (st->json)
		copy(j->st.json, st->json);
	if (st->junit)
		copy(j->st.junit, st->junit);
	if (j->lost[0])
		lost(ctx, i, st, j->lost);
}

/* Configs in this process, one after another, until a signal. */
static void run_here(const struct suite *s, const struct suite_streams *st,
		     suite_run_fn run, suite_lost_fn lost, void *ctx,
		     int *status, bool *output_lost)
{
	char why[96];

	for (size_t i = 0; i < s->count; i++) {
		int sig = run_ending_signal();
		if (!sig) {
			status[i] = run(ctx, i, st, s->count == 1, output_lost);
			continue;
		}
		snprintf(why, sizeof why, "not run: kvmrun was stopped by SIG%s",
			 sigabbrev_np(sig));
		lost(ctx, i, st, why);
		status[i] = EXIT_GUEST;
	}
}

void suite_run(const struct suite *s, unsigned jobs, bool isolate,
	       const struct suite_streams *st, suite_run_fn run,
	       suite_lost_fn lost, void *ctx, int *status, bool *output_lost)
{
	if (s->count <= 1 || (jobs <= 1 && !isolate)) {
		run_here(s, st, run, lost, ctx, status, output_lost);
		return;
	}
	struct job *j = calloc(s->count, sizeof *j);
	size_t next = 0, shown = 0, running = 0;
	bool direct = jobs <= 1, stopping = false;
	struct gate gate;
	/* Set by each child once it has reported: shared, made before any. */
	volatile uint8_t *reported = mmap(NULL, s->count, PROT_READ | PROT_WRITE,
					  MAP_SHARED | MAP_ANONYMOUS, -1, 0);

	if (!j || reported == MAP_FAILED)
		err(EXIT_USAGE, "memory for %zu jobs", s->count);
	gate_open(&gate);
	gate_give(&gate);
	catch_signals(true);
	while (shown < s->count) {
		if (parent_signal && !stopping) {
			stopping = true;
			stop_children(j, next);
		}
		/* Finished jobs hold their output until those before them
		 * are shown: bound how far ahead the suite may run. */
		if (!stopping && next < s->count &&
		    running < (jobs ? jobs : 1) && next - shown < MAX_AHEAD) {
			start(&j[next], next, direct, st, &gate, reported,
			      run, ctx);
			next++;
			running++;
			continue;
		}
		if (running && reap(j, next, reported, status)) {
			gate_give(&gate);
			running--;
		}
		/* Stopped: what never started is cut short too. */
		for (; stopping && !running && next < s->count; next++) {
			j[next].done = true;
			status[next] = EXIT_GUEST;
			snprintf(j[next].lost, sizeof j[next].lost, "not run: "
				 "kvmrun was stopped by SIG%s",
				 sigabbrev_np(parent_signal));
		}
		for (; shown < next && j[shown].done; shown++)
			show(&j[shown], shown, st, lost, ctx);
	}
	catch_signals(false);
	gate_close(&gate);
	for (size_t i = 0; i < s->count; i++)
		*output_lost |= reported[i] == 2;
	munmap((void *)reported, s->count);
	free(j);
}

void suite_free(struct suite *s)
{
	for (size_t i = 0; i < s->count; i++)
		free(s->configs[i]);
	free(s->configs);
	memset(s, 0, sizeof *s);
}
