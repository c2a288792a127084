#!/bin/sh
# Suites: a folder runs its configs in name order, -j runs them in
# parallel processes with the same output in the same order, --shard I/N
# and Bazel's TEST_SHARD_INDEX/TEST_TOTAL_SHARDS split them without
# overlap, and the last line is "N passed, N failed, N skipped".
set -u
. "${srcdir:-.}/tests/scratch.sh"
KVMRUN_PATH=$abs_top_builddir/configs
export KVMRUN_PATH
k=$abs_top_builddir/kvmrun
needs_kvm
dir=$srcdir/configs
status=0
fail() { echo "FAIL: $*" >&2; status=1; }
verdicts() { grep -E '^(PASS|FAIL|SKIP|INVALID|ERROR) ' "$1" | sed 's/ (.*//'; }

# Passes and skips (paged32 where the host cannot page 32-bit) exit 0.
ok_status() { [ "$1" -eq 0 ]; }
"$k" -q "$dir" 2>serial.err
ok_status $? || fail "the folder suite failed"
tail -n 1 serial.err | grep -Eqx '[0-9]+ passed, 0 failed, [0-9]+ skipped' ||
	fail "no summary line: $(tail -n 1 serial.err)"
# The configs' names, in the order of their files' names.
printf '%s\n' debug higherhalf longmode-hello multiboot paged32-hello \
	protected-hello realmode-hello smp >want
n=$(wc -l <want)
# configs/debug.yaml waits for gdb when run alone, never in a suite.
[ "$(verdicts serial.err | wc -l)" -eq "$n" ] || fail "wanted $n verdicts"
verdicts serial.err | sed 's/^[A-Z]* //' >names
cmp -s names want || fail "configs not in name order: $(tr '\n' ' ' <names)"

"$k" -q -j 4 "$dir" 2>parallel.err
ok_status $? || fail "-j 4 failed"
verdicts serial.err >a
verdicts parallel.err >b
cmp -s a b || fail "-j 4 changed the verdicts or their order"
tail -n 1 serial.err >a
tail -n 1 parallel.err >b
cmp -s a b || fail "-j 4 changed the summary"

"$k" -q --shard 1/2 "$dir" 2>s1.err
"$k" -q --shard 2/2 "$dir" 2>s2.err
verdicts s1.err >a
verdicts s2.err >>a
[ "$(sort a | uniq | wc -l)" -eq "$n" ] && [ "$(wc -l <a)" -eq "$n" ] ||
	fail "shards 1/2 and 2/2 do not split the $n configs"
rm -f ack
TEST_TOTAL_SHARDS=2 TEST_SHARD_INDEX=1 TEST_SHARD_STATUS_FILE=ack \
	"$k" -q "$dir" 2>bazel.err
verdicts s2.err >a
verdicts bazel.err >b
cmp -s a b || fail "TEST_SHARD_INDEX=1 of 2 is not --shard 2/2"
[ -f ack ] || fail "TEST_SHARD_STATUS_FILE not touched"
"$k" --shard 3/2 "$dir" 2>/dev/null
[ $? -eq 2 ] || fail "--shard 3/2 must be a usage error"

"$k" --tap -j 3 "$dir" 2>/dev/null >tap.out
grep -E '^(not )?ok [0-9]' tap.out | sed 's/^\(not \)*ok \([0-9]*\).*/\2/' | tr '\n' ' ' >a
[ "$(cat a)" = "$(seq -s ' ' "$n") " ] || fail "TAP under -j is out of order: $(cat a)"
"$k" -q -j 3 --json runs.jsonl "$dir" 2>/dev/null
[ "$(wc -l <runs.jsonl)" -eq "$n" ] && head -n 1 runs.jsonl | grep -q '"name":"debug"' ||
	fail "JSON under -j: wanted $n documents in order"
# One job at a time writes straight to kvmrun's own outputs, in order.
"$k" -q --json runs1.jsonl "$dir" 2>/dev/null
names() { sed 's/.*"name":"\([^"]*\)".*/\1/' "$1"; }
[ "$(names runs1.jsonl)" = "$(names runs.jsonl)" ] ||
	fail "JSON of -j 1 and -j 3 name different configs: $(names runs1.jsonl | tr '\n' ' ')"

# A suite's status: passes and skips make 0, and 77 only when every
# config skipped. A config that clears CPUID's LM skips on every host.
scratch=$(mktemp -d)
printf '%s\n' 'memory: 2M' 'cpu: { mode: long, cpuid: { clear: [lm] } }' \
	'load: [ { elf: guests/hello64.elf } ]' >"$scratch/nolm.yaml"
