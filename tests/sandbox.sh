#!/bin/sh
# The seccomp sandbox: active while a guest runs (/proc/PID/status says
# Seccomp: 2), absent with --no-sandbox, no obstacle to output on a
# terminal, and a forbidden call ends the run with exit 3 and its name.
set -u
. "${srcdir:-.}/tests/scratch.sh"
k=$abs_top_builddir/kvmrun
"$k" -V | grep -q 'sandbox: seccomp' || { echo "built without the sandbox" >&2; exit 77; }
needs_kvm
KVMRUN_PATH=$abs_top_builddir/tests/errors
export KVMRUN_PATH
spin=$srcdir/tests/errors/timeout.yaml
spin_config spin
status=0

# The Seccomp mode of kvmrun while it runs the endless loop, given (args):
# read once the guest runs (the filter comes after the setup); the loop
# runs on until it is stopped here.
seccomp_mode() {
	"$k" -q -t -s limits.timeout=60s "$@" spin.yaml 2>spin.err &
	pid=$!
	running spin.err 1 "$pid"
	mode=$(sed -n 's/^Seccomp:[[:space:]]*//p' /proc/$pid/status 2>/dev/null)
	kill -INT "$pid" 2>/dev/null
	wait "$pid"
	echo "$mode"
}
[ "$(seccomp_mode)" = 2 ] || { echo "FAIL: no seccomp filter while the guest runs" >&2; status=1; }
[ "$(seccomp_mode --no-sandbox)" = 0 ] || { echo "FAIL: --no-sandbox still filters" >&2; status=1; }

# Console output to a character device and to a terminal (stdio asks
# isatty, an ioctl) works inside the sandbox.
hello=$srcdir/configs/longmode.yaml
KVMRUN_PATH=$abs_top_builddir/configs "$k" "$hello" >/dev/null 2>err.out ||
	{ echo "FAIL: stdout on /dev/null: $(cat err.out)" >&2; status=1; }
# (Only where a pseudo-terminal can be made: chroots may have no /dev/pts.)
if command -v script >/dev/null && script -qec true /dev/null >/dev/null 2>&1; then
	KVMRUN_PATH=$abs_top_builddir/configs script -qec "'$k' '$hello'" /dev/null >pty.out 2>&1 ||
		{ echo "FAIL: stdout on a terminal: $(cat pty.out)" >&2; status=1; }
	grep -q 'Hello, world!' pty.out || { echo "FAIL: no output on the terminal" >&2; status=1; }
	rm -f pty.out
fi

# A forbidden call is refused, not fatal: one config still has its
# verdict line, its JSON and its JUnit, an error naming the call.
KVMRUN_SANDBOX_TEST=1 "$k" -q -s limits.timeout=1s --json r.json \
	--junit r.xml "$spin" 2>err.out
[ $? -eq 3 ] || { echo "FAIL: a forbidden call must exit 3" >&2; status=1; }
grep -q 'the sandbox stopped system call [0-9]* (getppid)' err.out ||
	{ echo "FAIL: the message does not name the call" >&2; status=1; }
grep -q '^ERROR ' err.out ||
	{ echo "FAIL: no verdict line: $(cat err.out)" >&2; status=1; }
jq -e '.verdict == "ERROR" and (.error | test("\\(getppid\\)"))' r.json >/dev/null ||
	{ echo "FAIL: JSON: $(cat r.json)" >&2; status=1; }
grep -q '<error message="[^"]*(getppid)' r.xml ||
	{ echo "FAIL: JUnit: $(cat r.xml)" >&2; status=1; }
rm -f err.out r.json r.xml
exit "$status"
