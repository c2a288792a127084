#!/bin/sh
# A guest built with plain gcc: linked at gcc's default 0x400000 it does
# not fit in 2M, and the message names the memory that would hold it and
# the link option that moves it; built with that option, it is valid,
# and it runs where KVM does.
set -u
. "${srcdir:-.}/tests/scratch.sh"
k=$abs_top_builddir/kvmrun
status=0
fail() { echo "FAIL: $*" >&2; status=1; }

cat >guest.c <<'C'
void _start(void)
{
	__asm__ volatile("outb %%al, $0xe9; hlt" : : "a"('A'));
}
C
cat >guest.yaml <<'YAML'
memory: 2M
cpu: { mode: long }
load: [ { elf: guest.elf } ]
ports: { 0xE9: console }
expect: { console: "A" }
YAML
${CC:-gcc} -O2 -ffreestanding -nostdlib -static -o guest.elf guest.c || exit 99
"$k" --check guest.yaml 2>err
[ $? -eq 2 ] || fail "a guest at 0x400000 in 2M must be refused"
grep -q 'lies outside RAM; memory: 5M would hold it, or link the guest lower: gcc -Wl,-Ttext-segment=0x100000' err ||
	fail "no hint: $(cat err)"
${CC:-gcc} -O2 -ffreestanding -nostdlib -static -Wl,-Ttext-segment=0x100000 -o guest.elf guest.c || exit 99
"$k" --check guest.yaml 2>err || fail "linked as the hint says, still refused: $(cat err)"
"$k" -q guest.yaml 2>err
got=$?
[ "$got" -eq 0 ] || [ "$got" -eq 77 ] || fail "the guest did not pass: $(cat err)"
exit "$status"
