#!/bin/sh
# The real gdb against kvmrun's stub, in batch mode: breakpoints, steps,
# registers, virtual memory through the guest's page tables, a memory
# write the guest's output shows, watchpoints, Ctrl-C, kill, detach, a
# failing guest, and malformed packets; long, protected and real mode.
set -u
command -v gdb >/dev/null || { echo "SKIP: gdb is not installed"; exit 77; }
. "${srcdir:-.}/tests/scratch.sh"
# Under scripts/nested-kvm (QEMU's emulated SVM) the guest never stops
# at a breakpoint: the host probe finds it so.
needs sw-breakpoints hw-breakpoints single-step
kvmrun=$abs_top_builddir/kvmrun
build=$abs_top_builddir
src=$srcdir
tmp=$(mktemp -d) || exit 99
trap 'kill $pid 2>/dev/null; rm -rf "$tmp" "$scratch_dir"' EXIT
pid=
failed=0
KVMRUN_PATH=$build/configs:$build/tests/gdb:$build/tests/hostile
export KVMRUN_PATH

# Start kvmrun on CONFIG with gdb on a free port; sets $port and $pid.
start() {
	config=$1
	shift
	# Emptied here: the background shell opens it only once it runs, and
	# until then the previous run's port would be read.
	: >"$tmp/err"
	timeout 60 "$kvmrun" "$@" -s debug.gdb=127.0.0.1:0 -s debug.wait=2m "$config" \
		>"$tmp/out" 2>"$tmp/err" &
	pid=$!
	port=
	for _ in $(seq 100); do
		port=$(sed -n 's/.*target remote 127\.0\.0\.1:\([0-9]*\)).*/\1/p' "$tmp/err")
		[ -n "$port" ] && return 0
		sleep 0.05
	done
	echo "FAIL: kvmrun did not wait for gdb:"
	cat "$tmp/err"
	exit 1
}

# gdb in batch mode on ELF (or none: "") with the commands that follow.
debug() {
	elf=$1
	shift
	timeout 60 gdb -q -batch -nx ${elf:+"$elf"} -ex "set remotetimeout 30" \
		-ex "target remote 127.0.0.1:$port" "$@" >"$tmp/gdb" 2>&1
}

# kvmrun's exit status once gdb is done.
finish() {
	wait $pid
	status=$?
	pid=
}

# want WHAT FILE TEXT: FILE (gdb, out or err) must contain TEXT.
want() {
	if ! grep -qF -- "$3" "$tmp/$2"; then
		echo "FAIL: $1: wanted '$3' in $2:"
		sed 's/^/    /' "$tmp/$2"
		failed=1
	fi
}

want_status() {
	if [ "$status" -ne "$2" ]; then
		echo "FAIL: $1: kvmrun exited with $status, wanted $2"
		sed 's/^/    /' "$tmp/err"
		failed=1
	fi
}

elf64=$build/guests/debugme64.elf
elf32=$build/guests/debugme32.elf

# Long mode at -2 GiB: stop at a symbol, read memory through the page
# tables, step, write the message and see the guest print it.
start "$src/configs/debug.yaml"
debug "$elf64" -ex "break greet" -ex continue -ex "print counter" \
	-ex "x/s message" -ex "print \$rip" -ex "set var message[0] = 'J'" \
	-ex stepi -ex "print \$pc" -ex "print/x \$cr3" -ex "print/x \$efer" \
	-ex delete -ex continue
finish
want "break at greet" gdb "Breakpoint 1, greet"
want "virtual read" gdb '$1 = 3'
want "string through page tables" gdb '<message>:	"Hello from debugme\n"'
want "rip at greet" gdb '(void (*)()) 0xffffffff80000038 <greet>'
want "stepped" gdb '<greet+'
want "cr3" gdb '= 0x1000'
want "efer: LME and LMA" gdb '= 0x500'
want "ran to the end" gdb "exited normally"
want "the guest printed what gdb wrote" out "Jello from debugme"
want_status "changed output fails the console expectation" 1

# A write watchpoint, then detach: the guest finishes on its own.
start "$src/configs/debug.yaml"
debug "$elf64" -ex "watch counter" -ex continue -ex continue -ex delete \
	-ex detach
finish
want "watchpoint" gdb "Old value = 0"
want "watchpoint again" gdb "New value = 2"
want "detached" gdb "detached"
want "the guest ran on" out "Hello from debugme"
want_status "a detached guest passes" 0

