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

#include "escape.h"
#include "output.h"
#include "run.h"
#include "signals.h"
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

/* "kvmrun: (name): (what)" on stderr, (name) as a terminal may show it:
 * a file's name may hold anything. */
static void say(const char *name, const char *what)
{
	char *shown = escape_name(name);

	fprintf(stderr, "kvmrun: %s: %s\n", shown, what);
	free(shown);
}

/* What (path) is when it is not a regular file (through symlinks), for
 * a message, or NULL. */
static const char *not_a_file(const char *path, unsigned char type)
{
	struct stat st;

	if (type == DT_REG)
		return NULL;
	if (stat(path, &st) != 0)
		return strerror(errno);
	return S_ISREG(st.st_mode) ? NULL : S_ISFIFO(st.st_mode) ? "a FIFO"
	       : S_ISDIR(st.st_mode) ? "a folder" : S_ISSOCK(st.st_mode)
	       ? "a socket" : "a device";
}

/* Add the *.yaml files of folder (dir), sorted. Anything else by such a
 * name (a FIFO would block the suite) is an error. */
static bool add_folder(struct suite *s, const char *dir)
{
	DIR *d = opendir(dir);
	size_t first = s->count;
	struct dirent *e;
	bool ok = true;

	if (!d) {
		say(dir, strerror(errno));
		return false;
	}
	while ((e = readdir(d))) {
		char *path;
		if (e->d_name[0] == '.' || !is_yaml(e->d_name))
			continue;
		if (asprintf(&path, "%s%s%s", dir,
			     dir[strlen(dir) - 1] == '/' ? "" : "/", e->d_name) < 0)
			err(EXIT_USAGE, "asprintf");
		const char *what = not_a_file(path, e->d_type);
		if (what) {
			char why[64];
			snprintf(why, sizeof why, "not a config file: %s", what);
			say(path, why);
			free(path);
			ok = false;
			continue;
		}
		add(s, path);
	}
	closedir(d);
	if (!ok)
		return false;
	if (s->count == first) {
		say(dir, "no .yaml config in this folder");
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

/* I/N, each a whole decimal number: no sign, no space, no overflow. */
static bool parse_shard(const char *spec, unsigned long *index,
			unsigned long *total)
{
	const char *slash = strchr(spec, '/');
	char first[24];

	if (!slash || (size_t)(slash - spec) >= sizeof first)
		return false;
	memcpy(first, spec, (size_t)(slash - spec));
	first[slash - spec] = '\0';
	return parse_count(first, index) && parse_count(slash + 1, total) &&
	       *total >= 1 && *index >= 1 && *index <= *total;
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
		/* Bazel asks a test runner to say that it shards; without
		 * the file it would take the shard for the whole. Never
		 * waits: a FIFO without a reader is an error too. */
		const char *ack = getenv("TEST_SHARD_STATUS_FILE");
		int fd = ack && *ack ? open(ack, O_WRONLY | O_CREAT | O_APPEND |
					    O_NONBLOCK | O_CLOEXEC, 0666) : -2;
		if (fd == -1) {
			fprintf(stderr, "kvmrun: TEST_SHARD_STATUS_FILE=%s: "
				"cannot create it: %s\n", ack, errno == ENXIO
				? "a FIFO that nobody reads" : strerror(errno));
			return false;
		}
		if (fd >= 0)
			close(fd);
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
	char *shown = escape_name(globs[0]);
	fprintf(stderr, "kvmrun: --only %s%s: no config matches\n", shown,
		nglobs > 1 ? " ..." : "");
	free(shown);
	return false;
}

void suite_list(const struct suite *s)
{
	bool tty = isatty(STDOUT_FILENO);

	for (size_t i = 0; i < s->count; i++) {
		char *shown = tty ? escape_name(s->configs[i]) : NULL;
		printf("%s\n", shown ? shown : s->configs[i]);
		free(shown);
	}
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

/* What a child leaves its parent, in memory they share: set once the
 * config is reported, so that a death after it (a signal) changes
 * nothing, and one before it is reported by the parent instead. */
struct shared {
	uint8_t reported; /* 0; 1 reported; 2 reported, some of it lost */
	uint8_t status;
	char line[SUITE_LINE]; /* what the suite's end says of it */
};

struct job {
	pid_t pid;
	FILE *out, *err;        /* what the child wrote, shown in order */
	struct suite_streams st;
	bool done;
	char lost[160]; /* why the child left no verdict, or "" */
};

/* A temporary file. errno is kept: output_close names a lost output by
 * the errno its failed write left, and tmpfile sets one even when it
 * works (EOPNOTSUPP where O_TMPFILE is not, as on 9p). */
static FILE *temp(void)
{
	int saved = errno;
	FILE *f = output_tmpfile();

	if (!f)
		err(EXIT_USAGE, "a temporary file");
	errno = saved;
	return f;
}

/* Start config (index) in a child. One job at a time (direct) writes
 * where kvmrun writes, in order by itself; several write to files of
 * their own, shown in order as they finish. */
static void start(struct job *j, size_t index, bool direct,
		  const struct suite_streams *st, const struct gate *gate,
		  volatile struct shared *shared, suite_run_fn run, void *ctx)
{
	if (!direct) {
		j->out = temp();
		j->err = temp();
	}
	/* Even one job at a time writes JSON and JUnit apart: what a child
	 * that died in its report left of them is dropped. */
	j->st.json = st->json ? temp() : NULL;
	j->st.junit = st->junit ? temp() : NULL;
	fflush(NULL);
	j->pid = fork();
	if (j->pid < 0)
		err(EXIT_USAGE, "fork");
	if (j->pid > 0)
		return;
	close(gate->give);
	signals_catch(true); /* its report is finished, not cut */
	if (!direct && (dup2(fileno(j->out), STDOUT_FILENO) < 0 ||
			dup2(fileno(j->err), STDERR_FILENO) < 0))
		_exit(EXIT_USAGE);
	bool lost = false;
	struct suite_streams mine = { j->st.json, j->st.junit };
	char line[SUITE_LINE] = "";
	int status = run(ctx, index, &mine, true, &lost, line);
	fflush(NULL);
	/* run() returns once the config is reported */
	memcpy((char *)shared[index].line, line, sizeof line);
	shared[index].status = (uint8_t)status;
	shared[index].reported = lost ? 2 : 1;
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
static bool reap(struct job *jobs, size_t n,
		 const volatile struct shared *shared, int *status,
		 char (*lines)[SUITE_LINE])
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
		if (shared[i].reported) { /* whatever came after it */
			status[i] = shared[i].status;
			memcpy(lines[i], (const char *)shared[i].line, SUITE_LINE);
		}
		else if (WIFSIGNALED(st))
			snprintf(jobs[i].lost, sizeof jobs[i].lost, "its process "
				 "was killed by signal %d (%s) before it "
				 "reported", WTERMSIG(st),
				 strsignal(WTERMSIG(st)));
		else
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
		 suite_lost_fn lost, void *ctx, char line[SUITE_LINE])
{
	copy(j->out, stdout);
	copy(j->err, stderr);
	/* A child that did not report may have begun to: its JSON and
	 * JUnit are dropped, and the parent reports it, once. */
	if (j->lost[0]) {
		if (j->st.json)
			fclose(j->st.json);
		if (j->st.junit)
			fclose(j->st.junit);
		lost(ctx, i, st, j->lost, line);
		return;
	}
	copy(j->st.json, st->json);
	copy(j->st.junit, st->junit);
}

/* Configs in this process, one after another, until a signal. */
static void run_here(const struct suite *s, const struct suite_streams *st,
		     suite_run_fn run, suite_lost_fn lost, void *ctx,
		     int *status, char (*lines)[SUITE_LINE], bool *output_lost)
{
	char why[96];

	for (size_t i = 0; i < s->count; i++) {
		int sig = signals_ending();
		if (!sig) {
			status[i] = run(ctx, i, st, s->count == 1, output_lost,
					lines[i]);
			continue;
		}
		snprintf(why, sizeof why, "not run: kvmrun was stopped by SIG%s",
			 sigabbrev_np(sig));
		lost(ctx, i, st, why, lines[i]);
		status[i] = EXIT_GUEST;
	}
}

void suite_run(const struct suite *s, unsigned jobs, bool isolate,
	       const struct suite_streams *st, suite_run_fn run,
	       suite_lost_fn lost, void *ctx, int *status,
	       char (*lines)[SUITE_LINE], bool *output_lost)
{
	if (s->count <= 1 || (jobs <= 1 && !isolate)) {
		run_here(s, st, run, lost, ctx, status, lines, output_lost);
		return;
	}
	struct job *j = calloc(s->count, sizeof *j);
	size_t next = 0, shown = 0, running = 0;
	bool direct = jobs <= 1, stopping = false;
	struct gate gate;
	size_t size = s->count * sizeof(struct shared);
	/* Written by each child once it has reported: made before any. */
	volatile struct shared *shared = mmap(NULL, size, PROT_READ |
		PROT_WRITE, MAP_SHARED | MAP_ANONYMOUS, -1, 0);

	if (!j || shared == MAP_FAILED)
		err(EXIT_USAGE, "memory for %zu jobs", s->count);
	gate_open(&gate);
	gate_give(&gate);
	/* A signal ends wait() (no SA_RESTART), and stops the children;
	 * they catch it too, so that each finishes its report. */
	signals_catch(false);
	while (shown < s->count) {
		if (signals_ending() && !stopping) {
			stopping = true;
			stop_children(j, next);
		}
		/* Finished jobs hold their output until those before them
		 * are shown: bound how far ahead the suite may run. */
		if (!stopping && next < s->count &&
		    running < (jobs ? jobs : 1) && next - shown < MAX_AHEAD) {
			start(&j[next], next, direct, st, &gate, shared,
			      run, ctx);
			next++;
			running++;
			continue;
		}
		if (running && reap(j, next, shared, status, lines)) {
			gate_give(&gate);
			running--;
		}
		/* Stopped: what never started is cut short too. */
		for (; stopping && !running && next < s->count; next++) {
			j[next].done = true;
			status[next] = EXIT_GUEST;
			snprintf(j[next].lost, sizeof j[next].lost, "not run: "
				 "kvmrun was stopped by SIG%s",
				 sigabbrev_np(signals_ending()));
		}
		for (; shown < next && j[shown].done; shown++)
			show(&j[shown], shown, st, lost, ctx, lines[shown]);
	}
	signals_catch(true);
	gate_close(&gate);
	for (size_t i = 0; i < s->count; i++)
		*output_lost |= shared[i].reported == 2;
	munmap((void *)shared, size);
	free(j);
}

void suite_free(struct suite *s)
{
	for (size_t i = 0; i < s->count; i++)
		free(s->configs[i]);
	free(s->configs);
	memset(s, 0, sizeof *s);
}
