#!/bin/sh
# expect.subtests: results a guest reports on its console (TAP, or
# kvm-unit-tests' PASS:/FAIL:/SKIP: and SUMMARY: lines) become sub-tests:
# counted on the verdict line, failed ones named with their console line,
# a failing or missing one fails the config; TAP subtests read by prove,
# JSON valid against the schema, a JUnit test case each read by
# junitparser, and --log-dir files. The guest prints a Multiboot module
# it is given, so each case states its console exactly.
set -u
. "${srcdir:-.}/tests/scratch.sh"
k=$abs_top_builddir/kvmrun
py=/usr/bin/python3
needs_kvm
fail() { echo "FAIL: $*" >&2; exit 1; }

# config NAME FORMAT [STATUS]: a config whose guest prints NAME.txt and
# exits with STATUS (0).
config() {
	cat >"$1.yaml" <<YAML
memory: 4M
cpu: { mode: protected }
boot: multiboot
load: [ { elf: $abs_top_builddir/guests/mbprint.elf } ]
multiboot: { cmdline: "${3:-0}", modules: [ $1.txt ] }
ports: { 0x3f8: uart8250, 0xf4: debug-exit }
expect: { status: 0, skip-status: 38, subtests: $2 }
YAML
}

printf 'PASS: apic: id\r\nSKIP: apic: x2apic not offered\nXFAIL: pit: one\nKFAIL: pit: two\nINFO: not a result\nSUMMARY: 4 tests, 1 known failures, 1 expected failures, 1 skipped\n' >kut-pass.txt
printf 'PASS: one\nFAIL: msr: bad value\nXPASS: fixed\nSUMMARY: 3 tests, 2 unexpected failures\n' >kut-fail.txt
printf 'PASS: one\nPASS: two\nSUMMARY: 5 tests\n' >kut-short.txt
printf 'hello\n' >kut-none.txt
printf 'PASS: one\nABORT: lost the local APIC\nSUMMARY: 1 tests\n' >kut-abort.txt
printf 'TAP version 13\n1..4\nok 1 - one\nok 2 two # SKIP no disk\nnot ok 3 - three # TODO later\nok - four \\# not a directive\n' >tap-pass.txt
printf '1..3\nok 1 - one\nnot ok 2 - two\n    not ok 1 - nested lines are not ours\nok 3 - three\n' >tap-fail.txt
printf 'ok 1 - one\n' >tap-noplan.txt
printf '1..2\nok 1 - one\nBail out! no more\n' >tap-bail.txt
printf 'SKIP: no PMU\nSUMMARY: 1 tests, 1 skipped\n' >kut-skip.txt
for c in kut-pass kut-fail kut-short kut-none kut-abort; do config $c kvm-unit-tests; done
config kut-skip kvm-unit-tests 38
for c in tap-pass tap-fail tap-noplan tap-bail; do config $c tap; done

# run CONFIG STATUS PATTERN...: kvmrun's status, and each pattern in its
# stderr.
run() {
	c=$1 want=$2
	shift 2
	"$k" -q "$c.yaml" 2>"$c.err"
	got=$?
	[ "$got" -eq "$want" ] || { cat "$c.err" >&2; fail "$c: status $got, wanted $want"; }
	for p; do
		grep -qF -- "$p" "$c.err" || { cat "$c.err" >&2; fail "$c: no '$p'"; }
	done
}
run kut-pass 0 "PASS kut-pass (" "; 4 sub-tests: 1 passed, 1 skipped, 2 failed as expected)"
run kut-fail 1 "FAIL kut-fail (" "; 3 sub-tests: 1 passed, 2 failed)" \
	'subtests: expected every kvm-unit-tests result a pass or a skip, got 3 sub-tests: 1 passed, 2 failed: "msr: bad value", "fixed"' \
	"  sub-test failed (console line 2): msr: bad value" \
	"  sub-test failed (console line 3): fixed # XPASS: passed, but was expected to fail"
run kut-short 1 "SUMMARY: says 5 tests, the console shows 2 results"
run kut-none 0 "PASS kut-none (" "; 0 sub-tests)"
run kut-abort 1 "the guest aborted (console line 2): lost the local APIC"
# expect.skip-status: the guest's own skip is the config's skip.
run kut-skip 77 "kvmrun: kut-skip: the guest reported a skip (status 38, expect.skip-status) (skipped)" \
	"SKIP kut-skip ("
grep -q "expected" kut-skip.err && fail "a skip lists failed expectations"
run tap-pass 0 "; 4 sub-tests: 2 passed, 1 skipped, 1 failed as expected)"
run tap-fail 1 '1 failed: "two"' "sub-test failed (console line 3): two"
run tap-noplan 1 "no TAP plan (1..N) on the console, after 1 test points"
run tap-bail 1 "the guest bailed out (console line 3): no more"

