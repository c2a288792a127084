#!/usr/bin/python3
"""validate-json.py SCHEMA FILE: every line of FILE (kvmrun --json) must be
a document that the JSON Schema SCHEMA accepts. Debian's python3-jsonschema."""
import json
import sys

import jsonschema

schema = json.load(open(sys.argv[1]))
jsonschema.Draft202012Validator.check_schema(schema)
validator = jsonschema.Draft202012Validator(schema)
bad = 0
lines = open(sys.argv[2]).read().splitlines()
for n, line in enumerate(lines, 1):
    for error in validator.iter_errors(json.loads(line)):
        print(f"{sys.argv[2]}:{n}: {'/'.join(map(str, error.path))}: {error.message}")
        bad += 1
if not lines:
    print(f"{sys.argv[2]}: no document")
    bad = 1
sys.exit(1 if bad else 0)
