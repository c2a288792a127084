#!/bin/sh
# A failure report disassembles the instruction at RIP when kvmrun has a
# disassembler (capstone), and shows its bytes either way.
set -u
KVMRUN_PATH=$abs_top_builddir/tests
export KVMRUN_PATH
kvmrun=$abs_top_builddir/kvmrun
"$kvmrun" -q "$srcdir/tests/errors/unexpected-triple-fault.yaml" 2>dump.out
[ $? -eq 3 ] || { echo "FAIL: wanted exit 3" >&2; exit 1; }
status=0
grep -q ' 0f 0b ' dump.out || { echo "FAIL: no code bytes" >&2; status=1; }
if "$kvmrun" -V | grep -q capstone; then
	grep -Eq '0x[0-9a-f]+  ud2 +<- rip' dump.out || { echo "FAIL: ud2 not disassembled" >&2; status=1; }
else
	grep -q 'built without capstone' dump.out || { echo "FAIL: no fallback note" >&2; status=1; }
fi
cat dump.out
rm -f dump.out
exit "$status"