# TAP: the sub-tests as a subtest block, which prove reads and counts.
"$k" --tap tap-fail.yaml >one.tap 2>/dev/null
grep -qx '    not ok 2 - two' one.tap || { cat one.tap; fail "no sub-test point in the TAP"; }
"$k" --tap kut-pass.yaml tap-pass.yaml kut-fail.yaml >suite.tap 2>/dev/null
grep -qx '    ok 2 - two # SKIP no disk' suite.tap || { cat suite.tap; fail "no skipped sub-test"; }
grep -qx '    ok 4 - four \\# not a directive' suite.tap || { cat suite.tap; fail "a '#' in a name not escaped"; }
grep -qx '    not ok 3 - three # TODO later' suite.tap || { cat suite.tap; fail "no to-do sub-test"; }
if command -v prove >/dev/null; then
	prove -e cat suite.tap >prove.out 2>&1 && { cat prove.out; fail "prove passed a failing suite"; }
	grep -q "Failed 1/3 subtests" prove.out || { cat suite.tap prove.out; fail "prove did not read the suite"; }
	prove -e cat one.tap >prove1.out 2>&1 && fail "prove passed a failing sub-test"
fi

# JSON: the sub-tests, valid against the schema, null without them.
KVMRUN_PATH=$abs_top_builddir/configs "$k" -q --json runs.jsonl kut-pass.yaml tap-fail.yaml \
	"$srcdir/configs/multiboot.yaml" \
	2>/dev/null
[ $? -eq 1 ] || fail "the suite's status is not 1"
$py "$srcdir/tests/validate-json.py" "$srcdir/kvmrun-report.schema.json" runs.jsonl ||
	fail "JSON not valid against the schema"
jq -se '.[0].subtests.tests[1] == {"name": "apic: x2apic not offered",
	"result": "skip", "note": null, "line": 2}
	and .[0].subtests.expected_failures == 2 and .[0].subtests.planned == 4
	and .[1].subtests.failed == 1 and .[1].subtests.tests[1].line == 3
	and .[1].subtests.problem == null and .[2].subtests == null' runs.jsonl >/dev/null ||
	{ cat runs.jsonl; fail "JSON sub-tests"; }

# JUnit: a test case per sub-test, in a class named after the config,
# and the counts over all of them.
if $py -c 'import junitparser' 2>/dev/null; then
	"$k" -q --junit runs.xml kut-fail.yaml tap-pass.yaml 2>/dev/null
	$py - <<'PY' || { cat runs.xml; fail "JUnit sub-tests"; }
from junitparser import JUnitXml, Failure, Skipped
s = list(JUnitXml.fromfile("runs.xml"))[0]
assert (s.tests, s.failures, s.errors, s.skipped) == (9, 3, 0, 1), (s.tests, s.failures, s.errors, s.skipped)
cases = [(c.classname, c.name, [type(r).__name__ for r in c.result]) for c in s]
assert cases[1] == ("kut-fail", "one", []), cases[1]
assert cases[2] == ("kut-fail", "msr: bad value", ["Failure"]), cases[2]
assert cases[6] == ("tap-pass", "two", ["Skipped"]), cases[6]
assert cases[7] == ("tap-pass", "three", []), cases[7]
PY
fi

# --log-dir: each config's report and console in files named after it,
# numbered in a suite.
"$k" -q --log-dir logs kut-pass.yaml kut-fail.yaml 2>/dev/null
[ -f logs/1-kut-pass.log ] && [ -f logs/2-kut-fail.console ] || { ls -R logs; fail "no log files"; }
cmp -s logs/2-kut-fail.console kut-fail.txt || fail "the console file is not the guest's output"
grep -qF "sub-test failed (console line 2): msr: bad value" logs/2-kut-fail.log ||
	fail "the log has no report"
grep -q "^PASS kut-pass" logs/1-kut-pass.log || fail "the log has no verdict"
"$k" -q --log-dir logs kut-pass.yaml 2>/dev/null && [ -f logs/kut-pass.log ] ||
	fail "one config: no logs/kut-pass.log"
# Without a run (--check) the report alone, numbered from 1.
"$k" --check --log-dir chk kut-pass.yaml kut-fail.yaml 2>/dev/null
[ -f chk/1-kut-pass.log ] && [ -f chk/2-kut-fail.log ] && [ ! -e chk/1-kut-pass.console ] ||
	{ ls chk; fail "--check --log-dir"; }
# A folder that cannot be made is a usage error; a file that cannot be
# written is lost output (4), said.
"$k" -q --log-dir /proc/kvmrun-no-such/logs kut-pass.yaml 2>dir.err
[ $? -eq 2 ] && grep -q "^kvmrun: --log-dir /proc/kvmrun-no-such/logs: " dir.err ||
	{ cat dir.err; fail "an impossible --log-dir"; }
# A full disk: no file may grow (RLIMIT_FSIZE, SIGXFSZ ignored); stderr
# is a pipe, which the limit does not hold. (A symlink to /dev/full is
# no longer followed: --log-dir replaces its files.)
mkdir full
{ (trap '' XFSZ; ulimit -f 0; exec "$k" -q --log-dir full kut-pass.yaml) 2>&1 >/dev/null
	echo $? >full.status; } | cat >full.err
[ "$(cat full.status)" -eq 4 ] && grep -q "^kvmrun: --log-dir: full/kut-pass.log: output lost: File too large" full.err ||
	{ cat full.err; fail "a log that could not be written"; }
exit 0
