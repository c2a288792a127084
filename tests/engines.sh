#!/bin/sh
# The engines that run kvmrun: Bazel's test protocol (XML_OUTPUT_FILE,
# TEST_UNDECLARED_OUTPUTS_DIR, TESTBRIDGE_TEST_ONLY, TEST_TMPDIR,
# TEST_PREMATURE_EXIT_FILE, TEST_INFRASTRUCTURE_FAILURE_FILE) on configs
# that need no guest, or on a host without KVM; SIGTERM (Bazel's
# timeout) where guests run. --shard auto under GitLab's, Buildkite's,
# CircleCI's and a Kubernetes Indexed Job's variables runs each config
# once across the shards, and without --shard auto they are ignored.
set -u
. "${srcdir:-.}/tests/scratch.sh"
k=$abs_top_builddir/kvmrun
KVMRUN_PATH=$abs_top_builddir/configs
export KVMRUN_PATH
dir=$srcdir/configs
status=0
fail() { echo "FAIL: $*" >&2; status=1; }
n=$(ls "$dir"/*.yaml | wc -l)
"$k" --list "$dir" >all

# Bazel's variables, on --check: the JUnit goes to XML_OUTPUT_FILE, each
# config's report to TEST_UNDECLARED_OUTPUTS_DIR, --test_filter selects,
# and a finished run removes the premature-exit file.
mkdir tmp
bazel_vars="XML_OUTPUT_FILE=$PWD/test.xml TEST_UNDECLARED_OUTPUTS_DIR=$PWD/und
TEST_TMPDIR=$PWD/tmp TEST_PREMATURE_EXIT_FILE=$PWD/premature
TEST_INFRASTRUCTURE_FAILURE_FILE=$PWD/infra"
# shellcheck disable=SC2086 # the variables, split (the scratch path has no blank)
bazel_env() { env $bazel_vars "$@"; }
bazel_env TESTBRIDGE_TEST_ONLY='long*,smp' "$k" -q --check "$dir" 2>check.err
[ $? -eq 0 ] || fail "--check under Bazel's variables: $(cat check.err)"
xmllint --noout test.xml || fail "XML_OUTPUT_FILE is no XML document"
[ "$(grep -c '<testcase ' test.xml)" -eq 3 ] ||
	fail "TESTBRIDGE_TEST_ONLY='long*,smp' wanted 3 test cases: $(cat test.xml)"
[ "$(ls und | wc -l)" -eq 3 ] || fail "TEST_UNDECLARED_OUTPUTS_DIR: wanted 3 logs: $(ls und)"
[ -e premature ] && fail "a finished run left TEST_PREMATURE_EXIT_FILE"
[ -e infra ] && fail "a run that needed no KVM wrote TEST_INFRASTRUCTURE_FAILURE_FILE"
# --only and --junit say more than the environment.
rm test.xml
bazel_env TESTBRIDGE_TEST_ONLY='long*' "$k" -q --check --only smp \
	--junit mine.xml "$dir" 2>/dev/null
[ "$(grep -c '<testcase ' mine.xml)" -eq 1 ] && [ ! -s test.xml ] ||
	fail "--only and --junit must win over TESTBRIDGE_TEST_ONLY and XML_OUTPUT_FILE"
# The JUnit's cases wait in TEST_TMPDIR: one that is no folder is said.
rm -f test.xml
env XML_OUTPUT_FILE="$PWD/test.xml" TEST_TMPDIR="$PWD/nowhere" \
	"$k" -q --check "$dir" 2>tmp.err
[ $? -eq 2 ] && grep -q 'No such file' tmp.err ||
	fail "TEST_TMPDIR that is no folder: wanted exit 2 and why: $(cat tmp.err)"
# A premature-exit file that cannot be made is an error, not a pass.
env TEST_PREMATURE_EXIT_FILE="$PWD/nowhere/p" "$k" -q --check "$dir" 2>pre.err
[ $? -eq 2 ] && grep -q 'TEST_PREMATURE_EXIT_FILE=.*nowhere/p: No such file' pre.err ||
	fail "unwritable TEST_PREMATURE_EXIT_FILE: wanted exit 2 and why: $(cat pre.err)"

# Where /dev/kvm cannot be used, Bazel (which knows no skip) is told why.
no_kvm() { "$@"; }
# shellcheck disable=SC2086
no_kvm_env() { no_kvm env $bazel_vars "$@"; }
if "$k" --host kvm >/dev/null 2>&1; then
	if unshare -m true 2>/dev/null; then
		no_kvm() { unshare -m sh -c 'mount --bind /dev/null /dev/kvm && exec "$@"' - "$@"; }
	else
		echo "note: /dev/kvm works and no mount namespace: TEST_INFRASTRUCTURE_FAILURE_FILE not tested"
		no_kvm=
	fi
fi
if [ -n "${no_kvm-x}" ]; then
	rm -f infra
	no_kvm_env "$k" -q "$dir/longmode.yaml" 2>skip.err
	got=$?
	[ "$got" -eq 77 ] || fail "without KVM: wanted 77, got $got: $(cat skip.err)"
	grep -q '/dev/kvm' infra ||
		fail "without KVM: TEST_INFRASTRUCTURE_FAILURE_FILE wanted the reason: $(cat infra 2>&1)"
	[ -e premature ] && fail "a skipped run left TEST_PREMATURE_EXIT_FILE"
fi

# SIGTERM, Bazel's timeout: everything reported, the JUnit written, and
# the premature-exit file left, since the run did not finish.
if "$k" --host kvm >/dev/null 2>&1; then
	spin_config spin
	rm -f test.xml
	# Not through bazel_env: a function run with & is a subshell, and
	# the signal would reach it, not kvmrun.
	# shellcheck disable=SC2086
	env $bazel_vars "$k" -t -q -s limits.timeout=10m spin.yaml "$dir/longmode.yaml" 2>term.err &
	pid=$!
	running term.err 1 "$pid" || fail "SIGTERM: kvmrun ended before its guest ran: $(cat term.err)"
	kill -s TERM "$pid"
	wait "$pid"
	got=$?
	[ "$got" -eq 143 ] || fail "SIGTERM: wanted 143, got $got"
	[ -e premature ] || fail "SIGTERM: TEST_PREMATURE_EXIT_FILE removed by a run that did not finish"
	xmllint --noout test.xml && [ "$(grep -c '<testcase ' test.xml)" -eq 2 ] ||
		fail "SIGTERM: XML_OUTPUT_FILE wanted both configs: $(cat test.xml term.err)"
	grep -q 'SIGTERM' test.xml || fail "SIGTERM: the JUnit does not name it"
else
	echo "note: no usable /dev/kvm: SIGTERM under Bazel's variables not tested"
fi

# --shard auto: each engine's shards run every config once; the first
# line says which shard, from which variables.
shards() { # ENGINE TOTAL: the --list of each shard, into got
	: >got
	for i in $(seq 0 $(($2 - 1))); do
		case $1 in
		gitlab) set -- "$@" CI_NODE_INDEX=$((i + 1)) CI_NODE_TOTAL=$2 ;;
		buildkite) set -- "$@" BUILDKITE_PARALLEL_JOB=$i BUILDKITE_PARALLEL_JOB_COUNT=$2 ;;
		circleci) set -- "$@" CIRCLE_NODE_INDEX=$i CIRCLE_NODE_TOTAL=$2 ;;
		k8s) set -- "$@" JOB_COMPLETION_INDEX=$i ;;
		esac
		engine=$1 total=$2
		shift 2
		env "$@" "$k" --list --shard "${auto:-auto}" "$dir" >>got 2>first.err
		head -n 1 first.err | grep -q "^kvmrun: shard $((i + 1)) of $total, from .*$(echo "$1" | sed 's/=.*//')=" ||
			fail "$engine shard $i: the first line does not say which: $(cat first.err)"
		set -- "$engine" "$total"
	done
	sort got | cmp -s - all || fail "$engine: $total shards do not run each config once: $(cat got)"
}
shards gitlab 3
shards buildkite 2
shards circleci 3
auto=auto/3 shards k8s 3

