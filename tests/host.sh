#!/bin/sh
# kvmrun --host: a line a capability (name, yes or no, why), every one
# kvmrun knows; exit 0 when guests can run, 77 when not; named
# capabilities decide the status; --json matches kvmrun-host.schema.json
# and the text; an unknown name is a usage error. Where it can be
# arranged (a mount namespace), /dev/kvm missing and /dev/kvm refused
# are told apart and name their fix. Runs on any host: it checks what
# the probe says, not what this host has.
set -u
. "${srcdir:-.}/tests/scratch.sh"
k=$abs_top_builddir/kvmrun
status=0
fail() { echo "FAIL: $*" >&2; status=1; }
caps="kvm real-mode protected-mode paging32 pae long-mode pages-1g irqchip smp
readonly-mem hyperv exceptions triple-fault state-after-shutdown
gdt-fault-shutdown guest-debug single-step sw-breakpoints hw-breakpoints
data-breakpoints"

"$k" --host >all.txt 2>all.err
got=$?
cat all.txt
[ -s all.err ] && fail "--host wrote to stderr: $(cat all.err)"
for cap in $caps; do
	grep -Eq "^$cap +(yes|no) +[^ ]" all.txt || fail "no line for $cap"
done
[ "$(wc -l <all.txt)" -eq "$(echo $caps | wc -w)" ] || fail "lines other than the capabilities"
if grep -Eq '^kvm +yes ' all.txt; then want=0; else want=77; fi
[ "$got" -eq "$want" ] || fail "--host exited $got; the kvm line wants $want"

# JSON: the schema's shape, and the same answers as the text.
"$k" --host --json host.json >/dev/null || [ $? -eq 77 ] || fail "--host --json: status"
if /usr/bin/python3 -c 'import jsonschema' 2>/dev/null; then
	/usr/bin/python3 "$srcdir/tests/validate-json.py" "$srcdir/kvmrun-host.schema.json" host.json ||
		fail "host.json does not match kvmrun-host.schema.json"
fi
jq -r '.capabilities | to_entries[] | "\(.key) \(if .value.available then "yes" else "no" end)"' \
	host.json >json.txt || fail "host.json is not JSON"
awk '{ print $1, $2 }' all.txt | diff - json.txt >/dev/null || fail "the JSON says otherwise than the text"
[ "$(jq .guests_run host.json)" = "$([ "$want" -eq 0 ] && echo true || echo false)" ] ||
	fail "guests_run is not the kvm line"

# Named capabilities: only those, and the status is theirs.
"$k" --host long-mode paging32 >two.txt
got=$?
[ "$(cut -d' ' -f1 two.txt | tr '\n' ' ')" = "long-mode paging32 " ] || fail "named: $(cat two.txt)"
if grep -q ' no ' two.txt; then want=77; else want=0; fi
[ "$got" -eq "$want" ] || fail "named: exited $got, wanted $want"

"$k" --host no-such-thing >bad.txt 2>bad.err
[ $? -eq 2 ] || fail "an unknown capability: wanted status 2"
grep -q "unknown capability 'no-such-thing'" bad.err || fail "an unknown capability is not named: $(cat bad.err)"

# No /dev/kvm (a tmpfs over /dev in a mount namespace): exit 77, and it
# says why there is none, not a bare errno.
if unshare -rm true 2>/dev/null; then
	unshare -rm sh -c "mount -t tmpfs none /dev && exec '$k' --host kvm" >none.txt 2>&1
	got=$?
	[ "$got" -eq 77 ] || fail "without /dev/kvm: wanted 77, got $got: $(cat none.txt)"
	grep -Eq '^kvm +no +no /dev/kvm(:|,)' none.txt || fail "without /dev/kvm: $(cat none.txt)"
	grep -Eq 'nest|modprobe|firmware' none.txt || fail "without /dev/kvm, no fix named: $(cat none.txt)"
	"$k" --host --json - long-mode 2>/dev/null >/dev/null
else
	echo "note: no mount namespace here: /dev/kvm missing not tried"
fi
# /dev/kvm that this user may not open: a device node of mode 0600 in a
# mount namespace, opened by nobody (needs root to arrange).
if [ "$(id -u)" -eq 0 ] && command -v setpriv >/dev/null && unshare -m true 2>/dev/null; then
	unshare -m sh -c "mount -t tmpfs none /dev && mknod -m 600 /dev/kvm c 10 232 &&
		exec setpriv --reuid=65534 --regid=65534 --clear-groups '$k' --host kvm" >denied.txt 2>&1
	got=$?
	[ "$got" -eq 77 ] || fail "/dev/kvm denied: wanted 77, got $got: $(cat denied.txt)"
	grep -q 'Permission denied (mode 0600, group root)' denied.txt || fail "/dev/kvm denied: $(cat denied.txt)"
	grep -q 'udev rule' denied.txt || fail "/dev/kvm denied, no fix named: $(cat denied.txt)"
else
	echo "note: not root here: a refused /dev/kvm not tried"
fi
exit "$status"
