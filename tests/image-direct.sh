#!/bin/sh
# kvmrun IMAGE: an ELF where the config goes runs with the config a user
# would write (the mode from its class, memory for its segments and a
# stack, the usual console and exit ports); --print-config shows that
# config, which --check accepts; -s still applies; a file that is
# neither YAML nor an ELF says what kvmrun takes. Guests built with
# plain gcc, 64- and 32-bit, at gcc's default addresses, run as they are.
set -u
. "${srcdir:-.}/tests/scratch.sh"
k=$abs_top_builddir/kvmrun
status=0
fail() { echo "FAIL: $*" >&2; status=1; }

cat >guest.c <<'C'
/* A first guest: print to the debug console, then stop. */
static void outb(unsigned short port, unsigned char v)
{
	__asm__ volatile("outb %0, %1" : : "a"(v), "Nd"(port));
}

void _start(void)
{
	for (const char *s = "Hello from my guest!\n"; *s; s++)
		outb(0xE9, *s);
	for (;;)
		__asm__ volatile("hlt");
}
C
${CC:-gcc} -O2 -ffreestanding -nostdlib -static -o guest64.elf guest.c || exit 99
${CC:-gcc} -m32 -O2 -ffreestanding -nostdlib -static -o guest32.elf guest.c || exit 99

"$k" --print-config guest64.elf >guest64.yaml || fail "--print-config: $?"
grep -q '^memory: 6M$' guest64.yaml && grep -q 'mode: long' guest64.yaml &&
	grep -q 'elf: "guest64.elf"' guest64.yaml && grep -q '0xE9: console' guest64.yaml ||
	fail "--print-config of an ELF64 at 0x400000: $(cat guest64.yaml)"
"$k" --check guest64.yaml >/dev/null 2>&1 || fail "the printed config is not valid"
"$k" --print-config guest32.elf | grep -q 'mode: protected' || fail "ELF32: not protected mode"
"$k" --print-config "$abs_top_builddir/guests/mbkernel.elf" | grep -q '^boot: multiboot$' ||
	fail "a Multiboot kernel: no boot: multiboot"
"$k" --check guest64.elf >/dev/null 2>&1 || fail "--check guest64.elf: $?"

# -s applies to the made config.
"$k" -s memory=1M --check guest64.elf 2>err
[ $? -eq 2 ] && grep -q 'lies outside RAM; memory: 5M would hold it' err ||
	fail "-s memory=1M: $(cat err)"
# Neither YAML nor ELF.
printf '\001\002\377\376' >blob.bin
"$k" --check blob.bin 2>err
[ $? -eq 2 ] && grep -q 'kvmrun takes a YAML config, or an ELF image to run without one' err ||
	fail "a binary blob: $(cat err)"
"$k" --print-config blob.bin 2>err
[ $? -eq 2 ] && grep -q 'not an ELF image' err || fail "--print-config blob.bin: $(cat err)"
${CC:-gcc} -O2 -ffreestanding -nostdlib -static-pie -o pie.elf guest.c 2>/dev/null &&
	{ "$k" --check pie.elf 2>err; [ $? -eq 2 ] && grep -q 'link with gcc -static -no-pie' err ||
		fail "a static PIE: $(cat err)"; }

[ "$status" -eq 0 ] || exit 1 # failures so far count even where guests cannot run
needs_kvm
for g in guest64 guest32; do
	"$k" "$g.elf" >out 2>err
	got=$?
	[ "$got" -eq 0 ] && [ "$(cat out)" = "Hello from my guest!" ] ||
		fail "kvmrun $g.elf: status $got, printed '$(cat out)': $(cat err)"
done
exit "$status"
