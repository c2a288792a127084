#!/bin/sh
# Images that are not what they seem: a FIFO (as ELF, raw image or
# Multiboot module) is refused without blocking; sparse raw images of
# 1 GiB and 64 GiB for 2 MiB of RAM are refused as outside RAM, with
# FILE:LINE:COL, without being read (the memory kvmrun uses stays small).
set -u
. "${srcdir:-.}/tests/scratch.sh"
k=$abs_top_builddir/kvmrun
status=0
fail() { echo "FAIL: $*" >&2; status=1; }

mkfifo fifo || exit 99
truncate -s 1G sparse1g.bin && truncate -s 64G sparse64g.bin || exit 99
KVMRUN_PATH=$abs_top_builddir/guests
export KVMRUN_PATH
cat >files.yaml <<'YAML'
memory: 2M
cpu: { mode: long }
load:
  - elf: fifo
  - raw: fifo
    at: 0x1000
  - raw: sparse1g.bin
    at: 0x1000
  - raw: sparse64g.bin
    at: 0x1000
YAML
cat >module.yaml <<'YAML'
memory: 16M
cpu: { mode: protected }
boot: multiboot
load: [ { elf: mbkernel.elf } ]
multiboot: { modules: [ fifo ] }
YAML
# timeout: a FIFO opened for reading would wait forever for a writer.
timeout 20 /usr/bin/time -f '%M' -o rss "$k" --check files.yaml module.yaml 2>err
got=$?
cat err
[ "$got" -eq 2 ] || fail "wanted exit 2, got $got"
for want in \
	"files.yaml:4:5: load[0].elf: 'fifo' is not a regular file" \
	"files.yaml:5:5: load[1].raw: 'fifo' is not a regular file" \
	"files.yaml:7:5: load[2] [0x1000, 0x40001000) lies outside RAM" \
	"files.yaml:9:5: load[3] [0x1000, 0x1000001000) lies outside RAM" \
	"module.yaml:5:25: multiboot.modules[0]: 'fifo' is not a regular file"; do
	grep -qF -- "$want" err || fail "stderr lacks: $want"
done
# Terminal escapes in a config's keys and name reach stderr as \xNN,
# never raw; a 12 MB value is quoted by a bounded excerpt.
printf 'memory: 2M\ncpu: {mode: long}\n"\\e]0;pwned\\a\\e[2J": 1\nname: "\\e[31mred"\n' >escapes.yaml
awk 'BEGIN { printf "memory: 2M\ncpu: {mode: long}\nports: { 0xE9: "; for (i = 0; i < 12 * 1024 * 1024; i++) printf "x"; print " }" }' >huge.yaml
"$k" --check --json esc.jsonl escapes.yaml huge.yaml 2>esc.err
[ $? -eq 2 ] || fail "escapes: wanted exit 2"
grep -q "$(printf '\033')" esc.err && fail "a raw ESC reached stderr"
grep -qF "escapes.yaml:3:1: \x1b]0;pwned\x07\x1b[2J: unknown key" esc.err ||
	fail "the key's escapes are not shown as \\xNN: $(head -n 2 esc.err)"
grep -qF "escapes.yaml:4:7: name: wanted a name without control characters" esc.err ||
	fail "a name with an escape is not refused"
longest=$(jq -s '[.[].problems[].message | length] | max' esc.jsonl)
[ "$longest" -lt 2000 ] || fail "a message of $longest bytes: the 12 MB value is echoed"

# Reading the 1 GiB image would take a GiB: kvmrun stays under 64 MiB.
rss=$(tail -n 1 rss)
[ "$rss" -lt 65536 ] || fail "kvmrun used $rss KiB: the images were read"
# Image names are the kernel's to resolve: "link/.." is the parent of the
# link's target, not the config's folder, and 301 components are not cut.
deep=$(i=0; while [ $i -lt 300 ]; do printf 'b/'; i=$((i + 1)); done)
mkdir -p real/deep "$deep" && ln -s real/deep link &&
	cp "$abs_top_builddir/guests/hello64.elf" real/hello64.elf &&
	cp real/hello64.elf "${deep}hello64.elf" || exit 99
for name in link/../hello64.elf "${deep}hello64.elf"; do
	printf 'memory: 2M\ncpu: { mode: long }\nload: [ { elf: "%s" } ]\n' "$name" >sym.yaml
	KVMRUN_PATH= "$k" --check sym.yaml >/dev/null 2>sym.err ||
		fail "elf: $(echo "$name" | cut -c1-40)...: not the file the kernel finds: $(head -c 300 sym.err)"
done
exit "$status"
