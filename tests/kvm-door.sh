#!/bin/sh
# One door to KVM (DESIGN.md): every ioctl on a KVM descriptor is made in
# src/vm/, and the seccomp filter (src/mkfilter.c) allows exactly the KVM
# calls made once it is in place, on the descriptor they are made on.
#
# (a) No file outside src/vm/ calls ioctl with a KVM request (nor one
#     whose request cannot be read on its line).
# (b) In src/vm/, vm.c calls ioctl only in kvm_call (so --explain lists
#     each call that makes the VM), vcpu.h holds the calls of a running
#     VM, and host.c and kvm_host.c the host probe's own; no other file.
# (c) The filter's KVM rules are the union of
#       vcpu.h's calls (the exit loop, S3, gdb, the report, interrupts),
#       --explain's calls after its "sandbox" step (vm_set_cpu, KVM_RUN),
#       the lazy RAM slots (KVM_SET_USER_MEMORY_REGION on the VM: mem.c
#         gives them through vm.c's kvm_call on the guest's first touch;
#         --explain lists the request before the sandbox and says "later"),
#     and nothing else; each on the descriptor kind (kvm, vm, vcpu) the
#     code uses. kvm_host.c's helper asks KVM_GET_SUPPORTED_CPUID ahead,
#     maybe after the filter is in: the same request as --explain's.
# (d) Every request vm.c's kvm_call makes is in some config's --explain,
#     but those that only a host's answer brings (KVM_ENABLE_CAP: the
#     SynIC, when KVM's Hyper-V leaves offer it; a dry run's leaves are 0).
set -u
srcdir=${srcdir:-.}
src=$srcdir/src
k=${abs_top_builddir:-.}/kvmrun
KVMRUN_PATH=${abs_top_builddir:-.}/configs:${abs_top_builddir:-.}/tests
export KVMRUN_PATH
tmp=$(mktemp -d) || exit 99
trap 'rm -rf "$tmp"' EXIT
status=0
fail() {
	echo "FAIL: $*" >&2
	status=1
}

# The code of a file without its /* comments */, line for line.
code() {
	awk '{
		out = ""
		while ($0 != "") {
			if (inside) {
				i = index($0, "*/")
				if (!i) { $0 = ""; break }
				$0 = substr($0, i + 2); inside = 0
			} else {
				i = index($0, "/*")
				if (!i) { out = out $0; break }
				out = out substr($0, 1, i - 1)
				$0 = substr($0, i + 2); inside = 1
			}
		}
		print out
	}' "$1"
}

# ---- (a) outside src/vm/ ----
for f in "$src"/*.[ch] "$src"/*/*.[ch]; do
	case $f in "$src"/vm/* | "$src"/mkfilter.c) continue ;; esac
	code "$f" | grep -n 'ioctl[[:space:]]*(\|SYS_ioctl\|__NR_ioctl' |
	while IFS= read -r hit; do
		req=$(printf '%s\n' "$hit" |
		      sed -n 's/.*ioctl[[:space:]]*([^,]*,[[:space:]]*\([A-Za-z_][A-Za-z0-9_]*\).*/\1/p')
		case $req in
		'' | KVM_*) echo "${f#"$src"/}:$hit" ;;
		esac
	done
done >"$tmp/outside"
if [ -s "$tmp/outside" ]; then
	fail "KVM ioctls outside src/vm/ (use vcpu.h's door, or add one there):"
	cat "$tmp/outside" >&2
fi

# ---- (b) inside src/vm/ ----
for f in "$src"/vm/*.[ch]; do
	n=$(code "$f" | grep -c 'ioctl[[:space:]]*(')
	case ${f#"$src"/vm/} in
	vcpu.h | host.c | kvm_host.c) ;;
	vm.c) [ "$n" -eq 1 ] ||
		fail "vm.c calls ioctl $n times: only kvm_call may (--explain lists those)" ;;
	*) [ "$n" -eq 0 ] ||
		fail "vm/${f#"$src"/vm/} calls ioctl: KVM calls are vm.c's kvm_call or vcpu.h's" ;;
	esac
done

# The descriptor kind of an fd expression in the VM stage's code.
kind() {
	case $1 in
	c-\>fd | *cpus\[*\].fd | vm-\>vcpu) echo vcpu ;;
	vm_fd | vm-\>fd) echo vm ;;
	vm-\>kvm | kvm_fd) echo kvm ;;
	*) echo "?$1" ;;
	esac
}

# vcpu.h: "kind REQUEST" for each ioctl(FD, REQUEST, ...).
code "$src/vm/vcpu.h" |
sed -n 's/.*ioctl(\([^,]*\),[[:space:]]*\(KVM_[A-Z0-9_]*\).*/\1 \2/p' |
while read -r fd req; do echo "$(kind "$fd") $req"; done | sort -u >"$tmp/door"
[ -s "$tmp/door" ] || fail "no KVM call read in vm/vcpu.h"

