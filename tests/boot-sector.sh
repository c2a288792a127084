#!/bin/sh
# kvmrun boot.img: a PC boot sector (512 bytes that end 55 AA) runs as
# a PC would run it, real mode at 0x7c00 with DL = 0x80, with the
# console and exit ports of the config-less mode; --print-config shows
# that config. There is no BIOS: an int 0x10 ends the run, and the
# report says "no BIOS here" with the call's place.
set -u
. "${srcdir:-.}/tests/scratch.sh"
k=$abs_top_builddir/kvmrun
status=0
fail() { echo "FAIL: $*" >&2; status=1; }

# (code...) padded to 510 bytes, then 55 AA.
sector() {
	out=$1
	shift
	printf "$*" >"$out"
	head -c $((510 - $(wc -c <"$out"))) /dev/zero >>"$out"
	printf '\125\252' >>"$out"
}
# mov al, 'A'; out 0xE9, al; cmp dl, 0x80; jne +1; hlt; (hlt)
sector hello.img '\260A\346\351\200\372\200\165\001\364\364'
# mov al, 'B'; out 0xE9, al; mov ah, 0x0e; int 0x10; hlt
sector bios.img '\260B\346\351\264\016\315\020\364'

"$k" --print-config hello.img >hello.yaml || fail "--print-config: $?"
grep -q '^boot: sector$' hello.yaml && grep -q 'mode: real, entry: 0x7c00' hello.yaml &&
	grep -q 'edx: 0x80' hello.yaml && grep -q 'raw: "hello.img"' hello.yaml &&
	grep -q '0xE9: console' hello.yaml && grep -q '0xF4: debug-exit' hello.yaml ||
	fail "--print-config of a boot sector: $(cat hello.yaml)"
"$k" --check hello.yaml >/dev/null 2>&1 || fail "the printed config is not valid"
"$k" --check hello.img >/dev/null 2>&1 || fail "--check hello.img: $?"
# 513 bytes, or no 55 AA: not a boot sector, and not taken for one.
cat hello.img /dev/null >long.img && printf x >>long.img
"$k" --check long.img 2>err
[ $? -eq 2 ] && ! grep -q 'boot' err || fail "513 bytes taken for a boot sector: $(cat err)"
# boot: sector is real mode's, and needs an exit port for its IVT.
sed 's/mode: real/mode: protected/' hello.yaml >prot.yaml
"$k" --check prot.yaml 2>err
[ $? -eq 2 ] && grep -q 'boot: sector starts the boot sector in real mode' err ||
	fail "boot: sector in protected mode: $(cat err)"
sed '/debug-exit/d' hello.yaml >noexit.yaml
"$k" --check noexit.yaml 2>err
[ $? -eq 2 ] && grep -q 'boot: sector needs an exit or debug-exit port' err ||
	fail "boot: sector without an exit port: $(cat err)"

[ "$status" -eq 0 ] || exit 1 # failures so far count even where guests cannot run
needs_kvm
"$k" hello.img >out 2>err || fail "hello.img: $? $(cat err)"
[ "$(cat out)" = A ] || fail "hello.img printed: $(cat out)"
"$k" bios.img >out 2>err
rc=$?
[ $rc -eq 1 ] && grep -q 'hint: int 0x10 (BIOS video services) at ' err &&
	grep -q 'no BIOS here' err && grep -q 'status: expected 0, got 272' err ||
	fail "int 0x10: exit $rc: $(cat err)"
exit $status
