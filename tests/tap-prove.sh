#!/bin/sh
# The README's prove recipe, `prove --exec 'kvmrun --tap' configs...`, on
# invalid configs (tests/errors/ and hostile ones): prove parses every
# YAML block (no "Parse errors"), alone and as a suite's points, and
# TAP::Parser reads back each block's message (the headline) and its
# problems, ': ' and all.
set -u
. "${srcdir:-.}/tests/scratch.sh"
fail() { echo "FAIL: $*" >&2; exit 1; }
command -v prove >/dev/null || { echo "SKIP: prove is not installed (perl)"; exit 77; }
runs_here "prove and perl over every invalid config"
k=$abs_top_builddir/kvmrun
mkdir bin && ln -s "$k" bin/kvmrun || exit 99
PATH=$PWD/bin:$PATH
export PATH

# The invalid configs: those --check refuses with status 2.
for c in "$srcdir"/tests/errors/*.yaml; do
	kvmrun --check "$c" >/dev/null 2>&1
	[ $? -eq 2 ] && printf '%s\n' "$c"
done >invalid
[ "$(wc -l <invalid)" -ge 20 ] || fail "only $(wc -l <invalid) invalid configs"
# A name with a colon and a space in it, in its problems too.
printf 'memroy: 2M\ncpu: { mode: long }\n' >'a: b.yaml'
printf '%s\n' "$PWD/a: b.yaml" >>invalid

# The README's own line (xargs: names with spaces stay whole).
tr '\n' '\0' <invalid | xargs -0 prove --exec 'kvmrun --tap' >prove.out 2>&1
grep -q "Parse errors" prove.out && { cat prove.out; fail "prove could not parse kvmrun's TAP"; }
grep -q "Result: FAIL" prove.out || { cat prove.out; fail "prove did not fail the invalid configs"; }
# Every config's block read back: a message, and the problems it begins with.
check_yaml() {
	perl -MTAP::Parser -e '
		my $p = TAP::Parser->new({ tap => do { local $/; <STDIN> } });
		my ($n, $bad) = (0, 0);
		while (my $r = $p->next) {
			next unless $r->is_yaml;
			my $y = $r->data;
			$n++;
			my $m = $y->{message} // "";
			if ($m eq "" || ref $y->{problems} ne "ARRAY" ||
			    grep({ ref $_ } @{$y->{problems}}) ||
			    index($m, $y->{problems}[0]) != 0) {
				print STDERR "bad block: ", join(" | ", $m,
					map { ref $_ ? "(a mapping)" : $_ } @{$y->{problems} // []}), "\n";
				$bad++;
			}
		}
		print STDERR "parse error: $_\n" for $p->parse_errors;
		exit($bad || $p->parse_errors || !$n);'
}
while IFS= read -r c; do
	kvmrun --tap "$c" 2>/dev/null | check_yaml || fail "$c: its TAP"
done <invalid
tr '\n' '\0' <invalid | xargs -0 kvmrun --tap 2>/dev/null | check_yaml ||
	fail "a suite's TAP"
exit 0
