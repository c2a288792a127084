#!/bin/sh
# The supported CPUID asked ahead on another core (src/vm/kvm_host.c): runs
# pass whether the helper asks in time, starts only after the sandbox is
# in place (every core busy), or is not started (one core allowed).
set -u
k=$abs_top_builddir/kvmrun
hello=$srcdir/configs/longmode.yaml
KVMRUN_PATH=$abs_top_builddir/configs
export KVMRUN_PATH
"$k" --host kvm >/dev/null 2>&1 || { echo "SKIP: $("$k" --host kvm)" >&2; exit 77; }
status=0

# A run's verdict: PASS, or what went wrong.
run() {
	out=$("$@" "$hello" 2>&1 >/dev/null)
	rc=$?
	[ "$rc" -eq 0 ] || { echo "FAIL ($*): exit $rc: $out" >&2; status=1; }
}

run "$k"
command -v taskset >/dev/null && run taskset -c "$(taskset -pc $$ | sed 's/.*: *//; s/[-,].*//')" "$k"

# Busy loops on every core: the helper often gets to run only after the
# guest, under the seccomp filter, and must still start and leave.
cores=$(getconf _NPROCESSORS_ONLN)
hogs=
i=0
while [ "$i" -lt "$cores" ]; do
	sh -c 'while :; do :; done' &
	hogs="$hogs $!"
	i=$((i + 1))
done
i=0
while [ "$i" -lt 100 ] && [ "$status" -eq 0 ]; do
	run "$k"
	i=$((i + 1))
done
kill $hogs
exit "$status"
