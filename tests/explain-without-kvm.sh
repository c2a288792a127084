#!/bin/sh
# --explain and --check need no /dev/kvm: run them as a user who cannot
# open it (root drops to nobody with setpriv), while a real run skips.
set -u
[ "$(id -u)" -eq 0 ] && command -v setpriv >/dev/null || {
	echo "needs root and setpriv to drop /dev/kvm access" >&2
	exit 77
}
# nobody must reach the binary and files: copy them where it can.
tmp=$(mktemp -d) || exit 99
trap 'rm -rf "$tmp"' EXIT
chmod 755 "$tmp"
cp "$abs_top_builddir/kvmrun" "$srcdir/configs/longmode.yaml" \
	"$abs_top_builddir/guests/hello64.elf" "$tmp/" || exit 99
sed -i 's#\.\./guests/##' "$tmp/longmode.yaml"
chmod 644 "$tmp/longmode.yaml" "$tmp/hello64.elf"
config=$tmp/longmode.yaml
as_nobody() {
	setpriv --reuid=65534 --regid=65534 --clear-groups "$tmp/kvmrun" "$@"
}
status=0
as_nobody --explain "$config" >"$tmp/explain.out" 2>&1 || { echo "FAIL: --explain" >&2; status=1; }
grep -q 'KVM_SET_REGS' "$tmp/explain.out" || { echo "FAIL: no KVM calls listed" >&2; status=1; }
as_nobody --check "$config" 2>/dev/null || { echo "FAIL: --check" >&2; status=1; }
as_nobody -q "$config" 2>/dev/null
[ $? -eq 77 ] || { echo "FAIL: a real run without /dev/kvm must exit 77" >&2; status=1; }
exit "$status"
