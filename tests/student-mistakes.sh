#!/bin/sh
# The commonest mistakes of a first guest, each named by a hint: the
# entry function returns with the stack at the top of RAM (long mode: a
# #PF at CR2 == RSP == the stack top; protected mode: a read outside
# RAM), a jump outside RAM with no paging, and a runaway recursion,
# which the config-less mode's guard page below the stack stops.
set -u
. "${srcdir:-.}/tests/scratch.sh"
k=$abs_top_builddir/kvmrun
ret=$abs_top_builddir/guests/ret.bin
status=0
fail() { echo "FAIL: $*" >&2; status=1; }

# mov eax, 0x300000; jmp eax
printf '\270\000\000\060\000\377\340' >jump.bin
cat >recurse.c <<'C'
int depth(int n)
{
	return depth(n + 1) + 1;
}

void _start(void)
{
	depth(0);
	for (;;)
		__asm__ volatile("hlt");
}
C
${CC:-gcc} -O0 -ffreestanding -nostdlib -static -Wl,-Ttext-segment=0x100000 \
	-o recurse.elf recurse.c || exit 99
"$k" --print-config recurse.elf | grep -q 'is not mapped, so that a stack that overflows' ||
	fail "--print-config: no guard page"
"$k" --check recurse.elf >/dev/null 2>&1 || fail "--check recurse.elf"
for m in long protected; do
	printf 'memory: 2M\ncpu: { mode: %s, entry: 0x8000, stack: 0x200000 }\nload: [ { raw: "%s", at: 0x8000 } ]\n' \
		"$m" "$ret" >ret-$m.yaml
done
printf 'memory: 2M\ncpu: { mode: protected, entry: 0x8000 }\nload: [ { raw: jump.bin, at: 0x8000 } ]\n' >jump.yaml
for c in ret-long.yaml ret-protected.yaml jump.yaml; do
	"$k" --check "$c" >/dev/null 2>&1 || fail "--check $c: $(cat "$c")"
done

[ "$status" -eq 0 ] || exit 1 # failures so far count even where guests cannot run
needs_kvm
for m in long protected; do
	"$k" ret-$m.yaml >out 2>err
	rc=$?
	[ $rc -eq 3 ] && grep -q 'hint: .*the entry function returned' err ||
		fail "$m mode, RET at the stack top: exit $rc: $(cat err)"
done
"$k" jump.yaml >out 2>err
rc=$?
[ $rc -eq 3 ] && grep -q 'hint: the guest jumped or called to 0x300000, outside RAM' err ||
	fail "a jump outside RAM: exit $rc: $(cat err)"
"$k" recurse.elf >out 2>err
rc=$?
[ $rc -eq 3 ] && grep -q '#PF' err && grep -q 'hint: the fault is just below the stack pointer' err ||
	fail "a runaway recursion: exit $rc: $(cat err)"
exit $status
