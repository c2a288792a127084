#!/bin/sh
# Signals: SIGINT, SIGTERM and SIGHUP stop a run, which reports (verdict,
# JSON) and then ends by that signal (a shell sees 130, 143, 129). A
# signalled suite parent stops its children and reports every config:
# finished, cut short, or not started. A closed pipe on stdout loses only
# stdout: the verdict and the JSON file survive, and the status says 4.
set -u
. "${srcdir:-.}/tests/scratch.sh"
k=$abs_top_builddir/kvmrun
needs_kvm
KVMRUN_PATH=$abs_top_builddir/tests/errors:$abs_top_builddir/configs
export KVMRUN_PATH
spin=$srcdir/tests/errors/timeout.yaml
hello=$srcdir/configs/longmode.yaml
status=0
fail() { echo "FAIL: $*" >&2; status=1; }

# Start kvmrun (args) in the background, wait until the guest runs (its
# process, or a child, uses the CPU), send (sig), give its status.
signalled() {
	sig=$1
	shift
	"$k" "$@" 2>sig.err &
	pid=$!
	sleep 1
	kill -s "$sig" "$pid"
	wait "$pid"
}

for sig in INT:130 HUP:129 TERM:143; do
	name=${sig%:*} want=${sig#*:}
	signalled "$name" -q -s limits.timeout=30s --json one.json "$spin"
	got=$?
	[ "$got" -eq "$want" ] || fail "SIG$name: wanted status $want, got $got"
	grep -q "SIG$name" sig.err || fail "SIG$name: the report does not name it: $(cat sig.err)"
	grep -q '^ERROR timeout' sig.err || fail "SIG$name: no verdict line"
	jq -e '.verdict == "ERROR" and .stop.reason == "interrupted"' one.json >/dev/null ||
		fail "SIG$name: no JSON document: $(cat one.json)"
done

# A suite parent signalled alone: its children stop, every config of
# the plan has its verdict, in text, TAP and JSON.
signalled TERM -q -j 2 --tap --json all.json "$spin" "$spin" "$hello" "$hello" >all.tap
got=$?
[ "$got" -eq 143 ] || fail "suite: wanted status 143, got $got"
[ "$(grep -c '^ERROR timeout' sig.err)" -eq 2 ] || fail "suite: two interrupted verdicts wanted: $(cat sig.err)"
grep -q 'not run: kvmrun was stopped by SIGTERM' sig.err || fail "suite: the configs not started are not named"
[ "$(grep -c '^\(not \)\?ok ' all.tap)" -eq 4 ] || fail "suite: 4 TAP points wanted: $(cat all.tap)"
[ "$(jq -s length all.json)" -eq 4 ] || fail "suite: 4 JSON documents wanted"
sleep 0.2
pgrep -f "kvmrun.*$spin" >/dev/null && fail "suite: children run on after their parent"

# stdout closed by its reader: exit 4, and the rest is all there. The
# reader is gone before the guest has computed for a while and halted.
cat >compute.yaml <<'YAML'
memory: 2M
cpu: { mode: long, regs: { rdi: 28, rsi: 20000000 } }
load: [ { elf: scenarios64.elf } ]
ports: { 0xE9: console }
YAML
KVMRUN_PATH=$abs_top_builddir/guests:$KVMRUN_PATH
{ "$k" --tap --json pipe.json compute.yaml "$hello" 2>pipe.err
	echo $? >pipe.status; } | true
got=$(cat pipe.status)
[ "$got" -eq 4 ] || fail "closed pipe: wanted status 4, got $got"
grep -q 'standard output: output lost: Broken pipe' pipe.err || fail "closed pipe: not said: $(cat pipe.err)"
grep -q '^PASS compute' pipe.err && grep -q '^PASS longmode-hello' pipe.err ||
	fail "closed pipe: the verdicts are lost: $(cat pipe.err)"
[ "$(jq -s length pipe.json)" -eq 2 ] || fail "closed pipe: the JSON is lost"
exit "$status"
