#!/bin/sh
# --explain of several vCPUs and of an empty bus: the plan says who starts
# and who waits for INIT/SIPI, the KVM calls create every vCPU with its
# APIC ID, and unhandled ports are said to read all ones.
set -u
KVMRUN_PATH=$abs_top_builddir/configs:$abs_top_builddir/tests
export KVMRUN_PATH
k=$abs_top_builddir/kvmrun
out=$(mktemp) || exit 99
trap 'rm -f "$out"' EXIT
status=0
want() {
	grep -qF -- "$1" "$out" || { echo "FAIL: --explain lacks: $1" >&2; status=1; }
}
"$k" --explain "$srcdir/configs/smp.yaml" >"$out" 2>&1 || { echo "FAIL: --explain smp.yaml" >&2; status=1; }
want "4 vCPUs: vCPU 0 starts there; 1 to 3 wait for INIT and SIPI"
want "KVM_CREATE_VCPU             id 3: an application processor, waiting for INIT and SIPI"
want "KVM_SET_CPUID2              the entries KVM_GET_SUPPORTED_CPUID gave, APIC ID 3"
want "KVM_CREATE_IRQCHIP"
"$k" --explain "$srcdir/tests/multiboot-empty-bus.yaml" >"$out" 2>&1 || { echo "FAIL: --explain multiboot-empty-bus.yaml" >&2; status=1; }
want "Any other port reads all ones and drops writes (unhandled-io: ignore)."
exit "$status"
