# Sourced by the shell tests: make srcdir absolute, then work in a scratch
# folder of this test's own (make -j runs tests side by side), removed at
# exit.
srcdir=$(cd "${srcdir:-.}" && pwd) || exit 99
scratch_dir=$(mktemp -d) || exit 99
trap 'rm -rf "$scratch_dir"' EXIT
cd "$scratch_dir" || exit 99

# needs_kvm: skip the test, with kvmrun's reason, when this host cannot
# run a guest (no usable /dev/kvm).
needs_kvm() {
	KVMRUN_PATH=$abs_top_builddir/configs \
		"$abs_top_builddir/kvmrun" -q "$srcdir/configs/longmode.yaml" \
		>/dev/null 2>"$scratch_dir/needs-kvm.err"
	[ $? -ne 77 ] && return
	echo "SKIP: $(cat "$scratch_dir/needs-kvm.err")"
	exit 77
}
