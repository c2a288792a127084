#!/bin/sh
# kvmrun-kut on a kvm-unit-tests tree of the project's own: its
# unittests.cfg (tests/kut/unittests.cfg) uses every key kvmrun-kut
# honours, on guests/kutlike.elf, which reports as kvm-unit-tests' tests
# do. Each test's verdict line is as run_tests.sh prints it; the guest
# sees what smp, test_args, -m, -smp, -append, -cpu and -machine asked;
# what cannot run here is a skip with its reason; TAP for prove, JUnit
# with a test case per sub-test, --print-configs, -g, -a and names.
set -u
. "${srcdir:-.}/tests/scratch.sh"
fail() { echo "FAIL: $*" >&2; exit 1; }
command -v jq >/dev/null || { echo "SKIP: jq is not installed"; exit 77; }
mkdir -p tree/x86 || exit 99
cp "$srcdir/tests/kut/unittests.cfg" tree/x86/ || exit 99
ln -s "$abs_top_builddir/guests/kutlike.elf" tree/x86/kutlike.flat || exit 99
echo "ARCH=x86_64" >tree/config.mak
KVMRUN=$abs_top_builddir/kvmrun
export KVMRUN
kut="$srcdir/kvmrun-kut"

# --print-configs runs nothing (and needs no KVM): configs kvmrun accepts.
sh "$kut" --print-configs configs tree >print.out 2>print.err ||
	{ cat print.err; fail "--print-configs failed"; }
[ -f configs/smp3.yaml ] && [ -f configs/no-pit.yaml ] || { ls configs; fail "no configs"; }
grep -q "count: 3" configs/smp3.yaml || fail "smp = 3 is not cpu.count 3"
grep -q "memory: 256M" configs/memory.yaml || fail "-m 256 is not 256M"
grep -q "irqchip: { pit: false }" configs/no-pit.yaml || fail "pit=off"
grep -q 'vendor: "GenuineIotel"' configs/vendor.yaml || fail "vendor="
grep -q "hyperv: true" configs/hyperv.yaml || fail "hv_passthrough"
grep -q 'model: "Opteron_G1"' configs/model.yaml || fail "-cpu Opteron_G1"
grep -q "0x3000: hyperv-testdev" configs/synic.yaml || fail "-device hyperv-testdev"
"$KVMRUN" --check configs >/dev/null 2>&1 || fail "kvmrun refuses a config kvmrun-kut wrote"
grep -q "^SKIP i386-only (i386 only)$" print.out || fail "no arch skip"

needs_kvm
sh "$kut" -j 2 tree >out 2>err || { cat out err; fail "kvmrun-kut's status"; }
# expect LINE: LINE is in the output, whole (a pattern for grep -x).
expect() { grep -qx -- "$1" out || { cat out err >&2; fail "no line '$1'"; }; }
expect "PASS plain (1 tests)"
expect "PASS args (3 tests)"
expect "PASS smp3 (2 tests)"
expect "PASS memory (2 tests)"
expect "PASS qemu-smp (2 tests)"
expect "PASS x2apic-on (2 tests)"
expect "PASS x2apic-off (2 tests)"
expect "PASS vendor (3 tests)"
expect "PASS acpi (4 tests)"
expect "PASS s3 (7 tests)"
expect "PASS model (4 tests)"
# Hyper-V is the host's to offer (kvm-pvm does not): asked of the probe.
if "$abs_top_builddir/kvmrun" --host hyperv >/dev/null 2>&1; then
	expect "PASS hyperv (4 tests)"
	expect "PASS synic (3 tests)"
else
	expect "SKIP hyperv (cpu.hyperv: this host lacks hyperv .*)"
	expect "SKIP synic (cpu.hyperv: this host lacks hyperv .*)"
fi
expect "PASS iomem (2 tests)"
expect "PASS pit (2 tests)"
expect "PASS no-pit (2 tests)"
expect "FAIL fails (2 tests, 1 unexpected failures)"
expect "SKIP skips (1 tests, 1 skipped)"
expect "FAIL hangs (timeout; duration=2s)"
expect "SKIP i386-only (i386 only)"
expect "SKIP manual (test marked as manual run only)"
expect "SKIP tcg-only (tcg only, but kvmrun runs under KVM)"
expect "SKIP checked (/proc/self/KVMRUN_KUT_NO_SUCH_FILE not equal to 1)"
expect "SKIP other-model (cpu.cpuid.model: unknown CPU model 'IvyBridge'.*)"
expect "SKIP iommu (-machine q35 is not modelled)"
expect "SKIP unknown-feature (cpu.cpuid.clear\[0\]: unknown CPUID feature 'no_such_feature'.*)"
expect "SKIP missing (Test file '.*/x86/no-such-test.flat' not found)"
[ "$(wc -l <out)" -eq 27 ] || { cat out; fail "not one line per test"; }

# Selection: names, -g, -a.
sh "$kut" tree plain fails >sel.out 2>&1
[ "$(cut -d' ' -f1,2 sel.out | tr '\n' ' ')" = "PASS plain FAIL fails " ] || { cat sel.out; fail "names"; }
sh "$kut" -g smp tree >grp.out 2>&1
[ "$(cat grp.out)" = "PASS smp3 (2 tests)" ] || { cat grp.out; fail "-g smp"; }
sh "$kut" -a tree manual >all.out 2>&1
[ "$(cat all.out)" = "PASS manual (1 tests)" ] || { cat all.out; fail "-a"; }

# TAP: a point per test, read by prove; JUnit: sub-tests as test cases.
sh "$kut" -t --junit kut.xml tree plain fails skips manual >tap.out 2>tap.err
grep -qx "not ok 2 - fails (2 tests, 1 unexpected failures)" tap.out || { cat tap.out; fail "TAP"; }
if command -v prove >/dev/null; then
	prove -e cat tap.out >prove.out 2>&1 && { cat tap.out prove.out; fail "prove passed a failing run"; }
	grep -q "Failed 1/4 subtests" prove.out || { cat tap.out prove.out; fail "prove's count"; }
fi
if /usr/bin/python3 -c 'import junitparser' 2>/dev/null; then
	/usr/bin/python3 - <<'PY' || { cat kut.xml; fail "JUnit"; }
from junitparser import JUnitXml
s = list(JUnitXml.fromfile("kut.xml"))[0]
cases = [(c.classname, c.name, [type(r).__name__ for r in c.result]) for c in s]
assert ("kvmrun", "fails", ["Failure"]) in cases, cases
assert ("fails", "asked to fail", ["Failure"]) in cases, cases
assert ("kvmrun", "skips", ["Skipped"]) in cases, cases
assert ("plain", "multiboot", []) in cases, cases
PY
fi
exit 0
