#!/bin/sh
# A real Bazel, offline: `bazel test //...` in a copy of examples/bazel,
# with this build's kvmrun, guests and bazel/defs.bzl as @kvmrun, runs
# the example's configs as two sharded tests. Each shard's test.xml
# (kvmrun's JUnit) holds its configs, every config once across them; the
# logs are undeclared outputs. Where /dev/kvm works every test passes;
# where it does not, the guests' shards fail with the reason in Bazel's
# test.infrastructure_failure and the --check target still passes.
# Debian 12's bazel-bootstrap 4.2.3 with bazel-rules-java and
# bazel-platforms (scripts/install-deps --ci); skipped without them.
set -u
. "${srcdir:-.}/tests/scratch.sh"
k=$abs_top_builddir/kvmrun
# Bazel leaves read-only files in its output tree.
trap 'chmod -R u+w "$scratch_dir" 2>/dev/null; rm -rf "$scratch_dir"' EXIT
status=0
fail() { echo "FAIL: $*" >&2; status=1; }

for need in /usr/share/bazel/rules/java /usr/share/bazel/platforms; do
	if ! command -v bazel >/dev/null || [ ! -d "$need" ]; then
		echo "SKIP: no offline Bazel here (Debian's bazel-bootstrap, bazel-rules-java and bazel-platforms: scripts/install-deps --ci)"
		exit 77
	fi
done

# Bazel's JVM under scripts/nested-kvm's emulated CPU outlasts the
# test's time limit (measured: more than 300 s, against 25 s here).
if [ -n "${NESTED_KVM:-}" ]; then
	echo "SKIP: Bazel under scripts/nested-kvm's emulation outlasts the time limit: run tests/bazel.sh on the host"
	exit 77
fi

cp -R "$srcdir/examples/bazel" ws || exit 99
chmod -R u+w ws
# @kvmrun as an installed kvmrun would be laid out for the example.
mkdir -p kvmrun/bazel kvmrun/guests || exit 99
: >kvmrun/WORKSPACE
cp "$srcdir/examples/bazel/kvmrun.BUILD" kvmrun/BUILD &&
	cp "$srcdir/bazel/BUILD.bazel" "$srcdir/bazel/defs.bzl" kvmrun/bazel/ &&
	cp "$k" kvmrun/kvmrun &&
	cp "$abs_top_builddir"/guests/hello16.bin "$abs_top_builddir"/guests/hello32.elf \
		"$abs_top_builddir"/guests/hello64.elf kvmrun/guests/ || exit 99
repo=$PWD/kvmrun root=$PWD/bazel-root

# Offline: a download would go to a proxy that is not there. Batch: no
# server stays. One job on one CPU: CI machines are shared.
(cd ws && HTTP_PROXY=http://127.0.0.1:9 HTTPS_PROXY=http://127.0.0.1:9 \
	http_proxy=http://127.0.0.1:9 https_proxy=http://127.0.0.1:9 \
	bazel --batch --output_user_root="$root" test --jobs=1 \
	--local_cpu_resources=1 --keep_going --override_repository=kvmrun="$repo" \
	//...) >bazel.out 2>&1
got=$?
logs=$(find "$root" -path '*/sandbox' -prune -o -path '*/bazel-out/*/testlogs' -type d -print | head -n 1)
if [ -z "$logs" ]; then
	echo "FAIL: bazel test made no test logs (status $got):" >&2
	grep -v 'linux-sandbox' bazel.out >&2
	exit 1
fi

# Each target's shards: their test.xml files name every config once.
ls ws/configs/*.yaml | sed 's|.*/||' | sort >want
for t in configs_valid guests; do
	: >got
	for s in 1 2; do
		x=$logs/$t/shard_${s}_of_2/test.xml
		xmllint --noout "$x" || fail "$t shard $s: test.xml is no XML document"
		sed -n 's|.*<testcase .* file="configs/\([^"]*\)".*|\1|p' "$x" >>got
		[ -s "$logs/$t/shard_${s}_of_2/test.outputs/outputs.zip" ] ||
			fail "$t shard $s: no undeclared outputs (each config's log)"
	done
	sort got | cmp -s - want ||
		fail "$t: the shards' test.xml do not hold each config once: $(tr '\n' ' ' <got)"
done
grep -q '//:configs_valid  *PASSED' bazel.out || fail "//:configs_valid did not pass: $(grep -v linux-sandbox bazel.out)"
if "$k" --host kvm >/dev/null 2>&1; then
	[ "$got" -eq 0 ] || fail "bazel test //... where /dev/kvm works: status $got: $(grep -v linux-sandbox bazel.out)"
else
	[ "$got" -eq 3 ] && grep -q '//:guests  *FAILED' bazel.out ||
		fail "without /dev/kvm: //:guests must fail (status 3), got $got"
	for s in 1 2; do
		grep -q '/dev/kvm' "$logs/guests/shard_${s}_of_2/test.infrastructure_failure" ||
			fail "without /dev/kvm: shard $s has no test.infrastructure_failure naming it"
	done
	echo "note: no usable /dev/kvm: //:guests failed as Bazel's infrastructure failure, as it should"
fi
[ "$status" -eq 0 ] || grep -v linux-sandbox bazel.out >&2
exit "$status"
