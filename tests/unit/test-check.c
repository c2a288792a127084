/*
 * The check over a result alone, with no VM: expect.memory compares the
 * bytes the run collected (res->memory), says "not in RAM" for a range
 * that got none, and leaves the expectations unchecked after a stop the
 * config does not allow.
 */
#include "kvmrun-config.h"

#include "check.h"
#include "status.h"
#include "unit.h"

static const char config_text[] =
	"memory: 2M\n"
	"cpu: { mode: long }\n"
	"load: [ { raw: /dev/null, at: 0x1000 } ]\n"
	"expect:\n"
	"  status: 0\n"
	"  regs: { rax: 42 }\n"
	"  memory: [ { at: 0x400, u32: 0x12345678 },\n"
	"            { at: 0x800, string: \"ok\" } ]\n";

static const struct verdict *find(const struct verdicts *v, const char *what)
{
	for (size_t i = 0; i < v->n; i++)
		if (strcmp(v->v[i].what, what) == 0)
			return &v->v[i];
	return NULL;
}

int main(void)
{
	struct config *cfg = cfg_load_text("check.yaml", config_text,
					   sizeof config_text - 1, NULL, 0);
	uint8_t word[4] = { 0x78, 0x56, 0x34, 0x12 }, text[2] = { 'o', 'k' };
	struct mem_bytes mem[2] = { { 0x400, 4, word }, { 0x800, 2, text } };
	struct result res = { .stop = STOPPED_EXIT, .has_status = true,
			      .have_regs = true, .memory = mem, .nmemory = 2 };
	struct verdicts v;
	const struct verdict *m;

	CHECK_U64(cfg->diag.count, 0);
	res.regs.rax = 42;

	/* Everything as expected: the run passes. */
	check_run(&cfg->expect, &res, &v);
	CHECK(v.stop_ok);
	CHECK_U64(v.failed, 0);
	CHECK((m = find(&v, "memory 0x400")) && m->ok &&
	      strcmp(m->actual, "u32 0x12345678 (305419896)") == 0);
	CHECK((m = find(&v, "memory 0x800")) && m->ok);
	CHECK_U64(check_exit_status(&v), EXIT_PASS);
	check_free(&v);

	/* A byte changed, and a range that was not all RAM: two failures
	 * that say what they found. */
	text[1] = '!';
	mem[0].bytes = NULL;
	check_run(&cfg->expect, &res, &v);
	CHECK_U64(v.failed, 2);
	CHECK((m = find(&v, "memory 0x400")) && !m->ok &&
	      strcmp(m->actual, "u32: not in RAM") == 0);
	CHECK((m = find(&v, "memory 0x800")) && !m->ok &&
	      strcmp(m->actual, "string \"o!\"") == 0);
	CHECK_U64(check_exit_status(&v), EXIT_EXPECT);
	check_free(&v);

	/* No bytes collected at all (a result from before the checks read
	 * memory): not in RAM, not a crash. */
	res.memory = NULL;
	res.nmemory = 0;
	check_run(&cfg->expect, &res, &v);
	CHECK((m = find(&v, "memory 0x800")) && !m->ok &&
	      strcmp(m->actual, "[0x800, +2) is not in RAM") == 0);
	check_free(&v);

	/* A stop the config does not allow: the rest is unchecked. */
	res.stop = STOPPED_SHUTDOWN;
	check_run(&cfg->expect, &res, &v);
	CHECK(!v.stop_ok);
	CHECK((m = find(&v, "memory 0x400")) && m->unchecked);
	CHECK_U64(check_exit_status(&v), EXIT_GUEST);
	check_free(&v);

	cfg_free(cfg);

	/* { symbol: NAME }: where and how wide are what the plan found and
	 * the run collected; value is as wide as the symbol. */
	static const char by_symbol[] =
		"memory: 2M\ncpu: { mode: long }\n"
		"load: [ { raw: /dev/null, at: 0x1000 } ]\n"
		"expect: { memory: [ { symbol: result, value: 55 } ] }\n";
	uint8_t two[2] = { 55, 0 };
	struct mem_bytes sym = { 0x2000, 2, two };
	struct result r2 = { .stop = STOPPED_HLT, .memory = &sym, .nmemory = 1 };
	cfg = cfg_load_text("sym.yaml", by_symbol, sizeof by_symbol - 1, NULL, 0);
	CHECK_U64(cfg->diag.count, 0);
	check_run(&cfg->expect, &r2, &v);
	CHECK((m = find(&v, "memory result")) && m->ok &&
	      strcmp(m->actual, "value 0x37 (55)") == 0);
	check_free(&v);
	two[1] = 1;
	check_run(&cfg->expect, &r2, &v);
	CHECK((m = find(&v, "memory result")) && !m->ok &&
	      strcmp(m->actual, "value 0x137 (311)") == 0);
	check_free(&v);
	cfg_free(cfg);

	/* An exact console that differs: short texts whole, with the
	 * column; longer ones as the first differing line of each. */
	static const char lines[] =
		"memory: 2M\ncpu: { mode: long }\n"
		"load: [ { raw: /dev/null, at: 0x1000 } ]\n"
		"expect: { console: \"one\\ntwo\\nthree\\n\" }\n";
	struct result r3 = { .stop = STOPPED_HLT };
	cfg = cfg_load_text("lines.yaml", lines, sizeof lines - 1, NULL, 0);
	CHECK_U64(cfg->diag.count, 0);
	r3.console = (char *)"one\ntwo\nthere\n";
	r3.console_len = strlen(r3.console);
	check_run(&cfg->expect, &r3, &v);
	CHECK((m = find(&v, "console")) && !m->ok &&
	      strcmp(m->expected, "line 3, column 3: \"three\\n\"") == 0 &&
	      strcmp(m->actual, "line 3, column 3: \"there\\n\"") == 0);
	check_free(&v);
	r3.console = (char *)"one\ntwo\n";
	r3.console_len = strlen(r3.console);
	check_run(&cfg->expect, &r3, &v);
	CHECK((m = find(&v, "console")) && !m->ok &&
	      strcmp(m->actual, "the output ends at line 3, column 1") == 0);
	check_free(&v);
	r3.console = (char *)"onE\n";
	r3.console_len = strlen(r3.console);
	check_run(&cfg->expect, &r3, &v);
	CHECK((m = find(&v, "console")) && !m->ok &&
	      strcmp(m->actual, "\"onE\\n\" (differs at column 3)") == 0);
	check_free(&v);
	cfg_free(cfg);
	return unit_failures != 0;
}
