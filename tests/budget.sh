#!/bin/sh
# Budgets with no clock (bench/budget, bench/README.md): instructions
# counted by valgrind's callgrind, the same from run to run, for kvmrun
# --check of a mebibyte of YAML and for the hello run's start-up up to
# its first KVM call and up to the VM stage; the binary's size; the
# hello run's peak RSS. A figure more than 5 % over its budget fails,
# with both figures. A budget holds for the toolchain it was measured
# with: on another, or without valgrind, it is skipped, saying why. The
# figures measured are printed in bench/budget's format; with
# BUDGET_ALL=yes every figure is measured, with a budget or not:
#   make check TESTS=tests/budget.sh BUDGET_ALL=yes; cat tests/budget.log
set -u
. "${srcdir:-.}/tests/scratch.sh"
runs_here valgrind
k=$abs_top_builddir/kvmrun
budget=$srcdir/bench/budget
shm=
trap 'rm -rf "$scratch_dir" ${shm:+"$shm"}' EXIT
status=0 checked=0 skipped=
fail() { echo "FAIL: $*"; status=1; }
skip() { echo "skip: $*"; skipped="$skipped $1"; }

# The toolchain, from the build's Makefile: compiler and version, the
# last -O of CFLAGS, the link (configure's choice), the disassembler,
# glibc and libyaml (most of --check's instructions are libyaml's).
mk() { sed -n "s/^$1 = *//p" "$abs_top_builddir/Makefile" | sed 's/ *$//'; }
cc=$(mk CC)
case $($cc --version 2>/dev/null | head -n 1) in
*clang*) compiler=clang-$($cc -dumpversion) ;;
*) compiler=gcc-$($cc -dumpfullversion 2>/dev/null || $cc -dumpversion) ;;
esac
# shellcheck disable=SC2046 # CFLAGS are words
opt=$(printf '%s\n' $(mk CFLAGS) | grep '^-O' | tail -n 1)
case $(mk STATIC_PIE_LDFLAGS) in
*-no-pie*) link=static ;;
*-static-pie*) link=static-pie ;;
*) link=dynamic ;;
esac
[ -n "$(mk SANITIZER_FLAGS)" ] && link=$link+sanitizers
case $(mk DISASM_LIBS) in
*capstone*) disasm=capstone ;;
*Zydis*) disasm=zydis ;;
*) disasm=none ;;
esac
libc=$(getconf GNU_LIBC_VERSION 2>/dev/null | tr ' ' -)
yaml=yaml-$(pkg-config --modversion yaml-0.1 2>/dev/null)
toolchain=$compiler/${opt:--O0}/$link/$disasm/${libc:-libc-unknown}/$yaml
echo "this build: $toolchain"

# budget_of NAME: NAME's budget for this toolchain, or nothing.
budget_of() {
	awk -v n="$1" -v t="$toolchain" '$1 == n && $3 == t { print $2; exit }' "$budget"
}
# wanted NAME: whether NAME has a budget here; if not, say why.
wanted() {
	[ -n "$(budget_of "$1")" ] || [ "${BUDGET_ALL:-}" = yes ] && return 0
	others=$(awk -v n="$1" '$1 == n { printf " %s", $3 }' "$budget")
	if [ -n "$others" ]; then
		skip "$1" "its budget was measured with$others, not $toolchain"
	else
		skip "$1" "bench/budget has none"
	fi
	return 1
}
measured=
# judge NAME FIGURE: FIGURE against NAME's budget, 5 % allowed.
judge() {
	measured="$measured$(printf '%-38s %12s  %s' "$1" "$2" "$toolchain")
"
	b=$(budget_of "$1")
	[ -n "$b" ] || { echo "measured: $1: $2 (no budget)"; return; }
	checked=$((checked + 1))
	verdict=$(awk -v m="$2" -v b="$b" 'BEGIN {
		d = (m - b) * 100 / b
		if (m > b * 1.05) printf "over %+.1f %%", d
		else if (m < b * 0.9) printf "under %+.1f %%", d
		else printf "%+.1f %%", d }')
	case $verdict in
	over*) fail "$1: measured $2, budget $b: $verdict, more than 5 % over" ;;
	under*) echo "ok: $1: measured $2, budget $b ($verdict: lower the budget)" ;;
	*) echo "ok: $1: measured $2, budget $b ($verdict)" ;;
	esac
}

# The hello config, its guest where make built it (VPATH builds).
hello="$srcdir/configs/longmode.yaml"
hello_env="KVMRUN_PATH=$abs_top_builddir/configs"