# Each shard's JUnit suite has a name of its own, where reporters merge them.
for i in 1 2; do
	CI_NODE_INDEX=$i CI_NODE_TOTAL=2 "$k" -q --check --shard auto --junit "j$i.xml" "$dir" 2>/dev/null
	grep -q "<testsuite name=\"kvmrun shard $i/2\"" "j$i.xml" ||
		fail "shard $i of 2: the JUnit suite is not named for it: $(grep '<testsuite ' "j$i.xml")"
done

# Without --shard auto, the variables of a job are not a shard.
CI_NODE_INDEX=1 CI_NODE_TOTAL=3 CIRCLE_NODE_INDEX=0 CIRCLE_NODE_TOTAL=2 \
	"$k" --list "$dir" >whole 2>whole.err
cmp -s whole all && [ ! -s whole.err ] ||
	fail "CI variables without --shard auto must run the whole suite: $(cat whole whole.err)"
# Under auto with none set, the whole suite, said.
env -u CI_NODE_INDEX -u BUILDKITE_PARALLEL_JOB -u CIRCLE_NODE_INDEX -u JOB_COMPLETION_INDEX \
	-u TEST_SHARD_INDEX "$k" --list --shard auto "$dir" >whole 2>whole.err
cmp -s whole all && grep -q "no engine says which shard" whole.err ||
	fail "--shard auto without variables: wanted the whole suite, said: $(cat whole.err)"
# What names no shard is an error, never a lost config.
for bad in 'CI_NODE_INDEX=0 CI_NODE_TOTAL=3:auto:counting from 1' \
	'CIRCLE_NODE_INDEX=2 CIRCLE_NODE_TOTAL=2:auto:do not name a shard' \
	'BUILDKITE_PARALLEL_JOB=x BUILDKITE_PARALLEL_JOB_COUNT=2:auto:do not name a shard' \
	'JOB_COMPLETION_INDEX=1:auto:exports no total: give it as --shard auto/N' \
	'CI_NODE_INDEX=1 CI_NODE_TOTAL=3:auto/2:do not name a shard' \
	'CI_NODE_INDEX=1:auto/0:wanted auto or auto/N'; do
	vars=${bad%%:*} rest=${bad#*:}
	spec=${rest%%:*} want=${rest#*:}
	# shellcheck disable=SC2086 # the variables, split
	env $vars "$k" --list --shard "$spec" "$dir" >/dev/null 2>bad.err
	[ $? -eq 2 ] && grep -q -- "$want" bad.err ||
		fail "$vars --shard $spec: wanted exit 2 and '$want': $(cat bad.err)"
done
exit "$status"
