#!/bin/sh
# A 1 GiB config (sparse) is refused at once, without reading it all.
set -u
. "${srcdir:-.}/tests/scratch.sh"
f=huge-config.yaml
truncate -s 1G "$f" || exit 99
"$abs_top_builddir/kvmrun" --check "$f" 2>err.out
got=$?
status=0
[ "$got" -eq 2 ] || { echo "FAIL: wanted exit 2, got $got" >&2; status=1; }
grep -q 'the config is larger than 16 MiB' err.out || { echo "FAIL: no message" >&2; status=1; }
rm -f "$f" err.out
exit "$status"
