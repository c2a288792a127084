# Sourced by the shell tests: make srcdir absolute, then work in a scratch
# folder of this test's own (make -j runs tests side by side), removed at
# exit.
srcdir=$(cd "${srcdir:-.}" && pwd) || exit 99
scratch_dir=$(mktemp -d) || exit 99
trap 'rm -rf "$scratch_dir"' EXIT
cd "$scratch_dir" || exit 99

# needs CAPABILITY...: skip the test, naming what is missing and why,
# unless this host's KVM has each capability (kvmrun --host says).
needs() {
	"$abs_top_builddir/kvmrun" --host "$@" >"$scratch_dir/needs.out" 2>&1
	case $? in
	0) return ;;
	77) echo "SKIP: this host lacks what the test needs:" \
		"$(sed -n 's/^\([a-z0-9-]*\)  *no  */\1: /p' "$scratch_dir/needs.out")"
		exit 77 ;;
	esac
	echo "FAIL: kvmrun --host $*: $(cat "$scratch_dir/needs.out")"
	exit 99
}

# needs_kvm: skip the test, with the reason, when this host cannot run
# a guest (no usable /dev/kvm).
needs_kvm() {
	needs kvm
}

# spin_config NAME: write NAME.yaml, a guest that makes one VM exit (an
# OUT to its console) and then loops until it is stopped.
spin_config() {
	cat >"$1.yaml" <<YAML
memory: 2M
cpu: { mode: long, regs: { rdi: 38 } }
load: [ { elf: $abs_top_builddir/guests/scenarios64.elf } ]
ports: { 0xE9: console }
YAML
}

# running FILE N [PID]: wait until kvmrun's --trace in FILE shows that N
# guests run (each made its first exit), or until PID has ended. Tests
# wait for this, never for a time: guests run at different speeds on
# different hosts.
running() {
	while [ "$(grep -c '^exit  *1  IO ' "$1" 2>/dev/null)" -lt "$2" ]; do
		[ -n "${3:-}" ] && ! kill -0 "$3" 2>/dev/null && return 1
		sleep 0.02
	done
}

# runs_here WHAT: skip where the suite runs in scripts/nested-kvm, whose
# QEMU emulates every instruction: (WHAT) outlasts a test's limit there.
# .ci/run runs these tests on the machine itself.
runs_here() {
	[ -z "${NESTED_KVM:-}" ] && return
	echo "SKIP: $1 under scripts/nested-kvm's emulation outlasts the" \
		"test's limit; .ci/run runs this test on the machine itself"
	exit 77
}
