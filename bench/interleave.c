/*
 * Runs commands in turn, round after round, and prints each one's median
 * wall time in seconds, a line each in the order given. Taking turns
 * spreads a busy moment of the machine over all the commands, where
 * running each one's repetitions in a block (as hyperfine does) lets it
 * fall on one of them.
 *
 *   bench/interleave [-i] [-r ROUNDS] [-w WARMUP] 'CMD ARGS...' ...
 *
 * A command is split at spaces and run without a shell, its output sent
 * to /dev/null. A command that fails stops the measurement, unless -i
 * says that its exit status does not matter (QEMU's debug exit is never
 * 0); one killed by a signal always does.
 */
#include <fcntl.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#define MAX_ARGS 64

static double now(void)
{
	struct timespec t;
	clock_gettime(CLOCK_MONOTONIC, &t);
	return (double)t.tv_sec + (double)t.tv_nsec / 1e9;
}

/* Wall time of one run of (argv), or -1 if it could not be started, did
 * not exit, or exited with a status other than 0 and (any_status) is
 * false. */
static double run_once(char **argv, int devnull, bool any_status)
{
	/* The child says on this pipe that exec failed: its status alone
	 * (127) could be a guest's under -i. */
	int failed[2];
	if (pipe(failed) != 0 || fcntl(failed[0], F_SETFD, FD_CLOEXEC) != 0 ||
	    fcntl(failed[1], F_SETFD, FD_CLOEXEC) != 0)
		return -1;
	double start = now();
	pid_t pid = fork();
	if (pid == 0) {
		dup2(devnull, STDOUT_FILENO);
		dup2(devnull, STDERR_FILENO);
		execvp(argv[0], argv);
		(void)!write(failed[1], "x", 1);
		_exit(127);
	}
	close(failed[1]);
	int status;
	char c;
	bool waited = pid > 0 && waitpid(pid, &status, 0) == pid;
	double took = now() - start;
	bool exec_failed = read(failed[0], &c, 1) == 1;
	close(failed[0]);
	if (!waited || exec_failed || !WIFEXITED(status) ||
	    (WEXITSTATUS(status) != 0 && !any_status))
		return -1;
	return took;
}

static int by_value(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;
	return (x > y) - (x < y);
}

int main(int argc, char **argv)
{
	int rounds = 100, warmup = 5, opt;
	bool any_status = false;
	while ((opt = getopt(argc, argv, "ir:w:")) != -1) {
		if (opt == 'i')
			any_status = true;
		else if (opt == 'r')
			rounds = atoi(optarg);
		else if (opt == 'w')
			warmup = atoi(optarg);
		else
			return 2;
	}
	int ncmd = argc - optind;
	if (ncmd < 1 || rounds < 1 || warmup < 0) {
		fprintf(stderr, "usage: interleave [-i] [-r ROUNDS] [-w WARMUP] 'CMD ARGS...' ...\n");
		return 2;
	}
	char *(*cmds)[MAX_ARGS + 1] = calloc((size_t)ncmd, sizeof *cmds);
	double *times = calloc((size_t)ncmd * (size_t)rounds, sizeof *times);
	int devnull = open("/dev/null", O_WRONLY | O_CLOEXEC);
	if (!cmds || !times || devnull < 0) {
		perror("interleave");
		return 1;
	}
	for (int c = 0; c < ncmd; c++) {
		int n = 0;
		for (char *w = strtok(argv[optind + c], " "); w;
		     w = strtok(NULL, " ")) {
			if (n == MAX_ARGS) {
				fprintf(stderr, "interleave: command %d has more than %d words\n",
					c + 1, MAX_ARGS);
				return 2;
			}
			cmds[c][n++] = w;
		}
		if (n == 0) {
			fprintf(stderr, "interleave: command %d is empty\n", c + 1);
			return 2;
		}
	}
	for (int r = -warmup; r < rounds; r++) {
		for (int c = 0; c < ncmd; c++) {
			double t = run_once(cmds[c], devnull, any_status);
			if (t < 0) {
				fprintf(stderr, "interleave: '%s' failed\n", argv[optind + c]);
				return 1;
			}
			if (r >= 0)
				times[c * rounds + r] = t;
		}
	}
	for (int c = 0; c < ncmd; c++) {
		double *t = times + c * rounds;
		qsort(t, (size_t)rounds, sizeof *t, by_value);
		double median = rounds % 2 ? t[rounds / 2]
				: (t[rounds / 2 - 1] + t[rounds / 2]) / 2;
		printf("%.9f\n", median);
	}
	free(times);
	free(cmds);
	return 0;
}
