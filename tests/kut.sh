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

# Names and shell words (tests/kut/words.cfg), read without a shell.
mkdir -p words/x86 || exit 99
cp "$srcdir/tests/kut/words.cfg" words/x86/unittests.cfg || exit 99
long=nnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnn
printf '\n[%s]\nfile = kutlike.flat\n' "$long" >>words/x86/unittests.cfg
ln -s "$abs_top_builddir/guests/kutlike.elf" words/x86/kutlike.flat || exit 99
sh "$kut" --print-configs wconf words >wprint.out 2>wprint.err ||
	{ cat wprint.out wprint.err; fail "--print-configs of words.cfg"; }
[ ! -e operator-ran ] || fail "a ; in test_args ran a command"
[ ! -s wprint.err ] || ! grep -v "configs written" wprint.err || fail "a shell's message"
wexpect() { grep -qx -- "$1" wprint.out || { cat wprint.out; fail "no line '$1'"; }; }
wexpect "SKIP quote-params (qemu_params: unterminated \" quote)"
wexpect "SKIP quote-args (test_args: unterminated ' quote)"
wexpect "SKIP operator (test_args: shell operator ; at byte 7: kvmrun-kut runs no shell command)"
wexpect "SKIP 4g (-m 4G: RAM over pc-testdev's memory at 0xff000000 (QEMU's PCI hole) is not modelled)"
# wconf CONFIG PATTERN: the written config CONFIG has a line PATTERN.
wconf() { grep -qx -- "$2" "wconf/$1" || { cat "wconf/$1"; fail "$1: no '$2'"; }; }
wconf x_y.yaml 'name: "x/y"'
wconf a_b.yaml 'name: "a b"'
wconf trailing.yaml 'multiboot: { cmdline: "word=one word=two" }'
wconf trailing.yaml "load: \[ { elf: \".*/x86/kutlike.flat\" } \]"
wconf quoting.yaml 'multiboot: { cmdline: "word=it'\''s word=\\"b\\" word=cd" }'
wconf expansion.yaml 'multiboot: { cmdline: "word=42 word=x" }'
wconf append.yaml 'multiboot: { cmdline: "word=kept" }'
[ -f "wconf/$(echo "$long" | cut -c 1-199).yaml" ] || { ls wconf; fail "no config of the 250-byte name"; }
"$KVMRUN" --check wconf >/dev/null 2>&1 || fail "kvmrun refuses a config of words.cfg"
# Two names, one file name: an error, not one config lost.
mkdir -p same/x86 && cp words/x86/kutlike.flat same/x86/ || exit 99
printf '[a b]\nfile = kutlike.flat\n[a_b]\nfile = kutlike.flat\n' >same/x86/unittests.cfg
sh "$kut" --print-configs sconf same >same.out 2>same.err
st=$?
[ $st -eq 2 ] && grep -qx "kvmrun-kut: \[a_b\] is written as a_b.yaml, as another test was: not written" same.err &&
	grep -q "1 configs written" same.err || { cat same.out same.err; fail "two tests, one file name: status $st"; }

# -j's limits are kvmrun's, said with kvmrun-kut's option.
for j in 0 1025 x; do
	sh "$kut" -j $j tree plain >j.out 2>j.err
	st=$?
	[ $st -eq 2 ] && [ "$(cat j.err)" = "kvmrun-kut: -j $j: wanted a number from 1 to 1024" ] &&
		! [ -s j.out ] || { cat j.out j.err; fail "-j $j: status $st"; }
done
# A KVMRUN that is not a kvmrun is an error, never a fallback or a skip.
for k in /nonexistent /bin/false; do
	KVMRUN=$k sh "$kut" tree plain >k.out 2>k.err
	st=$?
	[ $st -eq 2 ] && grep -q "KVMRUN=$k" k.err || { cat k.out k.err; fail "KVMRUN=$k: status $st"; }
done
# fake NAME BODY: a kvmrun that runs the real one for --version and
# --check, and BODY for a run.
fake() {
	printf '#!/bin/sh\ncase "$*" in --version | *--check*) exec "%s" "$@" ;; esac\n%s\n' \
		"$KVMRUN" "$2" >"$1" && chmod +x "$1" || exit 99
}
# kvmrun refusing a config for what is not a lack of its model: an error.
printf '#!/bin/sh\nexec "%s" -s cpu.count=0 "$@"\n' "$KVMRUN" >refuses && chmod +x refuses || exit 99
KVMRUN=$PWD/refuses sh "$kut" tree plain i386-only >ref.out 2>ref.err
st=$?
[ $st -eq 2 ] && grep -qx "FAIL plain (kvmrun refuses its config: cpu.count: wanted 1 to 255 vCPUs, found 0)" ref.out &&
	grep -qx "SKIP i386-only (i386 only)" ref.out || { cat ref.out ref.err; fail "a refused config: status $st"; }
