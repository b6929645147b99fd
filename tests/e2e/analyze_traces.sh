#!/usr/bin/env bash
# Every real WfCommons instance loads and analyzes; the WfFormat written back is valid against the
# official schema; output is deterministic (same bytes twice).
set -euo pipefail
bin=${WF_BIN:?}
traces=${WF_SHARED_DIR:-}/traces/wfcommons
[ -d "$traces" ] || { echo "skipped: no $traces"; exit 77; }
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
validate=""
if /usr/bin/python3 -c 'import jsonschema' 2>/dev/null; then validate=/usr/bin/python3
elif python3 -c 'import jsonschema' 2>/dev/null; then validate=python3
fi
n=0
for f in "$traces"/*/*.json; do
  case $f in */schema/*) continue ;; esac
  n=$((n + 1))
  "$bin/wf-analyze" -q "$f" > "$tmp/a.json" || { echo "FAIL: wf-analyze $f"; exit 1; }
  "$bin/wf-analyze" -q "$f" > "$tmp/b.json"
  cmp -s "$tmp/a.json" "$tmp/b.json" || { echo "FAIL: $f: output differs between two runs"; exit 1; }
  "$bin/wf-analyze" -q --format wfformat "$f" > "$tmp/wff.json"
  if [ -n "$validate" ]; then
    "$validate" - "$traces/schema/wfcommons-schema.json" "$tmp/wff.json" <<'PY' || { echo "FAIL: $f: written WfFormat is not valid"; exit 1; }
import json, sys, jsonschema
schema = json.load(open(sys.argv[1]))
jsonschema.validate(json.load(open(sys.argv[2])), schema)
PY
  fi
  # The written instance reads back as the same DAG.
  "$bin/wf-analyze" -q "$tmp/wff.json" > "$tmp/c.json"
  python3 - "$tmp/a.json" "$tmp/c.json" <<'PY' || { echo "FAIL: $f: round trip through WfFormat changed the DAG"; exit 1; }
import json, sys
a, c = (json.load(open(p))["analysis"] for p in sys.argv[1:])
for k in ("tasks", "edges", "levels", "roots", "leaves"):
    assert a[k] == c[k], (k, a[k], c[k])
assert abs(a["critical_path"]["length_s"] - c["critical_path"]["length_s"]) < 1e-6
PY
done
[ "$n" -ge 70 ] || { echo "FAIL: only $n instances found"; exit 1; }
[ -n "$validate" ] || echo "note: python3 jsonschema missing, schema validation skipped"
echo "$n passed, 0 failed"
