#!/bin/sh
# A failure report disassembles the instruction at RIP when kvmrun has a
# disassembler (Capstone, the default, or Zydis), and shows its bytes
# either way. A port access
# or MMIO write leaves RIP past its instruction; that one is found too.
set -u
. "${srcdir:-.}/tests/scratch.sh"
KVMRUN_PATH=$abs_top_builddir/tests/errors
export KVMRUN_PATH
kvmrun=$abs_top_builddir/kvmrun
needs_kvm
"$kvmrun" -q "$srcdir/tests/errors/unexpected-triple-fault.yaml" 2>dump.out
[ $? -eq 3 ] || { echo "FAIL: wanted exit 3" >&2; exit 1; }
status=0
# A host that resets the vCPU at a shutdown (AMD SVM) leaves no ud2 to
# show (the probe says so), and the port and MMIO cases below still count.
ud2=yes
"$kvmrun" --host state-after-shutdown >/dev/null 2>&1 || ud2=
[ -z "$ud2" ] || grep -q ' 0f 0b ' dump.out || { echo "FAIL: no code bytes" >&2; status=1; }
if ! "$kvmrun" -V | grep -q 'disassembler: none'; then
	[ -z "$ud2" ] || grep -Eq '0x[0-9a-f]+  ud2 +<- rip' dump.out || { echo "FAIL: ud2 not disassembled" >&2; status=1; }
	# Port I/O and MMIO writes exit past their instruction: it is found.
	"$kvmrun" -q "$srcdir/tests/errors/unhandled-port.yaml" 2>>dump.out
	# KVM on VMX and kvm-pvm exit past the OUT; on AMD SVM, at it.
	grep -Eq 'out 0x99, al +<- (the access, just before rip|rip)' dump.out ||
		{ echo "FAIL: the OUT before rip not found" >&2; status=1; }
	"$kvmrun" -q "$srcdir/tests/errors/write-to-rom.yaml" 2>>dump.out
	grep -Eiq 'mov dword ptr \[rax\], 0xdeadbeef +<- the access' dump.out ||
		{ echo "FAIL: the MMIO store before rip not found" >&2; status=1; }
else
	[ -z "$ud2" ] || grep -q 'built without one' dump.out || { echo "FAIL: no fallback note" >&2; status=1; }
fi
cat dump.out
rm -f dump.out
exit "$status"
