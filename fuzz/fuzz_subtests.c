/* libFuzzer: a guest's console -> its sub-test results, TAP or
 * kvm-unit-tests (the first byte chooses): the console is the guest's,
 * so anything may be in it. */
#include "kvmrun-config.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "subtests.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct subtests s;
	char counts[200];
	size_t total = 0;

	if (size < 1)
		return 0;
	enum subtest_format f = data[0] & 1 ? SUBTESTS_KUT : SUBTESTS_TAP;
	subtests_read(f, (const char *)data + 1, size - 1, data[0] & 2, &s);
	for (int r = 0; r < SUB_NRESULTS; r++)
		total += s.count[r];
	if (s.n > total || s.n > SUBTESTS_MAX)
		abort();
	/* Every name and note is a printable, terminated string. */
	for (size_t i = 0; i < s.n; i++) {
		const struct subtest *t = &s.t[i];
		if (!memchr(t->name, 0, sizeof t->name) ||
		    !memchr(t->note, 0, sizeof t->note) || t->line < 1)
			abort();
		for (const unsigned char *p = (const unsigned char *)t->name; *p; p++)
			if (*p < 0x20 || *p == 0x7f)
				abort();
	}
	subtests_counts_str(&s, counts, sizeof counts);
	subtests_free(&s);
	return 0;
}
