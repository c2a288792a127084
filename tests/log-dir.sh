#!/bin/sh
# --log-dir, signals and FIFOs around the reports. A skip stays a skip,
# with --junit and --json, alone and in a suite, each config once (on a
# KVM host the skip comes after the sandbox: CPUID without long mode).
# A symlink or a FIFO planted in the log folder is replaced, never
# followed or opened. A FIFO in a config folder is an error, a FIFO
# config waits for its writer until a signal ends kvmrun, and a signal
# during the report lets it finish before kvmrun ends by it.
set -u
. "${srcdir:-.}/tests/scratch.sh"
k=$abs_top_builddir/kvmrun
py=/usr/bin/python3
$py -c 'import junitparser' 2>/dev/null || { echo "SKIP: python3-junitparser is not installed"; exit 77; }
command -v jq >/dev/null || { echo "SKIP: jq is not installed"; exit 77; }
status=0
fail() { echo "FAIL: $*" >&2; status=1; }

mkdir skips
for n in a b; do
	cat >skips/$n.yaml <<YAML
name: skip-$n
memory: 2M
cpu: { mode: long, cpuid: { clear: [lm] } }
load: [ { elf: $abs_top_builddir/guests/hello64.elf } ]
ports: { 0xE9: console }
YAML
done

# Each config once, a skip, in JUnit (junitparser) and JSON (jq).
junit_skips() {
	$py - "$1" "$2" <<'PY'
import sys
from junitparser import JUnitXml, Skipped
s = list(JUnitXml.fromfile(sys.argv[1]))[0]
names = [c.name for c in s]
want = int(sys.argv[2])
assert (s.tests, s.skipped, s.errors) == (want, want, 0), (s.tests, s.skipped, s.errors, names)
assert len(set(names)) == want, names
assert all(isinstance(c.result[0], Skipped) for c in s), names
PY
}
json_skips() {
	jq -se --argjson n "$2" 'length == $n and all(.verdict == "SKIP")' "$1" >/dev/null
}

"$k" -q --log-dir logs1 --junit one.xml --json one.json skips/a.yaml 2>one.err
got=$?
[ $got -eq 77 ] || fail "one skipping config with --log-dir: wanted 77, got $got: $(cat one.err)"
junit_skips one.xml 1 || fail "one skip: JUnit: $(cat one.xml)"
json_skips one.json 1 || fail "one skip: JSON: $(cat one.json)"
[ -f logs1/skip-a.log ] && grep -q '^SKIP skip-a' logs1/skip-a.log || fail "one skip: no log: $(ls logs1)"
for j in 1 2; do
	"$k" -q -j $j --log-dir logs$j$j --junit s$j.xml --json s$j.json skips 2>s$j.err
	got=$?
	[ $got -eq 77 ] || fail "-j $j suite of skips with --log-dir: wanted 77, got $got: $(cat s$j.err)"
	junit_skips s$j.xml 2 || fail "-j $j suite of skips: JUnit: $(cat s$j.xml)"
	json_skips s$j.json 2 || fail "-j $j suite of skips: JSON: $(cat s$j.json)"
done

# Planted in the log folder: a symlink to a file kvmrun must not touch,
# and a FIFO nobody reads.
mkdir planted
echo precious >victim
ln -s "$PWD/victim" planted/skip-a.log
mkfifo planted/skip-a.console
timeout 10 "$k" -q --log-dir planted skips/a.yaml 2>planted.err
got=$?
[ $got -eq 77 ] || fail "planted log files: wanted 77, got $got: $(cat planted.err)"
[ "$(cat victim)" = precious ] || fail "--log-dir wrote through a symlink"
[ -f planted/skip-a.log ] && [ ! -L planted/skip-a.log ] && [ -f planted/skip-a.console ] ||
	fail "planted log files not replaced: $(ls -l planted)"