# Instructions: in an empty environment (every getenv walks it) and
# with glibc's string functions held to x86-64's baseline, so that the
# counts do not depend on the CPU (an emulated one under
# scripts/nested-kvm picks other variants). The main thread only: a host
# with /dev/kvm runs the CPUID helper beside it.
baseline=glibc.cpu.hwcaps=-AVX,-AVX2,-AVX512F,-AVX512VL,-AVX512BW,-AVX512DQ,-AVX_Fast_Unaligned_Load,-BMI1,-BMI2,-ERMS,-FSRM,-SSE4_1,-SSE4_2,-SSSE3,-LZCNT,-MOVBE,-POPCNT,-RTM,-FMA,-F16C,-XSAVE,-XSAVEC,-Fast_Unaligned_Load,-Fast_Unaligned_Copy
# Where /dev/kvm works, the path to the VM stage asks KVM what it has
# (about 13 000 instructions more): a budget of its own.
without=-without-kvm
"$k" --host kvm >/dev/null 2>&1 && without=
# callgrind OUT ARGS...: kvmrun ARGS under callgrind, its dumps in OUT.*
callgrind() {
	out=$1
	shift
	env -i "$hello_env" GLIBC_TUNABLES=$baseline valgrind --tool=callgrind \
		--vgdb=no --separate-threads=yes --callgrind-out-file="$out" "$@" \
		>"$out.log" 2>&1
}
# totals FILE: the instruction count of a callgrind dump.
totals() {
	sed -n 's/^totals: *//p' "$1" 2>/dev/null
}

if ! command -v valgrind >/dev/null; then
	for n in instructions.check-1mib instructions.first-kvm-call "instructions.to-vm-stage$without"; do
		skip "$n" "no valgrind on this machine"
	done
else
	# --check of a mebibyte of YAML: a page map of 12 000 entries, so
	# the schema and the planner count too, not libyaml alone.
	if wanted instructions.check-1mib; then
		sh "$srcdir/bench/mkyaml" map "$abs_top_builddir/guests/hello64.elf" >map.yaml
		callgrind check.cg "$k" --check map.yaml
		n=$(totals check.cg-01)
		if [ -n "$n" ]; then
			judge instructions.check-1mib "$n"
		else
			fail "callgrind of --check gave no count: $(tail -n 5 check.cg.log)"
		fi
	fi
	# The hello run, from the process's start to its first KVM call
	# (the prefetch of KVM's CPUID, before the config is read: no
	# config's work counts), and on to the VM stage (vm_create: the
	# config read, checked and planned). Where /dev/kvm is missing,
	# as on a kvm-pvm guest, the run stops soon after (exit 77); where
	# it works, the guest runs under valgrind, unsandboxed (valgrind
	# cannot run under the filter). Both points are the same either way.
	if wanted instructions.first-kvm-call || wanted "instructions.to-vm-stage$without"; then
		callgrind hello.cg --dump-before=vm_host_prefetch --dump-before=vm_create \
			"$k" -q --no-sandbox "$hello"
		first=$(totals hello.cg.1-01)
		rest=$(totals hello.cg.2-01)
		if [ -z "$first" ] || [ -z "$rest" ]; then
			fail "callgrind of the hello run stopped at neither vm_host_prefetch nor vm_create (renamed?): $(tail -n 5 hello.cg.log)"
		else
			judge instructions.first-kvm-call "$first"
			judge "instructions.to-vm-stage$without" $((first + rest))
		fi
	fi
fi

# The binary's size: text, data and bss as size(1) adds them (debug
# sections are not loaded and do not count).
if wanted bytes.kvmrun; then
	judge bytes.kvmrun "$(size "$k" | awk 'NR == 2 { print $4 }')"
fi

# Peak RSS of the hello run, as the kernel counts it (/usr/bin/time):
# a whole run where /dev/kvm works, else up to the missing /dev/kvm.
# Most of it is the binary's pages, mapped 64 KiB around each fault,
# as whole folios of the page cache: on ext4 the same binary counts
# 1.8 to 2.1 MiB depending on how it was written. A copy in a tmpfs
# (4 KiB pages) counts the same every time: /dev/shm's, or TMPDIR's
# (scripts/nested-kvm's VM has no /dev/shm).
rss=rss-kib.hello$without
for place in /dev/shm "${TMPDIR:-/tmp}"; do
	shm=$(mktemp -d -p "$place" 2>/dev/null) || continue
	[ "$(stat -f -c %T "$shm")" = tmpfs ] && cp "$k" "$shm/kvmrun" &&
		"$shm/kvmrun" -V >/dev/null 2>&1 && break
	rm -rf "$shm"
	shm=
done
if [ ! -x /usr/bin/time ]; then
	skip $rss "no /usr/bin/time on this machine"
elif [ -z "$shm" ]; then
	skip $rss "no tmpfs that runs programs at /dev/shm or TMPDIR"
elif wanted $rss; then
	env -i "$hello_env" /usr/bin/time -o rss.txt -f %M "$shm/kvmrun" -q "$hello" >/dev/null 2>&1
	judge $rss "$(tail -n 1 rss.txt)"
fi
echo "measured, in bench/budget's format (raise a budget only in a commit that says why):"
printf '%s' "$measured"
[ "$status" -ne 0 ] && exit "$status"
[ "$checked" -gt 0 ] && exit 0
echo "SKIP: no budget checked:$skipped"
exit 77
