#!/bin/sh
# kvmrun.yaml(5) lists each key of cpu under cpu, where kvmrun takes it:
# the keys come from kvmrun's own message for a cpu that is no mapping.
set -u
command -v mandoc >/dev/null || { echo "SKIP: no mandoc" >&2; exit 77; }
tmp=$(mktemp -d) || exit 99
trap 'rm -rf "$tmp"' EXIT
printf 'memory: 2M\ncpu: 1\nload: []\n' >"$tmp/cpu.yaml"
keys=$("$abs_top_builddir/kvmrun" --check "$tmp/cpu.yaml" 2>&1 |
	sed -n 's/.*cpu: wanted a mapping with \(.*\), found .*/\1/p' | tr -d ,)
[ -n "$keys" ] || { echo "FAIL: kvmrun did not name cpu's keys" >&2; exit 1; }
mandoc -Tascii "$srcdir/man/kvmrun.yaml.5" | col -bx >"$tmp/page"
# Indentation of the line that introduces (key) in the KEYS list.
indent() {
	awk -v k="$1" '$1 == k ":" && !done { match($0, /^ */); print RLENGTH; done = 1 }' "$tmp/page"
}
want=$(indent mode)
result=0
for key in $keys; do
	got=$(indent "$key")
	if [ "$got" != "$want" ]; then
		echo "FAIL: kvmrun.yaml(5) lists cpu.$key at indent '$got', cpu.mode at $want" >&2
		result=1
	fi
done
exit "$result"
