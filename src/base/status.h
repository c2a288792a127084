/* kvmrun's exit statuses: their numbers, their words in verdict lines,
 * their columns in a suite's summary and how a suite's status is made. */
#ifndef KVMRUN_STATUS_H
#define KVMRUN_STATUS_H

#include <stddef.h>

/* Exit statuses of kvmrun(1), EXIT STATUS. */
enum {
	EXIT_PASS = 0,    /* ran, and every expectation held */
	EXIT_EXPECT = 1,  /* ran, and an expectation failed */
	EXIT_USAGE = 2,   /* usage, config or image error: nothing ran */
	EXIT_GUEST = 3,   /* the guest or the VM failed */
	EXIT_OUTPUT = 4,  /* an output (stdout, --json) could not be written */
	EXIT_SKIP = 77,   /* the host cannot run it (Automake's SKIP) */
};

/* The columns of a suite's summary, one per status. */
enum status_rank {
	RANK_PASS,
	RANK_FAIL,
	RANK_INVALID,
	RANK_ERROR,
	RANK_SKIP,
	RANK_COUNT,
};

/* The column of (status); a status kvmrun does not know is an error. */
enum status_rank status_rank(int status);

/* PASS, FAIL, INVALID, ERROR or SKIP. */
const char *status_word(int status);

/* A suite's status from its columns: the worst run, in the order 2, 3,
 * 1, 0; passes and skips make 0, and 77 only when every config skipped. */
int status_of_suite(const size_t counts[RANK_COUNT]);

#endif
