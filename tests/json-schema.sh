#!/bin/sh
# kvmrun-report.schema.json accepts what --json writes where no guest
# runs: valid and invalid configs under --check, a config that cannot
# run (no KVM here, or /dev/kvm refused), and keeps every key in all.
# tests/json-report.sh validates the documents of guests that ran.
set -u
. "${srcdir:-.}/tests/scratch.sh"
k=$abs_top_builddir/kvmrun
/usr/bin/python3 -c 'import jsonschema' 2>/dev/null ||
	{ echo "SKIP: python3-jsonschema is not installed"; exit 77; }
KVMRUN_PATH=$abs_top_builddir/configs:$abs_top_builddir/tests/errors
export KVMRUN_PATH
"$k" --check --json check.jsonl "$srcdir/configs" "$srcdir/tests/errors/misspelled-key.yaml" \
	"$srcdir/tests/errors/override-bad-value.yaml" 2>/dev/null
/usr/bin/python3 "$srcdir/tests/validate-json.py" "$srcdir/kvmrun-report.schema.json" check.jsonl || exit 1
# The keys of a valid and an invalid document are the same.
jq -se 'map(keys) | unique | length == 1' check.jsonl >/dev/null ||
	{ echo "FAIL: documents with different keys" >&2; exit 1; }