# kvmrun dying mid-suite: the tests it did not report are errors.
fake dies "\"$KVMRUN\" \"\$@\" | head -n 1; kill -9 \$\$"
KVMRUN=$PWD/dies sh "$kut" tree plain args smp3 >dies.out 2>dies.err
st=$?
[ $st -eq 2 ] && [ "$(grep -c "(no verdict: kvmrun ended before it reported this test)" dies.out)" -eq 2 ] &&
	grep -q "killed by SIGKILL" dies.err || { cat dies.out dies.err; fail "kvmrun dying: status $st"; }
# Outputs that could not be written: status 4 with kvmrun's message, or 2.
sh "$kut" --junit /dev/full tree plain args >full.out 2>full.err
st=$?
[ $st -eq 4 ] && grep -q "^kvmrun: /dev/full: output lost" full.err || { cat full.out full.err; fail "--junit /dev/full: status $st"; }
: >not-a-folder
sh "$kut" --log-dir not-a-folder/logs tree plain args >ld.out 2>ld.err
st=$?
[ $st -eq 2 ] && grep -q "^kvmrun: --log-dir not-a-folder/logs: Not a directory" ld.err || { cat ld.out ld.err; fail "--log-dir in a file: status $st"; }
mkdir -p logs/1-plain.log || exit 99
sh "$kut" --log-dir logs tree plain args >ld.out 2>ld.err
st=$?
[ $st -eq 4 ] && grep -q "^kvmrun: --log-dir: logs/1-plain.log: output lost: Is a directory" ld.err || { cat ld.out ld.err; fail "--log-dir file unwritable: status $st"; }
for t in -t -v; do
	sh "$kut" $t tree plain args >/dev/full 2>out-full.err
	st=$?
	[ $st -eq 4 ] && grep -q "verdict lines lost" out-full.err || { cat out-full.err; fail "$t >/dev/full: status $st"; }
done
# A failed test's line carries kvmrun's headline: the exception and where.
fake faults 'for a; do case $a in *.yaml) printf "{\"config\":\"%s\",\"verdict\":\"ERROR\",\"status\":3,\"stop\":{\"reason\":\"shutdown\"},\"guest_status\":null,\"error\":null,\"problems\":[],\"headline\":\"#DE (divide error) at divide+0x9 faults.c:13\"}\n" "$a" ;; esac; done; exit 3'
KVMRUN=$PWD/faults sh "$kut" tree plain >faults.out 2>faults.err
grep -qx "FAIL plain (#DE (divide error) at divide+0x9 faults.c:13)" faults.out ||
	{ cat faults.out faults.err; fail "no headline in the verdict line"; }
# SIGTERM reaches kvmrun at once, not when the running test ends.
fake sleeps "trap 'kill \$s; echo >got-term; exit 143' TERM; sleep 60 & s=\$!; echo >started; wait"
KVMRUN=$PWD/sleeps sh "$kut" tree plain >term.out 2>&1 &
pid=$!
# Ready when the stand-in says it started (or kvmrun-kut has ended).
while ! [ -f started ] && kill -0 $pid 2>/dev/null; do sleep 0.02; done
kill -TERM $pid
# Forwarded, the stand-in got SIGTERM: not forwarded, it would sleep its
# 60 s out, exit without got-term, and the check below fails. No clock.
wait $pid
st=$?
[ $st -eq 143 ] && [ -f got-term ] || { cat term.out; fail "SIGTERM: status $st, kvmrun got it: $(ls got-term 2>&1)"; }

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

# words.cfg run: every name keeps its count (kvmrun's log files are named
# x_y, a_b), the lines in unittests.cfg's order with -j, skips included.
sh "$kut" -j 2 words >wrun.out 2>wrun.err || { cat wrun.out wrun.err; fail "words.cfg: kvmrun-kut's status"; }
cat >wrun.want <<EOF
PASS x/y (1 tests)
PASS a b (2 tests)
PASS trailing (3 tests)
SKIP quote-params (qemu_params: unterminated " quote)
SKIP quote-args (test_args: unterminated ' quote)
SKIP operator (test_args: shell operator ; at byte 7: kvmrun-kut runs no shell command)
PASS quoting (4 tests)
PASS expansion (3 tests)
PASS append (2 tests)
SKIP 4g (-m 4G: RAM over pc-testdev's memory at 0xff000000 (QEMU's PCI hole) is not modelled)
PASS $long (1 tests)
EOF
diff wrun.want wrun.out || fail "words.cfg: the lines"
exit 0
