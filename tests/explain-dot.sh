#!/bin/sh
# --explain=dot is Graphviz that dot(1) accepts, with the page-table tree.
set -u
command -v dot >/dev/null || { echo "graphviz is needed (apt install graphviz)" >&2; exit 99; }
KVMRUN_PATH=$abs_top_builddir/configs
export KVMRUN_PATH
status=0
for c in longmode longmode-higherhalf paged32 realmode; do
	"$abs_top_builddir/kvmrun" --explain=dot "$srcdir/configs/$c.yaml" >"$c.dot" || status=1
	dot -Tsvg "$c.dot" >"$c.svg" || { echo "FAIL: dot rejects $c.dot" >&2; status=1; }
done
grep -q 'PT at 0x6000' longmode-higherhalf.dot || { echo "FAIL: no PT in the tree" >&2; status=1; }
grep -q '16 x 4K pages at 0x200000' longmode-higherhalf.dot || { echo "FAIL: no 4K run" >&2; status=1; }
grep -q 'PD at 0x2000' paged32.dot || { echo "FAIL: paged32 tree" >&2; status=1; }
rm -f ./*.dot ./*.svg
exit "$status"
