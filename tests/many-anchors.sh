#!/bin/sh
# 200 000 anchors and as many aliases (5 MB) are read in a moment: anchors
# are found by a hash, not searched one by one (libyaml's loader took
# minutes on this file). The timeout only catches such a regression; the
# checks show that each alias found its own anchor, and that a problem
# with an aliased value is reported where the alias stands.
set -u
. "${srcdir:-.}/tests/scratch.sh"
f=many-anchors.yaml
awk 'BEGIN {
	printf "anchors: ["; for (i = 0; i < 199999; i++) printf "&a%d %d, ", i, i
	print "&a199999 2M]"
	printf "aliases: ["; for (i = 0; i < 199999; i++) printf "*a%d, ", i; print "0]"
	print "memory: *a199999"
	print "cpu: { mode: *a7 }"
}' >"$f" || exit 99
timeout 60 "$abs_top_builddir/kvmrun" --check "$f" 2>err.out
got=$?
status=0
[ "$got" -eq 2 ] || { echo "FAIL: wanted exit 2, got $got" >&2; status=1; }
for want in "$f:1:1: anchors: unknown key 'anchors'" \
	"$f:2:1: aliases: unknown key 'aliases'" \
	"$f:4:14: cpu.mode: unknown mode '7'" \
	"$f:1:1: missing required key 'load'"; do
	grep -q "^$want" err.out || { echo "FAIL: no line '$want'" >&2; status=1; }
done
# memory: *a199999 is 2M, a valid size: no problem names it
grep -q "^$f:[0-9:]* memory" err.out && { echo "FAIL: memory refused" >&2; status=1; }
[ "$status" -eq 0 ] || cut -c1-160 err.out >&2
rm -f "$f" err.out
exit "$status"