# A FIFO among a folder's configs: an error, before anything runs.
mkdir fifos
cp skips/a.yaml fifos/a.yaml
mkfifo fifos/b.yaml
timeout 10 "$k" --check fifos 2>fifos.err
got=$?
[ $got -eq 2 ] && grep -q 'fifos/b.yaml: not a config file: a FIFO' fifos.err ||
	fail "a FIFO in a config folder: wanted 2 and a message, got $got: $(cat fifos.err)"

# Send (sig) to background job (pid); its status, or 137 when it did
# not end within 10 s.
# in_syscall PID N: wait until PID is blocked in system call N (x86-64
# numbers, /proc/PID/syscall), or has ended: readiness, not a time.
in_syscall() {
	while kill -0 "$1" 2>/dev/null; do
		[ "$(cut -d' ' -f1 "/proc/$1/syscall" 2>/dev/null)" = "$2" ] && return 0
		sleep 0.02
	done
	return 1
}

signal_status() {
	kill -s "$1" "$2"
	# (a shell may run an inherited EXIT trap in this subshell when it
	# is killed: that trap removes the scratch folder)
	( trap - EXIT; sleep 10; kill -KILL "$2" 2>/dev/null ) &
	killer=$!
	wait "$2"
	got=$?
	kill $killer 2>/dev/null
	return $got
}

# A FIFO config without a writer: SIGTERM ends the wait, and kvmrun.
mkfifo lone.yaml
"$k" --check lone.yaml 2>lone.err &
pid=$!
in_syscall $pid 271 # ppoll: waiting for the FIFO's writer
signal_status TERM $pid
got=$?
[ $got -eq 143 ] || fail "SIGTERM while a FIFO config waits: wanted 143, got $got: $(cat lone.err)"
grep -q 'stopped by a signal' lone.err || fail "the FIFO config's wait: $(cat lone.err)"

# SIGINT while a config waits for gdb (needs KVM): the wait ends, the
# config is reported, kvmrun ends by the signal.
KVMRUN_PATH=$abs_top_builddir/configs "$k" -q "$srcdir/configs/longmode.yaml" >/dev/null 2>&1
if [ $? -ne 77 ]; then
	KVMRUN_PATH=$abs_top_builddir/configs "$k" -q -s debug.gdb=127.0.0.1:0 \
		-s debug.wait=60s --json gdb.json "$srcdir/configs/longmode.yaml" 2>gdb.err &
	pid=$!
	i=0
	while ! grep -q 'waiting for gdb' gdb.err && [ $i -lt 100 ]; do
		sleep 0.1
		i=$((i + 1))
	done
	signal_status INT $pid
	got=$?
	[ $got -eq 130 ] && jq -e '.verdict == "ERROR"' gdb.json >/dev/null ||
		fail "SIGINT while waiting for gdb: wanted 130 and a verdict, got $got: $(cat gdb.err gdb.json)"
fi

# A signal while the report waits on a full pipe: the report finishes,
# then kvmrun ends by the signal.
mkdir many
i=0
while [ $i -lt 400 ]; do
	printf 'name: %0200d\nmemory: 2M\ncpu: { mode: long }\nload: [ { elf: %s } ]\n' $i \
		"$abs_top_builddir/guests/hello64.elf" >many/c$i.yaml
	i=$((i + 1))
done
mkfifo tap.pipe
"$k" --check --tap many >tap.pipe 2>/dev/null &
pid=$!
exec 3<tap.pipe
in_syscall $pid 1 # write: the pipe is full
kill -TERM $pid
cat <&3 >many.tap
exec 3<&-
wait $pid
got=$?
[ $got -eq 143 ] || fail "SIGTERM during the report: wanted 143, got $got"
# Every config has its point: checked, or not run once the signal came.
[ "$(grep -c '^\(not \)\?ok ' many.tap)" -eq 400 ] && grep -q '^not ok 400 ' many.tap &&
	grep -q 'kvmrun was stopped by SIGTERM' many.tap ||
	fail "SIGTERM during the report cut it: $(grep -c '^\(not \)\?ok ' many.tap) points, last: $(tail -n 3 many.tap)"
exit $status
