#!/bin/sh
# Options for CI: --only selects configs by pattern, --list names them
# without running any, --no-skip makes "this host cannot run it" an
# error (exit 3) instead of a skip, Bazel's shard variables must be
# numbers (so must --shard's I/N), and a config waiting for gdb ends
# its wait.
set -u
. "${srcdir:-.}/tests/scratch.sh"
k=$abs_top_builddir/kvmrun
KVMRUN_PATH=$abs_top_builddir/configs
export KVMRUN_PATH
dir=$srcdir/configs
status=0
fail() { echo "FAIL: $*" >&2; status=1; }

"$k" --list --only 'long*' --only '*/smp.yaml' "$dir" >list.out
printf '%s\n' "$dir/longmode-higherhalf.yaml" "$dir/longmode.yaml" "$dir/smp.yaml" >want
cmp -s list.out want || fail "--list --only: got $(cat list.out)"
"$k" --list --only 'nothing*' "$dir" 2>none.err
[ $? -eq 2 ] && grep -q -- '--only nothing\*: no config matches' none.err ||
	fail "--only matching nothing: wanted exit 2 and a message: $(cat none.err)"

TEST_TOTAL_SHARDS=2 TEST_SHARD_INDEX=xyz "$k" --list "$dir" 2>shard.err
[ $? -eq 2 ] && grep -q 'TEST_SHARD_INDEX=xyz and TEST_TOTAL_SHARDS=2 do not name a shard' shard.err ||
	fail "TEST_SHARD_INDEX=xyz: wanted exit 2 and a message: $(cat shard.err)"
# --shard I/N: whole decimal numbers, no sign, no space, no overflow.
for spec in 1/-2 -1/2 +1/2 ' 1/2' '1/ 2' 1/2x 1/2/3 18446744073709551616/18446744073709551616 \
	1/18446744073709551616 3/2 0/2 /2 1/; do
	"$k" --list --shard "$spec" "$dir" >/dev/null 2>shard.err
	[ $? -eq 2 ] && grep -qF -- "--shard $spec: wanted I/N" shard.err ||
		fail "--shard '$spec': wanted exit 2 and a message: $(cat shard.err)"
done

# --no-skip where KVM cannot be used: here, or with /dev/null over
# /dev/kvm in a mount namespace of our own (root only).
no_kvm() { "$@"; }
if [ -c /dev/kvm ] && [ -w /dev/kvm ]; then
	if unshare -m true 2>/dev/null; then
		no_kvm() { unshare -m sh -c 'mount --bind /dev/null /dev/kvm && exec "$@"' - "$@"; }
	else
		echo "note: /dev/kvm works and no mount namespace: --no-skip not tested"
		no_kvm=
	fi
fi
if [ -z "${no_kvm-x}" ]; then :; else
	no_kvm "$k" -q "$dir/longmode.yaml" 2>skip.err
	got=$?
	[ "$got" -eq 77 ] || fail "without KVM: wanted 77, got $got: $(cat skip.err)"
	no_kvm "$k" -q --no-skip --tap "$dir/longmode.yaml" "$dir/realmode.yaml" >noskip.tap 2>noskip.err
	got=$?
	[ "$got" -eq 3 ] || fail "--no-skip: wanted 3, got $got: $(cat noskip.err)"
	[ "$(grep -c '^not ok' noskip.tap)" -eq 2 ] || fail "--no-skip: TAP points are not failures: $(cat noskip.tap)"
	grep -q '^ERROR longmode-hello' noskip.err || fail "--no-skip: no ERROR verdict: $(cat noskip.err)"
fi
# A config waiting for gdb does not hang a harness: debug.wait ends the
# wait (10 s by default away from a terminal) with exit 3; the address
# it waits on is the one given, IPv6 in brackets.
if "$k" -q "$dir/longmode.yaml" >/dev/null 2>&1; then
	for addr in 127.0.0.1 '[::1]'; do
		[ "$addr" = '[::1]' ] && ! ip -6 addr show lo 2>/dev/null | grep -q '::1' && continue
		timeout 60 "$k" -q -s "debug.gdb=$addr:0" -s debug.wait=1s "$dir/longmode.yaml" </dev/null 2>gdb.err
		got=$?
		[ "$got" -eq 3 ] || fail "debug.wait: wanted exit 3, got $got: $(cat gdb.err)"
		grep -qF "waiting for gdb on $addr:" gdb.err || fail "debug.gdb=$addr: $(head -n 1 gdb.err)"
		grep -q 'no gdb connected within 1 s (debug.wait); the guest did not run' gdb.err ||
			fail "debug.wait: not said: $(cat gdb.err)"
	done
fi
exit "$status"
