#!/bin/sh
# The failure report's symbol lookup is bounded in work, not only in
# memory: an image whose 250 section headers all name one table of 1M
# symbols (over a hole) costs no more than four times a plain image's lookup
# (it once scanned 250M symbols: a second of CPU for each report).
# Counted in instructions (callgrind), never in time.
set -u
. "${srcdir:-.}/tests/scratch.sh"
t=$abs_top_builddir/tests/unit/test-symbols
command -v valgrind >/dev/null || { echo "SKIP: valgrind is not installed"; exit 77; }
runs_here valgrind
KVMRUN_SYMBOLS_DIR=$scratch_dir "$t" >/dev/null 2>&1 || { echo "FAIL: test-symbols failed"; exit 1; }
# The instructions of one lookup in (elf), and its answer in (elf).out.
instructions() {
	valgrind --tool=callgrind --callgrind-out-file=/dev/null "$t" lookup "$1" \
		>"$1.out" 2>"$1.err"
	sed -n 's/^==[0-9]*== Collected : \([0-9]*\)$/\1/p' "$1.err"
}
plain=$(instructions plain.elf)
tables=$(instructions tables.elf)
[ -n "$plain" ] && [ -n "$tables" ] || { echo "FAIL: callgrind gave no count"; exit 1; }
echo "plain.elf: $plain instructions ($(cat plain.elf.out)); tables.elf: $tables ($(cat tables.elf.out))"
grep -qx '<entry+0x4> a.c:42' tables.elf.out || { echo "FAIL: tables.elf: $(cat tables.elf.out)"; exit 1; }
[ "$tables" -le $((4 * plain)) ] || { echo "FAIL: 250 tables cost $tables instructions, one $plain"; exit 1; }
