/* Results the guest reports of its own on the console. */
#include "kvmrun-config.h"

#include "subtests.h"

#include <ctype.h>
#include <err.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "status.h"
#include "utf8.h"

static const char *const tokens[SUB_NRESULTS] = {
	[SUB_PASS] = "pass", [SUB_FAIL] = "fail", [SUB_SKIP] = "skip",
	[SUB_XFAIL] = "xfail",
};

const char *subtest_result_token(enum subtest_result r)
{
	return r < SUB_NRESULTS ? tokens[r] : "?";
}

/* (len) bytes of (s) into (dst): whole UTF-8 characters and printable
 * ASCII kept, every other byte '?'; cut to fit, never mid-character. */
static void printable(char *dst, size_t cap, const char *s, size_t len)
{
	const unsigned char *p = (const unsigned char *)s;
	size_t n = 0;

	for (size_t i = 0; i < len;) {
		size_t k = utf8_len(p + i, len - i);
		bool ok = k > 1 || (p[i] >= 0x20 && p[i] < 0x7f);
		size_t take = ok ? k : 1;
		if (n + take >= cap)
			break;
		if (ok)
			memcpy(dst + n, p + i, take);
		else
			dst[n] = '?';
		n += take;
		i += k ? k : 1;
	}
	dst[n] = '\0';
}

static void add(struct subtests *out, enum subtest_result r, const char *name,
		size_t name_len, const char *note, size_t note_len, unsigned line)
{
	out->count[r]++;
	if (out->n == SUBTESTS_MAX)
		return;
	if (out->n % 64 == 0) {
		out->t = realloc(out->t, (out->n + 64) * sizeof *out->t);
		if (!out->t)
			err(EXIT_USAGE, "realloc");
	}
	struct subtest *t = &out->t[out->n++];
	t->result = r;
	t->line = line;
	printable(t->name, sizeof t->name, name, name_len);
	printable(t->note, sizeof t->note, note, note_len);
}

static size_t total(const struct subtests *s)
{
	size_t n = 0;

	for (int r = 0; r < SUB_NRESULTS; r++)
		n += s->count[r];
	return n;
}

/* (s) starts with (word), a word of (len) bytes at least: its end. */
static const char *starts(const char *s, size_t len, const char *word)
{
	size_t n = strlen(word);

	return len >= n && memcmp(s, word, n) == 0 ? s + n : NULL;
}

/* The decimal number at the start of [s, end), saturated; 0 if none.
 * Not strtoll: a line is not a C string. */
static long long number(const char *s, const char *end)
{
	long long n = 0;

	for (; s < end && *s >= '0' && *s <= '9'; s++)
		n = n > (LLONG_MAX - 9) / 10 ? LLONG_MAX : n * 10 + (*s - '0');
	return n;
}

/* The guest gave up at console (line) (kvm-unit-tests' ABORT:, TAP's
 * Bail out!), saying [why, end): the first such line is the problem. */
static void gave_up(struct subtests *out, const char *what, unsigned line,
		    const char *why, const char *end)
{
	char text[160];

	if (out->problem[0])
		return;
	printable(text, sizeof text, why, (size_t)(end - why));
	snprintf(out->problem, sizeof out->problem, "the guest %s (console "
		 "line %u): %s", what, line, text);
}

/* ---- kvm-unit-tests: "PASS: prefix: message", "SUMMARY: N tests" ---- */

static const struct {
	const char *word;
	enum subtest_result result;
	const char *note;
} kut_words[] = {
	{ "PASS: ", SUB_PASS, "" },
	{ "FAIL: ", SUB_FAIL, "" },
	{ "XPASS: ", SUB_FAIL, "XPASS: passed, but was expected to fail" },
	{ "XFAIL: ", SUB_XFAIL, "XFAIL: an expected failure" },
	{ "KFAIL: ", SUB_XFAIL, "KFAIL: a known failure" },
	{ "SKIP: ", SUB_SKIP, "" },
};

static void kut_line(const char *s, size_t len, unsigned line,
		     struct subtests *out)
{
	const char *rest;

	for (size_t i = 0; i < sizeof kut_words / sizeof *kut_words; i++) {
		if (!(rest = starts(s, len, kut_words[i].word)))
			continue;
		add(out, kut_words[i].result, rest, len - (size_t)(rest - s),
		    kut_words[i].note, strlen(kut_words[i].note), line);
		return;
	}
	if ((rest = starts(s, len, "SUMMARY: ")))
		out->planned = number(rest, s + len);
	else if ((rest = starts(s, len, "ABORT: ")))
		gave_up(out, "aborted", line, rest, s + len);
}

static void kut_end(struct subtests *out)
{
	size_t n = total(out);

	if (out->problem[0])
		return;
	/* No line at all is no problem: kvm-unit-tests' harness judges a
	 * test that reports nothing by its status alone. */
	if (out->planned >= 0 && (size_t)out->planned != n)
		snprintf(out->problem, sizeof out->problem, "SUMMARY: says %lld "
			 "tests, the console shows %zu results", out->planned, n);
}

/* ---- TAP: "ok 3 - name # SKIP why", "1..N", "Bail out!" ---- */

static void tap_point(const char *s, size_t len, bool ok, unsigned line,
		      struct subtests *out)
{
	const char *end = s + len;

