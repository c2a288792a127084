#!/bin/sh
# The pipeline runs one way: config -> plan -> vm -> run -> check ->
# report -> main (DESIGN.md). A file's stage is its folder under src/;
# a file may include the headers of its own stage and earlier ones, never
# of a later one. Every #include "..." is read, whatever follows it on
# its line; a header that is not in src/ is an error too.
set -u
src=${srcdir:-.}/src
status=0

# The folders in the pipeline's order: base/, x86/ and dev/ serve every
# stage; gdb/ is part of the run; the files at the top (main.c,
# suite.c) are the program itself.
rank() {
	case $1 in
	base | x86 | dev) echo 0 ;;
	config) echo 1 ;;
	plan) echo 2 ;;
	vm) echo 3 ;;
	run | gdb) echo 4 ;;
	check) echo 5 ;;
	report) echo 6 ;;
	top) echo 7 ;;
	esac
}
# Folder and header pairs forbidden even though the order allows them:
# the report formats data (verdict.h, result.h), it does not call the
# check stage (check.h).
forbidden=' report:check.h '

# The folder (stage) of a file under src/.
folder() {
	d=$(dirname "$1")
	if [ "$d" = "$src" ]; then echo top; else basename "$d"; fi
}

for f in "$src"/*.[ch] "$src"/*/*.[ch]; do
	base=$(basename "$f")
	case $base in
	mkfilter.c) continue ;; # a build tool, not part of kvmrun
	# made by make for sandbox.c; present in an in-tree build
	seccomp-filter.h | syscall-names.h) continue ;;
	esac
	own=$(folder "$f")
	mine=$(rank "$own")
	if [ -z "$mine" ]; then
		echo "FAIL: ${f#"$src"/}: src/$own/ is no stage of the pipeline" >&2
		status=1
		continue
	fi
	for h in $(sed -n 's/^[[:space:]]*#[[:space:]]*include[[:space:]]*"\([^"]*\)".*/\1/p' "$f"); do
		case $h in kvmrun-config.h | seccomp-filter.h | syscall-names.h) continue ;; esac
		found=$(ls "$src/$h" "$src"/*/"$h" 2>/dev/null | head -n 1)
		if [ -z "$found" ]; then
			echo "FAIL: ${f#"$src"/} includes $h, which is not in src/" >&2
			status=1
			continue
		fi
		theirs=$(folder "$found")
		if [ "${forbidden#* $own:$h }" != "$forbidden" ]; then
			echo "FAIL: ${f#"$src"/} includes $h: the report formats data and does not call the check stage" >&2
			status=1
		elif [ "$(rank "$theirs")" -gt "$mine" ]; then
			echo "FAIL: ${f#"$src"/} ($own) includes $h of a later stage ($theirs)" >&2
			status=1
		fi
	done
done
exit "$status"
