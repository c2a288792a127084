#!/bin/sh
# The report formats under hostile names, read by their real consumers:
# a config name with '#' (a TAP directive if not escaped), U+FFFE and
# U+FFFF (not XML), a byte that is not UTF-8, and a file name of the
# same kind. prove reads the TAP (alone and in a suite), xmllint and
# junitparser the JUnit, jq and jsonschema the JSON. One file for two
# reports is refused; '-' is standard output for --json and --junit
# alike; a TEST_SHARD_STATUS_FILE that cannot be made is an error.
set -u
. "${srcdir:-.}/tests/scratch.sh"
k=$abs_top_builddir/kvmrun
py=/usr/bin/python3
for tool in prove xmllint jq; do
	command -v $tool >/dev/null || { echo "SKIP: $tool is not installed"; exit 77; }
done
$py -c 'import junitparser, jsonschema' 2>/dev/null ||
	{ echo "SKIP: python3-junitparser or python3-jsonschema is not installed"; exit 77; }
status=0
fail() { echo "FAIL: $*" >&2; status=1; }
hello=$abs_top_builddir/guests/hello64.elf

# U+FFFE, U+FFFF, a lone \xff, a TAP directive: in the name and the file.
bad=$(printf 'x\357\277\276\357\277\277\377 # TODO hidden')
mkdir cfgs
printf 'memroy: 2M\ncpu: { mode: long }\nload: [ { elf: %s } ]\n' \
	"$hello" >"cfgs/$bad.yaml"
printf 'name: [ oops\n' >"cfgs/${bad}2.yaml"

# TAP, prove: the failure stays a failure, no TODO read into the name.
tap_fails() {
	prove -e cat "$1" >prove.out 2>&1
	grep -aq 'Parse errors' prove.out && fail "$1: prove cannot parse it: $(cat prove.out)"
	grep -aq "Failed $2/$3 subtests" prove.out || fail "$1: prove did not see $2 of $3 failed: $(cat prove.out; cat "$1")"
}
"$k" --check --tap -s "name=$bad" "cfgs/${bad}2.yaml" >one.tap 2>/dev/null
tap_fails one.tap 1 1
"$k" --check --tap "cfgs" -s "name=$bad" >suite.tap 2>/dev/null
tap_fails suite.tap 2 2
LC_ALL=C grep -aq '^not ok 1 - x.*\\# TODO hidden$' suite.tap || fail "'#' not escaped: $(cat suite.tap)"

# JUnit: well-formed, a test case per config, the names shown.
"$k" --check --junit j.xml --json j.json cfgs -s "name=$bad" 2>/dev/null
xmllint --noout j.xml || fail "JUnit with U+FFFE in a name is not XML: $(cat j.xml)"
$py - <<'PY' || fail "junitparser: $(cat j.xml)"
from junitparser import JUnitXml, Error
s = list(JUnitXml.fromfile("j.xml"))[0]
assert (s.tests, s.errors) == (2, 2), (s.tests, s.errors)
for c in s:
    assert c.name.startswith("x\\xef\\xbf\\xbe\\xef\\xbf\\xbf\\xff # TODO hidden"), c.name
PY
# JSON: valid UTF-8 with U+FFFD for the broken byte; the schema holds.
$py "$srcdir/tests/validate-json.py" "$srcdir/kvmrun-report.schema.json" j.json ||
	fail "JSON schema"
jq -se 'length == 2 and all(.name | test("^x\ufffe\uffff\ufffd # TODO hidden2?$")) and
	all(.config | test("^cfgs/x\ufffe\uffff\ufffd # TODO hidden"))' j.json >/dev/null ||
	fail "JSON names: $(cat j.json)"

# One file for two reports: refused, the file left as it was.
cfg=$srcdir/configs/longmode.yaml
KVMRUN_PATH=$abs_top_builddir/configs
export KVMRUN_PATH
echo keep >same
"$k" --check --json same --junit ./same "$cfg" 2>same.err
[ $? -eq 2 ] && grep -q -- '--json same and --junit ./same: one file for two reports' same.err ||
	fail "--json F --junit F: $(cat same.err)"
[ "$(cat same)" = keep ] || fail "--json F --junit F truncated F"
"$k" --check --json - --junit - "$cfg" >/dev/null 2>same.err
[ $? -eq 2 ] || fail "--json - --junit -: $(cat same.err)"
"$k" --check --tap --json - "$cfg" >/dev/null 2>same.err
[ $? -eq 2 ] && grep -q -- '--tap and --json -: one file' same.err || fail "--tap --json -: $(cat same.err)"
# '-' for --junit is standard output, as for --json.
"$k" --check --junit - "$cfg" >out.xml 2>/dev/null
[ ! -e ./- ] && xmllint --noout out.xml && grep -q '<testcase ' out.xml ||
	fail "--junit - is not standard output: $(ls; cat out.xml)"

# TEST_SHARD_STATUS_FILE: made, or an error (never a wait on a FIFO).
TEST_TOTAL_SHARDS=1 TEST_SHARD_INDEX=0 TEST_SHARD_STATUS_FILE=ack "$k" --list cfgs >/dev/null &&
	[ -f ack ] || fail "TEST_SHARD_STATUS_FILE not made"
TEST_TOTAL_SHARDS=1 TEST_SHARD_INDEX=0 TEST_SHARD_STATUS_FILE=no/such/ack "$k" --list cfgs 2>ack.err >/dev/null
[ $? -eq 2 ] && grep -q 'TEST_SHARD_STATUS_FILE=no/such/ack: cannot create it: No such file' ack.err ||
	fail "an impossible TEST_SHARD_STATUS_FILE: $(cat ack.err)"
mkfifo ack.fifo
TEST_TOTAL_SHARDS=1 TEST_SHARD_INDEX=0 TEST_SHARD_STATUS_FILE=ack.fifo timeout 10 "$k" --list cfgs 2>ack.err >/dev/null
[ $? -eq 2 ] && grep -q 'a FIFO that nobody reads' ack.err || fail "a FIFO TEST_SHARD_STATUS_FILE: $(cat ack.err)"
# A guest whose function name is not UTF-8, and cut mid-character: the
# JSON keeps its stop, the name escaped (needs KVM).
if "$k" --host kvm >/dev/null 2>&1; then
	objcopy --redefine-sym "scenario=$(printf 'sc\377\342\202')" \
		"$abs_top_builddir/guests/scenarios64.elf" bad-sym.elf
	printf 'memory: 2M\ncpu: { mode: long, regs: { rdi: 26, rsi: 0x40000000 } }\nload: [ { elf: bad-sym.elf } ]\n' >bad-sym.yaml
	"$k" -q --json bad-sym.json --junit bad-sym.xml bad-sym.yaml 2>/dev/null
	# (symbol names are shown escaped everywhere: \xNN, kvmrun(1))
	jq -e '.stop.reason == "shutdown" and .stop.rip_place.function == "sc\\xff\\xe2\\x82"' bad-sym.json >/dev/null ||
		fail "a symbol that is not UTF-8: $(cat bad-sym.json)"
	$py "$srcdir/tests/validate-json.py" "$srcdir/kvmrun-report.schema.json" bad-sym.json ||
		fail "a symbol that is not UTF-8: JSON schema"
	xmllint --noout bad-sym.xml || fail "a symbol that is not UTF-8: JUnit"
fi
exit $status
