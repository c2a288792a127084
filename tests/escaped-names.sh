#!/bin/sh
# Config file names found in a folder, and --only's pattern, never reach
# the terminal raw (issue 31, item 16): messages show a control byte, a
# byte of no UTF-8 character and a backslash as \xNN and \\; --list does
# so on a terminal, and writes the names as they are to a pipe or file,
# to be given back to kvmrun. Needs no /dev/kvm.
set -u
. "${srcdir:-.}/tests/scratch.sh"
k=$abs_top_builddir/kvmrun
status=0
fail() { echo "FAIL: $*" >&2; status=1; }
esc=$(printf '\033')
raw() { grep -q "$esc" "$1"; }

mkdir cfgs
title=$(printf 'e\033]0;x\007') # sets a terminal's title
good="cfgs/$title.yaml"
printf 'memory: 2M\ncpu: { mode: long }\nload: [ { elf: %s } ]\n' \
	"$abs_top_builddir/guests/hello64.elf" >"$good"
printf 'memory: 3\n' >"cfgs/$(printf 'f\033[2J\302\233\377b\\c').yaml"
printf 'memory: 2M\n' >"cfgs/ü.yaml"

"$k" --check cfgs >check.out 2>&1
raw check.out && fail "--check wrote an ESC: $(cat -v check.out)"
grep -Fq 'cfgs/e\x1b]0;x\x07.yaml: config is valid' check.out ||
	fail "the valid config's name: $(cat -v check.out)"
grep -Fq 'cfgs/f\x1b[2J\xc2\x9b\xffb\\c.yaml:1:9: memory' check.out ||
	fail "the invalid config's position: $(cat -v check.out)"
grep -q '^cfgs/ü.yaml' check.out || fail "UTF-8 was escaped: $(cat -v check.out)"

# To a file: the names as they are, one a line, usable as arguments.
"$k" --list cfgs >list.out || fail "--list exited $?"
[ "$(wc -l <list.out)" -eq 3 ] || fail "--list: $(cat -v list.out)"
grep -qxF "$good" list.out || fail "--list changed a name: $(cat -v list.out)"
"$k" --check "$(grep -F "$title" list.out)" >/dev/null 2>&1 ||
	fail "a name --list wrote is not a config kvmrun finds"

# On a terminal: escaped as in messages.
if script -qec true /dev/null >/dev/null 2>&1; then
	script -qec "'$k' --list cfgs" /dev/null >tty.out
	raw tty.out && fail "--list wrote an ESC to a terminal: $(cat -v tty.out)"
	grep -Fq 'cfgs/e\x1b]0;x\x07.yaml' tty.out ||
		fail "--list on a terminal: $(cat -v tty.out)"
fi

# --only's pattern, quoted in its message.
"$k" --list --only "$(printf 'x\033[2J')" cfgs >only.out 2>&1
[ $? -eq 2 ] || fail "--only matching nothing: wanted exit 2"
raw only.out && fail "--only's message wrote an ESC: $(cat -v only.out)"
grep -Fqx 'kvmrun: --only x\x1b[2J: no config matches' only.out ||
	fail "--only's message: $(cat -v only.out)"

# A folder named so, without configs.
mkdir "$(printf 'd\033[2J')"
"$k" --check "$(printf 'd\033[2J')" >dir.out 2>&1
grep -Fqx 'kvmrun: d\x1b[2J: no .yaml config in this folder' dir.out ||
	fail "an empty folder's message: $(cat -v dir.out)"
exit $status