# Protected mode: the i386 description, a hardware breakpoint, kill.
start "$src/tests/gdb/debug32.yaml"
debug "$elf32" -ex "break bump" -ex continue -ex "print counter" \
	-ex "delete 1" -ex "hbreak greet" -ex continue -ex "info registers eip" -ex "x/i \$pc" \
	-ex "print/x \$cr0" -ex kill
finish
want "break at bump" gdb "Breakpoint 1, bump"
want "counter before" gdb '$1 = 0'
want "hardware breakpoint" gdb "Breakpoint 2, greet"
want "32-bit eip" gdb "eip            0x"
want "cr0: PE without PG" gdb '= 0x33'
want "killed" gdb "killed"
want "kill reported" err "gdb killed the guest"
want_status "a killed guest is an error" 3

# Real mode without symbols: gdb takes i8086 from the description.
start "$src/configs/realmode.yaml"
debug "" -ex "x/2i \$pc" -ex stepi -ex "print \$pc" -ex continue
finish
want "16-bit code" gdb "mov    \$0x7c1a,%si"
want "stepped in real mode" gdb "0x7c03"
want "real mode ran to the end" gdb "exited normally"
want_status "real mode passes" 0

# Ctrl-C: gdb's SIGINT stops a guest in an endless loop.
start "$src/tests/hostile/endless-loop.yaml"
# (A loaded machine may take gdb's default two seconds to answer.)
timeout 60 gdb -q -batch -nx "$build/guests/scenarios64.elf" \
	-ex "set remotetimeout 30" -ex "target remote 127.0.0.1:$port" -ex continue \
	-ex "print \$pc" -ex kill >"$tmp/gdb" 2>&1 &
gdb_pid=$!
# Interrupt once the guest runs: kvmrun then uses the CPU all the time
# (it is blocked while gdb talks to it, and its start-up, slow under the
# sanitizers, comes in short bursts).
guest=$(pgrep -P $pid kvmrun)
ticks() { awk '{ print $14 + $15 }' "/proc/$guest/stat" 2>/dev/null || echo 0; }
for _ in $(seq 100); do
	before=$(ticks)
	sleep 0.3
	[ $(($(ticks) - before)) -ge 10 ] && break
done
# Signal gdb itself: timeout(1) would pass SIGINT on to its whole process
# group as well, and gdb takes a second Ctrl-C as "stop debugging".
kill -INT "$(pgrep -P $gdb_pid -x gdb || echo $gdb_pid)"
wait $gdb_pid
finish
want "Ctrl-C" gdb "Program received signal SIGINT"
want "where it was" gdb "<scenario+"
want_status "interrupted and killed" 3

# A guest that triple-faults: gdb sees it as SIGSEGV, may look, then the
# run ends with kvmrun's diagnosis.
start "$src/tests/hostile/triple-fault.yaml"
debug "$build/guests/scenarios64.elf" -ex continue -ex "print \$pc" -ex continue
finish
want "fault shown to gdb" gdb "Program received signal SIGSEGV"
want "then over" gdb "Program terminated with signal SIGSEGV"
want "diagnosis" err "shutdown"
want_status "a triple fault fails" 3

# Malformed packets get errors, not a crash, and the run goes on.
start "$src/configs/longmode.yaml"
debug "" -ex "maint packet m,zz" -ex "maint packet mffffffffffff0000,10" \
	-ex "maint packet Z9,0,1" -ex "maint packet Px=00" \
	-ex "maint packet G00" -ex "maint packet qXfer:features:read:target.xml:ffffff,10" \
	-ex continue
finish
want "bad memory read" gdb 'received: "E01"'
want "unmapped memory" gdb 'received: "E14"'
want "bad offset" gdb 'received: "E16"'
want "the guest ran after" out "Hello, world!"
want_status "malformed packets harm nothing" 0

# A broken connection: the guest runs on without gdb.
start "$src/configs/longmode.yaml"
debug "" -ex "maint packet qC" -ex "disconnect"
finish
want "after gdb went away" out "Hello, world!"
want_status "a dropped connection lets the guest finish" 0

# Bad addresses are usage errors.
"$kvmrun" --gdb=nohost: "$src/configs/longmode.yaml" >/dev/null 2>"$tmp/err"
status=$?
want "bad --gdb" err "--gdb nohost:"
want_status "bad --gdb" 2
# Names other than localhost are not looked up (a static kvmrun has no NSS).
"$kvmrun" --gdb=example.invalid:0 "$src/configs/longmode.yaml" >/dev/null 2>"$tmp/err"
status=$?
want "a host name" err "wanted an IPv4 or IPv6 address or localhost as HOST, found 'example.invalid'"
want_status "a host name" 2

exit $failed
