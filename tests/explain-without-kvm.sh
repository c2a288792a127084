#!/bin/sh
# --explain and --check need no /dev/kvm: run them as a user who cannot
# open it (root drops to nobody with setpriv), while a real run skips.
set -u
[ "$(id -u)" -eq 0 ] && command -v setpriv >/dev/null || {
	echo "needs root and setpriv to drop /dev/kvm access" >&2
	exit 77
}
config=$srcdir/configs/longmode.yaml
as_nobody() {
	KVMRUN_PATH=$abs_top_builddir/configs setpriv --reuid=65534 \
		--regid=65534 --clear-groups "$abs_top_builddir/kvmrun" "$@"
}
status=0
as_nobody --explain "$config" >explain.out 2>&1 || { echo "FAIL: --explain" >&2; status=1; }
grep -q 'KVM_SET_REGS' explain.out || { echo "FAIL: no KVM calls listed" >&2; status=1; }
as_nobody --check "$config" 2>/dev/null || { echo "FAIL: --check" >&2; status=1; }
as_nobody -q "$config" 2>/dev/null
[ $? -eq 77 ] || { echo "FAIL: a real run without /dev/kvm must exit 77" >&2; status=1; }
rm -f explain.out
exit "$status"
