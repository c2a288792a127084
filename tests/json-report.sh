#!/bin/sh
# --json: one document per run, each line parsed and checked by jq, for
# a pass, a failed expectation, an unhandled port, an invalid config, a
# host skip (or pass), a triple fault, a timeout, and a triple fault on
# one of three vCPUs.
set -u
command -v jq >/dev/null || { echo "jq is needed (apt install jq)" >&2; exit 99; }
. "${srcdir:-.}/tests/scratch.sh"
needs_kvm
out=$(mktemp) || exit 99
trap 'rm -rf "$out" "$scratch_dir"' EXIT
KVMRUN_PATH=$abs_top_builddir/tests:$abs_top_builddir/tests/errors:$abs_top_builddir/tests/exceptions
export KVMRUN_PATH
cd "$srcdir/tests" || exit 99
"$abs_top_builddir/kvmrun" -q -s limits.timeout=300ms --json "$out" \
	long-regs.yaml expect-fail.yaml errors/unhandled-port.yaml \
	errors/misspelled-key.yaml paged32-hello.yaml long-triple-fault.yaml \
	errors/timeout.yaml ../configs/longmode.yaml smp-ap-fault.yaml \
	exceptions/pf-write.yaml exceptions/ud-long.yaml 2>/dev/null
[ "$?" -eq 2 ] || { echo "FAIL: wanted the worst status, 2" >&2; exit 1; }

check() {
	if jq -s -e "$1" "$out" >/dev/null; then
		echo "ok: $1"
	else
		echo "FAIL: $1" >&2
		status=1
	fi
}
status=0
check 'length == 11 and all(.[]; .kvmrun and .config and .name and .verdict)'
check '.[0] | .verdict == "PASS" and .status == 0 and .mode == "long" and .registers.rax == "0x123456789abcdef0" and .stop.reason == "hlt" and .exits.total == 1'
check '.[1] | .verdict == "FAIL" and .status == 1 and ([.expectations[] | select(.ok | not) | .what] == ["memory 0x400"]) and (.expectations[] | select(.what == "memory 0x400") | .actual == "u64 0x2a (42)" and .line == 12)'
check '.[2] | .status == 3 and .stop.reason == "unhandled-io" and .stop.access == {"direction": "write", "space": "port", "address": "0x99", "size": 1, "count": 1, "value": "0x12"}'
check '.[3] | .verdict == "INVALID" and .status == 2 and .problems[0] == {"path": "memroy", "message": "unknown key '"'memroy'"' (did you mean '"'memory'"'?)", "line": 4, "column": 1} and .stop == null and .registers == null and .expectations == []'
check '.[4] | (.verdict == "SKIP" and (.error | test("CR0.PG"))) or .verdict == "PASS"'
# The diagnostic IDT caught the #UD: the registers are the guest's at
# the exception, on every host (AMD SVM resets a vCPU that shuts down).
check '.[5] | .verdict == "PASS" and .stop.reason == "shutdown" and .stop.registers_reset == false and .stop.exception.mnemonic == "UD" and .stop.exception.vector == 6 and .stop.exception.error_code == null and .registers.rip == .stop.exception.rip and (.registers.cr0.bits | index("PG")) != null and .registers.efer.bits == ["LME", "LMA"]'
check '.[6] | .verdict == "ERROR" and .stop.reason == "timeout" and .duration_ns >= 300000000'
check '.[7] | .console == "Hello, world!\n" and .console_bytes == 14 and .console_truncated == false and .exits.by_reason == {"IO": 14, "HLT": 1}'
check '.[8] | .stop.reason == "shutdown" and .stop.vcpu >= 1 and (.vcpus | length) == 3 and .vcpus[0] == {"id": 0, "state": "running"}'
check '.[9] | .stop.exception | .vector == 14 and .mnemonic == "PF" and .name == "page fault" and .error_code == "0x2" and .error == "the page is not present, a write, in supervisor mode" and .cs == "0x8" and .cr2 == "0x40000000"'
check '.[9] | .registers.rip == .stop.exception.rip and .registers.rsp == .stop.exception.rsp'
check '.[9].stop.rip_place | .function == "scenario" and .offset > 0 and .file == "scenarios.c" and .line > 0'
# Not looked up after hlt or exit: reading DWARF costs more than a run.
check '.[7].stop.rip_place == null'
# After a stop the config did not allow, the end state is not checked.
check '.[10] | .verdict == "ERROR" and .expectations[0].checked and (.expectations[1] | .what == "regs.rax" and .checked == false and .ok == false)'
check '.[1].expectations | all(.checked)'
# Every kind above, against the published schema.
/usr/bin/python3 "$srcdir/tests/validate-json.py" "$srcdir/kvmrun-report.schema.json" "$out" ||
	{ echo "FAIL: documents the schema refuses" >&2; status=1; }
exit "$status"
