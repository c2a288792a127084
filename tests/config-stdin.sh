#!/bin/sh
# A config read from a pipe keeps every byte (the image probe reads
# regular files only), "-" reads it from standard input with file names
# relative to the current folder, and an ELF on standard input is told
# to be a file.
set -u
. "${srcdir:-.}/tests/scratch.sh"
k=$abs_top_builddir/kvmrun
status=0
fail() { echo "FAIL: $*" >&2; status=1; }

# No comment first: the first bytes are the config's.
printf 'memory: 2M\ncpu: { mode: long }\nload: [ { elf: %s } ]\n' \
	"$abs_top_builddir/guests/hello64.elf" >abs.yaml
# /dev/stdin where the system has it (a minimal chroot may not).
files=-
[ -e /dev/stdin ] && files="/dev/stdin -"
for file in $files; do
	"$k" --check "$file" <abs.yaml >/dev/null 2>err
	[ $? -eq 0 ] || fail "--check $file < file: $(cat err)"
	cat abs.yaml | "$k" --check "$file" >/dev/null 2>err
	[ $? -eq 0 ] || fail "--check $file from a pipe: $(cat err)"
done
grep -qF "kvmrun: <stdin>: config is valid" err ||
	fail "'-' is not named <stdin>: $(cat err)"

# "-": relative names from the current folder.
mkdir -p sub/guests &&
	cp "$abs_top_builddir/guests/hello64.elf" sub/guests/ || exit 99
printf 'memory: 2M\ncpu: { mode: long }\nload: [ { elf: guests/hello64.elf } ]\n' |
	(cd sub && "$k" --check - >/dev/null 2>../err)
[ $? -eq 0 ] || fail "'-' does not find guests/ in the current folder: $(cat err)"
printf 'memroy: 2M\n' | "$k" --check - 2>err
[ $? -eq 2 ] && grep -qF "<stdin>:1:1: memroy: unknown key 'memroy'" err ||
	fail "a problem on standard input: $(cat err)"

cat "$abs_top_builddir/guests/hello64.elf" | "$k" --check - 2>err
[ $? -eq 2 ] && grep -qF "<stdin>: an ELF image, which kvmrun runs from a regular file only" err ||
	fail "an ELF on standard input: $(cat err)"
exit "$status"