# vm.c: "kind REQUEST" for each kvm_call(vm, FD, REQUEST, ...).
code "$src/vm/vm.c" | tr '\n' ' ' |
grep -o 'kvm_call([^,]*,[^,]*,[[:space:]]*KVM_[A-Z0-9_]*' |
sed 's/kvm_call([^,]*,[[:space:]]*\([^,]*\),[[:space:]]*/\1 /' |
while read -r fd req; do echo "$(kind "$fd") $req"; done | sort -u >"$tmp/setup"
[ -s "$tmp/setup" ] || fail "no kvm_call read in vm/vm.c"

# ---- (c) the filter ----
code "$src/mkfilter.c" | tr '\n' ' ' |
grep -o 'allow_vcpu_ioctl(f,[[:space:]]*KVM_[A-Z0-9_]*\|allow_ioctl(f,[[:space:]]*[A-Z_]*,[[:space:]]*KVM_[A-Z0-9_]*' |
sed -e 's/allow_vcpu_ioctl(f,[[:space:]]*/vcpu /' \
    -e 's/allow_ioctl(f,[[:space:]]*VM_FD,[[:space:]]*/vm /' \
    -e 's/allow_ioctl(f,[[:space:]]*KVM_FD,[[:space:]]*/kvm /' |
sort -u >"$tmp/filter"
[ -s "$tmp/filter" ] || fail "no KVM rule read in mkfilter.c"

# --explain over every example config, one with cpu.hyperv and one with
# the in-kernel PIT.
: >"$tmp/explain"
for c in "$srcdir"/configs/*.yaml "$srcdir/configs/longmode.yaml -s cpu.hyperv=true" \
	 "$srcdir/tests/multiboot-devices.yaml"; do
	# shellcheck disable=SC2086 # the second word is an option
	if ! "$k" --explain $c >"$tmp/out" 2>&1; then
		fail "kvmrun --explain $c"
		continue
	fi
	grep -q '^ *sandbox ' "$tmp/out" || fail "--explain $c has no sandbox step"
	awk '/^ *sandbox / { after = 1 }
	     /^ *[0-9]+  KVM_/ { print (after ? "after" : "before"), $2 }' \
		"$tmp/out" >>"$tmp/explain"
done
sort -u "$tmp/explain" -o "$tmp/explain"
# The kinds of --explain's calls after the sandbox, from vm.c's code.
awk '$1 == "after" { print $2 }' "$tmp/explain" | while read -r req; do
	if [ "$req" = KVM_RUN ]; then
		echo "vcpu KVM_RUN"
	elif ! grep " $req\$" "$tmp/setup"; then
		echo "?explain $req"
	fi
done >"$tmp/after"
{
	cat "$tmp/door" "$tmp/after"
	echo "vm KVM_SET_USER_MEMORY_REGION" # the lazy slots
} | sort -u >"$tmp/needed"
grep -q " KVM_SET_USER_MEMORY_REGION\$" "$tmp/setup" ||
	fail "vm.c gives no slot through kvm_call (the lazy slots' rule)"
grep -q 'KVM_GET_SUPPORTED_CPUID' "$src/vm/kvm_host.c" &&
	! grep -qx "kvm KVM_GET_SUPPORTED_CPUID" "$tmp/needed" &&
	fail "kvm_host.c asks KVM_GET_SUPPORTED_CPUID ahead, which the filter must allow"
comm -23 "$tmp/needed" "$tmp/filter" | sed 's/^/  made under the sandbox, not allowed: /' >"$tmp/missing"
comm -13 "$tmp/needed" "$tmp/filter" | sed 's/^/  allowed, never made under the sandbox: /' >"$tmp/extra"
if [ -s "$tmp/missing" ] || [ -s "$tmp/extra" ]; then
	fail "the seccomp filter (src/mkfilter.c) and the VM stage differ:"
	cat "$tmp/missing" "$tmp/extra" >&2
fi

# ---- (d) vm.c's calls and --explain's ----
awk '{ print $2 }' "$tmp/explain" | sort -u >"$tmp/explained"
awk '{ print $2 }' "$tmp/setup" | sort -u | comm -23 - "$tmp/explained" |
grep -vx 'KVM_ENABLE_CAP' | sed 's/^/  /' >"$tmp/unexplained"
if [ -s "$tmp/unexplained" ]; then
	fail "vm.c makes calls no --explain lists:"
	cat "$tmp/unexplained" >&2
fi
awk '{ print $2 }' "$tmp/explain" | sort -u | grep -vx KVM_RUN |
comm -23 - "$(awk '{ print $2 }' "$tmp/setup" | sort -u >"$tmp/s"; echo "$tmp/s")" |
sed 's/^/  /' >"$tmp/unknown"
if [ -s "$tmp/unknown" ]; then
	fail "--explain lists calls vm.c's kvm_call does not make:"
	cat "$tmp/unknown" >&2
fi
exit "$status"
