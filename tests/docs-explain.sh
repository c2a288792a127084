#!/bin/sh
# The --explain outputs embedded in README.md are what kvmrun prints now.
set -u
KVMRUN_PATH=$abs_top_builddir/configs
export KVMRUN_PATH
tmp=$(mktemp -d) || exit 99
trap 'rm -rf "$tmp"' EXIT
cp "$srcdir/README.md" "$tmp/" && mkdir "$tmp/configs" &&
	cp "$srcdir"/configs/*.yaml "$tmp/configs/" || exit 99
update=$(cd "$srcdir" && pwd)/scripts/update-explain-docs
(cd "$tmp" && sh "$update" "$abs_top_builddir/kvmrun") 2>/dev/null || exit 99
if ! diff -u "$srcdir/README.md" "$tmp/README.md"; then
	echo "FAIL: README.md is stale: run scripts/update-explain-docs" >&2
	exit 1
fi
[ "$(grep -c "^ *[0-9]*  KVM_SET_SREGS " "$srcdir/README.md")" -eq 5 ] ||
	{ echo "FAIL: wanted the 5 configs explained, each with its KVM calls" >&2; exit 1; }
