#!/bin/sh
# Problems at the end of one 16 MB line: each caret line is found from
# the previous one, not by walking the line again (100 problems took
# 20 times the CPU time of one). Compared in CPU time, with one problem
# as the yardstick, so that a busy machine does not fail the test.
set -u
. "${srcdir:-.}/tests/scratch.sh"
k=$abs_top_builddir/kvmrun
command -v /usr/bin/time >/dev/null || { echo "SKIP: no /usr/bin/time"; exit 77; }
status=0
fail() { echo "FAIL: $*" >&2; status=1; }

# (n) unknown keys after a 16 MB name, all on line 1.
config() {
	printf '{ name: "'
	head -c 16000000 /dev/zero | tr '\0' x
	printf '", memory: 2M, cpu: { mode: long }'
	i=0
	while [ "$i" -lt "$1" ]; do
		printf ', bad%d: 1' "$i"
		i=$((i + 1))
	done
	printf ' }\n'
}
config 0 >one.yaml && config 99 >many.yaml || exit 99
cpu() {
	/usr/bin/time -f '%U' -o "$1.time" "$k" --check "$1.yaml" >/dev/null 2>"$1.err"
	[ $? -eq 2 ] || fail "$1.yaml: wanted exit 2"
	tail -n 1 "$1.time"
}
one=$(cpu one)
many=$(cpu many)
grep -q "many.yaml:1:[0-9]*: bad98: unknown key 'bad98'" many.err ||
	fail "the last problem is not reported: $(tail -n 3 many.err | cut -c 1-200)"
# 101 problems against 2 (the name's length, load missing): at most 4
# times the CPU time, and never less than 0.2 s allowed.
awk -v one="$one" -v many="$many" 'BEGIN {
	limit = 4 * one; if (limit < 0.2) limit = 0.2
	exit !(many <= limit) }' ||
	fail "101 problems took ${many} s of CPU, 2 took ${one} s"
echo "2 problems: ${one} s, 101 problems: ${many} s of CPU"
exit "$status"