	while (s < end && *s >= '0' && *s <= '9')
		s++;
	while (s < end && *s == ' ')
		s++;
	if (end - s >= 2 && s[0] == '-' && s[1] == ' ')
		s += 2;
	/* The directive follows an unescaped '#'. */
	const char *hash = s;
	while (hash < end && !(*hash == '#' && (hash == s || hash[-1] != '\\')))
		hash++;
	const char *name_end = hash;
	while (name_end > s && name_end[-1] == ' ')
		name_end--;
	const char *dir = hash < end ? hash + 1 : end;
	while (dir < end && *dir == ' ')
		dir++;
	size_t dlen = (size_t)(end - dir);
	enum subtest_result r = ok ? SUB_PASS : SUB_FAIL;
	bool skip = dlen >= 4 && strncasecmp(dir, "skip", 4) == 0;
	bool todo = dlen >= 4 && strncasecmp(dir, "todo", 4) == 0;
	if (skip)
		r = SUB_SKIP;
	else if (todo && !ok)
		r = SUB_XFAIL;
	/* The note of a skip or a to-do is its reason. */
	if (skip || todo) {
		dir += 4; /* and the rest of the word: SKIPPED */
		while (dir < end && isalpha((unsigned char)*dir))
			dir++;
		while (dir < end && (*dir == ' ' || *dir == ':'))
			dir++;
		dlen = (size_t)(end - dir);
	}
	/* In the name, \# is a '#' and \\ a backslash. */
	char name[SUBTEST_NAME_MAX];
	size_t n = 0;
	for (const char *p = s; p < name_end && n < sizeof name; p++) {
		if (*p == '\\' && p + 1 < name_end && (p[1] == '#' || p[1] == '\\'))
			p++;
		name[n++] = *p;
	}
	add(out, r, name, n, dir, dlen, line);
}

/* "ok" or "not ok", then a space or the line's end: what follows. */
static const char *tap_status(const char *s, size_t len, bool *ok)
{
	const char *rest = starts(s, len, "ok");

	*ok = rest != NULL;
	if (!rest)
		rest = starts(s, len, "not ok");
	if (!rest || rest == s + len)
		return rest;
	return *rest == ' ' ? rest + 1 : NULL;
}

static void tap_line(const char *s, size_t len, unsigned line,
		     struct subtests *out)
{
	const char *rest;
	bool ok;

	if ((rest = tap_status(s, len, &ok)))
		tap_point(rest, len - (size_t)(rest - s), ok, line, out);
	else if ((rest = starts(s, len, "1..")) && rest < s + len &&
		 *rest >= '0' && *rest <= '9')
		out->planned = number(rest, s + len);
	else if ((rest = starts(s, len, "Bail out!"))) {
		while (rest < s + len && *rest == ' ')
			rest++;
		gave_up(out, "bailed out", line, rest, s + len);
	}
}

static void tap_end(struct subtests *out)
{
	size_t n = total(out);

	if (out->problem[0])
		return;
	if (out->planned < 0)
		snprintf(out->problem, sizeof out->problem, "no TAP plan "
			 "(1..N) on the console, after %zu test points", n);
	else if ((size_t)out->planned != n)
		snprintf(out->problem, sizeof out->problem, "the TAP plan "
			 "announced %lld tests, the console shows %zu",
			 out->planned, n);
}

static const struct {
	void (*line)(const char *s, size_t len, unsigned line,
		     struct subtests *out);
	void (*end)(struct subtests *out);
} formats[] = {
	[SUBTESTS_TAP] = { tap_line, tap_end },
	[SUBTESTS_KUT] = { kut_line, kut_end },
};

void subtests_read(enum subtest_format format, const char *console,
		   size_t len, bool truncated, struct subtests *out)
{
	memset(out, 0, sizeof *out);
	out->planned = -1;
	if (format == SUBTESTS_NONE)
		return;
	out->read = true;
	unsigned line = 1;
	for (size_t i = 0; i < len; line++) {
		const char *s = console + i;
		const char *nl = memchr(s, '\n', len - i);
		size_t n = nl ? (size_t)(nl - s) : len - i;
		i += n + (nl != NULL);
		if (n && s[n - 1] == '\r') /* a serial console's CRLF */
			n--;
		formats[format].line(s, n, line, out);
	}
	formats[format].end(out);
	if (truncated)
		snprintf(out->problem, sizeof out->problem, "the console "
			 "capture was cut short: results past it were not "
			 "seen");
}

const char *subtests_counts_str(const struct subtests *s, char *buf,
				size_t len)
{
	static const char *const words[SUB_NRESULTS] = {
		[SUB_PASS] = "passed", [SUB_FAIL] = "failed",
		[SUB_SKIP] = "skipped", [SUB_XFAIL] = "failed as expected",
	};
	size_t n = total(s);
	int k = snprintf(buf, len, "%zu sub-test%s", n, n == 1 ? "" : "s");

	for (int r = 0, first = 1; r < SUB_NRESULTS; r++) {
		if (!s->count[r] || k < 0 || (size_t)k >= len)
			continue;
		k += snprintf(buf + k, len - (size_t)k, "%s%zu %s",
			      first ? ": " : ", ", s->count[r], words[r]);
		first = 0;
	}
	return buf;
}

void subtests_free(struct subtests *s)
{
	free(s->t);
	memset(s, 0, sizeof *s);
	s->planned = -1;
}
