#!/bin/sh
# A suite ends by naming what failed: after the counts of failures and
# before the totals, a line per failed or invalid config with its
# headline, in the configs' order, whether run in this process or in
# children (-j 2); nothing more when all passed or skipped.
set -u
. "${srcdir:-.}/tests/scratch.sh"
fail() { echo "FAIL: $*" >&2; exit 1; }
k=$abs_top_builddir/kvmrun
e=$srcdir/tests/errors
# Images built by make live in the build tree (VPATH builds, distcheck).
KVMRUN_PATH=$abs_top_builddir/configs:$abs_top_builddir/tests/errors
export KVMRUN_PATH
cat >want <<EOF2
failed: 0 on expectations, 2 invalid, 0 in error
  INVALID misspelled-key: $e/misspelled-key.yaml:4:1: memroy: unknown key 'memroy' (did you mean 'memory'?) (and 1 more problem)
  INVALID bad-regex: $e/bad-regex.yaml:8:29: expect.console.regex: bad regular expression: Unmatched ( or \\(
EOF2
for opts in "-j 1 --no-sandbox" "-j 1" "-j 2"; do
	# shellcheck disable=SC2086
	"$k" -q $opts "$e/misspelled-key.yaml" "$srcdir/configs/longmode.yaml" \
		"$e/bad-regex.yaml" >out 2>err
	st=$?
	[ $st -eq 2 ] || { cat err; fail "$opts: status $st"; }
	tail -n 4 err | head -n 3 >got
	cmp -s want got || { diff want got; fail "$opts: the suite's end"; }
	tail -n 1 err | grep -Eqx "[01] passed, 2 failed, [01] skipped" ||
		{ cat err; fail "$opts: no totals last"; }
done
# Nothing failed: no list.
"$k" -q --check "$srcdir/configs/longmode.yaml" "$srcdir/configs/realmode.yaml" >out 2>err
grep -q "^  " err && { cat err; fail "a list when nothing failed"; }
exit 0
