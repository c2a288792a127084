/* kvmrun's exit statuses: the one table of their words and ranks. */
#include "kvmrun-config.h"

#include "status.h"

static const struct {
	int status;
	const char *word;
	int severity; /* the worst run of a suite decides its status */
} statuses[RANK_COUNT] = {
	[RANK_PASS] = { EXIT_PASS, "PASS", 0 },
	[RANK_SKIP] = { EXIT_SKIP, "SKIP", 1 },
	[RANK_FAIL] = { EXIT_EXPECT, "FAIL", 2 },
	[RANK_ERROR] = { EXIT_GUEST, "ERROR", 3 },
	[RANK_INVALID] = { EXIT_USAGE, "INVALID", 4 },
};

enum status_rank status_rank(int status)
{
	for (int r = 0; r < RANK_COUNT; r++)
		if (statuses[r].status == status)
			return (enum status_rank)r;
	return RANK_ERROR;
}

const char *status_word(int status)
{
	return statuses[status_rank(status)].word;
}

int status_of_suite(const size_t counts[RANK_COUNT])
{
	int worst = RANK_PASS;
	size_t total = 0;

	for (int r = 0; r < RANK_COUNT; r++) {
		total += counts[r];
		if (counts[r] && statuses[r].severity > statuses[worst].severity)
			worst = r;
	}
	/* A skip among passes is not a failure: CI reads 77 as one. */
	if (worst == RANK_SKIP && counts[RANK_SKIP] < total)
		worst = RANK_PASS;
	return statuses[worst].status;
}
