#!/bin/sh
# --junit: one JUnit XML document for a suite of a passing, a failing, an
# invalid, a crashing and a NUL-printing config, run by -j 2 children;
# well-formed for xmllint, and read back by Debian's python3-junitparser:
# counts, one test case per config with its result and message, the
# console in system-out.
set -u
. "${srcdir:-.}/tests/scratch.sh"
k=$abs_top_builddir/kvmrun
py=/usr/bin/python3
command -v xmllint >/dev/null || { echo "SKIP: xmllint is not installed (libxml2-utils)"; exit 77; }
$py -c 'import junitparser' 2>/dev/null || { echo "SKIP: python3-junitparser is not installed"; exit 77; }
needs_kvm
b=$abs_top_builddir
KVMRUN_PATH=$b/configs:$b/tests:$b/tests/errors:$b/tests/hostile
export KVMRUN_PATH
"$k" -q -j 2 --junit suite.xml "$srcdir/configs/longmode.yaml" "$srcdir/tests/expect-fail.yaml" \
	"$srcdir/tests/errors/misspelled-key.yaml" "$srcdir/tests/hostile/triple-fault.yaml" \
	"$srcdir/tests/hostile/console-nul-exact.yaml" 2>err
[ $? -eq 2 ] || { echo "FAIL: wanted the suite's status 2" >&2; exit 1; }
xmllint --noout suite.xml || { echo "FAIL: not well-formed XML" >&2; cat suite.xml; exit 1; }
$py - <<'PY' || { cat suite.xml; exit 1; }
from junitparser import JUnitXml, Failure, Error, Skipped
xml = JUnitXml.fromfile("suite.xml")
suites = list(xml)
assert len(suites) == 1, suites
s = suites[0]
assert (s.tests, s.failures, s.errors, s.skipped) == (5, 1, 2, 0), (s.tests, s.failures, s.errors, s.skipped)
cases = {c.name: c for c in s}
assert list(cases) == ["longmode-hello", "expect-fail", "misspelled-key", "triple-fault", "console-nul-exact"], list(cases)
def kinds(c):
    return [type(r).__name__ for r in c.result]
assert kinds(cases["longmode-hello"]) == [], kinds(cases["longmode-hello"])
assert cases["longmode-hello"].system_out == "Hello, world!\n", cases["longmode-hello"].system_out
assert cases["longmode-hello"].time > 0
f = cases["expect-fail"].result[0]
assert isinstance(f, Failure) and f.message == "memory 0x400: expected u64 0x29 (41), got u64 0x2a (42)", f.message
assert "memory 0x400: expected u64 0x29 (41), got u64 0x2a (42)" in f.text, f.text
e = cases["misspelled-key"].result[0]
assert isinstance(e, Error) and "unknown key 'memroy'" in e.text, e.text
assert "misspelled-key.yaml:4:1: memroy: unknown key 'memroy'" in e.message, e.message
e = cases["triple-fault"].result[0]
# The headline: the exception, and where it struck.
assert isinstance(e, Error) and e.message.startswith("#UD (invalid opcode) at "), e.message
assert e.text.startswith(e.message), e.text
assert cases["console-nul-exact"].system_out == "PASS\n\\x00FAIL\n", repr(cases["console-nul-exact"].system_out)
PY
# TAP's YAML block says the same, and prove reads it.
"$k" -q --tap "$srcdir/tests/hostile/triple-fault.yaml" >tf.tap 2>/dev/null
perl -MTAP::Parser -e 'my $p = TAP::Parser->new({ tap => do { local $/; open my $f, "<", "tf.tap"; <$f> } });
	my $m; while (my $r = $p->next) { $m //= $r->data->{message} if $r->is_yaml }
	exit !(defined $m && $m =~ /^#UD \(invalid opcode\) at /) || $p->parse_errors' ||
	{ cat tf.tap; echo "FAIL: no headline in the TAP of a #UD" >&2; exit 1; }
