#!/bin/sh
# The pipeline runs one way: config -> plan -> vm -> run -> check ->
# report -> main (DESIGN.md). A file's stage is its folder under src/;
# a file may include the headers of its own stage and earlier ones, never
# of a later one. Every #include "..." is read, whatever follows it on
# its line; a header that is not in src/ is an error too. One awk reads
# every file (a process per include is slow where forks are, as under
# emulation).
set -u
src=${srcdir:-.}/src

# shellcheck disable=SC2046 # file names without blanks
awk -v src="$src" '
# The folders in the pipeline order: base/, x86/ and dev/ serve every
# stage; gdb/ is part of the run; the files at the top (main.c,
# suite.c, engine_env.c) are the program itself.
BEGIN {
	nr = split("base 0 x86 0 dev 0 config 1 plan 2 vm 3 run 4 gdb 4 check 5 report 6 top 7", r, " ")
	for (i = 1; i < nr; i += 2)
		rank[r[i]] = r[i + 1]
	# Folder and header pairs forbidden even though the order allows
	# them: the report formats data (verdict.h, result.h), it does not
	# call the check stage (check.h).
	forbidden["report:check.h"] = 1
	for (i = 1; i < ARGC; i++) {
		n = split(ARGV[i], p, "/")
		folder[p[n]] = folder_of(ARGV[i])
	}
	status = 0
}
function folder_of(path,   p, n) {
	n = split(substr(path, length(src) + 2), p, "/")
	return n == 1 ? "top" : p[1]
}
FNR == 1 {
	n = split(FILENAME, p, "/")
	name = substr(FILENAME, length(src) + 2)
	own = folder_of(FILENAME)
	skip = p[n] == "mkfilter.c" || p[n] == "seccomp-filter.h" || p[n] == "syscall-names.h"
	if (!skip && !(own in rank)) {
		print "FAIL: " name ": src/" own "/ is no stage of the pipeline" > "/dev/stderr"
		status = 1
		skip = 1
	}
}
!skip && /^[ \t]*#[ \t]*include[ \t]*"/ {
	h = $0
	sub(/^[ \t]*#[ \t]*include[ \t]*"/, "", h)
	sub(/".*/, "", h)
	if (h == "kvmrun-config.h" || h == "seccomp-filter.h" || h == "syscall-names.h")
		next
	if (!(h in folder)) {
		print "FAIL: " name " includes " h ", which is not in src/" > "/dev/stderr"
		status = 1
	} else if ((own ":" h) in forbidden) {
		print "FAIL: " name " includes " h ": the report formats data and does not call the check stage" > "/dev/stderr"
		status = 1
	} else if (rank[folder[h]] + 0 > rank[own] + 0) {
		print "FAIL: " name " (" own ") includes " h " of a later stage (" folder[h] ")" > "/dev/stderr"
		status = 1
	}
}
END { exit status }
' $(ls "$src"/*.[ch] "$src"/*/*.[ch])
