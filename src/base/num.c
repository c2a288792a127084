/* Numbers, sizes and durations as written in kvmrun configs. */
#include "kvmrun-config.h"

#include "num.h"

#include <ctype.h>
#include <stdio.h>
#include <string.h>
#include <strings.h>

static int digit_value(int c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	c = tolower(c);
	if (c >= 'a' && c <= 'f')
		return c - 'a' + 10;
	return 99;
}

/* Parse the leading number of (s); (end) gets the first unparsed char. */
static bool parse_prefix(const char *s, uint64_t *out, const char **end,
			 const char **why)
{
	unsigned base = 10;
	uint64_t v = 0;
	bool any = false, last_us = false;

	if (s[0] == '0' && s[1] && strchr("xXoObB", s[1])) {
		base = strchr("xX", s[1]) ? 16 : strchr("oO", s[1]) ? 8 : 2;
		s += 2;
	}
	for (; *s; s++) {
		if (*s == '_' && any && !last_us) {
			last_us = true;
			continue;
		}
		unsigned d = (unsigned)digit_value((unsigned char)*s);
		if (d >= base)
			break;
		if (__builtin_mul_overflow(v, base, &v) ||
		    __builtin_add_overflow(v, d, &v)) {
			*why = "does not fit in 64 bits";
			return false;
		}
		any = true;
		last_us = false;
	}
	if (!any || last_us) {
		*why = "is not a number";
		return false;
	}
	*out = v;
	*end = s;
	return true;
}

bool num_parse_u64(const char *s, uint64_t *out, const char **why)
{
	const char *end;
	uint64_t v;

	if (!parse_prefix(s, &v, &end, why))
		return false;
	if (*end) {
		*why = "is not a number";
		return false;
	}
	*out = v;
	return true;
}

static const struct unit {
	const char *name;
	unsigned shift;
} size_units[] = {
	{ "", 0 },   { "K", 10 },   { "M", 20 },   { "G", 30 },   { "T", 40 },
	{ "KiB", 10 }, { "MiB", 20 }, { "GiB", 30 }, { "TiB", 40 },
};

bool num_parse_size(const char *s, uint64_t *out, const char **why)
{
	const char *end;
	uint64_t v;

	if (!parse_prefix(s, &v, &end, why))
		return false;
	for (size_t i = 0; i < sizeof size_units / sizeof size_units[0]; i++) {
		const struct unit *u = &size_units[i];
		if (strcmp(end, u->name) != 0)
			continue;
		if (u->shift && v > (UINT64_MAX >> u->shift)) {
			*why = "does not fit in 64 bits";
			return false;
		}
		*out = v << u->shift;
		return true;
	}
	*why = "has an unknown unit (use K, M, G, T or KiB, MiB, GiB, TiB)";
	return false;
}

bool num_parse_duration(const char *s, uint64_t *ns, const char **why)
{
	static const struct {
		const char *name;
		uint64_t ns;
	} units[] = { { "ms", 1000000ULL }, { "s", 1000000000ULL },
		      { "m", 60000000000ULL } };
	const char *end;
	uint64_t v;

	if (!parse_prefix(s, &v, &end, why))
		return false;
	for (size_t i = 0; i < sizeof units / sizeof units[0]; i++) {
		if (strcmp(end, units[i].name) != 0)
			continue;
		if (__builtin_mul_overflow(v, units[i].ns, &v)) {
			*why = "is too long";
			return false;
		}
		*ns = v;
		return true;
	}
	*why = *end ? "has an unknown unit (use ms, s or m)"
		    : "needs a unit (ms, s or m)";
	return false;
}

const char *num_fmt_size(uint64_t bytes, char buf[32])
{
	static const char suffix[] = "KMGT";
	int i = -1;

	while (i < 3 && bytes && (bytes & 1023) == 0) {
		bytes >>= 10;
		i++;
	}
	if (i < 0)
		snprintf(buf, 32, "%llu", (unsigned long long)bytes);
	else
		snprintf(buf, 32, "%llu%c", (unsigned long long)bytes, suffix[i]);
	return buf;
}