KVMRUN_PATH=$abs_top_builddir:$abs_top_builddir/tests:$KVMRUN_PATH "$k" -q "$scratch/nolm.yaml" "$dir/longmode.yaml" 2>/dev/null
got=$?
[ "$got" -eq 0 ] || fail "a pass and a skip must exit 0, got $got"
cp "$scratch/nolm.yaml" "$scratch/nolm2.yaml"
KVMRUN_PATH=$abs_top_builddir:$abs_top_builddir/tests:$KVMRUN_PATH "$k" -q "$scratch" 2>/dev/null
got=$?
[ "$got" -eq 77 ] || fail "a suite of skips must exit 77, got $got"
KVMRUN_PATH=$abs_top_builddir:$abs_top_builddir/tests:$KVMRUN_PATH "$k" -q "$scratch/nolm.yaml" "$srcdir/tests/expect-fail.yaml" 2>/dev/null
got=$?
[ "$got" -eq 1 ] || fail "a skip and a failed expectation must exit 1, got $got"
rm -rf "$scratch"

# A child that dies is named, gets a verdict in every format, and the
# suite goes on (-j 1 and -j 2).
# Without the sandbox (sanitizer builds), -j 1 runs configs in kvmrun's
# own process: no child.
spin=$srcdir/tests/errors/timeout.yaml
hello=$dir/longmode.yaml
children="1 2"
"$k" -V | grep -q 'sandbox: seccomp' || children=2
for j in $children; do
	KVMRUN_PATH=$abs_top_builddir/tests/errors:$KVMRUN_PATH \
		"$k" -q -j "$j" -s limits.timeout=20s --json killed.json "$spin" "$hello" 2>killed.err &
	parent=$!
	# The parent holds an idle VM for the suite (src/vm/vm.c); the child
	# holds only its own. Wait until the child has made it (however
	# slow this host), not for a time.
	vms() { ls -l /proc/"$1"/fd 2>/dev/null | grep -c 'anon_inode:kvm-vm'; }
	child=
	for _ in $(seq 600); do
		child=$(awk -v p="$parent" '$4 == p { print $1 }' /proc/[0-9]*/stat 2>/dev/null |
			sort -n | head -n 1)
		[ -n "$child" ] && [ "$(vms "$child")" -ge 1 ] && break
		sleep 0.1
	done
	[ -n "$child" ] && [ "$(vms "$child")" -eq 1 ] ||
		fail "-j $j: the child holds $(vms "$child") VMs, wanted its own only"
	[ "$(vms "$parent")" -eq 1 ] || fail "-j $j: the parent holds no idle VM"
	[ -n "$child" ] && kill -KILL $child
	wait "$parent"
	got=$?
	[ "$got" -eq 3 ] || fail "-j $j: a killed child must make the suite exit 3, got $got"
	grep -q "kvmrun: timeout: its process was killed by signal 9 (Killed) before it reported" killed.err ||
		fail "-j $j: the killed config is not named: $(head -n 1 killed.err)"
	grep -q '^ERROR timeout$' killed.err ||
		fail "-j $j: the killed config has no verdict line"
	jq -se 'length == 2 and .[0].verdict == "ERROR" and
		(.[0].error | test("killed by signal 9")) and .[1].verdict == "PASS"' \
		killed.json >/dev/null || fail "-j $j: the JSON lacks the killed config: $(cat killed.json)"
	grep -q '^PASS longmode-hello' killed.err ||
		fail "-j $j: the suite did not go on after the killed config"
done
# Under -j each console line is labelled with its config's name; alone,
# it is the guest's own.
"$k" -j 2 "$dir/longmode.yaml" "$dir/protected.yaml" >labelled.out 2>/dev/null
printf '%s\n' 'longmode-hello| Hello, world!' 'protected-hello| Hello, world!' >want.out
cmp -s labelled.out want.out || fail "-j 2 console lines: $(cat labelled.out)"
[ "$("$k" "$dir/longmode.yaml" 2>/dev/null)" = 'Hello, world!' ] ||
	fail "one config: its console is not the guest's own"
rm -f labelled.out want.out
rm -f serial.err parallel.err s1.err s2.err bazel.err names want a b ack tap.out runs.jsonl \
	runs1.jsonl killed.err killed.json
exit "$status"
