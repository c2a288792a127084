#!/bin/sh
# --help names every long option of src/main.c's getopt table, the
# IMAGE form and the exit statuses.
set -u
k=${abs_top_builddir:-.}/kvmrun
src=${srcdir:-.}/src/main.c
help=$("$k" --help) || { echo "FAIL: --help's status" >&2; exit 1; }
result=0
for opt in $(sed -n 's/^[[:space:]]*{ "\([a-z-]*\)", .*/\1/p' "$src"); do
	case $help in *"--$opt"*) ;; *) echo "FAIL: --help lacks --$opt" >&2; result=1 ;; esac
done
for want in "IMAGE.elf" "Exit status: 0 passed" "77 skipped"; do
	case $help in *"$want"*) ;; *) echo "FAIL: --help lacks '$want'" >&2; result=1 ;; esac
done
exit "$result"
