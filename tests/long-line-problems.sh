#!/bin/sh
# Problems at the end of one long line: each caret line is found from
# the previous one, not by walking the line again (100 problems once
# cost 20 times what one did). Compared in instructions (callgrind), not
# time: the same on a busy machine or a slow one.
set -u
. "${srcdir:-.}/tests/scratch.sh"
k=$abs_top_builddir/kvmrun
command -v valgrind >/dev/null || { echo "SKIP: valgrind is not installed"; exit 77; }
runs_here valgrind
status=0
fail() { echo "FAIL: $*" >&2; status=1; }

# (n) unknown keys after a 1 MB name, all on line 1.
config() {
	printf '{ name: "'
	head -c 1000000 /dev/zero | tr '\0' x
	printf '", memory: 2M, cpu: { mode: long }'
	i=0
	while [ "$i" -lt "$1" ]; do
		printf ', bad%d: 1' "$i"
		i=$((i + 1))
	done
	printf ' }\n'
}
config 0 >one.yaml && config 99 >many.yaml || exit 99
# The instructions kvmrun --check of (name).yaml executes.
instructions() {
	valgrind --tool=callgrind --callgrind-out-file=/dev/null "$k" --check \
		"$1.yaml" >/dev/null 2>"$1.err"
	sed -n 's/^==[0-9]*== Collected : \([0-9]*\)$/\1/p' "$1.err"
}
one=$(instructions one)
many=$(instructions many)
[ -n "$one" ] && [ -n "$many" ] || { echo "FAIL: callgrind gave no count: $(tail -n 3 many.err)"; exit 1; }
grep -q "many.yaml:1:[0-9]*: bad98: unknown key 'bad98'" many.err ||
	fail "the last problem is not reported: $(grep bad98 many.err | cut -c 1-200)"
# 101 problems against 2 (the name's length, load missing): linear in
# the line, so at most twice the instructions (measured: 1.3 times).
[ "$many" -le $((2 * one)) ] || fail "101 problems took $many instructions, 2 took $one"
echo "2 problems: $one instructions, 101 problems: $many"
exit "$status"
