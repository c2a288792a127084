/* Numbers, sizes and durations as configs write them; UTF-8 cut and
 * checked as the reports need it. */
#include "kvmrun-config.h"

#include "num.h"
#include "unit.h"
#include "utf8.h"

static void good_u64(const char *s, uint64_t want)
{
	uint64_t v = 0;
	const char *why = NULL;
	bool ok = num_parse_u64(s, &v, &why);

	if (!ok)
		fprintf(stderr, "'%s': %s\n", s, why);
	CHECK(ok);
	CHECK_U64(v, want);
}

static void bad(bool (*fn)(const char *, uint64_t *, const char **),
		const char *s, const char *why_part)
{
	uint64_t v = 12345;
	const char *why = "";

	CHECK(!fn(s, &v, &why));
	CHECK(strstr(why, why_part) != NULL);
	CHECK_U64(v, 12345); /* untouched on failure */
}

/* utf8_copy cuts between characters: a name of 3-byte characters in a
 * 64-byte field keeps 21 of them (63 bytes), none cut; a broken byte
 * counts as one. utf8_text_len refuses what XML and YAML cannot hold. */
static void utf8_checks(void)
{
	char name[100] = "", out[64];

	for (int i = 0; i < 30; i++)
		strcat(name, "\xe2\x82\xac"); /* U+20AC */
	utf8_copy(out, sizeof out, name);
	CHECK(strlen(out) == 63);
	strcpy(name, "ab\xe2\x82\xac");
	CHECK(strcmp(utf8_copy(out, 5, name), "ab") == 0);
	CHECK(strcmp(utf8_copy(out, 6, name), name) == 0);
	CHECK(strcmp(utf8_copy(out, 4, "a\xff\xfe"), "a\xff\xfe") == 0);
	CHECK(strcmp(utf8_copy(out, 3, "a\xff\xfe"), "a\xff") == 0);
	CHECK(utf8_text_len((const unsigned char *)"\xef\xbf\xbd", 3) == 3);
	CHECK(utf8_text_len((const unsigned char *)"\xef\xbf\xbe", 3) == 0);
	CHECK(utf8_text_len((const unsigned char *)"\xef\xbf\xbf", 3) == 0);
	CHECK(utf8_text_len((const unsigned char *)"\xf0\x9f\x98\x80", 4) == 4);
}

static void good_size(const char *s, uint64_t want)
{
	uint64_t v = 0;
	const char *why;

	CHECK(num_parse_size(s, &v, &why));
	CHECK_U64(v, want);
}

int main(void)
{
	good_u64("0", 0);
	good_u64("42", 42);
	good_u64("0x2A", 42);
	good_u64("0o52", 42);
	good_u64("0b101010", 42);
	good_u64("1_000_000", 1000000);
	good_u64("0xffff_ffff_ffff_ffff", UINT64_MAX);
	good_u64("18446744073709551615", UINT64_MAX);
	bad(num_parse_u64, "18446744073709551616", "64 bits");
	bad(num_parse_u64, "0x1_0000_0000_0000_0000", "64 bits");
	bad(num_parse_u64, "", "not a number");
	bad(num_parse_u64, "0x", "not a number");
	bad(num_parse_u64, "12a", "not a number");
	bad(num_parse_u64, "_1", "not a number");
	bad(num_parse_u64, "1_", "not a number");
	bad(num_parse_u64, "1__0", "not a number");
	bad(num_parse_u64, "-1", "not a number");
	bad(num_parse_u64, "0b102", "not a number");

	good_size("4096", 4096);
	good_size("4K", 4096);
	good_size("2M", 2 << 20);
	good_size("2MiB", 2 << 20);
	good_size("64G", 64ULL << 30);
	good_size("1T", 1ULL << 40);
	good_size("0x10K", 16 << 10);
	bad(num_parse_size, "3X", "unknown unit");
	bad(num_parse_size, "2m", "unknown unit");
	bad(num_parse_size, "16777216T", "64 bits");

	uint64_t ns;
	const char *why;
	CHECK(num_parse_duration("500ms", &ns, &why) && ns == 500000000ULL);
	CHECK(num_parse_duration("10s", &ns, &why) && ns == 10000000000ULL);
	CHECK(num_parse_duration("2m", &ns, &why) && ns == 120000000000ULL);
	bad(num_parse_duration, "10", "needs a unit");
	bad(num_parse_duration, "10h", "unknown unit");
	bad(num_parse_duration, "999999999999s", "too long");

	char buf[32];
	CHECK(strcmp(num_fmt_size(2 << 20, buf), "2M") == 0);
	CHECK(strcmp(num_fmt_size(4097, buf), "4097") == 0);
	CHECK(strcmp(num_fmt_size(64ULL << 30, buf), "64G") == 0);
	utf8_checks();
	UNIT_DONE();
}
