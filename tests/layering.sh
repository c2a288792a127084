#!/bin/sh
# The pipeline runs one way: config -> plan -> vm -> run -> check ->
# report -> main (DESIGN.md). A file of one stage may include the headers
# of its own stage and earlier ones, never of a later one; every source
# file has a stage in the table below.
set -u
src=${srcdir:-.}/src
status=0

# file stem, stage: 0 helpers, 1 config, 2 plan, 3 vm, 4 run, 5 check,
# 6 report, 7 main.
stages='
x86 0 num 0 utf8 0 diag 0 path 0 status 0 escape 0 cpu 0 hostport 0 gdb_rsp 0
gdb_regs 0 disasm 0 gdb_probe 0
device 0 devices 0 dev_basic 0 dev_uart 0 dev_fwcfg 0
ydoc 1 schema 1 override 1 config 1 cpuid 1
image 2 paging 2 multiboot 2 plan 2
mem 3 kvm_host 3 vm 3
result 4 console 4 io 4 smp 4 run 4 diagnose 4 gdb 4 sandbox 4
verdict 5 check 5
report 6 report_tap 6 report_json 6 explain 6
suite 7 main 7
'
# Pairs forbidden even though the stages allow them: the report formats
# data (verdict.h, result.h), it does not call the check stage.
forbidden=' report:check report_tap:check report_json:check explain:check '

stage() {
	printf '%s\n' $stages | awk -v f="$1" 'NR % 2 == 1 && $0 == f { getline; print; exit }'
}
name() { case $1 in 0) echo helpers ;; 1) echo config ;; 2) echo plan ;;
	3) echo vm ;; 4) echo run ;; 5) echo check ;; 6) echo report ;; *) echo main ;; esac; }

for f in "$src"/*.c "$src"/*.h; do
	base=$(basename "$f")
	stem=${base%.*}
	[ "$stem" = mkfilter ] && continue # a build tool, not part of kvmrun
	own=$(stage "$stem")
	if [ -z "$own" ]; then
		echo "FAIL: $base has no stage in tests/layering.sh" >&2
		status=1
		continue
	fi
	for h in $(sed -n 's/^#include "\([a-z0-9_]*\)\.h"$/\1/p' "$f"); do
		case $h in kvmrun-config|seccomp-filter|syscall-names) continue ;; esac
		their=$(stage "$h")
		if [ -z "$their" ]; then
			echo "FAIL: $base includes $h.h, which has no stage" >&2
			status=1
		elif [ "${forbidden#* $stem:$h }" != "$forbidden" ]; then
			echo "FAIL: $base includes $h.h: the report formats data and does not call the check stage" >&2
			status=1
		elif [ "$their" -gt "$own" ]; then
			echo "FAIL: $base ($(name "$own")) includes $h.h of a later stage ($(name "$their"))" >&2
			status=1
		fi
	done
done
exit "$status"
