#!/bin/sh
# Signals: SIGINT, SIGTERM and SIGHUP stop a run, which reports (verdict,
# JSON) and then ends by that signal (a shell sees 130, 143, 129). A
# signalled suite parent stops its children and reports every config:
# finished, cut short, or not started. A closed pipe on stdout loses only
# stdout: the verdict and the JSON file survive, and the status says 4.
# Nothing here waits for a time: the guests say when they run (--trace
# shows their first exit), and the pipe's reader is gone before kvmrun
# starts.
set -u
. "${srcdir:-.}/tests/scratch.sh"
k=$abs_top_builddir/kvmrun
needs_kvm
KVMRUN_PATH=$abs_top_builddir/configs
export KVMRUN_PATH
spin_config spin
hello=$srcdir/configs/longmode.yaml
status=0
fail() { echo "FAIL: $*" >&2; status=1; }

# children_running PID N: wait until N children of suite PID are at
# their runs: each holds its vCPU and, where kvmrun has a sandbox, is in
# it (the last step before the guest runs). Their --trace goes to files
# of the suite's, which /proc cannot always open (9p, O_TMPFILE).
children_running() {
	while :; do
		n=0
		for c in $(awk -v p="$1" '$4 == p { print $1 }' /proc/[0-9]*/stat 2>/dev/null); do
			ls -l "/proc/$c/fd" 2>/dev/null | grep -q 'anon_inode:kvm-vcpu' &&
				{ [ -z "$sandbox" ] || grep -q '^Seccomp:[[:space:]]*2' "/proc/$c/status"; } &&
				n=$((n + 1))
		done
		[ "$n" -ge "$2" ] && return 0
		kill -0 "$1" 2>/dev/null || return 1
		sleep 0.02
	done
}
sandbox=
"$k" -V | grep -q 'sandbox: seccomp' && sandbox=yes

# Start kvmrun -t (args) in the background, wait until (n) guests run
# (in its children when -j), send (sig), give its status.
signalled() {
	sig=$1 n=$2
	shift 2
	"$k" -t "$@" 2>sig.err &
	pid=$!
	case " $* " in
	*" -j "*) children_running "$pid" "$n" ;;
	*) running sig.err "$n" "$pid" ;;
	esac || fail "SIG$sig: kvmrun ended before its guests ran: $(cat sig.err)"
	kill -s "$sig" "$pid"
	wait "$pid"
}

for sig in INT:130 HUP:129 TERM:143; do
	name=${sig%:*} want=${sig#*:}
	signalled "$name" 1 -q -s limits.timeout=10m --json one.json spin.yaml
	got=$?
	[ "$got" -eq "$want" ] || fail "SIG$name: wanted status $want, got $got"
	grep -q "SIG$name" sig.err || fail "SIG$name: the report does not name it: $(cat sig.err)"
	grep -q '^ERROR spin' sig.err || fail "SIG$name: no verdict line"
	jq -e '.verdict == "ERROR" and .stop.reason == "interrupted"' one.json >/dev/null ||
		fail "SIG$name: no JSON document: $(cat one.json)"
done

# A suite parent signalled alone, once both children's guests run: they
# stop, every config of the plan has its verdict, in text, TAP and JSON.
signalled TERM 2 -q -j 2 -s limits.timeout=10m --tap --json all.json spin.yaml spin.yaml "$hello" "$hello" >all.tap
got=$?
[ "$got" -eq 143 ] || fail "suite: wanted status 143, got $got"
[ "$(grep -c '^ERROR spin' sig.err)" -eq 2 ] || fail "suite: two interrupted verdicts wanted: $(cat sig.err)"
grep -q 'not run: kvmrun was stopped by SIGTERM' sig.err || fail "suite: the configs not started are not named"
[ "$(grep -c '^\(not \)\?ok ' all.tap)" -eq 4 ] || fail "suite: 4 TAP points wanted: $(cat all.tap)"
[ "$(jq -s length all.json)" -eq 4 ] || fail "suite: 4 JSON documents wanted"
# The parent reports once its children have ended.
pgrep -f "kvmrun.*spin.yaml" >/dev/null && fail "suite: children run on after their parent"

# stdout closed by its reader: exit 4, and the rest is all there. The
# reader closes its end and says so before kvmrun starts.
rm -f gone
{ while [ ! -e gone ]; do sleep 0.01; done
	"$k" --tap --json pipe.json "$hello" "$hello" 2>pipe.err
	echo $? >pipe.status; } | { exec 0<&-; : >gone; }
got=$(cat pipe.status)
[ "$got" -eq 4 ] || fail "closed pipe: wanted status 4, got $got"
grep -q 'standard output: output lost: Broken pipe' pipe.err || fail "closed pipe: not said: $(cat pipe.err)"
[ "$(grep -c '^PASS longmode-hello' pipe.err)" -eq 2 ] ||
	fail "closed pipe: the verdicts are lost: $(cat pipe.err)"
[ "$(jq -s length pipe.json)" -eq 2 ] || fail "closed pipe: the JSON is lost"
exit "$status"
