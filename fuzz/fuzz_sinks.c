/* libFuzzer: hostile names and console bytes -> the TAP, JSON and JUnit
 * sinks. The input is split at NUL bytes into the config's name and
 * file, the guest's console (also read as TAP sub-tests), a stop detail,
 * a function and a source file name, and an expectation's actual value.
 * Every document must stay what its consumer reads: each JSON line
 * parses and keeps its "stop"; the JUnit holds only characters XML 1.0
 * allows and no markup but kvmrun's own; no TAP line gets a directive
 * or a line break that kvmrun did not write. */
#include "kvmrun-config.h"

#include <jansson.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "report.h"
#include "subtests.h"
#include "utf8.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

/* The (k)th NUL-separated part of (data), or "". */
static char *part(const uint8_t *data, size_t size, int k, size_t *len)
{
	size_t start = 0;

	for (size_t i = 0; i <= size; i++) {
		if (i < size && data[i])
			continue;
		if (k-- == 0) {
			*len = i - start;
			char *s = malloc(*len + 1);
			memcpy(s, data + start, *len);
			s[*len] = '\0';
			return s;
		}
		start = i + 1;
	}
	*len = 0;
	return strdup("");
}

static void copy_field(char *dst, size_t cap, const char *src)
{
	snprintf(dst, cap, "%s", src);
}

static char *contents(FILE *f, size_t *len)
{
	char *buf;

	fflush(f);
	long n = ftell(f);
	buf = malloc((size_t)n + 1);
	if (pread(fileno(f), buf, (size_t)n, 0) != n)
		abort();
	buf[n] = '\0';
	*len = (size_t)n;
	return buf;
}

/* JSON Lines: each parses, and a run's document keeps its stop. */
static void check_json(const char *s)
{
	for (const char *line = s; *line;) {
		const char *end = strchr(line, '\n');
		json_error_t e;
		json_t *doc = json_loadb(line, (size_t)(end - line), 0, &e);
		if (!doc || !json_is_object(json_object_get(doc, "stop")) ||
		    !json_is_string(json_object_get(doc, "name")))
			abort();
		json_decref(doc);
		line = end + 1;
	}
}

static const char *const xml_tags[] = {
	"<?xml ", "<testsuites>", "</testsuites>", "<testsuite ", "</testsuite>",
	"<testcase ", "</testcase>", "<failure ", "</failure>", "<error ",
	"</error>", "<skipped ", "</skipped>", "<system-out>", "</system-out>",
	NULL,
};

/* Characters XML 1.0 allows, and markup only where kvmrun writes it. */
static void check_xml(const char *s, size_t len)
{
	const unsigned char *p = (const unsigned char *)s;

	for (size_t i = 0; i < len;) {
		size_t n = utf8_text_len(p + i, len - i);
		if (!n || (p[i] < 0x20 && p[i] != '\n' && p[i] != '\t'))
			abort();
		if (p[i] == '<') {
			size_t t = 0;
			while (xml_tags[t] && strncmp(s + i, xml_tags[t],
						      strlen(xml_tags[t])))
				t++;
			if (!xml_tags[t])
				abort();
		}
		if (p[i] == '&' && strncmp(s + i, "&amp;", 5) &&
		    strncmp(s + i, "&lt;", 4) && strncmp(s + i, "&gt;", 4) &&
		    strncmp(s + i, "&quot;", 6))
			abort();
		i += n;
	}
}

/* A TAP point's line: a '#' not escaped only as kvmrun's directive. */
static void check_tap_line(const char *line, size_t len)
{
	const char *p = line;

	while (*p == ' ')
		p++;
	if (strncmp(p, "ok ", 3) && strncmp(p, "not ok ", 7))
		return;
	for (size_t i = (size_t)(p - line); i < len; i++) {
		if (line[i] == '\\') {
			i++;
			continue;
		}
		if (line[i] != '#')
			continue;
		if (strncmp(line + i, "# SKIP", 6) && strncmp(line + i, "# TODO", 6))
			abort();
		return; /* the directive's text is free */
	}
}

static void check_tap(const char *s, size_t len)
{
	for (size_t i = 0; i < len;) {
		const char *end = memchr(s + i, '\n', len - i);
		size_t n = end ? (size_t)(end - (s + i)) : len - i;
		for (size_t j = 0; j < n; j++)
			if ((unsigned char)s[i + j] < 0x20)
				abort(); /* a line break inside a line */
		check_tap_line(s + i, n);
		i += n + 1;
	}
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static FILE *tap;
	size_t len[7];
	char *f[7];

	if (!tap) { /* TAP goes to stdout: a file of our own there */
		tap = tmpfile();
		if (!tap || dup2(fileno(tap), STDOUT_FILENO) < 0)
			abort();
	}
	for (int k = 0; k < 7; k++)
		f[k] = part(data, size, k, &len[k]);

	struct config cfg = { .file = f[1], .name = f[0] };
	struct result res = { .console = f[2], .console_len = len[2],
			      .stop = STOPPED_SHUTDOWN, .have_regs = true };
	copy_field(res.detail, sizeof res.detail, f[3]);
	res.diag.rip_place.have_function = true;
	utf8_copy(res.diag.rip_place.function,
		  sizeof res.diag.rip_place.function, f[4]);
	res.diag.rip_place.have_line = true;
	utf8_copy(res.diag.rip_place.file, sizeof res.diag.rip_place.file, f[5]);
	struct verdict v = { .ok = false };
	copy_field(v.what, sizeof v.what, f[0]);
	copy_field(v.expected, sizeof v.expected, f[6]);
	copy_field(v.actual, sizeof v.actual, f[3]);
	struct verdicts vs = { .v = &v, .n = 1, .failed = 1 };
	subtests_read(SUBTESTS_TAP, f[2], len[2], false, &vs.sub);
	vs.sub.read = true;
	struct outcome out = { .cfg = &cfg, .res = &res, .v = &vs,
			       .status = EXIT_EXPECT };

	FILE *json = tmpfile(), *cases = tmpfile(), *junit = tmpfile();
	size_t counts[RANK_COUNT] = { [RANK_FAIL] = 2 };
	fseek(stdout, 0, SEEK_SET);
	if (ftruncate(STDOUT_FILENO, 0) != 0)
		abort();
	for (int suite = 0; suite < 2; suite++) {
		struct report_opts o = { .tap = true, .suite = suite, .json = json,
					 .junit = cases, .junit_file = junit,
					 .count = 1 };
		tap_sink.start(&o);
		o.index = 1;
		tap_sink.outcome(&o, &out);
		json_sink.outcome(&o, &out);
		junit_sink.outcome(&o, &out);
		if (suite)
			junit_sink.finish(&o, counts);
	}
	size_t n;
	char *s = contents(json, &n);
	check_json(s);
	free(s);
	s = contents(junit, &n);
	check_xml(s, n);
	free(s);
	s = contents(stdout, &n);
	check_tap(s, n);
	free(s);
	fclose(json);
	fclose(cases);
	fclose(junit);
	subtests_free(&vs.sub);
	for (int k = 0; k < 7; k++)
		free(f[k]);
	return 0;
}
