# Sourced by the shell tests: make srcdir absolute, then work in a scratch
# folder of this test's own (make -j runs tests side by side), removed at
# exit.
srcdir=$(cd "${srcdir:-.}" && pwd) || exit 99
scratch_dir=$(mktemp -d) || exit 99
trap 'rm -rf "$scratch_dir"' EXIT
cd "$scratch_dir" || exit 99
