#!/bin/sh
# kvmrun IMAGE with any byte in the image's file name: the config kvmrun
# makes names it with YAML escapes that read back as the same bytes (DEL,
# C0 and C1 controls, U+FFFE, quotes, backslashes), and a name that is
# not UTF-8, which no YAML config can hold, is said to be the image's
# problem, not that of a config nobody wrote.
set -u
. "${srcdir:-.}/tests/scratch.sh"
k=$abs_top_builddir/kvmrun
status=0
fail() { echo "FAIL: $*" >&2; status=1; }

for name in "del$(printf '\177')" "c1$(printf '\302\205')" \
	"nonchar$(printf '\357\277\276')" "nl$(printf '\nx')" \
	'quote"back\slash' "tab$(printf '\t')" "utf8-é"; do
	cp "$abs_top_builddir/guests/hello64.elf" "$name.elf" || exit 99
	"$k" --check "$name.elf" >/dev/null 2>err ||
		fail "$(printf '%s' "$name" | od -An -c | tr -s ' '): $(cat err)"
	"$k" --print-config "$name.elf" >made.yaml 2>err ||
		fail "--print-config of $name: $(cat err)"
	"$k" --check made.yaml >/dev/null 2>err ||
		fail "the printed config of $name is not valid: $(cat err)"
done

cp "$abs_top_builddir/guests/hello64.elf" "bad$(printf '\377').elf" || exit 99
"$k" --check "bad$(printf '\377').elf" 2>err
got=$?
[ "$got" -eq 2 ] || fail "a name that is not UTF-8: wanted exit 2, got $got"
grep -qF "its file name is not UTF-8 (byte 0xff), which the YAML config it would make cannot hold: rename the file" err ||
	fail "a name that is not UTF-8: $(cat err)"
grep -q "the config is not UTF-8" err && fail "the made config is blamed: $(cat err)"
exit "$status"
